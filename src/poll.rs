//! The polling loop behind `zmq_poll`, `zmq_ppoll` and the poller API.
//!
//! A socket is polled through its `ZMQ_FD` for readability, then asked for
//! its real state (`ZMQ_EVENTS`), exactly as libzmq does: the fd only says
//! "something may have changed".

use std::os::fd::RawFd;
use std::time::{Duration, Instant};

use crate::signaler::ceil_ms;
use crate::sys;
use crate::Result;

pub const POLLIN: i16 = 1;
pub const POLLOUT: i16 = 2;
pub const POLLERR: i16 = 4;
pub const POLLPRI: i16 = 8;

/// One thing to wait on.
#[derive(Clone, Copy, Debug)]
pub enum Watch {
    /// A socket's `ZMQ_FD`: wait for readability, then ask the socket.
    Socket(RawFd),
    /// A plain fd with ZMQ_POLL* events of interest.
    Fd(RawFd, i16),
}

/// Converts the OS's poll result for a plain fd into ZMQ_POLL* flags.
pub fn fd_revents(os: i16) -> i16 {
    let mut r = 0;
    if os & libc::POLLIN != 0 {
        r |= POLLIN;
    }
    if os & libc::POLLOUT != 0 {
        r |= POLLOUT;
    }
    if os & libc::POLLPRI != 0 {
        r |= POLLPRI;
    }
    if os & !(libc::POLLIN | libc::POLLOUT | libc::POLLPRI) != 0 {
        r |= POLLERR;
    }
    r
}

fn os_events(zmq: i16) -> i16 {
    let mut e = 0;
    if zmq & POLLIN != 0 {
        e |= libc::POLLIN;
    }
    if zmq & POLLOUT != 0 {
        e |= libc::POLLOUT;
    }
    if zmq & POLLPRI != 0 {
        e |= libc::POLLPRI;
    }
    e
}

/// Waits until `check` reports events for some item or the timeout passes
/// (`timeout_ms < 0`: forever; `0`: one look). `check(i, os_revents)`
/// returns item i's ZMQ_POLL* events; it is called for every item after
/// each wake-up. Returns the number of items with events. `EINTR` if a
/// signal interrupted the wait.
pub fn poll_loop(
    watches: &[Watch],
    timeout_ms: i64,
    sigmask: Option<&libc::sigset_t>,
    mut check: impl FnMut(usize, i16) -> Result<i16>,
) -> Result<usize> {
    let mut fds: Vec<libc::pollfd> = watches
        .iter()
        .map(|w| match *w {
            Watch::Socket(fd) => libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            },
            Watch::Fd(fd, ev) => libc::pollfd {
                fd,
                events: os_events(ev),
                revents: 0,
            },
        })
        .collect();
    let mut first_pass = true;
    let mut end: Option<Instant> = None;
    loop {
        let wait_ms = if first_pass {
            0
        } else if timeout_ms < 0 {
            -1
        } else {
            let left = end.map_or(Duration::ZERO, |e| {
                e.saturating_duration_since(Instant::now())
            });
            ceil_ms(left)
        };
        os_poll(&mut fds, wait_ms, sigmask)?;
        let mut nevents = 0;
        for (i, pfd) in fds.iter().enumerate() {
            if check(i, pfd.revents)? != 0 {
                nevents += 1;
            }
        }
        if timeout_ms == 0 || nevents > 0 {
            return Ok(nevents);
        }
        if timeout_ms < 0 {
            first_pass = false;
            continue;
        }
        if first_pass {
            end = Some(Instant::now() + Duration::from_millis(timeout_ms as u64));
            first_pass = false;
            continue;
        }
        if end.is_some_and(|e| Instant::now() >= e) {
            return Ok(0);
        }
    }
}

fn os_poll(
    fds: &mut [libc::pollfd],
    timeout_ms: i32,
    sigmask: Option<&libc::sigset_t>,
) -> Result<()> {
    match sigmask {
        None => sys::poll::poll(fds, timeout_ms)?,
        Some(mask) => sys::poll::ppoll(fds, timeout_ms, mask)?,
    };
    Ok(())
}

/// `zmq_poll` with no items: just sleep for the timeout.
pub fn sleep_for(timeout_ms: i64) {
    if timeout_ms > 0 {
        std::thread::sleep(Duration::from_millis(timeout_ms as u64));
    }
}
