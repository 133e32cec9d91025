//! DEALER (rfc-28): load-balances out, fair-queues in.

use super::{Cx, Pattern};
use crate::msg::Msg;
use crate::options;
use crate::pipe::PipeId;
use crate::routing::{FairQueue, LoadBalancer};
use crate::{Error, Result};

#[derive(Default)]
pub struct Dealer {
    lb: LoadBalancer,
    fq: FairQueue,
    probe_router: bool,
}

impl Dealer {
    /// Sends a frame and says which pipe took it (REQ tracks it).
    pub fn send_pipe(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<Option<PipeId>> {
        self.lb.send_pipe(cx.pipes, msg)
    }

    pub fn recv_pipe(&mut self, cx: &mut Cx) -> Result<(Msg, PipeId)> {
        self.fq.recv_pipe(cx.pipes).ok_or(Error::EAGAIN)
    }
}

impl Pattern for Dealer {
    fn attach(&mut self, cx: &mut Cx, pipe: PipeId, _local: bool) {
        if self.probe_router {
            let _ = cx.pipes.write(pipe, Msg::new());
            cx.pipes.flush(pipe);
        }
        self.fq.attach(pipe);
        self.lb.attach(pipe);
    }
    fn send(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<()> {
        self.lb.send(cx.pipes, msg)
    }
    fn recv(&mut self, cx: &mut Cx) -> Result<Msg> {
        self.fq.recv(cx.pipes).ok_or(Error::EAGAIN)
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
    fn set_option(&mut self, _cx: &mut Cx, option: i32, value: &[u8]) -> Option<Result<()>> {
        if option == options::consts::ZMQ_PROBE_ROUTER {
            return Some(options::codec::nonneg_flag(value).map(|v| self.probe_router = v));
        }
        None
    }
}
