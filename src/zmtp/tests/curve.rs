//! CURVE between engines: handshakes with and without ZAP, traffic,
//! heartbeats, metadata, and a man in the middle that forges, truncates,
//! replays and corrupts commands, each failure with libzmq's event.

use super::*;
use crate::zmtp::mechanism::curve::keys;
use crate::zmtp::protocol_error::*;

use crate::zmtp::mechanism::zap::tests::reply as zap_reply;

pub(super) struct Keys {
    pub server_public: [u8; 32],
    pub server_secret: [u8; 32],
    pub client_public: [u8; 32],
    pub client_secret: [u8; 32],
}

pub(super) fn keys() -> Keys {
    let (sp, ss) = keys::keypair();
    let (cp, cs) = keys::keypair();
    Keys {
        server_public: sp,
        server_secret: *ss.bytes(),
        client_public: cp,
        client_secret: *cs.bytes(),
    }
}

pub(super) fn curve_client(k: &Keys) -> Options {
    let mut o = opts(ZMQ_DEALER);
    o.mechanism = ZMQ_CURVE;
    o.curve_public_key = k.client_public;
    o.curve_secret_key = k.client_secret;
    o.curve_server_key = k.server_public;
    o.routing_id = b"client".to_vec();
    o
}

pub(super) fn curve_server(k: &Keys) -> Options {
    let mut o = opts(ZMQ_ROUTER);
    o.mechanism = ZMQ_CURVE;
    o.as_server = true;
    o.curve_secret_key = k.server_secret;
    o.curve_public_key = k.server_public;
    o
}

/// `o`'s security settings on a socket of type `t`.
fn retype(o: Options, t: i32) -> Options {
    let mut n = opts(t);
    n.mechanism = o.mechanism;
    n.as_server = o.as_server;
    n.curve_public_key = o.curve_public_key;
    n.curve_secret_key = o.curve_secret_key;
    n.curve_server_key = o.curve_server_key;
    n
}

/// What the harness does with the server's ZAP request.
enum Zap {
    Unavailable,
    Reply(Vec<Msg>),
}

/// A change to one frame's body.
type Edit = Box<dyn FnMut(Vec<u8>) -> Vec<u8>>;

pub(super) type Filter = Box<dyn FnMut(usize, u8, Vec<u8>) -> Vec<(u8, Vec<u8>)>>;

/// One direction of the wire: passes the 64-byte greeting and re-frames
/// each later frame through a filter (index, flags, body -> frames).
pub(super) struct Link {
    buf: Vec<u8>,
    greeting_left: usize,
    index: usize,
    pub filter: Filter,
}

impl Link {
    fn new() -> Link {
        Link {
            buf: Vec::new(),
            greeting_left: 64,
            index: 0,
            filter: Box::new(|_, f, b| vec![(f, b)]),
        }
    }

    fn push(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let g = self.greeting_left.min(bytes.len());
        out.extend_from_slice(&bytes[..g]);
        self.greeting_left -= g;
        self.buf.extend_from_slice(&bytes[g..]);
        while let Some(&flags) = self.buf.first() {
            let (hdr, size) = if flags & 2 != 0 {
                if self.buf.len() < 9 {
                    break;
                }
                let mut s = [0u8; 8];
                s.copy_from_slice(&self.buf[1..9]);
                (9, u64::from_be_bytes(s) as usize)
            } else {
                if self.buf.len() < 2 {
                    break;
                }
                (2, self.buf[1] as usize)
            };
            if self.buf.len() < hdr + size {
                break;
            }
            let body = self.buf[hdr..hdr + size].to_vec();
            self.buf.drain(..hdr + size);
            for (f, b) in (self.filter)(self.index, flags & !2, body) {
                if b.len() > 255 {
                    out.push(f | 2);
                    out.extend_from_slice(&(b.len() as u64).to_be_bytes());
                } else {
                    out.extend_from_slice(&[f, b.len() as u8]);
                }
                out.extend_from_slice(&b);
            }
            self.index += 1;
        }
        out
    }
}

