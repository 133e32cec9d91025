//! `zmq_poll` and the draft `zmq_ppoll`.
//!
//! Stubs until the engine's sockets land: `ENOTSUP` and -1.

use std::ffi::{c_int, c_long};

use super::ffi::not_yet;
use super::types::zmq_pollitem_t;

/// Wait for events on sockets and file descriptors (zmq_poll(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_poll(
    items_: *mut zmq_pollitem_t,
    nitems_: c_int,
    timeout_: c_long,
) -> c_int {
    let _ = (items_, nitems_, timeout_);
    not_yet()
}

/// `zmq_poll` with a signal mask applied while waiting (DRAFT, zmq_ppoll(3)).
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_ppoll(
    items_: *mut zmq_pollitem_t,
    nitems_: c_int,
    timeout_: c_long,
    sigmask_: *const libc::sigset_t,
) -> c_int {
    let _ = (items_, nitems_, timeout_, sigmask_);
    not_yet()
}
