//! Heartbeats and the handshake timer, on a fake clock.

use super::*;

fn heartbeating(ivl: i32, ttl_ms: u16, timeout: i32) -> Options {
    let mut o = opts(ZMQ_DEALER);
    o.heartbeat_interval = ivl;
    o.heartbeat_ttl = ttl_ms / 100;
    o.heartbeat_timeout = timeout;
    o
}

#[test]
fn ping_is_sent_every_interval_and_answered_with_pong() {
    let mut p = Pair::new(&heartbeating(100, 2000, 300), &opts(ZMQ_DEALER));
    p.run();
    let t0 = p.now;
    assert_eq!(p.a.next_timeout(), Some(t0 + Duration::from_millis(100)));
    assert_eq!(p.b.next_timeout(), None);
    p.now += Duration::from_millis(100);
    p.a.on_timeout(p.now);
    let ping = output(&mut p.a);
    assert_eq!(ping, b"\x04\x07\x04PING\x00\x14", "TTL 20 deciseconds");
    // Interval re-armed, timeout armed.
    assert_eq!(p.a.next_timeout(), Some(p.now + Duration::from_millis(100)));
    let ev = feed(&mut p.b, &ping, p.now);
    assert!(ev.is_empty(), "PING is not a message");
    assert_eq!(output(&mut p.b), b"\x04\x05\x04PONG");
    // B now expects traffic within A's TTL.
    assert_eq!(
        p.b.next_timeout(),
        Some(p.now + Duration::from_millis(2000))
    );
    feed(&mut p.a, b"\x04\x05\x04PONG", p.now);
    // A's timeout timer is gone: only the interval remains.
    assert_eq!(p.a.next_timeout(), Some(p.now + Duration::from_millis(100)));
    for _ in 0..10 {
        p.advance(100);
        p.run();
    }
    assert!(!p.a.is_closed() && !p.b.is_closed());
}

#[test]
fn silent_peer_is_dropped_after_heartbeat_timeout() {
    let now = Instant::now();
    let mut e = engine(&heartbeating(100, 0, 250), now);
    let mut input = greeting(1, b"NULL");
    input.extend(ready(&[(b"Socket-Type", b"ROUTER")]));
    feed(&mut e, &input, now);
    output(&mut e);
    e.on_timeout(now + Duration::from_millis(100));
    assert!(e.has_transmit(), "PING sent");
    // The second PING does not push the timeout back.
    e.on_timeout(now + Duration::from_millis(200));
    assert!(!e.is_closed());
    e.on_timeout(now + Duration::from_millis(350));
    let ev: Vec<Event> = std::iter::from_fn(|| e.poll_event()).collect();
    assert_eq!(
        names(&ev),
        ["closed:Timeout"],
        "no NO_DETAIL after the handshake"
    );
    let c = closed(&ev).unwrap();
    assert!(c.handshaked);
    assert_eq!(e.next_timeout(), None);
}

#[test]
fn timeout_defaults_to_the_interval() {
    let now = Instant::now();
    let mut e = engine(&heartbeating(100, 0, -1), now);
    let mut input = greeting(1, b"NULL");
    input.extend(ready(&[(b"Socket-Type", b"ROUTER")]));
    feed(&mut e, &input, now);
    e.on_timeout(now + Duration::from_millis(100));
    e.on_timeout(now + Duration::from_millis(199));
    assert!(!e.is_closed());
    e.on_timeout(now + Duration::from_millis(200));
    assert!(e.is_closed());
}

#[test]
fn any_message_cancels_the_heartbeat_timeout() {
    let now = Instant::now();
    let mut e = engine(&heartbeating(100, 0, 150), now);
    let mut input = greeting(1, b"NULL");
    input.extend(ready(&[(b"Socket-Type", b"ROUTER")]));
    feed(&mut e, &input, now);
    e.on_timeout(now + Duration::from_millis(100));
    feed(
        &mut e,
        &frame(0, b"alive"),
        now + Duration::from_millis(120),
    );
    // The PING due at 200 runs at 250 and arms the timeout for 400.
    e.on_timeout(now + Duration::from_millis(250));
    assert!(!e.is_closed(), "the timeout due at 250 was cancelled");
    e.on_timeout(now + Duration::from_millis(399));
    assert!(!e.is_closed());
    e.on_timeout(now + Duration::from_millis(400));
    assert!(e.is_closed());
}

