//! A connecting session's attempts (libzmq's `tcp_connecter_t`,
//! `socks_connecter_t` and `ipc_connecter_t` within the session; where
//! they differ the `Connecter` says so): opening a non-blocking connect,
//! closing one that failed or timed out, and scheduling the next try with
//! the back-off of `reconnect.rs`. Beyond libzmq, an attempt waits for a
//! host name's lookup without holding up the io thread, and tries every
//! address the name resolved to before it counts as failed.

use std::io;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use mio::event::Source;
use mio::Interest;

use super::{reconnect, Role, Session, State};
use crate::endpoint_pair::EndpointPair;
use crate::io::IoCx;
use crate::transport::Stream;

impl Session {
    /// Starts an attempt: resolve (a host name on a lookup thread, see
    /// `transport::lookup`), then connect to the first address.
    pub(super) fn start_connecting(&mut self, cx: &mut IoCx) {
        let Role::Connect(connector) = &mut self.role else {
            return;
        };
        connector.set_wake(cx.waker());
        let attempt = connector.connect(&self.options);
        self.begin_connect(cx, attempt);
    }

    /// The lookup this session's attempt waits for has answered: go on
    /// with the attempt (a stale wake-up changes nothing).
    pub(super) fn lookup_done(&mut self, cx: &mut IoCx) {
        let waiting = matches!(&self.role, Role::Connect(c) if c.awaits_lookup());
        if waiting && self.state == State::Idle && !self.finished {
            self.start_connecting(cx);
        }
    }

    /// After the current address failed (at once, refused, or timed out):
    /// connects to the attempt's next address, if the name gave another.
    /// False when none is left: the attempt has failed.
    pub(super) fn connect_next_address(&mut self, cx: &mut IoCx) -> bool {
        let Role::Connect(connector) = &mut self.role else {
            return false;
        };
        let Some(attempt) = connector.connect_next(&self.options) else {
            return false;
        };
        self.begin_connect(cx, attempt);
        true
    }

    fn begin_connect(&mut self, cx: &mut IoCx, attempt: io::Result<Box<dyn Stream>>) {
        let Role::Connect(connector) = &mut self.role else {
            return;
        };
        match attempt {
            Ok(mut stream) => {
                let interest = Interest::READABLE | Interest::WRITABLE;
                if stream.register(cx.registry, cx.token(), interest).is_err() {
                    self.schedule_reconnect();
                    return;
                }
                if connector.reports_connect_delayed() {
                    // A tcp connect is always in progress at first.
                    let pair = EndpointPair::unconnected_connect(self.endpoint.clone());
                    self.monitor.event_connect_delayed(&pair, libc::EINPROGRESS);
                }
                if connector.has_connect_timer() {
                    // libzmq's tcp and ws connecters alone have a connect timer.
                    let limit = self.options.connect_timeout;
                    self.connect_deadline =
                        (limit > 0).then(|| Instant::now() + Duration::from_millis(limit as u64));
                }
                self.fd = stream.fd();
                self.stream = Some(stream);
                self.state = State::Connecting;
            }
            Err(_) if connector.awaits_lookup() => {
                // Nothing to do until the lookup answers (`lookup_done`);
                // the io thread serves everything else meanwhile.
                self.state = State::Idle;
                self.retry_at = None;
            }
            Err(e) => {
                // libzmq closes the attempt's socket, if it opened one,
                // with a CLOSED event before anything else.
                if let Some(fd) = connector.take_closed_fd() {
                    let pair = EndpointPair::unconnected_connect(self.endpoint.clone());
                    self.monitor.event_closed(&pair, fd);
                }
                if self.connect_next_address(cx) {
                    return;
                }
                let disconnected = self
                    .socket_disconnected
                    .as_ref()
                    .is_some_and(|f| f.load(Ordering::Acquire));
                if reconnect::stop_after_disconnect(&self.options, &self.endpoint, &e, disconnected)
                {
                    // libzmq's ipc connecter just stops: no retry, no
                    // event but the CLOSED above.
                    self.state = State::Idle;
                    self.retry_at = None;
                } else {
                    self.schedule_reconnect();
                }
            }
        }
    }

    /// Closes the socket of a connect that failed or timed out, as libzmq's
    /// connecter does (with a `CLOSED` event).
    pub(super) fn close_connecting(&mut self, cx: &mut IoCx) {
        self.connect_deadline = None;
        if let Some(mut s) = self.stream.take() {
            let _ = s.deregister(cx.registry);
            let pair = EndpointPair::unconnected_connect(self.endpoint.clone());
            self.monitor.event_closed(&pair, self.fd);
        }
    }

    pub(super) fn schedule_reconnect(&mut self) {
        self.state = State::Idle;
        if self.options.reconnect_ivl <= 0 {
            // libzmq retries only with a positive interval.
            self.retry_at = None;
            return;
        }
        let ivl = self.backoff.next_interval(&self.options);
        self.retry_at = Some(Instant::now() + Duration::from_millis(ivl as u64));
        let pair = EndpointPair::unconnected_connect(self.endpoint.clone());
        self.monitor.event_connect_retried(&pair, ivl);
    }
}
