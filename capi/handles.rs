//! The opaque `void *` handles C holds for contexts and sockets, built on
//! the tagged handles of `ffi`: NULL or a foreign pointer is `EFAULT` for a
//! context and `ENOTSOCK` for a socket, as in libzmq.

use std::cell::UnsafeCell;
use std::ffi::{c_char, c_void};

use super::ffi::{cstr, Tagged};
use crate::ctx::Context;
use crate::socket::Socket;
use crate::{Error, Result};

const CTX_TAG: u32 = 0xabad_cafe;
const SOCKET_TAG: u32 = 0xbadd_ecaf;

/// A socket is used by one thread at a time (libzmq's rule), which C
/// guarantees; the cell lets the export layer hand out `&mut Socket`.
struct SocketCell(UnsafeCell<Socket>);

pub fn new_ctx(ctx: Context) -> *mut c_void {
    Tagged::into_raw(CTX_TAG, ctx)
}

/// The context behind a handle.
///
/// # Safety
/// `p` is NULL or points to at least 4 readable bytes.
pub unsafe fn ctx<'a>(p: *mut c_void) -> Result<&'a Context> {
    // SAFETY: forwarded.
    unsafe { Tagged::<Context>::from_raw(p, CTX_TAG, Error::EFAULT) }
}

/// Frees a context handle after `zmq_ctx_term`.
///
/// # Safety
/// `p` is a live context handle no other thread uses any more.
pub unsafe fn free_ctx(p: *mut c_void) {
    let mut p = p;
    // SAFETY: forwarded; the tag was checked by the caller's `ctx()`.
    let _ = unsafe { Tagged::<Context>::destroy(&mut p, CTX_TAG, Error::EFAULT) };
}

pub fn new_socket(socket: Socket) -> *mut c_void {
    Tagged::into_raw(SOCKET_TAG, SocketCell(UnsafeCell::new(socket)))
}

/// The socket behind a handle.
///
/// # Safety
/// `p` is NULL or points to at least 4 readable bytes, and no other thread
/// uses the socket meanwhile (libzmq's contract for non-thread-safe sockets).
pub unsafe fn socket<'a>(p: *mut c_void) -> Result<&'a mut Socket> {
    // SAFETY: forwarded; exclusive use is the caller's contract.
    unsafe {
        let cell = Tagged::<SocketCell>::from_raw(p, SOCKET_TAG, Error::ENOTSOCK)?;
        Ok(&mut *cell.0.get())
    }
}

/// Closes and frees a socket handle (`zmq_close`).
///
/// # Safety
/// As for [`socket`]; the handle is not used afterwards.
pub unsafe fn close_socket(p: *mut c_void) -> Result<()> {
    let mut p = p;
    // SAFETY: forwarded; dropping the socket closes it.
    unsafe { Tagged::<SocketCell>::destroy(&mut p, SOCKET_TAG, Error::ENOTSOCK) }
}

/// An endpoint or group argument: a C string that must be UTF-8.
///
/// # Safety
/// As for `ffi::cstr`.
pub unsafe fn text<'a>(p: *const c_char) -> Result<&'a str> {
    // SAFETY: forwarded.
    unsafe { cstr(p) }?.to_str().map_err(|_| Error::EINVAL)
}

/// A C buffer argument; NULL is allowed only when empty (`EFAULT` else).
///
/// # Safety
/// `p` is NULL or readable for `len` bytes during `'a`.
pub unsafe fn bytes<'a>(p: *const c_void, len: usize) -> Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Error::EFAULT);
    }
    // SAFETY: non-NULL and readable for `len` bytes (caller).
    Ok(unsafe { std::slice::from_raw_parts(p as *const u8, len) })
}
