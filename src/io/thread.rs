//! One io thread: the event loop, its objects and their timers.

use std::collections::{BTreeSet, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Registry, Token};

use super::command::{IoCommand, IoMailbox};
use crate::command::ObjectId;
use crate::pipe::{PipeCommand, PipeId};
use crate::Result;

static NEXT_OBJECT: AtomicU64 = AtomicU64::new(1);

/// A fresh object id (never `MAILBOX`).
pub fn next_object_id() -> ObjectId {
    NEXT_OBJECT.fetch_add(1, Ordering::Relaxed)
}

const MAILBOX: Token = Token(0);

/// Something an io thread drives: a listener or a session.
pub trait IoObject: Send {
    fn id(&self) -> ObjectId;
    /// The object has arrived on its io thread: register sources, start.
    fn plugged(&mut self, cx: &mut IoCx);
    /// One of its sources is ready (edge-triggered: drain it).
    /// `read_closed`: the peer's FIN came with this edge, so the end of
    /// the stream is there to read even after a short read.
    fn ready(&mut self, cx: &mut IoCx, readable: bool, writable: bool, read_closed: bool);
    /// A command about one of its pipes.
    fn pipe_command(&mut self, cx: &mut IoCx, cmd: PipeCommand);
    /// Its socket ended it (unbind, disconnect, close) with this
    /// `ZMQ_LINGER`.
    fn term(&mut self, cx: &mut IoCx, linger: i32);
    /// Its deadline passed.
    fn timeout(&mut self, cx: &mut IoCx, now: Instant);
    /// Work it started off the thread has finished (`IoCommand::Wake`).
    fn woken(&mut self, _cx: &mut IoCx) {}
    fn deadline(&self) -> Option<Instant>;
    /// Finished: the thread drops it.
    fn done(&self) -> bool;
}

/// What an object may do with its thread while handling a call.
pub struct IoCx<'a> {
    pub id: ObjectId,
    pub registry: &'a Registry,
    /// This thread's mailbox: the owner to give the pipes an object holds.
    pub mailbox: &'a Arc<IoMailbox>,
    spawned: &'a mut Vec<Box<dyn IoObject>>,
    routes: &'a mut HashMap<PipeId, ObjectId>,
}

impl IoCx<'_> {
    /// The token for this object's sources.
    pub fn token(&self) -> Token {
        Token(self.id as usize)
    }

    /// Adds a new object to this thread (an accepted connection).
    pub fn spawn(&mut self, obj: Box<dyn IoObject>) {
        self.spawned.push(obj);
    }

    /// Pipe commands for `pipe` go to this object from now on.
    pub fn route_pipe(&mut self, pipe: PipeId) {
        self.routes.insert(pipe, self.id);
    }

    pub fn unroute_pipe(&mut self, pipe: PipeId) {
        self.routes.remove(&pipe);
    }

    /// Ends another object of this thread (a listener's children).
    pub fn term_object(&self, id: ObjectId, linger: i32) {
        self.mailbox.send(IoCommand::Term(id, linger));
    }

    /// A function any thread may call to run this object's
    /// [`IoObject::woken`] on this thread (once per call).
    pub fn waker(&self) -> Arc<dyn Fn() + Send + Sync> {
        let (mailbox, id) = (self.mailbox.clone(), self.id);
        Arc::new(move || mailbox.send(IoCommand::Wake(id)))
    }
}

/// A running io thread, as the context holds it.
pub struct IoThread {
    mailbox: Arc<IoMailbox>,
    handle: Option<JoinHandle<()>>,
}

impl IoThread {
    pub fn start(name: String) -> Result<IoThread> {
        IoThread::start_on(name, Poll::new()?)
    }

    /// [`IoThread::start`] on a given poll instance (tests break its
    /// descriptor).
    fn start_on(name: String, poll: Poll) -> Result<IoThread> {
        let mailbox = Arc::new(IoMailbox::new()?);
        let fd = mailbox.fd();
        poll.registry()
            .register(&mut SourceFd(&fd), MAILBOX, Interest::READABLE)?;
        let mb = mailbox.clone();
        let handle = std::thread::Builder::new().name(name).spawn(move || {
            // As libzmq's thread_t: signals go to application threads.
            crate::sys::process::block_all_signals();
            EventLoop::new(poll, mb).run()
        })?;
        Ok(IoThread {
            mailbox,
            handle: Some(handle),
        })
    }

    pub fn mailbox(&self) -> &Arc<IoMailbox> {
        &self.mailbox
    }

    /// Hands an object to the thread.
    pub fn plug(&self, obj: Box<dyn IoObject>) {
        self.mailbox.send(IoCommand::Plug(obj));
    }

