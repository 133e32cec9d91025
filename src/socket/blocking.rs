//! Blocking send and receive.
//!
//! A socket owned by one thread waits inside [`Socket::send`] and
//! [`Socket::recv`] on its mailbox's fd. A thread-safe socket is shared: a
//! thread waiting there would hold the socket (and its user's lock) for the
//! whole wait and stall every other thread, where libzmq's thread-safe
//! sockets release their mutex while they sleep on their condition
//! variable. So a shared socket runs a blocking call as a [`Call`]: each
//! attempt ([`Socket::send_attempt`], [`Socket::recv_attempt`]) is one
//! non-blocking try under the lock that either ends the call or says to
//! wait; [`Call::run`] then sleeps on the mailbox with the lock released
//! until a command arrives, and tries again.

use std::time::{Duration, Instant};

use super::{Socket, DONTWAIT, SNDMORE};
use crate::command::SocketMailbox;
use crate::msg::{flags, Msg};
use crate::{Error, Result};

/// The state of one blocking call on a shared socket between attempts.
#[derive(Debug, Default)]
pub struct Call {
    /// The first attempt ran (options read, message flags set).
    started: bool,
    /// From `ZMQ_SNDTIMEO`/`ZMQ_RCVTIMEO` at the start; `None`: no limit.
    deadline: Option<Instant>,
}

impl Call {
    /// Runs a call on a thread-safe socket to its end. `attempt` locks the
    /// socket, runs [`Socket::send_attempt`] or [`Socket::recv_attempt`]
    /// with the call and unlocks: `Ok(None)` from it means "wait". The
    /// wait ends when a command is sent to `mailbox` (whichever thread
    /// then handles it: the generation is read before the attempt, see
    /// `SocketMailbox::wait_past`) or with `EAGAIN` at the deadline.
    pub fn run<T>(
        mailbox: &SocketMailbox,
        mut attempt: impl FnMut(&mut Call) -> Result<Option<T>>,
    ) -> Result<T> {
        let mut call = Call::default();
        loop {
            let seen = mailbox.generation();
            if let Some(v) = attempt(&mut call)? {
                return Ok(v);
            }
            // As `wait_commands`: a passed deadline ends the call even
            // while commands keep coming.
            if call.deadline.is_some_and(|d| Instant::now() >= d)
                || !mailbox.wait_past(seen, call.deadline)
            {
                return Err(Error::EAGAIN);
            }
        }
    }
}

impl Socket {
    fn deadline(timeout_ms: i32) -> Option<Instant> {
        (timeout_ms >= 0).then(|| Instant::now() + Duration::from_millis(timeout_ms as u64))
    }

    /// Waits for commands until `deadline`; `EAGAIN` when it passes.
    fn wait_commands(&mut self, deadline: Option<Instant>) -> Result<()> {
        if let Some(d) = deadline {
            if Instant::now() >= d {
                return Err(Error::EAGAIN);
            }
        }
        if !self.core.mailbox.wait(deadline)? {
            return Err(Error::EAGAIN);
        }
        self.process_commands()
    }

    /// The checks and message flags before the first try of a send.
    /// Returns whether the send may not block.
    fn send_prepare(&mut self, msg: &mut Msg, send_flags: i32) -> Result<bool> {
        self.check_alive()?;
        if !msg.is_valid() {
            return Err(Error::EFAULT);
        }
        if self.send_commands_due() {
            self.process_commands()?;
        }
        msg.reset_flags(flags::MORE);
        if send_flags & SNDMORE != 0 {
            msg.set_flags(flags::MORE);
        }
        msg.set_metadata(None);
        Ok(send_flags & DONTWAIT != 0 || self.core.options.sndtimeo == 0)
    }

    fn send_once(&mut self, msg: &mut Msg) -> Result<()> {
        let (pattern, mut cx) = self.cx_split();
        let r = pattern.send(&mut cx, msg);
        self.reap_finished();
        r
    }

    fn recv_once(&mut self) -> Result<Msg> {
        let (pattern, mut cx) = self.cx_split();
        let r = pattern.recv(&mut cx);
        self.reap_finished();
        if let Ok(m) = &r {
            self.core.rcvmore = m.has_more();
        }
        r
    }

