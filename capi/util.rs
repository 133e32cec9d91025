//! The engine-free part of the API: errors, version, capabilities, Z85,
//! CURVE keys, atomic counters, timers, stopwatch, sleep and threads.
//!
//! The logic is in `crate::util`; these exports only decode pointers.
//! Where libzmq would dereference a NULL handle and crash, these return
//! the failure value instead (with `EFAULT` where the signature has room
//! for an error).

use std::ffi::{c_char, c_int, c_long, c_ulong, c_void};
use std::ptr;
use std::slice;
use std::thread::JoinHandle;
use std::time::Duration;

use super::ffi::{self, fail, guard, opt_cstr, ret_zero, Tagged};
use super::types::{zmq_thread_fn, zmq_timer_fn};
use crate::util::counter::AtomicCounter;
use crate::util::stopwatch::Stopwatch;
use crate::util::timers::Timers;
use crate::util::{self as engine, z85};
use crate::zmtp::mechanism::curve::keys as curve_keys;
use crate::{Error, Result};

/// The calling thread's `errno` (zmq_errno(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_errno() -> c_int {
    guard(ffi::errno)
}

/// The text for an error number, libzmq's own or the C library's (zmq_strerror(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_strerror(errnum_: c_int) -> *const c_char {
    guard(|| {
        match crate::error::native_text_c(errnum_) {
            Some(text) => text.as_ptr().cast(),
            // SAFETY: strerror accepts any number; like libzmq we hand its
            // pointer on, valid until the next strerror call on this thread.
            None => unsafe { libc::strerror(errnum_) },
        }
    })
}

/// The library version, 4.3.5; NULL pointers are skipped (zmq_version(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_version(major_: *mut c_int, minor_: *mut c_int, patch_: *mut c_int) {
    guard(|| {
        let (major, minor, patch) = engine::VERSION;
        for (p, v) in [(major_, major), (minor_, minor), (patch_, patch)] {
            if !p.is_null() {
                // SAFETY: non-NULL, and the caller passes writable ints.
                unsafe { p.write_unaligned(v) };
            }
        }
    })
}

/// 1 if the library has a capability ("draft", "ipc", "curve", ...), else 0 (zmq_has(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_has(capability_: *const c_char) -> c_int {
    guard(|| {
        // SAFETY: the caller passes NULL or a C string.
        let cap = unsafe { opt_cstr(capability_) };
        cap.and_then(|c| c.to_str().ok())
            .is_some_and(engine::has)
            .into()
    })
}

/// Encode `size_` bytes (a multiple of 4) as Z85 into `dest_`, NUL-terminated (zmq_z85_encode(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_z85_encode(
    dest_: *mut c_char,
    data_: *const u8,
    size_: usize,
) -> *mut c_char {
    guard(|| {
        let Some((len, with_nul)) =
            z85::encoded_len(size_).and_then(|n| Some((n, n.checked_add(1)?)))
        else {
            return fail(Error::EINVAL);
        };
        if dest_.is_null() || (data_.is_null() && size_ > 0) {
            return fail(Error::EINVAL);
        }
        let data = if size_ == 0 {
            &[][..]
        } else {
            // SAFETY: non-NULL, and the caller passes `size_` readable bytes.
            unsafe { slice::from_raw_parts(data_, size_) }
        };
        // SAFETY: non-NULL, and the caller provides size * 5 / 4 + 1 writable
        // bytes (zmq_z85_encode(3)) that do not overlap `data_`.
        let out = unsafe { slice::from_raw_parts_mut(dest_.cast::<u8>(), with_nul) };
        match z85::encode_into(data, out) {
            Ok(()) => {
                out[len] = 0;
                dest_
            }
            Err(e) => fail(e),
        }
    })
}

