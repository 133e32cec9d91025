//! Socket exports: creation, options, endpoints, send and receive.

use std::ffi::{c_char, c_int, c_void};

use super::ffi::{cstr, guard, ret_int, set_errno};
use super::handles;
use super::handles::{bytes, text};
use super::types::zmq_msg_t;
use crate::msg::Msg;
use crate::socket::Socket;
use crate::{Error, Result};

/// The size libzmq reports for a message, clipped to `INT_MAX`.
fn clipped(size: usize) -> c_int {
    size.min(c_int::MAX as usize) as c_int
}

/// A call that changes the socket (see `handles::with_socket_changing`).
///
/// # Safety
/// `s_` must be NULL or a socket handle used by one thread at a time.
unsafe fn changing<T>(s_: *mut c_void, f: impl FnOnce(&mut Socket) -> Result<T>) -> Result<T> {
    // SAFETY: per the contract; the handle is validated.
    unsafe { handles::with_socket_changing(s_, f) }
}

/// # Safety
/// `context` must be NULL or a live context handle.
#[no_mangle]
pub unsafe extern "C" fn zmq_socket(context_: *mut c_void, type_: c_int) -> *mut c_void {
    guard(|| {
        // SAFETY: the handle is validated before use.
        let r = unsafe { handles::ctx(context_) }.and_then(|ctx| Socket::new(ctx, type_));
        match r {
            Ok(s_) => handles::new_socket(s_),
            Err(e) => {
                set_errno(e.errno());
                std::ptr::null_mut()
            }
        }
    })
}

/// # Safety
/// `s_` must be NULL or a live socket handle; it is freed.
#[no_mangle]
pub unsafe extern "C" fn zmq_close(s_: *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: validated inside.
        ret_int(unsafe { handles::close_socket(s_) }.map(|_| 0))
    })
}

/// # Safety
/// `s_` as for `zmq_close`; `optval_` readable for `optvallen_` bytes or NULL.
#[no_mangle]
pub unsafe extern "C" fn zmq_setsockopt(
    s_: *mut c_void,
    option_: c_int,
    optval_: *const c_void,
    optvallen_: usize,
) -> c_int {
    guard(|| {
        // SAFETY: handle validated; the buffer is the caller's_ promise.
        ret_int(unsafe {
            changing(s_, |sock| {
                let value = if optval_.is_null() && optvallen_ == 0 {
                    None
                } else {
                    Some(bytes(optval_, optvallen_)?)
                };
                sock.set_option_raw(option_, value).map(|_| 0)
            })
        })
    })
}

/// # Safety
/// `s_` as for `zmq_close`; `optval_` writable for `*optvallen_` bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_getsockopt(
    s_: *mut c_void,
    option_: c_int,
    optval_: *mut c_void,
    optvallen_: *mut usize,
) -> c_int {
    guard(|| {
        // SAFETY: handle validated; the buffer is the caller's_ promise.
        ret_int(unsafe {
            handles::with_socket(s_, |sock| {
                if optvallen_.is_null() || (optval_.is_null() && *optvallen_ > 0) {
                    return Err(Error::EFAULT);
                }
                let out: &mut [u8] = if *optvallen_ == 0 {
                    &mut []
                } else {
                    std::slice::from_raw_parts_mut(optval_ as *mut u8, *optvallen_)
                };
                let n = sock.get_option(option_, out)?;
                *optvallen_ = n;
                Ok(0)
            })
        })
    })
}

/// # Safety
/// `s_` must be NULL or a live socket handle; `addr_` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn zmq_bind(s_: *mut c_void, addr_: *const c_char) -> c_int {
    guard(|| {
        // SAFETY: handle validated; the string is the caller's_ promise.
        ret_int(unsafe { changing(s_, |sock| sock.bind(text(addr_)?).map(|_| 0)) })
    })
}

/// # Safety
/// `s_` must be NULL or a live socket handle; `addr_` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn zmq_connect(s_: *mut c_void, addr_: *const c_char) -> c_int {
    guard(|| {
        // SAFETY: handle validated; the string is the caller's_ promise.
        ret_int(unsafe { changing(s_, |sock| sock.connect(text(addr_)?).map(|_| 0)) })
    })
}

