//! When a listener accepts again after an accept failed for want of
//! resources (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`): 10 ms, doubling
//! up to 1 s while it keeps failing, back to 10 ms once a batch drains.
//! The connection waits in the kernel's backlog meanwhile.

use std::time::{Duration, Instant};

/// Whether a failed accept consumed its connection, so the next one can
/// be taken at once: the peer reset it before we took it (`ECONNABORTED`,
/// `EPROTO`) or a firewall refused it (`EPERM`). Anything else (no
/// descriptors, no memory, or an error nobody expects) leaves the backlog
/// as it was, and retrying at once would spin.
pub(super) fn connection_lost(errno: i32) -> bool {
    matches!(errno, libc::ECONNABORTED | libc::EPROTO | libc::EPERM)
}

#[derive(Default)]
pub(super) struct AcceptRetry {
    at: Option<Instant>,
    failures: u32,
}

impl AcceptRetry {
    const FIRST: Duration = Duration::from_millis(10);
    const MAX: Duration = Duration::from_secs(1);

    /// After a failure at `now`: the next try.
    pub(super) fn schedule(&mut self, now: Instant) {
        let wait = Self::FIRST
            .saturating_mul(1 << self.failures.min(7))
            .min(Self::MAX);
        self.failures = self.failures.saturating_add(1);
        self.at = Some(now + wait);
    }

    /// Accepting works again (the backlog drained).
    pub(super) fn reset(&mut self) {
        self.at = None;
        self.failures = 0;
    }

    pub(super) fn at(&self) -> Option<Instant> {
        self.at
    }

    /// Whether the retry is due at `now`; if so it is taken.
    pub(super) fn due(&mut self, now: Instant) -> bool {
        if self.at.is_some_and(|t| now >= t) {
            self.at = None;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_10_ms_to_1_s_and_reset_once_accepting_works() {
        let now = Instant::now();
        let mut r = AcceptRetry::default();
        let mut waits = Vec::new();
        for _ in 0..9 {
            r.schedule(now);
            waits.push((r.at().unwrap() - now).as_millis());
        }
        assert_eq!(waits, [10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        assert!(!r.due(now));
        assert!(r.due(now + Duration::from_secs(1)));
        assert_eq!(r.at(), None);
        r.schedule(now);
        r.reset();
        r.schedule(now);
        assert_eq!((r.at().unwrap() - now).as_millis(), 10);
    }

    #[test]
    fn only_a_connection_reset_or_refused_before_accept_is_skipped_at_once() {
        assert!(connection_lost(libc::ECONNABORTED));
        assert!(connection_lost(libc::EPROTO));
        for errno in [libc::EMFILE, libc::ENFILE, libc::ENOBUFS, libc::ENOMEM] {
            assert!(!connection_lost(errno));
        }
    }
}
