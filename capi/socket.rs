//! Socket exports: create/close, options, endpoints, send and receive.
//!
//! Stubs until the engine's sockets land: `ENOTSUP` and the failure value.
//! The legacy `zmq_sendmsg` / `zmq_recvmsg` forward to `zmq_msg_send` /
//! `zmq_msg_recv`, as in libzmq.

use std::ffi::{c_char, c_int, c_void};

use super::ffi::not_yet;
use super::types::zmq_msg_t;

/// Create a socket of `type_` in a context (zmq_socket(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_socket(context_: *mut c_void, type_: c_int) -> *mut c_void {
    let _ = (context_, type_);
    not_yet()
}

/// Close a socket (zmq_close(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_close(s_: *mut c_void) -> c_int {
    let _ = s_;
    not_yet()
}

/// Set a socket option (zmq_setsockopt(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_setsockopt(
    s_: *mut c_void,
    option_: c_int,
    optval_: *const c_void,
    optvallen_: usize,
) -> c_int {
    let _ = (s_, option_, optval_, optvallen_);
    not_yet()
}

/// Get a socket option (zmq_getsockopt(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_getsockopt(
    s_: *mut c_void,
    option_: c_int,
    optval_: *mut c_void,
    optvallen_: *mut usize,
) -> c_int {
    let _ = (s_, option_, optval_, optvallen_);
    not_yet()
}

/// Accept connections on an endpoint (zmq_bind(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_bind(s_: *mut c_void, addr_: *const c_char) -> c_int {
    let _ = (s_, addr_);
    not_yet()
}

/// Connect to an endpoint (zmq_connect(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_connect(s_: *mut c_void, addr_: *const c_char) -> c_int {
    let _ = (s_, addr_);
    not_yet()
}

/// Stop accepting connections on an endpoint (zmq_unbind(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_unbind(s_: *mut c_void, addr_: *const c_char) -> c_int {
    let _ = (s_, addr_);
    not_yet()
}

/// Disconnect from an endpoint (zmq_disconnect(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_disconnect(s_: *mut c_void, addr_: *const c_char) -> c_int {
    let _ = (s_, addr_);
    not_yet()
}

/// Send a message part copied from a buffer (zmq_send(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_send(
    s_: *mut c_void,
    buf_: *const c_void,
    len_: usize,
    flags_: c_int,
) -> c_int {
    let _ = (s_, buf_, len_, flags_);
    not_yet()
}

/// Send a message part from a constant buffer, without copying (zmq_send_const(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_send_const(
    s_: *mut c_void,
    buf_: *const c_void,
    len_: usize,
    flags_: c_int,
) -> c_int {
    let _ = (s_, buf_, len_, flags_);
    not_yet()
}

/// Receive a message part into a buffer, truncating (zmq_recv(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_recv(
    s_: *mut c_void,
    buf_: *mut c_void,
    len_: usize,
    flags_: c_int,
) -> c_int {
    let _ = (s_, buf_, len_, flags_);
    not_yet()
}

/// Send a message part (zmq_msg_send(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_send(
    msg_: *mut zmq_msg_t,
    s_: *mut c_void,
    flags_: c_int,
) -> c_int {
    let _ = (msg_, s_, flags_);
    not_yet()
}

/// Receive a message part (zmq_msg_recv(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_recv(
    msg_: *mut zmq_msg_t,
    s_: *mut c_void,
    flags_: c_int,
) -> c_int {
    let _ = (msg_, s_, flags_);
    not_yet()
}

/// Legacy `zmq_msg_send` with the arguments swapped (zmq_sendmsg(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_sendmsg(
    s_: *mut c_void,
    msg_: *mut zmq_msg_t,
    flags_: c_int,
) -> c_int {
    // SAFETY: same contract as zmq_msg_send.
    unsafe { zmq_msg_send(msg_, s_, flags_) }
}

/// Legacy `zmq_msg_recv` with the arguments swapped (zmq_recvmsg(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_recvmsg(
    s_: *mut c_void,
    msg_: *mut zmq_msg_t,
    flags_: c_int,
) -> c_int {
    // SAFETY: same contract as zmq_msg_recv.
    unsafe { zmq_msg_recv(msg_, s_, flags_) }
}

/// Send a multi-part message from an iovec array (undocumented upstream).
#[no_mangle]
pub unsafe extern "C" fn zmq_sendiov(
    s_: *mut c_void,
    iov_: *mut libc::iovec,
    count_: usize,
    flags_: c_int,
) -> c_int {
    let _ = (s_, iov_, count_, flags_);
    not_yet()
}

/// Receive a multi-part message into malloc'ed iovec buffers (undocumented upstream).
#[no_mangle]
pub unsafe extern "C" fn zmq_recviov(
    s_: *mut c_void,
    iov_: *mut libc::iovec,
    count_: *mut usize,
    flags_: c_int,
) -> c_int {
    let _ = (s_, iov_, count_, flags_);
    not_yet()
}

/// Join a RADIO/DISH group (DRAFT, zmq_join(3)).
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_join(s: *mut c_void, group: *const c_char) -> c_int {
    let _ = (s, group);
    not_yet()
}

/// Leave a RADIO/DISH group (DRAFT, zmq_leave(3)).
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_leave(s: *mut c_void, group: *const c_char) -> c_int {
    let _ = (s, group);
    not_yet()
}

/// Connect a PEER socket; the new peer's routing id, 0 on error (DRAFT, zmq_connect_peer(3)).
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_connect_peer(s_: *mut c_void, addr_: *const c_char) -> u32 {
    let _ = (s_, addr_);
    not_yet()
}

/// The ZMQ_POLLOUT state of the peer with a routing id (DRAFT, zmq_socket_get_peer_state(3)).
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_socket_get_peer_state(
    socket: *mut c_void,
    routing_id: *const c_void,
    routing_id_size: usize,
) -> c_int {
    let _ = (socket, routing_id, routing_id_size);
    not_yet()
}
