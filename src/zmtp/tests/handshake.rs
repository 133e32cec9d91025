//! NULL handshakes between engines, metadata and the events around them.

use super::*;
use crate::msg::flags;

fn dealer_router() -> (Options, Options) {
    let mut d = opts(ZMQ_DEALER);
    d.routing_id = b"dealer-1".to_vec();
    d.app_metadata.insert(b"X-Color".to_vec(), b"blue".to_vec());
    (d, opts(ZMQ_ROUTER))
}

#[test]
fn null_handshake_between_dealer_and_router() {
    let (d, r) = dealer_router();
    let mut p = Pair::new(&d, &r);
    p.run();
    assert_eq!(names(&p.a_events), ["ready", "succeeded"]);
    assert_eq!(names(&p.b_events), ["ready", "id:dealer-1", "succeeded"]);
    assert!(p.a.is_ready() && p.b.is_ready());
    assert_eq!(p.a.protocol(), Some(Protocol::V3_1));
    assert!(p.a.next_timeout().is_none(), "handshake timer cancelled");
}

#[test]
fn handshake_byte_at_a_time_gives_the_same_events() {
    let (d, r) = dealer_router();
    let mut p = Pair::new(&d, &r);
    p.chunk = 1;
    p.run();
    assert_eq!(names(&p.a_events), ["ready", "succeeded"]);
    assert_eq!(names(&p.b_events), ["ready", "id:dealer-1", "succeeded"]);
}

#[test]
fn ready_carries_socket_type_identity_and_application_metadata() {
    let (d, r) = dealer_router();
    let mut p = Pair::new(&d, &r);
    p.run();
    p.a.send(Msg::from_slice(b"hello")).unwrap();
    p.run();
    let msgs = messages(&p.b_events);
    let m = msgs.last().unwrap();
    assert_eq!(m.data(), b"hello");
    let meta = m.metadata().expect("metadata on every message");
    let get = |k: &str| meta.get(k).map(|v| v.to_bytes().to_vec());
    assert_eq!(get("Socket-Type").unwrap(), b"DEALER");
    assert_eq!(get("Identity").unwrap(), b"dealer-1");
    assert_eq!(get("X-Color").unwrap(), b"blue");
    assert_eq!(get("Peer-Address").unwrap(), b"127.0.0.1");
    assert_eq!(get("__fd").unwrap(), b"7");
    // The routing-id message itself has no metadata (libzmq pushes it
    // before compiling it).
    assert!(msgs[0].is_routing_id() && msgs[0].metadata().is_none());
    // ROUTER sends no Identity property.
    p.b.send(Msg::from_slice(b"back")).unwrap();
    p.run();
    let back = *messages(&p.a_events).last().unwrap();
    let meta = back.metadata().unwrap();
    assert_eq!(meta.get("Socket-Type").unwrap().to_bytes(), b"ROUTER");
    assert!(
        meta.get("Identity").is_some(),
        "ROUTER does send an empty Identity"
    );
}

#[test]
fn pub_sends_no_identity_property() {
    let mut p = Pair::new(&opts(ZMQ_PUB), &opts(ZMQ_SUB));
    p.run();
    p.a.send(Msg::from_slice(b"x")).unwrap();
    p.run();
    let meta = messages(&p.b_events)[0].metadata().unwrap().clone();
    assert!(meta.get("Identity").is_none());
    assert_eq!(meta.get("Socket-Type").unwrap().to_bytes(), b"PUB");
}

#[test]
fn router_notify_connect_pushes_an_empty_message_after_the_routing_id() {
    let mut r = opts(ZMQ_ROUTER);
    r.router_notify = ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT;
    let mut p = Pair::new(&opts(ZMQ_DEALER), &r);
    p.run();
    assert_eq!(names(&p.b_events), ["ready", "id:", "msg:", "succeeded"]);
    p.a.connection_lost(libc::EPIPE);
    p.b.connection_lost(libc::EPIPE);
    p.run();
    let c = closed(&p.b_events).unwrap();
    assert!(c.greeting_done && c.handshaked);
    assert_eq!(c.reason, CloseReason::Connection);
    assert_eq!(names(&p.b_events).last().unwrap(), "closed:Connection");
}

