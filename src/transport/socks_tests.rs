//! The SOCKS5 handshake byte for byte, its failures, and a stream through
//! a scripted proxy on loopback.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use mio::{Events, Interest, Poll, Token};

use super::*;
use crate::options::consts::ZMQ_DEALER;

fn none() -> Credentials {
    Credentials::default()
}

fn basic(user: &str, pass: &str) -> Credentials {
    Credentials {
        username: user.as_bytes().to_vec(),
        password: pass.as_bytes().to_vec(),
    }
}

fn v4(port: u16) -> Target {
    Target {
        host: Host::V4([127, 0, 0, 1]),
        port,
    }
}

/// Takes all the handshake's pending output.
fn take_output(hs: &mut Handshake) -> Vec<u8> {
    let out = hs.output().to_vec();
    hs.advance_output(out.len());
    out
}

/// Feeds `reply` whole; every byte must be taken.
fn feed_all(hs: &mut Handshake, reply: &[u8]) -> std::result::Result<(), SocksError> {
    let n = hs.feed(reply)?;
    assert_eq!(n, reply.len(), "the handshake took less than the reply");
    Ok(())
}

/// Feeds `reply` one byte at a time, as a slow proxy would send it.
fn feed_bytewise(hs: &mut Handshake, reply: &[u8]) -> std::result::Result<(), SocksError> {
    for b in reply {
        assert_eq!(hs.feed(std::slice::from_ref(b))?, 1);
    }
    Ok(())
}

/// A reply to CONNECT with code `code` and an IPv4 bound address.
fn reply_v4(code: u8) -> Vec<u8> {
    vec![5, code, 0, 1, 127, 0, 0, 1, 0x9c, 0x40]
}

/// A handshake past the method choice (no authentication), with the
/// request taken.
fn at_reply(target: Target) -> Handshake {
    let mut hs = Handshake::new(none(), Ok(target));
    take_output(&mut hs);
    feed_all(&mut hs, &[5, 0]).unwrap();
    take_output(&mut hs);
    hs
}

#[test]
fn no_auth_offers_method_0_and_connects_to_an_ipv4_target() {
    let mut hs = Handshake::new(none(), Ok(v4(5555)));
    assert_eq!(take_output(&mut hs), [5, 1, 0]);
    assert_eq!(hs.wanted(), 2);
    feed_all(&mut hs, &[5, 0]).unwrap();
    assert_eq!(take_output(&mut hs), [5, 1, 0, 1, 127, 0, 0, 1, 0x15, 0xb3]);
    assert_eq!(hs.wanted(), 5);
    feed_all(&mut hs, &reply_v4(0)).unwrap();
    assert!(hs.is_done());
    assert_eq!(hs.wanted(), 0);
    assert!(hs.output().is_empty());
}

#[test]
fn username_and_password_follow_rfc_1929() {
    let mut hs = Handshake::new(basic("someuser", "somepass"), Ok(v4(80)));
    assert_eq!(take_output(&mut hs), [5, 1, 2]);
    feed_all(&mut hs, &[5, 2]).unwrap();
    let mut auth = vec![1, 8];
    auth.extend_from_slice(b"someuser");
    auth.push(8);
    auth.extend_from_slice(b"somepass");
    assert_eq!(take_output(&mut hs), auth);
    assert_eq!(hs.wanted(), 2);
    feed_all(&mut hs, &[1, 0]).unwrap();
    assert_eq!(take_output(&mut hs), [5, 1, 0, 1, 127, 0, 0, 1, 0, 80]);
    feed_all(&mut hs, &reply_v4(0)).unwrap();
    assert!(hs.is_done());
}

#[test]
fn an_empty_password_is_sent_as_length_0() {
    let mut hs = Handshake::new(basic("u", ""), Ok(v4(80)));
    take_output(&mut hs);
    feed_all(&mut hs, &[5, 2]).unwrap();
    assert_eq!(take_output(&mut hs), [1, 1, b'u', 0]);
}

#[test]
fn the_proxy_may_choose_either_method_whatever_was_offered() {
    // As libzmq: choosing username/password when none was offered sends
    // empty credentials...
    let mut hs = Handshake::new(none(), Ok(v4(80)));
    take_output(&mut hs);
    feed_all(&mut hs, &[5, 2]).unwrap();
    assert_eq!(take_output(&mut hs), [1, 0, 0]);
    // ...and choosing none when credentials were offered skips them.
    let mut hs = Handshake::new(basic("u", "p"), Ok(v4(80)));
    take_output(&mut hs);
    feed_all(&mut hs, &[5, 0]).unwrap();
    assert_eq!(take_output(&mut hs)[..4], [5, 1, 0, 1]);
}

