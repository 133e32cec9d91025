//! eventfd: a counter another thread makes readable.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

/// A new non-blocking, close-on-exec eventfd at zero.
pub(crate) fn eventfd() -> io::Result<OwnedFd> {
    // SAFETY: plain syscall with constant flags.
    let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a fresh descriptor nobody else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Adds one to the counter, making the fd readable. A saturated counter
/// (`EAGAIN`) is readable already; `EINTR` is retried.
pub(crate) fn raise(fd: BorrowedFd<'_>) {
    let one: u64 = 1;
    loop {
        // SAFETY: writes 8 bytes from a live u64 to an eventfd.
        let n = unsafe { libc::write(fd.as_raw_fd(), (&one as *const u64).cast(), 8) };
        if n == 8 || io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return;
        }
    }
}

/// Resets the counter to zero (the fd is no longer readable); nothing to
/// do when it already is.
pub(crate) fn clear(fd: BorrowedFd<'_>) {
    let mut v: u64 = 0;
    // SAFETY: reads 8 bytes into a live u64; EAGAIN (already clear) is fine.
    unsafe { libc::read(fd.as_raw_fd(), (&mut v as *mut u64).cast(), 8) };
}

/// Makes descriptor number `target` another name for `src` (`dup2`),
/// closing what `target` was: tests break an io thread's epoll descriptor
/// this way.
#[cfg(test)]
pub(crate) fn dup_onto(src: BorrowedFd<'_>, target: std::os::fd::RawFd) -> io::Result<()> {
    // SAFETY: dup2 only changes the descriptor table; the caller owns
    // `target` and accepts that it now names `src`'s file.
    if unsafe { libc::dup2(src.as_raw_fd(), target) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