pub(super) struct Mitm {
    pub c: Engine,
    pub s: Engine,
    c_events: Vec<Event>,
    s_events: Vec<Event>,
    pub up: Link,
    pub down: Link,
    zap: Zap,
    zap_requests: Vec<ZapRequest>,
    now: Instant,
    /// Largest read per step (1 = byte at a time).
    pub chunk: usize,
}

impl Mitm {
    pub fn new(client: &Options, server: &Options) -> Mitm {
        let now = Instant::now();
        Mitm {
            c: engine(client, now),
            s: engine(server, now),
            c_events: Vec::new(),
            s_events: Vec::new(),
            up: Link::new(),
            down: Link::new(),
            zap: Zap::Unavailable,
            zap_requests: Vec::new(),
            now,
            chunk: usize::MAX,
        }
    }

    fn pair() -> Mitm {
        let k = keys();
        Mitm::new(&curve_client(&k), &curve_server(&k))
    }

    fn drain(&mut self) {
        while let Some(e) = self.c.poll_event() {
            self.c_events.push(e);
        }
        let mut ev = Vec::new();
        while let Some(e) = self.s.poll_event() {
            ev.push(e);
        }
        self.server_events(ev);
    }

    /// Records the server's events, answering ZAP requests as told.
    fn server_events(&mut self, events: Vec<Event>) {
        for e in events {
            let Event::ZapRequest(r) = e else {
                self.s_events.push(e);
                continue;
            };
            self.zap_requests.push(r);
            self.s_events
                .push(Event::ZapRequest(ZapRequest { frames: vec![] }));
            match &self.zap {
                Zap::Unavailable => self.s.zap_unavailable(),
                Zap::Reply(frames) => {
                    let frames: Vec<Msg> = frames
                        .iter()
                        .enumerate()
                        .map(|(i, m)| {
                            let mut m = Msg::from_slice(m.data());
                            m.set_more(i < 6);
                            m
                        })
                        .collect();
                    self.s.zap_reply(&frames);
                }
            }
        }
    }

    pub fn run(&mut self) {
        for _ in 0..10_000 {
            self.drain();
            let up = output(&mut self.c);
            let down = output(&mut self.s);
            if up.is_empty() && down.is_empty() {
                self.drain();
                if !self.c.has_transmit() && !self.s.has_transmit() {
                    return;
                }
                continue;
            }
            let up = self.up.push(&up);
            let down = self.down.push(&down);
            let ev = feed_chunked(&mut self.s, &up, self.chunk, self.now);
            self.server_events(ev);
            self.drain();
            let ev = feed_chunked(&mut self.c, &down, self.chunk, self.now);
            self.c_events.extend(ev);
        }
        panic!("the engines never went quiet");
    }

    pub fn advance(&mut self, ms: u64) {
        self.now += Duration::from_millis(ms);
        self.c.on_timeout(self.now);
        self.s.on_timeout(self.now);
        self.run();
    }
}

fn protocol(code: i32) -> String {
    format!("protocol:{code:#x}")
}

const CLOSED: &str = "closed:Protocol";

#[test]
fn curve_handshake_without_zap_handler_is_stonehouse() {
    let mut m = Mitm::pair();
    m.run();
    assert_eq!(names(&m.c_events), ["ready", "succeeded"]);
    assert_eq!(
        names(&m.s_events),
        ["zap", "ready", "id:client", "succeeded"]
    );
    // ZAP was asked exactly once, with libzmq's frames.
    assert_eq!(m.zap_requests.len(), 1);
    let r = &m.zap_requests[0];
    assert_eq!(r.frames.len(), 8);
    assert_eq!(r.frame(3), b"", "no domain");
    assert_eq!(r.frame(6), b"CURVE");
    assert_eq!(r.frame(7), m.c.config().curve_public_key);
}

