//! tcp sockets with libzmq's tuning: listeners for `zmq_bind`, outgoing
//! connections for the connecter, and what is done to accepted and newly
//! connected sockets.
//!
//! The io layer drives these: it registers the returned non-blocking mio
//! types, calls [`finish_connect_tcp`] when a connecting socket becomes
//! writable, and [`accept_filter_allows`] + [`tune_accepted_tcp`] for each
//! accepted socket. Name resolution is in [`super::tcp_address`].
//!
//! Which options go where follows libzmq: `tcp_open_socket` (IPv4 mapping,
//! TOS, priority, device, buffers, busy poll) on every new socket before it
//! binds or connects; `SO_REUSEADDR`, bind and listen with `ZMQ_BACKLOG`
//! for listeners; `TCP_NODELAY`, keepalives and `TCP_MAXRT` once a
//! connection exists (`tune_tcp_socket`, `tune_tcp_keepalives`,
//! `tune_tcp_maxrt`).

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use mio::net::{TcpListener, TcpStream};

use super::lookup::{Lookup, Wake};
use super::stream::{
    connect_outcome, delegate_source, delegate_stream_io, to_io_error, Bound, Connecter, Listener,
    Stream,
};
#[cfg(test)]
pub use super::tcp_address::resolve_connect;
pub use super::tcp_address::{
    check_connect_syntax, endpoint_string, resolve_bind, resolve_connect_numeric, resolve_ws,
    TcpTarget,
};
use crate::options::Options;
use crate::sys::net as sys;
use crate::{Error, Result};

/// Binds and listens for `zmq_bind ("tcp://addr")`; `addr` is the part
/// after `tcp://`. Returns the listener and the address it is bound to
/// (with the port the system chose for `*`/`0`); [`endpoint_string`] of
/// that address is the socket's `ZMQ_LAST_ENDPOINT`.
///
/// With `ZMQ_USE_FD` set, `addr` is ignored and the given descriptor, which
/// the application has bound and put in listening state, becomes the
/// listener (the library owns it from now on and closes it, as libzmq
/// does).
///
/// Errors: those of [`resolve_bind`] (`EINVAL`, `ENODEV`), then the OS's
/// (`EADDRINUSE`, `EADDRNOTAVAIL`, `EACCES`, and for `ZMQ_BINDTODEVICE`
/// `EPERM`/`ENODEV`).
pub fn listen_tcp(addr: &str, options: &Options) -> Result<(TcpListener, SocketAddr)> {
    if options.use_fd != -1 {
        return adopt_listener(options.use_fd);
    }
    let (fd, bind_addr) = open_socket(options, |ipv6| resolve_bind(addr, ipv6))?;
    sys::set_int(fd.as_fd(), libc::SOL_SOCKET, libc::SO_REUSEADDR, 1)?;
    sys::bind(fd.as_fd(), &sys::RawAddr::from_inet(&bind_addr))?;
    sys::listen(fd.as_fd(), options.backlog)?;
    let local = sys::local_inet_addr(fd.as_fd())?.ok_or(Error::EINVAL)?;
    Ok((TcpListener::from(fd), local))
}

/// Takes the application's listening socket (`ZMQ_USE_FD`).
fn adopt_listener(raw: i32) -> Result<(TcpListener, SocketAddr)> {
    if raw < 0 {
        return Err(Error::EBADF);
    }
    // Check what we are given before taking ownership, so that a bad value
    // is an error rather than someone else's descriptor closed later.
    {
        // SAFETY: the borrow only lives for these checks; if `raw` is not
        // open the calls below fail with EBADF and nothing else happens.
        let fd = unsafe { BorrowedFd::borrow_raw(raw) };
        if sys::socket_type(fd)? != libc::SOCK_STREAM {
            return Err(Error::EINVAL);
        }
        sys::local_inet_addr(fd)?.ok_or(Error::EINVAL)?;
    }
    // SAFETY: `raw` is an open stream socket (checked above) that
    // ZMQ_USE_FD hands over to the library: libzmq closes it when the
    // listener goes, and so do we.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    sys::set_nonblocking(fd.as_fd())?;
    let local = sys::local_inet_addr(fd.as_fd())?.ok_or(Error::EINVAL)?;
    Ok((TcpListener::from(fd), local))
}