/// Decode the Z85 string `string_` (length a multiple of 5) into `dest_` (zmq_z85_decode(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_z85_decode(dest_: *mut u8, string_: *const c_char) -> *mut u8 {
    guard(|| {
        // SAFETY: the caller passes NULL or a C string.
        let Some(text) = (unsafe { opt_cstr(string_) }) else {
            return fail(Error::EINVAL);
        };
        let text = text.to_bytes();
        let Some(len) = z85::decoded_len(text.len()) else {
            return fail(Error::EINVAL);
        };
        if dest_.is_null() {
            return fail(Error::EINVAL);
        }
        // SAFETY: non-NULL, and the caller provides strlen * 4 / 5 writable
        // bytes (zmq_z85_decode(3)) that do not overlap `string_`.
        let out = unsafe { slice::from_raw_parts_mut(dest_, len) };
        match z85::decode_into(text, out) {
            Ok(()) => dest_,
            Err(e) => fail(e),
        }
    })
}

/// A new CURVE key pair as two 40-character Z85 strings with NULs, 41 bytes each (zmq_curve_keypair(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_curve_keypair(
    z85_public_key_: *mut c_char,
    z85_secret_key_: *mut c_char,
) -> c_int {
    guard(|| {
        if z85_public_key_.is_null() || z85_secret_key_.is_null() {
            return fail(Error::EFAULT);
        }
        // SAFETY: non-NULL, and the caller provides two 41-byte buffers
        // (zmq_curve_keypair(3)).
        let (public, secret) = unsafe {
            (
                &mut *z85_public_key_.cast::<[u8; 41]>(),
                &mut *z85_secret_key_.cast::<[u8; 41]>(),
            )
        };
        curve_keys::keypair_z85(public, secret);
        0
    })
}

/// The CURVE public key of a Z85 secret key, as 40 Z85 characters and a NUL (zmq_curve_public(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_curve_public(
    z85_public_key_: *mut c_char,
    z85_secret_key_: *const c_char,
) -> c_int {
    guard(|| {
        // SAFETY: the caller passes NULL or a C string.
        let Some(secret) = (unsafe { opt_cstr(z85_secret_key_) }) else {
            return fail(Error::EFAULT);
        };
        if z85_public_key_.is_null() {
            return fail(Error::EFAULT);
        }
        // SAFETY: non-NULL, and the caller provides a 41-byte buffer
        // (zmq_curve_public(3)) that does not overlap the secret key.
        let public = unsafe { &mut *z85_public_key_.cast::<[u8; 41]>() };
        ret_zero(curve_keys::public_z85(secret.to_bytes(), public))
    })
}

/// The counter behind a `zmq_atomic_counter_new` handle.
///
/// # Safety
/// `p` is NULL or a live handle from `zmq_atomic_counter_new`.
unsafe fn counter<'a>(p: *mut c_void) -> Result<&'a AtomicCounter> {
    // SAFETY: a live handle is a `Box<AtomicCounter>` (caller), shared
    // only by `&`.
    unsafe { p.cast::<AtomicCounter>().as_ref() }.ok_or(Error::EFAULT)
}

/// A new atomic counter at zero (zmq_atomic_counter_new(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_new() -> *mut c_void {
    guard(|| Box::into_raw(Box::new(AtomicCounter::new())).cast())
}

/// Set the counter (zmq_atomic_counter_set(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_set(counter_: *mut c_void, value_: c_int) {
    guard(|| {
        // SAFETY: the caller passes a counter handle.
        match unsafe { counter(counter_) } {
            Ok(c) => c.set(value_),
            Err(e) => ffi::set_errno(e.errno()),
        }
    })
}

/// Increment; the value before (zmq_atomic_counter_inc(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_inc(counter_: *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: the caller passes a counter handle.
        ffi::ret_int(unsafe { counter(counter_) }.map(AtomicCounter::inc))
    })
}

/// Decrement; 1 if the value after is non-zero, else 0 (zmq_atomic_counter_dec(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_dec(counter_: *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: the caller passes a counter handle.
        ffi::ret_int(unsafe { counter(counter_) }.map(|c| c.dec().into()))
    })
}

/// The counter's value (zmq_atomic_counter_value(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_value(counter_: *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: the caller passes a counter handle.
        ffi::ret_int(unsafe { counter(counter_) }.map(AtomicCounter::value))
    })
}

