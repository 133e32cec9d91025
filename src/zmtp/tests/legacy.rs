//! ZMTP 2.0 and 1.0 peers, from hand-written bytes.

use super::*;
use crate::msg::flags;
use crate::zmtp::greeting::Greeting;

fn v2_peer(socket_type: i32, identity: &[u8]) -> Vec<u8> {
    let mut v = Greeting::signature(identity.len()).to_vec();
    v.extend_from_slice(&[1, socket_type as u8]);
    v.extend(frame(0, identity));
    v
}

#[test]
fn zmtp_2_peer_exchanges_routing_ids_then_messages() {
    let now = Instant::now();
    let mut e = engine(&opts(ZMQ_ROUTER), now);
    let mut input = v2_peer(ZMQ_DEALER, b"abc");
    input.extend(frame(1, b"x"));
    input.extend(frame(0, b"y"));
    let ev = feed(&mut e, &input, now);
    assert_eq!(
        names(&ev),
        ["ready", "id:abc", "msg:x", "msg:y"],
        "no HANDSHAKE_SUCCEEDED"
    );
    assert_eq!(e.protocol(), Some(Protocol::V2));
    assert!(messages(&ev).iter().all(|m| m.metadata().is_none()));
    assert!(messages(&ev)[1].has_more());
    let mut want = Greeting::signature(0).to_vec();
    want.extend_from_slice(&[3, ZMQ_ROUTER as u8, 0, 0]);
    assert_eq!(output(&mut e), want);
    e.send(Msg::from_slice(b"hi")).unwrap();
    assert_eq!(output(&mut e), b"\x00\x02hi");
    assert_eq!(e.next_timeout(), None, "handshake timer cancelled");
    // libzmq counts a legacy connection as never past the mechanism, so
    // every end of it raises HANDSHAKE_FAILED_NO_DETAIL.
    e.connection_lost(libc::ECONNRESET);
    let ev: Vec<Event> = std::iter::from_fn(|| e.poll_event()).collect();
    let nd = format!("no-detail:{}", libc::ECONNRESET);
    assert_eq!(names(&ev), [nd, "closed:Connection".into()]);
    assert!(closed(&ev).unwrap().handshaked);
}

/// Issue 11: a 9-byte signature (`FF`, seven zeros, `7F`) followed by `03
/// 01 'N'` reads as a ZMTP 2.0 greeting whose first frame has the COMMAND
/// flag. libzmq's session drops commands, so that frame is no routing id:
/// the next frame reaches the ROUTER, which takes it as the id, and the
/// application gets nothing.
#[test]
fn zmtp_2_routing_id_frame_with_the_command_flag_is_dropped() {
    let now = Instant::now();
    let mut e = engine(&opts(ZMQ_ROUTER), now);
    let mut input = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 0x7f, 3, 1, b'N'];
    // 0x55: MORE | COMMAND and two reserved bits; 76 bytes.
    input.extend(frame(0x55, &[b'L'; 76]));
    input.extend(frame(0xe8, b"next"));
    let ev = feed(&mut e, &input, now);
    assert_eq!(names(&ev), ["ready", "msg:next"]);
    assert!(
        !messages(&ev)[0].is_routing_id(),
        "the router reads it as the id"
    );
    // Without ROUTING_ID receivers it is dropped the same way.
    let mut e = engine(&opts(ZMQ_DEALER), now);
    assert_eq!(names(&feed(&mut e, &input, now)), ["ready", "msg:next"]);
}

#[test]
fn zmtp_2_subscriptions_are_prefixed_messages() {
    let now = Instant::now();
    let mut e = engine(&opts(ZMQ_XSUB), now);
    feed(&mut e, &v2_peer(ZMQ_XPUB, b""), now);
    output(&mut e);
    let mut sub = Msg::from_slice(b"ab");
    sub.set_flags(flags::SUBSCRIBE);
    e.send(sub).unwrap();
    assert_eq!(output(&mut e), b"\x00\x03\x01ab");
}

