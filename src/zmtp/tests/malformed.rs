//! Malformed greetings, frames and commands from hand-written bytes, each
//! with the events libzmq raises for it.

use super::*;
use crate::zmtp::protocol_error::*;

/// Events of a NULL DEALER fed a NULL greeting and then `after`.
fn null_dealer_after_greeting(after: &[u8]) -> Vec<String> {
    let now = Instant::now();
    let mut e = engine(&opts(ZMQ_DEALER), now);
    let mut input = greeting(1, b"NULL");
    input.extend_from_slice(after);
    names(&feed(&mut e, &input, now))
}

fn protocol(code: i32) -> String {
    format!("protocol:{code:#x}")
}

#[test]
fn unexpected_command_during_null_handshake() {
    let ev = null_dealer_after_greeting(&frame(4, b"\x05HELLO\x00\x00"));
    assert_eq!(
        ev,
        [protocol(ZMTP_UNEXPECTED_COMMAND), "closed:Protocol".into()]
    );
    // An empty command, a name-less byte, and a data frame are all
    // "unexpected" to the NULL mechanism.
    for f in [frame(4, b""), frame(4, b"\x05"), frame(0, b"hello")] {
        let ev = null_dealer_after_greeting(&f);
        assert_eq!(ev[0], protocol(ZMTP_UNEXPECTED_COMMAND));
    }
}

#[test]
fn null_does_not_check_the_command_flag_of_ready() {
    // libzmq parses the first frame as a command whatever its flags.
    let mut f = ready(&[(b"Socket-Type", b"ROUTER")]);
    f[0] = 0;
    assert_eq!(null_dealer_after_greeting(&f), ["ready", "succeeded"]);
}

#[test]
fn malformed_error_command() {
    for body in [&b"\x05ERROR"[..], b"\x05ERROR\x05abc"] {
        let ev = null_dealer_after_greeting(&frame(4, body));
        assert_eq!(
            ev,
            [
                protocol(ZMTP_MALFORMED_COMMAND_ERROR),
                "closed:Protocol".into()
            ]
        );
    }
}

#[test]
fn error_command_with_a_zap_status_raises_auth_then_closes() {
    let ev = null_dealer_after_greeting(&frame(4, b"\x05ERROR\x03400"));
    assert_eq!(ev, ["auth:400", "closed:Protocol"]);
    let ev = null_dealer_after_greeting(&frame(4, b"\x05ERROR\x04oops"));
    assert_eq!(ev, ["closed:Protocol"]);
}

#[test]
fn malformed_ready_metadata_closes_without_an_event() {
    // libzmq's NULL mechanism raises no protocol event for bad metadata.
    let ev = null_dealer_after_greeting(&frame(4, b"\x05READY\x0bSocket-Type\x00\x00"));
    assert_eq!(ev, ["closed:Protocol"]);
    let ev = null_dealer_after_greeting(&frame(4, b"\x05READYx"));
    assert_eq!(ev, ["closed:Protocol"]);
}

#[test]
fn ready_without_socket_type_is_accepted() {
    // libzmq only checks Socket-Type when present.
    let ev = null_dealer_after_greeting(&ready(&[(b"X-Only", b"1")]));
    assert_eq!(ev, ["ready", "succeeded"]);
}

#[test]
fn duplicate_properties_keep_the_first_value() {
    let now = Instant::now();
    let mut e = engine(&opts(ZMQ_DEALER), now);
    let mut input = greeting(1, b"NULL");
    input.extend(ready(&[
        (b"Socket-Type", b"ROUTER"),
        (b"X-A", b"first"),
        (b"X-A", b"second"),
        (b"Peer-Address", b"spoofed"),
    ]));
    input.extend(frame(0, b"m"));
    let ev = feed(&mut e, &input, now);
    let meta = messages(&ev)[0].metadata().unwrap().clone();
    assert_eq!(meta.get("X-A").unwrap().to_bytes(), b"first");
    assert_eq!(meta.get("Peer-Address").unwrap().to_bytes(), b"127.0.0.1");
}

#[test]
fn malformed_greetings() {
    let now = Instant::now();
    // A mechanism field with trailing garbage after the name.
    let mut g = greeting(1, b"NULL");
    g[17] = b'X';
    let mut e = engine(&opts(ZMQ_DEALER), now);
    let ev = names(&feed(&mut e, &g, now));
    assert_eq!(
        ev,
        [protocol(ZMTP_MECHANISM_MISMATCH), "closed:Protocol".into()]
    );
    // Unknown mechanism name.
    let mut e = engine(&opts(ZMQ_DEALER), now);
    let ev = names(&feed(&mut e, &greeting(1, b"BOGUS"), now));
    assert_eq!(ev[0], protocol(ZMTP_MECHANISM_MISMATCH));
    // A truncated greeting just waits (the handshake timer ends it).
    let mut e = engine(&opts(ZMQ_DEALER), now);
    assert!(feed(&mut e, &greeting(1, b"NULL")[..40], now).is_empty());
    assert!(!e.is_closed());
}

#[test]
fn garbage_instead_of_a_greeting_is_read_as_zmtp_1_framing() {
    let now = Instant::now();
    let mut e = engine(&opts(ZMQ_DEALER), now);
    // "GET / HTTP/1.1": 'G' = 71 bytes of ZMTP 1.0 frame: waits for more.
    let ev = feed(&mut e, b"GET / HTTP/1.1\r\n", now);
    assert_eq!(names(&ev), ["ready"]);
    // A zero length is a protocol error.
    let mut e = engine(&opts(ZMQ_DEALER), now);
    let ev = feed(&mut e, b"\x00\x00\x00", now);
    assert_eq!(names(&ev), ["ready", "closed:Protocol"]);
    assert_eq!(closed(&ev).unwrap().errno, libc::EPROTO);
}

#[test]
fn oversized_frame_after_handshake_needs_no_allocation_to_be_refused() {
    let now = Instant::now();
    let mut o = opts(ZMQ_DEALER);
    o.maxmsgsize = 1 << 20;
    let mut e = engine(&o, now);
    let mut input = greeting(1, b"NULL");
    input.extend(ready(&[(b"Socket-Type", b"ROUTER")]));
    input.extend_from_slice(&[2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    let ev = feed(&mut e, &input, now);
    assert_eq!(names(&ev), ["ready", "succeeded", "closed:Protocol"]);
    assert_eq!(closed(&ev).unwrap().errno, libc::EMSGSIZE);
}
