//! An eventfd that one thread raises and another waits on: the socket's
//! `ZMQ_FD`, and the wake-up behind every blocking call.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::{Duration, Instant};

use crate::{Error, Result};

/// A level-triggered wake-up flag backed by a non-blocking eventfd.
#[derive(Debug)]
pub struct Signaler {
    fd: OwnedFd,
    /// The fork generation it was made in: a forked child's copy neither
    /// raises (the eventfd is shared with the parent) nor waits.
    made_in: u32,
}

impl Signaler {
    pub fn new() -> Result<Signaler> {
        // SAFETY: plain syscall with constant flags.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if fd < 0 {
            return Err(Error::last_os_error());
        }
        // SAFETY: `fd` is a fresh descriptor we own.
        Ok(Signaler {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
            made_in: crate::fork::generation(),
        })
    }

    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Makes the fd readable (not in a forked child: see `crate::fork`).
    pub fn raise(&self) {
        if crate::fork::is_inherited(self.made_in) {
            return;
        }
        let one: u64 = 1;
        loop {
            // SAFETY: writes 8 bytes from a live u64 to our eventfd.
            let n = unsafe { libc::write(self.fd(), (&one as *const u64).cast(), 8) };
            if n == 8 || Error::last_os_error() != Error::EINTR {
                // EAGAIN means the counter is saturated: still readable.
                return;
            }
        }
    }

    /// Makes the fd unreadable again.
    pub fn clear(&self) {
        let mut v: u64 = 0;
        // SAFETY: reads 8 bytes into a live u64; EAGAIN (already clear) is fine.
        unsafe { libc::read(self.fd(), (&mut v as *mut u64).cast(), 8) };
    }

    /// Waits until raised or `deadline` passes (`None`: forever). Returns
    /// `Ok(true)` if raised, `Ok(false)` on timeout, `EINTR` if a signal
    /// interrupted the wait (libzmq reports that to the caller), and at once
    /// in a forked child, where nothing would ever raise it.
    pub fn wait(&self, deadline: Option<Instant>) -> Result<bool> {
        if crate::fork::is_inherited(self.made_in) {
            return Err(Error::EINTR);
        }
        let timeout_ms = match deadline {
            None => -1,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                ceil_ms(left)
            }
        };
        let mut pfd = libc::pollfd {
            fd: self.fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let rc = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
        if rc < 0 {
            return Err(Error::last_os_error());
        }
        Ok(rc > 0)
    }
}

/// A duration in whole milliseconds, rounded up so a wait never ends early.
pub fn ceil_ms(d: Duration) -> i32 {
    let ms = d.as_nanos().div_ceil(1_000_000);
    ms.min(i32::MAX as u128) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raise_then_wait_returns_at_once_and_clear_resets() {
        let s = Signaler::new().unwrap();
        s.raise();
        s.raise();
        assert!(s.wait(Some(Instant::now())).unwrap());
        s.clear();
        assert!(!s
            .wait(Some(Instant::now() + Duration::from_millis(5)))
            .unwrap());
    }
}
