//! Fair queuing: reads round-robin across pipes, a whole multipart message
//! from one pipe at a time.

use super::ActiveSet;
use crate::msg::Msg;
use crate::pipe::PipeId;
use crate::routing::pipes::Pipes;

#[derive(Debug, Default)]
pub struct FairQueue {
    set: ActiveSet,
    current: usize,
    /// In the middle of a multipart message from `set.pipes[current]`.
    more: bool,
}

impl FairQueue {
    pub fn attach(&mut self, id: PipeId) {
        self.set.attach(id);
    }

    pub fn activated(&mut self, id: PipeId) {
        self.set.activate(id);
    }

    pub fn pipe_terminated(&mut self, id: PipeId) {
        if let Some((i, was_active)) = self.set.remove(id) {
            if was_active && self.current == self.set.active {
                self.current = 0;
            }
            if i == self.current && self.more {
                self.more = false;
            }
        }
    }

    fn drop_current(&mut self) {
        self.set.deactivate_at(self.current);
        if self.current == self.set.active {
            self.current = 0;
        }
    }

    /// The next frame and the pipe it came from.
    pub fn recv_pipe(&mut self, pipes: &mut Pipes) -> Option<(Msg, PipeId)> {
        while self.set.active > 0 {
            let id = self.set.pipes[self.current];
            if let Some(m) = pipes.read(id) {
                self.more = m.has_more();
                if !self.more {
                    self.current += 1;
                    if self.current >= self.set.active {
                        self.current = 0;
                    }
                }
                return Some((m, id));
            }
            // A pipe never runs dry inside a message (only whole messages
            // are published), unless it died: forget the partial message.
            self.more = false;
            self.drop_current();
        }
        None
    }

    pub fn recv(&mut self, pipes: &mut Pipes) -> Option<Msg> {
        self.recv_pipe(pipes).map(|(m, _)| m)
    }

    pub fn has_in(&mut self, pipes: &mut Pipes) -> bool {
        if self.more {
            return true;
        }
        while self.set.active > 0 {
            if pipes.check_read(self.set.pipes[self.current]) {
                return true;
            }
            self.drop_current();
        }
        false
    }
}
