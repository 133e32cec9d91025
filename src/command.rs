//! Commands to a socket: how pipes, io objects and the context tell a
//! socket about state changes. Messages never travel as commands. io
//! threads have their own set (`crate::io::IoCommand`); what both receive
//! is a pipe's [`PipeCommand`].

use crate::mailbox::Mailbox;
use crate::pipe::{Pipe, PipeCommand};

/// Names one io object (a listener or a session) on its io thread.
pub type ObjectId = u64;

/// A command to a socket.
pub enum SocketCommand {
    /// About one of the socket's pipes.
    Pipe(PipeCommand),
    /// A new pipe for this socket (an inproc peer connected to our bind,
    /// or a session whose connection completed its handshake). Boxed: a
    /// pipe is 184 bytes, and every command, the frequent `Pipe` ones
    /// too, would be moved at that size through the mailbox.
    Bind(Box<Pipe>),
    /// The context is terminating: blocking calls return `ETERM`.
    Stop,
    /// This connecting session gave up for good (`ZMQ_RECONNECT_STOP`);
    /// forget its endpoint, as libzmq's `term_endpoint` command from the
    /// session does.
    TermEndpoint(ObjectId),
    /// Wakes the receiver's fd and does nothing else: a socket sends it to
    /// itself after handing an io object over, as libzmq's `own` command
    /// does, so `ZMQ_FD` pollers look at the socket again.
    Noop,
}

impl From<PipeCommand> for SocketCommand {
    fn from(cmd: PipeCommand) -> SocketCommand {
        SocketCommand::Pipe(cmd)
    }
}

impl std::fmt::Debug for SocketCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SocketCommand::Pipe(c) => c.fmt(f),
            SocketCommand::Bind(p) => write!(f, "Bind({})", p.id()),
            SocketCommand::Stop => write!(f, "Stop"),
            SocketCommand::TermEndpoint(o) => write!(f, "TermEndpoint({o})"),
            SocketCommand::Noop => write!(f, "Noop"),
        }
    }
}

/// The mailbox every socket owns.
pub type SocketMailbox = Mailbox<SocketCommand>;

#[cfg(test)]
mod tests {
    #[test]
    fn commands_stay_small() {
        // Every pipe activation moves one through a mailbox.
        assert!(std::mem::size_of::<super::SocketCommand>() <= 48);
        assert!(std::mem::size_of::<crate::io::IoCommand>() <= 48);
    }
}
