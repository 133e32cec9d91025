//! `zmq_poll` and `zmq_ppoll`.

use std::ffi::{c_int, c_long};

use super::ffi::{guard, ret_int};
use super::handles;
use super::types::zmq_pollitem_t;
use crate::poll::{fd_revents, poll_loop, sleep_for, Watch};
use crate::{Error, Result};

/// # Safety
/// `items_` must point to `nitems_` poll items_ whose sockets are live handles.
unsafe fn poll_items(
    items_: *mut zmq_pollitem_t,
    nitems_: c_int,
    timeout_: c_long,
    sigmask_: Option<&libc::sigset_t>,
) -> Result<c_int> {
    if nitems_ < 0 {
        return Err(Error::EINVAL);
    }
    if nitems_ == 0 {
        sleep_for(timeout_);
        return Ok(0);
    }
    if items_.is_null() {
        return Err(Error::EFAULT);
    }
    // SAFETY: per the contract.
    let items_ = unsafe { std::slice::from_raw_parts_mut(items_, nitems_ as usize) };
    let mut watches = Vec::with_capacity(items_.len());
    for it in items_.iter() {
        watches.push(if it.socket.is_null() {
            Watch::Fd(it.fd, it.events)
        } else {
            // SAFETY: a non-NULL socket must be a live handle.
            Watch::Socket(unsafe { handles::with_socket(it.socket, |s| Ok(s.fd())) }?)
        });
    }
    let n = poll_loop(&watches, timeout_, sigmask_, |i, os| {
        let it = &mut items_[i];
        it.revents = if it.socket.is_null() {
            fd_revents(os) & (it.events | crate::poll::POLLERR)
        } else {
            // SAFETY: validated above; the caller owns the socket.
            unsafe { handles::with_socket(it.socket, |s| s.events()) }? & it.events
        };
        Ok(it.revents)
    })?;
    Ok(n as c_int)
}

/// # Safety
/// See `zmq_poll(3)`: `items_` must point to `nitems_` valid items_.
#[no_mangle]
pub unsafe extern "C" fn zmq_poll(
    items_: *mut zmq_pollitem_t,
    nitems_: c_int,
    timeout_: c_long,
) -> c_int {
    guard(|| {
        // SAFETY: same contract.
        ret_int(unsafe { poll_items(items_, nitems_, timeout_, None) })
    })
}

/// # Safety
/// As `zmq_poll`; `sigmask_` NULL or a valid signal set.
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_ppoll(
    items_: *mut zmq_pollitem_t,
    nitems_: c_int,
    timeout_: c_long,
    sigmask_: *const libc::sigset_t,
) -> c_int {
    guard(|| {
        // SAFETY: the mask is the caller's promise.
        let mask = unsafe { sigmask_.as_ref() };
        // SAFETY: same contract.
        ret_int(unsafe { poll_items(items_, nitems_, timeout_, mask) })
    })
}
