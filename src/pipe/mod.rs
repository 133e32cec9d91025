//! Pipes: the bidirectional message channel between a socket and a peer
//! (another socket over inproc, or a connection's session).
//!
//! A pipe is two [`ypipe`] queues and two [`Pipe`] endpoints, each owned by
//! one side. Writes are private until `flush`; a flush that finds the reader
//! asleep sends it one `ActivateRead` command, and a reader that has taken
//! `lwm` messages tells the writer with `ActivateWrite`, so the high-water
//! mark is enforced without any per-message signal.
//!
//! Termination is in-band: a closing side writes a delimiter after its last
//! message and sends `PipeTerm`; the other side keeps reading until the
//! delimiter, then drops its endpoint. The queues are freed by reference
//! counting when both endpoints are gone.

mod command;
mod conflate;
pub mod ypipe;

pub use command::{PipeCommand, PipeId, PipeOwner};

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::endpoint_pair::EndpointPair;
use crate::msg::Msg;

static NEXT_PIPE_ID: AtomicU64 = AtomicU64::new(1);

/// What both endpoints share: who owns each side (so commands reach it),
/// each side's watermarks, and whether each side has terminated.
struct Link {
    ids: [PipeId; 2],
    owners: [Mutex<Option<Arc<dyn PipeOwner>>>; 2],
    /// Outbound high-water mark of each side (0: none).
    hwm: [AtomicU64; 2],
    /// Inbound low-water mark of each side (0: none).
    lwm: [AtomicU64; 2],
    terminated: [AtomicBool; 2],
    /// The peer socket's (SNDHWM, RCVHWM) as seen by each side, which libzmq
    /// adds to that side's own when its HWMs change.
    boosts: Mutex<[Option<Hwms>; 2]>,
    /// What each side writes to the other when its socket closes or
    /// disconnects (the *peer's* `ZMQ_DISCONNECT_MSG`). Shared because the
    /// binder of a pending inproc connection sets it on the connecter's
    /// endpoint, which another thread owns.
    disconnect_msg: [Mutex<Option<Vec<u8>>>; 2],
}

impl Link {
    fn send(&self, side: usize, cmd: PipeCommand) {
        let owner = self.owners[side]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        // An endpoint not yet attached learns everything from the flags and
        // queue state when it is; the command is not needed.
        if let Some(owner) = owner {
            owner.pipe_command(cmd);
        }
    }
}

enum Inbound {
    Queue(ypipe::Reader<Msg>),
    Conflate(Arc<conflate::Slot>),
}

enum Outbound {
    Queue(ypipe::Writer<Msg>),
    Conflate(Arc<conflate::Slot>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Active,
    /// The peer terminated; we read up to its delimiter.
    WaitingForDelimiter,
    /// We read the peer's delimiter: the pipe is finished.
    DelimiterReceived,
    /// We terminated our side.
    Terminated,
}

/// Watermarks of one pipe as libzmq computes them from both sockets' HWMs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Hwms {
    pub inbound: i32,
    pub outbound: i32,
}

/// Which endpoint of a pipe a setting is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The endpoint the call is made on.
    Local,
    /// The other one (used when the binder completes a pending inproc
    /// connection, and to pass HWM changes on as libzmq does).
    Peer,
}

/// One endpoint of a pipe.
pub struct Pipe {
    link: Arc<Link>,
    side: usize,
    inbound: Inbound,
    outbound: Outbound,
    in_active: bool,
    out_active: bool,
    msgs_read: u64,
    msgs_written: u64,
    peers_msgs_read: u64,
    state: State,
    /// The peer's routing id, for ROUTER-like patterns.
    pub routing_id: Vec<u8>,
    /// The endpoint string this pipe was made for (disconnect, unbind).
    pub endpoint: String,
    /// The connection's addresses for monitor events (libzmq's
    /// `_endpoint_pair`); empty for inproc pipes, as in libzmq.
    pub endpoint_pair: EndpointPair,
}

/// Low-water mark for a high-water mark: half of it, so a blocked writer
/// resumes with room for many messages rather than one.
pub fn compute_lwm(hwm: i32) -> u64 {
    if hwm <= 0 {
        0
    } else {
        (hwm as u64).div_ceil(2).max(1)
    }
}

