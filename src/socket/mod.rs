//! The socket: options, endpoints, blocking send/receive and command
//! processing common to every type, plus one module per pattern.
//!
//! A socket is owned by one application thread at a time (as in libzmq).
//! Other threads reach it only through its `SocketMailbox`, whose fd is
//! the socket's `ZMQ_FD`. A thread-safe socket is shared behind a lock by
//! its user, who runs blocking calls as a [`Call`], one attempt at a time, waiting
//! for commands with the lock released (`blocking.rs`).

mod blocking;
mod commands;
mod inproc;
mod io_endpoint;
mod monitoring;
pub mod types;
mod udp_endpoint;

mod dealer;
mod dgram;
mod dish;
mod pair;
mod peer;
mod pubsub;
mod pull;
mod push;
mod radio;
mod rep;
mod req;
mod router;
mod server;
mod single;
mod stream;
mod xpub;
mod xsub;

use std::os::fd::RawFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::command::SocketMailbox;
use crate::ctx::{Context, PeerInfo};
use crate::msg::Msg;
use crate::options::codec::{write_int_value, write_string};
use crate::options::Options;
use crate::pipe::{Pipe, PipeId};
use crate::{Error, Result};

use crate::routing::pipes::Pipes;
use crate::transport::{Endpoint, Scheme};
pub use blocking::Call;
use single::SinglePart;

pub const DONTWAIT: i32 = 1;
pub const SNDMORE: i32 = 2;
pub const POLLIN: i16 = 1;
pub const POLLOUT: i16 = 2;

const ZMQ_RCVMORE: i32 = 13;
const ZMQ_FD: i32 = 14;
const ZMQ_EVENTS: i32 = 15;
const ZMQ_LAST_ENDPOINT: i32 = 32;
const ZMQ_THREAD_SAFE: i32 = 81;
/// libzmq's `max_command_delay` (3,000,000 ticks: about 1 ms).
const SEND_COMMAND_DELAY: Duration = Duration::from_millis(1);

/// What a pattern sees of its socket while handling a call.
pub struct Cx<'a> {
    pub pipes: &'a mut Pipes,
    /// Mutable because some patterns change shared options as libzmq's do
    /// (STREAM records the routing id it generated, `ZMQ_ROUTER_RAW` makes
    /// a ROUTER raw).
    pub options: &'a mut Options,
}

