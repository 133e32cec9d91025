//! PAIR (rfc-31): exactly one peer; a second connection is refused.

use super::{Cx, Pattern};
use crate::msg::Msg;
use crate::pipe::PipeId;
use crate::{Error, Result};

#[derive(Default)]
pub struct Pair {
    pipe: Option<PipeId>,
}

impl Pattern for Pair {
    fn attach(&mut self, cx: &mut Cx, pipe: PipeId, _local: bool) {
        if self.pipe.is_none() {
            self.pipe = Some(pipe);
        } else {
            cx.pipes.terminate(pipe);
        }
    }

    fn send(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<()> {
        let id = self.pipe.ok_or(Error::EAGAIN)?;
        let more = msg.has_more();
        match cx.pipes.write(id, msg.take()) {
            Ok(()) => {
                if !more {
                    cx.pipes.flush(id);
                }
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
        cx.pipes.read(id).ok_or(Error::EAGAIN)
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
