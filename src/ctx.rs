//! The context: options, the registry of live sockets, the inproc endpoint
//! registry and termination.
//!
//! Termination follows libzmq: `shutdown` marks the context terminating and
//! sends every socket a `Stop` command (so blocking calls return `ETERM`);
//! `term` does the same, then waits until every socket has been closed.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};

use crate::command::{SocketCommand, SocketMailbox};
use crate::io::{IoCommand, IoMailbox, IoThread};
use crate::pipe::Pipe;
use crate::{Error, Result};

pub const IO_THREADS: i32 = 1;
pub const MAX_SOCKETS: i32 = 2;
pub const SOCKET_LIMIT: i32 = 3;
pub const THREAD_PRIORITY: i32 = 3;
pub const THREAD_SCHED_POLICY: i32 = 4;
pub const MAX_MSGSZ: i32 = 5;
pub const MSG_T_SIZE: i32 = 6;
pub const THREAD_AFFINITY_CPU_ADD: i32 = 7;
pub const THREAD_AFFINITY_CPU_REMOVE: i32 = 8;
pub const THREAD_NAME_PREFIX: i32 = 9;
pub const ZERO_COPY_RECV: i32 = 10;
pub const IPV6: i32 = 42;
pub const BLOCKY: i32 = 70;

/// libzmq's limit with an epoll poller (no fd-count clipping).
const SOCKET_LIMIT_VALUE: i32 = 65535;

#[derive(Debug, Clone)]
struct CtxOptions {
    io_threads: i32,
    max_sockets: i32,
    ipv6: bool,
    blocky: bool,
    max_msgsz: i32,
    zero_copy: bool,
    thread_priority: i32,
    thread_sched_policy: i32,
    thread_affinity: BTreeSet<i32>,
    thread_name_prefix: Vec<u8>,
}

impl Default for CtxOptions {
    fn default() -> Self {
        CtxOptions {
            io_threads: 1,
            max_sockets: 1023,
            ipv6: false,
            blocky: true,
            max_msgsz: i32::MAX,
            zero_copy: true,
            thread_priority: -1,
            thread_sched_policy: -1,
            thread_affinity: BTreeSet::new(),
            thread_name_prefix: Vec::new(),
        }
    }
}

/// What a socket tells others about itself when it binds or connects over
/// inproc: the options the peer needs to build a pipe.
#[derive(Debug, Clone, Default)]
pub struct PeerInfo {
    pub sndhwm: i32,
    pub rcvhwm: i32,
    pub conflate: bool,
    /// The socket wants a routing-id message first on every pipe.
    pub recv_routing_id: bool,
    pub routing_id: Vec<u8>,
    pub hello_msg: Option<Vec<u8>>,
    pub disconnect_msg: Option<Vec<u8>>,
}

/// A socket bound to an inproc name.
#[derive(Clone)]
pub struct InprocEndpoint {
    pub socket_id: u64,
    pub mailbox: Arc<SocketMailbox>,
    pub info: PeerInfo,
}

/// A connect to an inproc name nobody has bound yet.
pub struct PendingConnection {
    pub connecter: PeerInfo,
    pub connecter_mailbox: Arc<SocketMailbox>,
    /// The pipe end the binder will own.
    pub bind_pipe: Pipe,
}

#[derive(Default)]
struct State {
    options: CtxOptions,
    /// Fixed at the first socket, as libzmq sizes its slot table then.
    started_max_sockets: Option<i32>,
    terminating: bool,
    sockets: HashMap<u64, Arc<SocketMailbox>>,
    next_socket_id: u64,
}

#[derive(Default)]
struct Endpoints {
    bound: HashMap<String, InprocEndpoint>,
    pending: HashMap<String, Vec<PendingConnection>>,
}

struct Inner {
    state: Mutex<State>,
    sockets_gone: Condvar,
    endpoints: Mutex<Endpoints>,
    /// Started at the first tcp/ipc endpoint, stopped by `term`.
    io_threads: Mutex<IoThreads>,
    /// The fork generation it was made in (see `crate::fork`).
    made_in: u32,
}

