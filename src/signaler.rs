//! An eventfd that one thread raises and another waits on: the socket's
//! `ZMQ_FD`, and the wake-up behind every blocking call.

use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::time::{Duration, Instant};

use crate::sys::{self, event};
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
        Ok(Signaler {
            fd: event::eventfd()?,
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
        event::raise(self.fd.as_fd());
    }

    /// Makes the fd unreadable again.
    pub fn clear(&self) {
        event::clear(self.fd.as_fd());
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
        let mut pfd = [sys::poll::pollfd {
            fd: self.fd(),
            events: libc::POLLIN,
            revents: 0,
        }];
        Ok(sys::poll::poll(&mut pfd, timeout_ms)? > 0)
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
