//! DISH (rfc-48): receives the messages of the groups it joined from its
//! RADIOs. Joining and leaving are sent upstream as JOIN/LEAVE messages
//! and filtered here too, so a message of a group we left that was already
//! in flight is not delivered. Cannot send.

use std::collections::BTreeSet;

use super::{Cx, Pattern};
use crate::msg::{Msg, GROUP_MAX_LENGTH};
use crate::pipe::PipeId;
use crate::routing::{Distributor, FairQueue};
use crate::{Error, Result};

#[derive(Default)]
pub struct Dish {
    fq: FairQueue,
    dist: Distributor,
    /// Ordered, as libzmq's set, so a new RADIO gets the joins in the same
    /// order.
    groups: BTreeSet<Vec<u8>>,
    /// A matching message fetched by `has_in`.
    message: Option<Msg>,
}

/// The group as C passes it (up to the first NUL); `EINVAL` past
/// `ZMQ_GROUP_MAX_LENGTH`.
fn group_name(group: &[u8]) -> Result<&[u8]> {
    let end = group.iter().position(|&b| b == 0).unwrap_or(group.len());
    let group = &group[..end];
    if group.len() > GROUP_MAX_LENGTH {
        return Err(Error::EINVAL);
    }
    Ok(group)
}

fn command(join: bool, group: &[u8]) -> Msg {
    let mut m = if join { Msg::join() } else { Msg::leave() };
    // The length was checked by the caller; set_group cannot fail.
    let _ = m.set_group(group);
    m
}

impl Dish {
    fn next_matching(&mut self, cx: &mut Cx) -> Option<Msg> {
        loop {
            let m = self.fq.recv(cx.pipes)?;
            if self.groups.contains(m.group().to_bytes()) {
                return Some(m);
            }
        }
    }
}

impl Pattern for Dish {
    fn attach(&mut self, cx: &mut Cx, pipe: PipeId, _local: bool) {
        self.fq.attach(pipe);
        self.dist.attach(pipe);
        for g in &self.groups {
            // Joins past the HWM are lost, as in libzmq.
            let _ = cx.pipes.write(pipe, command(true, g));
        }
        cx.pipes.flush(pipe);
    }

    fn send(&mut self, _cx: &mut Cx, _msg: &mut Msg) -> Result<()> {
        Err(Error::ENOTSUP)
    }

    fn recv(&mut self, cx: &mut Cx) -> Result<Msg> {
        if let Some(m) = self.message.take() {
            return Ok(m);
        }
        self.next_matching(cx).ok_or(Error::EAGAIN)
    }

    fn has_in(&mut self, cx: &mut Cx) -> bool {
        if self.message.is_none() {
            self.message = self.next_matching(cx);
        }
        self.message.is_some()
    }

    /// Joins and leaves can be sent at any time.
    fn has_out(&mut self, _cx: &mut Cx) -> bool {
        true
    }

    fn read_activated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.fq.activated(pipe);
    }

    fn write_activated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.dist.activated(pipe);
    }

    fn pipe_terminated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.fq.pipe_terminated(pipe);
        self.dist.pipe_terminated(pipe);
    }

    fn join(&mut self, cx: &mut Cx, group: &[u8]) -> Result<()> {
        let group = group_name(group)?;
        if !self.groups.insert(group.to_vec()) {
            return Err(Error::EINVAL);
        }
        self.dist.send_to_all(cx.pipes, command(true, group));
        Ok(())
    }

    fn leave(&mut self, cx: &mut Cx, group: &[u8]) -> Result<()> {
        let group = group_name(group)?;
        if !self.groups.remove(group) {
            return Err(Error::EINVAL);
        }
        self.dist.send_to_all(cx.pipes, command(false, group));
        Ok(())
    }
}
