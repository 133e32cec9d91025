//! Context exports: `zmq_ctx_*` and the legacy `zmq_init`/`zmq_term`.

use std::ffi::{c_int, c_void};

use super::ffi::{guard, ret_int, set_errno};
use super::handles;
use crate::ctx::Context;
use crate::Error;

#[no_mangle]
pub extern "C" fn zmq_ctx_new() -> *mut c_void {
    guard(|| handles::new_ctx(Context::new()))
}

/// In a forked child, the parent's context answers -1 with `EINTR` and
/// stays allocated, as libzmq's does; the child uses a new context.
///
/// # Safety
/// `context_` must be NULL or a handle from `zmq_ctx_new`; it is freed
/// (unless `EINTR`).
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_term(context_: *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: the handle is validated before use.
        let r = unsafe { handles::ctx(context_) }.cloned();
        ret_int(r.and_then(|ctx| {
            // `EINTR` (a forked child's copy) keeps the handle, as libzmq.
            ctx.try_term()?;
            // SAFETY: term waited for every socket; the handle is ours to free.
            unsafe { handles::free_ctx(context_) };
            Ok(0)
        }))
    })
}

/// # Safety
/// `context_` must be NULL or a live context_ handle.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_shutdown(context_: *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: the handle is validated before use.
        ret_int(unsafe { handles::ctx(context_) }.map(|ctx| {
            ctx.shutdown();
            0
        }))
    })
}

/// # Safety
/// `context_` must be NULL or a live context_ handle.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_set(
    context_: *mut c_void,
    option_: c_int,
    optval_: c_int,
) -> c_int {
    guard(|| {
        // SAFETY: the handle is validated before use.
        ret_int(
            unsafe { handles::ctx(context_) }.and_then(|ctx| ctx.set(option_, optval_).map(|_| 0)),
        )
    })
}

/// # Safety
/// `context_` must be NULL or a live context_ handle.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_get(context_: *mut c_void, option_: c_int) -> c_int {
    guard(|| {
        // SAFETY: the handle is validated before use.
        ret_int(unsafe { handles::ctx(context_) }.and_then(|ctx| ctx.get(option_)))
    })
}

/// # Safety
/// `context_` must be NULL or a live context_ handle; `optval_` must be
/// readable for `optvallen_` bytes.
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_set_ext(
    context_: *mut c_void,
    option_: c_int,
    optval_: *const c_void,
    optvallen_: usize,
) -> c_int {
    guard(|| {
        // SAFETY: the handle is validated; the buffer is the caller's promise.
        let r = unsafe { handles::ctx(context_) }.and_then(|ctx| {
            let raw = unsafe { super::handles::bytes(optval_, optvallen_) }?;
            ctx.set_ext(option_, raw).map(|_| 0)
        });
        ret_int(r)
    })
}

/// # Safety
/// `context_` must be NULL or a live context_ handle; `optval_` must be
/// writable for `*optvallen_` bytes.
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_get_ext(
    context_: *mut c_void,
    option_: c_int,
    optval_: *mut c_void,
    optvallen_: *mut usize,
) -> c_int {
    guard(|| {
        // SAFETY: the handle is validated; the buffer is the caller's promise.
        let r = unsafe { handles::ctx(context_) }.and_then(|ctx| {
            if optval_.is_null() || optvallen_.is_null() {
                return Err(Error::EFAULT);
            }
            let out = unsafe { std::slice::from_raw_parts_mut(optval_ as *mut u8, *optvallen_) };
            let n = ctx.get_ext(option_, out)?;
            unsafe { *optvallen_ = n };
            Ok(0)
        });
        ret_int(r)
    })
}

/// Legacy: a context_ with `io_threads_` io threads (`EINVAL` if negative).
#[no_mangle]
pub extern "C" fn zmq_init(io_threads_: c_int) -> *mut c_void {
    guard(|| {
        if io_threads_ < 0 {
            set_errno(libc::EINVAL);
            return std::ptr::null_mut();
        }
        let ctx = Context::new();
        if ctx.set(crate::ctx::IO_THREADS, io_threads_).is_err() {
            set_errno(libc::EINVAL);
            return std::ptr::null_mut();
        }
        handles::new_ctx(ctx)
    })
}

/// # Safety
/// As `zmq_ctx_term`.
#[no_mangle]
pub unsafe extern "C" fn zmq_term(context_: *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: same contract.
        unsafe { zmq_ctx_term(context_) }
    })
}

/// # Safety
/// As `zmq_ctx_term`.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_destroy(context_: *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: same contract.
        unsafe { zmq_ctx_term(context_) }
    })
}
