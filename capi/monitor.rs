//! Socket monitoring: `zmq_socket_monitor` and the draft versioned and
//! pipe-statistics variants.
//!
//! Stubs until the engine's sockets land: `ENOTSUP` and -1. (Upstream
//! `zmq_socket_monitor (s, addr, events)` is
//! `zmq_socket_monitor_versioned (s, addr, events, 1, ZMQ_PAIR)`.)

use std::ffi::{c_char, c_int, c_void};

use super::ffi::not_yet;

/// Publish the socket's events on a PAIR socket bound to `addr_`; NULL stops (zmq_socket_monitor(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_socket_monitor(
    s_: *mut c_void,
    addr_: *const c_char,
    events_: c_int,
) -> c_int {
    let _ = (s_, addr_, events_);
    not_yet()
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
    let _ = (s_, addr_, events_, event_version_, type_);
    not_yet()
}

/// Ask for a ZMQ_EVENT_PIPES_STATS event per pipe (DRAFT, zmq_socket_monitor_pipes_stats(3)).
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_socket_monitor_pipes_stats(s: *mut c_void) -> c_int {
    let _ = s;
    not_yet()
}