/// Creates a pipe. Side 0's outbound queue has `hwms[0]`, side 1's
/// `hwms[1]` (0 or less: unlimited). With `conflate`, each direction holds
/// only its latest message.
pub fn pipepair(hwms: [i32; 2], conflate: bool) -> (Pipe, Pipe) {
    let ids = [
        NEXT_PIPE_ID.fetch_add(1, Ordering::Relaxed),
        NEXT_PIPE_ID.fetch_add(1, Ordering::Relaxed),
    ];
    let clamp = |h: i32| if h > 0 { h as u64 } else { 0 };
    let link = Arc::new(Link {
        ids,
        owners: [Mutex::new(None), Mutex::new(None)],
        hwm: [
            AtomicU64::new(clamp(hwms[0])),
            AtomicU64::new(clamp(hwms[1])),
        ],
        lwm: [
            AtomicU64::new(compute_lwm(hwms[1])),
            AtomicU64::new(compute_lwm(hwms[0])),
        ],
        terminated: [AtomicBool::new(false), AtomicBool::new(false)],
        boosts: Mutex::new([None, None]),
        disconnect_msg: [Mutex::new(None), Mutex::new(None)],
    });
    let (a_out, b_in, b_out, a_in) = if conflate {
        let (x, y) = (conflate::slot(), conflate::slot());
        (
            Outbound::Conflate(x.clone()),
            Inbound::Conflate(x),
            Outbound::Conflate(y.clone()),
            Inbound::Conflate(y),
        )
    } else {
        let (w0, r1) = ypipe::channel();
        let (w1, r0) = ypipe::channel();
        (
            Outbound::Queue(w0),
            Inbound::Queue(r1),
            Outbound::Queue(w1),
            Inbound::Queue(r0),
        )
    };
    let make = |side, inbound, outbound| Pipe {
        link: link.clone(),
        side,
        inbound,
        outbound,
        in_active: true,
        out_active: true,
        msgs_read: 0,
        msgs_written: 0,
        peers_msgs_read: 0,
        state: State::Active,
        routing_id: Vec::new(),
        endpoint: String::new(),
        endpoint_pair: EndpointPair::default(),
    };
    (make(0, a_in, a_out), make(1, b_in, b_out))
}

impl Pipe {
    pub fn id(&self) -> PipeId {
        self.link.ids[self.side]
    }

    fn peer_side(&self) -> usize {
        1 - self.side
    }

    /// Records who owns this endpoint so the peer's commands reach it.
    pub fn set_owner(&self, owner: Arc<dyn PipeOwner>) {
        *self.link.owners[self.side]
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(owner);
    }

    fn side_of(&self, end: End) -> usize {
        match end {
            End::Local => self.side,
            End::Peer => self.peer_side(),
        }
    }

    /// Records the other socket's (SNDHWM as inbound, RCVHWM as outbound)
    /// for an endpoint: later HWM changes add them, as libzmq does.
    pub fn set_hwms_boost(&self, end: End, boost: Hwms) {
        let mut b = self.link.boosts.lock().unwrap_or_else(|e| e.into_inner());
        b[self.side_of(end)] = Some(boost);
    }

    /// Sets an endpoint's watermarks from its socket's options: each
    /// direction's limit is the sum of the writer's SNDHWM and the reader's
    /// RCVHWM (the boost), unlimited if either is 0.
    pub fn set_hwms(&self, end: End, hwms: Hwms) {
        let side = self.side_of(end);
        let boost = self.link.boosts.lock().unwrap_or_else(|e| e.into_inner())[side];
        set_side_hwms(&self.link, side, hwms, boost);
    }

    /// A socket's HWM options changed: update our side and, as libzmq's
    /// `send_hwms_to_peer` does, the peer's view of them.
    pub fn update_hwms(&self, sndhwm: i32, rcvhwm: i32) {
        self.set_hwms(
            End::Local,
            Hwms {
                inbound: rcvhwm,
                outbound: sndhwm,
            },
        );
        self.set_hwms(
            End::Peer,
            Hwms {
                inbound: sndhwm,
                outbound: rcvhwm,
            },
        );
    }

    fn inbound_check_read(&mut self) -> bool {
        match &mut self.inbound {
            Inbound::Queue(r) => r.check_read(),
            Inbound::Conflate(s) => s.check_read(),
        }
    }

    fn inbound_delimiter_next(&mut self) -> bool {
        match &mut self.inbound {
            Inbound::Queue(r) => r.probe().is_some_and(|m| m.is_delimiter()),
            Inbound::Conflate(s) => s.is_delimiter_next(),
        }
    }

    fn inbound_read(&mut self) -> Option<Msg> {
        match &mut self.inbound {
            Inbound::Queue(r) => r.read(),
            Inbound::Conflate(s) => s.read(),
        }
    }

    fn readable_state(&self) -> bool {
        matches!(self.state, State::Active | State::WaitingForDelimiter)
    }

    /// Whether a message can be read now. Consumes a pending delimiter.
    pub fn check_read(&mut self) -> bool {
        if !self.in_active || !self.readable_state() {
            return false;
        }
        if !self.inbound_check_read() {
            self.in_active = false;
            return false;
        }
        if self.inbound_delimiter_next() {
            self.inbound_read();
            self.state = State::DelimiterReceived;
            return false;
        }
        true
    }

