//! Transports: the address and OS-socket half of tcp.
//!
//! - [`tcp`]: listeners, outgoing connections and the tuning libzmq
//!   applies to them; [`tcp_address`] parses and resolves `tcp://`
//!   addresses and prints resolved endpoints.
//!
//! Everything returns non-blocking mio types for the io threads to drive.
//! The libc calls live in `sys`, the only place here with `unsafe` besides
//! taking over a `ZMQ_USE_FD` descriptor.

mod sys;
pub mod tcp;
pub mod tcp_address;