    /// The checks before the first try of a receive. Returns whether the
    /// receive may not block.
    fn recv_prepare(&mut self, recv_flags: i32) -> Result<bool> {
        self.check_alive()?;
        if self.core.mailbox.has_pending() {
            self.process_commands()?;
        }
        Ok(recv_flags & DONTWAIT != 0 || self.core.options.rcvtimeo == 0)
    }

    /// A non-blocking receive that found nothing tries once more after
    /// handling commands, as libzmq.
    fn recv_retry(&mut self) -> Result<Msg> {
        self.process_commands()?;
        self.recv_once()
    }

    /// `zmq_msg_send`: on success the message is taken.
    pub fn send(&mut self, msg: &mut Msg, send_flags: i32) -> Result<()> {
        let nonblocking = self.send_prepare(msg, send_flags)?;
        let deadline = Self::deadline(self.core.options.sndtimeo);
        loop {
            match self.send_once(msg) {
                Err(e) if e == Error::EAGAIN => {
                    if nonblocking {
                        return Err(e);
                    }
                    self.wait_commands(deadline)?;
                }
                r => return r,
            }
        }
    }

    /// `zmq_msg_recv`.
    pub fn recv(&mut self, recv_flags: i32) -> Result<Msg> {
        let nonblocking = self.recv_prepare(recv_flags)?;
        let deadline = Self::deadline(self.core.options.rcvtimeo);
        loop {
            match self.recv_once() {
                Err(e) if e == Error::EAGAIN => {
                    if nonblocking {
                        return self.recv_retry();
                    }
                    self.wait_commands(deadline)?;
                }
                r => return r,
            }
        }
    }

    /// One attempt of [`Socket::send`] within `call` (see [`Call::run`]):
    /// `Ok(Some(()))` sent (the message is taken), `Ok(None)` wait for a
    /// command and call again with the same message.
    pub fn send_attempt(
        &mut self,
        call: &mut Call,
        msg: &mut Msg,
        send_flags: i32,
    ) -> Result<Option<()>> {
        if !call.started {
            let nonblocking = self.send_prepare(msg, send_flags)?;
            call.deadline = Self::deadline(self.core.options.sndtimeo);
            call.started = true;
            if nonblocking {
                return self.send_once(msg).map(Some);
            }
        } else {
            // Woken by a command (ours to handle, or already handled by
            // another thread).
            self.process_commands()?;
        }
        match self.send_once(msg) {
            Err(e) if e == Error::EAGAIN => Ok(None),
            r => r.map(Some),
        }
    }

    /// One attempt of [`Socket::recv`] within `call` (see [`Call::run`]):
    /// `Ok(None)` wait for a command and call again.
    pub fn recv_attempt(&mut self, call: &mut Call, recv_flags: i32) -> Result<Option<Msg>> {
        if !call.started {
            let nonblocking = self.recv_prepare(recv_flags)?;
            call.deadline = Self::deadline(self.core.options.rcvtimeo);
            call.started = true;
            if nonblocking {
                return match self.recv_once() {
                    Err(e) if e == Error::EAGAIN => self.recv_retry().map(Some),
                    r => r.map(Some),
                };
            }
        } else {
            self.process_commands()?;
        }
        match self.recv_once() {
            Err(e) if e == Error::EAGAIN => Ok(None),
            r => r.map(Some),
        }
    }
}

impl Socket {
    /// [`Socket::send`] without a call (always `Some` on success),
    /// [`Socket::send_attempt`] with one.
    pub fn send_in(
        &mut self,
        call: Option<&mut Call>,
        msg: &mut Msg,
        send_flags: i32,
    ) -> Result<Option<()>> {
        match call {
            None => self.send(msg, send_flags).map(Some),
            Some(call) => self.send_attempt(call, msg, send_flags),
        }
    }

    /// [`Socket::recv`] without a call, [`Socket::recv_attempt`] with one.
    pub fn recv_in(&mut self, call: Option<&mut Call>, recv_flags: i32) -> Result<Option<Msg>> {
        match call {
            None => self.recv(recv_flags).map(Some),
            Some(call) => self.recv_attempt(call, recv_flags),
        }
    }
}
