//! Sessions: one connection's worth of state on an io thread, between a
//! socket's pipe and the engine driving a byte stream: ZMTP, or raw for
//! STREAM and `ZMQ_ROUTER_RAW` sockets (`engine::SessionEngine`).
//!
//! A connecting session (from `zmq_connect`) owns its pipe from the start
//! unless `ZMQ_IMMEDIATE` is set, reconnects with back-off when the
//! connection drops, and lives until its socket disconnects or closes. An
//! accepted session (spawned by a [`Listener`]) makes its pipe when the
//! handshake completes and ends with its connection.
//!
//! Back-pressure is libzmq's: a message the pipe cannot take (HWM) stays in
//! `pending_in` and reading stops until the socket reads (`ActivateWrite`);
//! the engine's read buffer stays full meanwhile, so the peer's TCP window
//! closes.

mod connecter;
mod engine;
mod group;
mod listener;
mod pump;
mod reconnect;
mod req;
pub(crate) mod udp;
mod zap;

pub use listener::{Closing, Listener};
pub use zap::{ZapHandler, ZapLookup};

use std::io;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::event::Source;
use mio::Interest;

use crate::command::{SocketCommand, SocketMailbox};
use crate::endpoint_pair::{EndpointPair, EndpointType};
use crate::io::{IoCx, IoObject, ObjectId};
use crate::monitor::MonitorSink;
use crate::msg::Msg;
use crate::options::consts::{ZMQ_DISH, ZMQ_NOTIFY_DISCONNECT, ZMQ_SUB, ZMQ_XSUB};
use crate::options::Options;
use crate::pipe::{Pipe, PipeCommand};
use crate::transport::{Connecter, Stream};
use crate::zmtp::engine::{CloseReason, Closed, EngineConfig};
use engine::SessionEngine;
use group::GroupFraming;
use zap::ZapClient;

enum Role {
    Connect(Box<dyn Connecter>),
    Accepted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// No connection; `retry_at` says when to try again.
    Idle,
    /// A non-blocking connect is in progress.
    Connecting,
    /// The engine runs over the stream.
    Connected,
}

pub struct Session {
    id: ObjectId,
    options: Options,
    socket: Arc<SocketMailbox>,
    role: Role,
    state: State,
    pipe: Option<Pipe>,
    stream: Option<Box<dyn Stream>>,
    engine: Option<SessionEngine>,
    /// The socket may have data for us that we have not read yet.
    readable: bool,
    /// The peer's FIN was reported and not read yet: read until EOF, a
    /// short read does not drain the socket (the EOF needs its own read,
    /// and no new edge will announce it).
    read_to_end: bool,
    /// The socket is believed writable (no `WouldBlock` since the last edge).
    writable: bool,
    /// A decoded message the pipe had no room for.
    pending_in: Option<Msg>,
    /// The last frame the engine took from the pipe had MORE: the rest of
    /// its message is still in the pipe.
    out_incomplete: bool,
    /// The rest of a message whose first frames went with a dropped
    /// connection: read from the pipe and dropped, never sent alone on the
    /// next one (libzmq's `_incomplete_in` in `clean_pipes`).
    drop_out_rest: bool,
    retry_at: Option<Instant>,
    /// When an in-progress tcp connect is given up (`ZMQ_CONNECT_TIMEOUT`).
    connect_deadline: Option<Instant>,
    backoff: reconnect::Backoff,
    /// The socket's "disconnected an endpoint" flag, for
    /// `ZMQ_RECONNECT_STOP_AFTER_DISCONNECT`.
    socket_disconnected: Option<Arc<AtomicBool>>,
    /// Set when the socket asked us to end: the linger deadline, if any.
    terminating: Option<Option<Instant>>,
    finished: bool,
    monitor: MonitorSink,
    /// The endpoint as events name it: the connect address, or the bound
    /// endpoint an accepted connection came in on.
    endpoint: String,
    /// The current connection's addresses and fd, for its events.
    pair: EndpointPair,
    /// `ZMQ_HELLO_MSG` is still to go out first on this connection.
    hello_pending: bool,
    /// RADIO/DISH: the group frames and JOIN/LEAVE commands on the wire.
    groups: GroupFraming,
    /// The pipe to the ZAP handler, while a handshake asks it.
    zap: ZapClient,
    fd: i32,
    /// Held while the session lives: its listener's record of it.
    _liveness: Option<Arc<()>>,
}