#[test]
fn peer_ttl_drops_the_connection_when_nothing_arrives() {
    let now = Instant::now();
    let mut e = engine(&opts(ZMQ_DEALER), now);
    let mut input = greeting(1, b"NULL");
    input.extend(ready(&[(b"Socket-Type", b"ROUTER")]));
    input.extend(frame(4, b"\x04PING\x00\x05ctx-bytes"));
    feed(&mut e, &input, now);
    let out = output(&mut e);
    assert!(
        out.ends_with(b"\x04\x0e\x04PONGctx-bytes"),
        "context echoed"
    );
    assert_eq!(e.next_timeout(), Some(now + Duration::from_millis(500)));
    e.on_timeout(now + Duration::from_millis(500));
    assert!(e.is_closed());
}

#[test]
fn pong_context_is_cut_at_16_bytes() {
    let now = Instant::now();
    let mut e = engine(&opts(ZMQ_DEALER), now);
    let mut input = greeting(1, b"NULL");
    input.extend(ready(&[(b"Socket-Type", b"ROUTER")]));
    feed(&mut e, &input, now);
    output(&mut e);
    let ping = [&b"\x04PING\x00\x00"[..], &[b'c'; 40]].concat();
    feed(&mut e, &frame(4, &ping), now);
    let out = output(&mut e);
    assert_eq!(out, [&b"\x04\x15\x04PONG"[..], &[b'c'; 16]].concat());
    assert_eq!(e.next_timeout(), None, "TTL 0 arms nothing");
}

#[test]
fn handshake_timer_gives_no_detail_then_closed() {
    let now = Instant::now();
    let mut o = opts(ZMQ_SUB);
    o.handshake_ivl = 1000;
    let mut e = engine(&o, now);
    assert_eq!(e.next_timeout(), Some(now + Duration::from_millis(1000)));
    e.on_timeout(now + Duration::from_millis(999));
    assert!(!e.is_closed());
    e.on_timeout(now + Duration::from_millis(1000));
    let ev: Vec<Event> = std::iter::from_fn(|| e.poll_event()).collect();
    assert_eq!(
        names(&ev),
        [
            format!("no-detail:{}", engine::TIMEOUT_ERRNO),
            "closed:Timeout".into()
        ]
    );
    assert!(!closed(&ev).unwrap().greeting_done);

    // ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED turns it into a protocol error.
    o.reconnect_stop = ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED;
    let mut e = engine(&o, now);
    e.on_timeout(now + Duration::from_millis(1000));
    let ev: Vec<Event> = std::iter::from_fn(|| e.poll_event()).collect();
    assert_eq!(closed(&ev).unwrap().reason, CloseReason::Protocol);
}

#[test]
fn zero_handshake_ivl_means_no_timer() {
    let mut o = opts(ZMQ_SUB);
    o.handshake_ivl = 0;
    let e = engine(&o, Instant::now());
    assert_eq!(e.next_timeout(), None);
}

#[test]
fn connection_lost_during_handshake_reports_no_detail() {
    let now = Instant::now();
    let mut e = engine(&opts(ZMQ_SUB), now);
    feed(&mut e, &greeting(1, b"NULL"), now);
    e.connection_lost(libc::EPIPE);
    let ev: Vec<Event> = std::iter::from_fn(|| e.poll_event()).collect();
    assert_eq!(
        names(&ev),
        [
            format!("no-detail:{}", libc::EPIPE),
            "closed:Connection".into()
        ]
    );
    let c = closed(&ev).unwrap();
    assert!(c.greeting_done && !c.handshaked);
    e.connection_lost(libc::EPIPE);
    assert!(e.poll_event().is_none(), "closed once");
}