/// Creates a non-blocking socket of the address's family and applies
/// libzmq's `tcp_open_socket` options. `resolve(ipv6)` produces the
/// address; when IPv6 is wanted but the system has no IPv6 sockets, it is
/// resolved again as IPv4 (libzmq's automatic downgrade).
fn open_socket(
    options: &Options,
    resolve: impl Fn(bool) -> Result<SocketAddr>,
) -> Result<(OwnedFd, SocketAddr)> {
    let mut addr = resolve(options.ipv6)?;
    let fd = match new_socket(&addr) {
        Err(e)
            if e.raw_os_error() == Some(libc::EAFNOSUPPORT) && addr.is_ipv6() && options.ipv6 =>
        {
            addr = resolve(false)?;
            new_socket(&addr)?
        }
        other => other?,
    };
    apply_socket_options(fd.as_fd(), &addr, options)?;
    Ok((fd, addr))
}

fn new_socket(addr: &SocketAddr) -> io::Result<OwnedFd> {
    let domain = if addr.is_ipv6() {
        libc::AF_INET6
    } else {
        libc::AF_INET
    };
    sys::socket(domain, libc::SOCK_STREAM, libc::IPPROTO_TCP)
}

/// The part of `tcp_open_socket` after the socket exists.
fn apply_socket_options(fd: BorrowedFd<'_>, addr: &SocketAddr, options: &Options) -> Result<()> {
    // Some systems default to IPv6-only sockets; libzmq always accepts
    // IPv4 (as v4-mapped) on IPv6 ones, which makes `*` dual-stack.
    if addr.is_ipv6() {
        sys::set_int(fd, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, 0)?;
    }
    if options.tos != 0 {
        set_type_of_service(fd, options.tos)?;
    }
    if options.priority != 0 {
        set_priority(fd, options.priority)?;
    }
    if !options.bound_device.is_empty() {
        sys::set_bytes(
            fd,
            libc::SOL_SOCKET,
            libc::SO_BINDTODEVICE,
            &options.bound_device,
        )?;
    }
    // Buffer sizes and busy polling are hints: libzmq ignores failures.
    if options.sndbuf >= 0 {
        let _ = sys::set_int(fd, libc::SOL_SOCKET, libc::SO_SNDBUF, options.sndbuf);
    }
    if options.rcvbuf >= 0 {
        let _ = sys::set_int(fd, libc::SOL_SOCKET, libc::SO_RCVBUF, options.rcvbuf);
    }
    if options.busy_poll > 0 {
        let _ = sys::set_int(fd, libc::SOL_SOCKET, libc::SO_BUSY_POLL, options.busy_poll);
    }
    Ok(())
}

/// `set_ip_type_of_service`: `IP_TOS`, and `IPV6_TCLASS` for the IPv6
/// side; the latter fails on IPv4 sockets, which libzmq tolerates.
fn set_type_of_service(fd: BorrowedFd<'_>, tos: i32) -> Result<()> {
    sys::set_int(fd, libc::IPPROTO_IP, libc::IP_TOS, tos)?;
    let _ = sys::set_int(fd, libc::IPPROTO_IPV6, libc::IPV6_TCLASS, tos);
    Ok(())
}

/// `set_socket_priority`: `SO_PRIORITY`.
fn set_priority(fd: BorrowedFd<'_>, priority: i32) -> Result<()> {
    sys::set_int(fd, libc::SOL_SOCKET, libc::SO_PRIORITY, priority)?;
    Ok(())
}