/// Reads and drops frames while `dropping` (the rest of a message whose
/// first frames went with a dropped connection), up to its last frame or
/// the end of what the pipe holds. Returns whether it dropped any.
fn drop_rest(pipe: &mut Pipe, dropping: &mut bool) -> bool {
    let mut dropped = false;
    while *dropping {
        let Some(m) = pipe.read() else { break };
        *dropping = m.has_more();
        dropped = true;
    }
    dropped
}

/// What a session reaches besides its socket: where it reports events,
/// under which endpoint name, and how it finds the context's ZAP handler.
#[derive(Clone)]
pub struct SessionLinks {
    pub monitor: MonitorSink,
    pub endpoint: String,
    pub zap: ZapLookup,
}

impl Session {
    /// A session for `zmq_connect`; `pipe` is the session's end unless
    /// `ZMQ_IMMEDIATE` defers it to the first successful handshake.
    pub(crate) fn connecting(
        id: ObjectId,
        options: Options,
        socket: Arc<SocketMailbox>,
        pipe: Option<Pipe>,
        connector: Box<dyn Connecter>,
        mut links: SessionLinks,
    ) -> Session {
        if let Some(endpoint) = connector.event_endpoint() {
            links.endpoint = endpoint;
        }
        let role = Role::Connect(connector);
        Session::new(id, options, socket, role, pipe, links)
    }

    /// Shares the socket's flag that `ZMQ_RECONNECT_STOP_AFTER_DISCONNECT`
    /// looks at.
    pub fn stop_after_disconnect(mut self, flag: Arc<AtomicBool>) -> Session {
        self.socket_disconnected = Some(flag);
        self
    }

    /// Keeps `token` alive as long as the session: the listener that
    /// spawned it sees when it has ended.
    pub(crate) fn with_liveness(mut self, token: Arc<()>) -> Session {
        self._liveness = Some(token);
        self
    }

    /// A session for a connection a listener accepted.
    pub(crate) fn accepted(
        id: ObjectId,
        options: Options,
        socket: Arc<SocketMailbox>,
        stream: Box<dyn Stream>,
        links: SessionLinks,
    ) -> Session {
        let mut s = Session::new(id, options, socket, Role::Accepted, None, links);
        s.stream = Some(stream);
        s
    }

    fn new(
        id: ObjectId,
        options: Options,
        socket: Arc<SocketMailbox>,
        role: Role,
        pipe: Option<Pipe>,
        links: SessionLinks,
    ) -> Session {
        Session {
            monitor: links.monitor,
            pair: EndpointPair::new("", "", EndpointType::None),
            endpoint: links.endpoint,
            zap: ZapClient::new(links.zap),
            fd: -1,
            _liveness: None,
            hello_pending: false,
            groups: GroupFraming::for_socket(options.socket_type),
            id,
            options,
            socket,
            role,
            state: State::Idle,
            pipe,
            stream: None,
            engine: None,
            readable: false,
            read_to_end: false,
            writable: false,
            pending_in: None,
            out_incomplete: false,
            drop_out_rest: false,
            retry_at: None,
            connect_deadline: None,
            backoff: reconnect::Backoff::default(),
            socket_disconnected: None,
            terminating: None,
            finished: false,
        }
    }

