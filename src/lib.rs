//! A ZeroMQ engine with libzmq 4.3.5's C ABI.
//!
//! The engine (this crate's modules under `src/`) is safe Rust with a Rust
//! API mirroring libzmq's concepts; the C surface lives in `capi/` and is
//! compiled into the same library so that `libzmq.so` exports it.
#![deny(unsafe_op_in_unsafe_fn)]

pub(crate) mod command;
pub mod ctx;
pub(crate) mod endpoint_pair;
pub mod error;
pub(crate) mod fork;
pub(crate) mod id_map;
// The fuzzers' entry points (fuzz/), off unless the `fuzzing` feature is.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod io;
pub(crate) mod mailbox;
pub(crate) mod monitor;
pub mod msg;
pub mod options;
pub(crate) mod pipe;
pub(crate) mod poll;
pub(crate) mod poller;
pub(crate) mod proxy;
pub(crate) mod routing;
pub(crate) mod session;
pub(crate) mod signaler;
pub mod socket;
mod sys;
pub(crate) mod transport;
pub(crate) mod util;
pub(crate) mod zmtp;

pub use error::{Error, Result};

#[path = "../capi/mod.rs"]
pub(crate) mod capi;