/// The behaviour of one socket type, on top of the common core.
pub trait Pattern: Send {
    /// A new pipe. `locally_initiated`: we connected (vs. a peer connecting
    /// to our bind).
    fn attach(&mut self, cx: &mut Cx, pipe: PipeId, locally_initiated: bool);
    /// Sends a frame. On success the message is taken (left empty); on
    /// error it is left to the caller.
    fn send(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<()>;
    fn recv(&mut self, cx: &mut Cx) -> Result<Msg>;
    fn has_in(&mut self, cx: &mut Cx) -> bool;
    fn has_out(&mut self, cx: &mut Cx) -> bool;
    fn read_activated(&mut self, cx: &mut Cx, pipe: PipeId);
    fn write_activated(&mut self, cx: &mut Cx, pipe: PipeId);
    /// The pipe is gone (already removed from `cx.pipes`).
    fn pipe_terminated(&mut self, cx: &mut Cx, pipe: PipeId);
    /// The pipe's connection was re-established (resend subscriptions).
    fn hiccuped(&mut self, _cx: &mut Cx, _pipe: PipeId) {}
    /// libzmq's `subscribe_to_all`: the pipe takes every message whatever
    /// its group, because its transport (udp) carries no joins.
    fn subscribe_all(&mut self, _cx: &mut Cx, _pipe: PipeId) {}
    /// A pattern-specific option; `None` if the option is not the pattern's.
    fn set_option(&mut self, _cx: &mut Cx, _option: i32, _value: &[u8]) -> Option<Result<()>> {
        None
    }
    fn get_option(&self, _option: i32, _out: &mut [u8]) -> Option<Result<usize>> {
        None
    }
    /// `zmq_join`: only DISH has groups.
    fn join(&mut self, _cx: &mut Cx, _group: &[u8]) -> Result<()> {
        Err(Error::ENOTSUP)
    }
    /// `zmq_leave`.
    fn leave(&mut self, _cx: &mut Cx, _group: &[u8]) -> Result<()> {
        Err(Error::ENOTSUP)
    }
    /// The routing id given to the most recently attached pipe (SERVER,
    /// PEER; 0 for types without routing ids). `zmq_connect_peer` reads it
    /// right after connecting, which attaches the new pipe synchronously.
    fn last_attached_routing_id(&self) -> u32 {
        0
    }
    /// `zmq_socket_get_peer_state`: `POLLOUT` if the peer named by
    /// `routing_id` can take a message now. Only ROUTER (and REP, which is
    /// one) knows peers by id; the rest answer `ENOTSUP`.
    fn peer_state(&self, _cx: &Cx, _routing_id: &[u8]) -> Result<i16> {
        Err(Error::ENOTSUP)
    }
}

struct Core {
    ctx: Context,
    id: u64,
    mailbox: Arc<SocketMailbox>,
    options: Options,
    pipes: Pipes,
    rcvmore: bool,
    ctx_terminated: bool,
    last_endpoint: String,
    bound_inproc: Vec<String>,
    /// Inproc connections by endpoint, for `disconnect`.
    connected_inproc: Vec<(String, PipeId)>,
    /// tcp/ipc listeners and connecting sessions on io threads.
    io_endpoints: Vec<io_endpoint::IoEndpoint>,
    /// Set by a tcp/ipc disconnect or unbind under
    /// `ZMQ_RECONNECT_STOP_AFTER_DISCONNECT` (libzmq's `_disconnected`);
    /// ipc sessions read it.
    disconnected: Arc<std::sync::atomic::AtomicBool>,
    /// `zmq_socket_monitor` (see `monitoring.rs`).
    monitor: crate::monitor::MonitorSink,
    /// When `send` last handled commands (see [`Socket::send_commands_due`]).
    last_send_commands: Option<Instant>,
}

/// A ZeroMQ socket.
pub struct Socket {
    core: Core,
    pattern: Box<dyn Pattern>,
}

fn new_pattern(socket_type: i32) -> Result<Box<dyn Pattern>> {
    use types::*;
    Ok(match socket_type {
        PAIR => Box::new(pair::Pair::default()),
        PUB => Box::new(pubsub::new_pub()),
        SUB => Box::new(pubsub::new_sub()),
        REQ => Box::new(req::Req::default()),
        REP => Box::new(rep::Rep::default()),
        DEALER => Box::new(dealer::Dealer::default()),
        ROUTER => Box::new(router::Router::default()),
        PULL => Box::new(pull::Pull::default()),
        PUSH => Box::new(push::Push::default()),
        XPUB => Box::new(xpub::XPub::default()),
        XSUB => Box::new(xsub::XSub::default()),
        SERVER => Box::new(server::Server::default()),
        // rfc-47: DEALER's routing, single-part.
        CLIENT => Box::new(SinglePart::<dealer::Dealer>::default()),
        RADIO => Box::new(radio::Radio::default()),
        DISH => Box::new(dish::Dish::default()),
        // rfc-49: PULL's and PUSH's routing, single-part.
        GATHER => Box::new(SinglePart::<pull::Pull>::default()),
        SCATTER => Box::new(SinglePart::<push::Push>::default()),
        PEER => Box::new(peer::new_peer()),
        // rfc-52: PAIR's single peer, single-part.
        CHANNEL => Box::new(SinglePart::<pair::Pair>::default()),
        STREAM => Box::new(stream::Stream::default()),
        DGRAM => Box::new(dgram::Dgram::default()),
        _ => return Err(Error::EINVAL),
    })
}

impl Socket {
    /// `zmq_socket`: `EINVAL` for an unknown type, `ETERM` once the context
    /// is terminating, `EMFILE` at the socket limit.
    pub fn new(ctx: &Context, socket_type: i32) -> Result<Socket> {
        let pattern = new_pattern(socket_type)?;
        let mailbox = Arc::new(if types::is_thread_safe(socket_type) {
            SocketMailbox::new_thread_safe()?
        } else {
            SocketMailbox::new()?
        });
        let id = ctx.register_socket(mailbox.clone())?;
        let mut options = Options::with_context(socket_type, ctx.blocky(), ctx.zero_copy());
        options.ipv6 = ctx.ipv6();
        Ok(Socket {
            core: Core {
                ctx: ctx.clone(),
                id,
                mailbox,
                options,
                pipes: Pipes::default(),
                rcvmore: false,
                ctx_terminated: false,
                last_endpoint: String::new(),
                bound_inproc: Vec::new(),
                connected_inproc: Vec::new(),
                io_endpoints: Vec::new(),
                disconnected: Arc::default(),
                monitor: crate::monitor::MonitorSink::new(),
                last_send_commands: None,
            },
            pattern,
        })
    }