#[test]
fn incompatible_socket_types_drop_without_a_protocol_event() {
    // libzmq's NULL mechanism raises no HANDSHAKE_FAILED_PROTOCOL here.
    let mut p = Pair::new(&opts(ZMQ_PUSH), &opts(ZMQ_PUSH));
    p.run();
    assert_eq!(names(&p.a_events), ["closed:Protocol"]);
    assert_eq!(closed(&p.a_events).unwrap().errno, libc::EINVAL);
    let c = closed(&p.a_events).unwrap();
    // As in libzmq, READY counts as received before its metadata is
    // checked, so the mechanism reads as done.
    assert!(c.greeting_done && c.handshaked);
}

#[test]
fn every_compatible_pair_completes_the_handshake() {
    let pairs = [
        (ZMQ_REQ, ZMQ_REP),
        (ZMQ_REQ, ZMQ_ROUTER),
        (ZMQ_DEALER, ZMQ_REP),
        (ZMQ_DEALER, ZMQ_DEALER),
        (ZMQ_ROUTER, ZMQ_ROUTER),
        (ZMQ_PUB, ZMQ_SUB),
        (ZMQ_XPUB, ZMQ_XSUB),
        (ZMQ_PUB, ZMQ_XSUB),
        (ZMQ_PUSH, ZMQ_PULL),
        (ZMQ_PAIR, ZMQ_PAIR),
        (ZMQ_CLIENT, ZMQ_SERVER),
        (ZMQ_RADIO, ZMQ_DISH),
        (ZMQ_SCATTER, ZMQ_GATHER),
        (ZMQ_PEER, ZMQ_PEER),
        (ZMQ_CHANNEL, ZMQ_CHANNEL),
    ];
    for (x, y) in pairs {
        let mut p = Pair::new(&opts(x), &opts(y));
        p.run();
        assert!(p.a.is_ready() && p.b.is_ready(), "{x} with {y}");
    }
    for (x, y) in [
        (ZMQ_REQ, ZMQ_REQ),
        (ZMQ_PUB, ZMQ_PULL),
        (ZMQ_PAIR, ZMQ_DEALER),
    ] {
        let mut p = Pair::new(&opts(x), &opts(y));
        p.run();
        assert!(p.a.is_closed() && p.b.is_closed(), "{x} with {y}");
    }
}

#[test]
fn mechanism_mismatch_is_a_protocol_event() {
    let mut plain = opts(ZMQ_DEALER);
    plain.mechanism = ZMQ_PLAIN;
    let mut p = Pair::new(&opts(ZMQ_DEALER), &plain);
    p.run();
    let want = format!("protocol:{:#x}", protocol_error::ZMTP_MECHANISM_MISMATCH);
    assert_eq!(
        names(&p.a_events),
        [want.clone(), "closed:Protocol".to_string()]
    );
    assert_eq!(names(&p.b_events), [want, "closed:Protocol".to_string()]);
    assert!(!closed(&p.a_events).unwrap().greeting_done);
}

#[test]
fn nothing_is_sent_before_the_handshake() {
    let now = Instant::now();
    let mut e = engine(&opts(ZMQ_PAIR), now);
    assert!(!e.can_send());
    assert!(e.send(Msg::from_slice(b"early")).is_err());
    assert_eq!(output(&mut e), greeting::Greeting::signature(0));
}

