//! What ROUTER and STREAM share (libzmq's `routing_socket_base_t`): the
//! table of peers by routing id, `ZMQ_CONNECT_ROUTING_ID`, the ids made
//! up for peers that bring none, and the routing-id frame put in front of
//! each received message.

use std::collections::HashMap;

use crate::msg::Msg;
use crate::pipe::PipeId;
use crate::routing::pipes::Pipes;
use crate::{Error, Result};

/// A peer's pipe and whether it took the last message (false once it
/// refused one for its HWM, until the peer reads).
#[derive(Debug, Clone, Copy)]
pub struct OutPipe {
    pub pipe: PipeId,
    pub active: bool,
}

/// The peers of a routing socket by routing id, and the routing id to
/// give the next connection we make.
#[derive(Debug, Default)]
pub struct OutPipes {
    map: HashMap<Vec<u8>, OutPipe>,
    connect_routing_id: Vec<u8>,
}

impl OutPipes {
    /// Records a peer, writable.
    pub fn add(&mut self, routing_id: Vec<u8>, pipe: PipeId) {
        self.map.insert(routing_id, OutPipe { pipe, active: true });
    }

    pub fn has(&self, routing_id: &[u8]) -> bool {
        self.map.contains_key(routing_id)
    }

    pub fn lookup(&self, routing_id: &[u8]) -> Option<&OutPipe> {
        self.map.get(routing_id)
    }

    pub fn lookup_mut(&mut self, routing_id: &[u8]) -> Option<&mut OutPipe> {
        self.map.get_mut(routing_id)
    }

    /// The routing id a pipe is known by.
    pub fn routing_id_of(&self, pipe: PipeId) -> Option<&Vec<u8>> {
        self.map
            .iter()
            .find(|(_, o)| o.pipe == pipe)
            .map(|(k, _)| k)
    }

    /// Forgets a pipe (it terminated); returns the id it had.
    pub fn erase_pipe(&mut self, pipe: PipeId) -> Option<Vec<u8>> {
        let id = self.routing_id_of(pipe)?.clone();
        self.map.remove(&id);
        Some(id)
    }

    /// Moves the peer known as `old` to `new` (ROUTER's handover).
    pub fn rename(&mut self, old: &[u8], new: Vec<u8>) {
        if let Some(o) = self.map.remove(old) {
            self.map.insert(new, o);
        }
    }

    /// libzmq's `xwrite_activated`: the peer read, its pipe takes
    /// messages again.
    pub fn write_activated(&mut self, pipe: PipeId) {
        if let Some(o) = self.map.values_mut().find(|o| o.pipe == pipe) {
            o.active = true;
        }
    }

    pub fn pipes(&self) -> impl Iterator<Item = &OutPipe> {
        self.map.values()
    }

    /// `ZMQ_CONNECT_ROUTING_ID`: the id of the next connection we make.
    /// Empty is `EINVAL`; any other length is taken, as libzmq's
    /// `routing_socket_base_t` does (the 255-byte limit is
    /// `ZMQ_ROUTING_ID`'s, which goes on the wire; this id stays local).
    pub fn set_connect_routing_id(&mut self, value: &[u8]) -> Result<()> {
        if value.is_empty() {
            return Err(Error::EINVAL);
        }
        self.connect_routing_id = value.to_vec();
        Ok(())
    }

    /// Takes the id set for the next connection, if any (it applies once).
    pub fn take_connect_routing_id(&mut self) -> Option<Vec<u8>> {
        (!self.connect_routing_id.is_empty()).then(|| std::mem::take(&mut self.connect_routing_id))
    }
}

/// libzmq's `_next_integral_routing_id`: ids for peers that bring none,
/// five bytes, a zero (which application-chosen ids may not start with)
/// then a big-endian counter from a random start.
#[derive(Debug)]
pub struct IntegralIds(u32);

impl Default for IntegralIds {
    fn default() -> IntegralIds {
        IntegralIds(crate::util::random_u32())
    }
}

impl IntegralIds {
    pub fn next_id(&mut self) -> Vec<u8> {
        let n = self.0;
        self.0 = n.wrapping_add(1);
        let mut id = Vec::with_capacity(5);
        id.push(0);
        id.extend_from_slice(&n.to_be_bytes());
        id
    }
}

/// The routing-id frame put in front of `first`, a message from `pipe`:
/// the pipe's routing id, MORE, and the message's metadata (so
/// `zmq_msg_gets` works on either frame).
pub fn routing_id_frame(pipes: &Pipes, pipe: PipeId, first: &Msg) -> Msg {
    let rid = pipes
        .get(pipe)
        .map(|p| p.routing_id.as_slice())
        .unwrap_or(&[]);
    let mut m = Msg::from_slice(rid);
    m.set_more(true);
    m.set_metadata(first.metadata().cloned());
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_ids_are_zero_then_a_big_endian_counter() {
        let mut ids = IntegralIds(0xffff_fffe);
        assert_eq!(ids.next_id(), [0, 0xff, 0xff, 0xff, 0xfe]);
        assert_eq!(ids.next_id(), [0, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(ids.next_id(), [0, 0, 0, 0, 0], "wraps");
    }

    #[test]
    fn connect_routing_id_applies_once() {
        let mut t = OutPipes::default();
        assert_eq!(t.set_connect_routing_id(b""), Err(Error::EINVAL));
        t.set_connect_routing_id(&[1; 300]).unwrap();
        t.set_connect_routing_id(b"conn1").unwrap();
        assert_eq!(t.take_connect_routing_id().as_deref(), Some(&b"conn1"[..]));
        assert_eq!(t.take_connect_routing_id(), None);
    }
}
