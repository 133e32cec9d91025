//! CHANNEL (rfc-52): PAIR's single peer with the thread-safe types'
//! single-part rule. Further connections are refused.

use super::single::{next_single, reject_more};
use super::{Cx, Pattern};
use crate::msg::Msg;
use crate::pipe::PipeId;
use crate::{Error, Result};

#[derive(Default)]
pub struct Channel {
    pipe: Option<PipeId>,
}

impl Pattern for Channel {
    fn attach(&mut self, cx: &mut Cx, pipe: PipeId, _local: bool) {
        if self.pipe.is_none() {
            self.pipe = Some(pipe);
        } else {
            cx.pipes.terminate(pipe);
        }
    }

    fn send(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<()> {
        reject_more(msg)?;
        let id = self.pipe.ok_or(Error::EAGAIN)?;
        match cx.pipes.write(id, msg.take()) {
            Ok(()) => {
                cx.pipes.flush(id);
                Ok(())
            }
            Err(back) => {
                *msg = back;
                Err(Error::EAGAIN)
            }
        }
    }

    fn recv(&mut self, cx: &mut Cx) -> Result<Msg> {
        let id = self.pipe.ok_or(Error::EAGAIN)?;
        next_single(|| cx.pipes.read(id).map(|m| (m, ())))
            .map(|(m, _)| m)
            .ok_or(Error::EAGAIN)
    }

    fn has_in(&mut self, cx: &mut Cx) -> bool {
        self.pipe.is_some_and(|id| cx.pipes.check_read(id))
    }

    fn has_out(&mut self, cx: &mut Cx) -> bool {
        self.pipe.is_some_and(|id| cx.pipes.check_write(id))
    }

    fn read_activated(&mut self, _cx: &mut Cx, _pipe: PipeId) {}

    fn write_activated(&mut self, _cx: &mut Cx, _pipe: PipeId) {}

    fn pipe_terminated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        if self.pipe == Some(pipe) {
            self.pipe = None;
        }
    }
}
