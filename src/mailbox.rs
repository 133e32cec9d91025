//! A command queue with an eventfd that is readable while commands wait.
//!
//! Senders are any thread (peer sockets, io threads, the context); the
//! receiver is the one owner. The eventfd is written only on the transition
//! from "no commands pending" to "some pending", so a busy owner costs its
//! senders no syscall.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender, TryRecvError};

use crate::signaler::Signaler;
use crate::Result;

/// Where commands for one object (a socket, an io thread) arrive.
#[derive(Debug)]
pub struct Mailbox<C> {
    tx: Sender<C>,
    rx: Receiver<C>,
    signaler: Signaler,
    /// True from a send until the owner finds the queue empty.
    pending: AtomicBool,
}

impl<C> Mailbox<C> {
    pub fn new() -> Result<Mailbox<C>> {
        let (tx, rx) = crossbeam_channel::unbounded();
        Ok(Mailbox {
            tx,
            rx,
            signaler: Signaler::new()?,
            pending: AtomicBool::new(false),
        })
    }

    /// The fd that is readable while commands may be pending (`ZMQ_FD`).
    pub fn fd(&self) -> std::os::fd::RawFd {
        self.signaler.fd()
    }

    pub fn send(&self, cmd: C) {
        // The receiver lives as long as the mailbox, so this cannot fail.
        let _ = self.tx.send(cmd);
        if !self.pending.swap(true, Ordering::AcqRel) {
            self.signaler.raise();
        }
    }

    /// Cheap check whether commands may be waiting.
    pub fn has_pending(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }

    /// The next command, if any. When the queue is found empty the pending
    /// flag and the fd are reset, and the queue is checked once more so a
    /// command sent meanwhile is not missed.
    pub fn try_recv(&self) -> Option<C> {
        match self.rx.try_recv() {
            Ok(c) => return Some(c),
            Err(TryRecvError::Disconnected) => return None,
            Err(TryRecvError::Empty) => {}
        }
        if !self.pending.load(Ordering::Acquire) {
            return None;
        }
        self.signaler.clear();
        self.pending.store(false, Ordering::SeqCst);
        match self.rx.try_recv() {
            Ok(c) => {
                // Keep the fd consistent with "commands may be pending".
                if !self.pending.swap(true, Ordering::AcqRel) {
                    self.signaler.raise();
                }
                Some(c)
            }
            Err(_) => None,
        }
    }

    /// Waits until a command may be available or the deadline passes.
    /// Returns `Ok(false)` on timeout.
    pub fn wait(&self, deadline: Option<Instant>) -> Result<bool> {
        loop {
            if self.has_pending() {
                return Ok(true);
            }
            if !self.signaler.wait(deadline)? {
                return Ok(false);
            }
            if self.has_pending() {
                return Ok(true);
            }
            // A sender that set `pending` just before the owner found the
            // queue empty raises the fd after the owner reset it: readable
            // with nothing queued. Reset it, or every wait would return at
            // once and the caller spin. A sender racing with this reset
            // sets `pending` before it raises, which the loop sees.
            self.signaler.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn fd_is_readable_exactly_while_commands_wait() {
        let m: Mailbox<u32> = Mailbox::new().unwrap();
        let soon = || Some(Instant::now() + Duration::from_millis(1));
        assert!(!m.signaler.wait(soon()).unwrap());
        m.send(1);
        m.send(2);
        assert!(m.signaler.wait(soon()).unwrap());
        assert_eq!(m.try_recv(), Some(1));
        assert_eq!(m.try_recv(), Some(2));
        assert_eq!(m.try_recv(), None);
        assert!(!m.signaler.wait(soon()).unwrap());
    }

    #[test]
    fn a_stale_raise_does_not_make_wait_return_at_once() {
        let m: Mailbox<u32> = Mailbox::new().unwrap();
        // The interleaving of the race: the fd raised with nothing pending.
        m.signaler.raise();
        let t0 = Instant::now();
        let woke = m.wait(Some(t0 + Duration::from_millis(30))).unwrap();
        assert!(!woke, "a stale raise must not count as a command");
        assert!(t0.elapsed() >= Duration::from_millis(30));
        m.send(3);
        assert!(m.wait(Some(Instant::now())).unwrap());
        assert_eq!(m.try_recv(), Some(3));
    }

    #[test]
    fn a_send_from_another_thread_wakes_the_waiter() {
        let m = std::sync::Arc::new(Mailbox::<u32>::new().unwrap());
        let m2 = m.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            m2.send(7)
        });
        assert!(m.wait(None).unwrap());
        assert_eq!(m.try_recv(), Some(7));
        t.join().unwrap();
    }
}