#[test]
fn zmtp_3_0_peer_is_detected_and_gets_prefixed_subscriptions() {
    let now = Instant::now();
    let mut e = engine(&opts(ZMQ_XSUB), now);
    let mut input = greeting(0, b"NULL");
    input.extend(ready(&[(b"Socket-Type", b"XPUB")]));
    let ev = feed(&mut e, &input, now);
    assert_eq!(names(&ev), ["ready", "succeeded"]);
    assert_eq!(e.protocol(), Some(Protocol::V3_0));
    let mut out = output(&mut e);
    assert_eq!(out.len(), 64 + 2 + 6 + 1 + 11 + 4 + 4);
    let mut sub = Msg::from_slice(b"topic");
    sub.set_flags(flags::SUBSCRIBE);
    e.send(sub).unwrap();
    let mut cancel = Msg::from_slice(b"topic");
    cancel.set_flags(flags::CANCEL);
    e.send(cancel).unwrap();
    out = output(&mut e);
    assert_eq!(out, b"\x00\x06\x01topic\x00\x06\x00topic");
}

#[test]
fn zmtp_3_1_subscriptions_are_commands_both_ways() {
    let now = Instant::now();
    let mut e = engine(&opts(ZMQ_XPUB), now);
    let mut input = greeting(1, b"NULL");
    input.extend(ready(&[(b"Socket-Type", b"SUB")]));
    input.extend(frame(4, b"\x09SUBSCRIBEnews"));
    input.extend(frame(4, b"\x06CANCELnews"));
    // 3.0-style subscriptions still arrive as plain messages.
    input.extend(frame(0, b"\x01old"));
    let ev = feed(&mut e, &input, now);
    let msgs = messages(&ev);
    assert_eq!(msgs.len(), 3);
    assert!(msgs[0].is_subscribe() && !msgs[0].is_command());
    assert_eq!(msgs[0].data(), b"news");
    assert!(msgs[1].is_cancel());
    assert_eq!(msgs[1].data(), b"news");
    assert!(msgs[0].metadata().is_some());
    assert_eq!(msgs[2].data(), b"\x01old");
    assert_eq!(msgs[2].flags(), 0);

    let mut e = engine(&opts(ZMQ_SUB), now);
    let mut input = greeting(1, b"NULL");
    input.extend(ready(&[(b"Socket-Type", b"PUB")]));
    feed(&mut e, &input, now);
    output(&mut e);
    let mut sub = Msg::from_slice(b"ab");
    sub.set_flags(flags::SUBSCRIBE);
    e.send(sub).unwrap();
    assert_eq!(output(&mut e), b"\x04\x0c\x09SUBSCRIBEab");
}

/// libzmq's session passes SUBSCRIBE and CANCEL commands to any socket;
/// only XPUB reads them as subscriptions, the others deliver the command
/// body (name included) to the application. Found by tests/differential.
#[test]
fn subscribe_commands_reach_other_sockets_as_the_whole_body() {
    let now = Instant::now();
    for (ty, peer) in [
        (ZMQ_ROUTER, &b"DEALER"[..]),
        (ZMQ_DEALER, b"ROUTER"),
        (ZMQ_SUB, b"PUB"),
        (ZMQ_PULL, b"PUSH"),
    ] {
        let mut o = opts(ty);
        o.recv_routing_id = false;
        let mut e = engine(&o, now);
        let mut input = greeting(1, b"NULL");
        input.extend(ready(&[(b"Socket-Type", peer)]));
        input.extend(frame(5, b"\x09SUBSCRIBEt"));
        input.extend(frame(4, b"\x06CANCELt"));
        let ev = feed(&mut e, &input, now);
        let msgs = messages(&ev);
        let bodies: Vec<&[u8]> = msgs.iter().map(|m| m.data()).collect();
        assert_eq!(bodies, [&b"\x09SUBSCRIBEt"[..], b"\x06CANCELt"], "{ty}");
        assert!(msgs[0].has_more() && !msgs[1].has_more());
        assert!(msgs
            .iter()
            .all(|m| !m.is_command() && m.metadata().is_some()));
    }
    // REQ's session ignores them.
    let mut e = engine(&opts(ZMQ_REQ), now);
    let mut input = greeting(1, b"NULL");
    input.extend(ready(&[(b"Socket-Type", b"ROUTER")]));
    input.extend(frame(4, b"\x09SUBSCRIBEt"));
    assert!(messages(&feed(&mut e, &input, now)).is_empty());
}

