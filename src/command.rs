//! Commands: how sockets, pipes, io threads and the context tell each other
//! about state changes. Messages never travel as commands.

use crate::io::{IoObject, ObjectId};
use std::sync::Arc;

use crate::endpoint_pair::EndpointPair;
use crate::mailbox::Mailbox;
use crate::pipe::{Pipe, PipeId};

pub enum Command {
    /// The pipe's writer flushed while we were asleep on it.
    ActivateRead(PipeId),
    /// The pipe's reader has read this many messages: room below the HWM.
    ActivateWrite(PipeId, u64),
    /// The pipe's other side terminated; read up to its delimiter.
    PipeTerm(PipeId),
    /// A new pipe for this socket (an inproc peer connected to our bind).
    Bind(Pipe),
    /// To a socket: the context is terminating, blocking calls return
    /// `ETERM`. To an io thread: end once every object is done.
    Stop,
    /// The connection behind the pipe was re-established: resend state
    /// such as subscriptions.
    Hiccup(PipeId),
    /// To an io thread: adopt this object.
    Plug(Box<dyn IoObject>),
    /// To an io object: its socket closed it (unbind, disconnect, close),
    /// with the socket's `ZMQ_LINGER` at that moment (libzmq's `term`
    /// command carries it: a value set just before `zmq_close` counts).
    Term(ObjectId, i32),
    /// To a socket: this connecting session gave up for good
    /// (`ZMQ_RECONNECT_STOP`); forget its endpoint, as libzmq's
    /// `term_endpoint` command from the session does.
    TermEndpoint(ObjectId),
    /// Wakes the receiver's fd and does nothing else: a socket sends it to
    /// itself after handing an io object over, as libzmq's `own` command
    /// does, so `ZMQ_FD` pollers look at the socket again.
    Noop,
    /// `zmq_socket_monitor_pipes_stats`, to the owner of a pipe's other end
    /// (libzmq's `pipe_peer_stats`): the asking side's outbound queue size;
    /// answer `reply` with [`Command::PipeStatsPublish`] (see
    /// `Pipe::process_peer_stats`).
    PipePeerStats {
        pipe: PipeId,
        queue_count: u64,
        reply: Arc<CommandMailbox>,
        endpoints: Box<EndpointPair>,
    },
    /// The answer to `PipePeerStats`: raise `ZMQ_EVENT_PIPES_STATS`.
    PipeStatsPublish {
        outbound: u64,
        inbound: u64,
        endpoints: Box<EndpointPair>,
    },
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::ActivateRead(p) => write!(f, "ActivateRead({p})"),
            Command::ActivateWrite(p, n) => write!(f, "ActivateWrite({p}, {n})"),
            Command::PipeTerm(p) => write!(f, "PipeTerm({p})"),
            Command::Bind(p) => write!(f, "Bind({})", p.id()),
            Command::Stop => write!(f, "Stop"),
            Command::Hiccup(p) => write!(f, "Hiccup({p})"),
            Command::Plug(o) => write!(f, "Plug({})", o.id()),
            Command::Term(o, linger) => write!(f, "Term({o}, {linger})"),
            Command::TermEndpoint(o) => write!(f, "TermEndpoint({o})"),
            Command::Noop => write!(f, "Noop"),
            Command::PipePeerStats {
                pipe, queue_count, ..
            } => write!(f, "PipePeerStats({pipe}, {queue_count})"),
            Command::PipeStatsPublish {
                outbound, inbound, ..
            } => write!(f, "PipeStatsPublish({outbound}, {inbound})"),
        }
    }
}

/// The mailbox every socket owns.
pub type CommandMailbox = Mailbox<Command>;