    pub fn socket_type(&self) -> i32 {
        self.core.options.socket_type
    }

    /// `ZMQ_THREAD_SAFE`: true for the draft types (SERVER, CLIENT, RADIO,
    /// DISH, GATHER, SCATTER, PEER, CHANNEL). The engine does not lock: the
    /// C surface serialises calls on these sockets and waits outside its
    /// lock (see [`Socket::send_attempt`]).
    pub fn is_thread_safe(&self) -> bool {
        types::is_thread_safe(self.socket_type())
    }

    /// The fd that becomes readable when the socket may have new events.
    pub fn fd(&self) -> RawFd {
        self.core.mailbox.fd()
    }

    /// The socket's mailbox, for threads that wait for its commands
    /// without holding the socket (see [`Call`]).
    pub fn mailbox(&self) -> Arc<SocketMailbox> {
        self.core.mailbox.clone()
    }

    fn cx_split(&mut self) -> (&mut dyn Pattern, Cx<'_>) {
        let Socket { core, pattern } = self;
        (
            pattern.as_mut(),
            Cx {
                pipes: &mut core.pipes,
                options: &mut core.options,
            },
        )
    }

    fn check_alive(&self) -> Result<()> {
        if self.core.ctx_terminated {
            return Err(Error::ETERM);
        }
        Ok(())
    }

    fn attach_pipe(&mut self, pipe: Pipe, locally_initiated: bool) {
        pipe.set_owner(self.core.mailbox.clone());
        let id = pipe.id();
        let peer_gone = pipe.peer_is_terminated();
        self.core.pipes.insert(pipe);
        let (pattern, mut cx) = self.cx_split();
        pattern.attach(&mut cx, id, locally_initiated);
        if peer_gone {
            self.peer_terminated(id);
        }
        self.reap_finished();
    }

    fn peer_info(&self) -> PeerInfo {
        let o = &self.core.options;
        PeerInfo {
            sndhwm: o.sndhwm,
            rcvhwm: o.rcvhwm,
            conflate: self.effective_conflate(),
            recv_routing_id: o.recv_routing_id,
            routing_id: o.routing_id.clone(),
            hello_msg: (o.can_send_hello_msg && !o.hello_msg.is_empty())
                .then(|| o.hello_msg.clone()),
            disconnect_msg: (o.can_recv_disconnect_msg && !o.disconnect_msg.is_empty())
                .then(|| o.disconnect_msg.clone()),
        }
    }

    fn effective_conflate(&self) -> bool {
        self.core.options.effective_conflate()
    }

    /// `zmq_setsockopt`.
    pub fn set_option(&mut self, option: i32, value: &[u8]) -> Result<()> {
        self.set_option_raw(option, Some(value))
    }

    /// `zmq_setsockopt` as C calls it: `None` is a NULL value of length 0,
    /// which some options treat differently from an empty one.
    pub fn set_option_raw(&mut self, option: i32, value: Option<&[u8]>) -> Result<()> {
        self.check_alive()?;
        if option == crate::options::consts::ZMQ_ROUTER_NOTIFY
            && matches!(self.socket_type(), types::ROUTER | types::REP)
        {
            return self.core.options.set_router_notify(value.unwrap_or(&[]));
        }
        let (pattern, mut cx) = self.cx_split();
        match pattern.set_option(&mut cx, option, value.unwrap_or(&[])) {
            Some(Err(e)) if e == Error::EINVAL => {}
            Some(r) => return r,
            None => {}
        }
        self.core.options.set_raw(option, value)?;
        if option == crate::options::consts::ZMQ_SNDHWM
            || option == crate::options::consts::ZMQ_RCVHWM
        {
            let (snd, rcv) = (self.core.options.sndhwm, self.core.options.rcvhwm);
            for p in self.core.pipes.iter_mut() {
                p.update_hwms(snd, rcv);
            }
        }
        Ok(())
    }