#[derive(Default)]
struct IoThreads {
    threads: Vec<IoThread>,
    next: usize,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // A context dropped without `term` (a Rust user) still stops its
        // threads; they end once their connections are done.
        let io = std::mem::take(&mut *lock(&self.io_threads));
        if crate::fork::is_inherited(self.made_in) {
            // The threads live in the parent only: their handles must not
            // be detached or joined here.
            std::mem::forget(io);
            return;
        }
        for t in io.threads {
            t.mailbox().send(IoCommand::Stop);
        }
    }
}

/// A ZeroMQ context. Cloning gives another handle on the same context.
#[derive(Clone)]
pub struct Context {
    inner: Arc<Inner>,
}

/// The outcome of looking up an inproc name to connect to.
pub enum InprocLookup {
    Bound(InprocEndpoint),
    /// Not bound: the connection was queued with the given pipe.
    Pending,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Default for Context {
    fn default() -> Self {
        Context::new()
    }
}

impl Context {
    pub fn new() -> Context {
        Context {
            inner: Arc::new(Inner {
                state: Mutex::new(State::default()),
                sockets_gone: Condvar::new(),
                endpoints: Mutex::new(Endpoints::default()),
                io_threads: Mutex::new(IoThreads::default()),
                made_in: crate::fork::generation(),
            }),
        }
    }

    /// `zmq_ctx_set` with an int value.
    pub fn set(&self, option: i32, value: i32) -> Result<()> {
        self.set_ext(option, &value.to_ne_bytes())
    }

    /// `zmq_ctx_set_ext`: raw bytes as C passed them.
    pub fn set_ext(&self, option: i32, raw: &[u8]) -> Result<()> {
        let int = int_of(raw);
        let nonneg = int.filter(|v| *v >= 0);
        let mut st = lock(&self.inner.state);
        let o = &mut st.options;
        match (option, nonneg) {
            (MAX_SOCKETS, Some(v)) if v >= 1 => o.max_sockets = v,
            (IO_THREADS, Some(v)) => o.io_threads = v,
            (IPV6, Some(v)) => o.ipv6 = v != 0,
            (BLOCKY, Some(v)) => o.blocky = v != 0,
            (MAX_MSGSZ, Some(v)) => o.max_msgsz = v,
            (ZERO_COPY_RECV, Some(v)) => o.zero_copy = v != 0,
            (THREAD_SCHED_POLICY, Some(v)) => o.thread_sched_policy = v,
            (THREAD_PRIORITY, Some(v)) => o.thread_priority = v,
            (THREAD_AFFINITY_CPU_ADD, Some(v)) => {
                o.thread_affinity.insert(v);
            }
            (THREAD_AFFINITY_CPU_REMOVE, Some(v)) => {
                if !o.thread_affinity.remove(&v) {
                    return Err(Error::EINVAL);
                }
            }
            (THREAD_NAME_PREFIX, _) => match int {
                Some(v) => o.thread_name_prefix = v.to_string().into_bytes(),
                None if !raw.is_empty() && raw.len() <= 16 => o.thread_name_prefix = raw.to_vec(),
                None => return Err(Error::EINVAL),
            },
            _ => return Err(Error::EINVAL),
        }
        Ok(())
    }

    /// `zmq_ctx_get` of an int option.
    pub fn get(&self, option: i32) -> Result<i32> {
        let mut out = [0u8; 4];
        self.get_ext(option, &mut out)?;
        Ok(i32::from_ne_bytes(out))
    }