#[test]
fn targets_are_encoded_as_libzmq_parses_them() {
    let request = |address: &str| {
        let mut hs = Handshake::new(none(), Target::parse(address));
        take_output(&mut hs);
        feed_all(&mut hs, &[5, 0]).unwrap();
        take_output(&mut hs)
    };
    assert_eq!(
        request("192.168.1.2:1080"),
        [5, 1, 0, 1, 192, 168, 1, 2, 0x04, 0x38]
    );
    let mut v6 = vec![5, 1, 0, 4];
    v6.extend_from_slice(&[0; 15]);
    v6.extend_from_slice(&[1, 0x15, 0xb3]);
    assert_eq!(request("::1:5555"), v6);
    assert_eq!(request("[::1]:5555"), v6);
    let mut name = vec![5, 1, 0, 3, 18];
    name.extend_from_slice(b"somedomainname.org");
    name.extend_from_slice(&[0x15, 0xb3]);
    assert_eq!(request("somedomainname.org:5555"), name);
    // Names are never resolved here, not even localhost.
    assert_eq!(request("localhost:1")[3..5], [3, 9]);
}

#[test]
fn target_ports_are_read_as_atoi_does() {
    assert_eq!(Target::parse("h:080").unwrap().port, 80);
    assert_eq!(Target::parse("h:12ab").unwrap().port, 12);
    // Truncated to 16 bits, as libzmq's cast.
    assert_eq!(Target::parse("h:70000").unwrap().port, 70000u32 as u16);
    assert_eq!(Target::parse("h:*"), Err(SocksError::Target));
    assert_eq!(Target::parse("h:0"), Err(SocksError::Target));
    assert_eq!(Target::parse("no-port"), Err(SocksError::Target));
    let long = format!("{}:1", "a".repeat(256));
    assert_eq!(Target::parse(&long), Err(SocksError::Target));
    let longest = format!("{}:1", "a".repeat(255));
    assert!(Target::parse(&longest).is_ok());
}

#[test]
fn a_bad_target_fails_once_the_proxy_chose_a_method() {
    let mut hs = Handshake::new(none(), Target::parse("host:*"));
    // The greeting still goes out, as libzmq's does.
    assert_eq!(take_output(&mut hs), [5, 1, 0]);
    assert_eq!(feed_all(&mut hs, &[5, 0]), Err(SocksError::Target));
}

#[test]
fn replies_read_a_byte_at_a_time() {
    let mut hs = Handshake::new(basic("ab", "cd"), Ok(v4(1)));
    take_output(&mut hs);
    feed_bytewise(&mut hs, &[5, 2]).unwrap();
    assert_eq!(take_output(&mut hs), [1, 2, b'a', b'b', 2, b'c', b'd']);
    feed_bytewise(&mut hs, &[1, 0]).unwrap();
    take_output(&mut hs);
    let mut reply = vec![5, 0, 0, 3, 9];
    reply.extend_from_slice(b"localhost");
    reply.extend_from_slice(&[0x12, 0x34]);
    for (i, b) in reply.iter().enumerate() {
        assert!(!hs.is_done());
        assert_eq!(hs.feed(std::slice::from_ref(b)), Ok(1), "byte {i}");
    }
    assert!(hs.is_done());
}

#[test]
fn output_may_go_out_in_pieces() {
    let mut hs = Handshake::new(none(), Ok(v4(1)));
    hs.advance_output(1);
    assert_eq!(hs.output(), [1, 0]);
    assert_eq!(hs.wanted(), 0, "nothing is read before the greeting is out");
    hs.advance_output(2);
    assert!(hs.output().is_empty());
    assert_eq!(hs.wanted(), 2);
}

#[test]
fn bound_addresses_of_every_type_are_read_whole_and_no_further() {
    let mut v6 = vec![5, 0, 0, 4];
    v6.extend_from_slice(&[0; 16]);
    v6.extend_from_slice(&[0, 1]);
    let mut name = vec![5, 0, 0, 3, 3];
    name.extend_from_slice(b"abc");
    name.extend_from_slice(&[0, 1]);
    let empty_name = vec![5, 0, 0, 3, 0, 0, 1];
    for reply in [reply_v4(0), v6, name, empty_name] {
        let mut hs = at_reply(v4(1));
        // The peer's first bytes follow the reply in the same read.
        let mut input = reply.clone();
        input.extend_from_slice(b"\xffZMTP");
        assert_eq!(hs.feed(&input), Ok(reply.len()));
        assert!(hs.is_done());
        assert_eq!(hs.wanted(), 0);
        assert_eq!(hs.feed(b"more"), Ok(0));
    }
}