#[test]
fn curve_messages_flow_both_ways_encrypted() {
    let mut m = Mitm::pair();
    m.run();
    let big: Vec<u8> = (0..1 << 20).map(|i| (i * 7) as u8).collect();
    let mut first = Msg::from_slice(b"secret part one");
    first.set_more(true);
    m.c.send(first).unwrap();
    m.c.send(Msg::new()).unwrap();
    m.s.send(Msg::from_slice(&big)).unwrap();
    m.s.send(Msg::from_slice(b"")).unwrap();
    let wire_up = output(&mut m.c);
    assert!(
        !wire_up.windows(6).any(|w| w == b"secret"),
        "no plaintext on the wire"
    );
    assert!(wire_up.starts_with(b"\x00\x30\x07MESSAGE\0\0\0\0\0\0\0\x03"));
    let ev = feed(&mut m.s, &m.up.push(&wire_up), m.now);
    let got = messages(&ev);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].data(), b"secret part one");
    assert!(got[0].has_more() && !got[1].has_more());
    assert_eq!(got[1].size(), 0);
    let meta = got[0].metadata().unwrap();
    assert_eq!(meta.get("Socket-Type").unwrap().to_bytes(), b"DEALER");
    assert_eq!(meta.get("Identity").unwrap().to_bytes(), b"client");
    m.c_events.clear();
    m.run();
    let got = messages(&m.c_events);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].data(), &big[..]);
    assert_eq!(got[1].size(), 0);
    assert!(!got[0].has_more());
    assert_eq!(
        got[0]
            .metadata()
            .unwrap()
            .get("Socket-Type")
            .unwrap()
            .to_bytes(),
        b"ROUTER"
    );
}

fn zap_pair(status: &[u8], meta: &[u8]) -> Mitm {
    let k = keys();
    let mut server = curve_server(&k);
    server.zap_domain = b"global".to_vec();
    let mut m = Mitm::new(&curve_client(&k), &server);
    m.zap = Zap::Reply(zap_reply(status, b"alice", meta));
    m.run();
    m
}

#[test]
fn curve_zap_200_gives_user_id_and_metadata_to_the_server() {
    let mut meta = Vec::new();
    command::put_property(&mut meta, b"Hello", b"World");
    let mut m = zap_pair(b"200", &meta);
    assert_eq!(m.zap_requests[0].frame(3), b"global");
    assert_eq!(names(&m.c_events), ["ready", "succeeded"]);
    assert_eq!(
        names(&m.s_events),
        ["zap", "ready", "id:client", "succeeded"]
    );
    m.c.send(Msg::from_slice(b"hi")).unwrap();
    m.run();
    let got = messages(&m.s_events);
    let meta = got.last().unwrap().metadata().unwrap();
    assert_eq!(meta.get("User-Id").unwrap().to_bytes(), b"alice");
    assert_eq!(meta.get("Hello").unwrap().to_bytes(), b"World");
    assert_eq!(meta.get("Peer-Address").unwrap().to_bytes(), b"127.0.0.1");
}

#[test]
fn curve_zap_400_and_500_send_error_and_the_client_reports_auth() {
    for status in [&b"400"[..], b"500"] {
        let m = zap_pair(status, b"");
        let auth = format!("auth:{}", std::str::from_utf8(status).unwrap());
        assert_eq!(names(&m.s_events), ["zap".to_string(), auth.clone()]);
        assert_eq!(names(&m.c_events), [auth, CLOSED.into()]);
        assert!(!m.s.is_closed(), "the server waits for the client to go");
    }
}

#[test]
fn curve_zap_300_sends_nothing() {
    let mut m = zap_pair(b"300", b"");
    assert_eq!(names(&m.s_events), ["zap", "auth:300"]);
    assert!(m.c_events.is_empty(), "the client hears nothing");
    m.advance(30_000);
    let timeout = format!("no-detail:{}", engine::TIMEOUT_ERRNO);
    assert_eq!(names(&m.c_events), [timeout, "closed:Timeout".into()]);
}

#[test]
fn curve_zap_malformed_reply_is_a_protocol_error() {
    let m = zap_pair(b"999", b"");
    assert_eq!(
        names(&m.s_events),
        [
            "zap".to_string(),
            protocol(ZAP_INVALID_STATUS_CODE),
            CLOSED.into()
        ]
    );
}