    /// `zmq_ctx_get_ext`: writes the value, returns its length.
    pub fn get_ext(&self, option: i32, out: &mut [u8]) -> Result<usize> {
        let st = lock(&self.inner.state);
        let o = &st.options;
        let is_int = out.len() == 4;
        let v = match option {
            MAX_SOCKETS => o.max_sockets,
            SOCKET_LIMIT => SOCKET_LIMIT_VALUE,
            IO_THREADS => o.io_threads,
            IPV6 => o.ipv6 as i32,
            BLOCKY => o.blocky as i32,
            MAX_MSGSZ => o.max_msgsz,
            MSG_T_SIZE => std::mem::size_of::<crate::msg::Msg>() as i32,
            ZERO_COPY_RECV => o.zero_copy as i32,
            THREAD_SCHED_POLICY => o.thread_sched_policy,
            // libzmq copies the prefix and leaves the caller's length as
            // it was (it never writes `*optvallen` here).
            THREAD_NAME_PREFIX if !is_int => {
                let p = &o.thread_name_prefix;
                if out.len() < p.len() {
                    return Err(Error::EINVAL);
                }
                out[..p.len()].copy_from_slice(p);
                return Ok(out.len());
            }
            THREAD_NAME_PREFIX => std::str::from_utf8(&o.thread_name_prefix)
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0),
            _ => return Err(Error::EINVAL),
        };
        if !is_int {
            return Err(Error::EINVAL);
        }
        out.copy_from_slice(&v.to_ne_bytes());
        Ok(4)
    }

    pub fn ipv6(&self) -> bool {
        lock(&self.inner.state).options.ipv6
    }

    pub fn blocky(&self) -> bool {
        lock(&self.inner.state).options.blocky
    }

    pub fn zero_copy(&self) -> bool {
        lock(&self.inner.state).options.zero_copy
    }

    pub fn max_msgsz(&self) -> i32 {
        lock(&self.inner.state).options.max_msgsz
    }

    /// Registers a new socket's mailbox; `ETERM` once terminating, `EMFILE`
    /// at the socket limit.
    pub(crate) fn register_socket(&self, mailbox: Arc<SocketMailbox>) -> Result<u64> {
        let mut st = lock(&self.inner.state);
        if st.terminating {
            return Err(Error::ETERM);
        }
        let configured = st.options.max_sockets;
        let max = *st.started_max_sockets.get_or_insert(configured);
        if st.sockets.len() >= max as usize {
            return Err(Error::EMFILE);
        }
        st.next_socket_id += 1;
        let id = st.next_socket_id;
        st.sockets.insert(id, mailbox);
        Ok(id)
    }

    pub(crate) fn unregister_socket(&self, id: u64) {
        self.unregister_endpoints(id);
        let mut st = lock(&self.inner.state);
        st.sockets.remove(&id);
        if st.sockets.is_empty() {
            self.inner.sockets_gone.notify_all();
        }
    }

    fn stop_sockets(&self) {
        let mut st = lock(&self.inner.state);
        if !st.terminating {
            st.terminating = true;
            for mb in st.sockets.values() {
                mb.send(SocketCommand::Stop);
            }
        }
    }

    /// `zmq_ctx_shutdown`: blocking calls return `ETERM`; no new sockets.
    pub fn shutdown(&self) {
        self.stop_sockets();
    }

    /// `zmq_ctx_term` as C sees it: [`Context::term`], except that a
    /// forked child's copy of its parent's context answers `EINTR` at once,
    /// as libzmq's does: its io threads exist only in the parent, and
    /// closing its sockets must not disturb the parent's connections. The
    /// child goes on with a new context.
    pub fn try_term(&self) -> Result<()> {
        if crate::fork::is_inherited(self.inner.made_in) {
            return Err(Error::EINTR);
        }
        self.term();
        Ok(())
    }

    /// `zmq_ctx_term`: shut down, then wait until every socket is closed
    /// (in a forked child, see [`Context::try_term`]: nothing to wait for).
    pub fn term(&self) {
        if crate::fork::is_inherited(self.inner.made_in) {
            return;
        }
        self.stop_sockets();
        let mut st = lock(&self.inner.state);
        while !st.sockets.is_empty() {
            st = self
                .inner
                .sockets_gone
                .wait(st)
                .unwrap_or_else(|e| e.into_inner());
        }
        drop(st);
        // Connections still waiting for a binder will never get one.
        let pending = std::mem::take(&mut lock(&self.inner.endpoints).pending);
        drop(pending);
        // io threads end once their sessions have lingered.
        let io = std::mem::take(&mut *lock(&self.inner.io_threads));
        for t in io.threads {
            t.stop();
        }
    }

