//! Host names resolved off the io thread (beyond libzmq): a slow lookup
//! holds up only its own connection, and every address a name resolves to
//! is tried in turn. The names here are answered by a test resolver in
//! front of the system's (`transport::lookup::test_resolver`); the same
//! behaviour against a real DNS server is `tests/resolver.rs`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::ctx::Context;
use crate::monitor::events;
use crate::msg::Msg;
use crate::options::consts::{ZMQ_LINGER, ZMQ_RCVTIMEO, ZMQ_RECONNECT_IVL};
use crate::socket::testing::{last_endpoint, set_int};
use crate::socket::{types, Socket};
use crate::transport::lookup::test_resolver;
use crate::transport::tcp::TcpTarget;
use crate::Error;

/// How long `slow.lookup.test` takes to resolve.
const SLOW: Duration = Duration::from_millis(2000);

/// `slow.lookup.test` is 127.0.0.1 after [`SLOW`]; `two.lookup.test` is
/// 127.0.0.2 (where nothing listens: refused) then 127.0.0.1;
/// `none.lookup.test` does not resolve.
fn answer(address: &str, _ipv6: bool) -> Option<crate::Result<TcpTarget>> {
    let (host, port) = address.rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    let at = |ip: &str| SocketAddr::new(ip.parse().unwrap(), port);
    let peers = match host {
        "slow.lookup.test" => {
            std::thread::sleep(SLOW);
            vec![at("127.0.0.1")]
        }
        "two.lookup.test" => vec![at("127.0.0.2"), at("127.0.0.1")],
        "none.lookup.test" => return Some(Err(Error::EINVAL)),
        _ => return None,
    };
    Some(Ok(TcpTarget {
        peers,
        source: None,
    }))
}

fn port_of(endpoint: &str) -> u16 {
    endpoint.rsplit(':').next().unwrap().parse().unwrap()
}

fn send(s: &mut Socket, body: &[u8]) {
    s.send(&mut Msg::from_slice(body), 0).unwrap();
}

fn recv(s: &mut Socket, ms: i32) -> Option<Msg> {
    set_int(s, ZMQ_RCVTIMEO, ms);
    s.recv(0).ok()
}

use super::tests::monitored;

fn next_event(r: &mut Socket, ms: i32) -> Option<u64> {
    let head = recv(r, ms)?;
    let _endpoint = r.recv(0).unwrap();
    Some(u16::from_ne_bytes([head.data()[0], head.data()[1]]) as u64)
}

#[test]
fn a_slow_lookup_holds_up_only_its_own_connection() {
    test_resolver::install(answer);
    // One io thread (the default) carries both connections.
    let ctx = Context::new();
    let mut a = Socket::new(&ctx, types::PAIR).unwrap();
    a.bind("tcp://127.0.0.1:*").unwrap();
    let mut b = Socket::new(&ctx, types::PAIR).unwrap();
    b.connect(&last_endpoint(&mut a)).unwrap();
    send(&mut b, b"up");
    assert!(recv(&mut a, 5000).is_some());

    let mut router = Socket::new(&ctx, types::ROUTER).unwrap();
    router.bind("tcp://127.0.0.1:*").unwrap();
    let port = port_of(&last_endpoint(&mut router));
    let mut dealer = Socket::new(&ctx, types::DEALER).unwrap();
    let started = Instant::now();
    dealer
        .connect(&format!("tcp://slow.lookup.test:{port}"))
        .unwrap();
    send(&mut dealer, b"late");

    // While the lookup hangs, the other connection goes on at full speed.
    let mut slowest = Duration::ZERO;
    let mut round_trips = 0;
    while started.elapsed() < SLOW - Duration::from_millis(300) {
        let t = Instant::now();
        send(&mut b, b"ping");
        assert!(recv(&mut a, 1500).is_some(), "ping lost during the lookup");
        send(&mut a, b"pong");
        assert!(recv(&mut b, 1500).is_some(), "pong lost during the lookup");
        slowest = slowest.max(t.elapsed());
        round_trips += 1;
    }
    assert!(round_trips > 10, "only {round_trips} round trips");
    assert!(
        slowest < Duration::from_millis(1000),
        "a round trip took {slowest:?} while the lookup ran"
    );

    // And the slow name connects once it resolves.
    let id = recv(&mut router, 5000).expect("the slow connection delivers");
    assert!(id.has_more());
    assert_eq!(router.recv(0).unwrap().data(), b"late");
    assert!(started.elapsed() >= SLOW);
    for s in [&mut a, &mut b, &mut router, &mut dealer] {
        set_int(s, ZMQ_LINGER, 0);
    }
}

#[test]
fn a_name_connects_through_its_second_address_when_the_first_refuses() {
    test_resolver::install(answer);
    let ctx = Context::new();
    let mut router = Socket::new(&ctx, types::ROUTER).unwrap();
    router.bind("tcp://127.0.0.1:*").unwrap();
    let port = port_of(&last_endpoint(&mut router));
    let (mut dealer, mut mon) = monitored(&ctx, types::DEALER, "lookup-two");
    // A retry comes only after 60 s: the second address must be tried
    // within the first attempt.
    set_int(&mut dealer, ZMQ_RECONNECT_IVL, 60_000);
    dealer
        .connect(&format!("tcp://two.lookup.test:{port}"))
        .unwrap();
    send(&mut dealer, b"via the second");
    let id = recv(&mut router, 5000).expect("connected through 127.0.0.1");
    assert!(id.has_more());
    assert_eq!(router.recv(0).unwrap().data(), b"via the second");
    // The refused first address, then the second, with no retry between.
    let seen: Vec<u64> = std::iter::from_fn(|| next_event(&mut mon, 500)).collect();
    assert_eq!(
        &seen[..4],
        [
            events::CONNECT_DELAYED,
            events::CLOSED,
            events::CONNECT_DELAYED,
            events::CONNECTED
        ],
        "events {seen:x?}"
    );
    assert!(!seen.contains(&events::CONNECT_RETRIED));
    set_int(&mut dealer, ZMQ_LINGER, 0);
    set_int(&mut router, ZMQ_LINGER, 0);
}

#[test]
fn a_name_that_does_not_resolve_is_retried_as_a_failed_attempt() {
    test_resolver::install(answer);
    let ctx = Context::new();
    let (mut dealer, mut mon) = monitored(&ctx, types::DEALER, "lookup-none");
    set_int(&mut dealer, ZMQ_RECONNECT_IVL, 50);
    dealer.connect("tcp://none.lookup.test:5555").unwrap();
    assert_eq!(next_event(&mut mon, 5000), Some(events::CONNECT_RETRIED));
    assert_eq!(next_event(&mut mon, 5000), Some(events::CONNECT_RETRIED));
    set_int(&mut dealer, ZMQ_LINGER, 0);
}

#[test]
fn a_socket_closed_during_a_lookup_lets_the_context_end_at_once() {
    test_resolver::install(answer);
    let ctx = Context::new();
    let mut dealer = Socket::new(&ctx, types::DEALER).unwrap();
    dealer.connect("tcp://slow.lookup.test:5555").unwrap();
    send(&mut dealer, b"never");
    std::thread::sleep(Duration::from_millis(50));
    set_int(&mut dealer, ZMQ_LINGER, 0);
    let t = Instant::now();
    dealer.close();
    ctx.term();
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "term waited {:?} for the lookup",
        t.elapsed()
    );
}
