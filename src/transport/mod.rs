//! Transports: the address and OS-socket half of tcp and ipc.
//!
//! - [`tcp`]: listeners, outgoing connections and the tuning libzmq
//!   applies to them; [`tcp_address`] parses and resolves `tcp://`
//!   addresses and prints resolved endpoints.
//! - [`ipc`]: unix domain sockets by path, abstract name or wildcard, with
//!   the `IPC_FILTER_*` checks and the wildcard's cleanup.
//!
//! Everything returns non-blocking mio types for the io threads to drive.
//! The libc calls live in `sys`, the only place here with `unsafe` besides
//! taking over a `ZMQ_USE_FD` descriptor.

pub mod ipc;
mod sys;
pub mod tcp;
pub mod tcp_address;
pub(crate) mod ws;