/// # Safety
/// `s_` must be NULL or a live socket handle; `addr_` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn zmq_unbind(s_: *mut c_void, addr_: *const c_char) -> c_int {
    guard(|| {
        // SAFETY: handle validated; the string is the caller's_ promise.
        ret_int(unsafe { changing(s_, |sock| sock.unbind(text(addr_)?).map(|_| 0)) })
    })
}

/// # Safety
/// `s_` must be NULL or a live socket handle; `addr_` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn zmq_disconnect(s_: *mut c_void, addr_: *const c_char) -> c_int {
    guard(|| {
        // SAFETY: handle validated; the string is the caller's_ promise.
        ret_int(unsafe { changing(s_, |sock| sock.disconnect(text(addr_)?).map(|_| 0)) })
    })
}

/// Sends a message the socket takes over on success; a blocking send on
/// a thread-safe socket waits without holding the socket's lock.
///
/// # Safety
/// As for `handles::with_socket`.
unsafe fn send_msg(s_: *mut c_void, msg_: &mut Msg, flags_: c_int) -> Result<c_int> {
    let size = msg_.size();
    // SAFETY: forwarded.
    unsafe { handles::blocking_call(s_, |sock, call| sock.send_in(call, msg_, flags_)) }?;
    Ok(clipped(size))
}

/// Builds the message to send on the first attempt only: after the
/// handle's check (`ENOTSOCK` comes first, as in libzmq), and once.
fn first_msg(slot: &mut Option<Msg>, make: impl FnOnce() -> Result<Msg>) -> Result<&mut Msg> {
    match slot {
        Some(m) => Ok(m),
        None => Ok(slot.insert(make()?)),
    }
}

/// Sends a message built from a C buffer by `make`.
///
/// # Safety
/// As for `handles::with_socket`.
unsafe fn send_built(
    s_: *mut c_void,
    flags_: c_int,
    make: impl Fn() -> Result<Msg>,
) -> Result<c_int> {
    let mut slot = None;
    let mut size = 0;
    // SAFETY: forwarded.
    unsafe {
        handles::blocking_call(s_, |sock, call| {
            let m = first_msg(&mut slot, &make)?;
            size = m.size();
            sock.send_in(call, m, flags_)
        })
    }?;
    Ok(clipped(size))
}

/// Receives one message; a blocking receive on a thread-safe socket waits
/// without holding the socket's lock. `check` runs on every attempt,
/// after the handle's check.
///
/// # Safety
/// As for `handles::with_socket`.
unsafe fn recv_msg(s_: *mut c_void, flags_: c_int, check: impl Fn() -> Result<()>) -> Result<Msg> {
    // SAFETY: forwarded.
    unsafe {
        handles::blocking_call(s_, |sock, call| {
            check()?;
            sock.recv_in(call, flags_)
        })
    }
}

/// # Safety
/// `s_` a socket handle or NULL; `buf_` readable for `len_` bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_send(
    s_: *mut c_void,
    buf_: *const c_void,
    len_: usize,
    flags_: c_int,
) -> c_int {
    guard(|| {
        // SAFETY: handle validated; the buffer is the caller's_ promise.
        ret_int(unsafe { send_built(s_, flags_, || handles::copy_msg(buf_, len_)) })
    })
}

/// # Safety
/// As `zmq_send`, and `buf_` must stay valid and unchanged for as long as
/// the library may hold the message.
#[no_mangle]
pub unsafe extern "C" fn zmq_send_const(
    s_: *mut c_void,
    buf_: *const c_void,
    len_: usize,
    flags_: c_int,
) -> c_int {
    guard(|| {
        // SAFETY: handle validated; constness of the buffer is the contract.
        ret_int(unsafe {
            send_built(s_, flags_, || {
                if buf_.is_null() && len_ > 0 {
                    return Err(Error::EFAULT);
                }
                Msg::from_raw_parts(buf_ as *mut u8, len_, None, std::ptr::null_mut())
            })
        })
    })
}

