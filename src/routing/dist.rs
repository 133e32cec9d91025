//! Fan-out: sends each message to every matching pipe (PUB, XPUB, RADIO).
//!
//! The pipe list is split, as in libzmq, into regions: `[0, matching)` are
//! the targets of the message being sent, `[0, active)` may receive the
//! current message, `[0, eligible)` will be active once the current
//! multipart message ends (pipes attached mid-message must not see its
//! tail), the rest are full and wait for `activated`.

use crate::msg::Msg;
use crate::pipe::PipeId;
use crate::routing::pipes::Pipes;

#[derive(Debug, Default)]
pub struct Distributor {
    pipes: Vec<PipeId>,
    matching: usize,
    active: usize,
    eligible: usize,
    more: bool,
}

impl Distributor {
    fn index(&self, id: PipeId) -> Option<usize> {
        self.pipes.iter().position(|&p| p == id)
    }

    pub fn attach(&mut self, id: PipeId) {
        self.pipes.push(id);
        let last = self.pipes.len() - 1;
        if self.more {
            self.pipes.swap(self.eligible, last);
            self.eligible += 1;
        } else {
            self.pipes.swap(self.active, last);
            self.active += 1;
            self.eligible += 1;
        }
    }

    /// Marks a pipe as a target of the next message.
    pub fn mark_matching(&mut self, id: PipeId) {
        let Some(i) = self.index(id) else { return };
        if i < self.matching || i >= self.eligible {
            return;
        }
        self.pipes.swap(i, self.matching);
        self.matching += 1;
    }

    /// Swaps matching and non-matching eligible pipes (INVERT_MATCHING).
    pub fn reverse_match(&mut self) {
        let prev = self.matching;
        self.matching = 0;
        for i in prev..self.eligible {
            self.pipes.swap(i, self.matching);
            self.matching += 1;
        }
    }

    pub fn unmatch(&mut self) {
        self.matching = 0;
    }

    pub fn pipe_terminated(&mut self, id: PipeId) {
        if let Some(i) = self.index(id) {
            if i < self.matching {
                self.pipes.swap(i, self.matching - 1);
                self.matching -= 1;
            }
        }
        if let Some(i) = self.index(id) {
            if i < self.active {
                self.pipes.swap(i, self.active - 1);
                self.active -= 1;
            }
        }
        if let Some(i) = self.index(id) {
            if i < self.eligible {
                self.pipes.swap(i, self.eligible - 1);
                self.eligible -= 1;
            }
        }
        if let Some(i) = self.index(id) {
            self.pipes.remove(i);
        }
    }

    /// A full pipe has room again.
    pub fn activated(&mut self, id: PipeId) {
        let Some(i) = self.index(id) else { return };
        if i >= self.eligible {
            self.pipes.swap(i, self.eligible);
            self.eligible += 1;
        }
        if !self.more && self.active < self.eligible {
            self.pipes.swap(self.eligible - 1, self.active);
            self.active += 1;
        }
    }

    pub fn send_to_all(&mut self, pipes: &mut Pipes, msg: Msg) {
        self.matching = self.active;
        self.send_to_matching(pipes, msg);
    }

    pub fn send_to_matching(&mut self, pipes: &mut Pipes, mut msg: Msg) {
        let more = msg.has_more();
        let mut i = 0;
        while i < self.matching {
            let id = self.pipes[i];
            if self.write(pipes, id, msg.share(), more) {
                i += 1;
            }
            // On failure the pipe was swapped out of the matching region
            // and another took index i: retry the same index.
        }
        drop(msg);
        if !more {
            self.active = self.eligible;
        }
        self.more = more;
    }

    fn write(&mut self, pipes: &mut Pipes, id: PipeId, msg: Msg, more: bool) -> bool {
        if pipes.write(id, msg).is_err() {
            let i = self.index(id).unwrap_or(0);
            self.pipes.swap(i, self.matching - 1);
            self.matching -= 1;
            let i = self.index(id).unwrap_or(0);
            self.pipes.swap(i, self.active - 1);
            self.active -= 1;
            self.pipes.swap(self.active, self.eligible - 1);
            self.eligible -= 1;
            return false;
        }
        if !more {
            pipes.flush(id);
        }
        true
    }

    /// Whether every matching pipe has room (XPUB_NODROP).
    pub fn check_hwm(&self, pipes: &mut Pipes) -> bool {
        self.pipes[..self.matching]
            .iter()
            .all(|&id| pipes.get_mut(id).is_none_or(|p| p.check_hwm()))
    }
}
