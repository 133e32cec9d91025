//! The socket's command dispatch: what its pipes, io objects and the
//! context tell it, handled when a call on the socket looks at its
//! mailbox.

use std::time::Instant;

use super::{Socket, SEND_COMMAND_DELAY};
use crate::command::SocketCommand;
use crate::pipe::{PipeCommand, PipeId};
use crate::Result;

impl Socket {
    /// Handles every waiting command. `ETERM` if the context is stopping.
    pub(super) fn process_commands(&mut self) -> Result<()> {
        while let Some(cmd) = self.core.mailbox.try_recv() {
            self.handle(cmd);
        }
        self.reap_finished();
        self.check_alive()
    }

    pub(super) fn handle(&mut self, cmd: SocketCommand) {
        match cmd {
            SocketCommand::Pipe(c) => self.handle_pipe_command(c),
            SocketCommand::Bind(pipe) => self.attach_pipe(*pipe, false),
            SocketCommand::Noop => {}
            SocketCommand::TermEndpoint(object) => self.io_endpoint_failed(object),
            SocketCommand::Stop => self.process_stop(),
        }
    }

    pub(super) fn handle_pipe_command(&mut self, cmd: PipeCommand) {
        let (pattern, mut cx) = self.cx_split();
        match cmd {
            PipeCommand::ActivateRead(id) => {
                if cx.pipes.get_mut(id).is_some_and(|p| p.activate_read()) {
                    pattern.read_activated(&mut cx, id);
                }
            }
            PipeCommand::ActivateWrite(id, n) => {
                if cx.pipes.get_mut(id).is_some_and(|p| p.activate_write(n)) {
                    pattern.write_activated(&mut cx, id);
                }
            }
            PipeCommand::PipeTerm(id) => self.peer_terminated(id),
            PipeCommand::Hiccup(id) => {
                if cx.pipes.get(id).is_some() {
                    pattern.hiccuped(&mut cx, id);
                }
            }
            PipeCommand::PeerStats {
                pipe,
                queue_count,
                reply,
                endpoints,
            } => self.process_pipe_peer_stats(pipe, queue_count, reply, endpoints),
            PipeCommand::StatsPublish {
                outbound,
                inbound,
                endpoints,
            } => self.process_pipe_stats_publish(outbound, inbound, &endpoints),
        }
    }

    pub(super) fn peer_terminated(&mut self, id: PipeId) {
        let (pattern, mut cx) = self.cx_split();
        let Some(p) = cx.pipes.get_mut(id) else {
            return;
        };
        let was_active = p.check_write();
        if p.peer_terminated() {
            self.remove_pipe(id);
        } else {
            // Let the pattern read what is left (it may have parked the
            // pipe as empty).
            pattern.read_activated(&mut cx, id);
            let _ = was_active;
        }
    }

    pub(super) fn remove_pipe(&mut self, id: PipeId) {
        let (pattern, mut cx) = self.cx_split();
        if cx.pipes.remove(id).is_some() {
            pattern.pipe_terminated(&mut cx, id);
        }
        self.core.connected_inproc.retain(|(_, p)| *p != id);
        // A connection that ended for good (no reconnect) takes its
        // endpoint with it, as libzmq's term_endpoint from the session.
        self.core.io_endpoints.retain(|e| e.pipe != Some(id));
    }

    pub(super) fn reap_finished(&mut self) {
        if !self.core.pipes.has_finished() {
            return;
        }
        for id in self.core.pipes.take_finished() {
            self.remove_pipe(id);
        }
    }

    /// libzmq's send handles commands at most once per millisecond (its
    /// TSC throttle in `process_commands`): a fast sender keeps the credit
    /// (`ActivateWrite`) it had, so it meets its HWM as libzmq's does
    /// instead of refilling it on every call. Blocking sends and receives
    /// handle commands as before.
    pub(super) fn send_commands_due(&mut self) -> bool {
        if !self.core.mailbox.has_pending() {
            return false;
        }
        let now = Instant::now();
        let last = &mut self.core.last_send_commands;
        if last.is_some_and(|t| now.saturating_duration_since(t) < SEND_COMMAND_DELAY) {
            return false;
        }
        *last = Some(now);
        true
    }
}