    /// `zmq_getsockopt`: writes the value, returns its length.
    pub fn get_option(&mut self, option: i32, out: &mut [u8]) -> Result<usize> {
        self.check_alive()?;
        match option {
            ZMQ_RCVMORE => return write_int_value(out, self.core.rcvmore as i32),
            // libzmq's thread-safe sockets have no fd to offer (their
            // mailbox wakes waiters with a condition variable).
            ZMQ_FD if self.is_thread_safe() => return Err(Error::EINVAL),
            ZMQ_FD => return write_int_value(out, self.fd()),
            ZMQ_THREAD_SAFE => return write_int_value(out, self.is_thread_safe() as i32),
            ZMQ_EVENTS => {
                let ev = self.events()?;
                return write_int_value(out, ev as i32);
            }
            // A string as libzmq's do_getsockopt writes it: NUL-terminated,
            // the rest of the caller's buffer zeroed.
            ZMQ_LAST_ENDPOINT => return write_string(out, self.core.last_endpoint.as_bytes()),
            _ => {}
        }
        if let Some(r) = self.pattern.get_option(option, out) {
            return r;
        }
        self.core.options.get(option, out)
    }

    /// `ZMQ_EVENTS`: handles waiting commands, then reports readiness.
    pub fn events(&mut self) -> Result<i16> {
        self.process_commands()?;
        let (pattern, mut cx) = self.cx_split();
        let mut ev = 0;
        if pattern.has_out(&mut cx) {
            ev |= POLLOUT;
        }
        if pattern.has_in(&mut cx) {
            ev |= POLLIN;
        }
        self.reap_finished();
        Ok(ev)
    }

    /// `zmq_bind`.
    pub fn bind(&mut self, addr: &str) -> Result<()> {
        self.check_alive()?;
        self.process_commands()?;
        let ep = Endpoint::parse(addr, self.socket_type())?;
        match ep.scheme {
            Scheme::Inproc => self.bind_inproc(addr),
            Scheme::Tcp | Scheme::Ipc | Scheme::Ws | Scheme::Wss => self.bind_io(addr, &ep),
            Scheme::Udp => self.bind_udp(addr, ep.address),
        }
    }

    /// `zmq_connect`.
    pub fn connect(&mut self, addr: &str) -> Result<()> {
        self.check_alive()?;
        self.process_commands()?;
        let ep = Endpoint::parse(addr, self.socket_type())?;
        match ep.scheme {
            Scheme::Inproc => self.connect_inproc(addr),
            Scheme::Tcp | Scheme::Ipc | Scheme::Ws | Scheme::Wss => self.connect_io(addr, &ep),
            Scheme::Udp => self.connect_udp(addr, ep.address),
        }
    }

    /// `zmq_connect_peer`: connects a PEER and returns the routing id of
    /// the new connection, so the first message can be addressed before
    /// the peer speaks. `ENOTSUP` on other types; `EFAULT` with
    /// `ZMQ_IMMEDIATE`, which would delay the pipe (and so the id) until
    /// the connection is up.
    pub fn connect_peer(&mut self, addr: &str) -> Result<u32> {
        self.check_alive()?;
        if self.socket_type() != types::PEER {
            return Err(Error::ENOTSUP);
        }
        if self.core.options.immediate {
            return Err(Error::EFAULT);
        }
        self.connect(addr)?;
        Ok(self.pattern.last_attached_routing_id())
    }

    /// `zmq_socket_get_peer_state` (draft). As libzmq, it neither checks
    /// for a terminated context nor handles commands: the HWM seen is the
    /// one the last send, receive or `ZMQ_EVENTS` left.
    pub fn peer_state(&mut self, routing_id: &[u8]) -> Result<i16> {
        let (pattern, cx) = self.cx_split();
        pattern.peer_state(&cx, routing_id)
    }

