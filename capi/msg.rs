//! Message exports: `zmq_msg_*`. A `zmq_msg_t` is our `Msg`, same size_ and
//! alignment, so each call casts the pointer.

use std::ffi::{c_char, c_int, c_void, CStr};

use super::ffi::{guard, ret_int, set_errno};
use super::handles::text;
use super::types::{zmq_free_fn, zmq_msg_t};
use crate::msg::Msg;
use crate::{Error, Result};

const ZMQ_MORE: c_int = 1;
const ZMQ_SRCFD: c_int = 2;
const ZMQ_SHARED: c_int = 3;

/// # Safety
/// `msg_` must be NULL or point to 64 writable, pointer-aligned bytes.
unsafe fn init(msg_: *mut zmq_msg_t, m: Result<Msg>) -> c_int {
    if msg_.is_null() {
        set_errno(libc::EFAULT);
        return -1;
    }
    // SAFETY: the caller's memory is uninitialised storage for a message:
    // write without dropping what was there.
    ret_int(m.map(|m| unsafe {
        std::ptr::write(msg_ as *mut Msg, m);
        0
    }))
}

/// # Safety
/// `msg_` must be NULL or a `zmq_msg_t` the caller initialised.
unsafe fn valid<'a>(msg_: *const zmq_msg_t) -> Result<&'a mut Msg> {
    if msg_.is_null() {
        return Err(Error::EFAULT);
    }
    // SAFETY: same layout; initialised per the contract.
    let m = unsafe { &mut *(msg_ as *mut Msg) };
    if m.is_valid() {
        Ok(m)
    } else {
        Err(Error::EFAULT)
    }
}

/// # Safety
/// `msg_` points to storage for a `zmq_msg_t`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init(msg_: *mut zmq_msg_t) -> c_int {
    guard(|| {
        // SAFETY: same contract.
        unsafe { init(msg_, Ok(Msg::new())) }
    })
}

/// # Safety
/// `msg_` points to storage for a `zmq_msg_t`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init_size(msg_: *mut zmq_msg_t, size_: usize) -> c_int {
    guard(|| {
        // SAFETY: same contract. The body stays uninitialised as in
        // libzmq: the C caller writes it through `zmq_msg_data` before it
        // sends or reads it (sending it unwritten is that caller's bug in
        // libzmq too).
        unsafe { init(msg_, Msg::with_size_uninit(size_)) }
    })
}

/// # Safety
/// `msg_` points to storage for a `zmq_msg_t`; `buf_` readable for `size_`.
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init_buffer(
    msg_: *mut zmq_msg_t,
    buf_: *const c_void,
    size_: usize,
) -> c_int {
    guard(|| {
        // SAFETY: the buffer is the caller's promise.
        let m = unsafe { super::handles::copy_msg(buf_, size_) };
        // SAFETY: same contract.
        unsafe { init(msg_, m) }
    })
}

/// # Safety
/// `msg_` points to storage for a `zmq_msg_t`; `data_` valid for `size_`
/// bytes until `ffn_` is called (or forever without `ffn_`).
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init_data(
    msg_: *mut zmq_msg_t,
    data_: *mut c_void,
    size_: usize,
    ffn_: zmq_free_fn,
    hint_: *mut c_void,
) -> c_int {
    guard(|| {
        if data_.is_null() && size_ > 0 {
            set_errno(libc::EFAULT);
            return -1;
        }
        // SAFETY: the buffer's lifetime and ffn_'s thread-safety are the
        // caller's promise, as in libzmq.
        let m = unsafe { Msg::from_raw_parts(data_ as *mut u8, size_, ffn_, hint_) };
        // SAFETY: same contract.
        unsafe { init(msg_, m) }
    })
}

/// # Safety
/// `msg_` an initialised message.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_close(msg_: *mut zmq_msg_t) -> c_int {
    guard(|| {
        // SAFETY: validated; replacing drops the old value exactly once.
        ret_int(unsafe { valid(msg_) }.map(|m| {
            *m = Msg::invalid();
            0
        }))
    })
}

/// # Safety
/// Both initialised messages.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_move(dest_: *mut zmq_msg_t, src_: *mut zmq_msg_t) -> c_int {
    guard(|| {
        // SAFETY: both validated.
        ret_int(unsafe { valid(src_) }.and_then(|s| {
            let d = unsafe { valid(dest_) }?;
            if !std::ptr::eq(d, s) {
                *d = s.take();
            }
            Ok(0)
        }))
    })
}

