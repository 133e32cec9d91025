//! Load balancing: writes each whole message to the next pipe with room.

use super::ActiveSet;
use crate::msg::Msg;
use crate::pipe::PipeId;
use crate::routing::pipes::Pipes;
use crate::{Error, Result};

#[derive(Debug, Default)]
pub struct LoadBalancer {
    set: ActiveSet,
    current: usize,
    /// The last frame sent had MORE: stay on the current pipe.
    more: bool,
    /// The current pipe died mid-message: drop the rest of it.
    dropping: bool,
}

impl LoadBalancer {
    pub fn attach(&mut self, id: PipeId) {
        self.set.attach(id);
    }

    pub fn activated(&mut self, id: PipeId) {
        self.set.activate(id);
    }

    pub fn pipe_terminated(&mut self, id: PipeId) {
        let i = self.set.index(id);
        if self.more && i == Some(self.current) {
            self.dropping = true;
        }
        if let Some((_, was_active)) = self.set.remove(id) {
            if was_active && self.current == self.set.active {
                self.current = 0;
            }
        }
    }

    /// Sends a frame; on success takes `msg` and returns the pipe used.
    /// `EAGAIN` (message untouched) if no pipe has room.
    pub fn send_pipe(&mut self, pipes: &mut Pipes, msg: &mut Msg) -> Result<Option<PipeId>> {
        if self.dropping {
            self.more = msg.has_more();
            self.dropping = self.more;
            drop(msg.take());
            return Ok(None);
        }
        let mut m = msg.take();
        loop {
            if self.set.active == 0 {
                *msg = m;
                return Err(Error::EAGAIN);
            }
            let id = self.set.pipes[self.current];
            let more = m.has_more();
            match pipes.write(id, m) {
                Ok(()) => {
                    self.more = more;
                    if !self.more {
                        pipes.flush(id);
                        self.current += 1;
                        if self.current >= self.set.active {
                            self.current = 0;
                        }
                    }
                    return Ok(Some(id));
                }
                Err(back) => {
                    m = back;
                    if self.more {
                        // The pipe died mid-message; its frames are lost.
                        pipes.rollback(id);
                        self.more = false;
                        drop(m);
                        return Ok(None);
                    }
                    self.set.active -= 1;
                    if self.current < self.set.active {
                        self.set.pipes.swap(self.current, self.set.active);
                    } else {
                        self.current = 0;
                    }
                }
            }
        }
    }

    pub fn send(&mut self, pipes: &mut Pipes, msg: &mut Msg) -> Result<()> {
        self.send_pipe(pipes, msg).map(|_| ())
    }

    pub fn has_out(&mut self, pipes: &mut Pipes) -> bool {
        if self.more {
            return true;
        }
        while self.set.active > 0 {
            if pipes.check_write(self.set.pipes[self.current]) {
                return true;
            }
            self.set.active -= 1;
            self.set.pipes.swap(self.current, self.set.active);
            if self.current == self.set.active {
                self.current = 0;
            }
        }
        false
    }
}
