//! tcp endpoint addresses: parsing and resolving `host:port`, interface
//! names, `*`, `[ipv6%zone]` and `source;destination`, and printing the
//! resolved endpoint, exactly as libzmq's `ip_resolver_t` and
//! `tcp_address_t` do.
//!
//! The strings here are the part after `tcp://`. Resolution may query DNS
//! and so block: it is a plain function with no shared state, which the io
//! layer can run on any thread.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::sys::net as sys;
use crate::{Error, Result};

/// Where a tcp connection goes: the destination addresses, in the order the
/// resolver returned them (libzmq uses only the first; our connecter tries
/// them in turn within one attempt), and the optional source address from
/// `tcp://source;destination`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpTarget {
    pub peers: Vec<SocketAddr>,
    pub source: Option<SocketAddr>,
}

/// How a name may be resolved: libzmq's `ip_resolver_options_t`.
/// Shared with the udp transport, whose `udp_address_t` uses the same
/// resolver with other settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resolver {
    /// A local address to bind: `*` is allowed for host and port and name
    /// lookup failures are `ENODEV` rather than `EINVAL`.
    pub(crate) bindable: bool,
    /// Interface names (`eth0`) are tried before the name resolver.
    pub(crate) nic_name: bool,
    /// IPv6, and IPv4 as v4-mapped IPv6, rather than IPv4 only.
    pub(crate) ipv6: bool,
    /// The name ends in `:port`.
    pub(crate) expect_port: bool,
    /// Host names may be looked up (otherwise numeric addresses only).
    pub(crate) dns: bool,
}

impl Resolver {
    /// libzmq's `ip_resolver_t::resolve`: every address the name stands
    /// for, with the port and the IPv6 zone set.
    pub(crate) fn resolve(self, name: &str) -> Result<Vec<SocketAddr>> {
        let (mut host, port) = if self.expect_port {
            // The last colon: IPv6 addresses contain colons too.
            let (host, port) = name.rsplit_once(':').ok_or(Error::EINVAL)?;
            (host, self.port(port)?)
        } else {
            (name, 0)
        };

        if host.len() >= 2 && host.starts_with('[') && host.ends_with(']') {
            host = &host[1..host.len() - 1];
        }

        // An interface name or numeric zone id after '%' (RFC 4007).
        let mut zone_id = 0;
        if let Some((addr, zone)) = host.rsplit_once('%') {
            if zone.is_empty() {
                return Err(Error::EINVAL);
            }
            zone_id = if zone.as_bytes()[0].is_ascii_alphabetic() {
                sys::if_nametoindex(zone)
            } else {
                atoi(zone) as u32
            };
            if zone_id == 0 {
                return Err(Error::EINVAL);
            }
            host = addr;
        }

        let mut addrs = if self.bindable && host == "*" {
            vec![any_address(self.ipv6)]
        } else if let Some(a) = self.nic_name.then(|| self.resolve_nic_name(host)).flatten() {
            vec![a]
        } else {
            self.resolve_getaddrinfo(host)?
        };

        for a in &mut addrs {
            a.set_port(port);
            // libzmq overwrites the scope id of every IPv6 result with the
            // zone given in the name (0 when there was none).
            if let SocketAddr::V6(v6) = a {
                v6.set_scope_id(zone_id);
            }
        }
        Ok(addrs)
    }

    /// `*` (bind only) and `0` mean "any port"; anything else goes through
    /// `atoi` and a cast to 16 bits, and must not come out as 0.
    fn port(self, text: &str) -> Result<u16> {
        match text {
            "*" if self.bindable => Ok(0),
            "*" => Err(Error::EINVAL),
            "0" => Ok(0),
            _ => match atoi(text) as u16 {
                0 => Err(Error::EINVAL),
                port => Ok(port),
            },
        }
    }

    /// The first address of the interface's family (IPv6 with `ZMQ_IPV6`,
    /// else IPv4); `None` if there is no such interface or address, so the
    /// name goes on to the resolver as in libzmq.
    fn resolve_nic_name(self, name: &str) -> Option<SocketAddr> {
        let family = if self.ipv6 {
            libc::AF_INET6
        } else {
            libc::AF_INET
        };
        sys::interface_addrs(name, family)
            .ok()
            .and_then(|addrs| addrs.into_iter().next())
    }

