//! udp endpoints: libzmq's `udp_address_t` (what `udp://` addresses mean)
//! and the OS half of its `udp_engine_t` (opening the socket with the
//! multicast and reuse options it sets), plus the `ip:port` text of DGRAM's
//! address frames.
//!
//! Addresses, after `udp://`:
//! - `host:port`: a sender sends there; a receiver binds there (`*` is any
//!   address, an interface name its first address).
//! - `group:port`, group multicast: a sender sends to the group; a
//!   receiver binds the port on any address and joins the group.
//! - `source;group:port`: the same, on the interface named by `source`
//!   (`*`, an interface name or a numeric address, never looked up by
//!   DNS). Only for multicast groups (`EINVAL` otherwise).
//!
//! With `ZMQ_IPV6` names resolve to IPv6 (IPv4 as v4-mapped); IPv6
//! multicast then needs an interface index (`ENODEV` for a numeric source,
//! which names none).

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4};
use std::os::fd::AsFd;

use super::tcp_address::{atoi, Resolver};
use crate::sys::net as sys;
use crate::{Error, Result};

/// A resolved udp address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UdpAddress {
    /// Where a receiver binds; for multicast, the interface's address (its
    /// port is the group's).
    pub(crate) bind: SocketAddr,
    /// The interface index IPv6 multicast uses: `Some(0)` for any, `None`
    /// when the source named no interface (libzmq's -1).
    pub(crate) bind_if: Option<u32>,
    /// Where a sender sends (for a unicast receiver, the bind address).
    pub(crate) target: SocketAddr,
    pub(crate) multicast: bool,
}

/// libzmq's `udp_address_t::resolve`. `bind`: for a receiver's `zmq_bind`
/// (interface names and `*` allowed, failures `ENODEV`) rather than a
/// sender's `zmq_connect` (names resolved by DNS, failures `EINVAL`).
pub(crate) fn resolve(name: &str, bind: bool, ipv6: bool) -> Result<UdpAddress> {
    // The source part ends at the last ';'.
    let (source, name) = match name.rsplit_once(';') {
        Some((src, rest)) => (Some(resolve_source(src, ipv6)?), rest),
        None => (None, name),
    };
    let resolver = Resolver {
        bindable: bind,
        nic_name: bind,
        ipv6,
        expect_port: true,
        dns: true,
    };
    let target = first(resolver.resolve(name)?)?;
    let multicast = target.ip().is_multicast();
    let (bind_addr, bind_if) = match source {
        // A source only makes sense for a multicast group.
        Some(_) if !multicast => return Err(Error::EINVAL),
        Some((mut src, bind_if)) => {
            src.set_port(target.port());
            (src, bind_if)
        }
        // A group, or where a sender sends: the receiving side binds any
        // address of the family (a sender does not bind).
        None if multicast || !bind => (any(&target), Some(0)),
        // A receiver's unicast address is where it binds.
        None => (target, None),
    };
    if bind_addr.is_ipv6() != target.is_ipv6() {
        return Err(Error::EINVAL);
    }
    // IPv6 joins a group by interface index, not by address.
    if ipv6 && multicast && bind_if.is_none() {
        return Err(Error::ENODEV);
    }
    Ok(UdpAddress {
        bind: bind_addr,
        bind_if,
        target,
        multicast,
    })
}

/// The `source` of `source;group:port`: a literal address, an interface
/// name or `*` (no DNS, no port), with the interface index IPv6 needs.
fn resolve_source(src: &str, ipv6: bool) -> Result<(SocketAddr, Option<u32>)> {
    let resolver = Resolver {
        bindable: true,
        nic_name: true,
        ipv6,
        expect_port: false,
        dns: false,
    };
    let addr = first(resolver.resolve(src)?)?;
    // A multicast address cannot be a source.
    if addr.ip().is_multicast() {
        return Err(Error::EINVAL);
    }
    let bind_if = match src {
        "*" => Some(0),
        name => Some(sys::if_nametoindex(name)).filter(|&i| i != 0),
    };
    Ok((addr, bind_if))
}

fn first(addrs: Vec<SocketAddr>) -> Result<SocketAddr> {
    addrs.into_iter().next().ok_or(Error::EINVAL)
}

/// The ANY address of `like`'s family, with its port.
fn any(like: &SocketAddr) -> SocketAddr {
    let ip = match like {
        SocketAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        SocketAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    SocketAddr::new(ip, like.port())
}

/// What a udp socket is for, and the socket options libzmq applies to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UdpSettings {
    /// RADIO and DGRAM send, DISH and DGRAM receive.
    pub(crate) send: bool,
    pub(crate) recv: bool,
    /// DGRAM: datagrams go where each message's address frame says, so
    /// the multicast options of a target do not apply.
    pub(crate) raw: bool,
    /// `ZMQ_MULTICAST_LOOP`, `ZMQ_MULTICAST_HOPS`, `ZMQ_BINDTODEVICE`.
    pub(crate) multicast_loop: bool,
    pub(crate) multicast_hops: i32,
    pub(crate) bound_device: Vec<u8>,
}

