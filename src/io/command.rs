//! Commands to an io thread.

use super::IoObject;
use crate::command::ObjectId;
use crate::mailbox::Mailbox;
use crate::pipe::PipeCommand;

/// A command to an io thread or one of its objects.
pub enum IoCommand {
    /// About a pipe end one of the thread's objects owns.
    Pipe(PipeCommand),
    /// Adopt this object.
    Plug(Box<dyn IoObject>),
    /// To an io object: its socket closed it (unbind, disconnect, close),
    /// with the socket's `ZMQ_LINGER` at that moment (libzmq's `term`
    /// command carries it: a value set just before `zmq_close` counts).
    Term(ObjectId, i32),
    /// To an io object: something it waits for off the thread (a name
    /// lookup) is ready.
    Wake(ObjectId),
    /// End once every object is done.
    Stop,
}

impl From<PipeCommand> for IoCommand {
    fn from(cmd: PipeCommand) -> IoCommand {
        IoCommand::Pipe(cmd)
    }
}

impl std::fmt::Debug for IoCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IoCommand::Pipe(c) => c.fmt(f),
            IoCommand::Plug(o) => write!(f, "Plug({})", o.id()),
            IoCommand::Term(o, linger) => write!(f, "Term({o}, {linger})"),
            IoCommand::Wake(o) => write!(f, "Wake({o})"),
            IoCommand::Stop => write!(f, "Stop"),
        }
    }
}

/// An io thread's mailbox.
pub type IoMailbox = Mailbox<IoCommand>;
