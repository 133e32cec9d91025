//! tcp and ipc endpoints of a socket: opening them and handing the
//! listeners and connecting sessions to io threads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::command::SocketCommand;
use crate::endpoint_pair::EndpointPair;
use crate::io::{IoCommand, IoMailbox, ObjectId};
use crate::options::consts::ZMQ_RECONNECT_STOP_AFTER_DISCONNECT;
use crate::session::SessionLinks;
use crate::transport::{self, Bound, Endpoint};
use crate::{Error, Result};

/// A listener or connecting session a socket started, so it can end it.
pub struct IoEndpoint {
    /// The endpoint as given and as resolved (`tcp://*:*` binds report the
    /// real port); unbind/disconnect accept either.
    pub given: String,
    pub resolved: String,
    pub mailbox: Arc<IoMailbox>,
    pub object: ObjectId,
    /// The socket's end of a connecting session's pipe.
    pub pipe: Option<crate::pipe::PipeId>,
    /// A listener's fd and its "CLOSED already reported" flag: on
    /// `zmq_close` the socket reports it itself, before `MONITOR_STOPPED`,
    /// as libzmq's order is.
    pub listener: Option<(i32, Arc<AtomicBool>)>,
}

impl IoEndpoint {
    pub fn matches(&self, addr: &str) -> bool {
        self.given == addr || self.resolved == addr
    }

    pub fn terminate(&self, linger: i32) {
        self.mailbox.send(IoCommand::Term(self.object, linger));
    }
}

impl super::Socket {
    /// `zmq_bind` on tcp or ipc: the OS socket is bound here, so errors
    /// such as `EADDRINUSE` come back from the call, as in libzmq.
    pub(super) fn bind_io(&mut self, addr: &str, ep: &Endpoint) -> Result<()> {
        let options = &self.core.options;
        let Bound {
            listener,
            endpoint: resolved,
            cleanup,
        } = match transport::bind(ep, options) {
            Ok(b) => b,
            Err(e) => {
                let pair = EndpointPair::unconnected_bind(addr);
                self.core.monitor.event_bind_failed(&pair, e.errno());
                return Err(e);
            }
        };
        let listen_fd = listener.fd();
        let pair = EndpointPair::unconnected_bind(resolved.clone());
        self.core.monitor.event_listening(&pair, listen_fd);
        let closed_reported = Arc::new(AtomicBool::new(false));
        let io = self.core.ctx.io_thread(self.core.options.affinity)?;
        let id = crate::io::next_object_id();
        let l = crate::session::Listener::new(
            id,
            listener,
            options.clone(),
            self.core.mailbox.clone(),
            crate::session::Closing {
                cleanup,
                reported: closed_reported.clone(),
            },
            self.session_links(resolved.clone()),
        );
        io.send(IoCommand::Plug(Box::new(l)));
        self.core.mailbox.send(SocketCommand::Noop);
        self.core.last_endpoint = resolved.clone();
        // A bound endpoint is known by its resolved name only: libzmq does
        // not unbind `tcp://*:*` by the wildcard.
        let _ = addr;
        self.core.io_endpoints.push(IoEndpoint {
            given: resolved.clone(),
            resolved,
            mailbox: io,
            object: id,
            pipe: None,
            listener: Some((listen_fd, closed_reported)),
        });
        Ok(())
    }

    /// `zmq_connect` on tcp or ipc: the session connects in the background
    /// and reconnects; unless `ZMQ_IMMEDIATE`, the pipe exists at once so
    /// messages queue while connecting.
    pub(super) fn connect_io(&mut self, addr: &str, ep: &Endpoint) -> Result<()> {
        let connector = transport::connecter(ep, &self.core.options)?;
        let io = self.core.ctx.io_thread(self.core.options.affinity)?;
        let id = crate::io::next_object_id();
        let o = &self.core.options;
        let (local, remote) = if o.immediate {
            (None, None)
        } else {
            let conflate = o.effective_conflate();
            let hwm = |v: i32| if conflate { -1 } else { v };
            let (l, r) = crate::pipe::pipepair([hwm(o.sndhwm), hwm(o.rcvhwm)], conflate);
            (Some(l), Some(r))
        };
        let session = crate::session::Session::connecting(
            id,
            o.clone(),
            self.core.mailbox.clone(),
            remote,
            connector,
            self.session_links(addr.to_string()),
        );
        let session = session.stop_after_disconnect(self.core.disconnected.clone());
        let pipe = local.as_ref().map(|p| p.id());
        if let Some(mut l) = local {
            l.endpoint = addr.to_string();
            self.attach_pipe(l, true);
        }
        io.send(IoCommand::Plug(Box::new(session)));
        self.core.mailbox.send(SocketCommand::Noop);
        self.core.last_endpoint = addr.to_string();
        self.core.io_endpoints.push(IoEndpoint {
            given: addr.to_string(),
            resolved: addr.to_string(),
            mailbox: io,
            object: id,
            pipe,
            listener: None,
        });
        Ok(())
    }

    /// What the socket's sessions for `endpoint` report to and ask.
    fn session_links(&self, endpoint: String) -> SessionLinks {
        SessionLinks {
            monitor: self.core.monitor.clone(),
            endpoint,
            zap: self.core.ctx.zap_lookup(),
        }
    }

    /// unbind/disconnect of a tcp or ipc endpoint.
    pub(super) fn term_io_endpoint(&mut self, addr: &str) -> Result<()> {
        let (gone, kept): (Vec<IoEndpoint>, Vec<IoEndpoint>) =
            std::mem::take(&mut self.core.io_endpoints)
                .into_iter()
                .partition(|e| e.matches(addr));
        self.core.io_endpoints = kept;
        if gone.is_empty() {
            return Err(Error::ENOENT);
        }
        for e in gone {
            e.terminate(self.core.options.linger);
            if let Some(p) = e.pipe {
                self.terminate_pipe(p);
            }
        }
        if self.core.options.reconnect_stop & ZMQ_RECONNECT_STOP_AFTER_DISCONNECT != 0 {
            self.core.disconnected.store(true, Ordering::Release);
        }
        Ok(())
    }

    /// A connecting session gave up (`ZMQ_RECONNECT_STOP`): the endpoint
    /// is gone, as if disconnected, but the session has already ended.
    pub(super) fn io_endpoint_failed(&mut self, object: ObjectId) {
        let Some(i) = self
            .core
            .io_endpoints
            .iter()
            .position(|e| e.object == object)
        else {
            return;
        };
        let e = self.core.io_endpoints.remove(i);
        if let Some(p) = e.pipe {
            self.terminate_pipe(p);
        }
    }

    /// On close: every listener and connecting session ends (lingering).
    pub(super) fn close_io_endpoints(&mut self) {
        for e in self.core.io_endpoints.drain(..) {
            if let Some((fd, reported)) = &e.listener {
                reported.store(true, Ordering::Release);
                let pair = EndpointPair::unconnected_bind(e.resolved.clone());
                self.core.monitor.event_closed(&pair, *fd);
            }
            e.terminate(self.core.options.linger);
        }
    }
}
