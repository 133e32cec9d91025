//! The ZMTP engine of one connection: libzmq's `zmtp_engine_t` and
//! `stream_engine_base_t` as a sans-IO state machine.
//!
//! # Driving it
//!
//! The io layer owns the socket and the clock; the engine owns everything
//! else. After creating it with [`Engine::new`] (which queues our first
//! greeting bytes and arms the handshake timer):
//!
//! - **Reading.** Read into [`Engine::read_buf`] and report the count with
//!   [`Engine::advance_read`]. `read_buf` is empty while read bytes still
//!   wait to be decoded: drain [`Engine::poll_event`] first. This is the
//!   back-pressure: a caller whose pipe is full keeps the message it could
//!   not push, stops polling and so stops reading, as libzmq stops input.
//!   EOF or a read error goes to [`Engine::connection_lost`] (libzmq reports
//!   EOF as `EPIPE`).
//! - **Events.** Drain [`Engine::poll_event`] after every call into the
//!   engine; see [`Event`] for what each asks of the session and monitor.
//! - **Sending.** While [`Engine::can_send`], pull messages from the pipe
//!   and [`Engine::send`] them; then write [`Engine::transmit_chunks`] with
//!   `writev` and report the count with [`Engine::advance_transmit`]. The
//!   engine may queue output from any call (greeting, handshake commands,
//!   PONG, PING), so check [`Engine::has_transmit`] after each. A write
//!   error is not fatal by itself (libzmq waits for the read side to fail).
//! - **Time.** Call [`Engine::on_timeout`] once [`Engine::next_timeout`]
//!   has passed.
//! - **ZAP.** Route an [`Event::ZapRequest`] to the handler and answer with
//!   [`Engine::zap_reply`], or with [`Engine::zap_unavailable`] when no
//!   handler is bound.

use std::collections::{BTreeMap, VecDeque};
use std::io::IoSlice;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::command::{self, PROPERTY_FD, PROPERTY_PEER_ADDRESS};
use super::greeting::{Greeting, Progress, Protocol};
use super::mechanism::curve::keys::SecretBytes;
use super::mechanism::{self, zap::ZapRequest, Mechanism, Status};
use super::protocol_error::ZMTP_MECHANISM_MISMATCH;
use super::{Decoder, Encoder, Framing, EPROTO};
use crate::msg::{flags, Metadata, Msg};
use crate::options::consts::*;
use crate::options::{Options, CURVE_KEYSIZE};

/// The errno reported with `HANDSHAKE_FAILED_NO_DETAIL` when a timer ends
/// the connection (libzmq reports whatever `errno` held, usually `EAGAIN`).
pub const TIMEOUT_ERRNO: i32 = libc::ETIMEDOUT;

/// What the engine needs from the socket's options, fixed per connection.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub socket_type: i32,
    pub routing_id: Vec<u8>,
    /// The socket receives routing ids (ROUTER, REP).
    pub recv_routing_id: bool,
    pub router_notify: i32,
    /// Raw connections (STREAM, `ZMQ_ROUTER_RAW`) announce connects and
    /// disconnects with an empty message (`ZMQ_STREAM_NOTIFY`).
    pub raw_notify: bool,
    pub mechanism: i32,
    pub as_server: bool,
    pub plain_username: Vec<u8>,
    pub plain_password: Vec<u8>,
    /// CURVE: our long-term public and secret keys, and the server's
    /// public key (clients only).
    pub curve_public_key: [u8; CURVE_KEYSIZE],
    pub curve_secret_key: SecretBytes,
    pub curve_server_key: [u8; CURVE_KEYSIZE],
    pub zap_domain: Vec<u8>,
    pub zap_enforce_domain: bool,
    pub maxmsgsize: i64,
    /// `ZMQ_ZERO_COPY_RECV` (a context option): received bodies point into
    /// the shared read buffer.
    pub zero_copy: bool,
    pub in_batch_size: usize,
    pub out_batch_size: usize,
    /// `ZMQ_HANDSHAKE_IVL` in ms; 0 for none.
    pub handshake_ivl: u32,
    /// `ZMQ_HEARTBEAT_IVL` in ms; 0 for none.
    pub heartbeat_ivl: u32,
    /// `ZMQ_HEARTBEAT_TTL` in deciseconds, as sent in PING.
    pub heartbeat_ttl: u16,
    /// `ZMQ_HEARTBEAT_TIMEOUT` in ms (the interval when unset); 0 for none.
    pub heartbeat_timeout: u32,
    pub reconnect_stop: i32,
    /// Our READY/INITIATE metadata.
    pub basic_properties: Vec<u8>,
    /// The peer's address for `Peer-Address` and ZAP (empty if unknown).
    pub peer_address: String,
    /// The connection's fd, for `ZMQ_SRCFD`.
    pub fd: Option<i32>,
}

