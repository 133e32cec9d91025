//! Commands: how sockets, pipes, io threads and the context tell each other
//! about state changes. Messages never travel as commands.

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
    /// The context is terminating: blocking calls return `ETERM`.
    Stop,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::ActivateRead(p) => write!(f, "ActivateRead({p})"),
            Command::ActivateWrite(p, n) => write!(f, "ActivateWrite({p}, {n})"),
            Command::PipeTerm(p) => write!(f, "PipeTerm({p})"),
            Command::Bind(p) => write!(f, "Bind({})", p.id()),
            Command::Stop => write!(f, "Stop"),
        }
    }
}

/// The mailbox every socket owns.
pub type CommandMailbox = Mailbox<Command>;
