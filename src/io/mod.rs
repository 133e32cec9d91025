//! io threads: each a `mio` event loop that owns listeners and connections
//! (sessions) and moves bytes between the OS and the ZMTP engines, and
//! messages between the engines and the sockets' pipes.
//!
//! Threads talk to the rest of the library only through commands: their
//! mailbox is an ordinary [`Mailbox`](crate::mailbox::Mailbox) of
//! [`IoCommand`]s whose eventfd is registered in the loop, so a socket's
//! flush wakes an io thread exactly as it wakes another socket, and pipes
//! reach either owner through `PipeOwner`.

mod command;
mod thread;

pub use crate::command::ObjectId;
pub use command::{IoCommand, IoMailbox};
pub use thread::{next_object_id, IoCx, IoObject, IoThread};
