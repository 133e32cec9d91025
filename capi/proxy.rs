//! `zmq_proxy`, `zmq_proxy_steerable` and the legacy `zmq_device`, on
//! `crate::proxy`. `zmq_device` forwards to `zmq_proxy` without a capture
//! socket, as in libzmq.

use std::ffi::{c_int, c_void};
use std::ptr;

use super::ffi::{guard, ret_zero};
use super::handles;
use crate::proxy::{proxy_steerable, Roles};
use crate::socket::Socket;
use crate::{Error, Result};

/// Runs the proxy on C handles. The same handle may play several parts
/// (frontend == backend is the single-socket proxy), so each distinct
/// handle is turned into a `&mut Socket` once and the parts are indices.
///
/// # Safety
/// Each pointer is NULL or a socket handle that no other thread uses
/// meanwhile.
unsafe fn run(
    frontend: *mut c_void,
    backend: *mut c_void,
    capture: *mut c_void,
    control: *mut c_void,
) -> Result<()> {
    // libzmq checks only these two, with EFAULT.
    if frontend.is_null() || backend.is_null() {
        return Err(Error::EFAULT);
    }
    let mut handles_: Vec<*mut c_void> = Vec::with_capacity(4);
    let mut index = |p: *mut c_void| -> Option<usize> {
        if p.is_null() {
            return None;
        }
        Some(handles_.iter().position(|&h| h == p).unwrap_or_else(|| {
            handles_.push(p);
            handles_.len() - 1
        }))
    };
    let roles = Roles {
        frontend: index(frontend).unwrap_or(0),
        backend: index(backend).unwrap_or(0),
        capture: index(capture),
        control: index(control),
    };
    let mut sockets: Vec<&mut Socket> = Vec::with_capacity(handles_.len());
    for &h in &handles_ {
        // SAFETY: distinct handles, validated (ENOTSOCK for a foreign
        // pointer), each borrowed once.
        sockets.push(unsafe { handles::socket_exclusive(h) }?);
    }
    proxy_steerable(&mut sockets, roles)
}

/// Shuttle messages between two sockets until the context ends (zmq_proxy(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_proxy(
    frontend_: *mut c_void,
    backend_: *mut c_void,
    capture_: *mut c_void,
) -> c_int {
    guard(|| {
        // SAFETY: the caller's handles, validated inside.
        ret_zero(unsafe { run(frontend_, backend_, capture_, ptr::null_mut()) })
    })
}

/// `zmq_proxy` driven by PAUSE/RESUME/TERMINATE/STATISTICS commands (zmq_proxy_steerable(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_proxy_steerable(
    frontend_: *mut c_void,
    backend_: *mut c_void,
    capture_: *mut c_void,
    control_: *mut c_void,
) -> c_int {
    guard(|| {
        // SAFETY: the caller's handles, validated inside.
        ret_zero(unsafe { run(frontend_, backend_, capture_, control_) })
    })
}

/// Legacy `zmq_proxy` without capture; `type_` is ignored (zmq_device(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_device(
    type_: c_int,
    frontend_: *mut c_void,
    backend_: *mut c_void,
) -> c_int {
    guard(|| {
        let _ = type_;
        // SAFETY: same contract as zmq_proxy, with no capture socket.
        unsafe { zmq_proxy(frontend_, backend_, ptr::null_mut()) }
    })
}
