//! Helpers every export uses: the C `errno`, libzmq's failure values, C
//! strings and tagged heap handles.

use std::ffi::{c_char, c_int, c_long, c_ulong, c_void, CStr};
use std::ptr;

use crate::{Error, Result};

fn errno_location() -> *mut c_int {
    // SAFETY: the C library's errno accessor takes no arguments and returns
    // the calling thread's errno slot, valid for the thread's lifetime.
    unsafe {
        #[cfg(any(target_os = "linux", target_os = "android", target_os = "emscripten"))]
        let p = libc::__errno_location();
        #[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
        let p = libc::__error();
        #[cfg(any(target_os = "netbsd", target_os = "openbsd"))]
        let p = libc::__errno();
        p
    }
}

/// Set the C `errno` of the calling thread, which `zmq_errno()` and C callers
/// read.
pub(crate) fn set_errno(e: c_int) {
    // SAFETY: `errno_location` is this thread's errno slot.
    unsafe { *errno_location() = e }
}

/// The C `errno` of the calling thread.
pub(crate) fn errno() -> c_int {
    // SAFETY: `errno_location` is this thread's errno slot.
    unsafe { *errno_location() }
}

/// A C return type and the value libzmq returns for failure in it.
pub(crate) trait CRet: Sized {
    const FAILURE: Self;
}

impl CRet for c_int {
    const FAILURE: c_int = -1;
}
impl CRet for c_long {
    const FAILURE: c_long = -1;
}
impl CRet for c_ulong {
    const FAILURE: c_ulong = 0;
}
impl CRet for usize {
    const FAILURE: usize = 0;
}
impl CRet for u32 {
    const FAILURE: u32 = 0;
}
impl<T> CRet for *mut T {
    const FAILURE: *mut T = ptr::null_mut();
}
impl<T> CRet for *const T {
    const FAILURE: *const T = ptr::null();
}

impl CRet for () {
    const FAILURE: () = ();
}

/// The errno of a call whose body panicked. A panic is a bug of ours that
/// may have left the object half-changed; libzmq answers `EFAULT` for an
/// object it cannot use, and callers already treat it as "this handle is
/// broken" rather than retrying with other arguments, as they might after
/// `EINVAL`.
pub(crate) const PANIC_ERRNO: Error = Error::EFAULT;

/// The panic boundary every export runs its body in: a panic in the engine
/// becomes the failure value of the signature with `errno` [`PANIC_ERRNO`]
/// instead of unwinding into C (which Rust turns into an abort of the
/// whole process). A panic leaves no lock of ours held: a poisoned mutex
/// is taken over by the next call, which finds what state the panic left.
///
/// Not on a hot path's cost: `catch_unwind` is free until a panic happens
/// (only landing pads, no setup per call).
pub(crate) fn guard<T: CRet>(body: impl FnOnce() -> T) -> T {
    let run = || {
        #[cfg(test)]
        tests::maybe_forced_panic();
        body()
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(v) => v,
        Err(payload) => {
            // Dropping the payload runs foreign Drop code: keep even a
            // panic there on this side of the boundary.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(payload)));
            fail(PANIC_ERRNO)
        }
    }
}

/// Report `e` in `errno` and return the failure value of `T`.
pub(crate) fn fail<T: CRet>(e: Error) -> T {
    set_errno(e.errno());
    T::FAILURE
}

/// `Ok(v)` is `v`; an error sets `errno` and gives the failure value.
pub(crate) fn ret<T: CRet>(r: Result<T>) -> T {
    r.unwrap_or_else(fail)
}

/// `Ok(v)` is `v`; an error sets `errno` and gives `-1`.
pub(crate) fn ret_int(r: Result<c_int>) -> c_int {
    ret(r)
}

/// `Ok(())` is `0`; an error sets `errno` and gives `-1`.
pub(crate) fn ret_zero(r: Result<()>) -> c_int {
    ret(r.map(|()| 0))
}

/// `Ok(p)` is `p`; an error sets `errno` and gives NULL.
#[allow(dead_code)] // for the engine-backed exports still to be written
pub(crate) fn ret_ptr<T>(r: Result<*mut T>) -> *mut T {
    ret(r)
}

/// The body of an export the engine does not provide yet: `ENOTSUP` and the
/// failure value of the signature.
#[allow(dead_code)] // every export is engine-backed now; kept for new ones
pub(crate) fn not_yet<T: CRet>() -> T {
    fail(Error::ENOTSUP)
}