    /// Asks the thread to end once its objects are done, and waits.
    pub fn stop(mut self) {
        self.mailbox.send(IoCommand::Stop);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// How long to wait before polling again after `epoll_wait` failed (it
/// cannot, short of a bug or a corrupted descriptor table): 1 ms, doubling
/// up to 100 ms while it keeps failing, never past the next timer.
#[derive(Default)]
struct PollFailures(u32);

impl PollFailures {
    const FIRST: Duration = Duration::from_millis(1);
    const MAX: Duration = Duration::from_millis(100);

    fn reset(&mut self) {
        self.0 = 0;
    }

    fn next_wait(&mut self, timeout: Option<Duration>) -> Duration {
        let wait = Self::FIRST
            .saturating_mul(1 << self.0.min(7))
            .min(Self::MAX);
        self.0 = self.0.saturating_add(1);
        timeout.map_or(wait, |t| t.min(wait))
    }
}

struct EventLoop {
    poll: Poll,
    mailbox: Arc<IoMailbox>,
    objects: HashMap<ObjectId, Box<dyn IoObject>>,
    routes: HashMap<PipeId, ObjectId>,
    /// Each object's deadline, in time order and by object: an object's
    /// deadline depends on its state alone, which changes only in a call
    /// through `with_object`, so it is read again after each such call.
    /// (Asking every object at every turn of the loop made each wake-up
    /// O(objects): with 10,000 connections, a round trip through one of
    /// them took 1.9 ms instead of 0.16.)
    timers: BTreeSet<(Instant, ObjectId)>,
    deadlines: HashMap<ObjectId, Instant>,
    stopping: bool,
}

impl EventLoop {
    fn new(poll: Poll, mailbox: Arc<IoMailbox>) -> EventLoop {
        EventLoop {
            poll,
            mailbox,
            objects: HashMap::new(),
            routes: HashMap::new(),
            timers: BTreeSet::new(),
            deadlines: HashMap::new(),
            stopping: false,
        }
    }

    fn run(mut self) {
        let mut events = Events::with_capacity(256);
        let mut failures = PollFailures::default();
        loop {
            let timeout = self.next_deadline().map(|d| {
                d.saturating_duration_since(Instant::now())
                    .max(Duration::from_micros(1))
            });
            let polled = match self.poll.poll(&mut events, timeout) {
                Ok(()) => {
                    failures.reset();
                    true
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => false,
                Err(_) => {
                    // libzmq asserts here and the process dies. The events
                    // stay queued in the kernel, so waiting a little and
                    // polling again loses nothing; meanwhile commands and
                    // timers are still served (a context can terminate).
                    std::thread::sleep(failures.next_wait(timeout));
                    false
                }
            };
            for ev in events.iter().filter(|_| polled) {
                if ev.token() != MAILBOX {
                    let id = ev.token().0 as ObjectId;
                    let (r, w, hup) = (
                        ev.is_readable() || ev.is_read_closed() || ev.is_error(),
                        ev.is_writable() || ev.is_write_closed() || ev.is_error(),
                        ev.is_read_closed() || ev.is_error(),
                    );
                    self.with_object(id, |o, cx| o.ready(cx, r, w, hup));
                }
            }
            self.drain_mailbox();
            self.run_timers();
            if self.stopping && self.objects.is_empty() {
                return;
            }
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.timers.first().map(|&(d, _)| d)
    }

    /// Files an object's deadline (`None`: it has none, or it is gone).
    fn set_deadline(&mut self, id: ObjectId, deadline: Option<Instant>) {
        let old = self.deadlines.get(&id).copied();
        if old == deadline {
            return;
        }
        if let Some(old) = old {
            self.timers.remove(&(old, id));
            self.deadlines.remove(&id);
        }
        if let Some(new) = deadline {
            self.timers.insert((new, id));
            self.deadlines.insert(id, new);
        }
    }

    /// Runs `f` on an object with a context, then adopts what it spawned
    /// and drops it if it finished.
    ///
    /// A panic in the object (a bug of ours) ends that object alone, as if
    /// it had finished: dropping it closes its connection and terminates
    /// its pipes (`Pipe`'s drop tells the socket), and the thread goes on
    /// serving every other object. Unwinding further would end the thread,
    /// and with it every connection it carries.
    fn with_object(&mut self, id: ObjectId, f: impl FnOnce(&mut dyn IoObject, &mut IoCx)) {
        let Some(mut obj) = self.objects.remove(&id) else {
            return;
        };
        let mut spawned = Vec::new();
        let done = {
            let mut cx = IoCx {
                id,
                registry: self.poll.registry(),
                mailbox: &self.mailbox,
                spawned: &mut spawned,
                routes: &mut self.routes,
            };
            catch_unwind(AssertUnwindSafe(|| {
                f(obj.as_mut(), &mut cx);
                obj.done()
            }))
        };
        match done {
            Ok(false) => {
                self.set_deadline(id, obj.deadline());
                self.objects.insert(id, obj);
            }
            Ok(true) => {
                self.set_deadline(id, None);
                self.routes.retain(|_, o| *o != id);
            }
            Err(payload) => {
                self.set_deadline(id, None);
                self.routes.retain(|_, o| *o != id);
                // Its drop may meet the state the panic left: keep a
                // second panic there inside the thread too.
                let _ = catch_unwind(AssertUnwindSafe(move || drop((obj, payload))));
            }
        }
        for s in spawned {
            self.adopt(s);
        }
    }

    fn adopt(&mut self, obj: Box<dyn IoObject>) {
        let id = obj.id();
        self.objects.insert(id, obj);
        self.with_object(id, |o, cx| o.plugged(cx));
    }

    fn drain_mailbox(&mut self) {
        while let Some(cmd) = self.mailbox.try_recv() {
            match cmd {
                IoCommand::Plug(obj) => self.adopt(obj),
                IoCommand::Stop => self.stopping = true,
                IoCommand::Term(id, linger) => self.with_object(id, |o, cx| o.term(cx, linger)),
                IoCommand::Wake(id) => self.with_object(id, |o, cx| o.woken(cx)),
                IoCommand::Pipe(cmd) => {
                    let owner = cmd.pipe().and_then(|p| self.routes.get(&p).copied());
                    if let Some(id) = owner {
                        self.with_object(id, |o, cx| o.pipe_command(cx, cmd));
                    }
                }
            }
        }
    }

    fn run_timers(&mut self) {
        let now = Instant::now();
        let due: Vec<ObjectId> = self
            .timers
            .iter()
            .take_while(|&&(d, _)| d <= now)
            .map(|&(_, id)| id)
            .collect();
        for id in due {
            self.with_object(id, |o, cx| o.timeout(cx, now));
        }
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