impl EngineConfig {
    /// A snapshot of `options` for a connection to `peer_address` on `fd`.
    pub fn new(options: &Options, peer_address: &str, fd: Option<i32>) -> EngineConfig {
        let ms = |v: i32| u32::try_from(v).unwrap_or(0);
        let heartbeat_ivl = ms(options.heartbeat_interval);
        let heartbeat_timeout = match (heartbeat_ivl, options.heartbeat_timeout) {
            (0, _) => 0,
            (ivl, -1) => ivl,
            (_, t) => ms(t),
        };
        EngineConfig {
            socket_type: options.socket_type,
            routing_id: options.routing_id.clone(),
            recv_routing_id: options.recv_routing_id,
            router_notify: options.router_notify,
            raw_notify: options.raw_notify,
            mechanism: options.mechanism,
            as_server: options.as_server,
            plain_username: options.plain_username.clone(),
            plain_password: options.plain_password.clone(),
            curve_public_key: options.curve_public_key,
            curve_secret_key: SecretBytes::new(options.curve_secret_key),
            curve_server_key: options.curve_server_key,
            zap_domain: options.zap_domain.clone(),
            zap_enforce_domain: options.zap_enforce_domain,
            maxmsgsize: options.maxmsgsize,
            zero_copy: options.zero_copy,
            in_batch_size: usize::try_from(options.in_batch_size)
                .unwrap_or(8192)
                .max(1),
            out_batch_size: usize::try_from(options.out_batch_size)
                .unwrap_or(8192)
                .max(1),
            handshake_ivl: ms(options.handshake_ivl),
            heartbeat_ivl,
            heartbeat_ttl: options.heartbeat_ttl,
            heartbeat_timeout,
            reconnect_stop: options.reconnect_stop,
            basic_properties: command::basic_properties(options),
            peer_address: peer_address.to_string(),
            fd,
        }
    }

    /// The properties libzmq's `init_properties` gives every connection
    /// with a known peer address: `Peer-Address` and the private `__fd`
    /// behind `ZMQ_SRCFD`.
    pub fn connection_properties(&self) -> BTreeMap<String, Vec<u8>> {
        let mut props = BTreeMap::new();
        if !self.peer_address.is_empty() {
            props.insert(
                PROPERTY_PEER_ADDRESS.into(),
                self.peer_address.as_bytes().into(),
            );
            if let Some(fd) = self.fd {
                props.insert(PROPERTY_FD.into(), fd.to_string().into_bytes());
            }
        }
        props
    }

    /// libzmq's `session_base_t::zap_enabled`: legacy peers are refused.
    fn zap_enabled(&self) -> bool {
        self.mechanism != ZMQ_NULL || !self.zap_domain.is_empty()
    }
}

/// Why a connection ended (libzmq's `error_reason_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// The peer went away or the socket failed: reconnect if connecting.
    Connection,
    /// The handshake or a heartbeat timer expired: reconnect if connecting.
    Timeout,
    /// The peer broke the protocol (or `ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED`
    /// applies): do not reconnect.
    Protocol,
}

/// The end of a connection, as libzmq's `stream_engine_base_t::error`
/// reports it to the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Closed {
    pub reason: CloseReason,
    /// The errno behind it (for logs; monitor values come from events).
    pub errno: i32,
    /// The greeting was complete (libzmq's `!_handshaking`): a ROUTER with
    /// `ZMQ_NOTIFY_DISCONNECT` rolls back its partial message and pushes
    /// the empty notification message.
    pub greeting_done: bool,
    /// The handshake was complete: `ZMQ_DISCONNECT_MSG`/`ZMQ_HICCUP_MSG`
    /// apply (libzmq's `handshaked_` of `engine_error`).
    pub handshaked: bool,
}