    fn resolve_getaddrinfo(self, host: &str) -> Result<Vec<SocketAddr>> {
        let family = if self.ipv6 {
            libc::AF_INET6
        } else {
            libc::AF_INET
        };
        let mut flags = 0;
        if self.bindable {
            flags |= libc::AI_PASSIVE;
        }
        if !self.dns {
            flags |= libc::AI_NUMERICHOST;
        }
        // With IPv6 on, IPv4 names come back as v4-mapped IPv6 addresses
        // (only when the name has no IPv6 address: no AI_ALL).
        if self.ipv6 {
            flags |= libc::AI_V4MAPPED;
        }
        let mut res = sys::getaddrinfo(host, family, flags);
        if res == Err(sys::GaiError(libc::EAI_BADFLAGS)) && flags & libc::AI_V4MAPPED != 0 {
            res = sys::getaddrinfo(host, family, flags & !libc::AI_V4MAPPED);
        }
        match res {
            Ok(addrs) if !addrs.is_empty() => Ok(dedup(addrs)),
            Err(sys::GaiError(libc::EAI_MEMORY)) => Err(Error::ENOMEM),
            _ if self.bindable => Err(Error::ENODEV),
            _ => Err(Error::EINVAL),
        }
    }
}

/// The ANY address of the family: `0.0.0.0`, or `::` with IPv6.
fn any_address(ipv6: bool) -> SocketAddr {
    if ipv6 {
        SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0)
    } else {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0)
    }
}

