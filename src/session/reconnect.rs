//! When a connecting session tries again, and when it gives up: libzmq's
//! `stream_connecter_base_t::get_new_reconnect_ivl` and the
//! `ZMQ_RECONNECT_STOP` conditions.

use std::io;

use crate::options::consts::{
    ZMQ_RECONNECT_STOP_AFTER_DISCONNECT, ZMQ_RECONNECT_STOP_CONN_REFUSED,
};
use crate::options::Options;

/// The back-off of one series of attempts. libzmq makes a new connecter
/// (and so a new series) each time a connection is lost; `reset` is that.
#[derive(Debug, Default)]
pub struct Backoff {
    /// The interval last used; `None` before the first retry.
    current: Option<i32>,
}

impl Backoff {
    pub fn reset(&mut self) {
        self.current = None;
    }

    /// The wait before the next attempt, in ms (`reconnect_ivl` > 0).
    ///
    /// With `ZMQ_RECONNECT_IVL_MAX` set, the first wait is the interval and
    /// each next one doubles, capped at the maximum (which may be below the
    /// interval: then every wait is the maximum). Without it, each wait is
    /// the interval plus a random part below it, so peers that lost the
    /// same server do not all come back in the same millisecond.
    pub fn next_interval(&mut self, options: &Options) -> i32 {
        let ivl = options.reconnect_ivl.max(1);
        let max = options.reconnect_ivl_max;
        if max > 0 {
            let candidate = match self.current {
                None => ivl,
                Some(c) => c.saturating_mul(2),
            };
            let next = candidate.min(max);
            self.current = Some(next);
            return next;
        }
        let base = *self.current.get_or_insert(ivl);
        base.saturating_add(jitter(ivl))
    }
}

/// A random number in `0..below`.
fn jitter(below: i32) -> i32 {
    (crate::util::random_u32() % below.max(1) as u32) as i32
}

/// Whether a failed connect ends the session rather than retrying:
/// `ZMQ_RECONNECT_STOP_CONN_REFUSED` and the peer refused.
pub fn stop_on_refused(options: &Options, errno: Option<i32>) -> bool {
    options.reconnect_stop & ZMQ_RECONNECT_STOP_CONN_REFUSED != 0
        && errno == Some(libc::ECONNREFUSED)
}

/// libzmq's ipc connecter under `ZMQ_RECONNECT_STOP_AFTER_DISCONNECT`: a
/// refused ipc connect is not retried once the socket has disconnected or
/// unbound any endpoint (`socket_disconnected`).
pub fn stop_after_disconnect(
    options: &Options,
    endpoint: &str,
    error: &io::Error,
    socket_disconnected: bool,
) -> bool {
    options.reconnect_stop & ZMQ_RECONNECT_STOP_AFTER_DISCONNECT != 0
        && endpoint.starts_with("ipc://")
        && error.raw_os_error() == Some(libc::ECONNREFUSED)
        && socket_disconnected
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(ivl: i32, max: i32) -> Options {
        let mut o = Options::new(crate::socket::types::DEALER);
        o.reconnect_ivl = ivl;
        o.reconnect_ivl_max = max;
        o
    }

    #[test]
    fn with_a_maximum_the_interval_doubles_up_to_it() {
        let o = options(100, 1000);
        let mut b = Backoff::default();
        let waits: Vec<i32> = (0..6).map(|_| b.next_interval(&o)).collect();
        assert_eq!(waits, [100, 200, 400, 800, 1000, 1000]);
        b.reset();
        assert_eq!(b.next_interval(&o), 100, "a new series starts over");
    }

    #[test]
    fn a_maximum_below_the_interval_caps_every_wait() {
        let o = options(500, 200);
        let mut b = Backoff::default();
        assert_eq!(b.next_interval(&o), 200);
        assert_eq!(b.next_interval(&o), 200);
    }

    #[test]
    fn without_a_maximum_the_wait_is_the_interval_plus_jitter_below_it() {
        let o = options(100, 0);
        let mut b = Backoff::default();
        for _ in 0..50 {
            let w = b.next_interval(&o);
            assert!((100..200).contains(&w), "{w}");
        }
    }

    #[test]
    fn only_a_refusal_with_the_flag_stops_reconnecting() {
        let mut o = options(100, 0);
        assert!(!stop_on_refused(&o, Some(libc::ECONNREFUSED)));
        o.reconnect_stop = ZMQ_RECONNECT_STOP_CONN_REFUSED;
        assert!(stop_on_refused(&o, Some(libc::ECONNREFUSED)));
        assert!(!stop_on_refused(&o, Some(libc::ETIMEDOUT)));
        assert!(!stop_on_refused(&o, None));
    }
}
