//! A ZeroMQ engine with libzmq 4.3.5's C ABI.
//!
//! The engine (this crate's modules under `src/`) is safe Rust with a Rust
//! API mirroring libzmq's concepts; the C surface lives in `capi/` and is
//! compiled into the same library so that `libzmq.so` exports it.
#![deny(unsafe_op_in_unsafe_fn)]

pub mod command;
pub mod ctx;
pub mod endpoint_pair;
pub mod error;
pub mod fork;
// The fuzzers' entry points (fuzz/), off unless the `fuzzing` feature is.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod io;
pub mod mailbox;
pub mod monitor;
pub mod msg;
pub mod options;
pub mod pipe;
pub mod poll;
pub mod poller;
pub mod proxy;
pub mod routing;
pub mod session;
pub mod signaler;
pub mod socket;
mod sys;
pub mod transport;
pub mod util;
pub mod zmtp;

pub use error::{Error, Result};

#[path = "../capi/mod.rs"]
pub mod capi;
