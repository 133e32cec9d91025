//! ROUTER (rfc-28): addresses peers by routing id. Received messages are
//! prefixed with the sender's id; the first frame of a sent message names
//! the peer to send it to.
//!
//! With `ZMQ_ROUTER_RAW` (deprecated in libzmq, still supported by 4.3.5)
//! the connections are raw, as STREAM's: each peer gets a generated id,
//! frames sent are written bare, and an empty frame closes the peer.

use super::{Cx, Pattern};
use crate::msg::Msg;
use crate::options;
use crate::pipe::PipeId;
use crate::routing::outpipes::routing_id_frame;
use crate::routing::{FairQueue, IntegralIds, OutPipes};
use crate::{Error, Result};

#[derive(Default)]
pub struct Router {
    fq: FairQueue,
    outpipes: OutPipes,
    /// Pipes whose routing id has not arrived yet.
    anonymous: Vec<PipeId>,
    ids: IntegralIds,
    prefetched: Option<Msg>,
    prefetched_id: Option<Msg>,
    more_in: bool,
    more_out: bool,
    current_out: Option<PipeId>,
    mandatory: bool,
    handover: bool,
    probe: bool,
    /// `ZMQ_ROUTER_RAW`: an empty frame closes the peer's connection.
    raw: bool,
}

impl Router {
    /// Reads the peer's routing id from the pipe (or makes one up); false
    /// if it has not arrived yet or clashes with a connected peer.
    fn identify_peer(&mut self, cx: &mut Cx, pipe: PipeId, local: bool) -> bool {
        let connect_id = if local {
            self.outpipes.take_connect_routing_id()
        } else {
            None
        };
        let id = if let Some(id) = connect_id {
            if self.outpipes.has(&id) {
                return false;
            }
            id
        } else if cx.options.raw_socket {
            // Raw peers send no routing id: always make one up.
            self.ids.next_id()
        } else {
            let Some(msg) = cx.pipes.read(pipe) else {
                return false;
            };
            if msg.size() == 0 {
                self.ids.next_id()
            } else {
                let id = msg.data().to_vec();
                if let Some(old) = self.outpipes.lookup(&id) {
                    if !self.handover {
                        return false;
                    }
                    // Hand the id over: the old connection gets a generated
                    // one and is closed.
                    let old_pipe = old.pipe;
                    let new_id = self.ids.next_id();
                    self.outpipes.rename(&id, new_id);
                    if self.current_out == Some(old_pipe) {
                        self.current_out = None;
                    }
                    cx.pipes.terminate(old_pipe);
                }
                id
            }
        };
        if let Some(p) = cx.pipes.get_mut(pipe) {
            p.routing_id = id.clone();
        }
        self.outpipes.add(id, pipe);
        true
    }

    /// Drops the frames written for the message being sent (REP's labels).
    pub fn rollback(&mut self, cx: &mut Cx) {
        if let Some(p) = self.current_out.take() {
            cx.pipes.rollback(p);
        }
        self.more_out = false;
    }

    /// Reads the next frame, skipping routing-id messages from reconnects.
    fn fq_recv(&mut self, cx: &mut Cx) -> Option<(Msg, PipeId)> {
        loop {
            let (m, p) = self.fq.recv_pipe(cx.pipes)?;
            if !m.is_routing_id() {
                return Some((m, p));
            }
        }
    }

    fn id_frame(&self, cx: &Cx, pipe: PipeId, first: &Msg) -> Msg {
        routing_id_frame(cx.pipes, pipe, first)
    }
}

impl Pattern for Router {
    fn attach(&mut self, cx: &mut Cx, pipe: PipeId, local: bool) {
        if self.probe {
            let _ = cx.pipes.write(pipe, Msg::new());
            cx.pipes.flush(pipe);
        }
        if self.identify_peer(cx, pipe, local) {
            self.fq.attach(pipe);
        } else {
            self.anonymous.push(pipe);
        }
    }

