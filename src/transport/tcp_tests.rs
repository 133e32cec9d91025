//! Real sockets on loopback: listeners, connections, tuning, filters.

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsFd, IntoRawFd};
use std::time::{Duration, Instant};

use mio::{Events, Interest, Poll, Token};

use super::*;
use crate::options::consts::ZMQ_PAIR;
use crate::options::TcpAcceptFilter;

fn opts() -> Options {
    Options::new(ZMQ_PAIR)
}

fn ipv6_available() -> bool {
    std::net::TcpListener::bind("[::1]:0").is_ok()
}

fn int_opt(fd: BorrowedFd<'_>, level: i32, name: i32) -> i32 {
    sys::get_int(fd, level, name).unwrap()
}

/// Accepts one connection, waiting up to five seconds.
fn accept(listener: &TcpListener) -> (TcpStream, SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match listener.accept() {
            Ok(pair) => return pair,
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("accept: {e}"),
        }
    }
}

/// Waits until a connecting stream is writable, as the io thread would.
fn wait_writable(stream: &mut TcpStream) {
    let mut poll = Poll::new().unwrap();
    poll.registry()
        .register(stream, Token(0), Interest::WRITABLE)
        .unwrap();
    let mut events = Events::with_capacity(4);
    poll.poll(&mut events, Some(Duration::from_secs(5)))
        .unwrap();
    assert!(!events.is_empty(), "connect did not complete");
    poll.registry().deregister(stream).unwrap();
}

/// A connected (client, server) pair to the listener.
fn connect_to(
    local: SocketAddr,
    listener: &TcpListener,
    options: &Options,
) -> (TcpStream, TcpStream, SocketAddr) {
    let mut client = connect_tcp(local, None, options).unwrap();
    wait_writable(&mut client);
    finish_connect_tcp(&client, options).unwrap();
    let (server, peer) = accept(listener);
    (client, server, peer)
}

/// Sends a few bytes each way over blocking copies of the streams.
fn bounce(client: &TcpStream, server: &TcpStream) {
    let dup = |s: &TcpStream| {
        let s = std::net::TcpStream::from(s.as_fd().try_clone_to_owned().unwrap());
        s.set_nonblocking(false).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s
    };
    let (mut c, mut s) = (dup(client), dup(server));
    let mut buf = [0u8; 5];
    c.write_all(b"hello").unwrap();
    s.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"hello");
    s.write_all(b"world").unwrap();
    c.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"world");
}

#[test]
fn bind_ephemeral_port_reports_the_chosen_port() {
    let (listener, local) = listen_tcp("127.0.0.1:*", &opts()).unwrap();
    assert_ne!(local.port(), 0);
    assert_eq!(listener.local_addr().unwrap(), local);
    assert_eq!(
        endpoint_string(&local),
        format!("tcp://127.0.0.1:{}", local.port())
    );
    let (_, zero) = listen_tcp("127.0.0.1:0", &opts()).unwrap();
    assert_ne!(zero.port(), 0);
}

#[test]
fn bind_any_address_reports_zeros_and_accepts_loopback() {
    let (listener, local) = listen_tcp("*:*", &opts()).unwrap();
    assert_eq!(
        endpoint_string(&local),
        format!("tcp://0.0.0.0:{}", local.port())
    );
    // libzmq's test_unbind_wildcard connects to the reported endpoint.
    let (client, server, peer) = connect_to(local, &listener, &opts());
    assert_eq!(peer.ip(), IpAddr::from([127, 0, 0, 1]));
    bounce(&client, &server);
}

