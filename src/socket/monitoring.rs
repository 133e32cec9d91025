//! The socket side of monitoring: `zmq_socket_monitor_versioned`,
//! `zmq_socket_monitor_pipes_stats` and the commands behind them. The
//! monitor itself (events, encoding, the shared sink) is `crate::monitor`.

use std::os::fd::RawFd;
use std::sync::Arc;

use super::Socket;
use super::{types, DONTWAIT, SNDMORE};
use crate::endpoint_pair::EndpointPair;
use crate::monitor::{events, EventSocket, MonitorSink};
use crate::msg::Msg;
use crate::options::consts::ZMQ_LINGER;
use crate::pipe::{PipeId, PipeOwner};
use crate::transport::{Endpoint, Scheme};
use crate::{Error, Result};

impl Socket {
    /// `zmq_socket_monitor_versioned`: publish this socket's `events` on a
    /// new socket of `socket_type` (PAIR, PUB or PUSH) bound to `addr`, in
    /// event format `version`; `None` stops monitoring. Checks in libzmq's
    /// order: `ETERM`; `EINVAL` for version 1 with events beyond 16 bits;
    /// stop on `None`; `EINVAL`/`EPROTONOSUPPORT` for a malformed or
    /// non-inproc address; then any running monitor is stopped (with
    /// `MONITOR_STOPPED`) before the type is checked (`EINVAL`) and the
    /// new monitor socket created and bound (`EADDRINUSE`, `EMFILE`, ...).
    /// As in libzmq the version itself is not checked: one other than 1 or
    /// 2 monitors nothing.
    pub fn monitor(
        &mut self,
        addr: Option<&str>,
        events: u64,
        version: i32,
        socket_type: i32,
    ) -> Result<()> {
        self.check_alive()?;
        if version == 1 && events >> 16 != 0 {
            return Err(Error::EINVAL);
        }
        let Some(addr) = addr else {
            self.core.monitor.stop(true);
            return Ok(());
        };
        if Endpoint::parse(addr, self.socket_type())?.scheme != Scheme::Inproc {
            return Err(Error::EPROTONOSUPPORT);
        }
        // One-way types that take ZMQ_SNDMORE.
        let type_ok = matches!(socket_type, types::PAIR | types::PUB | types::PUSH);
        let ctx = &self.core.ctx;
        self.core.monitor.start(
            type_ok,
            events,
            version,
            || Socket::new(ctx, socket_type),
            |sock| {
                // Never let pending events hold up context termination.
                let linger = 0i32.to_ne_bytes();
                sock.set_option(ZMQ_LINGER, &linger)?;
                sock.bind(addr)
            },
        )
    }

    /// The handle io objects keep to raise this socket's monitor events
    /// from their own threads.
    pub fn monitor_sink(&self) -> MonitorSink {
        self.core.monitor.clone()
    }

    /// `zmq_socket_monitor_pipes_stats`: ask every pipe for its queue sizes;
    /// each answers later with a `ZMQ_EVENT_PIPES_STATS` event, raised when
    /// this socket next handles commands (and an inproc peer's answer needs
    /// the peer socket to handle commands first, as in libzmq). `EINVAL`
    /// unless `PIPES_STATS` is monitored (so only with version 2),
    /// `EAGAIN` without pipes.
    pub fn monitor_pipes_stats(&mut self) -> Result<()> {
        if !self.core.monitor.wants(events::PIPES_STATS) {
            return Err(Error::EINVAL);
        }
        if self.core.pipes.is_empty() {
            return Err(Error::EAGAIN);
        }
        let me = self.core.mailbox.clone();
        // In attach order (ids grow), as libzmq walks its pipe array.
        let mut ids = self.core.pipes.ids();
        ids.sort_unstable();
        for id in ids {
            if let Some(p) = self.core.pipes.get(id) {
                p.send_stats_to_peer(me.clone());
            }
        }
        Ok(())
    }

    /// libzmq's `process_stop`: the context is terminating.
    pub(super) fn process_stop(&mut self) {
        self.core.monitor.stop(true);
        self.core.ctx_terminated = true;
    }

    pub(super) fn process_pipe_peer_stats(
        &mut self,
        pipe: PipeId,
        queue_count: u64,
        reply: Arc<dyn PipeOwner>,
        endpoints: Box<EndpointPair>,
    ) {
        if let Some(p) = self.core.pipes.get(pipe) {
            p.process_peer_stats(queue_count, reply.as_ref(), endpoints);
        }
    }

    pub(super) fn process_pipe_stats_publish(
        &mut self,
        outbound: u64,
        inbound: u64,
        endpoints: &EndpointPair,
    ) {
        self.core
            .monitor
            .event_pipes_stats(endpoints, outbound, inbound);
    }
}

/// A monitor socket, as the monitor sends its events on it.
impl EventSocket for Socket {
    fn send_frame(&mut self, frame: &mut Msg, more: bool) -> Result<()> {
        self.send(frame, DONTWAIT | if more { SNDMORE } else { 0 })
    }

    fn fd(&self) -> RawFd {
        Socket::fd(self)
    }
}