/// Drops repeated addresses (a hosts file may list one twice), keeping the
/// resolver's order.
fn dedup(addrs: Vec<SocketAddr>) -> Vec<SocketAddr> {
    let mut out: Vec<SocketAddr> = Vec::with_capacity(addrs.len());
    for a in addrs {
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

/// C's `atoi`: optional leading white space and sign, then decimal digits
/// as far as they go; 0 without digits. glibc's is `(int) strtol`, which
/// saturates to `long` on overflow before the cast; we do the same.
pub(crate) fn atoi(s: &str) -> i32 {
    let s = s.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    for c in digits.bytes().take_while(u8::is_ascii_digit) {
        v = v.saturating_mul(10).saturating_add(i64::from(c - b'0'));
    }
    (if neg { v.saturating_neg() } else { v }) as i32
}

/// Splits off a source address (`source;destination`, at the last `;`) and
/// resolves it as libzmq does: bindable, interface names allowed, numeric
/// hosts only (no DNS).
fn split_source(addr: &str, ipv6: bool) -> Result<(Option<SocketAddr>, &str)> {
    let Some((src, dst)) = addr.rsplit_once(';') else {
        return Ok((None, addr));
    };
    let resolver = Resolver {
        bindable: true,
        nic_name: true,
        ipv6,
        expect_port: true,
        dns: false,
    };
    let source = resolver.resolve(src)?.into_iter().next();
    Ok((source, dst))
}

/// Resolves the address of a `zmq_bind`: `*`, an interface name, a numeric
/// address or a host name, then `:port` where the port may be `*` or `0`
/// (ephemeral). A source part (`a;b`) is checked and ignored, as libzmq
/// does. Errors: `EINVAL` for a malformed address or port, `ENODEV` for a
/// host that is neither an interface nor resolvable, `ENOMEM`.
pub fn resolve_bind(addr: &str, ipv6: bool) -> Result<SocketAddr> {
    let (_, addr) = split_source(addr, ipv6)?;
    let resolver = Resolver {
        bindable: true,
        nic_name: true,
        ipv6,
        expect_port: true,
        dns: true,
    };
    resolver
        .resolve(addr)?
        .into_iter()
        .next()
        .ok_or(Error::ENODEV)
}

/// Resolves the address of a `zmq_connect` (this may block on DNS):
/// `[source;]host:port`, the host numeric or a name, `ZMQ_IPV6` choosing
/// IPv4 only or IPv6 plus v4-mapped IPv4. The port must be a number (`*`
/// is `EINVAL`). Errors: `EINVAL` for a malformed address, a bad port or a
/// name that does not resolve; `ENODEV` for a source that is neither an
/// interface nor a numeric address.
///
/// When IPv6 is wanted but the system cannot make IPv6 sockets, the name
/// is resolved again as IPv4, as libzmq's connecter does when its socket
/// call fails with `EAFNOSUPPORT`.
pub fn resolve_connect(addr: &str, ipv6: bool) -> Result<TcpTarget> {
    resolve_connect_with(addr, ipv6, true)
}

/// [`resolve_connect`] for an address whose host is numeric: it never
/// blocks (no lookup, no DNS). `None` when the host is a name (or
/// malformed), which a lookup thread resolves (`super::lookup`).
pub fn resolve_connect_numeric(addr: &str, ipv6: bool) -> Option<TcpTarget> {
    resolve_connect_with(addr, ipv6, false).ok()
}

fn resolve_connect_with(addr: &str, ipv6: bool, dns: bool) -> Result<TcpTarget> {
    let target = resolve_connect_as(addr, ipv6, dns)?;
    if ipv6 && target.peers.iter().any(SocketAddr::is_ipv6) && !ipv6_sockets_supported() {
        return resolve_connect_as(addr, false, dns);
    }
    Ok(target)
}

/// libzmq's `ws_address_t::resolve` for the part after `ws://` (or
/// `wss://`): `host:port[/path]`, where the port is read after the last `:`
/// of what precedes the last `/` (so `host:0/a/b` has the port `0/a`, which
/// `atoi` makes 0, `EINVAL`) and the host ends at its first `/`. A bind
/// (`local`) may name an interface or `*` but resolves no host names, so
/// `localhost` is `ENODEV`; a connect may. There is no source part: a `;`
/// is just part of a host that does not resolve.
pub fn resolve_ws(addr: &str, local: bool, ipv6: bool) -> Result<Vec<SocketAddr>> {
    let host_name = addr.rfind('/').map_or(addr, |slash| &addr[..slash]);
    let (host, port) = host_name.rsplit_once(':').ok_or(Error::EINVAL)?;
    let host = host.find('/').map_or(host, |slash| &host[..slash]);
    let resolver = Resolver {
        bindable: local,
        nic_name: local,
        ipv6,
        expect_port: true,
        dns: !local,
    };
    resolver.resolve(&format!("{host}:{port}"))
}

/// Whether the system has IPv6 sockets at all.
fn ipv6_sockets_supported() -> bool {
    !matches!(
        sys::socket(libc::AF_INET6, libc::SOCK_STREAM, libc::IPPROTO_TCP),
        Err(e) if e.raw_os_error() == Some(libc::EAFNOSUPPORT)
    )
}

/// `tcp_address_t::resolve` for a connect address.
fn resolve_connect_as(addr: &str, ipv6: bool, dns: bool) -> Result<TcpTarget> {
    let (source, addr) = split_source(addr, ipv6)?;
    let resolver = Resolver {
        bindable: false,
        nic_name: false,
        ipv6,
        expect_port: true,
        dns,
    };
    let peers = resolver.resolve(addr)?;
    Ok(TcpTarget { peers, source })
}

/// libzmq's quick syntax check in `zmq_connect` (before any resolution,
/// which is deferred to the io thread): the host starts with a letter, a
/// digit, `[` or `:`, continues with letters, digits and `.-:%;[]_*`, and
/// the text after the last `:` starts with a digit. `EINVAL` otherwise;
/// e.g. `*:5555`, `localhost:*`, `in val id:1234` and `host:invalid`.
pub fn check_connect_syntax(addr: &str) -> Result<()> {
    let b = addr.as_bytes();
    let mut i = 0;
    if b.first()
        .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'[' || c == b':')
    {
        i = 1;
        while b
            .get(i)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || b".-:%;[]_*".contains(&c))
        {
            i += 1;
        }
    }
    if i != b.len() {
        return Err(Error::EINVAL);
    }
    match addr.rsplit_once(':') {
        Some((_, port)) if port.as_bytes().first().is_some_and(u8::is_ascii_digit) => Ok(()),
        _ => Err(Error::EINVAL),
    }
}

