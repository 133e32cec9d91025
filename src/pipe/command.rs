//! What one pipe end tells the owner of the other: the only commands both
//! sockets and io objects receive, so they are defined here, beside the
//! pipe, and delivered through [`PipeOwner`] to whichever mailbox the
//! owner has.

use std::sync::Arc;

use crate::endpoint_pair::EndpointPair;

/// Identifies one pipe endpoint for its owner's commands.
pub type PipeId = u64;

/// A command about one pipe end, to that end's owner.
pub enum PipeCommand {
    /// The pipe's writer flushed while we were asleep on it.
    ActivateRead(PipeId),
    /// The pipe's reader has read this many messages: room below the HWM.
    ActivateWrite(PipeId, u64),
    /// The pipe's other side terminated; read up to its delimiter.
    PipeTerm(PipeId),
    /// The connection behind the pipe was re-established: resend state
    /// such as subscriptions.
    Hiccup(PipeId),
    /// `zmq_socket_monitor_pipes_stats`, to the owner of a pipe's other end
    /// (libzmq's `pipe_peer_stats`): the asking side's outbound queue size;
    /// answer `reply` with [`PipeCommand::StatsPublish`] (see
    /// `Pipe::process_peer_stats`).
    PeerStats {
        pipe: PipeId,
        queue_count: u64,
        reply: Arc<dyn PipeOwner>,
        endpoints: Box<EndpointPair>,
    },
    /// The answer to `PeerStats`: raise `ZMQ_EVENT_PIPES_STATS`.
    StatsPublish {
        outbound: u64,
        inbound: u64,
        endpoints: Box<EndpointPair>,
    },
}

impl PipeCommand {
    /// The pipe end the command is for (`None` for the statistics answer,
    /// which is for the socket as a whole).
    pub fn pipe(&self) -> Option<PipeId> {
        match *self {
            PipeCommand::ActivateRead(p)
            | PipeCommand::ActivateWrite(p, _)
            | PipeCommand::PipeTerm(p)
            | PipeCommand::Hiccup(p)
            | PipeCommand::PeerStats { pipe: p, .. } => Some(p),
            PipeCommand::StatsPublish { .. } => None,
        }
    }
}

impl std::fmt::Debug for PipeCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PipeCommand::ActivateRead(p) => write!(f, "ActivateRead({p})"),
            PipeCommand::ActivateWrite(p, n) => write!(f, "ActivateWrite({p}, {n})"),
            PipeCommand::PipeTerm(p) => write!(f, "PipeTerm({p})"),
            PipeCommand::Hiccup(p) => write!(f, "Hiccup({p})"),
            PipeCommand::PeerStats {
                pipe, queue_count, ..
            } => write!(f, "PeerStats({pipe}, {queue_count})"),
            PipeCommand::StatsPublish {
                outbound, inbound, ..
            } => write!(f, "StatsPublish({outbound}, {inbound})"),
        }
    }
}

/// Whoever owns a pipe end: a socket's or an io thread's mailbox.
pub trait PipeOwner: Send + Sync {
    fn pipe_command(&self, cmd: PipeCommand);
}

/// Any mailbox whose commands can carry a pipe command owns pipe ends.
impl<C: From<PipeCommand> + Send> PipeOwner for crate::mailbox::Mailbox<C> {
    fn pipe_command(&self, cmd: PipeCommand) {
        self.send(C::from(cmd));
    }
}
