//! Engine tests: two engines wired back to back, and engines fed
//! hand-written byte sequences, with a fake clock.

mod curve;
mod framing;
mod fuzz;
mod handshake;
mod heartbeat;
mod legacy;
mod malformed;
mod security;

use std::time::{Duration, Instant};

use super::*;
use crate::msg::Msg;
use crate::options::consts::*;
use crate::options::Options;

pub(super) fn opts(socket_type: i32) -> Options {
    Options::new(socket_type)
}

pub(super) fn engine(o: &Options, now: Instant) -> Engine {
    Engine::new(EngineConfig::new(o, "127.0.0.1", Some(7)), now)
}

/// Feeds `input` in chunks of at most `chunk` bytes, draining events
/// between reads as an io layer must; returns the events.
pub(super) fn feed_chunked(
    e: &mut Engine,
    mut input: &[u8],
    chunk: usize,
    now: Instant,
) -> Vec<Event> {
    let mut events = Vec::new();
    loop {
        while let Some(ev) = e.poll_event() {
            events.push(ev);
        }
        if input.is_empty() || e.is_closed() {
            return events;
        }
        let buf = e.read_buf();
        assert!(!buf.is_empty(), "a drained engine always takes input");
        let n = buf.len().min(input.len()).min(chunk);
        buf[..n].copy_from_slice(&input[..n]);
        e.advance_read(n, now);
        input = &input[n..];
    }
}

pub(super) fn feed(e: &mut Engine, input: &[u8], now: Instant) -> Vec<Event> {
    feed_chunked(e, input, usize::MAX, now)
}

pub(super) fn output(e: &mut Engine) -> Vec<u8> {
    let mut v = Vec::new();
    e.take_transmit(&mut v);
    v
}

/// The bytes of a ZMTP 3 greeting with `minor` and `mechanism`.
pub(super) fn greeting(minor: u8, mechanism: &[u8]) -> Vec<u8> {
    let mut g = greeting::Greeting::signature(0).to_vec();
    g.extend_from_slice(&[3, minor]);
    let mut m = [0u8; 20];
    m[..mechanism.len()].copy_from_slice(mechanism);
    g.extend_from_slice(&m);
    g.extend_from_slice(&[0u8; 32]);
    g
}

/// A ZMTP 3 short frame.
pub(super) fn frame(flags: u8, body: &[u8]) -> Vec<u8> {
    assert!(body.len() < 256);
    let mut f = vec![flags, body.len() as u8];
    f.extend_from_slice(body);
    f
}

/// A READY command frame with the given properties.
pub(super) fn ready(props: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut body = command::READY.to_vec();
    for (k, v) in props {
        command::put_property(&mut body, k, v);
    }
    frame(4, &body)
}

/// Two engines connected back to back.
pub(super) struct Pair {
    pub a: Engine,
    pub b: Engine,
    pub a_events: Vec<Event>,
    pub b_events: Vec<Event>,
    pub now: Instant,
    /// Largest read per step (1 = byte at a time).
    pub chunk: usize,
}

impl Pair {
    pub fn new(a: &Options, b: &Options) -> Pair {
        let now = Instant::now();
        Pair {
            a: engine(a, now),
            b: engine(b, now),
            a_events: Vec::new(),
            b_events: Vec::new(),
            now,
            chunk: usize::MAX,
        }
    }

    /// Shuttles bytes both ways until neither side has anything to say.
    pub fn run(&mut self) {
        for _ in 0..10_000 {
            let to_b = output(&mut self.a);
            let to_a = output(&mut self.b);
            if to_a.is_empty() && to_b.is_empty() {
                self.a_events
                    .extend(std::iter::from_fn(|| self.a.poll_event()));
                self.b_events
                    .extend(std::iter::from_fn(|| self.b.poll_event()));
                if !self.a.has_transmit() && !self.b.has_transmit() {
                    return;
                }
                continue;
            }
            let ev = feed_chunked(&mut self.b, &to_b, self.chunk, self.now);
            self.b_events.extend(ev);
            let ev = feed_chunked(&mut self.a, &to_a, self.chunk, self.now);
            self.a_events.extend(ev);
        }
        panic!("the engines never went quiet");
    }

    pub fn advance(&mut self, ms: u64) {
        self.now += Duration::from_millis(ms);
        self.a.on_timeout(self.now);
        self.b.on_timeout(self.now);
    }
}

/// The messages among `events`.
pub(super) fn messages(events: &[Event]) -> Vec<&Msg> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m),
            _ => None,
        })
        .collect()
}

/// The events other than messages, as short names (for order checks).
pub(super) fn names(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Event::EngineReady => "ready".to_string(),
            Event::Message(m) if m.is_routing_id() => {
                format!("id:{}", String::from_utf8_lossy(m.data()))
            }
            Event::Message(m) => format!("msg:{}", String::from_utf8_lossy(m.data())),
            Event::ZapRequest(_) => "zap".to_string(),
            Event::HandshakeSucceeded => "succeeded".to_string(),
            Event::HandshakeFailedNoDetail(e) => format!("no-detail:{e}"),
            Event::HandshakeFailedProtocol(c) => format!("protocol:{c:#x}"),
            Event::HandshakeFailedAuth(s) => format!("auth:{s}"),
            Event::Closed(c) => format!("closed:{:?}", c.reason),
        })
        .collect()
}

pub(super) fn closed(events: &[Event]) -> Option<Closed> {
    events.iter().find_map(|e| match e {
        Event::Closed(c) => Some(*c),
        _ => None,
    })
}
