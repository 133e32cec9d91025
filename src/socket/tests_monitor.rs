use std::thread;
use std::time::{Duration, Instant};

use super::types::*;
use super::{Socket, DONTWAIT};
use crate::ctx::Context;
use crate::endpoint_pair::{EndpointPair, EndpointType};
use crate::monitor::{encode, events};
use crate::msg::Msg;
use crate::{Error, Result};

fn ctx_and_socket(t: i32) -> (Context, Socket) {
    let ctx = Context::new();
    let s = Socket::new(&ctx, t).unwrap();
    (ctx, s)
}

fn reader(ctx: &Context, t: i32, addr: &str) -> Socket {
    let mut r = Socket::new(ctx, t).unwrap();
    if t == SUB {
        r.set_option(crate::options::consts::ZMQ_SUBSCRIBE, b"")
            .unwrap();
    }
    r.connect(addr).unwrap();
    r
}

/// Receives one whole event as its frames; `None` if nothing arrives in a
/// second.
fn recv_event(r: &mut Socket) -> Option<Vec<Vec<u8>>> {
    r.set_option(crate::options::consts::ZMQ_RCVTIMEO, &1000i32.to_ne_bytes())
        .unwrap();
    let mut frames = Vec::new();
    loop {
        let m = r.recv(0).ok()?;
        frames.push(m.data().to_vec());
        if !m.has_more() {
            return Some(frames);
        }
    }
}

fn nothing_waiting(r: &mut Socket) -> bool {
    r.recv(DONTWAIT).unwrap_err() == Error::EAGAIN
}

fn v1(event: u16, value: u32, endpoint: &str) -> Vec<Vec<u8>> {
    let mut head = event.to_ne_bytes().to_vec();
    head.extend_from_slice(&value.to_ne_bytes());
    vec![head, endpoint.as_bytes().to_vec()]
}

fn v2(event: u64, values: &[u64], local: &str, remote: &str) -> Vec<Vec<u8>> {
    let mut f = vec![
        event.to_ne_bytes().to_vec(),
        (values.len() as u64).to_ne_bytes().to_vec(),
    ];
    f.extend(values.iter().map(|v| v.to_ne_bytes().to_vec()));
    f.push(local.as_bytes().to_vec());
    f.push(remote.as_bytes().to_vec());
    f
}

#[test]
fn version_1_is_a_6_byte_head_and_the_identifying_endpoint() {
    let bound = EndpointPair::new(
        "tcp://127.0.0.1:5555",
        "tcp://127.0.0.1:40000",
        EndpointType::Bind,
    );
    let frames = encode(1, events::ACCEPTED, &[7], &bound);
    let got: Vec<Vec<u8>> = frames.iter().map(|m| m.data().to_vec()).collect();
    assert_eq!(got, v1(0x20, 7, "tcp://127.0.0.1:5555"));
    let connected = EndpointPair::new(
        "tcp://127.0.0.1:40000",
        "tcp://127.0.0.1:5555",
        EndpointType::Connect,
    );
    let frames = encode(1, events::CONNECTED, &[9], &connected);
    assert_eq!(frames[1].data(), b"tcp://127.0.0.1:5555");
}

#[test]
fn version_2_is_event_count_values_local_remote() {
    let pair = EndpointPair::new("tcp://a:1", "tcp://b:2", EndpointType::Connect);
    let frames = encode(2, events::PIPES_STATS, &[3, 4], &pair);
    let got: Vec<Vec<u8>> = frames.iter().map(|m| m.data().to_vec()).collect();
    assert_eq!(got, v2(0x10000, &[3, 4], "tcp://a:1", "tcp://b:2"));
    assert!(encode(3, events::CONNECTED, &[1], &pair).is_empty());
}

#[test]
fn stopping_sends_monitor_stopped_in_version_1() {
    let (ctx, mut s) = ctx_and_socket(DEALER);
    s.monitor(Some("inproc://mon-v1"), events::ALL, 1, PAIR)
        .unwrap();
    let mut r = reader(&ctx, PAIR, "inproc://mon-v1");
    s.monitor(None, 0, 1, PAIR).unwrap();
    assert_eq!(recv_event(&mut r).unwrap(), v1(0x400, 0, ""));
    // The monitor socket is gone: its name can be bound again.
    let mut again = Socket::new(&ctx, PAIR).unwrap();
    again.bind("inproc://mon-v1").unwrap();
}

#[test]
fn stopping_sends_monitor_stopped_in_version_2() {
    let (ctx, mut s) = ctx_and_socket(DEALER);
    s.monitor(Some("inproc://mon-v2"), events::ALL_V2, 2, PAIR)
        .unwrap();
    let mut r = reader(&ctx, PAIR, "inproc://mon-v2");
    drop(s);
    assert_eq!(recv_event(&mut r).unwrap(), v2(0x400, &[0], "", ""));
}

