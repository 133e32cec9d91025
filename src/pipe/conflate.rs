//! The one-slot queue behind `ZMQ_CONFLATE`: a write replaces the waiting
//! message, so the reader always gets the latest.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::msg::Msg;

#[derive(Default)]
pub struct Slot {
    msg: Mutex<Option<Msg>>,
    /// Set, under the lock, by a reader that found the slot empty.
    asleep: AtomicBool,
}

pub fn slot() -> Arc<Slot> {
    Arc::new(Slot::default())
}

impl Slot {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Msg>> {
        self.msg.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn write(&self, m: Msg) {
        let old = self.lock().replace(m);
        // The replaced message is released outside the lock: its free
        // function may call back into the library.
        drop(old);
    }

    /// False if the reader slept and must be woken.
    pub fn flush(&self) -> bool {
        !self.asleep.swap(false, Ordering::AcqRel)
    }

    pub fn check_read(&self) -> bool {
        let g = self.lock();
        if g.is_some() {
            return true;
        }
        self.asleep.store(true, Ordering::Release);
        false
    }

    pub fn read(&self) -> Option<Msg> {
        let mut g = self.lock();
        let m = g.take();
        if m.is_none() {
            self.asleep.store(true, Ordering::Release);
        }
        m
    }

    pub fn is_delimiter_next(&self) -> bool {
        self.lock().as_ref().is_some_and(|m| m.is_delimiter())
    }
}