/// # Safety
/// `s_` a socket handle or NULL; `buf_` writable for `len_` bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_recv(
    s_: *mut c_void,
    buf_: *mut c_void,
    len_: usize,
    flags_: c_int,
) -> c_int {
    guard(|| {
        // SAFETY: handle validated; the buffer is the caller's_ promise.
        ret_int(unsafe { recv_msg(s_, flags_, || Ok(())) }.and_then(|msg_| {
            // An oversized message is truncated; the full size is returned.
            let n = msg_.size().min(len_);
            if n > 0 {
                if buf_.is_null() {
                    return Err(Error::EFAULT);
                }
                // SAFETY: `buf_` is writable for `len_ >= n` bytes (caller).
                unsafe { std::ptr::copy_nonoverlapping(msg_.data_ptr(), buf_ as *mut u8, n) };
            }
            Ok(clipped(msg_.size()))
        }))
    })
}

/// # Safety
/// `msg_` must point to an initialised `zmq_msg_t`.
unsafe fn msg_ref<'a>(msg_: *mut zmq_msg_t) -> Result<&'a mut Msg> {
    if msg_.is_null() {
        return Err(Error::EFAULT);
    }
    // SAFETY: zmq_msg_t and Msg have the same size and alignment; the
    // caller initialised it with zmq_msg_init*.
    let m = unsafe { &mut *(msg_ as *mut Msg) };
    if !m.is_valid() {
        return Err(Error::EFAULT);
    }
    Ok(m)
}

/// # Safety
/// `msg_` an initialised message; `s_` a socket handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_send(
    msg_: *mut zmq_msg_t,
    s_: *mut c_void,
    flags_: c_int,
) -> c_int {
    guard(|| {
        // SAFETY: both pointers validated as far as possible; the message is
        // checked after the handle, as in libzmq.
        ret_int(unsafe {
            let mut size = 0;
            handles::blocking_call(s_, |sock, call| {
                let m = msg_ref(msg_)?;
                size = m.size();
                sock.send_in(call, m, flags_)
            })
            .map(|()| clipped(size))
        })
    })
}

/// # Safety
/// `msg_` an initialised message; `s_` a socket handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_recv(
    msg_: *mut zmq_msg_t,
    s_: *mut c_void,
    flags_: c_int,
) -> c_int {
    guard(|| {
        // SAFETY: both pointers validated as far as possible.
        ret_int(unsafe {
            recv_msg(s_, flags_, || msg_ref(msg_).map(|_| ())).and_then(|m| {
                let slot = msg_ref(msg_)?;
                let n = clipped(m.size());
                *slot = m;
                Ok(n)
            })
        })
    })
}

/// # Safety
/// As `zmq_msg_send`.
#[no_mangle]
pub unsafe extern "C" fn zmq_sendmsg(
    s_: *mut c_void,
    msg_: *mut zmq_msg_t,
    flags_: c_int,
) -> c_int {
    guard(|| {
        // SAFETY: same contract.
        unsafe { zmq_msg_send(msg_, s_, flags_) }
    })
}

/// # Safety
/// As `zmq_msg_recv`.
#[no_mangle]
pub unsafe extern "C" fn zmq_recvmsg(
    s_: *mut c_void,
    msg_: *mut zmq_msg_t,
    flags_: c_int,
) -> c_int {
    guard(|| {
        // SAFETY: same contract.
        unsafe { zmq_msg_recv(msg_, s_, flags_) }
    })
}

/// Sends `count_` buffers as one multipart message (the caller passes
/// `ZMQ_SNDMORE` in `flags_` to continue it; the last part drops it).
///
/// # Safety
/// `iov_` must point to `count_` valid iovecs.
#[no_mangle]
pub unsafe extern "C" fn zmq_sendiov(
    s_: *mut c_void,
    iov_: *mut libc::iovec,
    count_: usize,
    flags_: c_int,
) -> c_int {
    guard(|| {
        // SAFETY: handle validated; the iovecs are the caller's_ promise.
        ret_int(unsafe {
            handles::check_socket(s_).and_then(|()| {
                if count_ == 0 || iov_.is_null() {
                    return Err(Error::EINVAL);
                }
                let parts = std::slice::from_raw_parts(iov_, count_);
                let mut total = 0;
                for (i, part) in parts.iter().enumerate() {
                    let mut f = flags_;
                    if i == count_ - 1 {
                        f &= !crate::socket::SNDMORE;
                    }
                    let mut msg_ = handles::copy_msg(part.iov_base, part.iov_len)?;
                    total = send_msg(s_, &mut msg_, f)?;
                }
                Ok(total)
            })
        })
    })
}

