//! The udp io object: libzmq's `udp_engine_t` and the session around it,
//! in one object, because udp has no connection, handshake or reconnect
//! for a session to manage: one non-blocking socket, opened by the socket
//! at bind/connect time, and one pipe to the socket from the start.
//!
//! - RADIO (connect, send only): each message goes out as one datagram to
//!   the address (see `wire`); every message, whatever its group, since
//!   no joins travel over udp.
//! - DISH (bind, receive only): each datagram becomes a message with its
//!   group; the DISH filters groups itself. The joins and leaves the DISH
//!   writes to the pipe are read and dropped.
//! - DGRAM (bind, both): a datagram arrives as an address frame
//!   (`ip:port`) and a body frame; a message sent is such a pair, the
//!   address saying where it goes.
//!
//! As in libzmq, a datagram the pipe has no room for (HWM) is dropped and
//! reading stops until the socket reads; malformed datagrams are dropped;
//! no monitor events are raised.

// pub(crate) for the fuzzers (src/fuzzing).
pub(crate) mod wire;

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::event::Source;
use mio::net::UdpSocket;
use mio::Interest;

use crate::io::{IoCx, IoObject, ObjectId};
use crate::msg::{flags, Msg};
use crate::pipe::{Pipe, PipeCommand};
use crate::transport::udp::{destination, parse_peer_frame, peer_frame};

/// The largest datagram read: more than any IPv4/IPv6 udp payload, so
/// nothing is cut (libzmq reads at most 8192 bytes and cuts the rest).
const MAX_DATAGRAM: usize = 65_536;

/// How the udp object works, fixed at bind/connect time.
#[derive(Debug, Clone)]
pub(crate) struct UdpConfig {
    pub(crate) send: bool,
    pub(crate) recv: bool,
    /// DGRAM: address frames instead of groups.
    pub(crate) raw: bool,
    /// Where RADIO sends (unused by DGRAM, whose messages say).
    pub(crate) target: SocketAddr,
    /// `ZMQ_LINGER` at bind/connect; `Term` brings the value at close.
    pub(crate) linger: i32,
}

pub(crate) struct UdpSession {
    id: ObjectId,
    cfg: UdpConfig,
    /// `None` once ended, or from the start if opening failed (libzmq's
    /// engine then fails on plug and the session ends).
    socket: Option<UdpSocket>,
    ipv6_socket: bool,
    pipe: Option<Pipe>,
    readable: bool,
    writable: bool,
    /// The pipe refused a message: no reading until the socket reads
    /// (libzmq's `reset_pollin`).
    input_blocked: bool,
    /// A datagram the kernel had no room for, and where it goes.
    out: Vec<u8>,
    out_dest: Option<SocketAddr>,
    buf: Vec<u8>,
    /// Set when the socket closed its end: the linger deadline, if any.
    terminating: Option<Option<Instant>>,
    finished: bool,
}

impl UdpSession {
    /// `socket` is the result of opening it on the socket's thread; an
    /// error ends the object as soon as it is plugged, terminating `pipe`.
    pub(crate) fn new(
        id: ObjectId,
        cfg: UdpConfig,
        socket: io::Result<UdpSocket>,
        pipe: Pipe,
    ) -> UdpSession {
        let socket = socket.ok();
        let ipv6_socket = socket
            .as_ref()
            .and_then(|s| s.local_addr().ok())
            .is_some_and(|a| a.is_ipv6());
        UdpSession {
            id,
            cfg,
            socket,
            ipv6_socket,
            pipe: Some(pipe),
            readable: false,
            writable: false,
            input_blocked: false,
            out: Vec::new(),
            out_dest: None,
            buf: Vec::new(),
            terminating: None,
            finished: false,
        }
    }

    /// Moves datagrams both ways until nothing moves.
    fn pump(&mut self, cx: &mut IoCx) {
        while !self.finished && (self.read_input() | self.write_output()) {}
        self.check_finished(cx);
    }

