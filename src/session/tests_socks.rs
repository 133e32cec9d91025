//! Sockets connecting through a SOCKS5 proxy (`ZMQ_SOCKS_PROXY`): a small
//! proxy on loopback relays to a ROUTER, and the monitor shows the events
//! libzmq's socks connecter raises, all naming the proxy.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::{channel, Receiver};
use std::thread;
use std::time::Duration;

use crate::ctx::Context;
use crate::monitor::events;
use crate::msg::Msg;
use crate::options::consts::{
    ZMQ_CONNECT_TIMEOUT, ZMQ_LAST_ENDPOINT, ZMQ_LINGER, ZMQ_RCVTIMEO, ZMQ_RECONNECT_STOP,
    ZMQ_RECONNECT_STOP_CONN_REFUSED, ZMQ_ROUTING_ID, ZMQ_SOCKS_PASSWORD, ZMQ_SOCKS_PROXY,
    ZMQ_SOCKS_USERNAME,
};
use crate::socket::testing::set_int;
use crate::socket::{types, Socket};

/// How the proxy answers each client.
#[derive(Clone, Copy)]
enum Proxy {
    /// A working proxy: checks the credentials if given, connects where it
    /// is asked (names resolve to loopback) and relays.
    Grant(Option<(&'static str, &'static str)>),
    /// Answers the greeting with version 4.
    BadVersion,
    /// Accepts and never answers.
    Silent,
}

/// Runs a proxy for `clients` connections; returns its address and, for
/// each CONNECT request it read, the request's address type and bytes.
fn start_proxy(kind: Proxy, clients: usize) -> (String, Receiver<(u8, Vec<u8>)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let (requests, seen) = channel();
    thread::spawn(move || {
        for _ in 0..clients {
            let Ok((mut client, _)) = listener.accept() else {
                return;
            };
            client
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut head = [0u8; 2];
            client.read_exact(&mut head).unwrap();
            let mut methods = vec![0u8; usize::from(head[1])];
            client.read_exact(&mut methods).unwrap();
            let credentials = match kind {
                Proxy::BadVersion => {
                    client.write_all(&[4, 0]).unwrap();
                    continue;
                }
                Proxy::Silent => {
                    // Keep it open, answering nothing.
                    thread::spawn(move || {
                        let _ = client.read_to_end(&mut Vec::new());
                    });
                    continue;
                }
                Proxy::Grant(credentials) => credentials,
            };
            let method = if credentials.is_some() { 2 } else { 0 };
            assert!(methods.contains(&method), "offered {methods:?}");
            client.write_all(&[5, method]).unwrap();
            if let Some((user, pass)) = credentials {
                let mut auth = vec![1, user.len() as u8];
                auth.extend_from_slice(user.as_bytes());
                auth.push(pass.len() as u8);
                auth.extend_from_slice(pass.as_bytes());
                let mut got = vec![0u8; auth.len()];
                client.read_exact(&mut got).unwrap();
                assert_eq!(got, auth);
                client.write_all(&[1, 0]).unwrap();
            }
            let mut req = [0u8; 4];
            client.read_exact(&mut req).unwrap();
            assert_eq!(req[..3], [5, 1, 0]);
            let addr_len = match req[3] {
                1 => 4,
                4 => 16,
                _ => {
                    let mut len = [0u8; 1];
                    client.read_exact(&mut len).unwrap();
                    usize::from(len[0])
                }
            };
            let mut host = vec![0u8; addr_len];
            client.read_exact(&mut host).unwrap();
            let mut port = [0u8; 2];
            client.read_exact(&mut port).unwrap();
            let _ = requests.send((req[3], host.clone()));
            // Every target of these tests is on loopback.
            let ip: std::net::IpAddr = match req[3] {
                4 => Ipv6Addr::LOCALHOST.into(),
                _ => Ipv4Addr::LOCALHOST.into(),
            };
            let target = SocketAddr::new(ip, u16::from_be_bytes(port));
            let remote = TcpStream::connect(target).unwrap();
            let bound = match remote.local_addr().unwrap() {
                SocketAddr::V4(a) => a,
                SocketAddr::V6(_) => "127.0.0.1:1".parse().unwrap(),
            };
            let mut reply = vec![5, 0, 0, 1];
            reply.extend_from_slice(&bound.ip().octets());
            reply.extend_from_slice(&bound.port().to_be_bytes());
            client.write_all(&reply).unwrap();
            relay(client, remote);
        }
    });
    (address, seen)
}