/// A NUL-terminated C string argument; NULL is `EINVAL`.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives `'a` and
/// is not written meanwhile.
#[allow(dead_code)] // for the engine-backed exports still to be written
pub(crate) unsafe fn cstr<'a>(p: *const c_char) -> Result<&'a CStr> {
    // SAFETY: forwarded from the caller.
    unsafe { opt_cstr(p) }.ok_or(Error::EINVAL)
}

/// A C string argument for which NULL has a meaning of its own.
///
/// # Safety
/// As for [`cstr`].
pub(crate) unsafe fn opt_cstr<'a>(p: *const c_char) -> Option<&'a CStr> {
    if p.is_null() {
        None
    } else {
        // SAFETY: non-NULL, and the caller promises a live NUL-terminated
        // string.
        Some(unsafe { CStr::from_ptr(p) })
    }
}

/// A heap object handed to C as `void *`, with a tag word first (as libzmq's
/// `check_tag`) so that NULL, a foreign object or a destroyed handle is
/// reported with an errno instead of being used.
///
/// The tag is read through the pointer, so a pointer to freed memory is
/// still undefined behaviour, exactly as in libzmq; the tag catches the
/// common mistakes (another object, a handle destroyed and not reused yet).
#[repr(C)]
pub(crate) struct Tagged<T> {
    tag: u32,
    value: T,
}

/// The tag a destroyed handle carries until its memory is reused.
const DEAD_TAG: u32 = 0xdead_beef;

impl<T> Tagged<T> {
    /// Move `value` to the heap and give C its address.
    pub(crate) fn into_raw(tag: u32, value: T) -> *mut c_void {
        Box::into_raw(Box::new(Tagged { tag, value })).cast()
    }

    /// The object behind a handle, or `err` if `p` is NULL or not tagged
    /// `tag`.
    ///
    /// # Safety
    /// `p` is NULL or points to at least 4 readable bytes; if they hold
    /// `tag`, `p` came from [`Tagged::into_raw`] with the same `T`, is not
    /// destroyed during `'a`, and nothing else holds a `&mut` to it.
    pub(crate) unsafe fn from_raw<'a>(p: *mut c_void, tag: u32, err: Error) -> Result<&'a T> {
        if p.is_null() {
            return Err(err);
        }
        let this = p.cast::<Tagged<T>>();
        // SAFETY: non-NULL and readable for the tag word (caller); `tag`
        // is the first field of a `repr(C)` struct. Unaligned pointers
        // from C are read without assuming alignment.
        let found = unsafe { ptr::read_unaligned(ptr::addr_of!((*this).tag)) };
        if found != tag {
            return Err(err);
        }
        // SAFETY: the tag matches, so `p` is a live `Tagged<T>` (caller).
        Ok(unsafe { &(*this).value })
    }