    fn connected(&mut self, cx: &mut IoCx) {
        let Some(stream) = self.stream.as_mut() else {
            return;
        };
        if matches!(self.role, Role::Connect(_)) {
            stream.finish_connect(&self.options);
        }
        let peer = stream.peer_address();
        let fd = stream.fd();
        self.fd = fd;
        self.pair = match self.role {
            Role::Connect(_) => EndpointPair::new(
                stream.local_endpoint(),
                self.endpoint.clone(),
                EndpointType::Connect,
            ),
            Role::Accepted => EndpointPair::new(
                self.endpoint.clone(),
                stream.peer_endpoint(),
                EndpointType::Bind,
            ),
        };
        if matches!(self.role, Role::Connect(_)) {
            self.monitor.event_connected(&self.pair, fd);
        }
        let cfg = EngineConfig::new(&self.options, &peer, Some(fd));
        let raw = self.options.raw_socket;
        self.engine = Some(SessionEngine::new(raw, cfg, Instant::now()));
        self.groups.reset();
        // libzmq's hello_msg_session_t: every new connection (and every
        // reconnection) starts with the hello message.
        self.hello_pending = self.options.can_send_hello_msg && !self.options.hello_msg.is_empty();
        self.state = State::Connected;
        self.readable = true;
        self.writable = true;
        // The next loss starts a new back-off series (libzmq makes a new
        // connecter).
        self.backoff.reset();
        self.pump(cx);
    }

    fn engine_closed(&mut self, cx: &mut IoCx, closed: Closed) {
        let reason = closed.reason;
        self.monitor.event_disconnected(&self.pair, self.fd);
        if self.options.router_notify & ZMQ_NOTIFY_DISCONNECT != 0 && closed.greeting_done {
            // A ROUTER asked to hear of disconnects: drop the partial
            // message and deliver an empty one from this peer.
            if let Some(p) = self.pipe.as_mut() {
                p.rollback();
                let _ = p.write(Msg::new());
                p.flush();
            }
        }
        if closed.handshaked {
            self.notify_lost_connection();
        }
        self.engine = None;
        self.zap.close(cx);
        if let Some(mut s) = self.stream.take() {
            let _ = s.deregister(cx.registry);
        }
        self.pending_in = None;
        self.readable = false;
        self.writable = false;
        // As libzmq: without a positive reconnect interval a dropped
        // connection ends the session (and the socket forgets the endpoint).
        let reconnect = matches!(self.role, Role::Connect(_))
            && reason != CloseReason::Protocol
            && self.options.reconnect_ivl > 0
            && self.terminating.is_none();
        if !reconnect {
            self.end(cx);
            return;
        }
        if self.options.immediate {
            if let Some(mut p) = self.pipe.take() {
                cx.unroute_pipe(p.id());
                p.terminate();
            }
        } else if let Some(p) = self.pipe.as_mut() {
            // Half-received messages are gone with the connection, and so
            // is the rest of a half-sent one.
            p.rollback();
            self.drop_out_rest |= std::mem::take(&mut self.out_incomplete);
            drop_rest(p, &mut self.drop_out_rest);
            if matches!(self.options.socket_type, ZMQ_SUB | ZMQ_XSUB | ZMQ_DISH) {
                // SUB, XSUB, DISH: the socket resends its subscriptions.
                // The pipe addresses the socket's own end (the ids of the
                // two ends differ) and drops what the old connection left.
                p.hiccup();
            }
        }
        self.schedule_reconnect();
    }

    /// libzmq's `engine_error` messages for a connection that completed its
    /// handshake: an accepted one leaves `ZMQ_DISCONNECT_MSG` for the
    /// socket, a connecting one `ZMQ_HICCUP_MSG`, as if the peer sent them.
    fn notify_lost_connection(&mut self) {
        let o = &self.options;
        let Some(p) = self.pipe.as_mut() else { return };
        match self.role {
            Role::Accepted if o.can_recv_disconnect_msg && !o.disconnect_msg.is_empty() => {
                p.set_disconnect_msg(o.disconnect_msg.clone());
                p.send_disconnect_msg();
            }
            Role::Connect(_) if o.can_recv_hiccup_msg && !o.hiccup_msg.is_empty() => {
                p.rollback();
                p.send_hiccup_msg(&o.hiccup_msg);
            }
            _ => {}
        }
    }