/// Copies each way until either side closes.
fn relay(client: TcpStream, remote: TcpStream) {
    client.set_read_timeout(None).unwrap();
    let (mut c_in, mut r_out) = (client.try_clone().unwrap(), remote.try_clone().unwrap());
    thread::spawn(move || {
        let _ = std::io::copy(&mut c_in, &mut r_out);
        let _ = r_out.shutdown(std::net::Shutdown::Both);
    });
    let (mut r_in, mut c_out) = (remote, client);
    thread::spawn(move || {
        let _ = std::io::copy(&mut r_in, &mut c_out);
        let _ = c_out.shutdown(std::net::Shutdown::Both);
    });
}

/// A socket of type `t` whose every event is readable from the returned
/// PAIR.
fn monitored(ctx: &Context, t: i32, name: &str) -> (Socket, Socket) {
    let mut s = Socket::new(ctx, t).unwrap();
    set_int(&mut s, ZMQ_LINGER, 0);
    let addr = format!("inproc://{name}");
    s.monitor(Some(&addr), events::ALL, 1, types::PAIR).unwrap();
    let mut r = Socket::new(ctx, types::PAIR).unwrap();
    r.connect(&addr).unwrap();
    (s, r)
}

/// The next event: its number and the endpoint it names; `None` if none
/// comes within `ms`.
fn next_event(r: &mut Socket, ms: i32) -> Option<(u64, String)> {
    set_int(r, ZMQ_RCVTIMEO, ms);
    let head = r.recv(0).ok()?;
    let endpoint = r.recv(0).unwrap();
    let event = u16::from_ne_bytes([head.data()[0], head.data()[1]]) as u64;
    Some((event, String::from_utf8(endpoint.data().to_vec()).unwrap()))
}

fn expect_events(r: &mut Socket, expected: &[u64], endpoint: &str) {
    for &e in expected {
        assert_eq!(
            next_event(r, 5000),
            Some((e, endpoint.to_string())),
            "expected event {e:#x}"
        );
    }
}

/// A ROUTER on a loopback port and its port.
fn router(ctx: &Context) -> (Socket, u16) {
    let mut r = Socket::new(ctx, types::ROUTER).unwrap();
    set_int(&mut r, ZMQ_RCVTIMEO, 5000);
    set_int(&mut r, ZMQ_LINGER, 0);
    r.bind("tcp://127.0.0.1:*").unwrap();
    let mut buf = [0u8; 64];
    let n = r.get_option(ZMQ_LAST_ENDPOINT, &mut buf).unwrap();
    let ep = std::str::from_utf8(&buf[..n - 1]).unwrap();
    let port = ep.rsplit_once(':').unwrap().1.parse().unwrap();
    (r, port)
}

fn recv_bytes(s: &mut Socket) -> Vec<u8> {
    s.recv(0).unwrap().data().to_vec()
}

/// A message from the DEALER reaches the ROUTER and the answer comes back.
fn round_trip(dealer: &mut Socket, router: &mut Socket) {
    set_int(dealer, ZMQ_RCVTIMEO, 5000);
    dealer.send(&mut Msg::from_slice(b"ping"), 0).unwrap();
    assert_eq!(recv_bytes(router), b"D");
    assert_eq!(recv_bytes(router), b"ping");
    router
        .send(&mut Msg::from_slice(b"D"), crate::socket::SNDMORE)
        .unwrap();
    router.send(&mut Msg::from_slice(b"pong"), 0).unwrap();
    assert_eq!(recv_bytes(dealer), b"pong");
}

fn socks_dealer(ctx: &Context, name: &str, proxy: &str) -> (Socket, Socket) {
    let (mut dealer, mon) = monitored(ctx, types::DEALER, name);
    dealer.set_option(ZMQ_ROUTING_ID, b"D").unwrap();
    dealer
        .set_option(ZMQ_SOCKS_PROXY, proxy.as_bytes())
        .unwrap();
    (dealer, mon)
}

#[test]
fn a_dealer_reaches_a_router_through_the_proxy() {
    let ctx = Context::new();
    let (mut router, port) = router(&ctx);
    let (proxy, requests) = start_proxy(Proxy::Grant(None), 1);
    let (mut dealer, mut mon) = socks_dealer(&ctx, "socks-plain", &proxy);
    dealer.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
    round_trip(&mut dealer, &mut router);
    // The proxy was asked for the numeric address as an address.
    let (atyp, host) = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!((atyp, host), (1, vec![127, 0, 0, 1]));
    // Every event names the proxy, as libzmq's socks connecter does.
    expect_events(
        &mut mon,
        &[
            events::CONNECT_DELAYED,
            events::CONNECTED,
            events::HANDSHAKE_SUCCEEDED,
        ],
        &format!("tcp://{proxy}"),
    );
}