    /// Destroy the object behind `*pp` and set `*pp` to NULL; `err` if `pp`
    /// or `*pp` is NULL or not tagged `tag`.
    ///
    /// # Safety
    /// `pp` is NULL or valid for reads and writes of a pointer; `*pp` is as
    /// for [`Tagged::from_raw`], and no reference to it is alive.
    pub(crate) unsafe fn destroy(pp: *mut *mut c_void, tag: u32, err: Error) -> Result<()> {
        if pp.is_null() {
            return Err(err);
        }
        // SAFETY: non-NULL and valid for reads (caller).
        let p = unsafe { *pp };
        // SAFETY: forwarded from the caller.
        unsafe { Self::from_raw(p, tag, err) }?;
        let this = p.cast::<Tagged<T>>();
        // SAFETY: the tag matched, so `p` came from `Box::into_raw` of a
        // `Tagged<T>` and no reference to it is alive (caller). Mark it dead
        // first so a second destroy of the same pointer is caught while
        // the allocator has not reused the memory.
        unsafe {
            (*this).tag = DEAD_TAG;
            drop(Box::from_raw(this));
            *pp = ptr::null_mut();
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// Set by [`panic_in_next_export`]; the next export this thread
        /// calls panics inside its boundary.
        static FORCE_PANIC: Cell<bool> = const { Cell::new(false) };
    }

    /// The next export called on this thread panics inside its boundary,
    /// as an engine bug would.
    pub(crate) fn panic_in_next_export() {
        FORCE_PANIC.with(|f| f.set(true));
    }

    pub(super) fn maybe_forced_panic() {
        if FORCE_PANIC.with(|f| f.replace(false)) {
            panic!("forced by a test");
        }
    }

    #[test]
    fn a_panic_in_the_boundary_is_the_failure_value_and_efault() {
        set_errno(0);
        assert_eq!(guard(|| -> c_int { panic!("bug") }), -1);
        assert_eq!(errno(), libc::EFAULT);
        assert!(guard(|| -> *mut c_void { panic!("bug") }).is_null());
        assert_eq!(guard(|| -> usize { panic!("bug") }), 0);
        guard::<()>(|| panic!("bug in a void export"));
        assert_eq!(guard(|| 7 as c_int), 7);
    }

    #[test]
    fn an_export_that_panics_returns_minus_one_and_efault_to_its_c_caller() {
        use crate::capi::{ctx, socket};
        // Called as C calls them: through `extern "C"` function pointers.
        let send: unsafe extern "C" fn(*mut c_void, *const c_void, usize, c_int) -> c_int =
            socket::zmq_send;
        let version: unsafe extern "C" fn(*mut c_int, *mut c_int, *mut c_int) =
            crate::capi::util::zmq_version;
        // SAFETY: a context and a PAIR socket used by this thread only,
        // closed and terminated at the end; buffers outlive the calls.
        unsafe {
            let c = ctx::zmq_ctx_new();
            let s = socket::zmq_socket(c, 0);
            assert!(!s.is_null());
            assert_eq!(socket::zmq_bind(s, c"inproc://panic-boundary".as_ptr()), 0);
            panic_in_next_export();
            set_errno(0);
            assert_eq!(send(s, b"x".as_ptr().cast(), 1, 0), -1);
            assert_eq!(errno(), libc::EFAULT);
            // The process is still here, and so is the library: the next
            // call on the same socket works.
            assert_eq!(send(s, b"x".as_ptr().cast(), 1, 1), -1);
            assert_eq!(errno(), libc::EAGAIN);
            // A void export swallows the panic and returns.
            let (mut a, mut b, mut d) = (0, 0, 0);
            panic_in_next_export();
            version(&mut a, &mut b, &mut d);
            assert_eq!(errno(), libc::EFAULT);
            assert_eq!(socket::zmq_close(s), 0);
            assert_eq!(ctx::zmq_ctx_term(c), 0);
        }
    }

    #[test]
    fn errors_set_the_c_errno_and_return_the_failure_value() {
        assert_eq!(ret_int(Err(Error::EFSM)), -1);
        assert_eq!(errno(), crate::error::EFSM);
        assert!(ret_ptr::<c_void>(Err(Error::EINVAL)).is_null());
        assert_eq!(errno(), libc::EINVAL);
        assert_eq!(not_yet::<usize>(), 0);
        assert_eq!(errno(), libc::ENOTSUP);
        assert_eq!(ret_zero(Ok(())), 0);
    }

    #[test]
    fn null_c_string_is_einval() {
        // SAFETY: NULL and a literal are both valid arguments.
        unsafe {
            assert_eq!(cstr(ptr::null()).unwrap_err(), Error::EINVAL);
            assert_eq!(cstr(c"ipc".as_ptr()).unwrap(), c"ipc");
        }
    }

    #[test]
    fn tagged_handles_reject_null_foreign_and_destroyed_pointers() {
        const TAG: u32 = 0x1234_5678;
        let mut p = Tagged::into_raw(TAG, 42u64);
        let mut other = 0u64;
        // SAFETY: `p` is live; `other` is 8 readable bytes.
        unsafe {
            assert_eq!(*Tagged::<u64>::from_raw(p, TAG, Error::EFAULT).unwrap(), 42);
            let foreign = ptr::addr_of_mut!(other).cast();
            assert!(Tagged::<u64>::from_raw(foreign, TAG, Error::EFAULT).is_err());
            assert!(Tagged::<u64>::from_raw(ptr::null_mut(), TAG, Error::EFAULT).is_err());
            Tagged::<u64>::destroy(&mut p, TAG, Error::EFAULT).unwrap();
            assert!(p.is_null());
            assert_eq!(
                Tagged::<u64>::destroy(&mut p, TAG, Error::EFAULT),
                Err(Error::EFAULT)
            );
        }
    }
}