/// Starts a non-blocking connection to `peer` (one of
/// [`TcpTarget::peers`]), from `source` if given (bound with
/// `SO_REUSEADDR`, so that several connections may share a source port).
/// The socket gets libzmq's pre-connect options (see the module docs).
///
/// `Ok` means the connect completed or is in progress: wait until the
/// stream is writable, then call [`finish_connect_tcp`]. An error here
/// (`ENETUNREACH`, `EADDRINUSE` for the source, ...) is one failed
/// attempt: libzmq schedules a reconnect.
#[cfg(test)]
pub fn connect_tcp(
    peer: SocketAddr,
    source: Option<SocketAddr>,
    options: &Options,
) -> Result<TcpStream> {
    start_connect_tcp(peer, source, options).map_err(|(e, _)| e)
}

/// [`connect_tcp`], telling on failure which descriptor the attempt had
/// opened (and closed by dropping it): one that failed in binding the
/// source or in connecting. (libzmq's `tcp_open_socket` closes a socket
/// whose options failed without an event, as `open_socket` does here.)
fn start_connect_tcp(
    peer: SocketAddr,
    source: Option<SocketAddr>,
    options: &Options,
) -> std::result::Result<TcpStream, (Error, Option<RawFd>)> {
    let (fd, peer) = open_socket(options, |_| Ok(peer)).map_err(|e| (e, None))?;
    let failed = |e: io::Error| (Error::from(e), Some(fd.as_raw_fd()));
    if let Some(src) = source {
        sys::set_int(fd.as_fd(), libc::SOL_SOCKET, libc::SO_REUSEADDR, 1).map_err(failed)?;
        sys::bind(fd.as_fd(), &sys::RawAddr::from_inet(&src)).map_err(failed)?;
    }
    match sys::connect(fd.as_fd(), &sys::RawAddr::from_inet(&peer)) {
        Ok(()) => {}
        // EINTR leaves the connect running in the background, as
        // EINPROGRESS does.
        Err(e) if matches!(e.raw_os_error(), Some(libc::EINPROGRESS | libc::EINTR)) => {}
        Err(e) => return Err(failed(e)),
    }
    Ok(TcpStream::from(fd))
}

/// Completes a connection started by [`connect_tcp`] once the stream is
/// writable: the connect's own error if it failed (`ECONNREFUSED`,
/// `ETIMEDOUT`, `EHOSTUNREACH`, ...), then `TCP_NODELAY`, the keepalive
/// options and `TCP_MAXRT`, which libzmq sets only on an established
/// connection (an error there also fails the attempt).
pub fn finish_connect_tcp(stream: &TcpStream, options: &Options) -> Result<()> {
    if let Some(e) = sys::take_error(stream.as_fd())? {
        return Err(e.into());
    }
    tune_connection(stream.as_fd(), options)
}

/// Tunes a socket the listener accepted: TOS and priority (libzmq's
/// `tcp_listener_t::accept`), then `TCP_NODELAY`, keepalives and
/// `TCP_MAXRT`. On an error libzmq reports `ZMQ_EVENT_ACCEPT_FAILED` with
/// it and drops the connection.
pub fn tune_accepted_tcp(stream: &TcpStream, options: &Options) -> Result<()> {
    let fd = stream.as_fd();
    if options.tos != 0 {
        set_type_of_service(fd, options.tos)?;
    }
    if options.priority != 0 {
        set_priority(fd, options.priority)?;
    }
    tune_connection(fd, options)
}

/// `ZMQ_TCP_ACCEPT_FILTER`: with no filters every peer is welcome;
/// otherwise one filter must match the peer's address (a dual-stack
/// listener sees IPv4 peers as v4-mapped IPv6, which only filters set with
/// `ZMQ_IPV6` match, as in libzmq). Check this before anything else on an
/// accepted socket; a refused one is just closed, with no event.
pub fn accept_filter_allows(options: &Options, peer: &SocketAddr) -> bool {
    options.tcp_accept_filters.is_empty()
        || options
            .tcp_accept_filters
            .iter()
            .any(|f| f.matches(&peer.ip()))
}