    /// Reads one frame. `None` when empty (the pipe then waits for an
    /// `ActivateRead`) or finished (see [`Pipe::is_finished`]).
    pub fn read(&mut self) -> Option<Msg> {
        if !self.in_active || !self.readable_state() {
            return None;
        }
        let msg = loop {
            match self.inbound_read() {
                None => {
                    self.in_active = false;
                    return None;
                }
                Some(m) if m.flags() & crate::msg::flags::CREDENTIAL != 0 => continue,
                Some(m) => break m,
            }
        };
        if msg.is_delimiter() {
            self.state = State::DelimiterReceived;
            return None;
        }
        if !msg.has_more() && !msg.is_routing_id() {
            self.msgs_read += 1;
        }
        let lwm = self.link.lwm[self.side].load(Ordering::Relaxed);
        if lwm > 0 && self.msgs_read.is_multiple_of(lwm) {
            self.link.send(
                self.peer_side(),
                PipeCommand::ActivateWrite(self.link.ids[self.peer_side()], self.msgs_read),
            );
        }
        Some(msg)
    }

    /// Whether a message can be written without passing the HWM.
    pub fn check_write(&mut self) -> bool {
        if !self.out_active || self.state != State::Active {
            return false;
        }
        let hwm = self.link.hwm[self.side].load(Ordering::Relaxed);
        if hwm > 0 && self.msgs_written - self.peers_msgs_read >= hwm {
            self.out_active = false;
            return false;
        }
        true
    }

    /// Whether the HWM leaves room, without changing the pipe's state.
    pub fn check_hwm(&self) -> bool {
        let hwm = self.link.hwm[self.side].load(Ordering::Relaxed);
        hwm == 0 || self.msgs_written - self.peers_msgs_read < hwm
    }

    /// Writes one frame, or gives it back if the pipe is full or closing.
    pub fn write(&mut self, msg: Msg) -> Result<(), Msg> {
        if !self.check_write() {
            return Err(msg);
        }
        self.write_unchecked(msg);
        Ok(())
    }

    fn write_unchecked(&mut self, msg: Msg) {
        let more = msg.has_more();
        let counts = !more && !msg.is_routing_id();
        match &mut self.outbound {
            Outbound::Queue(w) => w.write(msg, more),
            Outbound::Conflate(s) => s.write(msg),
        }
        if counts {
            self.msgs_written += 1;
        }
    }

    /// Drops the frames of an unfinished multipart message.
    pub fn rollback(&mut self) {
        if let Outbound::Queue(w) = &mut self.outbound {
            while w.unwrite().is_some() {}
        }
    }

    /// libzmq's `pipe_t::hiccup` from the reading end: the messages the
    /// writer queued and we did not read are dropped (libzmq swaps in a new
    /// queue) and the writer is told, so that a SUB or XSUB resends its whole
    /// subscription set instead of some subscriptions twice.
    pub fn hiccup(&mut self) {
        if self.state != State::Active {
            return;
        }
        // Look even if the writer's ActivateRead has not arrived yet.
        self.in_active = true;
        let before = self.msgs_read;
        while self.read().is_some() {}
        if self.msgs_read != before {
            // The writer may sit at its HWM: what we dropped frees room.
            self.link.send(
                self.peer_side(),
                PipeCommand::ActivateWrite(self.link.ids[self.peer_side()], self.msgs_read),
            );
        }
        self.link.send(
            self.peer_side(),
            PipeCommand::Hiccup(self.link.ids[self.peer_side()]),
        );
    }

    /// Publishes written messages; wakes the reader if it slept.
    pub fn flush(&mut self) {
        let awake = match &mut self.outbound {
            Outbound::Queue(w) => w.flush(),
            Outbound::Conflate(s) => s.flush(),
        };
        if !awake {
            self.link.send(
                self.peer_side(),
                PipeCommand::ActivateRead(self.link.ids[self.peer_side()]),
            );
        }
    }

    /// Handles the peer's `ActivateRead`. True if the pipe became readable.
    pub fn activate_read(&mut self) -> bool {
        if !self.in_active && self.readable_state() {
            self.in_active = true;
            return true;
        }
        false
    }

    /// Handles the peer's `ActivateWrite`. True if the pipe became writable.
    pub fn activate_write(&mut self, msgs_read: u64) -> bool {
        self.peers_msgs_read = msgs_read;
        if !self.out_active && self.state == State::Active {
            self.out_active = true;
            return true;
        }
        false
    }

    /// Handles the peer's `PipeTerm`: stop writing, read what is left.
    /// Returns true if the pipe is finished already.
    pub fn peer_terminated(&mut self) -> bool {
        if self.state == State::Active {
            self.state = State::WaitingForDelimiter;
            self.out_active = false;
            // The delimiter may be next already: consume it now.
            self.in_active = true;
            self.check_read();
        }
        self.is_finished()
    }

