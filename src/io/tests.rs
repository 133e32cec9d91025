//! The io thread survives what libzmq's would not: a panicking object, a
//! failing poll; and it blocks signals as libzmq's threads do.

use std::os::fd::{AsFd, AsRawFd};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::{Duration, Instant};

use mio::Poll;

use super::*;

/// Where a probe object panics, if anywhere.
#[derive(Clone, Copy, PartialEq)]
enum PanicIn {
    Nowhere,
    Plugged,
    Timeout,
}

/// An io object that reports what happens to it on a channel.
struct Probe {
    id: ObjectId,
    panic_in: PanicIn,
    /// How long after it is plugged it times out.
    delay: Duration,
    deadline: Option<Instant>,
    report: Sender<String>,
}

impl Probe {
    fn new(panic_in: PanicIn, report: &Sender<String>) -> Box<Probe> {
        Probe::with_delay(panic_in, report, Duration::from_millis(20))
    }

    fn with_delay(panic_in: PanicIn, report: &Sender<String>, delay: Duration) -> Box<Probe> {
        Box::new(Probe {
            id: next_object_id(),
            panic_in,
            delay,
            deadline: None,
            report: report.clone(),
        })
    }
}

impl IoObject for Probe {
    fn id(&self) -> ObjectId {
        self.id
    }
    fn plugged(&mut self, _cx: &mut IoCx) {
        if self.panic_in == PanicIn::Plugged {
            panic!("probe {} panics in plugged", self.id);
        }
        let blocked = crate::sys::process::is_blocked(libc::SIGINT)
            && crate::sys::process::is_blocked(libc::SIGTERM);
        let _ = self
            .report
            .send(format!("plugged {} blocked={blocked}", self.id));
        self.deadline = Some(Instant::now() + self.delay);
    }
    fn ready(&mut self, _cx: &mut IoCx, _readable: bool, _writable: bool, _read_closed: bool) {}
    fn pipe_command(&mut self, _cx: &mut IoCx, _cmd: PipeCommand) {}
    fn term(&mut self, _cx: &mut IoCx, _linger: i32) {
        self.deadline = None;
    }
    fn timeout(&mut self, _cx: &mut IoCx, _now: Instant) {
        self.deadline = None;
        if self.panic_in == PanicIn::Timeout {
            panic!("probe {} panics in timeout", self.id);
        }
        let _ = self.report.send(format!("timeout {}", self.id));
    }
    fn deadline(&self) -> Option<Instant> {
        self.deadline
    }
    fn done(&self) -> bool {
        self.deadline.is_none()
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        let _ = self.report.send(format!("dropped {}", self.id));
    }
}

fn next(rx: &Receiver<String>) -> String {
    rx.recv_timeout(Duration::from_secs(5))
        .expect("the io thread reports within 5 s")
}

/// Stops the thread and checks that it ends (its loop returned; a thread
/// that had died would not have served the probes at all).
fn stop_within(t: IoThread, limit: Duration) {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        t.stop();
        let _ = tx.send(());
    });
    rx.recv_timeout(limit).expect("the io thread stops");
}

#[test]
fn io_threads_block_every_signal_as_libzmqs_do() {
    let (tx, rx) = channel();
    let t = IoThread::start("signals".into()).unwrap();
    let p = Probe::new(PanicIn::Nowhere, &tx);
    let id = p.id;
    t.plug(p);
    assert_eq!(next(&rx), format!("plugged {id} blocked=true"));
    stop_within(t, Duration::from_secs(5));
}

