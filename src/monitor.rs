//! Socket monitoring: the events libzmq reports on a monitor socket, their
//! wire encoding (event versions 1 and 2), and [`MonitorSink`], the
//! thread-safe handle through which the socket, its io objects and its
//! pipes emit them.
//!
//! # Design
//!
//! libzmq keeps the monitor socket inside the monitored socket behind a
//! mutex (`_monitor_sync`) and sends events from whichever thread sees
//! them: the application thread (bind, stop, pipe statistics) or an io
//! thread (connect, accept, handshake, disconnect). [`MonitorSink`] is that
//! mutex and socket, shared by `Arc`: the socket core owns one, and every io
//! object that can raise events holds a clone (`Socket::monitor_sink`).
//! The set of subscribed events is mirrored in an atomic so an unmonitored
//! socket pays one load per would-be event and never takes the lock.
//!
//! Events are sent as libzmq sends them: blocking until the monitor socket
//! can take them (a PAIR with no reader yet, or a full pipe, holds the
//! emitting thread until a reader connects, exactly as libzmq does, so no
//! event is lost to a reader that connects late). Two deliberate
//! differences keep that blocking from becoming a deadlock here:
//!
//! - Stopping the monitor (`zmq_socket_monitor(s, NULL, 0)`, a new monitor
//!   replacing the old one, `zmq_close`, context termination) first
//!   interrupts a sender blocked on the monitor socket; that event is
//!   dropped. In libzmq the stopper waited on the mutex until a reader came.
//! - `ZMQ_EVENT_MONITOR_STOPPED` is sent without blocking. libzmq sends it
//!   from its reaper thread on close, so a missing reader never stalled the
//!   closing application thread; we close on the application thread.
//!
//! The monitor socket is an ordinary socket of the monitored socket's
//! context with `ZMQ_LINGER` 0, bound to the monitor's inproc endpoint, and
//! closed when monitoring stops.

use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use crate::endpoint_pair::EndpointPair;
use crate::msg::Msg;
use crate::signaler::Signaler;
use crate::{Error, Result};

/// The monitor socket as the sink sends on it: the socket layer opens it
/// (a PAIR, PUB or PUSH bound to the monitor's inproc endpoint) and gives
/// it to [`MonitorSink::start`], so this module needs no socket.
pub(crate) trait EventSocket: Send {
    /// Sends one frame without blocking (`EAGAIN` when it cannot take it
    /// now), with `ZMQ_SNDMORE` if `more`.
    fn send_frame(&mut self, frame: &mut Msg, more: bool) -> Result<()>;
    /// A descriptor that becomes readable when the socket may be able to
    /// take more (its `ZMQ_FD`).
    fn fd(&self) -> RawFd;
}

/// The `ZMQ_EVENT_*` values of libzmq 4.3.5.
pub mod events {
    pub const CONNECTED: u64 = 0x0001;
    pub const CONNECT_DELAYED: u64 = 0x0002;
    pub const CONNECT_RETRIED: u64 = 0x0004;
    pub const LISTENING: u64 = 0x0008;
    pub const BIND_FAILED: u64 = 0x0010;
    pub const ACCEPTED: u64 = 0x0020;
    pub const ACCEPT_FAILED: u64 = 0x0040;
    pub const CLOSED: u64 = 0x0080;
    pub const CLOSE_FAILED: u64 = 0x0100;
    pub const DISCONNECTED: u64 = 0x0200;
    pub const MONITOR_STOPPED: u64 = 0x0400;
    pub const HANDSHAKE_FAILED_NO_DETAIL: u64 = 0x0800;
    pub const HANDSHAKE_SUCCEEDED: u64 = 0x1000;
    pub const HANDSHAKE_FAILED_PROTOCOL: u64 = 0x2000;
    pub const HANDSHAKE_FAILED_AUTH: u64 = 0x4000;
    /// Version 2 only (the draft `zmq_socket_monitor_pipes_stats`).
    pub const PIPES_STATS: u64 = 0x10000;
    /// `ZMQ_EVENT_ALL` = `ZMQ_EVENT_ALL_V1`: every version 1 event.
    #[cfg(test)]
    pub const ALL: u64 = 0xFFFF;
    #[cfg(test)]
    pub const ALL_V1: u64 = ALL;
    #[cfg(test)]
    pub const ALL_V2: u64 = ALL_V1 | PIPES_STATS;
}