/// What the engine tells the io layer, in libzmq's order.
#[derive(Debug)]
pub enum Event {
    /// libzmq's `session->engine_ready()`: attach the pipe now. Comes
    /// before the routing-id message.
    EngineReady,
    /// A message for the session's pipe: data (with the connection's
    /// metadata), the peer's routing id (flag `ROUTING_ID`), a ROUTER's
    /// connect notification (empty), or a subscription from a ZMTP 3.1
    /// peer (flag `SUBSCRIBE`/`CANCEL`, body = topic, as inproc carries it).
    Message(Msg),
    /// Send these frames to the ZAP handler.
    ZapRequest(ZapRequest),
    /// `ZMQ_EVENT_HANDSHAKE_SUCCEEDED` (ZMTP 3 only, as in libzmq).
    HandshakeSucceeded,
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL` with an errno.
    HandshakeFailedNoDetail(i32),
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL` with a `ZMQ_PROTOCOL_ERROR_*`.
    HandshakeFailedProtocol(i32),
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH` with the ZAP status code.
    HandshakeFailedAuth(i32),
    /// The connection is over: raise `ZMQ_EVENT_DISCONNECTED`, close the
    /// fd and tell the session. The last event.
    Closed(Closed),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Greeting,
    /// ZMTP 3: the mechanism's handshake.
    Handshake,
    /// ZMTP 1.0/2.0: messages flow; the first one is the peer's routing id.
    Legacy,
    /// ZMTP 3 after the handshake.
    Active,
    Closed,
}

/// The ZMTP engine of one connection. See the module documentation.
pub struct Engine {
    cfg: EngineConfig,
    phase: Phase,
    greeting: Greeting,
    protocol: Option<Protocol>,
    mechanism: Option<Box<dyn Mechanism>>,
    /// The mechanism encrypts (CURVE): messages go through it.
    mechanism_transforms: bool,
    decoder: Decoder,
    encoder: Encoder,
    events: VecDeque<Event>,
    metadata: Option<Arc<Metadata>>,
    /// Legacy: the next message is the peer's routing id.
    expect_routing_id: bool,
    /// Legacy ZMTP 1.0 PUB/XPUB: subscribe the peer to everything.
    subscription_required: bool,
    greeting_done: bool,
    now: Instant,
    handshake_timer: Option<Instant>,
    heartbeat_ivl_timer: Option<Instant>,
    heartbeat_timeout_timer: Option<Instant>,
    heartbeat_ttl_timer: Option<Instant>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("phase", &self.phase)
            .field("protocol", &self.protocol)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine for a new connection at time `now`: our signature is
    /// queued for sending and the handshake timer armed.
    pub fn new(cfg: EngineConfig, now: Instant) -> Engine {
        let mut encoder = Encoder::new(Framing::V3_1, cfg.out_batch_size);
        encoder.push_raw(&Greeting::signature(cfg.routing_id.len()));
        let mut decoder = Decoder::new(Framing::V2, cfg.in_batch_size, cfg.maxmsgsize);
        decoder.set_zero_copy(cfg.zero_copy);
        let handshake_timer =
            (cfg.handshake_ivl > 0).then(|| now + Duration::from_millis(cfg.handshake_ivl.into()));
        Engine {
            greeting: Greeting::new(cfg.socket_type, mechanism::mechanism_name(cfg.mechanism)),
            decoder,
            encoder,
            cfg,
            phase: Phase::Greeting,
            protocol: None,
            mechanism: None,
            mechanism_transforms: false,
            events: VecDeque::with_capacity(8),
            metadata: None,
            expect_routing_id: false,
            subscription_required: false,
            greeting_done: false,
            now,
            handshake_timer,
            heartbeat_ivl_timer: None,
            heartbeat_timeout_timer: None,
            heartbeat_ttl_timer: None,
        }
    }

    #[cfg(test)]
    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }

    /// The protocol the greeting chose, once known.
    #[cfg(test)]
    pub fn protocol(&self) -> Option<Protocol> {
        self.protocol
    }

    #[cfg(any(test, feature = "fuzzing"))]
    pub fn is_closed(&self) -> bool {
        self.phase == Phase::Closed
    }

    /// Messages flow (handshake done, or a legacy peer).
    pub fn is_ready(&self) -> bool {
        matches!(self.phase, Phase::Active | Phase::Legacy)
    }

    /// The metadata attached to received messages, once the handshake is
    /// done.
    #[cfg(test)]
    pub fn metadata(&self) -> Option<&Arc<Metadata>> {
        self.metadata.as_ref()
    }

    // ---- input -------------------------------------------------------

    /// Where to read next; empty while decoded events are pending, and once
    /// closed.
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn read_buf(&mut self) -> &mut [u8] {
        if self.phase == Phase::Closed {
            return &mut [];
        }
        self.decoder.read_buf()
    }

    /// As [`Engine::read_buf`], lending a long body's rest uninitialised.
    ///
    /// # Safety
    /// As [`Decoder::read_buf_uninit`]: write the bytes, never read them.
    pub unsafe fn read_buf_uninit(&mut self) -> &mut [u8] {
        if self.phase == Phase::Closed {
            return &mut [];
        }
        // SAFETY: the caller's contract.
        unsafe { self.decoder.read_buf_uninit() }
    }

    /// `n` bytes were read into [`Engine::read_buf`] at `now`.
    pub fn advance_read(&mut self, n: usize, now: Instant) {
        self.now = now;
        self.decoder.advance(n);
    }

    /// Copies as much of `input` as the read buffer takes; returns the
    /// count. For callers that already hold the bytes.
    #[cfg(test)]
    pub fn feed(&mut self, input: &[u8], now: Instant) -> usize {
        if self.phase == Phase::Closed {
            return 0;
        }
        self.now = now;
        self.decoder.feed(input)
    }

    /// The peer closed the connection or the socket failed with `errno`.
    pub fn connection_lost(&mut self, errno: i32) {
        self.fail(CloseReason::Connection, errno);
    }

    /// The next event; decodes buffered input as needed.
    pub fn poll_event(&mut self) -> Option<Event> {
        loop {
            if let Some(e) = self.events.pop_front() {
                return Some(e);
            }
            match self.phase {
                Phase::Closed => return None,
                Phase::Greeting => {
                    if !self.step_greeting() {
                        return None;
                    }
                }
                _ => match self.decoder.decode() {
                    Ok(Some(msg)) => {
                        if let Some(m) = self.process(msg) {
                            return Some(Event::Message(m));
                        }
                    }
                    Ok(None) => return None,
                    Err(e) => self.fail(CloseReason::Protocol, e.errno()),
                },
            }
        }
    }

    // ---- output ------------------------------------------------------

    /// Whether [`Engine::send`] takes a message now: the handshake is done
    /// and less than `ZMQ_OUT_BATCH_SIZE` bytes wait to be written.
    pub fn can_send(&self) -> bool {
        self.is_ready() && self.encoder.pending() < self.cfg.out_batch_size
    }

    /// Encodes a message from the session. Before the handshake is done
    /// (or after the end) the message comes back.
    pub fn send(&mut self, msg: Msg) -> Result<(), Msg> {
        if !self.is_ready() {
            return Err(msg);
        }
        self.encode(msg);
        Ok(())
    }

    fn encode(&mut self, msg: Msg) {
        if !self.mechanism_transforms {
            return self.encoder.encode(msg);
        }
        let msg = match &mut self.mechanism {
            Some(m) => m.encode(msg, &mut self.events),
            None => Ok(msg),
        };
        match msg {
            Ok(m) => self.encoder.encode(m),
            Err(e) => self.fail(CloseReason::Protocol, e.errno()),
        }
    }

    /// Whether bytes wait to be written.
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
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn take_transmit(&mut self, out: &mut Vec<u8>) {
        self.encoder.take_all(out);
    }

    // ---- time --------------------------------------------------------

    /// When [`Engine::on_timeout`] is due next.
    pub fn next_timeout(&self) -> Option<Instant> {
        [
            self.handshake_timer,
            self.heartbeat_ivl_timer,
            self.heartbeat_ttl_timer,
            self.heartbeat_timeout_timer,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Runs the timers due at `now`, earliest first.
    pub fn on_timeout(&mut self, now: Instant) {
        self.now = now;
        while self.phase != Phase::Closed {
            let due = [
                (self.handshake_timer, 0),
                (self.heartbeat_ivl_timer, 1),
                (self.heartbeat_ttl_timer, 2),
                (self.heartbeat_timeout_timer, 3),
            ]
            .into_iter()
            .filter_map(|(t, id)| t.filter(|t| *t <= now).map(|t| (t, id)))
            .min();
            let Some((_, id)) = due else { break };
            match id {
                1 => {
                    let ivl = Duration::from_millis(self.cfg.heartbeat_ivl.into());
                    self.heartbeat_ivl_timer = Some(now + ivl);
                    self.encode(command::ping(self.cfg.heartbeat_ttl, &[]));
                    if self.heartbeat_timeout_timer.is_none() && self.cfg.heartbeat_timeout > 0 {
                        let t = Duration::from_millis(self.cfg.heartbeat_timeout.into());
                        self.heartbeat_timeout_timer = Some(now + t);
                    }
                }
                _ => self.fail(CloseReason::Timeout, TIMEOUT_ERRNO),
            }
        }
    }

    // ---- ZAP ---------------------------------------------------------

    /// The ZAP handler's reply to our request, one message per frame as
    /// read from the ZAP pipe (up to seven, ending at one without MORE).
    pub fn zap_reply(&mut self, frames: &[Msg]) {
        let Some(mech) = &mut self.mechanism else {
            return;
        };
        if self.phase != Phase::Handshake {
            return;
        }
        match mech.zap_reply(&self.cfg, frames, &mut self.events) {
            Ok(()) => self.pump_handshake(),
            Err(e) => self.fail(CloseReason::Protocol, e.errno()),
        }
    }

    /// No ZAP handler is bound at `inproc://zeromq.zap.01`.
    pub fn zap_unavailable(&mut self) {
        let Some(mech) = &mut self.mechanism else {
            return;
        };
        if self.phase != Phase::Handshake {
            return;
        }
        match mech.zap_unavailable(&self.cfg, &mut self.events) {
            Ok(()) => self.pump_handshake(),
            Err(e) => self.fail(CloseReason::Protocol, e.errno()),
        }
    }