#[test]
fn a_choice_with_a_bad_version_fails_at_its_first_byte() {
    let mut hs = Handshake::new(none(), Ok(v4(1)));
    take_output(&mut hs);
    assert_eq!(hs.feed(&[4]), Err(SocksError::BadVersion(4)));
    // And stays failed.
    assert_eq!(hs.feed(&[0]), Err(SocksError::BadVersion(4)));
    assert_eq!(hs.error(), Some(SocksError::BadVersion(4)));
    assert_eq!(hs.wanted(), 0);
}

#[test]
fn methods_other_than_none_and_basic_fail() {
    for method in [0x01, 0x03, 0x80, 0xff] {
        let mut hs = Handshake::new(basic("u", "p"), Ok(v4(1)));
        take_output(&mut hs);
        assert_eq!(
            feed_all(&mut hs, &[5, method]),
            Err(SocksError::Method(method))
        );
    }
}

#[test]
fn authentication_failures_and_bad_auth_versions_fail() {
    let at_auth_reply = || {
        let mut hs = Handshake::new(basic("u", "p"), Ok(v4(1)));
        take_output(&mut hs);
        feed_all(&mut hs, &[5, 2]).unwrap();
        take_output(&mut hs);
        hs
    };
    for status in [1, 2, 0xff] {
        let mut hs = at_auth_reply();
        assert_eq!(
            feed_all(&mut hs, &[1, status]),
            Err(SocksError::AuthFailed(status))
        );
    }
    // The sub-negotiation's version is 1, not SOCKS's 5.
    let mut hs = at_auth_reply();
    assert_eq!(hs.feed(&[5]), Err(SocksError::BadVersion(5)));
}

#[test]
fn each_refusal_code_fails_once_the_reply_is_whole() {
    for code in 1..=8 {
        let mut hs = at_reply(v4(1));
        let reply = reply_v4(code);
        // Not before: libzmq reads the whole reply first.
        feed_bytewise(&mut hs, &reply[..reply.len() - 1]).unwrap();
        assert_eq!(
            hs.feed(&reply[reply.len() - 1..]),
            Err(SocksError::Refused(code))
        );
        assert!(!hs.is_done());
    }
}

#[test]
fn codes_beyond_rfc_1928_fail_at_once() {
    let mut hs = at_reply(v4(1));
    assert_eq!(hs.feed(&[5, 9]), Err(SocksError::Refused(9)));
}

#[test]
fn malformed_replies_fail() {
    let mut hs = at_reply(v4(1));
    assert_eq!(hs.feed(&[0x04]), Err(SocksError::BadVersion(4)));
    let mut hs = at_reply(v4(1));
    assert_eq!(hs.feed(&[5, 0, 1]), Err(SocksError::Reserved(1)));
    for atyp in [0, 2, 5, 0xff] {
        let mut hs = at_reply(v4(1));
        assert_eq!(
            hs.feed(&[5, 0, 0, atyp, 0]),
            Err(SocksError::AddressType(atyp))
        );
    }
}

#[test]
fn a_truncated_reply_is_not_done() {
    let mut hs = at_reply(v4(1));
    feed_all(&mut hs, &reply_v4(0)[..7]).unwrap();
    assert!(!hs.is_done());
    assert_eq!(hs.wanted(), 3);
    assert_eq!(hs.error(), None);
}

#[test]
fn credentials_stay_out_of_debug_output() {
    let text = format!("{:?}", basic("someuser", "secret"));
    assert!(text.contains("someuser"));
    assert!(!text.contains("secret"));
}

/// Waits for the next readiness event (or five seconds).
fn wait(poll: &mut Poll, events: &mut Events) {
    poll.poll(events, Some(Duration::from_secs(5))).unwrap();
    assert!(!events.is_empty(), "no readiness within five seconds");
}

/// Drives a connecting stream as a session does, until `poll_connect`
/// stops returning `WouldBlock`.
fn drive(stream: &mut dyn Stream) -> std::io::Result<()> {
    let mut poll = Poll::new().unwrap();
    let mut events = Events::with_capacity(4);
    poll.registry()
        .register(stream, Token(0), Interest::READABLE | Interest::WRITABLE)
        .unwrap();
    let result = loop {
        match stream.poll_connect() {
            Err(e) if e.kind() == ErrorKind::WouldBlock => wait(&mut poll, &mut events),
            other => break other,
        }
    };
    poll.registry().deregister(stream).unwrap();
    result
}