#[test]
fn unknown_commands_and_pongs_are_dropped_after_the_handshake() {
    let now = Instant::now();
    let mut e = engine(&opts(ZMQ_PULL), now);
    let mut input = greeting(1, b"NULL");
    input.extend(ready(&[(b"Socket-Type", b"PUSH")]));
    input.extend(frame(4, b"\x04PONG"));
    input.extend(frame(4, b"\x05HELLO"));
    input.extend(frame(4, b"\x05READY"));
    input.extend(frame(4, b""));
    input.extend(frame(4, b"\x09SUBSCRIB"));
    input.extend(frame(0, b"data"));
    let ev = feed(&mut e, &input, now);
    assert_eq!(names(&ev), ["ready", "succeeded", "msg:data"]);
}

#[test]
fn our_greeting_and_ready_are_libzmqs_bytes() {
    let now = Instant::now();
    let mut o = opts(ZMQ_REQ);
    o.routing_id = b"R".to_vec();
    let mut e = engine(&o, now);
    let mut input = greeting(1, b"NULL");
    input.extend(ready(&[(b"Socket-Type", b"ROUTER")]));
    feed(&mut e, &input, now);
    let out = output(&mut e);
    let mut want = greeting::Greeting::signature(1).to_vec();
    want.extend_from_slice(&[3, 1]);
    want.extend_from_slice(b"NULL");
    want.extend_from_slice(&[0; 16 + 32]);
    want.extend(ready(&[(b"Socket-Type", b"REQ"), (b"Identity", b"R")]));
    assert_eq!(out, want);
}

#[test]
fn all_messages_of_a_connection_share_one_metadata_set() {
    let mut p = Pair::new(&opts(ZMQ_PUSH), &opts(ZMQ_PULL));
    p.run();
    for _ in 0..3 {
        p.a.send(Msg::from_slice(b"m")).unwrap();
    }
    p.run();
    let msgs = messages(&p.b_events);
    let first = msgs[0].metadata().unwrap();
    assert!(msgs
        .iter()
        .all(|m| std::sync::Arc::ptr_eq(m.metadata().unwrap(), first)));
    assert!(std::sync::Arc::ptr_eq(first, p.b.metadata().unwrap()));
}

/// The byte vectors of upstream's `testutil.hpp` and `test_mock_pub_sub`.
mod upstream_vectors {
    use super::*;

    const GREETING_NULL: [u8; 12] = [0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 3, 0];
    const READY_XPUB: &[u8] = b"\x04\x1a\x05READY\x0bSocket-Type\x00\x00\x00\x04XPUB";
    const READY_SUB: &[u8] = b"\x04\x19\x05READY\x0bSocket-Type\x00\x00\x00\x03SUB";

    fn mock_greeting(minor: u8) -> Vec<u8> {
        let mut g = GREETING_NULL.to_vec();
        g[11] = minor;
        g.extend_from_slice(b"NULL");
        g.resize(64, 0);
        g
    }

    #[test]
    fn sub_against_a_mock_publisher() {
        for (minor, want_sub) in [(0u8, &b"\x00\x02\x01A"[..]), (1, b"\x04\x0b\x09SUBSCRIBEA")] {
            let now = Instant::now();
            let mut e = engine(&opts(ZMQ_SUB), now);
            let mut input = mock_greeting(minor);
            input.extend_from_slice(READY_XPUB);
            feed(&mut e, &input, now);
            let out = output(&mut e);
            assert_eq!(&out[64..], READY_SUB);
            let mut sub = Msg::from_slice(b"A");
            sub.set_flags(crate::msg::flags::SUBSCRIBE);
            e.send(sub).unwrap();
            assert_eq!(output(&mut e), want_sub);
            let ev = feed(&mut e, b"\x00\x04ALOL", now);
            assert_eq!(messages(&ev)[0].data(), b"ALOL");
        }
    }