    // ---- internals ---------------------------------------------------

    /// Feeds buffered input to the greeting; true when it completed.
    fn step_greeting(&mut self) -> bool {
        let mut out = Vec::new();
        let (used, progress) = self.greeting.feed(self.decoder.pending(), &mut out);
        self.decoder.consume(used);
        self.encoder.push_raw(&out);
        match progress {
            Progress::NeedMore => false,
            Progress::Done(p) => {
                self.on_greeting(p);
                true
            }
        }
    }

    /// libzmq's `select_handshake_fun` and the handshakes it picks.
    fn on_greeting(&mut self, p: Protocol) {
        self.protocol = Some(p);
        if !p.has_mechanism() {
            if self.cfg.zap_enabled() {
                return self.fail(CloseReason::Protocol, EPROTO.errno());
            }
            let framing = if p == Protocol::V2 {
                Framing::V2
            } else {
                Framing::V1
            };
            self.decoder.set_framing(framing);
            self.encoder.set_framing(framing);
            if p == Protocol::V1Unversioned {
                // Our signature was the routing-id frame's header.
                self.encoder.push_raw(&self.cfg.routing_id);
                self.decoder.unread(self.greeting.received());
                self.subscription_required = matches!(self.cfg.socket_type, ZMQ_PUB | ZMQ_XPUB);
            } else {
                self.encoder.encode(Msg::from_slice(&self.cfg.routing_id));
            }
            self.expect_routing_id = true;
            self.greeting_done = true;
            self.phase = Phase::Legacy;
            self.handshake_timer = None;
            self.events.push_back(Event::EngineReady);
            return;
        }
        let framing = if p == Protocol::V3_0 {
            Framing::V2
        } else {
            Framing::V3_1
        };
        self.encoder.set_framing(framing);
        let name = mechanism::mechanism_name(self.cfg.mechanism);
        let mech = if self.greeting.peer_mechanism_is(name) {
            mechanism::new_mechanism(&self.cfg, p == Protocol::V3_0)
        } else {
            None
        };
        let Some(mech) = mech else {
            self.events
                .push_back(Event::HandshakeFailedProtocol(ZMTP_MECHANISM_MISMATCH));
            return self.fail(CloseReason::Protocol, EPROTO.errno());
        };
        self.mechanism_transforms = mech.transforms_messages();
        self.mechanism = Some(mech);
        self.greeting_done = true;
        self.phase = Phase::Handshake;
        self.pump_handshake();
    }

