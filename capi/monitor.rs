//! Socket monitoring: `zmq_socket_monitor` and the draft versioned and
//! pipe-statistics variants. The semantics are the engine's
//! (`Socket::monitor`, `crate::monitor`).

use std::ffi::{c_char, c_int, c_void};

use super::ffi::{guard, opt_cstr, ret_zero};
use super::handles;
use crate::socket::types;
use crate::{Error, Result};

/// # Safety
/// `s_` NULL or a socket handle; `addr_` NULL or a C string.
unsafe fn monitor(
    s_: *mut c_void,
    addr_: *const c_char,
    events_: u64,
    event_version_: c_int,
    type_: c_int,
) -> Result<()> {
    // SAFETY: the caller's string, if any.
    let addr = match unsafe { opt_cstr(addr_) } {
        None => None,
        Some(c) => Some(c.to_str().map_err(|_| Error::EINVAL)?),
    };
    // SAFETY: the handle is validated (NULL gives ENOTSOCK, as libzmq).
    unsafe {
        handles::with_socket(s_, |sock| {
            sock.monitor(addr, events_, event_version_, type_)
        })
    }
}

/// Publish the socket's events on a PAIR socket bound to `addr_`; NULL stops (zmq_socket_monitor(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_socket_monitor(
    s_: *mut c_void,
    addr_: *const c_char,
    events_: c_int,
) -> c_int {
    guard(|| {
        // C converts the int mask to uint64_t sign-extending, so a negative
        // mask has bits above 16 and version 1 refuses it, as in libzmq.
        let events = events_ as i64 as u64;
        // SAFETY: forwarded.
        ret_zero(unsafe { monitor(s_, addr_, events, 1, types::PAIR) })
    })
}

/// Monitor with a chosen event format version and socket type (DRAFT, zmq_socket_monitor_versioned(3)).
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_socket_monitor_versioned(
    s_: *mut c_void,
    addr_: *const c_char,
    events_: u64,
    event_version_: c_int,
    type_: c_int,
) -> c_int {
    guard(|| {
        // SAFETY: forwarded.
        ret_zero(unsafe { monitor(s_, addr_, events_, event_version_, type_) })
    })
}

/// Ask for a ZMQ_EVENT_PIPES_STATS event per pipe (DRAFT, zmq_socket_monitor_pipes_stats(3)).
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_socket_monitor_pipes_stats(s: *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: the handle is validated (NULL gives ENOTSOCK, as libzmq).
        ret_zero(unsafe { handles::with_socket(s, |sock| sock.monitor_pipes_stats()) })
    })
}
