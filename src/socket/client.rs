//! CLIENT (rfc-47): load-balances messages to its SERVERs and fair-queues
//! their replies, single-part only.

use super::single::{next_single, reject_more};
use super::{Cx, Pattern};
use crate::msg::Msg;
use crate::pipe::PipeId;
use crate::routing::{FairQueue, LoadBalancer};
use crate::{Error, Result};

#[derive(Default)]
pub struct Client {
    lb: LoadBalancer,
    fq: FairQueue,
}

impl Pattern for Client {
    fn attach(&mut self, _cx: &mut Cx, pipe: PipeId, _local: bool) {
        self.fq.attach(pipe);
        self.lb.attach(pipe);
    }

    fn send(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<()> {
        reject_more(msg)?;
        self.lb.send(cx.pipes, msg)
    }

    fn recv(&mut self, cx: &mut Cx) -> Result<Msg> {
        let fq = &mut self.fq;
        next_single(|| fq.recv_pipe(cx.pipes))
            .map(|(m, _)| m)
            .ok_or(Error::EAGAIN)
    }

    fn has_in(&mut self, cx: &mut Cx) -> bool {
        self.fq.has_in(cx.pipes)
    }

    fn has_out(&mut self, cx: &mut Cx) -> bool {
        self.lb.has_out(cx.pipes)
    }

    fn read_activated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.fq.activated(pipe);
    }

    fn write_activated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.lb.activated(pipe);
    }

    fn pipe_terminated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.fq.pipe_terminated(pipe);
        self.lb.pipe_terminated(pipe);
    }
}
