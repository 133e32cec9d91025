//! Two engines back to back running a real handshake (NULL, PLAIN or
//! CURVE, with a ZAP handler on the server's side), so that the fuzzer
//! reaches what a blind peer cannot forge: damaged CURVE boxes, WELCOME
//! and INITIATE parsing, MESSAGE decoding, ZAP replies after a valid
//! handshake.

use std::time::{Duration, Instant};

use super::engine::{secure, zap_reply_frames, Watch};
use super::{Input, CHUNKS};
use crate::msg::{flags, Msg};
use crate::options::consts::*;
use crate::options::Options;
use crate::zmtp::{Engine, EngineConfig, Event};

/// Client and server socket types tried together.
const PAIRS: [(i32, i32); 8] = [
    (ZMQ_DEALER, ZMQ_ROUTER),
    (ZMQ_PAIR, ZMQ_PAIR),
    (ZMQ_REQ, ZMQ_REP),
    (ZMQ_SUB, ZMQ_PUB),
    (ZMQ_XSUB, ZMQ_XPUB),
    (ZMQ_CLIENT, ZMQ_SERVER),
    (ZMQ_DISH, ZMQ_RADIO),
    (ZMQ_PUSH, ZMQ_PULL),
];

/// Peer messages after the handshake, each way.
const TRAFFIC: usize = 3;

/// A change to one direction's bytes at a stream offset.
#[derive(Clone, Copy)]
struct Op {
    at: usize,
    kind: u8,
    value: u8,
}

/// One direction of the wire, applying its changes as bytes pass.
struct Wire {
    passed: usize,
    ops: Vec<Op>,
    /// An op cut the connection here: nothing more arrives.
    cut: bool,
    touched: bool,
}

impl Wire {
    fn new(mut ops: Vec<Op>) -> Wire {
        ops.sort_by_key(|o| o.at);
        Wire {
            passed: 0,
            ops,
            cut: false,
            touched: false,
        }
    }

    /// `bytes` as they arrive at the other end.
    fn carry(&mut self, bytes: &[u8]) -> Vec<u8> {
        let end = self.passed + bytes.len();
        let mut out = Vec::with_capacity(bytes.len());
        let mut ops = self
            .ops
            .iter()
            .filter(|o| (self.passed..end).contains(&o.at));
        let mut next = ops.next();
        for (i, &b) in bytes.iter().enumerate() {
            let mut keep = Some(b);
            while let Some(op) = next.filter(|o| o.at == self.passed + i) {
                self.touched = true;
                match op.kind % 5 {
                    0 => keep = keep.map(|b| b ^ op.value.max(1)),
                    1 => keep = Some(op.value),
                    2 => out.push(op.value),
                    3 => keep = None,
                    _ => self.cut = true,
                }
                next = ops.next();
            }
            if self.cut {
                break;
            }
            out.extend(keep);
        }
        self.passed = end;
        out
    }
}

/// How the server's ZAP request is answered.
enum Zap {
    /// The harness's handler, always 200.
    Allow,
    /// These frames, once.
    Frames(Vec<Msg>),
}

struct Duo {
    client: Engine,
    server: Engine,
    cw: Watch,
    sw: Watch,
    up: Wire,
    down: Wire,
    chunk: usize,
    zap: Zap,
    zap_answered: bool,
    now: Instant,
}

impl Duo {
    /// Layout: `[mechanism][socket pair][read size]`; the mechanism byte's
    /// low two bits pick NULL, PLAIN or CURVE (2 and 3), bit 2 a ZAP domain
    /// for NULL, bit 7 heartbeats.
    fn new(input: &mut Input, up: Vec<Op>, down: Vec<Op>, zap: Zap) -> Duo {
        let mech = input.byte();
        let (ct, st) = input.pick(&PAIRS);
        let chunk = input.pick(&CHUNKS);
        let beat = mech & 0x80;
        let (cs, ss) = match mech & 3 {
            0 if mech & 4 != 0 => (0, 1),
            0 => (0, 0),
            1 => (3, 2),
            _ => (5, 4),
        };
        let options = |t: i32, security: u8, id: &[u8]| {
            let mut o = Options::new(t);
            secure(&mut o, security | beat);
            o.routing_id = id.to_vec();
            o.maxmsgsize = 1 << 20;
            o
        };
        let now = Instant::now();
        let engine = |o: &Options| Engine::new(EngineConfig::new(o, "127.0.0.1", Some(7)), now);
        Duo {
            client: engine(&options(ct, cs, b"client")),
            server: engine(&options(st, ss, b"")),
            cw: Watch::new(1 << 20),
            sw: Watch::new(1 << 20),
            up: Wire::new(up),
            down: Wire::new(down),
            chunk,
            zap,
            zap_answered: false,
            now,
        }
    }

    /// Shuttles bytes both ways until neither side has anything to say.
    fn run(&mut self) {
        for _ in 0..1000 {
            self.drain();
            let mut to_server = Vec::new();
            self.client.take_transmit(&mut to_server);
            let mut to_client = Vec::new();
            self.server.take_transmit(&mut to_client);
            if to_server.is_empty() && to_client.is_empty() {
                return;
            }
            let bytes = self.up.carry(&to_server);
            self.feed(true, &bytes);
            let bytes = self.down.carry(&to_client);
            self.feed(false, &bytes);
        }
        panic!("the engines never went quiet");
    }

