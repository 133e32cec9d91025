//! The session's pump: moving bytes between the stream and the engine,
//! and messages between the engine and the pipe, until nothing more can
//! move (libzmq's `stream_engine_base_t` in/out events and
//! `session_base_t` push/pull).

use std::io::{self, IoSlice, Read, Write};
use std::time::Instant;

use super::Session;
use crate::command::SocketCommand;
use crate::io::IoCx;
use crate::msg::Msg;
use crate::pipe::pipepair;
use crate::transport::stream::as_protocol_error;
use crate::zmtp::encoder::MAX_CHUNKS;
use crate::zmtp::engine::Event;

impl Session {
    /// Moves bytes and messages until nothing more can move.
    pub(super) fn pump(&mut self, cx: &mut IoCx) {
        loop {
            let mut progress = self.drain_events(cx);
            progress |= self.read_input();
            progress |= self.drain_events(cx);
            progress |= self.pull_output();
            progress |= self.write_output();
            if self.engine.is_none() || !progress {
                break;
            }
        }
        self.check_finished();
    }

    /// Reads into the engine while the stream has data and the engine has
    /// room (it has none while decoded messages wait). A short read from a
    /// plain socket ends the reading until the next readiness event, which
    /// saves the read that would only return `WouldBlock`.
    pub(super) fn read_input(&mut self) -> bool {
        let (Some(engine), Some(stream)) = (self.engine.as_mut(), self.stream.as_mut()) else {
            return false;
        };
        if !self.readable || self.pending_in.is_some() {
            return false;
        }
        let mut progress = false;
        loop {
            // SAFETY: every stream's `read` only writes into the buffer:
            // tcp and ipc through read(2) (mio), ws and tls by copying the
            // decoded payload or plaintext in (transport/ws, rustls).
            let buf = unsafe { engine.read_buf_uninit() };
            if buf.is_empty() {
                break;
            }
            let asked = buf.len();
            match stream.read(buf) {
                Ok(0) => {
                    self.readable = false;
                    self.read_to_end = false;
                    engine.connection_lost(libc::EPIPE);
                    return true;
                }
                Ok(n) => {
                    if stream.take_handshake_succeeded() {
                        self.monitor.event_handshake_succeeded(&self.pair, 0);
                    }
                    engine.advance_read(n, Instant::now());
                    progress = true;
                    if n < asked && stream.short_read_drains() && !self.read_to_end {
                        self.readable = false;
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.readable = false;
                    self.read_to_end = false;
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.readable = false;
                    self.read_to_end = false;
                    match as_protocol_error(&e) {
                        Some(p) => {
                            if let Some(code) = p.handshake_failed {
                                self.monitor
                                    .event_handshake_failed_protocol(&self.pair, code);
                            }
                            engine.protocol_error(p.errno);
                        }
                        None => engine.connection_lost(e.raw_os_error().unwrap_or(libc::EIO)),
                    }
                    return true;
                }
            }
        }
        progress
    }

    /// Handles the engine's events; stops at a message the pipe refuses.
    pub(super) fn drain_events(&mut self, cx: &mut IoCx) -> bool {
        let mut progress = false;
        if let Some(m) = self.pending_in.take() {
            if !self.push_in(m) {
                return false;
            }
            progress = true;
        }
        loop {
            let Some(ev) = self.engine.as_mut().and_then(|e| e.poll_event()) else {
                break;
            };
            progress = true;
            match ev {
                Event::EngineReady => self.engine_ready(cx),
                Event::Message(m) if self.groups.is_none() => {
                    if !self.push_in(m) {
                        break;
                    }
                }
                Event::Message(m) => match self.groups.incoming(m) {
                    Ok(Some(m)) => {
                        if !self.push_in(m) {
                            break;
                        }
                    }
                    Ok(None) => {}
                    Err(e) => {
                        if let Some(engine) = self.engine.as_mut() {
                            engine.protocol_error(e.errno());
                        }
                    }
                },
                Event::Closed(c) => {
                    self.engine_closed(cx, c);
                    break;
                }
                Event::ZapRequest(req) => {
                    if !self.zap.send(cx, req.frames) {
                        if let Some(e) = self.engine.as_mut() {
                            e.zap_unavailable();
                        }
                    }
                    // libzmq reads at once, in case the reply is there.
                    self.zap_reply_arrived();
                }
                Event::HandshakeSucceeded => self.monitor.event_handshake_succeeded(&self.pair, 0),
                Event::HandshakeFailedNoDetail(e) => {
                    self.monitor.event_handshake_failed_no_detail(&self.pair, e)
                }
                Event::HandshakeFailedProtocol(code) => self
                    .monitor
                    .event_handshake_failed_protocol(&self.pair, code),
                Event::HandshakeFailedAuth(status) => {
                    self.monitor.event_handshake_failed_auth(&self.pair, status)
                }
            }
        }
        if let Some(p) = self.pipe.as_mut() {
            p.flush();
        }
        progress
    }

    /// Hands a complete ZAP reply, if one came, to the engine.
    pub(super) fn zap_reply_arrived(&mut self) {
        if let Some(frames) = self.zap.read_reply() {
            if let Some(e) = self.engine.as_mut() {
                e.zap_reply(&frames);
            }
        }
    }

    /// Writes a decoded message to the pipe; false (message kept) if full.
    pub(super) fn push_in(&mut self, m: Msg) -> bool {
        let Some(pipe) = self.pipe.as_mut() else {
            // No pipe (terminating): drop it.
            return true;
        };
        match pipe.write(m) {
            Ok(()) => true,
            Err(m) => {
                if pipe.is_finished() || pipe.peer_is_terminated() {
                    return true;
                }
                self.pending_in = Some(m);
                false
            }
        }
    }

    pub(super) fn engine_ready(&mut self, cx: &mut IoCx) {
        if self.pipe.is_some() || self.terminating.is_some() {
            return;
        }
        let o = &self.options;
        let conflate = o.effective_conflate();
        let hwm = |v: i32| if conflate { -1 } else { v };
        let (mut mine, mut theirs) = pipepair([hwm(o.rcvhwm), hwm(o.sndhwm)], conflate);
        mine.endpoint_pair = self.pair.clone();
        theirs.endpoint_pair = self.pair.clone();
        mine.set_owner(cx.mailbox.clone());
        cx.route_pipe(mine.id());
        self.pipe = Some(mine);
        self.socket.send(SocketCommand::Bind(Box::new(theirs)));
    }

    /// Feeds the engine from the pipe while it can take messages.
    pub(super) fn pull_output(&mut self) -> bool {
        let (Some(engine), Some(pipe)) = (self.engine.as_mut(), self.pipe.as_mut()) else {
            return false;
        };
        let mut progress = super::drop_rest(pipe, &mut self.drop_out_rest);
        if self.drop_out_rest {
            return progress;
        }
        if self.hello_pending
            && engine.can_send()
            && engine
                .send(Msg::from_slice(&self.options.hello_msg))
                .is_ok()
        {
            self.hello_pending = false;
            progress = true;
        }
        if self.groups.is_none() {
            while !self.hello_pending && engine.can_send() {
                let Some(m) = pipe.read() else { break };
                self.out_incomplete = m.has_more();
                // Cannot fail: the engine said it takes messages.
                let _ = engine.send(m);
                progress = true;
            }
            return progress;
        }
        while engine.can_send() && !self.hello_pending {
            let Some(m) = pipe.read() else { break };
            self.out_incomplete = m.has_more();
            let (first, second) = self.groups.outgoing(m);
            if let Err(_m) = engine.send(first) {
                break;
            }
            if let Some(body) = second {
                // The engine took the group frame, so it is ready and
                // takes the body too.
                let _ = engine.send(body);
            }
            progress = true;
        }
        progress
    }

    pub(super) fn write_output(&mut self) -> bool {
        let (Some(engine), Some(stream)) = (self.engine.as_mut(), self.stream.as_mut()) else {
            return false;
        };
        let mut progress = false;
        if self.writable && stream.has_buffered_output() {
            match stream.flush_buffered() {
                Ok(()) => progress = true,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.writable = false,
                Err(_) => {
                    self.writable = false;
                    self.readable = true;
                }
            }
        }
        while self.writable && engine.has_transmit() {
            let mut chunks = [IoSlice::new(&[]); MAX_CHUNKS];
            let count = engine.transmit_chunks(&mut chunks);
            match stream.write_vectored(&chunks[..count]) {
                Ok(n) => {
                    engine.advance_transmit(n);
                    progress = true;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.writable = false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    // libzmq waits for the read side to report the failure.
                    self.writable = false;
                    self.readable = true;
                }
            }
        }
        progress
    }
}
