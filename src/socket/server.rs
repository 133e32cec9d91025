//! SERVER (rfc-47): talks to many CLIENTs. Each connection gets a 32-bit
//! routing id, set on every message received from it; a message sent goes
//! to the connection its routing id names. Single-part messages only.
//!
//! PEER (rfc-51) is the same pattern; it only adds `zmq_connect_peer`,
//! which needs the id given to the connection it just made.

use super::single::{next_single, random_u32, reject_more};
use super::{Cx, Pattern};
use crate::id_map::IdMap;
use crate::msg::Msg;
use crate::pipe::PipeId;
use crate::routing::FairQueue;
use crate::{Error, Result};

pub struct Server {
    fq: FairQueue,
    /// Routing id -> pipe.
    out: std::collections::HashMap<u32, PipeId>,
    /// Pipe -> routing id, for stamping received messages.
    ids: IdMap<u32>,
    next_routing_id: u32,
    last_routing_id: u32,
}

impl Default for Server {
    fn default() -> Server {
        Server {
            fq: FairQueue::default(),
            out: Default::default(),
            ids: IdMap::default(),
            next_routing_id: random_u32(),
            last_routing_id: 0,
        }
    }
}

impl Server {
    fn new_routing_id(&mut self) -> u32 {
        let mut id = self.next_routing_id;
        self.next_routing_id = self.next_routing_id.wrapping_add(1);
        if id == 0 {
            // Zero means "no routing id" on a message.
            id = self.next_routing_id;
            self.next_routing_id = self.next_routing_id.wrapping_add(1);
        }
        id
    }
}

impl Pattern for Server {
    fn attach(&mut self, _cx: &mut Cx, pipe: PipeId, _local: bool) {
        let id = self.new_routing_id();
        self.out.insert(id, pipe);
        self.ids.insert(pipe, id);
        self.last_routing_id = id;
        self.fq.attach(pipe);
    }

    fn send(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<()> {
        reject_more(msg)?;
        let pipe = *self.out.get(&msg.routing_id()).ok_or(Error::EHOSTUNREACH)?;
        if !cx.pipes.check_write(pipe) {
            // The pipe reports itself again with `ActivateWrite`.
            return Err(Error::EAGAIN);
        }
        let mut m = msg.take();
        // The id names the peer on our side only; an inproc CLIENT must
        // not see it.
        m.reset_routing_id();
        // A write refused now (the pipe is closing) loses the message, as
        // in libzmq: the send still succeeds.
        if cx.pipes.write(pipe, m).is_ok() {
            cx.pipes.flush(pipe);
        }
        Ok(())
    }

    fn recv(&mut self, cx: &mut Cx) -> Result<Msg> {
        let fq = &mut self.fq;
        let (mut m, pipe) = next_single(|| fq.recv_pipe(cx.pipes)).ok_or(Error::EAGAIN)?;
        if let Some(&id) = self.ids.get(&pipe) {
            m.set_routing_id(id)?;
        }
        Ok(m)
    }

    fn has_in(&mut self, cx: &mut Cx) -> bool {
        self.fq.has_in(cx.pipes)
    }

    /// Whether a send succeeds depends on the routing id, so SERVER always
    /// says it can write (as libzmq does).
    fn has_out(&mut self, _cx: &mut Cx) -> bool {
        true
    }

    fn read_activated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.fq.activated(pipe);
    }

    fn write_activated(&mut self, _cx: &mut Cx, _pipe: PipeId) {}

    fn pipe_terminated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        if let Some(id) = self.ids.remove(&pipe) {
            self.out.remove(&id);
        }
        self.fq.pipe_terminated(pipe);
    }

    fn last_attached_routing_id(&self) -> u32 {
        self.last_routing_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_ids_increment_and_skip_zero() {
        let mut s = Server {
            next_routing_id: u32::MAX,
            ..Server::default()
        };
        assert_eq!(s.new_routing_id(), u32::MAX);
        assert_eq!(s.new_routing_id(), 1, "zero is never handed out");
        assert_eq!(s.new_routing_id(), 2);
    }
}
