//! The `zmq_atomic_counter_*` counter: a 32-bit integer shared between
//! threads, with libzmq's return conventions.

use std::sync::atomic::{AtomicI32, Ordering};

/// A thread-safe counter starting at zero. Arithmetic wraps, as libzmq's
/// unsigned 32-bit counter does (its values are read back as `int`).
#[derive(Debug, Default)]
pub struct AtomicCounter(AtomicI32);

impl AtomicCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the value.
    pub fn set(&self, value: i32) {
        self.0.store(value, Ordering::SeqCst);
    }

    /// Add one; the value *before* the increment.
    pub fn inc(&self) -> i32 {
        self.0.fetch_add(1, Ordering::SeqCst)
    }

    /// Subtract one; whether the value *after* the decrement is non-zero
    /// (libzmq's `zmq_atomic_counter_dec` returns this as 1 or 0).
    pub fn dec(&self) -> bool {
        self.0.fetch_sub(1, Ordering::SeqCst).wrapping_sub(1) != 0
    }

    /// The current value.
    pub fn value(&self) -> i32 {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_counter_is_zero() {
        assert_eq!(AtomicCounter::new().value(), 0);
    }

    #[test]
    fn inc_returns_the_old_value() {
        let c = AtomicCounter::new();
        assert_eq!(c.inc(), 0);
        assert_eq!(c.inc(), 1);
        assert_eq!(c.value(), 2);
    }

    #[test]
    fn dec_returns_whether_the_new_value_is_nonzero() {
        let c = AtomicCounter::new();
        c.set(2);
        assert!(c.dec());
        assert!(!c.dec());
        assert_eq!(c.value(), 0);
        // Below zero is non-zero, as libzmq's wrapping unsigned counter.
        assert!(c.dec());
        assert_eq!(c.value(), -1);
    }

    #[test]
    fn arithmetic_wraps_at_the_32_bit_limits() {
        let c = AtomicCounter::new();
        c.set(i32::MAX);
        assert_eq!(c.inc(), i32::MAX);
        assert_eq!(c.value(), i32::MIN);
    }

    #[test]
    fn increments_from_many_threads_all_count() {
        let c = AtomicCounter::new();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..1000 {
                        c.inc();
                    }
                });
            }
        });
        assert_eq!(c.value(), 4000);
    }
}