#[test]
fn versioned_zmtp_1_peer_uses_1_0_framing() {
    let now = Instant::now();
    let mut o = opts(ZMQ_DEALER);
    o.routing_id = b"me".to_vec();
    let mut e = engine(&o, now);
    let mut input = Greeting::signature(0).to_vec();
    input.extend_from_slice(&[0, ZMQ_ROUTER as u8]);
    input.extend_from_slice(&[1, 0]);
    input.extend_from_slice(&[3, 1, b'h', b'i']);
    let ev = feed(&mut e, &input, now);
    assert_eq!(names(&ev), ["ready", "msg:hi"]);
    assert_eq!(e.protocol(), Some(Protocol::V1));
    let out = output(&mut e);
    assert_eq!(&out[10..], &[3, ZMQ_DEALER as u8, 3, 0, b'm', b'e']);
}

#[test]
fn unversioned_zmtp_1_peer_gets_our_routing_id_body_after_the_signature() {
    let now = Instant::now();
    let mut o = opts(ZMQ_ROUTER);
    o.routing_id = b"me".to_vec();
    let mut e = engine(&o, now);
    // Identity "abc", then "hi" with MORE, then "" .
    let input = b"\x04\x00abc\x03\x01hi\x01\x00";
    let ev = feed(&mut e, input, now);
    assert_eq!(names(&ev), ["ready", "id:abc", "msg:hi", "msg:"]);
    assert_eq!(e.protocol(), Some(Protocol::V1Unversioned));
    let mut want = Greeting::signature(2).to_vec();
    want.extend_from_slice(b"me");
    assert_eq!(output(&mut e), want);
    e.send(Msg::from_slice(&[7; 300])).unwrap();
    let out = output(&mut e);
    assert_eq!(&out[..10], &[0xff, 0, 0, 0, 0, 0, 0, 1, 45, 0]);
}

#[test]
fn unversioned_detection_byte_at_a_time_and_with_a_long_identity() {
    let now = Instant::now();
    let mut e = engine(&opts(ZMQ_ROUTER), now);
    let mut input = vec![0xff];
    input.extend_from_slice(&301u64.to_be_bytes());
    input.push(0);
    input.extend_from_slice(&[b'i'; 300]);
    input.extend_from_slice(b"\x02\x00z");
    let ev = feed_chunked(&mut e, &input, 1, now);
    let msgs = messages(&ev);
    assert_eq!(msgs.len(), 2);
    assert!(msgs[0].is_routing_id());
    assert_eq!(msgs[0].size(), 300);
    assert_eq!(msgs[1].data(), b"z");
}

#[test]
fn zmtp_1_publisher_subscribes_its_peer_to_everything() {
    let now = Instant::now();
    let mut e = engine(&opts(ZMQ_PUB), now);
    let ev = feed(&mut e, b"\x01\x00", now);
    let msgs = messages(&ev);
    assert_eq!(msgs.len(), 1, "the peer's routing id is dropped");
    assert_eq!(msgs[0].data(), [1]);
    // Only for unversioned peers.
    let mut e = engine(&opts(ZMQ_XPUB), now);
    let ev = feed(&mut e, &v2_peer(ZMQ_SUB, b""), now);
    assert!(messages(&ev).is_empty());
}

#[test]
fn legacy_peers_are_refused_when_security_or_zap_is_on() {
    let now = Instant::now();
    let mut plain = opts(ZMQ_DEALER);
    plain.mechanism = ZMQ_PLAIN;
    let mut zap = opts(ZMQ_DEALER);
    zap.zap_domain = b"global".to_vec();
    for o in [plain, zap] {
        for input in [v2_peer(ZMQ_DEALER, b""), b"\x01\x00".to_vec()] {
            let mut e = engine(&o, now);
            let ev = feed(&mut e, &input, now);
            assert_eq!(names(&ev), ["closed:Protocol"]);
            assert!(!closed(&ev).unwrap().greeting_done);
        }
    }
}