    /// An io thread for a new listener or connection, started on first
    /// use: round robin over the threads `affinity` allows (`ZMQ_AFFINITY`:
    /// bit i is thread i, 0 means any, as libzmq's `choose_io_thread`).
    /// `EMTHREAD` when the context has none (`IO_THREADS` 0) or the mask
    /// names none of them.
    pub(crate) fn io_thread(&self, affinity: u64) -> Result<Arc<IoMailbox>> {
        let count = lock(&self.inner.state).options.io_threads;
        let mut io = lock(&self.inner.io_threads);
        if io.threads.is_empty() {
            if count < 1 {
                return Err(Error::EMTHREAD);
            }
            for i in 0..count {
                io.threads.push(IoThread::start(format!("ZMQbg/IO/{i}"))?);
            }
        }
        let n = io.threads.len();
        let allowed = |i: usize| affinity == 0 || (i < 64 && affinity & (1 << i) != 0);
        let start = io.next;
        let i = (0..n)
            .map(|k| (start + k) % n)
            .find(|&i| allowed(i))
            .ok_or(Error::EMTHREAD)?;
        io.next = i + 1;
        Ok(io.threads[i].mailbox().clone())
    }

    /// Binds an inproc name; `EADDRINUSE` if taken. Returns the connections
    /// that were waiting for it, for the binder to attach.
    pub(crate) fn bind_inproc(
        &self,
        name: &str,
        ep: InprocEndpoint,
    ) -> Result<Vec<PendingConnection>> {
        let mut eps = lock(&self.inner.endpoints);
        if eps.bound.contains_key(name) {
            return Err(Error::EADDRINUSE);
        }
        eps.bound.insert(name.to_string(), ep);
        Ok(eps.pending.remove(name).unwrap_or_default())
    }

    /// Looks up an inproc name; if unbound, queues `pending()` for the
    /// future binder, atomically with the lookup.
    pub(crate) fn connect_inproc(
        &self,
        name: &str,
        pending: impl FnOnce() -> PendingConnection,
    ) -> InprocLookup {
        let mut eps = lock(&self.inner.endpoints);
        if let Some(ep) = eps.bound.get(name) {
            return InprocLookup::Bound(ep.clone());
        }
        eps.pending
            .entry(name.to_string())
            .or_default()
            .push(pending());
        InprocLookup::Pending
    }

    /// How io objects find the ZAP handler (rfc-27) bound at
    /// `inproc://zeromq.zap.01`, looked up at each request as libzmq's
    /// `zap_connect` does. It holds the context weakly: sessions live on
    /// io threads the context owns.
    pub(crate) fn zap_lookup(&self) -> crate::session::ZapLookup {
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        Arc::new(move || {
            let inner = weak.upgrade()?;
            let eps = lock(&inner.endpoints);
            let ep = eps.bound.get(crate::zmtp::mechanism::zap::ZAP_ENDPOINT)?;
            Some(crate::session::ZapHandler {
                mailbox: ep.mailbox.clone(),
                recv_routing_id: ep.info.recv_routing_id,
            })
        })
    }

    /// Removes one inproc binding of a socket; `ENOENT` if it is not ours.
    pub(crate) fn unbind_inproc(&self, name: &str, socket_id: u64) -> Result<()> {
        let mut eps = lock(&self.inner.endpoints);
        match eps.bound.get(name) {
            Some(ep) if ep.socket_id == socket_id => {
                eps.bound.remove(name);
                Ok(())
            }
            _ => Err(Error::ENOENT),
        }
    }

    fn unregister_endpoints(&self, socket_id: u64) {
        lock(&self.inner.endpoints)
            .bound
            .retain(|_, ep| ep.socket_id != socket_id);
    }
}

