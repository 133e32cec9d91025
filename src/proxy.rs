//! `zmq_proxy`, `zmq_proxy_steerable` (and `zmq_device`): libzmq 4.3.5's
//! proxy, shuttling messages between a frontend and a backend socket, with
//! an optional capture socket that gets a copy of every frame and an
//! optional control socket that steers it.
//!
//! The loop is libzmq's poller-based one, reproduced step by step so that
//! fairness, back-pressure and the control protocol behave the same:
//!
//! - It blocks on a *wait set* that starts as "input on every socket". When
//!   a side has input but the other side cannot take output (its HWM is
//!   reached), the proxy stops waiting for that input and waits for the
//!   output instead (libzmq's `poller_receive_blocked`, `_send_blocked`,
//!   `_both_blocked`, `_frontend_only`, `_backend_only`), so a full peer
//!   never makes it spin; forwarding in a direction restores its input.
//! - After each wake-up it looks at every socket without blocking and
//!   forwards a burst of up to 1000 whole messages per ready direction, the
//!   frontend-to-backend direction first. A socket's readiness flags are
//!   only updated when it reports some event, as libzmq's do.
//! - Frames keep their MORE flag; the capture socket gets a copy of each
//!   frame before it is forwarded. Sends block (libzmq sends without
//!   `ZMQ_DONTWAIT`), so a burst meeting a full pipe mid-way waits.
//! - The frontend may be the backend (one ROUTER, DEALER or REP socket that
//!   answers itself): only the frontend-to-backend direction runs then.
//! - It ends with `Ok` on `TERMINATE`, or with the error of any socket call,
//!   typically `ETERM` when the context terminates, or `EINTR`.
//!
//! Control commands (one frame each, read without blocking) are matched as
//! 4.3.5's `handle_control` matches them, quirks included: `STATISTICS`
//! answers with eight `u64` frames (see [`Stats`]); `TERMINATE` stops; any
//! 5-byte command, `PAUSE` among them, makes the proxy *active* (4.3.5 tests
//! `memcmp (command, "\x05PAUSE", 6)` for inequality), and `RESUME` *pauses*
//! it. Everything but `STATISTICS` is answered with an empty frame, as a REP
//! control socket needs; the answer's send error (e.g. `ENOTSUP` on a SUB)
//! ends the proxy, as in 4.3.5.
//!
//! One deliberate difference: while paused, 4.3.5 keeps polling the
//! frontend and backend and spins at full CPU whenever either has input; we
//! wait for the control socket (still noticing context termination).

use crate::msg::Msg;
use crate::poll::{poll_loop, Watch, POLLIN, POLLOUT};
use crate::socket::{Socket, DONTWAIT, SNDMORE};
use crate::{Error, Result};

/// libzmq's `proxy_burst_size`: messages forwarded per direction before
/// looking at the other one.
pub const BURST_SIZE: usize = 1000;

/// Which socket plays which part, as indices into the slice given to
/// [`proxy_steerable`]. `frontend == backend` is the single-socket proxy;
/// the capture socket may be any socket; the control socket must differ
/// from the frontend and the backend (`EINVAL`, as libzmq's poller refuses
/// a socket twice).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Roles {
    pub frontend: usize,
    pub backend: usize,
    pub capture: Option<usize>,
    pub control: Option<usize>,
}

/// Messages (frames) and bytes through one socket in one direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    pub count: u64,
    pub bytes: u64,
}

/// What the proxy moved. `STATISTICS` answers with the eight values in
/// this order: frontend received (count, bytes), frontend sent, backend
/// received, backend sent. In the single-socket case, frames count as
/// received by the frontend and sent by the backend, as in libzmq.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub frontend_recv: Counter,
    pub frontend_send: Counter,
    pub backend_recv: Counter,
    pub backend_send: Counter,
}

impl Stats {
    /// The eight values of the `STATISTICS` reply.
    pub fn values(&self) -> [u64; 8] {
        let c = [
            self.frontend_recv,
            self.frontend_send,
            self.backend_recv,
            self.backend_send,
        ];
        [
            c[0].count, c[0].bytes, c[1].count, c[1].bytes, c[2].count, c[2].bytes, c[3].count,
            c[3].bytes,
        ]
    }
}

/// `zmq_proxy`: runs until the context terminates (the error is `ETERM`)
/// or a socket call fails.
#[cfg(test)]
pub fn proxy(
    frontend: &mut Socket,
    backend: &mut Socket,
    capture: Option<&mut Socket>,
) -> Result<()> {
    let mut socks: Vec<&mut Socket> = vec![frontend, backend];
    let capture = capture.map(|c| {
        socks.push(c);
        2
    });
    proxy_steerable(
        &mut socks,
        Roles {
            frontend: 0,
            backend: 1,
            capture,
            control: None,
        },
    )
}

