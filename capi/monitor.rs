//! Socket monitoring: `zmq_socket_monitor` and the draft versioned and
//! pipe-statistics variants.
//!
//! Until the tcp/ipc transports land a valid socket gets `ENOTSUP`. (Upstream
//! `zmq_socket_monitor (s, addr, events)` is
//! `zmq_socket_monitor_versioned (s, addr, events, 1, ZMQ_PAIR)`.)

use std::ffi::{c_char, c_int, c_void};

use super::ffi::ret_int;
use super::handles;
use crate::Error;

/// Monitoring reports transport events, which come with the tcp and ipc
/// transports: until then a valid socket gets `ENOTSUP`.
unsafe fn not_yet_for(s: *mut c_void) -> c_int {
    // SAFETY: the handle is validated (NULL gives ENOTSOCK, as libzmq).
    ret_int(unsafe { handles::check_socket(s) }.and(Err(Error::ENOTSUP)))
}

/// Publish the socket's events on a PAIR socket bound to `addr_`; NULL stops (zmq_socket_monitor(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_socket_monitor(
    s_: *mut c_void,
    addr_: *const c_char,
    events_: c_int,
) -> c_int {
    let _ = (addr_, events_);
    // SAFETY: forwarded.
    unsafe { not_yet_for(s_) }
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
    let _ = (addr_, events_, event_version_, type_);
    // SAFETY: forwarded.
    unsafe { not_yet_for(s_) }
}

/// Ask for a ZMQ_EVENT_PIPES_STATS event per pipe (DRAFT, zmq_socket_monitor_pipes_stats(3)).
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_socket_monitor_pipes_stats(s: *mut c_void) -> c_int {
    // SAFETY: forwarded.
    unsafe { not_yet_for(s) }
}