#[test]
fn curve_no_zap_handler_with_enforced_domain_fails() {
    let k = keys();
    let mut server = curve_server(&k);
    server.zap_domain = b"global".to_vec();
    server.zap_enforce_domain = true;
    let mut m = Mitm::new(&curve_client(&k), &server);
    m.run();
    let nd = format!("no-detail:{}", libc::EFAULT);
    assert_eq!(names(&m.s_events), ["zap".to_string(), nd, CLOSED.into()]);
    assert!(m.c_events.is_empty());
}

#[test]
fn curve_enforced_without_domain_skips_zap() {
    let k = keys();
    let mut server = curve_server(&k);
    server.zap_enforce_domain = true;
    let mut m = Mitm::new(&curve_client(&k), &server);
    m.run();
    assert!(m.zap_requests.is_empty());
    assert_eq!(names(&m.s_events), ["ready", "id:client", "succeeded"]);
    assert_eq!(names(&m.c_events), ["ready", "succeeded"]);
}

#[test]
fn curve_heartbeats_travel_as_messages() {
    let k = keys();
    let mut client = curve_client(&k);
    client.heartbeat_interval = 100;
    client.heartbeat_ttl = 20;
    client.heartbeat_timeout = 300;
    let mut m = Mitm::new(&client, &curve_server(&k));
    m.run();
    m.now += Duration::from_millis(100);
    m.c.on_timeout(m.now);
    let ping = output(&mut m.c);
    // flags 0, 8 + 8 + 16 + 1 + "\x04PING" + TTL.
    assert_eq!(&ping[..10], b"\x00\x28\x07MESSAGE");
    let ev = feed(&mut m.s, &m.up.push(&ping), m.now);
    assert!(ev.is_empty(), "PING is not a message");
    let pong = output(&mut m.s);
    assert_eq!(&pong[..10], b"\x00\x26\x07MESSAGE", "PONG, encrypted");
    assert_eq!(
        m.s.next_timeout(),
        Some(m.now + Duration::from_millis(2000))
    );
    feed(&mut m.c, &m.down.push(&pong), m.now);
    assert_eq!(m.c.next_timeout(), Some(m.now + Duration::from_millis(100)));
    for _ in 0..10 {
        m.advance(100);
    }
    assert!(!m.c.is_closed() && !m.s.is_closed());
}

#[test]
fn curve_wrong_server_key_fails_on_the_server() {
    let k = keys();
    let mut client = curve_client(&k);
    client.curve_server_key = keys().server_public;
    let mut m = Mitm::new(&client, &curve_server(&k));
    m.run();
    assert_eq!(
        names(&m.s_events),
        [protocol(ZMTP_CRYPTOGRAPHIC), CLOSED.into()]
    );
    assert!(m.c_events.is_empty());
    // The client then sees the connection go, during the handshake.
    m.c.connection_lost(libc::EPIPE);
    m.run();
    let nd = format!("no-detail:{}", libc::EPIPE);
    assert_eq!(names(&m.c_events), [nd, "closed:Connection".into()]);
}

#[test]
fn curve_client_without_server_key_cannot_say_hello() {
    let k = keys();
    let mut client = curve_client(&k);
    client.curve_server_key = [0; 32];
    let mut m = Mitm::new(&client, &curve_server(&k));
    m.run();
    assert_eq!(names(&m.c_events), [protocol(ZMTP_CRYPTOGRAPHIC)]);
    assert!(m.s_events.is_empty());
}

fn tamper_up(f: impl FnMut(usize, u8, Vec<u8>) -> Vec<(u8, Vec<u8>)> + 'static) -> Mitm {
    let mut m = Mitm::pair();
    m.up.filter = Box::new(f);
    m.run();
    m
}

fn tamper_down(f: impl FnMut(usize, u8, Vec<u8>) -> Vec<(u8, Vec<u8>)> + 'static) -> Mitm {
    let mut m = Mitm::pair();
    m.down.filter = Box::new(f);
    m.run();
    m
}