    fn drain(&mut self) {
        self.drain_client();
        self.drain_server();
    }

    fn drain_client(&mut self) {
        while let Some(ev) = self.client.poll_event() {
            self.cw.see(&ev);
        }
    }

    fn drain_server(&mut self) {
        while let Some(ev) = self.server.poll_event() {
            if let Event::ZapRequest(_) = ev {
                self.zap_answered = true;
                match &self.zap {
                    Zap::Allow => self.server.zap_reply(&zap_reply_frames(b"200")),
                    Zap::Frames(f) => self.server.zap_reply(f),
                }
            }
            self.sw.see(&ev);
        }
    }

    /// Bytes into one side, in reads of at most `chunk`, its events
    /// drained between reads as an io layer must.
    fn feed(&mut self, to_server: bool, mut bytes: &[u8]) {
        loop {
            if to_server {
                self.drain_server();
            } else {
                self.drain_client();
            }
            let e = if to_server {
                &mut self.server
            } else {
                &mut self.client
            };
            if bytes.is_empty() || e.is_closed() {
                return;
            }
            let buf = e.read_buf();
            assert!(!buf.is_empty(), "a drained, open engine takes input");
            let n = buf.len().min(bytes.len()).min(self.chunk);
            buf[..n].copy_from_slice(&bytes[..n]);
            e.advance_read(n, self.now);
            bytes = &bytes[n..];
        }
    }

    /// Messages both ways, as far as each side takes them.
    fn traffic(&mut self) {
        for i in 0..TRAFFIC {
            let body = format!("message {i}");
            if self.client.can_send() {
                assert!(self.client.send(Msg::from_slice(body.as_bytes())).is_ok());
            }
            if self.server.can_send() {
                assert!(self.server.send(Msg::from_slice(body.as_bytes())).is_ok());
            }
            self.run();
        }
    }

    /// Timers run out, then both connections drop: each ends exactly once.
    fn finish(mut self) -> (Watch, Watch) {
        self.now += Duration::from_secs(60);
        self.client.on_timeout(self.now);
        self.server.on_timeout(self.now);
        self.client.connection_lost(libc::EPIPE);
        self.server.connection_lost(libc::EPIPE);
        self.drain();
        assert_eq!((self.cw.closed, self.sw.closed), (1, 1), "closed once each");
        (self.cw, self.sw)
    }
}

/// A real handshake and traffic whose bytes the fuzzer damages. Layout:
/// `[mechanism][socket pair][read size]` (see `Duo::new`), then changes of
/// four bytes each: `[direction (bit 7) and kind][offset high][offset
/// low][value]`, the kind one of flip, set, insert, delete, cut. Without
/// a change both sides must finish the handshake and deliver every
/// message unchanged.
pub fn engine_pair(data: &[u8]) {
    let mut input = Input::new(data);
    let header = input.take(3);
    let (mut up, mut down) = (Vec::new(), Vec::new());
    while !input.is_empty() {
        let op = input.take(4);
        let get = |i: usize| op.get(i).copied().unwrap_or(0);
        let o = Op {
            at: usize::from(u16::from_be_bytes([get(1), get(2)])),
            kind: get(0) & 0x7f,
            value: get(3),
        };
        if get(0) & 0x80 != 0 {
            down.push(o);
        } else {
            up.push(o);
        }
    }
    let mut duo = Duo::new(&mut Input::new(header), up, down, Zap::Allow);
    duo.run();
    duo.traffic();
    let touched = duo.up.touched || duo.down.touched;
    let (cw, sw) = duo.finish();
    if !touched {
        assert!(cw.succeeded && sw.succeeded, "a clean handshake succeeds");
        let sent: Vec<Vec<u8>> = (0..TRAFFIC)
            .map(|i| format!("message {i}").into_bytes())
            .collect();
        assert_eq!(sw.messages, sent, "the server got every message");
        assert_eq!(cw.messages, sent, "the client got every message");
    }
}

/// A real handshake whose server gets the fuzzer's ZAP reply. Layout:
/// `[mechanism][socket pair][read size]` (see `Duo::new`), then frames,
/// each `[MORE (bit 7) and length (7 bits)]` and its bytes. A server that
/// finishes the handshake must have been told 200.
pub fn zap_reply(data: &[u8]) {
    let mut input = Input::new(data);
    let header = input.take(3);
    let mut frames = Vec::new();
    while !input.is_empty() && frames.len() < 10 {
        let h = input.byte();
        let mut m = Msg::from_slice(input.take(usize::from(h & 0x7f)));
        if h & 0x80 != 0 {
            m.set_flags(flags::MORE);
        }
        frames.push(m);
    }
    let status_ok = frames.get(3).is_some_and(|m| m.data() == b"200");
    let mut duo = Duo::new(
        &mut Input::new(header),
        Vec::new(),
        Vec::new(),
        Zap::Frames(frames),
    );
    duo.run();
    duo.traffic();
    let asked = duo.zap_answered;
    let (_, sw) = duo.finish();
    if asked && sw.succeeded {
        assert!(status_ok, "admitted without a 200");
    }
}
