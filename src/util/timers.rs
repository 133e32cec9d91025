//! The `zmq_timers_*` set: repeating timers that fire when the owner calls
//! [`Timers::execute`], with libzmq 4.3.5's semantics.
//!
//! - Ids count up from 1 per set.
//! - A timer repeats every `interval` ms, measured from when it last fired
//!   (or was added, reset or given a new interval), until cancelled.
//! - Cancelling is lazy, as in libzmq: the id is remembered and the timer is
//!   dropped when `timeout` or `execute` reaches it, so a timer cancelled
//!   from inside a handler of the same `execute` does not fire. Cancelling an
//!   unknown or already cancelled id is `EINVAL`; so are `set_interval` and
//!   `reset` of an unknown id.
//! - `timeout` is the time until the first live timer, `None` (the C `-1`)
//!   when there is none.
//!
//! One deliberate difference: an `execute` fires each timer that was due
//! when it started at most once. libzmq re-examines timers it re-armed in
//! the same pass, so a timer with interval 0 makes its `execute` spin
//! forever.
//!
//! Handlers may call back into the set (add, cancel, ...): state lives in a
//! `RefCell` that is never borrowed while a handler runs. Like libzmq's,
//! a set belongs to one thread.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use crate::{Error, Result};

/// A set of timers whose handlers are values of type `H`.
pub struct Timers<H> {
    /// Zero of the millisecond clock the set runs on.
    epoch: Instant,
    state: RefCell<State<H>>,
}

struct State<H> {
    next_id: i32,
    /// Insertion counter: timers due at the same millisecond fire in the
    /// order they were scheduled, as in libzmq's multimap.
    next_seq: u64,
    /// Timers by (due time in ms, insertion order).
    queue: BTreeMap<(u64, u64), Timer<H>>,
    /// Ids cancelled but still in `queue`.
    cancelled: HashSet<i32>,
}

struct Timer<H> {
    id: i32,
    interval: u64,
    handler: H,
}

impl<H> State<H> {
    fn schedule(&mut self, when: u64, timer: Timer<H>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.queue.insert((when, seq), timer);
    }

    fn key_of(&self, id: i32) -> Option<(u64, u64)> {
        self.queue.iter().find(|(_, t)| t.id == id).map(|(k, _)| *k)
    }

    /// Move timer `id` to `interval` ms from `now` (and make that its
    /// interval if given).
    fn rearm(&mut self, id: i32, now: u64, interval: Option<u64>) -> Result<()> {
        let key = self.key_of(id).ok_or(Error::EINVAL)?;
        let mut timer = self.queue.remove(&key).ok_or(Error::EINVAL)?;
        if let Some(interval) = interval {
            timer.interval = interval;
        }
        self.schedule(now.saturating_add(timer.interval), timer);
        Ok(())
    }
}

impl<H> Default for Timers<H> {
    fn default() -> Self {
        Self::new()
    }
}

impl<H> Timers<H> {
    /// An empty set.
    pub fn new() -> Self {
        Timers {
            epoch: Instant::now(),
            state: RefCell::new(State {
                next_id: 0,
                next_seq: 0,
                queue: BTreeMap::new(),
                cancelled: HashSet::new(),
            }),
        }
    }

    /// Milliseconds since the set was made, on the monotonic clock.
    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Add a timer firing every `interval_ms`; its id.
    pub fn add(&self, interval_ms: u64, handler: H) -> i32 {
        self.add_at(self.now_ms(), interval_ms, handler)
    }

    /// Cancel timer `id`; `EINVAL` if unknown or already cancelled.
    pub fn cancel(&self, id: i32) -> Result<()> {
        let mut state = self.state.borrow_mut();
        if state.key_of(id).is_none() || !state.cancelled.insert(id) {
            return Err(Error::EINVAL);
        }
        Ok(())
    }

    /// Give timer `id` a new interval, counted from now; `EINVAL` if unknown.
    pub fn set_interval(&self, id: i32, interval_ms: u64) -> Result<()> {
        self.set_interval_at(self.now_ms(), id, interval_ms)
    }

    /// Restart timer `id`'s interval from now; `EINVAL` if unknown.
    pub fn reset(&self, id: i32) -> Result<()> {
        self.reset_at(self.now_ms(), id)
    }

    /// Milliseconds until the next live timer is due (0 if overdue), `None`
    /// if there is none. Drops cancelled timers ahead of it.
    pub fn timeout(&self) -> Option<u64> {
        self.timeout_at(self.now_ms())
    }

