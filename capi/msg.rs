//! Message exports: `zmq_msg_*` except send/receive (in `socket.rs`).
//!
//! Stubs until the engine's message lands: `ENOTSUP` and the failure value
//! (NULL, 0 or -1 as the signature allows). `zmq_msg_more` forwards to
//! `zmq_msg_get (msg, ZMQ_MORE)`, as in libzmq.

use std::ffi::{c_char, c_int, c_void};

use super::consts::ZMQ_MORE;
use super::ffi::not_yet;
use super::types::{zmq_free_fn, zmq_msg_t};

/// Initialise an empty message (zmq_msg_init(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init(msg_: *mut zmq_msg_t) -> c_int {
    let _ = msg_;
    not_yet()
}

/// Initialise a message of `size_` bytes (zmq_msg_init_size(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init_size(msg_: *mut zmq_msg_t, size_: usize) -> c_int {
    let _ = (msg_, size_);
    not_yet()
}

/// Initialise a message over the caller's buffer, freed by `ffn_` (zmq_msg_init_data(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init_data(
    msg_: *mut zmq_msg_t,
    data_: *mut c_void,
    size_: usize,
    ffn_: zmq_free_fn,
    hint_: *mut c_void,
) -> c_int {
    let _ = (msg_, data_, size_, ffn_, hint_);
    not_yet()
}

/// Release a message (zmq_msg_close(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_close(msg_: *mut zmq_msg_t) -> c_int {
    let _ = msg_;
    not_yet()
}

/// Move a message's content, leaving the source empty (zmq_msg_move(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_move(dest_: *mut zmq_msg_t, src_: *mut zmq_msg_t) -> c_int {
    let _ = (dest_, src_);
    not_yet()
}

/// Share a message's content (zmq_msg_copy(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_copy(dest_: *mut zmq_msg_t, src_: *mut zmq_msg_t) -> c_int {
    let _ = (dest_, src_);
    not_yet()
}

/// The message's bytes (zmq_msg_data(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_data(msg_: *mut zmq_msg_t) -> *mut c_void {
    let _ = msg_;
    not_yet()
}

/// The message's size in bytes (zmq_msg_size(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_size(msg_: *const zmq_msg_t) -> usize {
    let _ = msg_;
    not_yet()
}

/// Whether more parts follow (zmq_msg_more(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_more(msg_: *const zmq_msg_t) -> c_int {
    // SAFETY: same contract as zmq_msg_get.
    unsafe { zmq_msg_get(msg_, ZMQ_MORE) }
}

/// Get a message property (zmq_msg_get(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_get(msg_: *const zmq_msg_t, property_: c_int) -> c_int {
    let _ = (msg_, property_);
    not_yet()
}

/// Set a message property (zmq_msg_set(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_set(
    msg_: *mut zmq_msg_t,
    property_: c_int,
    optval_: c_int,
) -> c_int {
    let _ = (msg_, property_, optval_);
    not_yet()
}

/// Get a metadata property of a received message (zmq_msg_gets(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_gets(
    msg_: *const zmq_msg_t,
    property_: *const c_char,
) -> *const c_char {
    let _ = (msg_, property_);
    not_yet()
}

/// Set the routing id for a SERVER/PEER socket (DRAFT, zmq_msg_set_routing_id(3)).
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_set_routing_id(msg: *mut zmq_msg_t, routing_id: u32) -> c_int {
    let _ = (msg, routing_id);
    not_yet()
}

/// The routing id, 0 if none (DRAFT, zmq_msg_routing_id(3)).
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_routing_id(msg: *mut zmq_msg_t) -> u32 {
    let _ = msg;
    not_yet()
}

/// Set the RADIO/DISH group (DRAFT, zmq_msg_set_group(3)).
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_set_group(msg: *mut zmq_msg_t, group: *const c_char) -> c_int {
    let _ = (msg, group);
    not_yet()
}

/// The RADIO/DISH group (DRAFT, zmq_msg_group(3)).
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_group(msg: *mut zmq_msg_t) -> *const c_char {
    let _ = msg;
    not_yet()
}

/// Initialise a message with a copy of a buffer (DRAFT, zmq_msg_init_buffer(3)).
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init_buffer(
    msg_: *mut zmq_msg_t,
    buf_: *const c_void,
    size_: usize,
) -> c_int {
    let _ = (msg_, buf_, size_);
    not_yet()
}
