//! Context exports: `zmq_ctx_*` and the legacy `zmq_init` / `zmq_term`.
//!
//! Stubs until the engine's context lands: `ENOTSUP` and the failure value.

use std::ffi::{c_int, c_void};
use std::ptr;

use super::consts::ZMQ_IO_THREADS;
use super::ffi::{fail, not_yet};
use crate::Error;

/// Create a context (zmq_ctx_new(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_new() -> *mut c_void {
    not_yet()
}

/// Terminate a context, blocking until its sockets are closed (zmq_ctx_term(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_term(context_: *mut c_void) -> c_int {
    let _ = context_;
    not_yet()
}

/// Make blocking calls on the context's sockets fail with ETERM (zmq_ctx_shutdown(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_shutdown(context_: *mut c_void) -> c_int {
    let _ = context_;
    not_yet()
}

/// Set a context option (zmq_ctx_set(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_set(
    context_: *mut c_void,
    option_: c_int,
    optval_: c_int,
) -> c_int {
    let _ = (context_, option_, optval_);
    not_yet()
}

/// Get a context option (zmq_ctx_get(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_get(context_: *mut c_void, option_: c_int) -> c_int {
    let _ = (context_, option_);
    not_yet()
}

/// Legacy: a context with `io_threads_` io threads (zmq_init(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_init(io_threads_: c_int) -> *mut c_void {
    if io_threads_ < 0 {
        return fail(Error::EINVAL);
    }
    // SAFETY: no preconditions.
    let ctx = unsafe { zmq_ctx_new() };
    if ctx.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: `ctx` is a live context just created.
    unsafe { zmq_ctx_set(ctx, ZMQ_IO_THREADS, io_threads_) };
    ctx
}

/// Legacy name of `zmq_ctx_term` (zmq_term(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_term(context_: *mut c_void) -> c_int {
    // SAFETY: same contract as zmq_ctx_term.
    unsafe { zmq_ctx_term(context_) }
}

/// Legacy name of `zmq_ctx_term` (zmq_ctx_destroy(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_destroy(context_: *mut c_void) -> c_int {
    // SAFETY: same contract as zmq_ctx_term.
    unsafe { zmq_ctx_term(context_) }
}

/// Set a context option of any type (DRAFT, zmq_ctx_set_ext(3)).
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_set_ext(
    context_: *mut c_void,
    option_: c_int,
    optval_: *const c_void,
    optvallen_: usize,
) -> c_int {
    let _ = (context_, option_, optval_, optvallen_);
    not_yet()
}

/// Get a context option of any type (DRAFT, zmq_ctx_get_ext(3)).
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_get_ext(
    context_: *mut c_void,
    option_: c_int,
    optval_: *mut c_void,
    optvallen_: *mut usize,
) -> c_int {
    let _ = (context_, option_, optval_, optvallen_);
    not_yet()
}
