//! GATHER (rfc-49): fair-queues single-part messages from its SCATTERs;
//! cannot send.

use super::single::next_single;
use super::{Cx, Pattern};
use crate::msg::Msg;
use crate::pipe::PipeId;
use crate::routing::FairQueue;
use crate::{Error, Result};

#[derive(Default)]
pub struct Gather {
    fq: FairQueue,
}

impl Pattern for Gather {
    fn attach(&mut self, _cx: &mut Cx, pipe: PipeId, _local: bool) {
        self.fq.attach(pipe);
    }

    fn send(&mut self, _cx: &mut Cx, _msg: &mut Msg) -> Result<()> {
        Err(Error::ENOTSUP)
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

    fn has_out(&mut self, _cx: &mut Cx) -> bool {
        false
    }

    fn read_activated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.fq.activated(pipe);
    }

    fn write_activated(&mut self, _cx: &mut Cx, _pipe: PipeId) {}

    fn pipe_terminated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.fq.pipe_terminated(pipe);
    }
}