    /// Reads datagrams into the pipe while there are some and it has room.
    fn read_input(&mut self) -> bool {
        if !self.cfg.recv || !self.readable || self.input_blocked || self.terminating.is_some() {
            return false;
        }
        let (Some(socket), Some(pipe)) = (self.socket.as_ref(), self.pipe.as_mut()) else {
            return false;
        };
        if self.buf.len() < MAX_DATAGRAM {
            self.buf.resize(MAX_DATAGRAM, 0);
        }
        let mut delivered = false;
        loop {
            match socket.recv_from(&mut self.buf) {
                Ok((n, peer)) => {
                    let datagram = &self.buf[..n];
                    match deliver(pipe, datagram, &peer, self.cfg.raw) {
                        Delivery::Delivered => delivered = true,
                        Delivery::Dropped => {}
                        Delivery::PipeFull => {
                            self.input_blocked = true;
                            break;
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // WouldBlock, or an error queued on the socket (an ICMP
                // report): nothing more to read until the next edge.
                Err(_) => {
                    self.readable = false;
                    break;
                }
            }
        }
        if delivered {
            pipe.flush();
        }
        delivered
    }

    /// Sends what the pipe holds; a receive-only object drops it (DISH's
    /// joins, as libzmq's `restart_output`).
    fn write_output(&mut self) -> bool {
        let Some(pipe) = self.pipe.as_mut() else {
            return false;
        };
        if !self.cfg.send {
            let mut progress = false;
            while pipe.read().is_some() {
                progress = true;
            }
            return progress;
        }
        let Some(socket) = self.socket.as_ref() else {
            return false;
        };
        let mut progress = false;
        loop {
            if self.out_dest.is_none() {
                match next_datagram(pipe, &self.cfg, self.ipv6_socket, &mut self.out) {
                    Some(dest) => self.out_dest = Some(dest),
                    None => break,
                }
                progress = true;
            }
            let Some(dest) = self.out_dest else { break };
            if !self.writable {
                break;
            }
            match socket.send_to(&self.out, dest) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.writable = false;
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // Sent, or refused by the kernel (too large, no route):
                // either way the datagram is done with, as in libzmq.
                _ => {
                    self.out_dest = None;
                    progress = true;
                }
            }
        }
        progress
    }

    /// The socket closed its end (or was gone before we were plugged):
    /// send what it queued, then end, within the linger time.
    fn linger(&mut self, cx: &mut IoCx) {
        if let Some(p) = self.pipe.as_mut() {
            p.peer_terminated();
        }
        if self.cfg.linger == 0 {
            self.end(cx);
            return;
        }
        if self.terminating.is_none() {
            let linger = self.cfg.linger;
            let deadline =
                (linger > 0).then(|| Instant::now() + Duration::from_millis(linger as u64));
            self.terminating = Some(deadline);
        }
        self.pump(cx);
    }

    /// Done lingering once the pipe reached its end and nothing waits for
    /// the kernel.
    fn check_finished(&mut self, cx: &mut IoCx) {
        if self.finished || self.terminating.is_none() {
            return;
        }
        let pipe_done = self.pipe.as_ref().is_none_or(|p| p.is_finished());
        if pipe_done && self.out_dest.is_none() {
            self.end(cx);
        }
    }

    fn end(&mut self, cx: &mut IoCx) {
        if let Some(mut s) = self.socket.take() {
            let _ = s.deregister(cx.registry);
        }
        if let Some(mut p) = self.pipe.take() {
            cx.unroute_pipe(p.id());
            p.terminate();
        }
        self.out_dest = None;
        self.finished = true;
    }
}

enum Delivery {
    Delivered,
    Dropped,
    PipeFull,
}

/// Writes a received datagram to the pipe as the socket type reads it.
fn deliver(pipe: &mut Pipe, datagram: &[u8], peer: &SocketAddr, raw: bool) -> Delivery {
    if raw {
        let Some(address) = peer_frame(peer) else {
            return Delivery::Dropped;
        };
        let mut address = Msg::from_slice(&address);
        address.set_flags(flags::MORE);
        if pipe.write(address).is_err() {
            return Delivery::PipeFull;
        }
        // The address frame passed the HWM check, which counts whole
        // messages: its body is always taken.
        if pipe.write(Msg::from_slice(datagram)).is_err() {
            pipe.rollback();
            return Delivery::PipeFull;
        }
        return Delivery::Delivered;
    }
    let Some(msg) = wire::decode(datagram) else {
        return Delivery::Dropped;
    };
    match pipe.write(msg) {
        Ok(()) => Delivery::Delivered,
        Err(_) => Delivery::PipeFull,
    }
}

/// The next datagram from the pipe into `out`, and where it goes; `None`
/// when the pipe is empty. Messages that cannot be sent are skipped: a
/// DGRAM address libzmq cannot parse, or anything but data on RADIO's
/// pipe.
fn next_datagram(
    pipe: &mut Pipe,
    cfg: &UdpConfig,
    ipv6_socket: bool,
    out: &mut Vec<u8>,
) -> Option<SocketAddr> {
    loop {
        let first = pipe.read()?;
        out.clear();
        if cfg.raw {
            // DGRAM sends address and body together (it refuses other
            // shapes), and the pipe publishes whole messages only.
            if !first.has_more() {
                continue;
            }
            let body = pipe.read()?;
            let Some(peer) = parse_peer_frame(first.data()) else {
                continue;
            };
            out.extend_from_slice(body.data());
            return Some(destination(peer, ipv6_socket));
        }
        if first.is_command() {
            continue;
        }
        wire::encode(first.group().to_bytes(), first.data(), out);
        return Some(cfg.target);
    }
}

impl IoObject for UdpSession {
    fn id(&self) -> ObjectId {
        self.id
    }

    fn plugged(&mut self, cx: &mut IoCx) {
        if let Some(p) = &self.pipe {
            p.set_owner(cx.mailbox.clone());
            cx.route_pipe(p.id());
        }
        let interest = match (self.cfg.send, self.cfg.recv) {
            (true, true) => Interest::READABLE | Interest::WRITABLE,
            (true, false) => Interest::WRITABLE,
            _ => Interest::READABLE,
        };
        let registered = match self.socket.as_mut() {
            Some(s) => s.register(cx.registry, cx.token(), interest).is_ok(),
            None => false,
        };
        if !registered {
            self.end(cx);
            return;
        }
        self.readable = self.cfg.recv;
        self.writable = self.cfg.send;
        // Commands sent before we owned the pipe were not delivered: the
        // socket may have closed already.
        if self.pipe.as_ref().is_some_and(|p| p.peer_is_terminated()) {
            self.linger(cx);
            return;
        }
        self.pump(cx);
    }

    fn ready(&mut self, cx: &mut IoCx, readable: bool, writable: bool, _read_closed: bool) {
        self.readable |= readable;
        self.writable |= writable;
        self.pump(cx);
    }

    fn pipe_command(&mut self, cx: &mut IoCx, cmd: PipeCommand) {
        match cmd {
            PipeCommand::ActivateRead(_) => {
                if let Some(p) = self.pipe.as_mut() {
                    p.activate_read();
                }
            }
            PipeCommand::ActivateWrite(_, n) => {
                if let Some(p) = self.pipe.as_mut() {
                    p.activate_write(n);
                }
                self.input_blocked = false;
            }
            PipeCommand::PipeTerm(_) => {
                self.linger(cx);
                return;
            }
            PipeCommand::PeerStats {
                queue_count,
                reply,
                endpoints,
                ..
            } => {
                if let Some(p) = &self.pipe {
                    p.process_peer_stats(queue_count, reply.as_ref(), endpoints);
                }
                return;
            }
            // Subscriptions are the socket's to resend; statistics answers
            // go to sockets.
            PipeCommand::Hiccup(_) | PipeCommand::StatsPublish { .. } => {}
        }
        self.pump(cx);
    }

    fn term(&mut self, cx: &mut IoCx, linger: i32) {
        self.cfg.linger = linger;
        if self.pipe.as_ref().is_some_and(|p| p.peer_is_terminated()) {
            // Close: what the socket sent before still goes out.
            self.terminating = None;
            self.linger(cx);
        } else {
            // Unbind or disconnect: the endpoint ends now.
            self.end(cx);
        }
    }

    fn timeout(&mut self, cx: &mut IoCx, now: Instant) {
        if self.terminating.flatten().is_some_and(|d| now >= d) {
            self.end(cx);
        }
    }

    fn deadline(&self) -> Option<Instant> {
        self.terminating.flatten()
    }

    fn done(&self) -> bool {
        self.finished
    }
}
