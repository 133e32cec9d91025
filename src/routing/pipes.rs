//! The pipes a socket owns, by id, and the bookkeeping of finished ones.

use crate::id_map::IdMap;
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId};

/// Every pipe of one socket. Patterns refer to pipes by id and go through
/// this table, which notes pipes that finish (peer's delimiter read) so the
/// socket can remove them after the pattern's call returns.
///
/// The pipes sit in a vector; the map finds an id's slot, and the slot of
/// the last pipe used is tried first, which on the per-message path (one
/// connection, or a burst to and from one peer) skips the hash lookup.
#[derive(Default)]
pub struct Pipes {
    slots: Vec<Pipe>,
    /// The id of the pipe in each slot.
    ids: Vec<PipeId>,
    index: IdMap<usize>,
    /// The slot of the last pipe looked up.
    hint: usize,
    finished: Vec<PipeId>,
}

impl Pipes {
    pub fn insert(&mut self, pipe: Pipe) {
        let id = pipe.id();
        if let Some(&i) = self.index.get(&id) {
            self.slots[i] = pipe;
            return;
        }
        self.index.insert(id, self.slots.len());
        self.slots.push(pipe);
        self.ids.push(id);
    }

    pub fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        let i = self.index.remove(&id)?;
        let pipe = self.slots.swap_remove(i);
        self.ids.swap_remove(i);
        if let Some(&moved) = self.ids.get(i) {
            self.index.insert(moved, i);
        }
        Some(pipe)
    }

    /// The slot of `id`, trying the last one used first.
    fn slot(&mut self, id: PipeId) -> Option<usize> {
        if self.ids.get(self.hint) == Some(&id) {
            return Some(self.hint);
        }
        let i = *self.index.get(&id)?;
        self.hint = i;
        Some(i)
    }

    pub fn get(&self, id: PipeId) -> Option<&Pipe> {
        self.index.get(&id).map(|&i| &self.slots[i])
    }

    pub fn get_mut(&mut self, id: PipeId) -> Option<&mut Pipe> {
        let i = self.slot(id)?;
        Some(&mut self.slots[i])
    }

    pub fn ids(&self) -> Vec<PipeId> {
        self.ids.clone()
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    fn note_finished(&mut self, id: PipeId) {
        if self.get(id).is_some_and(|p| p.is_finished()) && !self.finished.contains(&id) {
            self.finished.push(id);
        }
    }

    /// Reads a frame from a pipe (see [`Pipe::read`]).
    pub fn read(&mut self, id: PipeId) -> Option<Msg> {
        let p = self.get_mut(id)?;
        let m = p.read();
        if m.is_none() {
            self.note_finished(id);
        }
        m
    }

    pub fn check_read(&mut self, id: PipeId) -> bool {
        let Some(p) = self.get_mut(id) else {
            return false;
        };
        let ok = p.check_read();
        if !ok {
            self.note_finished(id);
        }
        ok
    }

    pub fn check_write(&mut self, id: PipeId) -> bool {
        self.get_mut(id).is_some_and(|p| p.check_write())
    }

    /// Writes a frame, or hands it back if the pipe is full, closing or gone.
    pub fn write(&mut self, id: PipeId, msg: Msg) -> Result<(), Msg> {
        match self.get_mut(id) {
            Some(p) => p.write(msg),
            None => Err(msg),
        }
    }

    pub fn flush(&mut self, id: PipeId) {
        if let Some(p) = self.get_mut(id) {
            p.flush();
        }
    }

    pub fn rollback(&mut self, id: PipeId) {
        if let Some(p) = self.get_mut(id) {
            p.rollback();
        }
    }

    /// Terminates our side of a pipe; the socket removes it afterwards.
    pub fn terminate(&mut self, id: PipeId) {
        if let Some(p) = self.get_mut(id) {
            p.terminate();
            self.note_finished(id);
        }
    }

    /// Takes the list of pipes that finished since the last call.
    pub fn take_finished(&mut self) -> Vec<PipeId> {
        std::mem::take(&mut self.finished)
    }

    pub fn has_finished(&self) -> bool {
        !self.finished.is_empty()
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Pipe> {
        self.slots.iter_mut()
    }
}