/// Free the counter and set `*counter_p_` to NULL (zmq_atomic_counter_destroy(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_destroy(counter_p_: *mut *mut c_void) {
    guard(|| {
        if counter_p_.is_null() {
            return;
        }
        // SAFETY: non-NULL, and the caller passes the address of a handle
        // that no other thread uses any more.
        unsafe {
            let p = *counter_p_;
            if !p.is_null() {
                drop(Box::from_raw(p.cast::<AtomicCounter>()));
                *counter_p_ = ptr::null_mut();
            }
        }
    })
}

/// libzmq's tag for a live timers object.
const TIMERS_TAG: u32 = 0xCAFE_DADA;

/// A C timer handler and its argument.
#[derive(Clone, Copy)]
struct CHandler {
    handler: unsafe extern "C" fn(c_int, *mut c_void),
    arg: *mut c_void,
}

type CTimers = Timers<CHandler>;

/// The timers behind a handle; `EFAULT` if it is not one.
///
/// # Safety
/// `p` is NULL, a live handle from `zmq_timers_new`, or points to at least
/// 4 readable bytes of something else.
unsafe fn timers<'a>(p: *mut c_void) -> Result<&'a CTimers> {
    // SAFETY: forwarded from the caller.
    unsafe { Tagged::from_raw(p, TIMERS_TAG, Error::EFAULT) }
}

/// A new, empty set of timers (zmq_timers(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_new() -> *mut c_void {
    guard(|| Tagged::into_raw(TIMERS_TAG, CTimers::new()))
}

/// Free a set of timers and set `*timers_p` to NULL (zmq_timers(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_destroy(timers_p: *mut *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: the caller passes the address of a handle not in use
        // elsewhere (in particular not from inside its own handlers).
        ret_zero(unsafe { Tagged::<CTimers>::destroy(timers_p, TIMERS_TAG, Error::EFAULT) })
    })
}

/// Add a timer repeating every `interval` ms; its id (zmq_timers(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_add(
    timers: *mut c_void,
    interval: usize,
    handler: zmq_timer_fn,
    arg: *mut c_void,
) -> c_int {
    guard(|| {
        // SAFETY: the caller passes a timers handle.
        let r = unsafe { self::timers(timers) }.and_then(|t| {
            let handler = handler.ok_or(Error::EFAULT)?;
            Ok(t.add(interval as u64, CHandler { handler, arg }))
        });
        ffi::ret_int(r)
    })
}

/// Cancel a timer (zmq_timers(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_cancel(timers: *mut c_void, timer_id: c_int) -> c_int {
    guard(|| {
        // SAFETY: the caller passes a timers handle.
        ret_zero(unsafe { self::timers(timers) }.and_then(|t| t.cancel(timer_id)))
    })
}

/// Give a timer a new interval, counted from now (zmq_timers(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_set_interval(
    timers: *mut c_void,
    timer_id: c_int,
    interval: usize,
) -> c_int {
    guard(|| {
        // SAFETY: the caller passes a timers handle.
        ret_zero(
            unsafe { self::timers(timers) }.and_then(|t| t.set_interval(timer_id, interval as u64)),
        )
    })
}

/// Restart a timer's interval from now (zmq_timers(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_reset(timers: *mut c_void, timer_id: c_int) -> c_int {
    guard(|| {
        // SAFETY: the caller passes a timers handle.
        ret_zero(unsafe { self::timers(timers) }.and_then(|t| t.reset(timer_id)))
    })
}

/// Milliseconds until the next timer is due, -1 if there is none (zmq_timers(3)).
///
/// With no timer left, errno is set to EINVAL as zmq_timers(3) documents
/// (libzmq itself leaves errno alone there; its own test_timers then relies
/// on the EINVAL left by the call before).
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_timeout(timers: *mut c_void) -> c_long {
    guard(|| {
        // SAFETY: the caller passes a timers handle.
        let r = unsafe { self::timers(timers) }.and_then(|t| match t.timeout() {
            Some(ms) => Ok(c_long::try_from(ms).unwrap_or(c_long::MAX)),
            None => Err(Error::EINVAL),
        });
        ffi::ret(r)
    })
}

