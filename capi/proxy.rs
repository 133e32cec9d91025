//! `zmq_proxy`, `zmq_proxy_steerable` and the legacy `zmq_device`.
//!
//! Stubs until the engine's sockets land. `zmq_device` forwards to
//! `zmq_proxy` without a capture socket, as in libzmq.

use std::ffi::{c_int, c_void};
use std::ptr;

use super::ffi::not_yet;

/// Shuttle messages between two sockets until the context ends (zmq_proxy(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_proxy(
    frontend_: *mut c_void,
    backend_: *mut c_void,
    capture_: *mut c_void,
) -> c_int {
    let _ = (frontend_, backend_, capture_);
    not_yet()
}

/// `zmq_proxy` driven by PAUSE/RESUME/TERMINATE/STATISTICS commands (zmq_proxy_steerable(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_proxy_steerable(
    frontend_: *mut c_void,
    backend_: *mut c_void,
    capture_: *mut c_void,
    control_: *mut c_void,
) -> c_int {
    let _ = (frontend_, backend_, capture_, control_);
    not_yet()
}

/// Legacy `zmq_proxy` without capture; `type_` is ignored (zmq_device(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_device(
    type_: c_int,
    frontend_: *mut c_void,
    backend_: *mut c_void,
) -> c_int {
    let _ = type_;
    // SAFETY: same contract as zmq_proxy, with no capture socket.
    unsafe { zmq_proxy(frontend_, backend_, ptr::null_mut()) }
}
