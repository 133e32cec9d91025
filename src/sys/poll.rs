//! `poll` and `ppoll`.

use std::io;

pub(crate) use libc::pollfd;

/// `poll(2)`: waits up to `timeout_ms` (-1: forever) and returns how many
/// entries have events.
pub(crate) fn poll(fds: &mut [pollfd], timeout_ms: i32) -> io::Result<usize> {
    // SAFETY: `fds` is a valid, exclusively borrowed slice of pollfd.
    let rc = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(rc as usize)
}

/// `ppoll(2)` with `sigmask` in place during the wait.
pub(crate) fn ppoll(
    fds: &mut [pollfd],
    timeout_ms: i32,
    sigmask: &libc::sigset_t,
) -> io::Result<usize> {
    let ts = (timeout_ms >= 0).then(|| libc::timespec {
        tv_sec: (timeout_ms / 1000) as libc::time_t,
        tv_nsec: ((timeout_ms % 1000) as libc::c_long) * 1_000_000,
    });
    let tsp = ts
        .as_ref()
        .map_or(std::ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: a valid fds slice, an optional live timespec and the
    // caller's sigset, all only read or written for the call.
    let rc = unsafe { libc::ppoll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, tsp, sigmask) };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(rc as usize)
}