    /// Ends the session: closes the stream and our side of the pipe.
    fn end(&mut self, cx: &mut IoCx) {
        self.engine = None;
        self.zap.close(cx);
        if let Some(mut s) = self.stream.take() {
            let _ = s.deregister(cx.registry);
        }
        if let Some(mut p) = self.pipe.take() {
            cx.unroute_pipe(p.id());
            p.terminate();
        }
        self.finished = true;
    }

    /// A terminating session is done once the socket's side of the pipe has
    /// ended and everything it sent went out.
    fn check_finished(&mut self) {
        if self.finished || self.terminating.is_none() {
            return;
        }
        let pipe_done = self.pipe.as_ref().is_none_or(|p| p.is_finished());
        // A layer under the engine (ws framing, TLS) may still hold bytes.
        let flushed = self.engine.as_ref().is_none_or(|e| !e.has_transmit())
            && self
                .stream
                .as_ref()
                .is_none_or(|s| !s.has_buffered_output());
        if pipe_done && (flushed || self.state != State::Connected) {
            self.finished = true;
        }
    }

    /// The socket ended this connection (close, unbind, disconnect). As in
    /// libzmq, a pipe the socket is still using is closed at once (unbind
    /// and disconnect), while one the socket already closed is read to its
    /// end (close: messages sent before `zmq_close` still go out); either
    /// way output already encoded is flushed for up to `ZMQ_LINGER` ms.
    fn terminate(&mut self, cx: &mut IoCx) {
        if let Some(p) = self.pipe.as_mut() {
            if p.peer_is_terminated() {
                // Its `PipeTerm` may not have reached us (the socket closed
                // before we were plugged): read up to the delimiter now.
                p.peer_terminated();
            } else {
                cx.unroute_pipe(p.id());
                p.terminate();
            }
        }
        self.linger(cx);
    }

    /// Finishes after flushing, within the linger time. As libzmq's
    /// session, one that is not connected yet but holds messages the socket
    /// sent before closing keeps connecting until it can deliver them (or
    /// the linger time ends): a program that connects, sends and closes at
    /// once still gets its messages out.
    fn linger(&mut self, cx: &mut IoCx) {
        let linger = self.options.linger;
        let nothing_queued = self.pipe.as_ref().is_none_or(|p| p.is_finished());
        if linger == 0 || (self.state != State::Connected && nothing_queued) {
            self.retry_at = None;
            self.end(cx);
            return;
        }
        if self.terminating.is_none() {
            let deadline =
                (linger > 0).then(|| Instant::now() + Duration::from_millis(linger as u64));
            self.terminating = Some(deadline);
        }
        self.pump(cx);
    }
}

impl IoObject for Session {
    fn id(&self) -> ObjectId {
        self.id
    }

    fn plugged(&mut self, cx: &mut IoCx) {
        if let Some(p) = &self.pipe {
            p.set_owner(cx.mailbox.clone());
            cx.route_pipe(p.id());
        }
        match self.role {
            Role::Connect(_) => self.start_connecting(cx),
            Role::Accepted => {
                let registered = match self.stream.as_mut() {
                    Some(s) => s
                        .register(
                            cx.registry,
                            cx.token(),
                            Interest::READABLE | Interest::WRITABLE,
                        )
                        .is_ok(),
                    None => false,
                };
                if registered {
                    self.connected(cx);
                } else {
                    self.end(cx);
                }
            }
        }
    }

    fn ready(&mut self, cx: &mut IoCx, readable: bool, writable: bool, read_closed: bool) {
        self.read_to_end |= read_closed;
        match self.state {
            State::Connecting => {
                let result = self.stream.as_mut().map(|s| s.poll_connect());
                match result {
                    Some(Ok(())) => {
                        self.connect_deadline = None;
                        self.connected(cx)
                    }
                    Some(Err(e)) if e.kind() == io::ErrorKind::WouldBlock => {}
                    failed => {
                        self.close_connecting(cx);
                        if self.connect_next_address(cx) {
                            return;
                        }
                        let errno = failed.and_then(|r| r.err()).and_then(|e| e.raw_os_error());
                        // libzmq's socks connecter always retries.
                        let may_stop =
                            matches!(&self.role, Role::Connect(c) if c.stops_on_refused());
                        if may_stop && reconnect::stop_on_refused(&self.options, errno) {
                            // The socket forgets the endpoint; nothing more
                            // is tried or reported.
                            self.end(cx);
                            self.socket.send(SocketCommand::TermEndpoint(self.id));
                        } else {
                            // Lingering too: see `linger`.
                            self.schedule_reconnect();
                        }
                    }
                }
            }
            State::Connected => {
                self.readable |= readable;
                self.writable |= writable;
                self.pump(cx);
            }
            State::Idle => {}
        }
    }