#[test]
fn names_go_to_the_proxy_unresolved_with_username_and_password() {
    let ctx = Context::new();
    let (mut router, port) = router(&ctx);
    let (proxy, requests) = start_proxy(Proxy::Grant(Some(("someuser", "somepass"))), 1);
    let (mut dealer, _mon) = socks_dealer(&ctx, "socks-auth", &proxy);
    dealer.set_option(ZMQ_SOCKS_USERNAME, b"someuser").unwrap();
    dealer.set_option(ZMQ_SOCKS_PASSWORD, b"somepass").unwrap();
    // Nothing resolves this name but the proxy (which takes it for
    // loopback).
    dealer
        .connect(&format!("tcp://proxy-resolves-this.invalid:{port}"))
        .unwrap();
    round_trip(&mut dealer, &mut router);
    let (atyp, host) = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(atyp, 3);
    assert_eq!(host, b"proxy-resolves-this.invalid");
}

#[test]
fn a_bracketed_ipv6_target_is_sent_as_an_ipv6_address() {
    if TcpListener::bind("[::1]:0").is_err() {
        return;
    }
    let ctx = Context::new();
    let mut router = Socket::new(&ctx, types::ROUTER).unwrap();
    set_int(&mut router, ZMQ_RCVTIMEO, 5000);
    set_int(&mut router, ZMQ_LINGER, 0);
    set_int(&mut router, crate::options::consts::ZMQ_IPV6, 1);
    router.bind("tcp://[::1]:*").unwrap();
    let ep = crate::socket::testing::last_endpoint(&mut router);
    let port = ep.rsplit_once(':').unwrap().1;
    let (proxy, requests) = start_proxy(Proxy::Grant(None), 1);
    let (mut dealer, _mon) = socks_dealer(&ctx, "socks-v6", &proxy);
    dealer.connect(&format!("tcp://[::1]:{port}")).unwrap();
    round_trip(&mut dealer, &mut router);
    let (atyp, host) = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(atyp, 4);
    assert_eq!(host, Ipv6Addr::LOCALHOST.octets());
}

#[test]
fn a_reply_with_a_bad_version_closes_and_retries() {
    let ctx = Context::new();
    let (proxy, _) = start_proxy(Proxy::BadVersion, 2);
    let (mut dealer, mut mon) = socks_dealer(&ctx, "socks-bad-version", &proxy);
    dealer.connect("tcp://127.0.0.1:5555").unwrap();
    let endpoint = format!("tcp://{proxy}");
    expect_events(
        &mut mon,
        &[
            events::CONNECT_DELAYED,
            events::CLOSED,
            events::CONNECT_RETRIED,
            // The retry meets the same proxy.
            events::CONNECT_DELAYED,
            events::CLOSED,
            events::CONNECT_RETRIED,
        ],
        &endpoint,
    );
}

#[test]
fn a_refusing_proxy_is_retried_even_with_reconnect_stop_conn_refused() {
    let ctx = Context::new();
    let proxy = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    let (mut dealer, mut mon) = socks_dealer(&ctx, "socks-refused", &proxy);
    set_int(
        &mut dealer,
        ZMQ_RECONNECT_STOP,
        ZMQ_RECONNECT_STOP_CONN_REFUSED,
    );
    dealer.connect("tcp://127.0.0.1:5555").unwrap();
    expect_events(
        &mut mon,
        &[
            events::CONNECT_DELAYED,
            events::CLOSED,
            events::CONNECT_RETRIED,
            events::CONNECT_DELAYED,
        ],
        &format!("tcp://{proxy}"),
    );
}

#[test]
fn connect_timeout_does_not_bound_the_negotiation() {
    let ctx = Context::new();
    let (proxy, _) = start_proxy(Proxy::Silent, 1);
    let (mut dealer, mut mon) = socks_dealer(&ctx, "socks-silent", &proxy);
    set_int(&mut dealer, ZMQ_CONNECT_TIMEOUT, 100);
    dealer.connect("tcp://127.0.0.1:5555").unwrap();
    expect_events(
        &mut mon,
        &[events::CONNECT_DELAYED],
        &format!("tcp://{proxy}"),
    );
    assert_eq!(next_event(&mut mon, 500), None);
}

#[test]
fn an_unresolvable_proxy_fails_each_attempt_without_failing_connect() {
    let ctx = Context::new();
    let (mut dealer, mut mon) = socks_dealer(&ctx, "socks-bad-proxy", "no port here");
    dealer.connect("tcp://127.0.0.1:5555").unwrap();
    expect_events(
        &mut mon,
        &[events::CONNECT_RETRIED, events::CONNECT_RETRIED],
        "tcp://no port here",
    );
}