/// Replaces frame `at` with `with(body)`.
fn at(
    n: usize,
    mut with: impl FnMut(Vec<u8>) -> Vec<u8> + 'static,
) -> impl FnMut(usize, u8, Vec<u8>) -> Vec<(u8, Vec<u8>)> {
    move |i, f, b| {
        if i == n {
            vec![(f, with(b))]
        } else {
            vec![(f, b)]
        }
    }
}

fn flip(pos: usize) -> impl FnMut(Vec<u8>) -> Vec<u8> {
    move |mut b| {
        let p = pos.min(b.len() - 1);
        b[p] ^= 0x20;
        b
    }
}

#[test]
fn forged_and_malformed_hello() {
    let cases: Vec<(Edit, i32)> = vec![
        (Box::new(flip(150)), ZMTP_CRYPTOGRAPHIC),
        (Box::new(flip(90)), ZMTP_CRYPTOGRAPHIC),
        (Box::new(flip(115)), ZMTP_CRYPTOGRAPHIC),
        (Box::new(flip(6)), ZMTP_MALFORMED_COMMAND_HELLO),
        (
            Box::new(|b: Vec<u8>| b[..199].to_vec()),
            ZMTP_MALFORMED_COMMAND_HELLO,
        ),
        (
            Box::new(|b: Vec<u8>| [b, vec![0]].concat()),
            ZMTP_MALFORMED_COMMAND_HELLO,
        ),
        (
            Box::new(|_| b"\x05".to_vec()),
            ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
        ),
        (
            Box::new(|_| b"\x05HELLX\x01\x00".to_vec()),
            ZMTP_UNEXPECTED_COMMAND,
        ),
        (
            Box::new(|_| b"\x05HELLO".to_vec()),
            ZMTP_MALFORMED_COMMAND_HELLO,
        ),
    ];
    for (i, (f, code)) in cases.into_iter().enumerate() {
        let m = tamper_up(at(0, f));
        assert_eq!(
            names(&m.s_events),
            [protocol(code), CLOSED.into()],
            "case {i}"
        );
    }
}

#[test]
fn replayed_hello_is_unexpected() {
    let m = tamper_up(|i, f, b| {
        if i == 0 {
            vec![(f, b.clone()), (f, b)]
        } else {
            vec![(f, b)]
        }
    });
    assert_eq!(
        names(&m.s_events),
        [protocol(ZMTP_UNEXPECTED_COMMAND), CLOSED.into()]
    );
}

#[test]
fn forged_and_malformed_initiate() {
    let cases: Vec<(Edit, i32)> = vec![
        // Cookie nonce, cookie box, short nonce, the box, the vouch inside.
        (Box::new(flip(12)), ZMTP_CRYPTOGRAPHIC),
        (Box::new(flip(60)), ZMTP_CRYPTOGRAPHIC),
        (Box::new(flip(107)), ZMTP_CRYPTOGRAPHIC),
        (Box::new(flip(200)), ZMTP_CRYPTOGRAPHIC),
        (Box::new(flip(10_000)), ZMTP_CRYPTOGRAPHIC),
        (
            Box::new(|b: Vec<u8>| b[..256].to_vec()),
            ZMTP_MALFORMED_COMMAND_INITIATE,
        ),
        (
            Box::new(|b: Vec<u8>| b[..b.len() - 1].to_vec()),
            ZMTP_CRYPTOGRAPHIC,
        ),
        (
            Box::new(|_| b"\x08INITIATE".to_vec()),
            ZMTP_MALFORMED_COMMAND_INITIATE,
        ),
        (
            Box::new(|_| b"\x09INITIATE".to_vec()),
            ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
        ),
        (Box::new(|_| vec![0x08; 300]), ZMTP_UNEXPECTED_COMMAND),
    ];
    for (i, (f, code)) in cases.into_iter().enumerate() {
        let m = tamper_up(at(1, f));
        assert_eq!(
            names(&m.s_events),
            [protocol(code), CLOSED.into()],
            "case {i}"
        );
    }
}

