//! One ZMTP engine fed a peer's bytes: the greeting alone, the decoder
//! alone, and the whole engine (greeting, version fallbacks, NULL, PLAIN
//! and CURVE handshakes as server or client, ZAP, heartbeats, traffic).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::{Input, CHUNKS, MAX_MSG_SIZES};
use crate::msg::{flags, Msg};
use crate::options::consts::*;
use crate::options::Options;
use crate::zmtp::greeting::{Greeting, Progress};
use crate::zmtp::mechanism::curve::keys;
use crate::zmtp::{Decoder, Engine, EngineConfig, Event, Framing};

/// The socket types whose connections run the ZMTP engine.
pub(crate) const ZMTP_TYPES: [i32; 19] = [
    ZMQ_PAIR,
    ZMQ_PUB,
    ZMQ_SUB,
    ZMQ_REQ,
    ZMQ_REP,
    ZMQ_DEALER,
    ZMQ_ROUTER,
    ZMQ_PULL,
    ZMQ_PUSH,
    ZMQ_XPUB,
    ZMQ_XSUB,
    ZMQ_SERVER,
    ZMQ_CLIENT,
    ZMQ_RADIO,
    ZMQ_DISH,
    ZMQ_GATHER,
    ZMQ_SCATTER,
    ZMQ_PEER,
    ZMQ_CHANNEL,
];

/// The PLAIN credentials every harness uses.
pub(crate) const USERNAME: &[u8] = b"admin";
pub(crate) const PASSWORD: &[u8] = b"password";

/// Fixed CURVE keys, so that a crashing input replays.
pub(crate) struct CurveKeys {
    server_public: [u8; 32],
    server_secret: [u8; 32],
    client_public: [u8; 32],
    client_secret: [u8; 32],
}

fn curve_keys() -> &'static CurveKeys {
    static KEYS: OnceLock<CurveKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let (server_secret, client_secret) = ([0x11; 32], [0x22; 32]);
        CurveKeys {
            server_public: keys::public_key(&server_secret),
            server_secret,
            client_public: keys::public_key(&client_secret),
            client_secret,
        }
    })
}

/// The security settings byte: low 3 bits pick NULL, NULL with a ZAP
/// domain, PLAIN server, PLAIN client, CURVE server, CURVE client; bit 7
/// turns heartbeats on.
pub(crate) fn secure(o: &mut Options, security: u8) {
    let k = curve_keys();
    match security & 7 {
        1 => o.zap_domain = b"global".to_vec(),
        2 => {
            o.mechanism = ZMQ_PLAIN;
            o.as_server = true;
        }
        3 => {
            o.mechanism = ZMQ_PLAIN;
            o.plain_username = USERNAME.to_vec();
            o.plain_password = PASSWORD.to_vec();
        }
        4 => {
            o.mechanism = ZMQ_CURVE;
            o.as_server = true;
            (o.curve_public_key, o.curve_secret_key) = (k.server_public, k.server_secret);
        }
        5 => {
            o.mechanism = ZMQ_CURVE;
            (o.curve_public_key, o.curve_secret_key) = (k.client_public, k.client_secret);
            o.curve_server_key = k.server_public;
        }
        _ => {}
    }
    if security & 0x80 != 0 {
        o.heartbeat_interval = 10;
        o.heartbeat_timeout = 30;
    }
}

/// A ZAP reply for the harnesses' handler: `status` with a user id and
/// one metadata property.
pub(crate) fn zap_reply_frames(status: &[u8]) -> Vec<Msg> {
    let parts: [&[u8]; 7] = [
        b"",
        b"1.0",
        b"1",
        status,
        b"OK",
        b"user",
        b"\x05Hello\x00\x00\x00\x05World",
    ];
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut m = Msg::from_slice(p);
            m.set_more(i < 6);
            m
        })
        .collect()
}

/// The greeting alone. Layout: `[socket type][mechanism][read size]`, then
/// the peer's bytes.
pub fn greeting(data: &[u8]) {
    let mut input = Input::new(data);
    let socket_type = input.pick(&ZMTP_TYPES);
    let mechanism = input.pick(&[&b"NULL"[..], b"PLAIN", b"CURVE"]);
    let chunk = input.pick(&CHUNKS);
    let mut peer = input.rest();
    let mut g = Greeting::new(socket_type, mechanism);
    let mut out = Vec::new();
    let mut used = 0;
    while !peer.is_empty() {
        let n = peer.len().min(chunk);
        let (took, progress) = g.feed(&peer[..n], &mut out);
        assert!(took <= n);
        used += took;
        peer = &peer[took..];
        if let Progress::Done(p) = progress {
            let got = g.received();
            assert!(!got.is_empty() && got.len() <= 64 && used <= 64);
            if p.has_mechanism() {
                assert_eq!(got.len(), 64, "a ZMTP 3 greeting is read whole");
                assert_eq!(g.peer_mechanism().len(), 20);
            }
            break;
        }
        assert_eq!(took, n, "an unfinished greeting takes everything");
    }
    // Our greeting after the signature: the major version, then the rest.
    assert!(out.len() <= 64 - 10);
}