/// The endpoint string libzmq reports for a resolved tcp address
/// (`ZMQ_LAST_ENDPOINT` after a bind, monitor events, the key for
/// `zmq_unbind`/`zmq_disconnect`): `tcp://127.0.0.1:5555`,
/// `tcp://[::]:5555`, `tcp://[::ffff:127.0.0.1]:5555`,
/// `tcp://[fe80::1%eth0]:5555`. The host is `getnameinfo`'s numeric form.
pub fn endpoint_string(addr: &SocketAddr) -> String {
    let host = numeric_host(addr);
    match addr {
        SocketAddr::V4(_) => format!("tcp://{host}:{}", addr.port()),
        SocketAddr::V6(_) => format!("tcp://[{host}]:{}", addr.port()),
    }
}

/// The numeric host of an address as libzmq prints it (`getnameinfo` with
/// `NI_NUMERICHOST`): `127.0.0.1`, `::ffff:127.0.0.1`, `fe80::1%eth0`. This
/// is also the `Peer-Address` metadata of a tcp connection.
pub fn numeric_host(addr: &SocketAddr) -> String {
    sys::numeric_host(addr).unwrap_or_else(|| match addr {
        SocketAddr::V4(a) => a.ip().to_string(),
        SocketAddr::V6(a) => a.ip().to_string(),
    })
}