    fn pipe_command(&mut self, cx: &mut IoCx, cmd: PipeCommand) {
        match cmd {
            PipeCommand::ActivateRead(id) if self.zap.owns(id) => {
                self.zap.activate_read();
                self.zap_reply_arrived();
            }
            PipeCommand::PipeTerm(id) if self.zap.owns(id) => self.zap.peer_terminated(cx),
            PipeCommand::ActivateRead(_) => {
                if let Some(p) = self.pipe.as_mut() {
                    p.activate_read();
                }
            }
            PipeCommand::ActivateWrite(_, n) => {
                if let Some(p) = self.pipe.as_mut() {
                    p.activate_write(n);
                }
            }
            PipeCommand::PipeTerm(_) => {
                if let Some(p) = self.pipe.as_mut() {
                    p.peer_terminated();
                }
                if self.options.raw_socket && self.terminating.is_none() {
                    // libzmq ends a raw connection as soon as its socket
                    // drops the pipe (STREAM's empty frame, or close):
                    // what was sent before goes out now, then the
                    // connection closes, whatever the linger.
                    self.pump(cx);
                    self.end(cx);
                    return;
                }
                // The socket closed its side: send what it queued, then end.
                self.linger(cx);
                return;
            }
            PipeCommand::PeerStats {
                queue_count,
                reply,
                endpoints,
                ..
            } => {
                if let Some(p) = &self.pipe {
                    p.process_peer_stats(queue_count, reply.as_ref(), endpoints);
                }
                return;
            }
            // Subscriptions are the socket's to resend; statistics answers
            // go to sockets.
            PipeCommand::Hiccup(_) | PipeCommand::StatsPublish { .. } => {}
        }
        self.pump(cx);
    }

    fn term(&mut self, cx: &mut IoCx, linger: i32) {
        // The socket's linger now, not when it connected; it also restarts
        // a linger already begun by the pipe's end.
        self.options.linger = linger;
        if !self.finished && self.terminating.is_some() {
            self.terminating = None;
        }
        self.terminate(cx);
    }

    fn timeout(&mut self, cx: &mut IoCx, now: Instant) {
        if let Some(Some(d)) = self.terminating {
            if now >= d {
                self.end(cx);
                return;
            }
        }
        if self.retry_at.is_some_and(|t| now >= t) {
            self.retry_at = None;
            self.start_connecting(cx);
            return;
        }
        if self.connect_deadline.is_some_and(|t| now >= t) {
            if matches!(self.state, State::Connecting) {
                self.close_connecting(cx);
                if !self.connect_next_address(cx) {
                    self.schedule_reconnect();
                }
                return;
            }
            self.connect_deadline = None;
        }
        if let Some(e) = self.engine.as_mut() {
            if e.next_timeout().is_some_and(|t| now >= t) {
                e.on_timeout(now);
                self.pump(cx);
            }
        }
    }

    fn woken(&mut self, cx: &mut IoCx) {
        self.lookup_done(cx);
    }

    fn deadline(&self) -> Option<Instant> {
        let linger = self.terminating.flatten();
        let engine = self.engine.as_ref().and_then(|e| e.next_timeout());
        [linger, self.retry_at, self.connect_deadline, engine]
            .into_iter()
            .flatten()
            .min()
    }

    fn done(&self) -> bool {
        self.finished
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_lookup;
#[cfg(test)]
mod tests_socks;
#[cfg(test)]
mod tests_zap;