/// `tune_tcp_socket`, `tune_tcp_keepalives` and `tune_tcp_maxrt`.
fn tune_connection(fd: BorrowedFd<'_>, options: &Options) -> Result<()> {
    tune_nodelay_keepalives(fd, options)?;
    // ZMQ_TCP_MAXRT is TCP_USER_TIMEOUT on Linux, in milliseconds.
    if options.tcp_maxrt > 0 {
        sys::set_int(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_USER_TIMEOUT,
            options.tcp_maxrt,
        )?;
    }
    Ok(())
}

/// `tune_tcp_socket` and `tune_tcp_keepalives` alone: what libzmq's socks
/// connecter sets on its connection to the proxy (it leaves `TCP_MAXRT`).
pub(crate) fn tune_nodelay_keepalives(fd: BorrowedFd<'_>, options: &Options) -> Result<()> {
    // We batch messages ourselves; Nagle would only add latency.
    sys::set_int(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, 1)?;
    // -1 leaves the system's setting; the count, idle time and interval
    // are only touched when keepalive itself is set (to 0 or 1).
    if options.tcp_keepalive != -1 {
        sys::set_int(
            fd,
            libc::SOL_SOCKET,
            libc::SO_KEEPALIVE,
            options.tcp_keepalive,
        )?;
        for (name, value) in [
            (libc::TCP_KEEPCNT, options.tcp_keepalive_cnt),
            (libc::TCP_KEEPIDLE, options.tcp_keepalive_idle),
            (libc::TCP_KEEPINTVL, options.tcp_keepalive_intvl),
        ] {
            if value != -1 {
                sys::set_int(fd, libc::IPPROTO_TCP, name, value)?;
            }
        }
    }
    Ok(())
}

/// A tcp connection, as sessions see it.
#[derive(Debug)]
pub(crate) struct TcpConnection(pub(crate) TcpStream);

delegate_stream_io!(TcpConnection);

impl AsFd for TcpConnection {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

impl Stream for TcpConnection {
    fn short_read_drains(&self) -> bool {
        true
    }

    fn poll_connect(&mut self) -> io::Result<()> {
        connect_outcome(self.0.take_error(), self.0.peer_addr().map(|_| ()))
    }

    fn finish_connect(&mut self, options: &Options) {
        let _ = finish_connect_tcp(&self.0, options);
    }

    fn local_endpoint(&self) -> String {
        self.0
            .local_addr()
            .map(|a| endpoint_string(&a))
            .unwrap_or_default()
    }

    fn peer_endpoint(&self) -> String {
        self.0
            .peer_addr()
            .map(|a| endpoint_string(&a))
            .unwrap_or_default()
    }

    fn peer_address(&self) -> String {
        self.0
            .peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_default()
    }

    fn fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

/// A bound tcp listener.
#[derive(Debug)]
pub(crate) struct TcpListen(pub(crate) TcpListener);

delegate_source!(TcpListen);

impl Listener for TcpListen {
    fn accept(&mut self, options: &Options) -> io::Result<Option<Box<dyn Stream>>> {
        let (s, peer) = self.0.accept()?;
        if !accept_filter_allows(options, &peer) || tune_accepted_tcp(&s, options).is_err() {
            return Ok(None);
        }
        Ok(Some(Box::new(TcpConnection(s))))
    }

    fn fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

/// `zmq_bind ("tcp://addr")`.
pub(crate) fn bind(addr: &str, options: &Options) -> Result<Bound> {
    let (l, local) = listen_tcp(addr, options)?;
    Ok(Bound {
        listener: Box::new(TcpListen(l)),
        endpoint: endpoint_string(&local),
        cleanup: None,
    })
}

/// Connects to a `tcp://` address. Each attempt resolves it again, as
/// libzmq does, but off the io thread when the host is a name (a
/// [`Lookup`]), and then tries every address the name gave in turn
/// ([`Connecter::connect_next`]) before the attempt counts as failed.
pub(crate) struct TcpConnecter {
    address: String,
    /// The addresses of this attempt not tried yet, in the resolver's
    /// order, and the source address.
    plan: Option<TcpTarget>,
    /// The lookup this attempt waits for.
    lookup: Option<Lookup>,
    wake: Option<Wake>,
    /// See [`Connecter::take_closed_fd`].
    closed_fd: Option<RawFd>,
}

impl TcpConnecter {
    /// Checks the syntax only: names are resolved at each attempt.
    pub(crate) fn new(addr: &str) -> Result<TcpConnecter> {
        check_connect_syntax(addr)?;
        Ok(TcpConnecter::unchecked(addr))
    }