#[test]
fn ipv6_any_address_is_dual_stack() {
    if !ipv6_available() {
        return;
    }
    let mut o = opts();
    o.ipv6 = true;
    let (listener, local) = listen_tcp("*:*", &o).unwrap();
    assert_eq!(
        endpoint_string(&local),
        format!("tcp://[::]:{}", local.port())
    );
    let fd = listener.as_fd();
    assert_eq!(int_opt(fd, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY), 0);
    // IPv4 peers arrive as v4-mapped IPv6 addresses.
    let v4 = SocketAddr::from(([127, 0, 0, 1], local.port()));
    let (client, server, peer) = connect_to(v4, &listener, &opts());
    assert_eq!(peer.ip(), "::ffff:127.0.0.1".parse::<IpAddr>().unwrap());
    bounce(&client, &server);
    let v6 = SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, local.port()));
    let (client, server, peer) = connect_to(v6, &listener, &o);
    assert_eq!(peer.ip(), "::1".parse::<IpAddr>().unwrap());
    bounce(&client, &server);
}

#[test]
fn ipv4_address_with_ipv6_option_binds_v4_mapped() {
    if !ipv6_available() {
        return;
    }
    let mut o = opts();
    o.ipv6 = true;
    let (listener, local) = listen_tcp("127.0.0.1:*", &o).unwrap();
    let endpoint = endpoint_string(&local);
    assert_eq!(
        endpoint,
        format!("tcp://[::ffff:127.0.0.1]:{}", local.port())
    );
    // The connecter resolves the reported endpoint back to the listener.
    let target = resolve_connect(endpoint.strip_prefix("tcp://").unwrap(), true).unwrap();
    let (client, server, _) = connect_to(target.peers[0], &listener, &o);
    bounce(&client, &server);
}

#[test]
fn bind_to_a_used_port_is_eaddrinuse() {
    let (_listener, local) = listen_tcp("127.0.0.1:*", &opts()).unwrap();
    let again = listen_tcp(&format!("127.0.0.1:{}", local.port()), &opts());
    assert_eq!(again.err(), Some(Error::EADDRINUSE));
}

#[test]
fn bind_errors_match_libzmq() {
    assert_eq!(
        listen_tcp("no-such-if-zmq0:*", &opts()).err(),
        Some(Error::ENODEV)
    );
    assert_eq!(listen_tcp("127.0.0.1", &opts()).err(), Some(Error::EINVAL));
    assert_eq!(
        listen_tcp("127.0.0.1:65536", &opts()).err(),
        Some(Error::EINVAL)
    );
    // A valid address that is not ours.
    assert_eq!(
        listen_tcp("192.0.2.123:*", &opts()).err(),
        Some(Error::EADDRNOTAVAIL)
    );
}

#[test]
fn interface_name_binds_its_address() {
    let (_listener, local) = listen_tcp("lo:*", &opts()).unwrap();
    assert_eq!(local.ip(), IpAddr::from([127, 0, 0, 1]));
}

#[test]
fn listener_gets_reuseaddr_backlog_and_buffers() {
    let mut o = opts();
    o.sndbuf = 65536;
    o.rcvbuf = 65536;
    let (listener, _) = listen_tcp("127.0.0.1:*", &o).unwrap();
    let fd = listener.as_fd();
    assert_eq!(int_opt(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR), 1);
    assert_eq!(int_opt(fd, libc::SOL_SOCKET, libc::SO_ACCEPTCONN), 1);
    assert!(int_opt(fd, libc::SOL_SOCKET, libc::SO_SNDBUF) >= 65536);
    assert!(int_opt(fd, libc::SOL_SOCKET, libc::SO_RCVBUF) >= 65536);
}