    fn send(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<()> {
        if !self.more_out {
            if msg.has_more() {
                self.more_out = true;
                if let Some(o) = self.outpipes.lookup_mut(msg.data()) {
                    let pipe = o.pipe;
                    if cx.pipes.check_write(pipe) {
                        self.current_out = Some(pipe);
                    } else {
                        let full = cx.pipes.get(pipe).is_some_and(|p| !p.check_hwm());
                        o.active = false;
                        if self.mandatory {
                            self.more_out = false;
                            return Err(if full {
                                Error::EAGAIN
                            } else {
                                Error::EHOSTUNREACH
                            });
                        }
                    }
                } else if self.mandatory {
                    self.more_out = false;
                    return Err(Error::EHOSTUNREACH);
                }
            }
            drop(msg.take());
            return Ok(());
        }
        let mut m = msg.take();
        if cx.options.raw_socket {
            // A raw peer has no frames: each part is written on its own.
            m.set_more(false);
        }
        self.more_out = m.has_more();
        if let Some(p) = self.current_out {
            if self.raw && m.size() == 0 {
                // libzmq's way to close a raw peer: an empty frame.
                cx.pipes.terminate(p);
                self.current_out = None;
                return Ok(());
            }
            if cx.pipes.write(p, m).is_err() {
                cx.pipes.rollback(p);
                self.current_out = None;
            } else if !self.more_out {
                cx.pipes.flush(p);
                self.current_out = None;
            }
        }
        Ok(())
    }

    fn recv(&mut self, cx: &mut Cx) -> Result<Msg> {
        if let Some(id) = self.prefetched_id.take() {
            return Ok(id);
        }
        if let Some(m) = self.prefetched.take() {
            self.more_in = m.has_more();
            return Ok(m);
        }
        let (m, pipe) = self.fq_recv(cx).ok_or(Error::EAGAIN)?;
        if self.more_in {
            self.more_in = m.has_more();
            return Ok(m);
        }
        let id = self.id_frame(cx, pipe, &m);
        self.prefetched = Some(m);
        Ok(id)
    }

    fn has_in(&mut self, cx: &mut Cx) -> bool {
        if self.more_in || self.prefetched.is_some() {
            return true;
        }
        let Some((m, pipe)) = self.fq_recv(cx) else {
            return false;
        };
        self.prefetched_id = Some(self.id_frame(cx, pipe, &m));
        self.prefetched = Some(m);
        true
    }

    fn has_out(&mut self, cx: &mut Cx) -> bool {
        if !self.mandatory {
            return true;
        }
        self.outpipes
            .pipes()
            .any(|o| cx.pipes.get(o.pipe).is_some_and(|p| p.check_hwm()))
    }

    fn read_activated(&mut self, cx: &mut Cx, pipe: PipeId) {
        if let Some(i) = self.anonymous.iter().position(|&p| p == pipe) {
            if self.identify_peer(cx, pipe, false) {
                self.anonymous.swap_remove(i);
                self.fq.attach(pipe);
            }
        } else {
            self.fq.activated(pipe);
        }
    }

    fn write_activated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.outpipes.write_activated(pipe);
    }

    fn pipe_terminated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        if let Some(i) = self.anonymous.iter().position(|&p| p == pipe) {
            self.anonymous.swap_remove(i);
            return;
        }
        self.outpipes.erase_pipe(pipe);
        self.fq.pipe_terminated(pipe);
        if self.current_out == Some(pipe) {
            self.current_out = None;
        }
    }

    fn peer_state(&self, cx: &Cx, routing_id: &[u8]) -> Result<i16> {
        let o = self
            .outpipes
            .lookup(routing_id)
            .ok_or(Error::EHOSTUNREACH)?;
        // libzmq looks only at the HWM, not at whether the pipe is closing.
        let writable = cx.pipes.get(o.pipe).is_some_and(|p| p.check_hwm());
        Ok(if writable { super::POLLOUT } else { 0 })
    }

    fn set_option(&mut self, cx: &mut Cx, option: i32, value: &[u8]) -> Option<Result<()>> {
        if option == options::consts::ZMQ_CONNECT_ROUTING_ID {
            return Some(self.outpipes.set_connect_routing_id(value));
        }
        if option == options::consts::ZMQ_ROUTER_RAW {
            return Some(options::codec::nonneg_flag(value).map(|raw| {
                // As libzmq: turning it off leaves the socket raw, only
                // the empty-frame close stops.
                self.raw = raw;
                if raw {
                    cx.options.enable_router_raw();
                }
            }));
        }
        let slot = match option {
            options::consts::ZMQ_ROUTER_MANDATORY => &mut self.mandatory,
            options::consts::ZMQ_ROUTER_HANDOVER => &mut self.handover,
            options::consts::ZMQ_PROBE_ROUTER => &mut self.probe,
            _ => return None,
        };
        Some(options::codec::nonneg_flag(value).map(|v| *slot = v))
    }
}
