//! The `zmq_poller_*` API over the engine's `Poller`.

use std::ffi::{c_int, c_long, c_short, c_void};

use super::ffi::{guard, ret_int};
use super::handles;
use super::types::{zmq_fd_t, zmq_poller_event_t};
use crate::poller::{check_events, Poller, SocketKey};
use crate::{Error, Result};

/// A socket as the C caller named it: its handle.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Handle(*mut c_void);

impl SocketKey for Handle {
    fn with<R>(self, f: impl FnOnce(&mut crate::socket::Socket) -> Result<R>) -> Result<R> {
        // SAFETY: the handle was validated when added; using a socket
        // closed since is the caller's error, as in libzmq.
        unsafe { handles::with_socket(self.0, f) }
    }
}

const POLLER_TAG: u32 = 0xcafe_babe;

#[repr(C)]
struct PollerHandle {
    tag: u32,
    poller: Poller<Handle>,
}

/// # Safety
/// `p` NULL or a pointer from `zmq_poller_new`.
unsafe fn poller<'a>(p: *mut c_void) -> Result<&'a mut Poller<Handle>> {
    let h = p as *mut PollerHandle;
    // SAFETY: non-NULL handles can be read for their tag.
    if h.is_null() || unsafe { (*h).tag } != POLLER_TAG {
        return Err(Error::EFAULT);
    }
    // SAFETY: tag checked.
    Ok(unsafe { &mut (*h).poller })
}

/// # Safety
/// `p` a poller; `s` a socket handle.
unsafe fn poller_and_socket<'a>(
    p: *mut c_void,
    s: *mut c_void,
) -> Result<(&'a mut Poller<Handle>, Handle)> {
    // SAFETY: both validated.
    let poller = unsafe { poller(p) }?;
    unsafe { handles::check_socket(s) }?;
    Ok((poller, Handle(s)))
}

#[no_mangle]
pub extern "C" fn zmq_poller_new() -> *mut c_void {
    guard(|| {
        Box::into_raw(Box::new(PollerHandle {
            tag: POLLER_TAG,
            poller: Poller::default(),
        }))
        .cast()
    })
}

/// # Safety
/// `poller_p` NULL or a pointer to a poller pointer; the poller is freed.
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_destroy(poller_p: *mut *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: each pointer is checked before use.
        ret_int(unsafe {
            if poller_p.is_null() {
                return ret_int(Err(Error::EFAULT));
            }
            poller(*poller_p).map(|_| {
                let h = *poller_p as *mut PollerHandle;
                (*h).tag = 0;
                drop(Box::from_raw(h));
                *poller_p = std::ptr::null_mut();
                0
            })
        })
    })
}

/// # Safety
/// `p` a poller or NULL.
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_size(p: *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: validated.
        ret_int(unsafe { poller(p) }.map(|p| p.size() as c_int))
    })
}

/// # Safety
/// `p` a poller; `s` a socket handle.
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_add(
    p: *mut c_void,
    s: *mut c_void,
    user_data: *mut c_void,
    events: c_short,
) -> c_int {
    guard(|| {
        // SAFETY: validated.
        ret_int(unsafe { poller_and_socket(p, s) }.and_then(|(p, h)| {
            check_events(events)?;
            p.add(h, user_data as usize, events).map(|_| 0)
        }))
    })
}

/// # Safety
/// `p` a poller; `s` a socket handle.
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_modify(
    p: *mut c_void,
    s: *mut c_void,
    events: c_short,
) -> c_int {
    guard(|| {
        // SAFETY: validated.
        ret_int(unsafe { poller_and_socket(p, s) }.and_then(|(p, h)| {
            check_events(events)?;
            p.modify(h, events).map(|_| 0)
        }))
    })
}

/// # Safety
/// `p` a poller; `s` a socket handle.
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_remove(p: *mut c_void, s: *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: validated.
        ret_int(unsafe { poller_and_socket(p, s) }.and_then(|(p, h)| p.remove(h).map(|_| 0)))
    })
}

fn check_fd(fd: zmq_fd_t) -> Result<()> {
    if fd == -1 {
        return Err(Error::EBADF);
    }
    Ok(())
}