#[test]
fn pub_and_push_monitor_sockets_deliver_too() {
    let (ctx, mut s) = ctx_and_socket(DEALER);
    s.monitor(Some("inproc://mon-pub"), events::ALL, 1, PUB)
        .unwrap();
    let mut sub = reader(&ctx, SUB, "inproc://mon-pub");
    s.monitor(Some("inproc://mon-push"), events::ALL, 1, PUSH)
        .unwrap();
    assert_eq!(recv_event(&mut sub).unwrap(), v1(0x400, 0, ""));
    let mut pull = reader(&ctx, PULL, "inproc://mon-push");
    drop(s);
    assert_eq!(recv_event(&mut pull).unwrap(), v1(0x400, 0, ""));
}

#[test]
fn without_monitor_stopped_in_the_mask_stopping_is_silent() {
    let (ctx, mut s) = ctx_and_socket(DEALER);
    s.monitor(Some("inproc://mon-quiet"), events::CONNECTED, 1, PAIR)
        .unwrap();
    let mut r = reader(&ctx, PAIR, "inproc://mon-quiet");
    s.monitor(None, 0, 1, PAIR).unwrap();
    assert!(nothing_waiting(&mut r));
}

#[test]
fn argument_errors_follow_libzmq() {
    let (ctx, mut s) = ctx_and_socket(DEALER);
    let e = |r: Result<()>| r.unwrap_err();
    assert_eq!(
        e(s.monitor(Some("tcp://127.0.0.1:*"), 0, 1, PAIR)),
        Error::EPROTONOSUPPORT
    );
    assert_eq!(e(s.monitor(Some("bogus"), 0, 1, PAIR)), Error::EINVAL);
    assert_eq!(
        e(s.monitor(Some("udp://x:1"), 0, 1, PAIR)),
        Error::ENOCOMPATPROTO
    );
    // Version 1 has 16 event bits; checked before the address.
    assert_eq!(e(s.monitor(None, events::ALL_V2, 1, PAIR)), Error::EINVAL);
    assert_eq!(
        e(s.monitor(Some("inproc://m"), 1 << 16, 1, PAIR)),
        Error::EINVAL
    );
    for t in [SUB, CLIENT, DEALER, REQ, XPUB] {
        assert_eq!(e(s.monitor(Some("inproc://m"), 0, 2, t)), Error::EINVAL);
    }
    // The name is taken: the bind error comes back and no monitor is left.
    let mut taken = Socket::new(&ctx, PAIR).unwrap();
    taken.bind("inproc://taken").unwrap();
    assert_eq!(
        e(s.monitor(Some("inproc://taken"), events::ALL, 1, PAIR)),
        Error::EADDRINUSE
    );
    assert_eq!(s.monitor_sink().events(), 0);
    // Stopping when not monitoring is fine; so is an unknown version.
    s.monitor(None, 0, 1, PAIR).unwrap();
    s.monitor(Some("inproc://v3"), events::ALL, 3, PAIR)
        .unwrap();
    // With no v2 monitor, pipe statistics are EINVAL.
    assert_eq!(s.monitor_pipes_stats().unwrap_err(), Error::EINVAL);
}

#[test]
fn a_new_monitor_replaces_the_old_one_after_stopping_it() {
    let (ctx, mut s) = ctx_and_socket(DEALER);
    s.monitor(Some("inproc://first"), events::ALL, 1, PAIR)
        .unwrap();
    let mut r1 = reader(&ctx, PAIR, "inproc://first");
    s.monitor(Some("inproc://second"), events::ALL_V2, 2, PAIR)
        .unwrap();
    assert_eq!(recv_event(&mut r1).unwrap(), v1(0x400, 0, ""));
    let mut r2 = reader(&ctx, PAIR, "inproc://second");
    // An invalid type still stops the running monitor first.
    assert_eq!(
        s.monitor(Some("inproc://third"), 0, 2, SUB).unwrap_err(),
        Error::EINVAL
    );
    assert_eq!(recv_event(&mut r2).unwrap(), v2(0x400, &[0], "", ""));
    assert_eq!(s.monitor_sink().events(), 0);
}

#[test]
fn events_from_another_thread_arrive_in_order_with_their_values() {
    let (ctx, mut s) = ctx_and_socket(DEALER);
    s.monitor(Some("inproc://io"), events::ALL_V2, 2, PAIR)
        .unwrap();
    let mut r = reader(&ctx, PAIR, "inproc://io");
    let sink = s.monitor_sink();
    let pair = EndpointPair::new(
        "tcp://127.0.0.1:1",
        "tcp://127.0.0.1:2",
        EndpointType::Connect,
    );
    thread::spawn(move || {
        sink.event_connected(&pair, 12);
        sink.event_handshake_failed_protocol(&pair, 0x1100_0002);
        sink.event_disconnected(&pair, 12);
        sink.event_pipes_stats(&pair, 1, 2);
    })
    .join()
    .unwrap();
    let (l, rm) = ("tcp://127.0.0.1:1", "tcp://127.0.0.1:2");
    assert_eq!(recv_event(&mut r).unwrap(), v2(0x1, &[12], l, rm));
    assert_eq!(
        recv_event(&mut r).unwrap(),
        v2(0x2000, &[0x1100_0002], l, rm)
    );
    assert_eq!(recv_event(&mut r).unwrap(), v2(0x200, &[12], l, rm));
    assert_eq!(recv_event(&mut r).unwrap(), v2(0x10000, &[1, 2], l, rm));
}