/// # Safety
/// Both initialised messages.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_copy(dest_: *mut zmq_msg_t, src_: *mut zmq_msg_t) -> c_int {
    guard(|| {
        // SAFETY: both validated.
        ret_int(unsafe { valid(src_) }.and_then(|s| {
            let d = unsafe { valid(dest_) }?;
            if !std::ptr::eq(d, s) {
                *d = s.share();
            }
            Ok(0)
        }))
    })
}

/// # Safety
/// `msg_` an initialised message.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_data(msg_: *mut zmq_msg_t) -> *mut c_void {
    guard(|| {
        // SAFETY: validated.
        match unsafe { valid(msg_) } {
            Ok(m) => m.data_ptr_mut() as *mut c_void,
            Err(e) => {
                set_errno(e.errno());
                std::ptr::null_mut()
            }
        }
    })
}

/// # Safety
/// `msg_` an initialised message.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_size(msg_: *const zmq_msg_t) -> usize {
    guard(|| {
        // SAFETY: validated.
        unsafe { valid(msg_) }.map(|m| m.size()).unwrap_or(0)
    })
}

/// # Safety
/// `msg_` an initialised message.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_more(msg_: *const zmq_msg_t) -> c_int {
    guard(|| {
        // SAFETY: same contract.
        unsafe { zmq_msg_get(msg_, ZMQ_MORE) }
    })
}

/// # Safety
/// `msg_` an initialised message.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_get(msg_: *const zmq_msg_t, property_: c_int) -> c_int {
    guard(|| {
        // SAFETY: validated.
        ret_int(unsafe { valid(msg_) }.and_then(|m| {
            match property_ {
                ZMQ_MORE => Ok(m.has_more() as c_int),
                ZMQ_SHARED => Ok(m.is_shared() as c_int),
                ZMQ_SRCFD => m
                    .metadata()
                    .and_then(|md| md.get("__fd"))
                    .and_then(|v| v.to_str().ok()?.parse().ok())
                    .ok_or(Error::EINVAL),
                _ => Err(Error::EINVAL),
            }
        }))
    })
}

/// No property_ can be set (as in libzmq): always `EINVAL`.
///
/// # Safety
/// Nothing is dereferenced.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_set(
    msg_: *mut zmq_msg_t,
    property_: c_int,
    optval_: c_int,
) -> c_int {
    guard(|| {
        let _ = (msg_, property_, optval_);
        set_errno(libc::EINVAL);
        -1
    })
}

/// # Safety
/// `msg_` an initialised message; `property_` a C string.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_gets(
    msg_: *const zmq_msg_t,
    property_: *const c_char,
) -> *const c_char {
    guard(|| {
        // SAFETY: validated; the returned string lives as long as the message.
        let r = unsafe { valid(msg_) }.and_then(|m| {
            let name = unsafe { text(property_) }?;
            m.metadata()
                .and_then(|md| md.get(name))
                .map(CStr::as_ptr)
                .ok_or(Error::EINVAL)
        });
        match r {
            Ok(p) => p,
            Err(e) => {
                set_errno(e.errno());
                std::ptr::null()
            }
        }
    })
}

/// # Safety
/// `msg_` an initialised message.
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_set_routing_id(msg: *mut zmq_msg_t, routing_id: u32) -> c_int {
    guard(|| {
        // SAFETY: validated.
        ret_int(unsafe { valid(msg) }.and_then(|m| m.set_routing_id(routing_id).map(|_| 0)))
    })
}

/// # Safety
/// `msg_` an initialised message.
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_routing_id(msg: *mut zmq_msg_t) -> u32 {
    guard(|| {
        // SAFETY: validated.
        unsafe { valid(msg) }.map(|m| m.routing_id()).unwrap_or(0)
    })
}

/// # Safety
/// `msg_` an initialised message; `group` a C string.
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_set_group(msg: *mut zmq_msg_t, group: *const c_char) -> c_int {
    guard(|| {
        // SAFETY: validated; the string is the caller's promise.
        ret_int(unsafe { valid(msg) }.and_then(|m| {
            if group.is_null() {
                return Err(Error::EINVAL);
            }
            let g = unsafe { CStr::from_ptr(group) };
            m.set_group(g.to_bytes()).map(|_| 0)
        }))
    })
}

/// # Safety
/// `msg_` an initialised message.
#[cfg(feature = "draft")]
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_group(msg: *mut zmq_msg_t) -> *const c_char {
    guard(|| {
        // SAFETY: validated; the name lives as long as the message.
        match unsafe { valid(msg) } {
            Ok(m) => m.group().as_ptr(),
            Err(e) => {
                set_errno(e.errno());
                std::ptr::null()
            }
        }
    })
}