/// Run the handlers of the timers that are due (zmq_timers(3)).
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_execute(timers: *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: the caller passes a timers handle.
        let r = unsafe { self::timers(timers) }.map(|t| {
            t.execute(|id, h| {
                // SAFETY: the handler and argument the caller registered with
                // zmq_timers_add; it may call back into this set (the set
                // holds no borrow while it runs) but not destroy it.
                unsafe { (h.handler)(id, h.arg) }
            })
        });
        ret_zero(r)
    })
}

/// Start a stopwatch (undocumented upstream, used by the perf tools).
#[no_mangle]
pub unsafe extern "C" fn zmq_stopwatch_start() -> *mut c_void {
    guard(|| Box::into_raw(Box::new(Stopwatch::start())).cast())
}

/// Microseconds since the stopwatch started; it keeps running.
#[no_mangle]
pub unsafe extern "C" fn zmq_stopwatch_intermediate(watch_: *mut c_void) -> c_ulong {
    guard(|| {
        // SAFETY: the caller passes NULL or a live stopwatch handle.
        match unsafe { watch_.cast::<Stopwatch>().as_ref() } {
            // Truncated to unsigned long, as libzmq does.
            Some(w) => w.elapsed_us() as c_ulong,
            None => 0,
        }
    })
}

/// Microseconds since the stopwatch started; frees it.
#[no_mangle]
pub unsafe extern "C" fn zmq_stopwatch_stop(watch_: *mut c_void) -> c_ulong {
    guard(|| {
        if watch_.is_null() {
            return 0;
        }
        // SAFETY: a live handle from zmq_stopwatch_start, which the caller
        // gives up here.
        let watch = unsafe { Box::from_raw(watch_.cast::<Stopwatch>()) };
        watch.elapsed_us() as c_ulong
    })
}

/// Sleep for whole seconds.
#[no_mangle]
pub unsafe extern "C" fn zmq_sleep(seconds_: c_int) {
    guard(|| {
        if let Ok(s) = u64::try_from(seconds_) {
            std::thread::sleep(Duration::from_secs(s));
        }
    })
}

/// The C thread body and its argument, handed to the new thread.
struct ThreadStart {
    func: unsafe extern "C" fn(*mut c_void),
    arg: *mut c_void,
}

// SAFETY: zmq_threadstart's contract is that `arg` may be used on the new
// thread; the function pointer is plain code.
unsafe impl Send for ThreadStart {}

impl ThreadStart {
    fn run(self) {
        // SAFETY: the function and argument the caller passed to
        // zmq_threadstart.
        unsafe { (self.func)(self.arg) }
    }
}

/// Run `func_ (arg_)` on a new thread; a handle for `zmq_threadclose`.
#[no_mangle]
pub unsafe extern "C" fn zmq_threadstart(func_: zmq_thread_fn, arg_: *mut c_void) -> *mut c_void {
    guard(|| {
        let Some(func) = func_ else {
            return fail(Error::EFAULT);
        };
        let start = ThreadStart { func, arg: arg_ };
        match engine::thread::spawn(move || start.run()) {
            Ok(handle) => Box::into_raw(Box::new(handle)).cast(),
            Err(e) => fail(e.into()),
        }
    })
}

/// Wait for a `zmq_threadstart` thread to end and free its handle.
#[no_mangle]
pub unsafe extern "C" fn zmq_threadclose(thread_: *mut c_void) {
    guard(|| {
        if thread_.is_null() {
            return;
        }
        // SAFETY: a live handle from zmq_threadstart, which the caller gives
        // up here.
        let handle = unsafe { Box::from_raw(thread_.cast::<JoinHandle<()>>()) };
        // The body is C code and cannot panic; nothing to report.
        let _ = handle.join();
    })
}
