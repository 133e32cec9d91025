//! A bound endpoint on an io thread: accepts connections and spawns a
//! session for each. A failed accept is reported (`ACCEPT_FAILED`) and
//! never ends the listener: without descriptors or memory it tries again
//! after a back-off (`retry`), otherwise it takes the next connection.

#[path = "listener_retry.rs"]
mod retry;

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Instant;

use mio::event::Source;
use mio::Interest;

use super::{Session, SessionLinks, ZapLookup};
use crate::command::SocketMailbox;
use crate::endpoint_pair::EndpointPair;
use crate::io::{next_object_id, IoCx, IoObject, ObjectId};
use crate::monitor::MonitorSink;
use crate::options::Options;
use crate::pipe::PipeCommand;
use crate::transport::Listener as OsListener;

/// What happens when a listener closes.
pub struct Closing {
    /// Dropped at close (an ipc wildcard's temporary directory).
    pub cleanup: Option<Box<dyn Send>>,
    /// Set by the socket when it reported `CLOSED` itself.
    pub reported: Arc<AtomicBool>,
}

pub struct Listener {
    id: ObjectId,
    listener: Option<Box<dyn OsListener>>,
    options: Options,
    socket: Arc<SocketMailbox>,
    /// Sessions this listener spawned: they end with it (libzmq makes the
    /// listener their parent).
    children: Children,
    /// Dropped when the listener ends (removes an ipc socket file).
    cleanup: Option<Box<dyn Send>>,
    finished: bool,
    monitor: MonitorSink,
    /// The resolved endpoint, as events and accepted sessions name it.
    endpoint: String,
    /// Set by the socket when it reported `CLOSED` itself (on close).
    closed_reported: Arc<AtomicBool>,
    /// How accepted sessions find the ZAP handler.
    zap: ZapLookup,
    /// When to accept again after running out of descriptors or memory.
    retry: retry::AcceptRetry,
}

/// The sessions a listener spawned, each with a token it drops when it
/// ends, so that the list does not grow by one id per connection ever
/// accepted (it is pruned whenever it has doubled since the last time).
#[derive(Default)]
struct Children {
    live: Vec<(ObjectId, Weak<()>)>,
    prune_at: usize,
}

impl Children {
    /// Records a new child; returns the token the child keeps while alive.
    fn add(&mut self, id: ObjectId) -> Arc<()> {
        if self.live.len() >= self.prune_at {
            self.live.retain(|(_, w)| w.strong_count() > 0);
            self.prune_at = (2 * self.live.len()).max(64);
        }
        let token = Arc::new(());
        self.live.push((id, Arc::downgrade(&token)));
        token
    }

    /// The children still alive, removed from the list.
    fn drain(&mut self) -> impl Iterator<Item = ObjectId> + '_ {
        self.live
            .drain(..)
            .filter(|(_, w)| w.strong_count() > 0)
            .map(|(id, _)| id)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.live.len()
    }
}

impl Listener {
    pub(crate) fn new(
        id: ObjectId,
        listener: Box<dyn OsListener>,
        options: Options,
        socket: Arc<SocketMailbox>,
        closing: Closing,
        links: SessionLinks,
    ) -> Listener {
        let Closing {
            cleanup,
            reported: closed_reported,
        } = closing;
        Listener {
            id,
            listener: Some(listener),
            options,
            socket,
            children: Children::default(),
            cleanup,
            finished: false,
            monitor: links.monitor,
            endpoint: links.endpoint,
            zap: links.zap,
            closed_reported,
            retry: retry::AcceptRetry::default(),
        }
    }

    fn accept_all(&mut self, cx: &mut IoCx) {
        let Some(l) = self.listener.as_mut() else {
            return;
        };
        loop {
            match l.accept(&self.options) {
                Ok(None) => {}
                Ok(Some(stream)) => {
                    let pair = EndpointPair::unconnected_bind(self.endpoint.clone());
                    self.monitor.event_accepted(&pair, stream.fd());
                    let id = next_object_id();
                    let links = SessionLinks {
                        monitor: self.monitor.clone(),
                        endpoint: self.endpoint.clone(),
                        zap: self.zap.clone(),
                    };
                    let s = Session::accepted(
                        id,
                        self.options.clone(),
                        self.socket.clone(),
                        stream,
                        links,
                    );
                    let s = s.with_liveness(self.children.add(id));
                    cx.spawn(Box::new(s));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // WouldBlock ends the batch.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.retry.reset();
                    return;
                }
                Err(e) => {
                    // libzmq reports every failed accept and goes on.
                    let pair = EndpointPair::unconnected_bind(self.endpoint.clone());
                    let errno = e.raw_os_error().unwrap_or(libc::EIO);
                    self.monitor.event_accept_failed(&pair, errno);
                    if !retry::connection_lost(errno) {
                        // Out of descriptors or memory: the connection
                        // waits in the backlog, and being edge-triggered
                        // we hear nothing more about it. Try again later
                        // (libzmq's level-triggered poll retries at once,
                        // in a busy loop of events).
                        self.retry.schedule(Instant::now());
                        return;
                    }
                    // That connection is gone (reset before we took it):
                    // take the next one.
                }
            }
        }
    }
}

impl IoObject for Listener {
    fn id(&self) -> ObjectId {
        self.id
    }

    fn plugged(&mut self, cx: &mut IoCx) {
        let ok = match self.listener.as_mut() {
            Some(l) => l
                .register(cx.registry, cx.token(), Interest::READABLE)
                .is_ok(),
            None => false,
        };
        if ok {
            self.accept_all(cx);
        } else {
            self.finished = true;
        }
    }

    fn ready(&mut self, cx: &mut IoCx, _readable: bool, _writable: bool, _read_closed: bool) {
        self.accept_all(cx);
    }

    /// A listener owns no pipes.
    fn pipe_command(&mut self, _cx: &mut IoCx, _cmd: PipeCommand) {}

    fn term(&mut self, cx: &mut IoCx, linger: i32) {
        {
            if let Some(mut l) = self.listener.take() {
                let _ = l.deregister(cx.registry);
                if !self.closed_reported.load(Ordering::Acquire) {
                    let pair = EndpointPair::unconnected_bind(self.endpoint.clone());
                    self.monitor.event_closed(&pair, l.fd());
                }
            }
            for child in self.children.drain() {
                cx.term_object(child, linger);
            }
            self.cleanup = None;
            self.retry.reset();
            self.finished = true;
        }
    }

    fn timeout(&mut self, cx: &mut IoCx, now: Instant) {
        if self.retry.due(now) {
            self.accept_all(cx);
        }
    }

    fn deadline(&self) -> Option<Instant> {
        self.retry.at()
    }

    fn done(&self) -> bool {
        self.finished
    }
}

#[cfg(test)]
mod children_tests {
    use super::Children;

    #[test]
    fn ended_children_are_forgotten() {
        let mut c = Children::default();
        // 10,000 connections, each over before the next: the list stays
        // small instead of holding 10,000 ids.
        for id in 0..10_000 {
            drop(c.add(id));
        }
        assert!(c.len() <= 64, "{} ids kept", c.len());
        // Live ones are all kept and handed out at termination.
        let alive: Vec<_> = (20_000..20_100).map(|id| c.add(id)).collect();
        let ids: Vec<_> = c.drain().collect();
        assert_eq!(ids, (20_000..20_100).collect::<Vec<_>>());
        drop(alive);
    }
}
