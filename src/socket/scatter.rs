//! SCATTER (rfc-49): load-balances single-part messages round-robin over
//! its GATHERs; cannot receive.

use super::single::reject_more;
use super::{Cx, Pattern};
use crate::msg::Msg;
use crate::pipe::PipeId;
use crate::routing::LoadBalancer;
use crate::{Error, Result};

#[derive(Default)]
pub struct Scatter {
    lb: LoadBalancer,
}

impl Pattern for Scatter {
    fn attach(&mut self, _cx: &mut Cx, pipe: PipeId, _local: bool) {
        self.lb.attach(pipe);
    }

    fn send(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<()> {
        reject_more(msg)?;
        self.lb.send(cx.pipes, msg)
    }

    fn recv(&mut self, _cx: &mut Cx) -> Result<Msg> {
        Err(Error::ENOTSUP)
    }

    fn has_in(&mut self, _cx: &mut Cx) -> bool {
        false
    }

    fn has_out(&mut self, cx: &mut Cx) -> bool {
        self.lb.has_out(cx.pipes)
    }

    fn read_activated(&mut self, _cx: &mut Cx, _pipe: PipeId) {}

    fn write_activated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.lb.activated(pipe);
    }

    fn pipe_terminated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.lb.pipe_terminated(pipe);
    }
}