#[test]
fn connections_get_nodelay_keepalive_and_maxrt() {
    let mut o = opts();
    o.tcp_keepalive = 1;
    o.tcp_keepalive_cnt = 3;
    o.tcp_keepalive_idle = 40;
    o.tcp_keepalive_intvl = 7;
    o.tcp_maxrt = 2500;
    let (listener, local) = listen_tcp("127.0.0.1:*", &o).unwrap();
    let (client, server, _) = connect_to(local, &listener, &o);
    tune_accepted_tcp(&server, &o).unwrap();
    for fd in [client.as_fd(), server.as_fd()] {
        assert_eq!(int_opt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY), 1);
        assert_eq!(int_opt(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE), 1);
        assert_eq!(int_opt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPCNT), 3);
        assert_eq!(int_opt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPIDLE), 40);
        assert_eq!(int_opt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPINTVL), 7);
        assert_eq!(int_opt(fd, libc::IPPROTO_TCP, libc::TCP_USER_TIMEOUT), 2500);
    }
    bounce(&client, &server);
}

#[test]
fn default_options_leave_keepalive_alone() {
    let (listener, local) = listen_tcp("127.0.0.1:*", &opts()).unwrap();
    let (client, server, _) = connect_to(local, &listener, &opts());
    tune_accepted_tcp(&server, &opts()).unwrap();
    assert_eq!(
        int_opt(client.as_fd(), libc::SOL_SOCKET, libc::SO_KEEPALIVE),
        0
    );
    assert_eq!(
        int_opt(server.as_fd(), libc::IPPROTO_TCP, libc::TCP_NODELAY),
        1
    );
}

#[test]
fn type_of_service_is_set_on_every_socket() {
    let mut server_opts = opts();
    server_opts.tos = 0x28;
    let mut client_opts = opts();
    client_opts.tos = 0x58;
    let (listener, local) = listen_tcp("127.0.0.1:*", &server_opts).unwrap();
    assert_eq!(
        int_opt(listener.as_fd(), libc::IPPROTO_IP, libc::IP_TOS),
        0x28
    );
    let (client, server, _) = connect_to(local, &listener, &client_opts);
    tune_accepted_tcp(&server, &server_opts).unwrap();
    assert_eq!(
        int_opt(client.as_fd(), libc::IPPROTO_IP, libc::IP_TOS),
        0x58
    );
    assert_eq!(
        int_opt(server.as_fd(), libc::IPPROTO_IP, libc::IP_TOS),
        0x28
    );
    bounce(&client, &server);
}

#[test]
fn priority_is_set_on_every_socket() {
    let mut o = opts();
    o.priority = 3;
    let (listener, local) = listen_tcp("127.0.0.1:*", &o).unwrap();
    let (client, server, _) = connect_to(local, &listener, &o);
    tune_accepted_tcp(&server, &o).unwrap();
    for fd in [listener.as_fd(), client.as_fd(), server.as_fd()] {
        assert_eq!(int_opt(fd, libc::SOL_SOCKET, libc::SO_PRIORITY), 3);
    }
}

#[test]
fn unknown_bound_device_fails_the_bind() {
    let mut o = opts();
    o.bound_device = b"nosuchdev0".to_vec();
    let err = listen_tcp("127.0.0.1:*", &o).err().unwrap();
    assert!(
        [libc::ENODEV, libc::EPERM].contains(&err.errno()),
        "{err:?}"
    );
}

#[test]
fn source_address_binds_the_local_end() {
    let (listener, local) = listen_tcp("127.0.0.1:*", &opts()).unwrap();
    // Find a free port for the source by binding and closing a listener.
    let src_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let spec = format!("127.0.0.1:{src_port};127.0.0.1:{}", local.port());
    let target = resolve_connect(&spec, false).unwrap();
    let mut client = connect_tcp(target.peers[0], target.source, &opts()).unwrap();
    wait_writable(&mut client);
    finish_connect_tcp(&client, &opts()).unwrap();
    let (server, peer) = accept(&listener);
    assert_eq!(peer, SocketAddr::from(([127, 0, 0, 1], src_port)));
    assert_eq!(client.local_addr().unwrap(), peer);
    assert_eq!(
        int_opt(client.as_fd(), libc::SOL_SOCKET, libc::SO_REUSEADDR),
        1
    );
    bounce(&client, &server);
}