fn int_of(raw: &[u8]) -> Option<i32> {
    <[u8; 4]>::try_from(raw).ok().map(i32::from_ne_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_threads_block_signals_as_libzmq_threads_do() {
        /// The blocked-signal mask of each io thread of this process.
        fn io_thread_masks() -> Vec<u64> {
            let mut masks = Vec::new();
            for task in std::fs::read_dir("/proc/self/task").unwrap() {
                let dir = task.unwrap().path();
                let name = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
                if !name.starts_with("ZMQbg/IO") {
                    continue;
                }
                let status = std::fs::read_to_string(dir.join("status")).unwrap_or_default();
                if let Some(v) = status.lines().find_map(|l| l.strip_prefix("SigBlk:")) {
                    masks.push(u64::from_str_radix(v.trim(), 16).unwrap());
                }
            }
            masks
        }
        let c = Context::new();
        // Starting an io thread is what `zmq_bind` on tcp does first.
        let _io = c.io_thread(0).unwrap();
        // SIGINT (2) and SIGTERM (15) at least; the thread names and masks
        // itself as it starts, so give it a moment.
        let all_blocked = |m: &u64| m & (1 << 1) != 0 && m & (1 << 14) != 0;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let masks = io_thread_masks();
            if !masks.is_empty() && masks.iter().all(all_blocked) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "io threads with signals not blocked: {masks:x?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    #[test]
    fn defaults_and_validation_follow_libzmq() {
        let c = Context::new();
        assert_eq!(c.get(IO_THREADS), Ok(1));
        assert_eq!(c.get(MAX_SOCKETS), Ok(1023));
        assert_eq!(c.get(SOCKET_LIMIT), Ok(65535));
        assert_eq!(c.get(MSG_T_SIZE), Ok(64));
        assert_eq!(c.get(THREAD_SCHED_POLICY), Ok(-1));
        assert_eq!(c.set(MAX_SOCKETS, 0), Err(Error::EINVAL));
        assert_eq!(c.set(IO_THREADS, -1), Err(Error::EINVAL));
        assert_eq!(c.set(THREAD_AFFINITY_CPU_REMOVE, 3), Err(Error::EINVAL));
        c.set(THREAD_AFFINITY_CPU_ADD, 3).unwrap();
        c.set(THREAD_AFFINITY_CPU_REMOVE, 3).unwrap();
        // THREAD_PRIORITY and SOCKET_LIMIT share the value 3: reading it
        // gives the socket limit, as in libzmq.
        c.set(THREAD_PRIORITY, 5).unwrap();
        assert_eq!(c.get(THREAD_PRIORITY), Ok(65535));
        c.set_ext(THREAD_NAME_PREFIX, b"abc").unwrap();
        let mut out = [0u8; 8];
        // The length stays the caller's, as libzmq leaves it.
        assert_eq!(c.get_ext(THREAD_NAME_PREFIX, &mut out), Ok(8));
        assert_eq!(&out[..3], b"abc");
        assert_eq!(c.get(12345), Err(Error::EINVAL));
    }

    #[test]
    fn affinity_picks_the_io_threads_it_names() {
        let c = Context::new();
        c.set(IO_THREADS, 3).unwrap();
        let any: Vec<_> = (0..3).map(|_| c.io_thread(0).unwrap()).collect();
        // Without a mask: round robin over all three.
        assert!(!Arc::ptr_eq(&any[0], &any[1]) && !Arc::ptr_eq(&any[1], &any[2]));
        assert!(!Arc::ptr_eq(&any[0], &any[2]));
        for _ in 0..4 {
            assert!(Arc::ptr_eq(&c.io_thread(0b010).unwrap(), &any[1]));
        }
        for _ in 0..4 {
            let t = c.io_thread(0b101).unwrap();
            assert!(Arc::ptr_eq(&t, &any[0]) || Arc::ptr_eq(&t, &any[2]));
        }
        assert_eq!(c.io_thread(0b1000).err(), Some(Error::EMTHREAD));
        c.term();
    }

    #[test]
    fn sockets_beyond_the_limit_get_emfile_and_term_refuses_new_ones() {
        let c = Context::new();
        c.set(MAX_SOCKETS, 1).unwrap();
        let mb = Arc::new(SocketMailbox::new().unwrap());
        let id = c.register_socket(mb.clone()).unwrap();
        assert_eq!(c.register_socket(mb.clone()), Err(Error::EMFILE));
        c.shutdown();
        assert!(matches!(mb.try_recv(), Some(SocketCommand::Stop)));
        assert_eq!(c.register_socket(mb), Err(Error::ETERM));
        c.unregister_socket(id);
        c.term();
    }
}