#[test]
fn a_panicking_object_is_dropped_and_the_thread_serves_the_others() {
    let (tx, rx) = channel();
    let t = IoThread::start("panics".into()).unwrap();
    let bad_plug = Probe::new(PanicIn::Plugged, &tx);
    let bad_timer = Probe::new(PanicIn::Timeout, &tx);
    let good = Probe::new(PanicIn::Nowhere, &tx);
    let (bp, bt, g) = (bad_plug.id, bad_timer.id, good.id);
    t.plug(bad_plug);
    t.plug(bad_timer);
    t.plug(good);
    let mut seen: Vec<String> = (0..6).map(|_| next(&rx)).collect();
    seen.sort();
    let mut want = vec![
        format!("dropped {bp}"),
        format!("plugged {bt} blocked=true"),
        format!("dropped {bt}"),
        format!("plugged {g} blocked=true"),
        format!("timeout {g}"),
        format!("dropped {g}"),
    ];
    want.sort();
    assert_eq!(seen, want);
    // Still serving new objects after the panics.
    let later = Probe::new(PanicIn::Nowhere, &tx);
    let l = later.id;
    t.plug(later);
    assert_eq!(next(&rx), format!("plugged {l} blocked=true"));
    stop_within(t, Duration::from_secs(5));
}

#[test]
fn a_failing_poll_is_retried_while_commands_and_timers_go_on() {
    let poll = Poll::new().unwrap();
    let epoll_fd = poll.as_raw_fd();
    let t = IoThread::start_on("bad-poll".into(), poll).unwrap();
    // The epoll descriptor now names an eventfd: every epoll_wait fails
    // with EINVAL from here on (libzmq would abort the process).
    let not_epoll = crate::sys::event::eventfd().unwrap();
    crate::sys::event::dup_onto(not_epoll.as_fd(), epoll_fd).unwrap();
    let (tx, rx) = channel();
    let p = Probe::new(PanicIn::Nowhere, &tx);
    let id = p.id;
    t.plug(p);
    assert_eq!(next(&rx), format!("plugged {id} blocked=true"));
    assert_eq!(next(&rx), format!("timeout {id}"));
    assert_eq!(next(&rx), format!("dropped {id}"));
    stop_within(t, Duration::from_secs(2));
}

#[test]
fn poll_failures_back_off_from_1_ms_to_100_ms_within_the_next_timer() {
    let mut f = PollFailures::default();
    let waits: Vec<u128> = (0..9).map(|_| f.next_wait(None).as_millis()).collect();
    assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 100, 100]);
    assert_eq!(f.next_wait(Some(Duration::from_millis(3))).as_millis(), 3);
    f.reset();
    assert_eq!(f.next_wait(None).as_millis(), 1);
}

#[test]
fn timers_fire_in_deadline_order_and_ended_objects_never_fire() {
    let t = IoThread::start("timers".into()).unwrap();
    let (tx, rx) = channel();
    // Plugged latest deadline first; the third is ended before its time.
    let probes: Vec<Box<Probe>> = (1..=5u64)
        .rev()
        .map(|k| Probe::with_delay(PanicIn::Nowhere, &tx, Duration::from_millis(40 * k)))
        .collect();
    let ids: Vec<ObjectId> = probes.iter().rev().map(|p| p.id).collect();
    for p in probes {
        t.plug(p);
    }
    t.mailbox().send(IoCommand::Term(ids[2], 0));
    let fired: Vec<String> = std::iter::from_fn(|| Some(next(&rx)))
        .filter(|r| r.starts_with("timeout"))
        .take(4)
        .collect();
    let want: Vec<String> = [0, 1, 3, 4]
        .iter()
        .map(|&i| format!("timeout {}", ids[i]))
        .collect();
    assert_eq!(fired, want);
    let late = rx.recv_timeout(Duration::from_millis(100));
    assert!(
        late.map_or(true, |r| !r.starts_with("timeout")),
        "the ended one never fires"
    );
    stop_within(t, Duration::from_secs(2));
}

/// An object with a distant deadline that counts how often the thread
/// asks for it, and reports each wake.
struct Idle {
    id: ObjectId,
    deadline: Option<Instant>,
    asked: Arc<std::sync::atomic::AtomicUsize>,
    plugged: Arc<std::sync::atomic::AtomicUsize>,
    report: Sender<String>,
}