/// The endpoint string `zmq_unbind`/`zmq_disconnect` look up when the
/// caller's string is not registered as given: libzmq resolves it (first as
/// a connect address, then, if that key is not registered either, as a bind
/// address; pass `local` accordingly) and prints it with
/// [`endpoint_string`]. `addr` is the part after `tcp://`. May block on
/// DNS when `local` is false.
#[cfg(test)]
pub fn resolved_endpoint_string(addr: &str, local: bool, ipv6: bool) -> Result<String> {
    let first = if local {
        resolve_bind(addr, ipv6)?
    } else {
        let target = resolve_connect_as(addr, ipv6, true)?;
        target.peers.into_iter().next().ok_or(Error::EINVAL)?
    };
    Ok(endpoint_string(&first))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn bind_wildcards_resolve_to_any_address_and_port_zero() {
        assert_eq!(resolve_bind("*:*", false), Ok(sa("0.0.0.0:0")));
        assert_eq!(resolve_bind("*:0", false), Ok(sa("0.0.0.0:0")));
        assert_eq!(resolve_bind("*:5555", true), Ok(sa("[::]:5555")));
        assert_eq!(resolve_bind("127.0.0.1:*", false), Ok(sa("127.0.0.1:0")));
    }

    #[test]
    fn ipv4_with_ipv6_option_is_v4_mapped() {
        assert_eq!(
            resolve_bind("127.0.0.1:*", true),
            Ok(sa("[::ffff:127.0.0.1]:0"))
        );
        let t = resolve_connect("127.0.0.1:80", true).unwrap();
        assert_eq!(t.peers, vec![sa("[::ffff:127.0.0.1]:80")]);
    }

    #[test]
    fn ipv6_literals_need_the_ipv6_option() {
        assert_eq!(resolve_bind("[::1]:5555", true), Ok(sa("[::1]:5555")));
        assert_eq!(resolve_bind("::1:5555", true), Ok(sa("[::1]:5555")));
        assert_eq!(resolve_bind("[::1]:5555", false), Err(Error::ENODEV));
        assert_eq!(
            resolve_connect("[::1]:5555", false).map(|t| t.peers),
            Err(Error::EINVAL)
        );
    }

    #[test]
    fn bad_ports_are_einval() {
        for bad in [
            "127.0.0.1",
            "127.0.0.1:",
            "127.0.0.1:x",
            "127.0.0.1:65536",
            "*:-0",
        ] {
            assert_eq!(resolve_bind(bad, false), Err(Error::EINVAL), "{bad}");
        }
        // `*` is a bind-only port.
        assert_eq!(
            resolve_connect("127.0.0.1:*", false).map(|t| t.peers),
            Err(Error::EINVAL)
        );
        // Port 0 is allowed for connect, as in libzmq.
        assert_eq!(
            resolve_connect("127.0.0.1:0", false).map(|t| t.peers),
            Ok(vec![sa("127.0.0.1:0")])
        );
    }

    #[test]
    fn ports_go_through_atoi_and_a_16_bit_cast_like_libzmq() {
        assert_eq!(
            resolve_bind("127.0.0.1:65537", false),
            Ok(sa("127.0.0.1:1"))
        );
        assert_eq!(
            resolve_bind("127.0.0.1:12abc", false),
            Ok(sa("127.0.0.1:12"))
        );
        assert_eq!(resolve_bind("127.0.0.1: 7", false), Ok(sa("127.0.0.1:7")));
        assert_eq!(
            resolve_bind("127.0.0.1:-1", false),
            Ok(sa("127.0.0.1:65535"))
        );
    }

    #[test]
    fn unknown_hosts_are_enodev_for_bind_and_einval_for_connect() {
        assert_eq!(
            resolve_bind("no-such-if-zmq.invalid:5555", false),
            Err(Error::ENODEV)
        );
        assert_eq!(resolve_bind(":5555", false), Err(Error::ENODEV));
        assert_eq!(
            resolve_connect("no-such-host-zmq.invalid:5555", false).map(|t| t.peers),
            Err(Error::EINVAL)
        );
    }

    #[test]
    fn interface_names_resolve_for_bind_only() {
        assert_eq!(resolve_bind("lo:5555", false), Ok(sa("127.0.0.1:5555")));
        if sys::interface_addrs("lo", libc::AF_INET6).is_ok_and(|a| !a.is_empty()) {
            assert_eq!(resolve_bind("lo:*", true), Ok(sa("[::1]:0")));
        }
        // For connect "lo" is a host name, which does not resolve.
        assert_eq!(
            resolve_connect("lo:5555", false).map(|t| t.peers),
            Err(Error::EINVAL)
        );
    }

    #[test]
    fn zones_set_the_scope_id() {
        let lo = sys::if_nametoindex("lo");
        assert_ne!(lo, 0);
        let a = resolve_connect("[fe80::1%lo]:5555", true).unwrap().peers[0];
        assert_eq!(
            a,
            SocketAddr::V6(std::net::SocketAddrV6::new(
                "fe80::1".parse().unwrap(),
                5555,
                0,
                lo
            ))
        );
        let b = resolve_connect("[fe80::1%7]:5555", true).unwrap().peers[0];
        assert!(matches!(b, SocketAddr::V6(v) if v.scope_id() == 7));
        for bad in [
            "[fe80::1%]:5555",
            "[fe80::1%0]:5555",
            "[fe80::1%nosuchif9]:5555",
        ] {
            assert_eq!(
                resolve_connect(bad, true).map(|t| t.peers),
                Err(Error::EINVAL),
                "{bad}"
            );
        }
    }

    #[test]
    fn ws_addresses_resolve_as_libzmqs_ws_address() {
        assert_eq!(
            resolve_ws("127.0.0.1:*/p", true, false),
            Ok(vec![sa("127.0.0.1:0")])
        );
        assert_eq!(
            resolve_ws("127.0.0.1:5555/a/b", true, false),
            Ok(vec![sa("127.0.0.1:5555")])
        );
        assert_eq!(resolve_ws("lo:0", true, false), Ok(vec![sa("127.0.0.1:0")]));
        // The port is read after the last ':' before the last '/'.
        assert_eq!(
            resolve_ws("127.0.0.1:*/a/b", true, false),
            Err(Error::EINVAL)
        );
        assert_eq!(
            resolve_ws("127.0.0.1:0/a/b", false, false),
            Err(Error::EINVAL)
        );
        assert_eq!(resolve_ws("127.0.0.1/a:0", true, false), Err(Error::EINVAL));
        // A bind resolves no names and has no source part.
        assert_eq!(resolve_ws("localhost:0", true, false), Err(Error::ENODEV));
        assert_eq!(
            resolve_ws("127.0.0.1:0;127.0.0.1:0", true, false),
            Err(Error::ENODEV)
        );
        // A connect resolves names, and only in the family ZMQ_IPV6 allows.
        assert_eq!(
            resolve_ws("localhost:5555/x", false, false).map(|a| a[0]),
            Ok(sa("127.0.0.1:5555"))
        );
        assert_eq!(resolve_ws("[::1]:5555", false, false), Err(Error::EINVAL));
        assert_eq!(resolve_ws("127.0.0.1:*", false, false), Err(Error::EINVAL));
    }

    #[test]
    fn source_addresses_are_numeric_or_interfaces() {
        let t = resolve_connect("127.0.0.1:0;localhost:1234", false).unwrap();
        assert_eq!(t.source, Some(sa("127.0.0.1:0")));
        assert_eq!(t.peers[0], sa("127.0.0.1:1234"));
        let t = resolve_connect("lo:5555;127.0.0.1:1235", false).unwrap();
        assert_eq!(t.source, Some(sa("127.0.0.1:5555")));
        let t = resolve_connect("*:*;127.0.0.1:1235", false).unwrap();
        assert_eq!(t.source, Some(sa("0.0.0.0:0")));
        // No DNS for the source: a host name is not an interface either.
        assert_eq!(
            resolve_connect("localhost:5555;127.0.0.1:1", false),
            Err(Error::ENODEV)
        );
        assert_eq!(
            resolve_connect("127.0.0.1;127.0.0.1:1", false),
            Err(Error::EINVAL)
        );
        // A bind checks the source and binds the destination.
        assert_eq!(
            resolve_bind("127.0.0.1:0;127.0.0.1:6000", false),
            Ok(sa("127.0.0.1:6000"))
        );
    }

    #[test]
    fn localhost_resolves_through_the_system() {
        let t = resolve_connect("localhost:1234", false).unwrap();
        assert!(t.peers.contains(&sa("127.0.0.1:1234")), "{t:?}");
        assert!(t.source.is_none());
        assert!(t.peers.iter().all(SocketAddr::is_ipv4));
        let t = resolve_connect("localhost:1234", true).unwrap();
        assert!(t.peers.iter().all(SocketAddr::is_ipv6), "{t:?}");
    }

    #[test]
    fn connect_syntax_check_matches_zmq_connect() {
        for good in [
            "localhost:1234",
            "[::1]:1234",
            "127.0.0.1:0;localhost:1",
            "lo:5;h:1",
            "a_b:1",
            "::1:5",
        ] {
            assert_eq!(check_connect_syntax(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "localhost:invalid",
            "in val id:1234",
            "*:5555",
            "192.168.0.200:*",
            "host",
            "h:1/x",
            "-h:1",
        ] {
            assert_eq!(check_connect_syntax(bad), Err(Error::EINVAL), "{bad}");
        }
    }

    #[test]
    fn endpoint_strings_are_libzmqs() {
        assert_eq!(endpoint_string(&sa("0.0.0.0:41234")), "tcp://0.0.0.0:41234");
        assert_eq!(endpoint_string(&sa("[::]:41234")), "tcp://[::]:41234");
        assert_eq!(
            endpoint_string(&sa("[::ffff:127.0.0.1]:5")),
            "tcp://[::ffff:127.0.0.1]:5"
        );
        let lo = sys::if_nametoindex("lo");
        let scoped = SocketAddr::V6(std::net::SocketAddrV6::new(
            "fe80::1".parse().unwrap(),
            9,
            0,
            lo,
        ));
        assert_eq!(endpoint_string(&scoped), "tcp://[fe80::1%lo]:9");
    }

    #[test]
    fn unbind_keys_resolve_like_libzmq() {
        assert_eq!(
            resolved_endpoint_string("[::ffff:127.0.0.1]:9999", false, true),
            Ok("tcp://[::ffff:127.0.0.1]:9999".into())
        );
        assert_eq!(
            resolved_endpoint_string("localhost:9999", false, false),
            Ok("tcp://127.0.0.1:9999".into())
        );
        assert_eq!(
            resolved_endpoint_string("*:9999", true, false),
            Ok("tcp://0.0.0.0:9999".into())
        );
        assert_eq!(
            resolved_endpoint_string("*:9999", false, false),
            Err(Error::EINVAL)
        );
    }

    #[test]
    fn atoi_is_cs() {
        assert_eq!(atoi("  -12x"), -12);
        assert_eq!(atoi("+3"), 3);
        assert_eq!(atoi("x"), 0);
        assert_eq!(atoi("99999999999999999999"), -1);
    }
}
