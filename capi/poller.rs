//! The draft `zmq_poller_*` API.
//!
//! Stubs until the engine's poller lands: `ENOTSUP` and the failure value.
//! The whole module is draft (`#[cfg(feature = "draft")]` on its `mod`).

use std::ffi::{c_int, c_long, c_short, c_void};

use super::ffi::not_yet;
use super::types::{zmq_fd_t, zmq_poller_event_t};

/// Create a poller (DRAFT, zmq_poller(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_new() -> *mut c_void {
    not_yet()
}

/// Destroy a poller and set `*poller_p` to NULL (DRAFT, zmq_poller(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_destroy(poller_p: *mut *mut c_void) -> c_int {
    let _ = poller_p;
    not_yet()
}

/// The number of registered sockets and file descriptors (DRAFT, zmq_poller(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_size(poller: *mut c_void) -> c_int {
    let _ = poller;
    not_yet()
}

/// Register a socket (DRAFT, zmq_poller(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_add(
    poller: *mut c_void,
    socket: *mut c_void,
    user_data: *mut c_void,
    events: c_short,
) -> c_int {
    let _ = (poller, socket, user_data, events);
    not_yet()
}

/// Change the events of a registered socket (DRAFT, zmq_poller(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_modify(
    poller: *mut c_void,
    socket: *mut c_void,
    events: c_short,
) -> c_int {
    let _ = (poller, socket, events);
    not_yet()
}

/// Unregister a socket (DRAFT, zmq_poller(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_remove(poller: *mut c_void, socket: *mut c_void) -> c_int {
    let _ = (poller, socket);
    not_yet()
}

/// Wait for one event (DRAFT, zmq_poller(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_wait(
    poller: *mut c_void,
    event: *mut zmq_poller_event_t,
    timeout: c_long,
) -> c_int {
    let _ = (poller, event, timeout);
    not_yet()
}

/// Wait for up to `n_events` events (DRAFT, zmq_poller(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_wait_all(
    poller: *mut c_void,
    events: *mut zmq_poller_event_t,
    n_events: c_int,
    timeout: c_long,
) -> c_int {
    let _ = (poller, events, n_events, timeout);
    not_yet()
}

/// A file descriptor readable when the poller has thread-safe sockets ready (DRAFT, zmq_poller(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_fd(poller: *mut c_void, fd: *mut zmq_fd_t) -> c_int {
    let _ = (poller, fd);
    not_yet()
}

/// Register a file descriptor (DRAFT, zmq_poller(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_add_fd(
    poller: *mut c_void,
    fd: zmq_fd_t,
    user_data: *mut c_void,
    events: c_short,
) -> c_int {
    let _ = (poller, fd, user_data, events);
    not_yet()
}

/// Change the events of a registered file descriptor (DRAFT, zmq_poller(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_modify_fd(
    poller: *mut c_void,
    fd: zmq_fd_t,
    events: c_short,
) -> c_int {
    let _ = (poller, fd, events);
    not_yet()
}

/// Unregister a file descriptor (DRAFT, zmq_poller(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_remove_fd(poller: *mut c_void, fd: zmq_fd_t) -> c_int {
    let _ = (poller, fd);
    not_yet()
}