#[test]
fn refused_connection_reports_econnrefused() {
    // A port nobody listens on: bind one, then close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let peer = SocketAddr::from(([127, 0, 0, 1], port));
    match connect_tcp(peer, None, &opts()) {
        Err(e) => assert_eq!(e, Error::ECONNREFUSED),
        Ok(mut client) => {
            wait_writable(&mut client);
            assert_eq!(
                finish_connect_tcp(&client, &opts()),
                Err(Error::ECONNREFUSED)
            );
        }
    }
}

#[test]
fn accept_filters_match_the_peer_address() {
    let mut o = opts();
    let peer = SocketAddr::from(([127, 0, 0, 1], 40000));
    assert!(accept_filter_allows(&o, &peer));
    o.tcp_accept_filters = vec![TcpAcceptFilter::parse(b"127.0.0.2", false).unwrap()];
    assert!(!accept_filter_allows(&o, &peer));
    o.tcp_accept_filters
        .push(TcpAcceptFilter::parse(b"127.0.0.0/8", false).unwrap());
    assert!(accept_filter_allows(&o, &peer));
    // A dual-stack listener sees a v4-mapped peer: only IPv6 filters match.
    let mapped: SocketAddr = "[::ffff:127.0.0.1]:40000".parse().unwrap();
    assert!(!accept_filter_allows(&o, &mapped));
    o.tcp_accept_filters = vec![TcpAcceptFilter::parse(b"127.0.0.1", true).unwrap()];
    assert!(accept_filter_allows(&o, &mapped));
}

#[test]
fn accept_filter_applies_to_a_real_peer() {
    let mut o = opts();
    o.tcp_accept_filters = vec![TcpAcceptFilter::parse(b"127.0.0.2", false).unwrap()];
    let (listener, local) = listen_tcp("127.0.0.1:*", &o).unwrap();
    let (_client, _server, peer) = connect_to(local, &listener, &opts());
    assert!(!accept_filter_allows(&o, &peer));
}

#[test]
fn use_fd_adopts_the_applications_listener() {
    let app = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let bound = app.local_addr().unwrap();
    let mut o = opts();
    o.use_fd = app.into_raw_fd();
    // The address is ignored, as libzmq does.
    let (listener, local) = listen_tcp("ignored:*", &o).unwrap();
    assert_eq!(local, bound);
    let (client, server, _) = connect_to(local, &listener, &opts());
    bounce(&client, &server);
}

#[test]
fn use_fd_rejects_what_is_not_a_stream_socket() {
    let mut o = opts();
    o.use_fd = 1_000_000;
    assert_eq!(listen_tcp("*:*", &o).err(), Some(Error::EBADF));
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    o.use_fd = std::os::fd::AsRawFd::as_raw_fd(&udp);
    assert_eq!(listen_tcp("*:*", &o).err(), Some(Error::EINVAL));
}

#[test]
fn connect_resolves_every_address_in_order() {
    let target = resolve_connect("localhost:5555", false).unwrap();
    assert!(!target.peers.is_empty());
    let (listener, local) = listen_tcp("127.0.0.1:*", &opts()).unwrap();
    let spec = format!("localhost:{}", local.port());
    let target = resolve_connect(&spec, false).unwrap();
    let first = target.peers[0];
    let (client, server, _) = connect_to(first, &listener, &opts());
    bounce(&client, &server);
}

#[test]
fn ipv6_loopback_connects() {
    if !ipv6_available() {
        return;
    }
    let mut o = opts();
    o.ipv6 = true;
    let (listener, local) = listen_tcp("[::1]:*", &o).unwrap();
    assert_eq!(
        endpoint_string(&local),
        format!("tcp://[::1]:{}", local.port())
    );
    let target = resolve_connect(&format!("[::1]:{}", local.port()), true).unwrap();
    let (client, server, _) = connect_to(target.peers[0], &listener, &o);
    bounce(&client, &server);
}