fn proxy_options(proxy: &str, user: &str, pass: &str) -> Options {
    let mut o = Options::new(ZMQ_DEALER);
    o.socks_proxy_address = proxy.as_bytes().to_vec();
    o.socks_proxy_username = user.as_bytes().to_vec();
    o.socks_proxy_password = pass.as_bytes().to_vec();
    o
}

/// A proxy that plays one connection from a script: for each step, read
/// exactly the expected bytes, then write the answer.
fn scripted_proxy(script: Vec<(Vec<u8>, Vec<u8>)>) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let t = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        for (expect, answer) in script {
            let mut got = vec![0; expect.len()];
            conn.read_exact(&mut got).unwrap();
            assert_eq!(got, expect);
            conn.write_all(&answer).unwrap();
        }
        // Hold the connection until the client is done with it.
        let mut rest = Vec::new();
        let _ = conn.read_to_end(&mut rest);
    });
    (address, t)
}

#[test]
fn a_stream_negotiates_with_the_proxy_and_leaves_the_peer_bytes_unread() {
    let mut request = vec![5, 1, 0, 3, 7];
    request.extend_from_slice(b"example");
    request.extend_from_slice(&[0x1f, 0x90]);
    // The granted reply and the far peer's first bytes in one write.
    let mut granted = reply_v4(0);
    granted.extend_from_slice(b"hello");
    let (proxy, t) = scripted_proxy(vec![
        (vec![5, 1, 2], vec![5, 2]),
        (vec![1, 1, b'u', 1, b'p'], vec![1, 0]),
        (request, granted),
    ]);
    let options = proxy_options(&proxy, "u", "p");
    let mut c = SocksConnecter::new("example:8080", &options).unwrap();
    assert_eq!(c.event_endpoint().unwrap(), format!("tcp://{proxy}"));
    assert!(c.reports_connect_delayed());
    assert!(!c.has_connect_timer());
    assert!(!c.stops_on_refused());
    let mut stream = c.connect(&options).unwrap();
    drive(&mut *stream).unwrap();
    assert_eq!(stream.peer_endpoint(), format!("tcp://{proxy}"));
    assert_eq!(stream.peer_address(), "127.0.0.1");
    // The bytes after the reply are the engine's.
    let mut buf = [0u8; 16];
    let mut got = Vec::new();
    let mut poll = Poll::new().unwrap();
    let mut events = Events::with_capacity(4);
    poll.registry()
        .register(&mut *stream, Token(0), Interest::READABLE)
        .unwrap();
    while got.len() < 5 {
        match stream.read(&mut buf) {
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => wait(&mut poll, &mut events),
            Err(e) => panic!("read: {e}"),
        }
    }
    assert_eq!(got, b"hello");
    drop(stream);
    t.join().unwrap();
}

#[test]
fn a_proxy_that_hangs_up_fails_the_attempt() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = listener.local_addr().unwrap().to_string();
    let t = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut greeting = [0u8; 3];
        conn.read_exact(&mut greeting).unwrap();
        // Half a choice, then gone.
        conn.write_all(&[5]).unwrap();
    });
    let options = proxy_options(&proxy, "", "");
    let mut c = SocksConnecter::new("127.0.0.1:1", &options).unwrap();
    let mut stream = c.connect(&options).unwrap();
    let e = drive(&mut *stream).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnexpectedEof);
    t.join().unwrap();
}

#[test]
fn a_refused_proxy_connect_is_the_attempts_error() {
    let proxy = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    let options = proxy_options(&proxy, "", "");
    let mut c = SocksConnecter::new("127.0.0.1:1", &options).unwrap();
    let mut stream = c.connect(&options).unwrap();
    let e = drive(&mut *stream).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ECONNREFUSED));
}

#[test]
fn the_target_syntax_is_checked_and_the_proxy_address_is_not() {
    let options = proxy_options("not a proxy", "", "");
    assert_eq!(
        SocksConnecter::new("*:5555", &options).err(),
        Some(crate::Error::EINVAL)
    );
    let mut c = SocksConnecter::new("127.0.0.1:5555", &options).unwrap();
    assert_eq!(c.event_endpoint().unwrap(), "tcp://not a proxy");
    // Each attempt fails at resolving it instead.
    assert!(c.connect(&options).is_err());
}