    /// `zmq_join`: joins a group (DISH only, else `ENOTSUP`). `EINVAL` for
    /// a group longer than `ZMQ_GROUP_MAX_LENGTH` or already joined. The
    /// name ends at the first NUL, as a C string would. Like libzmq, this
    /// neither checks for a terminated context nor processes commands.
    pub fn join(&mut self, group: impl AsRef<[u8]>) -> Result<()> {
        let (pattern, mut cx) = self.cx_split();
        let r = pattern.join(&mut cx, group.as_ref());
        self.reap_finished();
        r
    }

    /// `zmq_leave`: leaves a group (DISH only, else `ENOTSUP`). `EINVAL`
    /// for a group that is too long or was not joined.
    pub fn leave(&mut self, group: impl AsRef<[u8]>) -> Result<()> {
        let (pattern, mut cx) = self.cx_split();
        let r = pattern.leave(&mut cx, group.as_ref());
        self.reap_finished();
        r
    }

    /// `zmq_unbind`.
    pub fn unbind(&mut self, addr: &str) -> Result<()> {
        self.term_endpoint(addr)
    }

    /// `zmq_disconnect`.
    pub fn disconnect(&mut self, addr: &str) -> Result<()> {
        self.term_endpoint(addr)
    }

    /// libzmq serves unbind and disconnect with one function: for inproc, a
    /// name we bound is released (its connections stay up); otherwise the
    /// connections we made to it are closed; `ENOENT` if neither.
    fn term_endpoint(&mut self, addr: &str) -> Result<()> {
        self.check_alive()?;
        self.process_commands()?;
        let ep = Endpoint::parse(addr, self.socket_type())?;
        if ep.scheme != Scheme::Inproc {
            return self.term_io_endpoint(addr);
        }
        if self.core.ctx.unbind_inproc(addr, self.core.id).is_ok() {
            self.core.bound_inproc.retain(|a| a != addr);
            return Ok(());
        }
        let ids: Vec<PipeId> = self
            .core
            .connected_inproc
            .iter()
            .filter(|(a, _)| a == addr)
            .map(|(_, id)| *id)
            .collect();
        if ids.is_empty() {
            return Err(Error::ENOENT);
        }
        for id in ids {
            if let Some(p) = self.core.pipes.get_mut(id) {
                p.send_disconnect_msg();
            }
            self.terminate_pipe(id);
        }
        Ok(())
    }

    fn terminate_pipe(&mut self, id: PipeId) {
        if let Some(p) = self.core.pipes.get_mut(id) {
            p.terminate();
        }
        self.remove_pipe(id);
    }

    /// Whether a message can be received now (for pollers).
    pub fn has_in(&mut self) -> bool {
        let (pattern, mut cx) = self.cx_split();
        pattern.has_in(&mut cx)
    }

    /// `zmq_close`: terminates every pipe (pending outbound messages stay
    /// readable by inproc peers) and leaves the context.
    pub fn close(self) {
        drop(self)
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // Commands not yet handled first: an inproc peer's `Bind(pipe)`
        // names this mailbox as the pipe's owner, so left in the queue it
        // would keep mailbox and pipe alive (a leak), and the peer would
        // never see its pipe end. Attached here, it is terminated below.
        while let Some(cmd) = self.core.mailbox.try_recv() {
            self.handle(cmd);
        }
        // Pipes first: a session must see its pipe end (and send what is
        // queued) before the `Term` that tells it to linger.
        for p in self.core.pipes.iter_mut() {
            p.send_disconnect_msg();
            p.terminate();
        }
        self.close_io_endpoints();
        self.core.monitor.stop(true);
        self.core.ctx.unregister_socket(self.core.id);
    }
}

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_draft;
#[cfg(test)]
mod tests_monitor;
#[cfg(test)]
mod tests_options;
#[cfg(test)]
mod tests_radio_dish;
#[cfg(test)]
mod tests_stream;
#[cfg(test)]
mod tests_udp;
#[cfg(test)]
mod tests_ws;
