//! A command queue with an eventfd that is readable while commands wait.
//!
//! Senders are any thread (peer sockets, io threads, the context); the
//! receiver is the one owner. The eventfd is written only on the transition
//! from "no commands pending" to "some pending", so a busy owner costs its
//! senders no syscall.
//!
//! A thread-safe socket's mailbox (libzmq's `mailbox_safe_t`) also counts
//! the commands sent to it, so that threads waiting in a blocking call
//! without holding the socket's lock sleep on a condition variable until
//! the count moves (see [`Mailbox::generation`]).

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
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
    /// Only for thread-safe sockets: their waiters.
    waiters: Option<Waiters>,
}

/// Threads waiting for the next command to a thread-safe socket.
///
/// Every send bumps `generation`. A waiter reads it *before* its attempt
/// on the socket and sleeps only while it has not moved, so a command sent
/// after that read always wakes it, even when another thread handles the
/// command first (libzmq's condition variable wakes on the send alone and
/// can miss it). `sleeping` spares senders the lock and the futex call
/// while nobody waits.
#[derive(Debug, Default)]
struct Waiters {
    generation: AtomicU64,
    sleeping: AtomicUsize,
    lock: Mutex<()>,
    wake: Condvar,
}

impl Waiters {
    fn bump(&self) {
        // SeqCst on both counters against the waiter's SeqCst pair in
        // `wait_past`: either the waiter sees the new generation, or this
        // sees the waiter and wakes it under the lock it sleeps with.
        self.generation.fetch_add(1, Ordering::SeqCst);
        if self.sleeping.load(Ordering::SeqCst) != 0 {
            drop(self.lock.lock().unwrap_or_else(|e| e.into_inner()));
            self.wake.notify_all();
        }
    }

    fn wait_past(&self, seen: u64, deadline: Option<Instant>) -> bool {
        self.sleeping.fetch_add(1, Ordering::SeqCst);
        let mut guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let moved = loop {
            if self.generation.load(Ordering::SeqCst) != seen {
                break true;
            }
            match deadline {
                None => guard = self.wake.wait(guard).unwrap_or_else(|e| e.into_inner()),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        break false;
                    }
                    guard = self
                        .wake
                        .wait_timeout(guard, d - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            }
        };
        drop(guard);
        self.sleeping.fetch_sub(1, Ordering::SeqCst);
        moved
    }
}

impl<C> Mailbox<C> {
    pub fn new() -> Result<Mailbox<C>> {
        Self::build(None)
    }

    /// The mailbox of a thread-safe socket: several threads may wait for
    /// its commands (see [`Mailbox::generation`]). The fd works as for
    /// [`Mailbox::new`], for `zmq_poller`.
    pub fn new_thread_safe() -> Result<Mailbox<C>> {
        Self::build(Some(Waiters::default()))
    }

    fn build(waiters: Option<Waiters>) -> Result<Mailbox<C>> {
        let (tx, rx) = crossbeam_channel::unbounded();
        Ok(Mailbox {
            tx,
            rx,
            signaler: Signaler::new()?,
            pending: AtomicBool::new(false),
            waiters,
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
        // After the command is queued: a waiter woken by the bump finds it
        // there, or its effect on the socket if another thread handled it.
        if let Some(w) = &self.waiters {
            w.bump();
        }
    }

    /// Wakes the threads in [`Mailbox::wait_past`] as a command would,
    /// without one: another thread changed the socket under its lock
    /// (connected, bound, set an option) in a way that may let a waiting
    /// call go on.
    pub fn wake_waiters(&self) {
        if let Some(w) = &self.waiters {
            w.bump();
        }
    }

    /// How many commands were ever sent (thread-safe mailboxes; 0 for the
    /// others). Read it before an attempt that may end in
    /// [`Mailbox::wait_past`].
    pub fn generation(&self) -> u64 {
        self.waiters
            .as_ref()
            .map_or(0, |w| w.generation.load(Ordering::SeqCst))
    }

    /// Sleeps until a command is sent after [`Mailbox::generation`]
    /// returned `seen`, or `deadline` passes (`None`: forever). Returns
    /// `false` on timeout. Needs no lock on the socket and does not take
    /// the command: the caller handles it under the socket's lock. On a
    /// mailbox that is not thread-safe it returns `false` at once.
    pub fn wait_past(&self, seen: u64, deadline: Option<Instant>) -> bool {
        match &self.waiters {
            Some(w) => w.wait_past(seen, deadline),
            None => false,
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

    #[test]
    fn a_thread_safe_waiter_wakes_on_a_send_after_its_snapshot() {
        let m = std::sync::Arc::new(Mailbox::<u32>::new_thread_safe().unwrap());
        let seen = m.generation();
        // A command sent (and even taken) between the snapshot and the
        // wait is not missed.
        m.send(1);
        assert_eq!(m.try_recv(), Some(1));
        assert!(m.wait_past(seen, None));
        // Without a command the wait times out.
        let seen = m.generation();
        let t0 = Instant::now();
        assert!(!m.wait_past(seen, Some(t0 + Duration::from_millis(30))));
        assert!(t0.elapsed() >= Duration::from_millis(30));
        // Several sleepers all wake on one send from another thread.
        let sleepers: Vec<_> = (0..3)
            .map(|_| {
                let m = m.clone();
                std::thread::spawn(move || m.wait_past(seen, None))
            })
            .collect();
        std::thread::sleep(Duration::from_millis(20));
        m.send(2);
        for s in sleepers {
            assert!(s.join().unwrap());
        }
        // The fd still follows the queue, for zmq_poller.
        assert!(m.signaler.wait(Some(Instant::now())).unwrap());
        // A wake-up without a command moves the generation too.
        let seen = m.generation();
        m.wake_waiters();
        assert!(m.wait_past(seen, Some(Instant::now())));
    }

    #[test]
    fn a_classic_mailbox_has_no_waiters() {
        let m: Mailbox<u32> = Mailbox::new().unwrap();
        m.send(1);
        assert_eq!(m.generation(), 0);
        assert!(!m.wait_past(0, None));
    }
}
