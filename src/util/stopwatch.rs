//! The `zmq_stopwatch_*` timer of the perf tools: microseconds on the
//! monotonic clock.

use std::time::Instant;

/// A running stopwatch.
#[derive(Debug, Clone, Copy)]
pub struct Stopwatch(Instant);

impl Stopwatch {
    /// Start now.
    pub fn start() -> Self {
        Stopwatch(Instant::now())
    }

    /// Microseconds since the start.
    pub fn elapsed_us(&self) -> u64 {
        u64::try_from(self.0.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn elapsed_counts_microseconds() {
        let w = Stopwatch::start();
        std::thread::sleep(Duration::from_millis(20));
        let us = w.elapsed_us();
        assert!((20_000..10_000_000).contains(&us), "{us}");
        assert!(w.elapsed_us() >= us);
    }
}