    /// A connecter for an address `zmq_connect` never saw (a SOCKS
    /// proxy's): libzmq does not check its syntax, so a bad one fails each
    /// attempt at resolution instead.
    pub(crate) fn unchecked(addr: &str) -> TcpConnecter {
        TcpConnecter {
            address: addr.to_string(),
            plan: None,
            lookup: None,
            wake: None,
            closed_fd: None,
        }
    }

    /// Starts one attempt and returns the raw mio stream (layers over tcp
    /// wrap it). While a lookup runs this fails and
    /// [`TcpConnecter::awaits_lookup`] is true; the wake-up says when to
    /// call again.
    pub(crate) fn connect_raw(&mut self, options: &Options) -> io::Result<TcpStream> {
        let target = match self.lookup.take() {
            Some(lookup) => match lookup.poll() {
                Some(answer) => answer,
                None => {
                    self.lookup = Some(lookup);
                    return Err(io::ErrorKind::WouldBlock.into());
                }
            },
            None => match resolve_connect_numeric(&self.address, options.ipv6) {
                Some(target) => Ok(target),
                None => {
                    let wake = self.wake.clone();
                    self.lookup = Some(
                        Lookup::start(&self.address, options.ipv6, wake).map_err(to_io_error)?,
                    );
                    return Err(io::ErrorKind::WouldBlock.into());
                }
            },
        };
        let mut target = target.map_err(to_io_error)?;
        target.peers.reverse(); // popped from the end: the first goes first
        self.plan = Some(target);
        self.connect_planned(options)
            .unwrap_or_else(|| Err(to_io_error(Error::EINVAL)))
    }

    /// The next address of the current attempt, if one is left.
    pub(crate) fn connect_next_raw(&mut self, options: &Options) -> Option<io::Result<TcpStream>> {
        self.connect_planned(options)
    }

    fn connect_planned(&mut self, options: &Options) -> Option<io::Result<TcpStream>> {
        let plan = self.plan.as_mut()?;
        let Some(peer) = plan.peers.pop() else {
            self.plan = None;
            return None;
        };
        let source = plan.source;
        if plan.peers.is_empty() {
            self.plan = None;
        }
        Some(start_connect_tcp(peer, source, options).map_err(|(e, fd)| {
            self.closed_fd = fd;
            to_io_error(e)
        }))
    }

    pub(crate) fn awaits_lookup(&self) -> bool {
        self.lookup.is_some()
    }

    pub(crate) fn set_wake(&mut self, wake: Wake) {
        self.wake = Some(wake);
    }
}

impl Connecter for TcpConnecter {
    fn connect(&mut self, options: &Options) -> io::Result<Box<dyn Stream>> {
        Ok(Box::new(TcpConnection(self.connect_raw(options)?)))
    }

    fn connect_next(&mut self, options: &Options) -> Option<io::Result<Box<dyn Stream>>> {
        self.connect_next_raw(options)
            .map(|r| r.map(|s| Box::new(TcpConnection(s)) as Box<dyn Stream>))
    }

    fn awaits_lookup(&self) -> bool {
        TcpConnecter::awaits_lookup(self)
    }

    fn set_wake(&mut self, wake: Wake) {
        TcpConnecter::set_wake(self, wake);
    }

    fn has_connect_timer(&self) -> bool {
        true
    }

    fn take_closed_fd(&mut self) -> Option<RawFd> {
        self.closed_fd.take()
    }
}

#[cfg(test)]
#[path = "tcp_tests.rs"]
mod tests;