    /// Call `fire(id, handler)` for each live timer that is due, in due
    /// order, and re-arm it.
    pub fn execute(&self, fire: impl FnMut(i32, H))
    where
        H: Clone,
    {
        self.execute_at(self.now_ms(), fire)
    }

    // The same operations at an explicit time, for deterministic tests.

    pub(crate) fn add_at(&self, now: u64, interval_ms: u64, handler: H) -> i32 {
        let mut state = self.state.borrow_mut();
        state.next_id = state.next_id.wrapping_add(1);
        let id = state.next_id;
        let timer = Timer {
            id,
            interval: interval_ms,
            handler,
        };
        state.schedule(now.saturating_add(interval_ms), timer);
        id
    }

    pub(crate) fn set_interval_at(&self, now: u64, id: i32, interval_ms: u64) -> Result<()> {
        self.state.borrow_mut().rearm(id, now, Some(interval_ms))
    }

    pub(crate) fn reset_at(&self, now: u64, id: i32) -> Result<()> {
        self.state.borrow_mut().rearm(id, now, None)
    }

    pub(crate) fn timeout_at(&self, now: u64) -> Option<u64> {
        let mut state = self.state.borrow_mut();
        loop {
            let (key, id) = state.queue.first_key_value().map(|(k, t)| (*k, t.id))?;
            if !state.cancelled.remove(&id) {
                return Some(key.0.saturating_sub(now));
            }
            state.queue.remove(&key);
        }
    }