#[test]
fn initiate_replayed_to_another_server_fails_the_cookie() {
    let k = keys();
    let mut first = Mitm::new(&curve_client(&k), &curve_server(&k));
    let captured = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let c2 = captured.clone();
    first.up.filter = Box::new(move |i, f, b| {
        if i <= 1 {
            c2.borrow_mut().push(b.clone());
        }
        vec![(f, b)]
    });
    first.run();
    assert_eq!(names(&first.c_events), ["ready", "succeeded"]);
    // A new connection to the same server key: the old HELLO passes (it
    // only proves knowledge of S), the old INITIATE's cookie does not.
    let mut s = engine(&curve_server(&k), first.now);
    let mut input = greeting(1, b"CURVE");
    for b in captured.borrow().iter() {
        input.push(if b.len() > 255 { 6 } else { 4 });
        if b.len() > 255 {
            input.extend_from_slice(&(b.len() as u64).to_be_bytes());
        } else {
            input.push(b.len() as u8);
        }
        input.extend_from_slice(b);
    }
    let ev = feed_chunked(&mut s, &input, 1, first.now);
    assert_eq!(names(&ev), [protocol(ZMTP_CRYPTOGRAPHIC), CLOSED.into()]);
}

#[test]
fn replayed_initiate_is_refused() {
    // Right behind the first, while ZAP is being asked (as libzmq).
    let m = tamper_up(|i, f, b| {
        if i == 1 {
            vec![(f, b.clone()), (f, b)]
        } else {
            vec![(f, b)]
        }
    });
    assert_eq!(
        names(&m.s_events),
        ["zap".to_string(), protocol(ZMTP_UNSPECIFIED), CLOSED.into()]
    );
    // After the handshake: not a MESSAGE.
    let captured = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let c2 = captured.clone();
    let mut m = tamper_up(move |i, f, b| {
        if i == 1 {
            c2.borrow_mut().push(b.clone());
        }
        vec![(f, b)]
    });
    let initiate = captured.borrow()[0].clone();
    let mut wire = vec![6];
    wire.extend_from_slice(&(initiate.len() as u64).to_be_bytes());
    wire.extend_from_slice(&initiate);
    let ev = feed(&mut m.s, &wire, m.now);
    assert_eq!(
        names(&ev),
        [protocol(ZMTP_UNEXPECTED_COMMAND), CLOSED.into()]
    );
}

#[test]
fn forged_and_malformed_welcome_and_ready() {
    let cases: Vec<(usize, Edit, i32)> = vec![
        (0, Box::new(flip(10)), ZMTP_CRYPTOGRAPHIC),
        (0, Box::new(flip(100)), ZMTP_CRYPTOGRAPHIC),
        (
            0,
            Box::new(|b: Vec<u8>| b[..167].to_vec()),
            ZMTP_CRYPTOGRAPHIC,
        ),
        (0, Box::new(|_| b"\x07WELCOME".to_vec()), ZMTP_CRYPTOGRAPHIC),
        (
            0,
            Box::new(|_| b"\x05READY".to_vec()),
            ZMTP_MALFORMED_COMMAND_READY,
        ),
        (
            0,
            Box::new(|_| [b"\x05READY".to_vec(), vec![0; 40]].concat()),
            ZMTP_CRYPTOGRAPHIC,
        ),
        (
            0,
            Box::new(|_| b"\x05HELLO".to_vec()),
            ZMTP_UNEXPECTED_COMMAND,
        ),
        (1, Box::new(flip(8)), ZMTP_CRYPTOGRAPHIC),
        (1, Box::new(flip(40)), ZMTP_CRYPTOGRAPHIC),
        (
            1,
            Box::new(|b: Vec<u8>| b[..29].to_vec()),
            ZMTP_MALFORMED_COMMAND_READY,
        ),
        (
            1,
            Box::new(|_| b"\x05ERROR".to_vec()),
            ZMTP_MALFORMED_COMMAND_ERROR,
        ),
    ];
    for (i, (n, f, code)) in cases.into_iter().enumerate() {
        let m = tamper_down(at(n, f));
        assert_eq!(
            names(&m.c_events),
            [protocol(code), CLOSED.into()],
            "case {i}"
        );
    }
    // An ERROR with a ZAP status, before WELCOME.
    let m = tamper_down(at(0, |_| b"\x05ERROR\x03400".to_vec()));
    assert_eq!(names(&m.c_events), ["auth:400", CLOSED]);
}

