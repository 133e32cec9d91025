//! The routing parts patterns are built from: load balancing, fair queuing,
//! fan-out distribution, the subscription trie and the routing-id table
//! of ROUTER and STREAM.

pub mod dist;
pub mod fq;
pub mod lb;
pub mod outpipes;
pub mod pipes;
pub mod trie;

pub use dist::Distributor;
pub use fq::FairQueue;
pub use lb::LoadBalancer;
pub use outpipes::{IntegralIds, OutPipes};
pub use trie::SubscriptionTrie;

use crate::pipe::PipeId;

/// A list of pipes whose first `active` entries are the usable ones, as
/// libzmq's array with swapping keeps them: activation and deactivation are
/// O(1) swaps.
#[derive(Debug, Default)]
pub struct ActiveSet {
    pub pipes: Vec<PipeId>,
    pub active: usize,
}

impl ActiveSet {
    pub fn index(&self, id: PipeId) -> Option<usize> {
        self.pipes.iter().position(|&p| p == id)
    }

    /// Adds a pipe as active.
    pub fn attach(&mut self, id: PipeId) {
        self.pipes.push(id);
        let last = self.pipes.len() - 1;
        self.pipes.swap(self.active, last);
        self.active += 1;
    }

    /// Moves an inactive pipe into the active part.
    pub fn activate(&mut self, id: PipeId) {
        if let Some(i) = self.index(id) {
            if i >= self.active {
                self.pipes.swap(i, self.active);
                self.active += 1;
            }
        }
    }

    /// Moves the pipe at `i` out of the active part.
    pub fn deactivate_at(&mut self, i: usize) {
        self.active -= 1;
        self.pipes.swap(i, self.active);
    }

    /// Removes a pipe; returns its former index and whether it was active.
    pub fn remove(&mut self, id: PipeId) -> Option<(usize, bool)> {
        let i = self.index(id)?;
        let was_active = i < self.active;
        if was_active {
            self.deactivate_at(i);
        }
        let j = self.index(id)?;
        self.pipes.swap_remove(j);
        // swap_remove moved the last element into j; it was inactive, fine.
        Some((i, was_active))
    }
}