    pub(crate) fn execute_at(&self, now: u64, mut fire: impl FnMut(i32, H))
    where
        H: Clone,
    {
        // The timers due now, fixed before any handler runs.
        let due: Vec<(u64, u64)> = {
            let state = self.state.borrow();
            state
                .queue
                .range(..=(now, u64::MAX))
                .map(|(k, _)| *k)
                .collect()
        };
        for key in due {
            let next = {
                let mut state = self.state.borrow_mut();
                // A handler may have moved it (reset, set_interval).
                let Some(timer) = state.queue.remove(&key) else {
                    continue;
                };
                if state.cancelled.remove(&timer.id) {
                    continue;
                }
                let (id, handler) = (timer.id, timer.handler.clone());
                // Re-armed before its handler runs, so the handler can
                // cancel or reset it.
                state.schedule(now.saturating_add(timer.interval), timer);
                (id, handler)
            };
            fire(next.0, next.1);
        }
        // As libzmq, also drop the cancelled timers ahead of the next one.
        self.timeout_at(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    /// Run `execute_at` and list the ids that fired.
    fn fired<H: Clone>(t: &Timers<H>, now: u64) -> Vec<i32> {
        let mut ids = vec![];
        t.execute_at(now, |id, _| ids.push(id));
        ids
    }

    #[test]
    fn ids_count_up_from_one() {
        let t = Timers::new();
        assert_eq!(t.add_at(0, 10, ()), 1);
        assert_eq!(t.add_at(0, 10, ()), 2);
        assert_eq!(t.add_at(0, 10, ()), 3);
    }

    #[test]
    fn timeout_is_none_without_timers() {
        let t = Timers::<()>::new();
        assert_eq!(t.timeout_at(0), None);
    }

    #[test]
    fn timeout_counts_down_to_the_earliest_timer_and_stops_at_zero() {
        let t = Timers::new();
        t.add_at(100, 50, ());
        t.add_at(100, 20, ());
        assert_eq!(t.timeout_at(100), Some(20));
        assert_eq!(t.timeout_at(115), Some(5));
        assert_eq!(t.timeout_at(500), Some(0));
    }

    #[test]
    fn timer_fires_when_due_and_repeats_from_the_time_it_fired() {
        let t = Timers::new();
        let id = t.add_at(0, 10, ());
        assert!(fired(&t, 9).is_empty());
        assert_eq!(fired(&t, 12), [id]);
        assert_eq!(t.timeout_at(12), Some(10));
        assert!(fired(&t, 21).is_empty());
        assert_eq!(fired(&t, 22), [id]);
    }

    #[test]
    fn due_timers_fire_in_due_order_then_insertion_order() {
        let t = Timers::new();
        let late = t.add_at(0, 20, ());
        let a = t.add_at(0, 10, ());
        let b = t.add_at(0, 10, ());
        assert_eq!(fired(&t, 30), [a, b, late]);
    }

    #[test]
    fn cancelled_timer_never_fires_and_cancel_twice_is_einval() {
        let t = Timers::new();
        let id = t.add_at(0, 10, ());
        assert_eq!(t.cancel(id), Ok(()));
        assert_eq!(t.cancel(id), Err(Error::EINVAL));
        assert!(fired(&t, 100).is_empty());
        assert_eq!(t.timeout_at(100), None);
        // Gone for good now.
        assert_eq!(t.cancel(id), Err(Error::EINVAL));
    }

    #[test]
    fn unknown_ids_are_einval() {
        let t = Timers::<()>::new();
        assert_eq!(t.cancel(1), Err(Error::EINVAL));
        assert_eq!(t.set_interval_at(0, 1, 5), Err(Error::EINVAL));
        assert_eq!(t.reset_at(0, 1), Err(Error::EINVAL));
    }

    #[test]
    fn timeout_skips_cancelled_timers_ahead_of_a_live_one() {
        let t = Timers::new();
        let first = t.add_at(0, 10, ());
        t.add_at(0, 30, ());
        t.cancel(first).unwrap();
        assert_eq!(t.timeout_at(0), Some(30));
    }

    #[test]
    fn set_interval_reschedules_from_now_with_the_new_interval() {
        let t = Timers::new();
        let id = t.add_at(0, 10, ());
        t.set_interval_at(5, id, 100).unwrap();
        assert_eq!(t.timeout_at(5), Some(100));
        assert_eq!(fired(&t, 105), [id]);
        assert_eq!(t.timeout_at(105), Some(100));
    }

    #[test]
    fn reset_restarts_the_interval_from_now() {
        let t = Timers::new();
        let id = t.add_at(0, 10, ());
        t.reset_at(8, id).unwrap();
        assert!(fired(&t, 10).is_empty());
        assert_eq!(fired(&t, 18), [id]);
    }

    #[test]
    fn handler_cancelling_a_later_due_timer_stops_it_in_the_same_execute() {
        let t: Rc<Timers<Option<i32>>> = Rc::new(Timers::new());
        // Due later than the killer, whose handler value names it.
        let victim = t.add_at(0, 5, None);
        let killer = t.add_at(0, 1, Some(victim));
        let t2 = Rc::clone(&t);
        let mut ids = vec![];
        t.execute_at(10, |id, victim| {
            ids.push(id);
            if let Some(v) = victim {
                t2.cancel(v).unwrap();
            }
        });
        assert_eq!(ids, [killer]);
        assert_eq!(t.timeout_at(10), Some(1));
    }

    #[test]
    fn handler_cancelling_its_own_timer_stops_it_repeating() {
        let t: Rc<Timers<()>> = Rc::new(Timers::new());
        let id = t.add_at(0, 5, ());
        let t2 = Rc::clone(&t);
        let mut count = 0;
        t.execute_at(5, |id, ()| {
            count += 1;
            t2.cancel(id).unwrap();
        });
        assert_eq!(count, 1);
        assert!(fired(&t, 100).is_empty());
        assert_eq!(t.timeout_at(100), None);
        assert_eq!(t.cancel(id), Err(Error::EINVAL));
    }

    #[test]
    fn handler_may_add_timers() {
        let t: Rc<Timers<()>> = Rc::new(Timers::new());
        t.add_at(0, 5, ());
        let t2 = Rc::clone(&t);
        let mut added = 0;
        t.execute_at(5, |_, ()| added = t2.add_at(5, 7, ()));
        assert_eq!(added, 2);
        assert_eq!(t.timeout_at(5), Some(5));
    }

    #[test]
    fn zero_interval_timer_fires_once_per_execute() {
        let t = Timers::new();
        let id = t.add_at(0, 0, ());
        assert_eq!(fired(&t, 0), [id]);
        assert_eq!(fired(&t, 0), [id]);
        assert_eq!(t.timeout_at(0), Some(0));
    }

    #[test]
    fn huge_interval_saturates_instead_of_wrapping() {
        let t = Timers::new();
        t.add_at(10, u64::MAX, ());
        assert!(fired(&t, 1000).is_empty());
        assert_eq!(t.timeout_at(10), Some(u64::MAX - 10));
    }

    #[test]
    fn wall_clock_api_reports_a_future_timeout() {
        let t = Timers::new();
        t.add(60_000, ());
        let left = t.timeout().unwrap();
        assert!(left > 50_000 && left <= 60_000, "{left}");
        let mut n = 0;
        t.execute(|_, ()| n += 1);
        assert_eq!(n, 0);
    }
}
