//! The engine a session drives: ZMTP, or raw for STREAM and
//! `ZMQ_ROUTER_RAW` sockets (libzmq's connecters and listeners make a
//! `raw_engine_t` instead of a `zmtp_engine_t` when `options.raw_socket`).
//!
//! An enum rather than a trait object: the set is closed, the calls are
//! on the per-message path, and both engines expose the same sans-IO
//! surface, so each method is a two-armed delegation.

use std::io::IoSlice;
use std::time::Instant;

use crate::msg::Msg;
use crate::zmtp::{Engine, EngineConfig, Event, RawEngine};

// The session holding this is boxed already; boxing the larger ZMTP
// engine as well would only add an indirection to every call.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum SessionEngine {
    Zmtp(Engine),
    Raw(RawEngine),
}

macro_rules! delegate {
    ($self:ident, $e:ident => $call:expr) => {
        match $self {
            SessionEngine::Zmtp($e) => $call,
            SessionEngine::Raw($e) => $call,
        }
    };
}

impl SessionEngine {
    /// The engine for a new connection: raw if the socket is.
    pub fn new(raw: bool, cfg: EngineConfig, now: Instant) -> SessionEngine {
        if raw {
            SessionEngine::Raw(RawEngine::new(cfg, now))
        } else {
            SessionEngine::Zmtp(Engine::new(cfg, now))
        }
    }

    /// Where to read next (see `Engine::read_buf_uninit`).
    ///
    /// # Safety
    /// The caller writes the bytes (as `read(2)`) and never reads them.
    pub unsafe fn read_buf_uninit(&mut self) -> &mut [u8] {
        match self {
            // SAFETY: the caller's contract.
            SessionEngine::Zmtp(e) => unsafe { e.read_buf_uninit() },
            SessionEngine::Raw(e) => e.read_buf(),
        }
    }

    pub fn advance_read(&mut self, n: usize, now: Instant) {
        delegate!(self, e => e.advance_read(n, now))
    }

    pub fn connection_lost(&mut self, errno: i32) {
        delegate!(self, e => e.connection_lost(errno))
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        delegate!(self, e => e.poll_event())
    }

    pub fn can_send(&self) -> bool {
        delegate!(self, e => e.can_send())
    }

    pub fn send(&mut self, msg: crate::msg::Msg) -> Result<(), crate::msg::Msg> {
        delegate!(self, e => e.send(msg))
    }

    pub fn has_transmit(&self) -> bool {
        delegate!(self, e => e.has_transmit())
    }

    pub fn transmit_chunks<'a>(&'a self, out: &mut [IoSlice<'a>]) -> usize {
        delegate!(self, e => e.transmit_chunks(out))
    }

    pub fn advance_transmit(&mut self, n: usize) {
        delegate!(self, e => e.advance_transmit(n))
    }

    /// When the engine's next timer is due (raw engines have none).
    pub fn next_timeout(&self) -> Option<Instant> {
        match self {
            SessionEngine::Zmtp(e) => e.next_timeout(),
            SessionEngine::Raw(_) => None,
        }
    }

    pub fn on_timeout(&mut self, now: Instant) {
        if let SessionEngine::Zmtp(e) = self {
            e.on_timeout(now);
        }
    }

    /// The session refused what the peer sent (RADIO/DISH framing).
    pub fn protocol_error(&mut self, errno: i32) {
        if let SessionEngine::Zmtp(e) = self {
            e.protocol_error(errno);
        }
    }

    /// The ZAP handler's reply (raw connections never ask).
    pub fn zap_reply(&mut self, frames: &[Msg]) {
        if let SessionEngine::Zmtp(e) = self {
            e.zap_reply(frames);
        }
    }

    /// No ZAP handler answers (raw connections never ask).
    pub fn zap_unavailable(&mut self) {
        if let SessionEngine::Zmtp(e) = self {
            e.zap_unavailable();
        }
    }
}