/// Receives up to `*count_` parts into malloc'ed buffers the caller frees.
///
/// # Safety
/// `iov_` must point to `*count_` writable iovecs.
#[no_mangle]
pub unsafe extern "C" fn zmq_recviov(
    s_: *mut c_void,
    iov_: *mut libc::iovec,
    count_: *mut usize,
    flags_: c_int,
) -> c_int {
    guard(|| {
        // SAFETY: handle validated; the iovecs are the caller's_ promise.
        ret_int(unsafe {
            handles::check_socket(s_).and_then(|()| {
                if count_.is_null() || *count_ == 0 || iov_.is_null() {
                    return Err(Error::EINVAL);
                }
                let max = *count_;
                *count_ = 0;
                let parts = std::slice::from_raw_parts_mut(iov_, max);
                let mut nread = 0;
                for part in parts.iter_mut() {
                    let msg_ = recv_msg(s_, flags_, || Ok(()))?;
                    let n = msg_.size();
                    let buf_ = libc::malloc(n.max(1)) as *mut u8;
                    if buf_.is_null() {
                        return Err(Error::ENOMEM);
                    }
                    std::ptr::copy_nonoverlapping(msg_.data_ptr(), buf_, n);
                    part.iov_base = buf_ as *mut c_void;
                    part.iov_len = n;
                    *count_ += 1;
                    nread += 1;
                    if !msg_.has_more() {
                        break;
                    }
                }
                Ok(nread)
            })
        })
    })
}

/// # Safety
/// `s_` a socket handle or NULL; `group` a C string or NULL.
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_join(s: *mut c_void, group: *const c_char) -> c_int {
    guard(|| {
        // SAFETY: handle validated; the string is the caller's promise.
        ret_int(unsafe { changing(s, |sock| sock.join(cstr(group)?.to_bytes()).map(|_| 0)) })
    })
}

/// # Safety
/// `s_` a socket handle or NULL; `group` a C string or NULL.
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_leave(s: *mut c_void, group: *const c_char) -> c_int {
    guard(|| {
        // SAFETY: handle validated; the string is the caller's promise.
        ret_int(unsafe { changing(s, |sock| sock.leave(cstr(group)?.to_bytes()).map(|_| 0)) })
    })
}

/// Connects a PEER socket and returns the new peer's routing id; 0 with
/// `errno` on failure.
///
/// # Safety
/// `s_` a socket handle or NULL; `addr_` a C string or NULL.
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_connect_peer(s_: *mut c_void, addr_: *const c_char) -> u32 {
    guard(|| {
        // SAFETY: handle validated; the string is the caller's promise.
        let r = unsafe { changing(s_, |sock| sock.connect_peer(text(addr_)?)) };
        match r {
            Ok(id) => id,
            Err(e) => {
                set_errno(e.errno());
                0
            }
        }
    })
}

/// `zmq_socket_get_peer_state` (draft): `ZMQ_POLLOUT` if the ROUTER peer
/// with this routing id can take a message now, else 0; -1 with
/// `EHOSTUNREACH` for an unknown routing id, `ENOTSUP` on other types.
///
/// # Safety
/// `socket` a socket handle or NULL; `routing_id` readable for
/// `routing_id_size` bytes (or NULL with size 0).
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_socket_get_peer_state(
    socket: *mut c_void,
    routing_id: *const c_void,
    routing_id_size: usize,
) -> c_int {
    guard(|| {
        // SAFETY: handle validated; the id buffer is the caller's promise.
        ret_int(unsafe {
            handles::with_socket(socket, |sock| {
                let id = bytes(routing_id, routing_id_size)?;
                sock.peer_state(id).map(c_int::from)
            })
        })
    })
}
