//! The raw engine of STREAM and `ZMQ_ROUTER_RAW` connections: libzmq's
//! `raw_engine_t` with its `raw_decoder_t` and `raw_encoder_t`, sans-IO
//! like the ZMTP [`Engine`](super::Engine) and driven the same way.
//!
//! There is no greeting, handshake, framing or timer: every chunk read
//! from the connection becomes one message, and every message sent is
//! written as its bare body. The session is ready at once
//! ([`Event::EngineReady`] comes first), and with `ZMQ_STREAM_NOTIFY` (on
//! by default) an empty message announces the connection and another one
//! its end. Every message carries the connection's metadata
//! (`Peer-Address`, `__fd`), so the socket can copy it onto the routing-id
//! frame it puts in front.
//!
//! Monitor events are libzmq's for a raw connection: no
//! `HANDSHAKE_SUCCEEDED` (there is no handshake to succeed), but a
//! `HANDSHAKE_FAILED_NO_DETAIL` before the end of every connection that
//! was not ended by us, because libzmq's `stream_engine_base_t::error`
//! raises it whenever no security mechanism completed.

use std::collections::VecDeque;
use std::io::IoSlice;
use std::sync::Arc;
use std::time::Instant;

use super::engine::{CloseReason, Closed, EngineConfig, Event};
use super::{Encoder, Framing};
use crate::msg::{Metadata, Msg};
use crate::options::consts::ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED;

/// The raw engine of one connection. See the module documentation.
pub struct RawEngine {
    cfg: EngineConfig,
    /// The read buffer (`ZMQ_IN_BATCH_SIZE` bytes); each read becomes one
    /// message, so it never holds undecoded bytes between calls.
    buf: Vec<u8>,
    encoder: Encoder,
    events: VecDeque<Event>,
    metadata: Option<Arc<Metadata>>,
    closed: bool,
}

impl std::fmt::Debug for RawEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawEngine")
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

impl RawEngine {
    /// A raw engine for a new connection: the session may attach its pipe
    /// at once, and the connect notification is queued if enabled.
    pub fn new(cfg: EngineConfig, _now: Instant) -> RawEngine {
        let props = cfg.connection_properties();
        let metadata = (!props.is_empty()).then(|| Arc::new(Metadata::new(props)));
        let mut e = RawEngine {
            buf: vec![0; cfg.in_batch_size.max(1)],
            encoder: Encoder::new(Framing::V3_1, cfg.out_batch_size),
            events: VecDeque::with_capacity(4),
            metadata,
            closed: false,
            cfg,
        };
        // libzmq's session calls engine_ready on attach for engines without
        // a handshake stage, before the engine pushes anything.
        e.events.push_back(Event::EngineReady);
        if e.cfg.raw_notify {
            e.push_notification();
        }
        e
    }

    /// An empty message announcing the connection's start or end.
    fn push_notification(&mut self) {
        let mut m = Msg::new();
        m.set_metadata(self.metadata.clone());
        self.events.push_back(Event::Message(m));
    }

    // ---- input -------------------------------------------------------

    /// Where to read next: empty while the previous chunk still waits to
    /// be taken through [`RawEngine::poll_event`] (back-pressure), and once
    /// closed.
    pub fn read_buf(&mut self) -> &mut [u8] {
        if self.closed || !self.events.is_empty() {
            return &mut [];
        }
        &mut self.buf[..]
    }

    /// `n` bytes were read into [`RawEngine::read_buf`]: one message.
    pub fn advance_read(&mut self, n: usize, _now: Instant) {
        if self.closed || n == 0 {
            return;
        }
        let mut m = Msg::from_slice(&self.buf[..n.min(self.buf.len())]);
        m.set_metadata(self.metadata.clone());
        self.events.push_back(Event::Message(m));
    }

    /// Copies as much of `input` as one read takes; returns the count.
    /// For callers that already hold the bytes (tests).
    #[cfg(test)]
    pub fn feed(&mut self, input: &[u8], now: Instant) -> usize {
        let buf = self.read_buf();
        let n = buf.len().min(input.len());
        buf[..n].copy_from_slice(&input[..n]);
        self.advance_read(n, now);
        n
    }