/// The frame decoder alone. Layout: `[framing][in batch size][max msg
/// size][read size]`, then the peer's bytes.
pub fn decoder(data: &[u8]) {
    let mut input = Input::new(data);
    let framing = input.pick(&[Framing::V1, Framing::V2, Framing::V3_1]);
    let batch = input.pick(&[1, 7, 64, 8192]);
    let max = input.pick(&MAX_MSG_SIZES);
    let chunk = input.pick(&CHUNKS);
    let mut peer = input.rest();
    let mut d = Decoder::new(framing, batch, max);
    loop {
        match d.decode() {
            Ok(Some(m)) => {
                assert!(m.size() as u64 <= max as u64, "over ZMQ_MAXMSGSIZE");
                continue;
            }
            Ok(None) => {}
            Err(_) => {
                assert!(d.decode().is_err(), "a failed decoder stays failed");
                return;
            }
        }
        if peer.is_empty() {
            return;
        }
        let n = d.feed(&peer[..peer.len().min(chunk)]);
        assert!(n > 0, "a drained decoder takes input");
        peer = &peer[n..];
    }
}

/// The ZMTP engine of one connection, fed the peer's side. Layout:
/// `[socket type][security (see secure)][max msg size][in batch size]
/// [read size][ZAP answer]`, then the peer's bytes. The ZAP answer byte
/// picks no handler or a reply of 200, 300, 400 or 500.
pub fn engine(data: &[u8]) {
    let mut input = Input::new(data);
    let mut o = Options::new(input.pick(&ZMTP_TYPES));
    secure(&mut o, input.byte());
    o.maxmsgsize = input.pick(&MAX_MSG_SIZES);
    o.in_batch_size = input.pick(&[1, 7, 64, 8192]);
    let chunk = input.pick(&CHUNKS);
    let zap = input.pick(&[&b""[..], b"200", b"300", b"400", b"500"]);
    let now = Instant::now();
    let mut e = Engine::new(EngineConfig::new(&o, "127.0.0.1", Some(7)), now);
    // A legacy peer of PUB/XPUB gets a phantom subscription of ours (see
    // Engine::process), which no limit applies to.
    let max = if matches!(o.socket_type, ZMQ_PUB | ZMQ_XPUB) {
        -1
    } else {
        o.maxmsgsize
    };
    let mut watch = Watch::new(max);
    let mut peer = input.rest();
    let mut t = now;
    let mut sent = 0;
    loop {
        while let Some(ev) = e.poll_event() {
            if let Event::ZapRequest(_) = ev {
                match zap {
                    b"" => e.zap_unavailable(),
                    status => e.zap_reply(&zap_reply_frames(status)),
                }
            }
            watch.see(&ev);
        }
        if e.is_closed() || peer.is_empty() {
            break;
        }
        if e.can_send() && sent < 8 {
            sent += 1;
            let mut m = Msg::from_slice(b"from us");
            m.set_more(sent % 3 == 1);
            assert!(e.send(m).is_ok(), "can_send means send takes it");
        }
        let mut out = Vec::new();
        e.take_transmit(&mut out);
        let buf = e.read_buf();
        assert!(!buf.is_empty(), "a drained, open engine takes input");
        let n = buf.len().min(peer.len()).min(chunk);
        buf[..n].copy_from_slice(&peer[..n]);
        e.advance_read(n, t);
        peer = &peer[n..];
        // A millisecond per read: heartbeats fire within long inputs.
        t += Duration::from_millis(1);
        e.on_timeout(t);
    }
    e.on_timeout(t + Duration::from_secs(60));
    e.connection_lost(libc::EPIPE);
    while let Some(ev) = e.poll_event() {
        watch.see(&ev);
    }
    assert!(e.is_closed());
    assert_eq!(watch.closed, 1, "closed exactly once");
}

/// Checks the order of one engine's events: nothing before the engine is
/// ready but failures and ZAP requests, nothing after the end, messages
/// within `ZMQ_MAXMSGSIZE`.
pub(crate) struct Watch {
    max: i64,
    ready: bool,
    pub(crate) closed: usize,
    pub(crate) succeeded: bool,
    pub(crate) messages: Vec<Vec<u8>>,
}

impl Watch {
    pub(crate) fn new(max: i64) -> Watch {
        Watch {
            max,
            ready: false,
            closed: 0,
            succeeded: false,
            messages: Vec::new(),
        }
    }

    pub(crate) fn see(&mut self, ev: &Event) {
        assert_eq!(self.closed, 0, "an event after Closed: {ev:?}");
        match ev {
            Event::EngineReady => {
                assert!(!self.ready, "ready twice");
                self.ready = true;
            }
            Event::Message(m) => {
                assert!(self.ready, "a message before the engine is ready");
                let special = flags::ROUTING_ID | flags::SUBSCRIBE | flags::CANCEL;
                if m.flags() & special == 0 && self.max >= 0 {
                    assert!(m.size() as u64 <= self.max as u64, "over ZMQ_MAXMSGSIZE");
                }
                if m.flags() & special == 0 && !m.data().is_empty() {
                    self.messages.push(m.data().to_vec());
                }
            }
            Event::HandshakeSucceeded => {
                assert!(self.ready && !self.succeeded);
                self.succeeded = true;
            }
            Event::Closed(_) => self.closed += 1,
            _ => {}
        }
    }
}