/// Opens the non-blocking socket for `addr`, as libzmq's udp engine sets
/// it up: a multicast sender gets loop, hops and the source interface; a
/// receiver gets `SO_REUSEADDR` and binds (a multicast one binds the
/// group's port on any address with `SO_REUSEPORT` too, so several
/// receivers on one host hear the group, then joins it). libzmq leaves
/// `ZMQ_SNDBUF`/`ZMQ_RCVBUF` alone on udp, and so do we.
pub(crate) fn open(addr: &UdpAddress, s: &UdpSettings) -> io::Result<mio::net::UdpSocket> {
    let family = if addr.bind.is_ipv6() {
        libc::AF_INET6
    } else {
        libc::AF_INET
    };
    let fd = sys::socket(family, libc::SOCK_DGRAM, libc::IPPROTO_UDP)?;
    if !s.bound_device.is_empty() {
        let (level, name) = (libc::SOL_SOCKET, libc::SO_BINDTODEVICE);
        sys::set_bytes(fd.as_fd(), level, name, &s.bound_device)?;
    }
    let socket = std::net::UdpSocket::from(fd);
    if s.send && !s.raw && addr.target.ip().is_multicast() {
        multicast_sender(&socket, addr, s)?;
    }
    if s.recv {
        let fd = socket.as_fd();
        sys::set_int(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1)?;
        let local = if addr.multicast {
            sys::set_int(fd, libc::SOL_SOCKET, libc::SO_REUSEPORT, 1)?;
            any(&addr.bind)
        } else {
            addr.bind
        };
        sys::bind(fd, &sys::RawAddr::from_inet(&local))?;
        if addr.multicast {
            join(&socket, addr)?;
        }
    }
    Ok(mio::net::UdpSocket::from_std(socket))
}

/// Loop, hops (only when positive) and the outgoing interface (only when
/// the address names one).
fn multicast_sender(
    socket: &std::net::UdpSocket,
    addr: &UdpAddress,
    s: &UdpSettings,
) -> io::Result<()> {
    let fd = socket.as_fd();
    match addr.bind {
        SocketAddr::V4(bind) => {
            socket.set_multicast_loop_v4(s.multicast_loop)?;
            if s.multicast_hops > 0 {
                socket.set_multicast_ttl_v4(s.multicast_hops as u32)?;
            }
            if !bind.ip().is_unspecified() {
                // An `in_addr`, in network order.
                let ip = bind.ip().octets();
                sys::set_bytes(fd, libc::IPPROTO_IP, libc::IP_MULTICAST_IF, &ip)?;
            }
        }
        SocketAddr::V6(_) => {
            socket.set_multicast_loop_v6(s.multicast_loop)?;
            if s.multicast_hops > 0 {
                // libzmq 4.3.5 passes IP_MULTICAST_TTL at the IPv6 level
                // here, which Linux reads as another option; the hop limit
                // is what it means.
                let hops = libc::IPV6_MULTICAST_HOPS;
                sys::set_int(fd, libc::IPPROTO_IPV6, hops, s.multicast_hops)?;
            }
            if let Some(index) = addr.bind_if.filter(|&i| i > 0) {
                let name = libc::IPV6_MULTICAST_IF;
                sys::set_int(fd, libc::IPPROTO_IPV6, name, index as i32)?;
            }
        }
    }
    Ok(())
}

/// Joins the group on the address's interface.
fn join(socket: &std::net::UdpSocket, addr: &UdpAddress) -> io::Result<()> {
    match (addr.target.ip(), addr.bind.ip()) {
        (IpAddr::V4(group), IpAddr::V4(iface)) => socket.join_multicast_v4(&group, &iface),
        // Without an index libzmq passes -1, which the kernel refuses.
        (IpAddr::V6(group), _) => socket.join_multicast_v6(&group, addr.bind_if.unwrap_or(!0)),
        _ => Err(io::Error::from_raw_os_error(libc::EINVAL)),
    }
}

/// The text of a DGRAM address frame for a datagram from `peer`: libzmq's
/// `sockaddr_to_msg`, `a.b.c.d:port` followed by a NUL that is part of the
/// frame. libzmq handles only IPv4 peers (it asserts on others); a
/// v4-mapped peer of an IPv6 socket is shown as IPv4, other IPv6 peers
/// have no text (`None`: the datagram is dropped).
pub(crate) fn peer_frame(peer: &SocketAddr) -> Option<Vec<u8>> {
    let ip = match peer {
        SocketAddr::V4(a) => *a.ip(),
        SocketAddr::V6(a) => a.ip().to_ipv4_mapped()?,
    };
    let mut text = format!("{ip}:{}", peer.port()).into_bytes();
    text.push(0);
    Some(text)
}

/// Where a DGRAM address frame sends: libzmq's `resolve_raw_address`. The
/// host is everything before the last `:` read by C's `inet_addr`, the
/// port the rest read by `atoi`; `None` (the message is dropped) without a
/// `:`, for port 0 or for a host `inet_addr` refuses.
pub(crate) fn parse_peer_frame(frame: &[u8]) -> Option<SocketAddrV4> {
    let colon = frame.iter().rposition(|&b| b == b':')?;
    let (host, port) = (&frame[..colon], &frame[colon + 1..]);
    // The port text ends where a C string would.
    let port_end = port.iter().position(|&b| b == 0).unwrap_or(port.len());
    let port = std::str::from_utf8(&port[..port_end]).ok()?;
    let port = atoi(port) as u16;
    if port == 0 {
        return None;
    }
    Some(SocketAddrV4::new(sys::inet_addr(host)?, port))
}

/// A destination an IPv6 socket can reach: DGRAM's IPv4 peers become
/// v4-mapped when the bound socket is IPv6 (`ZMQ_IPV6`).
pub(crate) fn destination(peer: SocketAddrV4, ipv6_socket: bool) -> SocketAddr {
    if ipv6_socket {
        SocketAddr::new(IpAddr::V6(peer.ip().to_ipv6_mapped()), peer.port())
    } else {
        SocketAddr::V4(peer)
    }
}

#[cfg(test)]
#[path = "udp_tests.rs"]
mod tests;