/// The frames of one event in the given format version, as libzmq's
/// `monitor_event` writes them; empty for a version that has no format
/// (libzmq accepts any version and sends nothing for unknown ones).
///
/// - Version 1: `[u16 event, u32 value]` (6 bytes, native byte order),
///   then the endpoint (`EndpointPair::identifier`). Only the first value
///   is sent; events above 16 bits cannot be subscribed in version 1.
/// - Version 2: `u64 event`, `u64` number of values, one `u64` frame per
///   value, the local address, the remote address.
pub fn encode(version: i32, event: u64, values: &[u64], pair: &EndpointPair) -> Vec<Msg> {
    match version {
        1 => {
            let mut head = [0u8; 6];
            head[..2].copy_from_slice(&(event as u16).to_ne_bytes());
            let value = values.first().copied().unwrap_or(0) as u32;
            head[2..].copy_from_slice(&value.to_ne_bytes());
            vec![
                Msg::from_slice(&head),
                Msg::from_slice(pair.identifier().as_bytes()),
            ]
        }
        2 => {
            let mut frames = Vec::with_capacity(values.len() + 4);
            frames.push(Msg::from_slice(&event.to_ne_bytes()));
            frames.push(Msg::from_slice(&(values.len() as u64).to_ne_bytes()));
            frames.extend(values.iter().map(|v| Msg::from_slice(&v.to_ne_bytes())));
            frames.push(Msg::from_slice(pair.local.as_bytes()));
            frames.push(Msg::from_slice(pair.remote.as_bytes()));
            frames
        }
        _ => Vec::new(),
    }
}

/// What C's conversion of an `int` (fd, errno, interval) to `uint64_t`
/// gives: sign-extended, as libzmq passes event values.
fn c_value(v: i32) -> u64 {
    v as i64 as u64
}

struct State {
    socket: Option<Box<dyn EventSocket>>,
    /// libzmq's `_monitor_events`: kept even when creating the monitor
    /// socket failed, as libzmq does.
    events: u64,
    version: i32,
}

struct Shared {
    /// Mirror of `State::events` for the lock-free "is anyone listening"
    /// check.
    mask: AtomicU64,
    state: Mutex<State>,
    /// Set by a stopper that wants a blocked sender to give up.
    interrupt: AtomicBool,
    /// Wakes a sender blocked on the monitor socket when `interrupt` is
    /// set. Created with the first monitor, so unmonitored sockets cost no
    /// file descriptor.
    wake: OnceLock<Signaler>,
}

/// The monitor of one socket, shared by the socket and its io objects.
/// Cloning gives another handle on the same monitor.
#[derive(Clone)]
pub struct MonitorSink {
    shared: Arc<Shared>,
}

impl Default for MonitorSink {
    fn default() -> Self {
        MonitorSink::new()
    }
}

impl std::fmt::Debug for MonitorSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MonitorSink(events={:#x})", self.events())
    }
}