    #[test]
    fn xpub_against_a_mock_subscriber() {
        for (minor, sub) in [(0u8, &b"\x00\x02\x01A"[..]), (1, b"\x04\x0b\x09SUBSCRIBEA")] {
            let now = Instant::now();
            let mut e = engine(&opts(ZMQ_XPUB), now);
            let mut input = mock_greeting(minor);
            input.extend_from_slice(READY_SUB);
            input.extend_from_slice(sub);
            let ev = feed(&mut e, &input, now);
            assert_eq!(&output(&mut e)[64..], READY_XPUB);
            let m = messages(&ev)[0];
            // 3.0: the \x01-prefixed message; 3.1: flagged, topic only.
            match minor {
                0 => assert_eq!(m.data(), b"\x01A"),
                _ => assert!(m.is_subscribe() && m.data() == b"A"),
            }
            e.send(Msg::from_slice(b"ALOL")).unwrap();
            assert_eq!(output(&mut e), b"\x00\x04ALOL");
        }
    }

    const READY_DEALER: &[u8] =
        b"\x04\x29\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER\x08Identity\x00\x00\x00\x00";

    #[test]
    fn router_answers_the_heartbeat_tests_pings() {
        let now = Instant::now();
        let mut e = engine(&opts(ZMQ_ROUTER), now);
        let mut input = mock_greeting(0);
        input.extend_from_slice(READY_DEALER);
        let ping = b"\x04\x0a\x04PING\x00\x00LOL";
        input.extend_from_slice(ping);
        let mut big = ping.to_vec();
        big[1] = 65;
        big.resize(67, b'z');
        input.extend_from_slice(&big);
        let ev = feed(&mut e, &input, now);
        assert_eq!(names(&ev), ["ready", "id:", "succeeded"]);
        let out = output(&mut e);
        let ready_router = String::from_utf8_lossy(READY_DEALER).replace("DEALER", "ROUTER");
        assert_eq!(&out[64..64 + 43], ready_router.as_bytes());
        assert_eq!(&out[107..117], b"\x04\x08\x04PONGLOL");
        let mut pooong = b"\x04\x15\x04PONGLOL".to_vec();
        pooong.resize(23, b'z');
        assert_eq!(&out[117..], &pooong[..]);
    }
}

#[test]
fn join_and_leave_commands_become_group_messages_on_radio_only() {
    let now = Instant::now();
    let mut e = engine(&opts(ZMQ_RADIO), now);
    let mut input = greeting(1, b"NULL");
    input.extend(ready(&[(b"Socket-Type", b"DISH")]));
    input.extend(frame(4, b"\x04JOINMovies"));
    input.extend(frame(4, b"\x05LEAVEMovies"));
    // A group longer than ZMQ_GROUP_MAX_LENGTH is dropped (libzmq asserts).
    let long = [&b"\x04JOIN"[..], &[b'g'; 256]].concat();
    input.extend([6u8]); // a long command frame
    input.extend((long.len() as u64).to_be_bytes());
    input.extend(&long);
    let msgs = feed(&mut e, &input, now);
    let msgs = messages(&msgs);
    assert_eq!(msgs.len(), 2);
    assert!(msgs[0].is_join() && msgs[1].is_leave());
    assert_eq!(msgs[0].group().to_bytes(), b"Movies");
    assert_eq!(msgs[1].group().to_bytes(), b"Movies");

    // Any other socket drops them, as libzmq's session_base_t does.
    let mut e = engine(&opts(ZMQ_DISH), now);
    let mut input = greeting(1, b"NULL");
    input.extend(ready(&[(b"Socket-Type", b"RADIO")]));
    input.extend(frame(4, b"\x04JOINMovies"));
    assert!(messages(&feed(&mut e, &input, now)).is_empty());
}