    /// The peer closed the connection or the socket failed with `errno`:
    /// libzmq's `raw_engine_t::error` and `stream_engine_base_t::error`.
    pub fn connection_lost(&mut self, errno: i32) {
        if self.closed {
            return;
        }
        if self.cfg.raw_notify {
            self.push_notification();
        }
        // No mechanism ever completed, so libzmq reports a failed
        // handshake, and may stop reconnecting because of it.
        self.events.push_back(Event::HandshakeFailedNoDetail(errno));
        let reason = if self.cfg.reconnect_stop & ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED != 0 {
            CloseReason::Protocol
        } else {
            CloseReason::Connection
        };
        self.events.push_back(Event::Closed(Closed {
            reason,
            errno,
            greeting_done: true,
            handshaked: true,
        }));
        self.closed = true;
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    // ---- output ------------------------------------------------------

    /// Whether [`RawEngine::send`] takes a message now: less than
    /// `ZMQ_OUT_BATCH_SIZE` bytes wait to be written.
    pub fn can_send(&self) -> bool {
        !self.closed && self.encoder.pending() < self.cfg.out_batch_size
    }

    /// Queues a message's body for writing, as it is. After the end the
    /// message comes back.
    pub fn send(&mut self, msg: Msg) -> Result<(), Msg> {
        if self.closed {
            return Err(msg);
        }
        self.encoder.encode_raw(msg);
        Ok(())
    }

    pub fn has_transmit(&self) -> bool {
        !self.encoder.is_empty()
    }

    /// The bytes to write, as `writev` chunks.
    pub fn transmit_chunks<'a>(&'a self, out: &mut [IoSlice<'a>]) -> usize {
        self.encoder.chunks(out)
    }

    /// `n` bytes were written.
    pub fn advance_transmit(&mut self, n: usize) {
        self.encoder.advance(n);
    }

    /// Moves all waiting bytes into `out`.
    #[cfg(test)]
    pub fn take_transmit(&mut self, out: &mut Vec<u8>) {
        self.encoder.take_all(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::consts::ZMQ_STREAM;
    use crate::options::Options;

    fn engine(notify: bool, peer: &str) -> RawEngine {
        let mut o = Options::new(ZMQ_STREAM);
        o.raw_notify = notify;
        o.in_batch_size = 16;
        RawEngine::new(EngineConfig::new(&o, peer, Some(7)), Instant::now())
    }

    fn message(e: &mut RawEngine) -> Msg {
        match e.poll_event() {
            Some(Event::Message(m)) => m,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    #[test]
    fn ready_at_once_and_announces_the_connection() {
        let mut e = engine(true, "10.0.0.1");
        assert!(matches!(e.poll_event(), Some(Event::EngineReady)));
        let m = message(&mut e);
        assert_eq!(m.size(), 0);
        let meta = m.metadata().expect("metadata");
        assert_eq!(meta.get("Peer-Address").unwrap().to_bytes(), b"10.0.0.1");
        assert!(e.poll_event().is_none());
        assert!(!e.has_transmit(), "no greeting");
    }

    #[test]
    fn without_notify_nothing_but_ready() {
        let mut e = engine(false, "");
        assert!(matches!(e.poll_event(), Some(Event::EngineReady)));
        assert!(e.poll_event().is_none());
        e.connection_lost(libc::EPIPE);
        assert!(matches!(
            e.poll_event(),
            Some(Event::HandshakeFailedNoDetail(libc::EPIPE))
        ));
        assert!(matches!(e.poll_event(), Some(Event::Closed(_))));
    }

    #[test]
    fn each_read_is_one_message_and_waits_to_be_taken() {
        let mut e = engine(false, "");
        e.poll_event();
        let now = Instant::now();
        assert_eq!(e.feed(b"0123456789abcdefXYZ", now), 16, "one buffer");
        assert!(e.read_buf().is_empty(), "chunk not taken yet");
        assert_eq!(message(&mut e).data(), b"0123456789abcdef");
        assert_eq!(e.feed(b"XYZ", now), 3);
        let m = message(&mut e);
        assert_eq!(m.data(), b"XYZ");
        assert!(!m.has_more());
        assert!(m.metadata().is_none(), "no peer address, no metadata");
    }

    #[test]
    fn messages_go_out_bare() {
        let mut e = engine(false, "");
        let mut m = Msg::from_slice(b"HTTP/1.0 200 OK\r\n");
        m.set_more(true);
        e.send(m).unwrap();
        e.send(Msg::from_slice(b"x")).unwrap();
        let mut out = Vec::new();
        e.take_transmit(&mut out);
        assert_eq!(out, b"HTTP/1.0 200 OK\r\nx");
    }

    #[test]
    fn the_end_is_announced_then_reported_once() {
        let mut e = engine(true, "1.2.3.4");
        e.poll_event();
        message(&mut e);
        e.connection_lost(libc::ECONNRESET);
        e.connection_lost(libc::EPIPE);
        assert_eq!(message(&mut e).size(), 0);
        assert!(matches!(
            e.poll_event(),
            Some(Event::HandshakeFailedNoDetail(libc::ECONNRESET))
        ));
        match e.poll_event() {
            Some(Event::Closed(c)) => {
                assert_eq!(c.reason, CloseReason::Connection);
                assert!(c.handshaked);
            }
            other => panic!("{other:?}"),
        }
        assert!(e.poll_event().is_none());
        assert!(e.read_buf().is_empty());
        assert!(e.send(Msg::new()).is_err());
    }

    #[test]
    fn reconnect_stop_on_handshake_failure_applies_to_raw_peers() {
        let mut o = Options::new(ZMQ_STREAM);
        o.reconnect_stop = ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED;
        let mut e = RawEngine::new(EngineConfig::new(&o, "", None), Instant::now());
        e.connection_lost(libc::EPIPE);
        let closed = std::iter::from_fn(|| e.poll_event()).find_map(|ev| match ev {
            Event::Closed(c) => Some(c),
            _ => None,
        });
        assert_eq!(closed.unwrap().reason, CloseReason::Protocol);
    }
}