impl IoObject for Idle {
    fn id(&self) -> ObjectId {
        self.id
    }
    fn plugged(&mut self, _cx: &mut IoCx) {
        self.plugged.fetch_add(1, Ordering::SeqCst);
    }
    fn ready(&mut self, _cx: &mut IoCx, _readable: bool, _writable: bool, _read_closed: bool) {}
    fn pipe_command(&mut self, _cx: &mut IoCx, _cmd: PipeCommand) {}
    fn term(&mut self, _cx: &mut IoCx, _linger: i32) {
        self.deadline = None;
    }
    fn timeout(&mut self, _cx: &mut IoCx, _now: Instant) {}
    fn woken(&mut self, _cx: &mut IoCx) {
        let _ = self.report.send(format!("woken {}", self.id));
    }
    fn deadline(&self) -> Option<Instant> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        self.deadline
    }
    fn done(&self) -> bool {
        self.deadline.is_none()
    }
}

/// With many objects (sessions), one object's event must not cost a visit
/// to every other: the thread used to ask each object for its deadline
/// twice per turn of its loop, so that a round trip through one of 10,000
/// tcp connections took 1.9 ms instead of 0.16 (tests/load). Deadlines are
/// now filed when an object is called, and read from the file.
#[test]
fn an_event_does_not_visit_every_object() {
    const N: usize = 1_000;
    let (tx, rx) = channel();
    let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let plugged = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let t = IoThread::start("many".into()).unwrap();
    let far = Instant::now() + Duration::from_secs(3600);
    let ids: Vec<ObjectId> = (0..N)
        .map(|_| {
            let o = Box::new(Idle {
                id: next_object_id(),
                deadline: Some(far),
                asked: asked.clone(),
                plugged: plugged.clone(),
                report: tx.clone(),
            });
            let id = o.id;
            t.plug(o);
            id
        })
        .collect();
    let start = Instant::now();
    while plugged.load(Ordering::SeqCst) < N {
        assert!(start.elapsed() < Duration::from_secs(5), "objects plugged");
        std::thread::sleep(Duration::from_millis(1));
    }
    asked.store(0, Ordering::SeqCst);
    for _ in 0..100 {
        // A pause, so that the thread is back in its poll for each wake
        // (otherwise it may take several in one turn).
        std::thread::sleep(Duration::from_millis(2));
        t.mailbox().send(IoCommand::Wake(ids[0]));
        assert_eq!(next(&rx), format!("woken {}", ids[0]));
    }
    let n = asked.load(Ordering::SeqCst);
    assert!(n <= 200, "{n} deadline queries for 100 wakes of one object");
    for id in ids {
        t.mailbox().send(IoCommand::Term(id, 0));
    }
    stop_within(t, Duration::from_secs(5));
}

#[test]
fn timers_fire_in_order_and_follow_changed_deadlines() {
    let (tx, rx) = channel();
    let t = IoThread::start("timers".into()).unwrap();
    let a = Probe::new(PanicIn::Nowhere, &tx);
    let b = Probe::new(PanicIn::Nowhere, &tx);
    let (ia, ib) = (a.id, b.id);
    t.plug(a);
    assert_eq!(next(&rx), format!("plugged {ia} blocked=true"));
    std::thread::sleep(Duration::from_millis(5));
    t.plug(b);
    assert_eq!(next(&rx), format!("plugged {ib} blocked=true"));
    // Both deadlines are 20 ms after plugging: a's first.
    assert_eq!(next(&rx), format!("timeout {ia}"));
    assert_eq!(next(&rx), format!("dropped {ia}"));
    assert_eq!(next(&rx), format!("timeout {ib}"));
    assert_eq!(next(&rx), format!("dropped {ib}"));
    stop_within(t, Duration::from_secs(5));
}
