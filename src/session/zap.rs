//! The session's ZAP client (rfc-27): the pipe to the handler bound at
//! `inproc://zeromq.zap.01` in the socket's context, as libzmq's
//! `session_base_t::zap_connect`, `write_zap_msg` and `read_zap_msg`.
//!
//! The engine asks (an [`Event::ZapRequest`](crate::zmtp::Event)); the
//! session writes the frames to the handler's socket and goes back to its
//! loop. The reply arrives as an `ActivateRead` on the ZAP pipe, so a slow
//! handler never blocks the io thread, only that handshake (which the
//! handshake timer or the peer may end meanwhile).

use std::sync::Arc;

use crate::command::{SocketCommand, SocketMailbox};
use crate::io::IoCx;
use crate::msg::{flags, Msg};
use crate::pipe::{pipepair, Pipe, PipeId};

/// The socket bound at the ZAP endpoint, as the context knows it.
pub struct ZapHandler {
    pub mailbox: Arc<SocketMailbox>,
    /// ROUTER-like handlers (REP, ROUTER) read a routing-id message first.
    pub recv_routing_id: bool,
}

/// Finds the ZAP handler of the socket's context, if one is bound now.
pub type ZapLookup = Arc<dyn Fn() -> Option<ZapHandler> + Send + Sync>;

/// One session's connection to the ZAP handler, made at its first request
/// and kept for the next ones (libzmq's `_zap_pipe`).
pub struct ZapClient {
    lookup: ZapLookup,
    pipe: Option<Pipe>,
    /// Frames of a reply read so far (up to the one without MORE).
    reply: Vec<Msg>,
}

impl ZapClient {
    pub fn new(lookup: ZapLookup) -> ZapClient {
        ZapClient {
            lookup,
            pipe: None,
            reply: Vec::new(),
        }
    }

    /// Whether `id` is our end of the ZAP pipe.
    pub fn owns(&self, id: PipeId) -> bool {
        self.pipe.as_ref().is_some_and(|p| p.id() == id)
    }

    /// Sends a request; false when no handler is bound (libzmq's
    /// `ECONNREFUSED` from `zap_connect`).
    pub fn send(&mut self, cx: &mut IoCx, frames: Vec<Msg>) -> bool {
        if self.pipe.is_none() && !self.connect(cx) {
            return false;
        }
        let Some(pipe) = self.pipe.as_mut() else {
            return false;
        };
        // The pipe has no HWM; it refuses only once the handler's side is
        // gone, and then no reply will come either, as in libzmq.
        for m in frames {
            if pipe.write(m).is_err() {
                break;
            }
        }
        pipe.flush();
        true
    }

    fn connect(&mut self, cx: &mut IoCx) -> bool {
        let Some(handler) = (self.lookup)() else {
            return false;
        };
        let (mut mine, theirs) = pipepair([0, 0], false);
        mine.set_owner(cx.mailbox.clone());
        cx.route_pipe(mine.id());
        theirs.set_owner(handler.mailbox.clone());
        if handler.recv_routing_id {
            // An empty routing id: the handler's socket makes one up.
            let mut id = Msg::new();
            id.set_flags(flags::ROUTING_ID);
            let _ = mine.write(id);
            mine.flush();
        }
        handler.mailbox.send(SocketCommand::Bind(Box::new(theirs)));
        self.pipe = Some(mine);
        self.reply.clear();
        true
    }

    /// The handler wrote to the pipe.
    pub fn activate_read(&mut self) {
        if let Some(p) = self.pipe.as_mut() {
            p.activate_read();
        }
    }

    /// The next complete reply, if one has arrived: its frames, ending at
    /// the first without MORE.
    pub fn read_reply(&mut self) -> Option<Vec<Msg>> {
        let pipe = self.pipe.as_mut()?;
        while let Some(m) = pipe.read() {
            let last = m.flags() & flags::MORE == 0;
            self.reply.push(m);
            if last {
                return Some(std::mem::take(&mut self.reply));
            }
        }
        None
    }

    /// The handler's socket closed its side: no reply will come. The
    /// handshake keeps waiting, as libzmq's, until its timer or the peer
    /// ends it.
    pub fn peer_terminated(&mut self, cx: &mut IoCx) {
        if let Some(p) = self.pipe.as_mut() {
            p.peer_terminated();
        }
        self.close(cx);
    }

    /// Closes the pipe. Done when the connection it served ends, so that a
    /// late reply can never be taken for the next connection's (libzmq
    /// keeps the pipe for the session's life).
    pub fn close(&mut self, cx: &mut IoCx) {
        if let Some(mut p) = self.pipe.take() {
            cx.unroute_pipe(p.id());
            p.terminate();
        }
        self.reply.clear();
    }
}