impl MonitorSink {
    /// A sink with no monitor: every event is discarded.
    pub fn new() -> MonitorSink {
        MonitorSink {
            shared: Arc::new(Shared {
                mask: AtomicU64::new(0),
                state: Mutex::new(State {
                    socket: None,
                    events: 0,
                    version: 1,
                }),
                interrupt: AtomicBool::new(false),
                wake: OnceLock::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The subscribed events (0 when not monitoring).
    pub fn events(&self) -> u64 {
        self.shared.mask.load(Ordering::Acquire)
    }

    /// Whether `event` is subscribed; lets a caller skip building an
    /// endpoint pair nobody will read.
    pub fn wants(&self, event: u64) -> bool {
        self.events() & event != 0
    }

    /// libzmq's `socket_base_t::event`: sends `event` with `values` if it
    /// is subscribed. Blocks while the monitor socket cannot take it (see
    /// the module documentation).
    pub fn event(&self, event: u64, values: &[u64], pair: &EndpointPair) {
        if !self.wants(event) {
            return;
        }
        let mut st = self.lock();
        if st.events & event == 0 {
            return;
        }
        let frames = encode(st.version, event, values, pair);
        if let Some(sock) = st.socket.as_mut() {
            send_event(sock.as_mut(), frames, Some(&self.shared));
        }
    }

    pub fn event_connected(&self, pair: &EndpointPair, fd: RawFd) {
        self.event(events::CONNECTED, &[c_value(fd)], pair);
    }

    pub fn event_connect_delayed(&self, pair: &EndpointPair, err: i32) {
        self.event(events::CONNECT_DELAYED, &[c_value(err)], pair);
    }

    pub fn event_connect_retried(&self, pair: &EndpointPair, interval_ms: i32) {
        self.event(events::CONNECT_RETRIED, &[c_value(interval_ms)], pair);
    }

    pub fn event_listening(&self, pair: &EndpointPair, fd: RawFd) {
        self.event(events::LISTENING, &[c_value(fd)], pair);
    }

    pub fn event_bind_failed(&self, pair: &EndpointPair, err: i32) {
        self.event(events::BIND_FAILED, &[c_value(err)], pair);
    }

    pub fn event_accepted(&self, pair: &EndpointPair, fd: RawFd) {
        self.event(events::ACCEPTED, &[c_value(fd)], pair);
    }

    pub fn event_accept_failed(&self, pair: &EndpointPair, err: i32) {
        self.event(events::ACCEPT_FAILED, &[c_value(err)], pair);
    }

    pub fn event_closed(&self, pair: &EndpointPair, fd: RawFd) {
        self.event(events::CLOSED, &[c_value(fd)], pair);
    }

    pub fn event_close_failed(&self, pair: &EndpointPair, err: i32) {
        self.event(events::CLOSE_FAILED, &[c_value(err)], pair);
    }

    pub fn event_disconnected(&self, pair: &EndpointPair, fd: RawFd) {
        self.event(events::DISCONNECTED, &[c_value(fd)], pair);
    }

    pub fn event_handshake_failed_no_detail(&self, pair: &EndpointPair, err: i32) {
        self.event(events::HANDSHAKE_FAILED_NO_DETAIL, &[c_value(err)], pair);
    }

    /// `err` is a `ZMQ_PROTOCOL_ERROR_*` value.
    pub fn event_handshake_failed_protocol(&self, pair: &EndpointPair, err: i32) {
        self.event(events::HANDSHAKE_FAILED_PROTOCOL, &[c_value(err)], pair);
    }

    /// `status` is the ZAP status code (300, 400, 500).
    pub fn event_handshake_failed_auth(&self, pair: &EndpointPair, status: i32) {
        self.event(events::HANDSHAKE_FAILED_AUTH, &[c_value(status)], pair);
    }

    /// libzmq passes 0 as the value.
    pub fn event_handshake_succeeded(&self, pair: &EndpointPair, err: i32) {
        self.event(events::HANDSHAKE_SUCCEEDED, &[c_value(err)], pair);
    }

    /// `ZMQ_EVENT_PIPES_STATS`: messages queued outbound and inbound on
    /// one pipe.
    pub fn event_pipes_stats(&self, pair: &EndpointPair, outbound: u64, inbound: u64) {
        self.event(events::PIPES_STATS, &[outbound, inbound], pair);
    }

    /// Starts monitoring: the second half of libzmq's
    /// `socket_base_t::monitor`, after the caller validated the address.
    /// A running monitor is stopped first (with `MONITOR_STOPPED`), even
    /// when the new one is then refused for its socket type (`type_ok`
    /// false: `EINVAL`). `open` makes the monitor socket and `bind` binds
    /// it; their errors (`EMFILE`, `EADDRINUSE`, ...) are returned and
    /// leave no monitor (the events stay set when opening failed, as in
    /// libzmq).
    pub(crate) fn start<S: EventSocket + 'static>(
        &self,
        type_ok: bool,
        events: u64,
        version: i32,
        open: impl FnOnce() -> Result<S>,
        bind: impl FnOnce(&mut S) -> Result<()>,
    ) -> Result<()> {
        let mut st = self.lock_interrupting();
        if st.socket.is_some() {
            self.stop_locked(&mut st, true);
        }
        if !type_ok {
            return Err(Error::EINVAL);
        }
        if self.shared.wake.get().is_none() {
            let s = Signaler::new()?;
            let _ = self.shared.wake.set(s);
        }
        st.events = events;
        st.version = version;
        self.shared.mask.store(events, Ordering::Release);
        let mut sock = open()?;
        let bound = bind(&mut sock);
        st.socket = Some(Box::new(sock));
        if bound.is_err() {
            self.stop_locked(&mut st, false);
        }
        bound
    }

    /// libzmq's `stop_monitor`: sends `MONITOR_STOPPED` if asked and
    /// subscribed, closes the monitor socket and clears the events. A
    /// no-op when not monitoring.
    pub(crate) fn stop(&self, send_stopped: bool) {
        // Never monitored: nothing to stop, and no lock to take on close.
        if self.shared.wake.get().is_none() {
            return;
        }
        let mut st = self.lock_interrupting();
        self.stop_locked(&mut st, send_stopped);
    }

    fn stop_locked(&self, st: &mut State, send_stopped: bool) {
        let Some(mut sock) = st.socket.take() else {
            return;
        };
        if send_stopped && st.events & events::MONITOR_STOPPED != 0 {
            let frames = encode(
                st.version,
                events::MONITOR_STOPPED,
                &[0],
                &EndpointPair::default(),
            );
            send_event(sock.as_mut(), frames, None);
        }
        st.events = 0;
        self.shared.mask.store(0, Ordering::Release);
        drop(sock);
    }

    /// Takes the lock, first asking a sender blocked on the monitor socket
    /// to give up (see the module documentation).
    fn lock_interrupting(&self) -> MutexGuard<'_, State> {
        let wake = self.shared.wake.get();
        if wake.is_some() {
            self.shared.interrupt.store(true, Ordering::Release);
            if let Some(w) = wake {
                w.raise();
            }
        }
        let st = self.lock();
        if let Some(w) = wake {
            self.shared.interrupt.store(false, Ordering::Release);
            w.clear();
        }
        st
    }
}

/// Sends one event's frames. `blocking`: wait while the socket cannot take
/// a frame, until it can, the context terminates, or a stopper interrupts;
/// else give up at once. Returns whether the whole event was sent. A
/// message given up half-way is rolled back when the socket closes, which
/// always follows an interruption.
fn send_event(sock: &mut dyn EventSocket, frames: Vec<Msg>, blocking: Option<&Shared>) -> bool {
    let last = frames.len().saturating_sub(1);
    for (i, mut frame) in frames.into_iter().enumerate() {
        loop {
            match sock.send_frame(&mut frame, i < last) {
                Ok(()) => break,
                Err(e) if e == Error::EAGAIN => {
                    let Some(shared) = blocking else {
                        return false;
                    };
                    if !wait_writable(sock, shared) {
                        return false;
                    }
                }
                Err(_) => return false,
            }
        }
    }
    true
}

/// Waits until the monitor socket has new commands (maybe a reader
/// connected or read) or a stopper interrupts. False if interrupted.
fn wait_writable(sock: &dyn EventSocket, shared: &Shared) -> bool {
    let wake_fd = shared.wake.get().map(|w| w.fd());
    loop {
        if shared.interrupt.load(Ordering::Acquire) {
            return false;
        }
        let mut fds = [
            libc::pollfd {
                fd: sock.fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: wake_fd.unwrap_or(-1),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // A negative fd is ignored.
        match crate::sys::poll::poll(&mut fds, -1) {
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
            Err(_) => return false,
        }
        if shared.interrupt.load(Ordering::Acquire) {
            return false;
        }
        if fds[0].revents != 0 {
            return true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::c_value;

    #[test]
    fn c_int_values_are_sign_extended_as_libzmq_converts_them() {
        assert_eq!(c_value(-1), u64::MAX);
        assert_eq!(c_value(0x2000_0001), 0x2000_0001);
    }
}