#[test]
fn corrupted_message_box_is_cryptographic() {
    let mut m = Mitm::pair();
    m.down.filter = Box::new(at(2, flip(40)));
    m.run();
    m.s.send(Msg::from_slice(b"payload")).unwrap();
    m.run();
    assert_eq!(
        names(&m.c_events)[2..],
        [protocol(ZMTP_CRYPTOGRAPHIC), CLOSED.into()]
    );
}

#[test]
fn replayed_or_reordered_message_is_invalid_sequence() {
    // Replay: the same MESSAGE twice.
    let mut m = Mitm::pair();
    m.up.filter = Box::new(|i, f, b| {
        if i == 2 {
            vec![(f, b.clone()), (f, b)]
        } else {
            vec![(f, b)]
        }
    });
    m.run();
    m.c.send(Msg::from_slice(b"once")).unwrap();
    m.run();
    let n = names(&m.s_events);
    assert_eq!(
        n[n.len() - 3..],
        [
            "msg:once".to_string(),
            protocol(ZMTP_INVALID_SEQUENCE),
            CLOSED.into()
        ]
    );
    // Reorder: the second message first.
    let mut m = Mitm::pair();
    let held = std::rc::Rc::new(std::cell::RefCell::new(None));
    m.up.filter = Box::new(move |i, f, b| match i {
        2 => {
            *held.borrow_mut() = Some((f, b));
            vec![]
        }
        3 => vec![(f, b), held.borrow_mut().take().unwrap()],
        _ => vec![(f, b)],
    });
    m.run();
    m.c.send(Msg::from_slice(b"one")).unwrap();
    m.c.send(Msg::from_slice(b"two")).unwrap();
    m.run();
    let n = names(&m.s_events);
    assert_eq!(
        n[n.len() - 3..],
        [
            "msg:two".to_string(),
            protocol(ZMTP_INVALID_SEQUENCE),
            CLOSED.into()
        ]
    );
}

#[test]
fn plaintext_frames_after_the_handshake_are_refused() {
    let cases: [(&[u8], i32); 5] = [
        (b"\x00\x05hello", ZMTP_MALFORMED_COMMAND_UNSPECIFIED),
        (b"\x04\x07\x04PING\x00\x00", ZMTP_UNEXPECTED_COMMAND),
        (
            b"\x00\x0a\x07MESSAGE\x00\x00",
            ZMTP_MALFORMED_COMMAND_MESSAGE,
        ),
        (b"\x00\x08\x07MESSAGE", ZMTP_MALFORMED_COMMAND_MESSAGE),
        (b"\x00\x07\x07MESSAG", ZMTP_MALFORMED_COMMAND_UNSPECIFIED),
    ];
    for (bytes, code) in cases {
        let mut m = Mitm::pair();
        m.run();
        let ev = feed(&mut m.s, bytes, m.now);
        assert_eq!(names(&ev), [protocol(code), CLOSED.into()], "{bytes:?}");
    }
}

#[test]
fn curve_subscriptions_travel_inside_the_box() {
    let k = keys();
    let client = retype(curve_client(&k), ZMQ_XSUB);
    let server = retype(curve_server(&k), ZMQ_XPUB);
    let mut m = Mitm::new(&client, &server);
    m.run();
    assert_eq!(names(&m.s_events), ["zap", "ready", "succeeded"]);
    let mut sub = Msg::from_slice(b"news");
    sub.set_flags(crate::msg::flags::SUBSCRIBE);
    m.c.send(sub).unwrap();
    let wire = output(&mut m.c);
    assert!(!wire.windows(4).any(|w| w == b"news"));
    let ev = feed(&mut m.s, &m.up.push(&wire), m.now);
    let got = messages(&ev);
    assert!(got[0].is_subscribe(), "SUBSCRIBE over ZMTP 3.1");
    assert_eq!(got[0].data(), b"news");
}