#[test]
fn unsubscribed_events_are_not_sent() {
    let (ctx, mut s) = ctx_and_socket(DEALER);
    s.monitor(Some("inproc://mask"), events::LISTENING, 1, PAIR)
        .unwrap();
    let mut r = reader(&ctx, PAIR, "inproc://mask");
    let sink = s.monitor_sink();
    sink.event_accepted(&EndpointPair::unconnected_bind("tcp://x:1"), 5);
    sink.event_listening(&EndpointPair::unconnected_bind("tcp://x:1"), 5);
    assert_eq!(recv_event(&mut r).unwrap(), v1(0x8, 5, "tcp://x:1"));
    assert!(nothing_waiting(&mut r));
}

#[test]
fn an_event_waits_for_a_late_reader_as_in_libzmq() {
    let (ctx, mut s) = ctx_and_socket(DEALER);
    s.monitor(Some("inproc://late"), events::ALL, 1, PAIR)
        .unwrap();
    let sink = s.monitor_sink();
    let t = thread::spawn(move || {
        sink.event_connect_delayed(&EndpointPair::unconnected_connect("tcp://h:1"), 115);
    });
    thread::sleep(Duration::from_millis(50));
    assert!(!t.is_finished());
    let mut r = reader(&ctx, PAIR, "inproc://late");
    assert_eq!(recv_event(&mut r).unwrap(), v1(0x2, 115, "tcp://h:1"));
    t.join().unwrap();
}

#[test]
fn stopping_interrupts_a_sender_blocked_without_reader() {
    let (_ctx, mut s) = ctx_and_socket(DEALER);
    s.monitor(Some("inproc://nobody"), events::ALL, 1, PAIR)
        .unwrap();
    let sink = s.monitor_sink();
    let t = thread::spawn(move || {
        sink.event_closed(&EndpointPair::unconnected_bind("tcp://h:1"), 3);
    });
    thread::sleep(Duration::from_millis(50));
    assert!(!t.is_finished());
    let start = Instant::now();
    drop(s);
    t.join().unwrap();
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn context_termination_stops_the_monitor_and_term_completes() {
    let (ctx, mut s) = ctx_and_socket(DEALER);
    s.monitor(Some("inproc://term"), events::ALL, 1, PAIR)
        .unwrap();
    let r = reader(&ctx, PAIR, "inproc://term");
    ctx.shutdown();
    assert_eq!(s.events().unwrap_err(), Error::ETERM);
    assert_eq!(s.monitor_sink().events(), 0);
    assert_eq!(
        s.monitor(Some("inproc://again"), events::ALL, 1, PAIR)
            .unwrap_err(),
        Error::ETERM
    );
    drop(r);
    drop(s);
    ctx.term();
}

#[test]
fn pipes_stats_reports_each_pipes_queues_once_both_sides_ran() {
    let (ctx, mut push) = ctx_and_socket(PUSH);
    push.monitor(Some("inproc://stats-mon"), events::PIPES_STATS, 2, PAIR)
        .unwrap();
    assert_eq!(push.monitor_pipes_stats().unwrap_err(), Error::EAGAIN);
    let mut r = reader(&ctx, PAIR, "inproc://stats-mon");
    let mut pull = Socket::new(&ctx, PULL).unwrap();
    pull.bind("inproc://stats").unwrap();
    push.connect("inproc://stats").unwrap();
    for _ in 0..3 {
        push.send(&mut Msg::from_slice(b"x"), 0).unwrap();
    }
    push.monitor_pipes_stats().unwrap();
    // The peer end answers when its socket handles commands, then ours
    // raises the event when it does.
    pull.events().unwrap();
    push.events().unwrap();
    assert_eq!(recv_event(&mut r).unwrap(), v2(0x10000, &[3, 0], "", ""));
}

#[test]
fn monitor_sockets_count_against_the_context() {
    let ctx = Context::new();
    ctx.set(crate::ctx::MAX_SOCKETS, 1).unwrap();
    let mut s = Socket::new(&ctx, DEALER).unwrap();
    assert_eq!(
        s.monitor(Some("inproc://full"), events::ALL, 1, PAIR)
            .unwrap_err(),
        Error::EMFILE
    );
}