/// # Safety
/// `p` a poller or NULL.
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_add_fd(
    p: *mut c_void,
    fd: zmq_fd_t,
    user_data: *mut c_void,
    events: c_short,
) -> c_int {
    guard(|| {
        // SAFETY: validated.
        ret_int(unsafe { poller(p) }.and_then(|p| {
            check_fd(fd)?;
            check_events(events)?;
            p.add_fd(fd, user_data as usize, events).map(|_| 0)
        }))
    })
}

/// # Safety
/// `p` a poller or NULL.
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_modify_fd(
    p: *mut c_void,
    fd: zmq_fd_t,
    events: c_short,
) -> c_int {
    guard(|| {
        // SAFETY: validated.
        ret_int(unsafe { poller(p) }.and_then(|p| {
            check_fd(fd)?;
            check_events(events)?;
            p.modify_fd(fd, events).map(|_| 0)
        }))
    })
}

/// # Safety
/// `p` a poller or NULL.
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_remove_fd(p: *mut c_void, fd: zmq_fd_t) -> c_int {
    guard(|| {
        // SAFETY: validated.
        ret_int(unsafe { poller(p) }.and_then(|p| {
            check_fd(fd)?;
            p.remove_fd(fd).map(|_| 0)
        }))
    })
}

/// # Safety
/// `p` a poller; `events` writable for `n_events` entries.
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_wait_all(
    p: *mut c_void,
    events: *mut zmq_poller_event_t,
    n_events: c_int,
    timeout: c_long,
) -> c_int {
    guard(|| {
        // SAFETY: validated; the array is the caller's promise.
        ret_int(unsafe {
            poller(p).and_then(|p| {
                if events.is_null() {
                    return Err(Error::EFAULT);
                }
                if n_events < 0 {
                    return Err(Error::EINVAL);
                }
                let out = std::slice::from_raw_parts_mut(events, n_events as usize);
                let found = p.wait(out.len(), timeout)?;
                for (slot, ev) in out
                    .iter_mut()
                    .zip(found.iter().map(Some).chain(std::iter::repeat(None)))
                {
                    *slot = match ev {
                        Some(e) => zmq_poller_event_t {
                            socket: e.socket.map_or(std::ptr::null_mut(), |h| h.0),
                            fd: if e.socket.is_some() { -1 } else { e.fd },
                            user_data: e.user_data as *mut c_void,
                            events: e.events,
                        },
                        None => zmq_poller_event_t {
                            socket: std::ptr::null_mut(),
                            fd: -1,
                            user_data: std::ptr::null_mut(),
                            events: 0,
                        },
                    };
                }
                Ok(found.len() as c_int)
            })
        })
    })
}

/// # Safety
/// `p` a poller; `event` writable.
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_wait(
    p: *mut c_void,
    event: *mut zmq_poller_event_t,
    timeout: c_long,
) -> c_int {
    guard(|| {
        // SAFETY: same contract, one event.
        let rc = unsafe { zmq_poller_wait_all(p, event, 1, timeout) };
        if rc < 0 && !event.is_null() {
            // SAFETY: the caller's event slot.
            unsafe {
                (*event).socket = std::ptr::null_mut();
                (*event).fd = -1;
                (*event).user_data = std::ptr::null_mut();
                (*event).events = 0;
            }
        }
        if rc >= 0 {
            0
        } else {
            rc
        }
    })
}

/// Only pollers holding thread-safe sockets have an fd (as in libzmq).
///
/// # Safety
/// `p` a poller or NULL; `fd` writable.
#[no_mangle]
pub unsafe extern "C" fn zmq_poller_fd(p: *mut c_void, fd: *mut zmq_fd_t) -> c_int {
    guard(|| {
        // SAFETY: validated.
        ret_int(unsafe { poller(p) }.and_then(|p| {
            if fd.is_null() {
                return Err(Error::EFAULT);
            }
            let f = p.fd()?;
            // SAFETY: non-NULL, the caller's slot.
            unsafe { *fd = f };
            Ok(0)
        }))
    })
}
