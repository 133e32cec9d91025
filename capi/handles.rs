//! The opaque `void *` handles C holds for contexts and sockets, built on
//! the tagged handles of `ffi`: NULL or a foreign pointer is `EFAULT` for a
//! context and `ENOTSOCK` for a socket, as in libzmq.

use std::cell::UnsafeCell;
use std::ffi::{c_char, c_void};
use std::sync::{Arc, Mutex};

use super::ffi::{cstr, Tagged};
use crate::command::SocketMailbox;
use crate::ctx::Context;
use crate::socket::{Call, Socket};
use crate::{Error, Result};

const CTX_TAG: u32 = 0xabad_cafe;
const SOCKET_TAG: u32 = 0xbadd_ecaf;

/// A classic socket is used by one thread at a time (libzmq's rule, the
/// caller's promise); a thread-safe one (SERVER, CLIENT, ...) may be used
/// by several at once, so each call takes its lock. A blocking send or
/// receive holds it only while it tries, not while it waits
/// ([`blocking_call`]).
struct SocketCell {
    socket: UnsafeCell<Socket>,
    shared: Option<Shared>,
}

/// What a thread-safe socket's callers share besides the socket.
struct Shared {
    /// Held while a thread has the `&mut Socket`.
    lock: Mutex<()>,
    /// The socket's mailbox, where waiters sleep without the lock.
    mailbox: Arc<SocketMailbox>,
}

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
    let shared = socket.is_thread_safe().then(|| Shared {
        lock: Mutex::new(()),
        mailbox: socket.mailbox(),
    });
    Tagged::into_raw(
        SOCKET_TAG,
        SocketCell {
            socket: UnsafeCell::new(socket),
            shared,
        },
    )
}

impl SocketCell {
    /// Runs `f` on the socket, under the lock if it is thread-safe.
    ///
    /// # Safety
    /// A classic socket is not used by another thread meanwhile.
    unsafe fn with<T>(&self, f: impl FnOnce(&mut Socket) -> T) -> T {
        let _guard = self
            .shared
            .as_ref()
            .map(|s| s.lock.lock().unwrap_or_else(|e| e.into_inner()));
        // SAFETY: the lock (thread-safe) or the caller's contract (classic)
        // makes this the only reference to the socket while `f` runs.
        f(unsafe { &mut *self.socket.get() })
    }
}

/// Runs `f` on the socket behind a handle (`ENOTSOCK` for NULL or a
/// non-socket), holding its lock if it is thread-safe.
///
/// # Safety
/// `p` is NULL or points to at least 4 readable bytes; a classic socket is
/// not used by another thread meanwhile (libzmq's contract).
pub unsafe fn with_socket<T>(
    p: *mut c_void,
    f: impl FnOnce(&mut Socket) -> Result<T>,
) -> Result<T> {
    // SAFETY: forwarded; exclusive use is the lock's or the caller's.
    unsafe {
        let cell = Tagged::<SocketCell>::from_raw(p, SOCKET_TAG, Error::ENOTSOCK)?;
        cell.with(f)
    }
}

/// As [`with_socket`] for a call that changes the socket (connect, bind,
/// options, ...): afterwards a thread-safe socket's waiters look at it
/// again, since a new pipe or a higher watermark may let a blocked send
/// or receive go on without any command being sent to the socket.
///
/// # Safety
/// As for [`with_socket`].
pub unsafe fn with_socket_changing<T>(
    p: *mut c_void,
    f: impl FnOnce(&mut Socket) -> Result<T>,
) -> Result<T> {
    // SAFETY: forwarded.
    unsafe {
        let cell = Tagged::<SocketCell>::from_raw(p, SOCKET_TAG, Error::ENOTSOCK)?;
        let r = cell.with(f);
        if let Some(shared) = &cell.shared {
            shared.mailbox.wake_waiters();
        }
        r
    }
}

/// Runs a send or receive that may block. A classic socket runs
/// `attempt` once with no [`Call`]: it blocks inside the socket as it
/// always did. A thread-safe socket runs it with a [`Call`] as often as
/// [`Call::run`] asks, each time under the lock, and waits between
/// attempts with the lock released, so other threads can use the socket
/// meanwhile (libzmq's `mailbox_safe_t`). `attempt` answers `Ok(None)`
/// only when given a call, meaning "wait and try again".
///
/// # Safety
/// As for [`with_socket`].
pub unsafe fn blocking_call<T>(
    p: *mut c_void,
    mut attempt: impl FnMut(&mut Socket, Option<&mut Call>) -> Result<Option<T>>,
) -> Result<T> {
    // SAFETY: forwarded.
    let cell = unsafe { Tagged::<SocketCell>::from_raw(p, SOCKET_TAG, Error::ENOTSOCK)? };
    match &cell.shared {
        // SAFETY: the caller's contract for a classic socket.
        None => unsafe { cell.with(|s| attempt(s, None)) }?.ok_or(Error::EAGAIN),
        Some(shared) => Call::run(&shared.mailbox, |call| {
            // SAFETY: thread-safe: `with` takes the lock.
            unsafe { cell.with(|s| attempt(s, Some(call))) }
        }),
    }
}

/// The socket behind a handle, without taking a thread-safe socket's lock:
/// for the proxy, which holds several sockets at once on the calling
/// thread for as long as it runs.
///
/// # Safety
/// As for [`with_socket`], and no other thread uses the socket while the
/// reference lives (libzmq's proxy has the same requirement).
pub unsafe fn socket_exclusive<'a>(p: *mut c_void) -> Result<&'a mut Socket> {
    // SAFETY: forwarded; exclusivity is the caller's contract.
    unsafe {
        let cell = Tagged::<SocketCell>::from_raw(p, SOCKET_TAG, Error::ENOTSOCK)?;
        Ok(&mut *cell.socket.get())
    }
}

/// Checks that a handle names a socket.
///
/// # Safety
/// As for [`with_socket`].
pub unsafe fn check_socket(p: *mut c_void) -> Result<()> {
    // SAFETY: forwarded; only the tag is read.
    unsafe { Tagged::<SocketCell>::from_raw(p, SOCKET_TAG, Error::ENOTSOCK) }.map(|_| ())
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

/// A message holding a copy of the caller's buffer (`zmq_send`,
/// `zmq_sendiov`, `zmq_msg_init_buffer`): `ENOMEM` when the body cannot be
/// allocated, as libzmq's `zmq_msg_init_size`, and the buffer is read only
/// once the body exists. No buffer is longer than `isize::MAX` bytes, so
/// such a length is `ENOMEM` before it is taken for a slice.
///
/// # Safety
/// As for [`bytes`].
pub unsafe fn copy_msg(p: *const c_void, len: usize) -> Result<crate::msg::Msg> {
    if len > isize::MAX as usize {
        return Err(Error::ENOMEM);
    }
    // SAFETY: forwarded.
    crate::msg::Msg::try_from_slice(unsafe { bytes(p, len) }?)
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