    /// True once the peer's delimiter has been read, or we terminated.
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::DelimiterReceived | State::Terminated)
    }

    /// Whether the peer has terminated (seen through the shared flags, so
    /// it also works before the first command arrives).
    pub fn peer_is_terminated(&self) -> bool {
        self.link.terminated[self.peer_side()].load(Ordering::Acquire)
    }

    /// Closes our side: drops an unfinished message, writes the delimiter
    /// after everything already sent and tells the peer.
    pub fn terminate(&mut self) {
        if self.state == State::Terminated {
            return;
        }
        self.rollback();
        self.write_unchecked(Msg::delimiter());
        self.flush();
        self.state = State::Terminated;
        self.out_active = false;
        self.link.terminated[self.side].store(true, Ordering::Release);
        self.link.send(
            self.peer_side(),
            PipeCommand::PipeTerm(self.link.ids[self.peer_side()]),
        );
    }

    /// Sets the message this endpoint leaves for its peer when our socket
    /// closes or disconnects.
    pub fn set_disconnect_msg(&self, msg: Vec<u8>) {
        *self.link.disconnect_msg[self.side]
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(msg);
    }

    /// The same for the other endpoint (the binder completing a pending
    /// inproc connection sets it on the connecter's side).
    pub fn set_peer_disconnect_msg(&self, msg: Vec<u8>) {
        *self.link.disconnect_msg[self.peer_side()]
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(msg);
    }

    /// Writes the disconnect message, if one was set, in place of any
    /// unfinished message. Like libzmq it ignores the HWM: it is the last
    /// thing the peer will read from us.
    pub fn send_disconnect_msg(&mut self) {
        let msg = self.link.disconnect_msg[self.side]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(m) = msg {
            if self.state == State::Active {
                self.rollback();
                self.write_unchecked(Msg::from_slice(&m));
                self.flush();
            }
        }
    }

    /// `ZMQ_HICCUP_MSG`: a connecting session tells its socket that the
    /// connection dropped, past the HWM as libzmq's `send_hiccup_msg`.
    pub fn send_hiccup_msg(&mut self, msg: &[u8]) {
        if self.state == State::Active && !msg.is_empty() {
            self.write_unchecked(Msg::from_slice(msg));
            self.flush();
        }
    }

    /// Messages written and not yet acknowledged as read by the peer.
    pub fn queued_out(&self) -> u64 {
        self.msgs_written - self.peers_msgs_read
    }

    pub fn msgs_read(&self) -> u64 {
        self.msgs_read
    }

    /// `zmq_socket_monitor_pipes_stats` on this end (libzmq's
    /// `send_stats_to_peer`): the inbound count lives with the other end,
    /// so ask its owner, which answers `reply`. An end not attached yet or
    /// already gone does not answer, and that pipe gets no event.
    pub fn send_stats_to_peer(&self, reply: Arc<dyn PipeOwner>) {
        let peer = self.peer_side();
        self.link.send(
            peer,
            PipeCommand::PeerStats {
                pipe: self.link.ids[peer],
                queue_count: self.queued_out(),
                reply,
                endpoints: Box::new(self.endpoint_pair.clone()),
            },
        );
    }

    /// The peer end's half of the statistics (libzmq's
    /// `process_pipe_peer_stats`): adds our outbound count, which is the
    /// asking end's inbound queue, and answers.
    pub fn process_peer_stats(
        &self,
        queue_count: u64,
        reply: &dyn PipeOwner,
        endpoints: Box<EndpointPair>,
    ) {
        reply.pipe_command(PipeCommand::StatsPublish {
            outbound: queue_count,
            inbound: self.queued_out(),
            endpoints,
        });
    }
}

fn set_side_hwms(link: &Link, side: usize, hwms: Hwms, boost: Option<Hwms>) {
    let eff = |base: i32, boost: Option<i32>| -> i32 {
        match boost {
            None => base.max(0),
            Some(b) if base <= 0 || b == 0 => 0,
            Some(b) => base + b.max(0),
        }
    };
    let inbound = eff(hwms.inbound, boost.map(|b| b.inbound));
    let outbound = eff(hwms.outbound, boost.map(|b| b.outbound));
    link.lwm[side].store(compute_lwm(inbound), Ordering::Relaxed);
    link.hwm[side].store(outbound.max(0) as u64, Ordering::Relaxed);
}

impl Drop for Pipe {
    fn drop(&mut self) {
        // An endpoint dropped without terminate (e.g. a socket torn down by
        // the context) still tells the peer, so it never waits forever.
        if !self.is_finished() {
            self.terminate();
        }
        *self.link.owners[self.side]
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = None;
    }
}

impl std::fmt::Debug for Pipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipe")
            .field("id", &self.id())
            .field("state", &self.state)
            .finish()
    }
}

#[cfg(test)]
mod tests;
