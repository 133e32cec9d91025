//! RADIO (rfc-48): sends each message to the DISHes that joined its group.
//! DISHes tell us their groups with JOIN/LEAVE messages on the pipe
//! (`Msg::join()`/`Msg::leave()` with the group set; the ZMTP session
//! translates them to and from the wire commands). Cannot receive.

use std::collections::HashMap;

use super::single::reject_more;
use super::{Cx, Pattern};
use crate::msg::Msg;
use crate::options;
use crate::pipe::PipeId;
use crate::routing::Distributor;
use crate::{Error, Result};

#[derive(Default)]
pub struct Radio {
    dist: Distributor,
    /// Group -> the pipes that joined it. A multimap, as libzmq's: a pipe
    /// joining twice must leave twice.
    groups: HashMap<Vec<u8>, Vec<PipeId>>,
    /// `ZMQ_XPUB_NODROP`: block (or `EAGAIN`) instead of dropping for a
    /// DISH at its HWM.
    nodrop: bool,
    /// udp pipes, which get every message: the DISH filters.
    udp_pipes: Vec<PipeId>,
}

impl Radio {
    /// Applies the JOIN/LEAVE messages waiting on a pipe. Anything else a
    /// peer sends is dropped: RADIO has nothing to deliver it to.
    fn read_groups(&mut self, cx: &mut Cx, pipe: PipeId) {
        while let Some(m) = cx.pipes.read(pipe) {
            let group = m.group().to_bytes();
            if m.is_join() {
                self.groups.entry(group.to_vec()).or_default().push(pipe);
            } else if m.is_leave() {
                if let Some(pipes) = self.groups.get_mut(group) {
                    if let Some(i) = pipes.iter().position(|&p| p == pipe) {
                        pipes.remove(i);
                    }
                    if pipes.is_empty() {
                        self.groups.remove(group);
                    }
                }
            }
        }
    }
}

impl Pattern for Radio {
    fn attach(&mut self, cx: &mut Cx, pipe: PipeId, _local: bool) {
        self.dist.attach(pipe);
        // A DISH that connected before we bound has queued its joins.
        self.read_groups(cx, pipe);
    }

    fn send(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<()> {
        reject_more(msg)?;
        self.dist.unmatch();
        if let Some(pipes) = self.groups.get(msg.group().to_bytes()) {
            for &p in pipes {
                self.dist.mark_matching(p);
            }
        }
        for &p in &self.udp_pipes {
            self.dist.mark_matching(p);
        }
        if self.nodrop && !self.dist.check_hwm(cx.pipes) {
            return Err(Error::EAGAIN);
        }
        self.dist.send_to_matching(cx.pipes, msg.take());
        Ok(())
    }

    fn recv(&mut self, _cx: &mut Cx) -> Result<Msg> {
        Err(Error::ENOTSUP)
    }

    fn has_in(&mut self, _cx: &mut Cx) -> bool {
        false
    }

    fn has_out(&mut self, _cx: &mut Cx) -> bool {
        true
    }

    fn read_activated(&mut self, cx: &mut Cx, pipe: PipeId) {
        self.read_groups(cx, pipe);
    }

    fn write_activated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.dist.activated(pipe);
    }

    fn pipe_terminated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.groups.retain(|_, pipes| {
            pipes.retain(|&p| p != pipe);
            !pipes.is_empty()
        });
        self.udp_pipes.retain(|&p| p != pipe);
        self.dist.pipe_terminated(pipe);
    }

    fn subscribe_all(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.udp_pipes.push(pipe);
    }

    fn set_option(&mut self, _cx: &mut Cx, option: i32, value: &[u8]) -> Option<Result<()>> {
        (option == options::consts::ZMQ_XPUB_NODROP)
            .then(|| options::codec::nonneg_flag(value).map(|v| self.nodrop = v))
    }
}