    /// libzmq's `next_handshake_command` loop on the output side: queue the
    /// mechanism's commands; finish when it is ready. An error status here
    /// only stops output, as in libzmq (the peer or a timer ends it).
    fn pump_handshake(&mut self) {
        while self.phase == Phase::Handshake {
            let Some(mech) = &mut self.mechanism else {
                return;
            };
            match mech.status() {
                Status::Ready => return self.mechanism_ready(),
                Status::Error => return,
                Status::Handshaking => {}
            }
            match mech.next_handshake_command(&self.cfg, &mut self.events) {
                Some(cmd) => self.encoder.encode(cmd),
                None => return,
            }
        }
    }

    /// libzmq's `mechanism_ready`.
    fn mechanism_ready(&mut self) {
        let Some(mech) = &self.mechanism else { return };
        if self.cfg.heartbeat_ivl > 0 && self.heartbeat_ivl_timer.is_none() {
            let ivl = Duration::from_millis(self.cfg.heartbeat_ivl.into());
            self.heartbeat_ivl_timer = Some(self.now + ivl);
        }
        self.events.push_back(Event::EngineReady);
        let peer = mech.peer();
        if self.cfg.recv_routing_id {
            let mut id = Msg::from_slice(&peer.routing_id);
            id.set_flags(flags::ROUTING_ID);
            self.events.push_back(Event::Message(id));
        }
        if self.cfg.router_notify & ZMQ_NOTIFY_CONNECT != 0 {
            self.events.push_back(Event::Message(Msg::new()));
        }
        // First value of a name wins: Peer-Address, then ZAP, then ZMTP.
        let mut props = self.cfg.connection_properties();
        for (k, v) in peer.zap_properties.iter().chain(&peer.zmtp_properties) {
            props.entry(k.clone()).or_insert_with(|| v.clone());
        }
        if !props.is_empty() {
            self.metadata = Some(Arc::new(Metadata::new(props)));
        }
        self.handshake_timer = None;
        self.phase = Phase::Active;
        self.events.push_back(Event::HandshakeSucceeded);
    }