/// `zmq_proxy (s, s, capture)`: one socket that is frontend and backend.
#[cfg(test)]
pub fn proxy_single(socket: &mut Socket, capture: Option<&mut Socket>) -> Result<()> {
    let mut socks: Vec<&mut Socket> = vec![socket];
    let capture = capture.map(|c| {
        socks.push(c);
        1
    });
    proxy_steerable(
        &mut socks,
        Roles {
            frontend: 0,
            backend: 0,
            capture,
            control: None,
        },
    )
}

/// `zmq_proxy_steerable`: as [`proxy`], with the sockets named by `roles`;
/// returns `Ok` when the control socket receives `TERMINATE`. `EINVAL` for
/// an index out of range or a control socket that is also the frontend or
/// the backend.
pub fn proxy_steerable(sockets: &mut [&mut Socket], roles: Roles) -> Result<()> {
    let n = sockets.len();
    let in_range = |i: usize| i < n;
    if !in_range(roles.frontend)
        || !in_range(roles.backend)
        || !roles.capture.is_none_or(in_range)
        || !roles.control.is_none_or(in_range)
        || roles
            .control
            .is_some_and(|c| c == roles.frontend || c == roles.backend)
    {
        return Err(Error::EINVAL);
    }
    Proxy {
        socks: sockets,
        roles,
        same: roles.frontend == roles.backend,
        state: State::Active,
        wait: WaitSet::In,
        stats: Stats::default(),
    }
    .run()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Active,
    Paused,
    Terminated,
}

/// libzmq's pollers for the blocking wait, named after them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WaitSet {
    /// Input on both sides.
    In,
    /// The frontend's input is not wanted: its peer (the backend) is full.
    ReceiveBlocked,
    /// The backend's input is not wanted: the frontend is full.
    SendBlocked,
    /// Both sides full: wait for output only.
    BothBlocked,
    /// Only the frontend matters (the backend had input and output).
    FrontendOnly,
    /// Only the backend matters (the frontend had input and output).
    BackendOnly,
}

impl WaitSet {
    /// (frontend, backend) events waited for.
    fn interest(self, same: bool) -> (i16, i16) {
        let both = POLLIN | POLLOUT;
        match self {
            WaitSet::In if same => (POLLIN, 0),
            WaitSet::In => (POLLIN, POLLIN),
            WaitSet::ReceiveBlocked if same => (POLLOUT, 0),
            WaitSet::ReceiveBlocked => (POLLOUT, both),
            WaitSet::SendBlocked => (both, POLLOUT),
            WaitSet::BothBlocked => (POLLOUT, POLLOUT),
            WaitSet::FrontendOnly => (both, 0),
            WaitSet::BackendOnly => (0, both),
        }
    }
}

#[derive(Clone, Copy)]
enum Direction {
    Request,
    Reply,
}

struct Proxy<'s, 'a> {
    socks: &'s mut [&'a mut Socket],
    roles: Roles,
    same: bool,
    state: State,
    wait: WaitSet,
    stats: Stats,
}

/// Readiness last seen on each side (libzmq's `frontend_in`, ...).
#[derive(Default)]
struct Ready {
    frontend_in: bool,
    frontend_out: bool,
    backend_in: bool,
    backend_out: bool,
}

impl Proxy<'_, '_> {
    fn run(&mut self) -> Result<()> {
        let mut ready = Ready::default();
        while self.state != State::Terminated {
            self.block()?;
            self.look(&mut ready)?;
            if self.state == State::Active {
                self.step(&mut ready)?;
            }
        }
        Ok(())
    }

    /// The distinct sockets to watch, with the events wanted from each.
    fn watch_list(&self) -> Vec<(usize, i16)> {
        let (f, b) = match self.state {
            State::Active => self.wait.interest(self.same),
            // Frontend and backend stay watched (with no events wanted) so
            // that context termination still ends the wait.
            _ => (0, 0),
        };
        let mut list = vec![(self.roles.frontend, f)];
        if !self.same {
            list.push((self.roles.backend, b));
        }
        if let Some(c) = self.roles.control {
            list.push((c, POLLIN));
        }
        list
    }

    /// The blocking wait on the current wait set.
    fn block(&mut self) -> Result<()> {
        let list = self.watch_list();
        let watches: Vec<Watch> = list
            .iter()
            .map(|&(i, _)| Watch::Socket(self.socks[i].fd()))
            .collect();
        let socks = &mut *self.socks;
        poll_loop(&watches, -1, None, |k, _| {
            let (i, want) = list[k];
            Ok(socks[i].events()? & want)
        })?;
        Ok(())
    }