    /// One decoded frame; a message for the session, if any.
    fn process(&mut self, mut msg: Msg) -> Option<Msg> {
        match self.phase {
            Phase::Handshake => {
                let mech = self.mechanism.as_mut()?;
                if let Err(e) = mech.process_handshake_command(&self.cfg, &msg, &mut self.events) {
                    self.fail(CloseReason::Protocol, e.errno());
                    return None;
                }
                match mech.status() {
                    Status::Ready => self.mechanism_ready(),
                    // The peer's ERROR ends the connection.
                    Status::Error if mechanism::is_error_command(msg.data()) => {
                        self.fail(CloseReason::Protocol, EPROTO.errno());
                        return None;
                    }
                    // We sent ERROR (a ZAP refusal can come before the
                    // peer's READY): as libzmq, output stops and the peer,
                    // which reads our ERROR, ends the connection (or the
                    // handshake timer does). Closing here could drop the
                    // ERROR before it is written.
                    Status::Error => return None,
                    Status::Handshaking => {}
                }
                self.pump_handshake();
                None
            }
            Phase::Legacy => {
                if self.expect_routing_id {
                    self.expect_routing_id = false;
                    if self.subscription_required {
                        // A phantom subscription, so that ZMTP 1.0 peers,
                        // which send none, get what we publish. It follows
                        // the routing id, which is returned at once.
                        self.events.push_back(Event::Message(Msg::from_slice(&[1])));
                    }
                    // libzmq pushes the routing-id frame into the session,
                    // which drops commands: a ZMTP 2.0 peer whose first
                    // frame has the COMMAND flag sends no routing id, and
                    // a ROUTER takes the next frame as the id (issue 11).
                    if !self.cfg.recv_routing_id || msg.is_command() {
                        return None;
                    }
                    msg.set_flags(flags::ROUTING_ID);
                    return Some(msg);
                }
                // The session drops commands (none are expected here).
                (!msg.is_command()).then_some(msg)
            }
            Phase::Active => self.decode_and_push(msg),
            Phase::Greeting | Phase::Closed => None,
        }
    }

    /// libzmq's `decode_and_push` plus `process_command_message`.
    fn decode_and_push(&mut self, msg: Msg) -> Option<Msg> {
        let mechanism = self.mechanism.as_mut()?;
        let mut msg = if self.mechanism_transforms {
            match mechanism.decode(msg, &mut self.events) {
                Ok(m) => m,
                Err(e) => {
                    self.fail(CloseReason::Protocol, e.errno());
                    return None;
                }
            }
        } else {
            msg
        };
        // Any traffic proves the peer alive.
        self.heartbeat_timeout_timer = None;
        self.heartbeat_ttl_timer = None;
        if msg.is_command() {
            msg = self.process_command(msg)?;
        }
        if let Some(meta) = &self.metadata {
            msg.set_metadata(Some(meta.clone()));
        }
        Some(msg)
    }

    /// PING is answered, PONG and unknown or malformed commands are
    /// dropped (as libzmq's session drops them), SUBSCRIBE and CANCEL
    /// become subscription messages for XPUB and PUB and plain messages
    /// (the command body) for the others.
    fn process_command(&mut self, msg: Msg) -> Option<Msg> {
        let data = msg.data();
        let name = command::name(data)?;
        match name {
            b"PING" => {
                let (ttl, context) = command::parse_ping(data);
                if self.heartbeat_ttl_timer.is_none() && ttl > 0 {
                    let ttl = Duration::from_millis(u64::from(ttl) * 100);
                    self.heartbeat_ttl_timer = Some(self.now + ttl);
                }
                let pong = command::command(&[command::PONG, context]);
                self.encode(pong);
                None
            }
            // libzmq's req_session_t ignores every command.
            b"SUBSCRIBE" | b"CANCEL" if self.cfg.socket_type == ZMQ_REQ => None,
            // Only XPUB and PUB read subscriptions; every other socket gets
            // what libzmq's session passes on to it: the whole command
            // body as a message.
            b"SUBSCRIBE" | b"CANCEL" if !matches!(self.cfg.socket_type, ZMQ_XPUB | ZMQ_PUB) => {
                let mut m = msg;
                m.reset_flags(flags::COMMAND);
                Some(m)
            }
            b"SUBSCRIBE" | b"CANCEL" => {
                let mut sub = Msg::from_slice(&data[1 + name.len()..]);
                sub.set_flags(if name == b"SUBSCRIBE" {
                    flags::SUBSCRIBE
                } else {
                    flags::CANCEL
                });
                sub.set_more(msg.has_more());
                Some(sub)
            }
            // libzmq's radio_session_t: a DISH's JOIN/LEAVE becomes the
            // socket's join/leave message. A group too long to hold is
            // dropped (libzmq asserts). Other sockets drop them.
            b"JOIN" | b"LEAVE" if self.cfg.socket_type == ZMQ_RADIO => {
                let mut m = if name == b"JOIN" {
                    Msg::join()
                } else {
                    Msg::leave()
                };
                m.set_group(&data[1 + name.len()..]).ok()?;
                Some(m)
            }
            _ => None,
        }
    }

    /// The session found the peer's messages malformed (libzmq's
    /// `push_msg` failing in `decode_and_push`): end the connection
    /// with a protocol error, which is not retried.
    pub fn protocol_error(&mut self, errno: i32) {
        self.fail(CloseReason::Protocol, errno);
    }

    /// libzmq's `stream_engine_base_t::error`: the monitor events and the
    /// final [`Event::Closed`].
    fn fail(&mut self, mut reason: CloseReason, errno: i32) {
        if self.phase == Phase::Closed {
            return;
        }
        let mech_handshaking = self
            .mechanism
            .as_ref()
            .is_none_or(|m| m.status() == Status::Handshaking);
        if reason != CloseReason::Protocol && mech_handshaking {
            self.events.push_back(Event::HandshakeFailedNoDetail(errno));
            if self.cfg.reconnect_stop & ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED != 0 {
                reason = CloseReason::Protocol;
            }
        }
        let handshaked = self.greeting_done
            && self
                .mechanism
                .as_ref()
                .is_none_or(|m| m.status() != Status::Handshaking);
        self.events.push_back(Event::Closed(Closed {
            reason,
            errno,
            greeting_done: self.greeting_done,
            handshaked,
        }));
        self.phase = Phase::Closed;
        self.handshake_timer = None;
        self.heartbeat_ivl_timer = None;
        self.heartbeat_ttl_timer = None;
        self.heartbeat_timeout_timer = None;
    }
}