    /// libzmq's non-blocking `poller_all` pass: update the readiness of
    /// each side that reports events, then serve the control socket.
    fn look(&mut self, ready: &mut Ready) -> Result<()> {
        let both = POLLIN | POLLOUT;
        let f = self.socks[self.roles.frontend].events()? & both;
        let b = if self.same {
            0
        } else {
            self.socks[self.roles.backend].events()? & both
        };
        let c = match self.roles.control {
            Some(c) => self.socks[c].events()? & POLLIN,
            None => 0,
        };
        if f != 0 {
            ready.frontend_in = f & POLLIN != 0;
            ready.frontend_out = f & POLLOUT != 0;
        }
        if b != 0 {
            ready.backend_in = b & POLLIN != 0;
            ready.backend_out = b & POLLOUT != 0;
        }
        if c != 0 {
            self.handle_control()?;
        }
        Ok(())
    }

    /// Forwards what can be forwarded and picks the next wait set, exactly
    /// as libzmq's loop body does.
    fn step(&mut self, r: &mut Ready) -> Result<()> {
        let (front, back) = (self.roles.frontend, self.roles.backend);
        let request = r.frontend_in && (r.backend_out || self.same);
        if request {
            self.forward(front, back, Direction::Request)?;
            r.frontend_in = false;
            r.backend_out = false;
        }
        let reply = r.backend_in && r.frontend_out;
        if reply {
            self.forward(back, front, Direction::Reply)?;
            r.backend_in = false;
            r.frontend_out = false;
        }
        use WaitSet::*;
        if request || reply {
            // Some output was possible: wait for the matching input again.
            if request {
                self.wait = match self.wait {
                    BothBlocked => SendBlocked,
                    ReceiveBlocked | FrontendOnly => In,
                    w => w,
                };
            }
            if reply {
                self.wait = match self.wait {
                    BothBlocked => ReceiveBlocked,
                    SendBlocked | BackendOnly => In,
                    w => w,
                };
            }
        } else {
            // Input with no room on the other side: stop waiting for it.
            if r.frontend_in {
                if r.frontend_out {
                    self.wait = BackendOnly;
                } else {
                    self.wait = match self.wait {
                        SendBlocked => BothBlocked,
                        In => ReceiveBlocked,
                        w => w,
                    };
                }
            }
            if r.backend_in {
                if r.backend_out {
                    self.wait = FrontendOnly;
                } else {
                    self.wait = match self.wait {
                        ReceiveBlocked => BothBlocked,
                        In => SendBlocked,
                        w => w,
                    };
                }
            }
        }
        Ok(())
    }

    /// Moves a burst of whole messages from `from` to `to`, copying each
    /// frame to the capture socket first. `EAGAIN` on the very first
    /// receive is an error (libzmq's quirk); later it ends the burst.
    fn forward(&mut self, from: usize, to: usize, dir: Direction) -> Result<()> {
        for i in 0..BURST_SIZE {
            loop {
                let mut msg = match self.socks[from].recv(DONTWAIT) {
                    Ok(m) => m,
                    Err(e) if e == Error::EAGAIN && i > 0 => return Ok(()),
                    Err(e) => return Err(e),
                };
                let size = msg.size() as u64;
                let (recving, _) = self.counters(dir);
                recving.count += 1;
                recving.bytes += size;
                let more = msg.has_more();
                let flags = if more { SNDMORE } else { 0 };
                if let Some(c) = self.roles.capture {
                    let mut copy = msg.share();
                    self.socks[c].send(&mut copy, flags)?;
                }
                self.socks[to].send(&mut msg, flags)?;
                let (_, sending) = self.counters(dir);
                sending.count += 1;
                sending.bytes += size;
                if !more {
                    break;
                }
            }
        }
        Ok(())
    }

    /// (receiving, sending) counters of a direction.
    fn counters(&mut self, dir: Direction) -> (&mut Counter, &mut Counter) {
        let s = &mut self.stats;
        match dir {
            Direction::Request => (&mut s.frontend_recv, &mut s.backend_send),
            Direction::Reply => (&mut s.backend_recv, &mut s.frontend_send),
        }
    }

    /// One control frame, matched as 4.3.5 matches it (see the module
    /// documentation).
    fn handle_control(&mut self) -> Result<()> {
        let Some(c) = self.roles.control else {
            return Ok(());
        };
        let cmd = self.socks[c].recv(DONTWAIT)?;
        let cmd = cmd.data();
        if cmd == b"STATISTICS" {
            let values = self.stats.values();
            for (i, v) in values.iter().enumerate() {
                let flags = if i < values.len() - 1 { SNDMORE } else { 0 };
                self.socks[c].send(&mut Msg::from_slice(&v.to_ne_bytes()), flags)?;
            }
            return Ok(());
        }
        match cmd {
            // 4.3.5: `msiz == 5 && memcmp (command, "\x05PAUSE", 6)`.
            _ if cmd.len() == 5 => self.state = State::Active,
            b"RESUME" => self.state = State::Paused,
            b"TERMINATE" => self.state = State::Terminated,
            _ => {}
        }
        self.socks[c].send(&mut Msg::new(), 0)
    }
}

#[cfg(test)]
mod tests;
