//! REP (rfc-28): a ROUTER that answers one request at a time, keeping the
//! request's routing envelope for the reply.

use super::router::Router;
use super::{Cx, Pattern};
use crate::msg::Msg;
use crate::pipe::PipeId;
use crate::{Error, Result};

pub struct Rep {
    router: Router,
    sending_reply: bool,
    request_begins: bool,
}

impl Default for Rep {
    fn default() -> Self {
        Rep {
            router: Router::default(),
            sending_reply: false,
            request_begins: true,
        }
    }
}

impl Pattern for Rep {
    fn attach(&mut self, cx: &mut Cx, pipe: PipeId, local: bool) {
        self.router.attach(cx, pipe, local);
    }

    fn send(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<()> {
        if !self.sending_reply {
            return Err(Error::EFSM);
        }
        let more = msg.has_more();
        self.router.send(cx, msg)?;
        if !more {
            self.sending_reply = false;
        }
        Ok(())
    }

    fn recv(&mut self, cx: &mut Cx) -> Result<Msg> {
        if self.sending_reply {
            return Err(Error::EFSM);
        }
        if self.request_begins {
            // Copy the envelope (up to the empty delimiter) to the reply.
            loop {
                let mut m = self.router.recv(cx)?;
                if m.has_more() {
                    let bottom = m.size() == 0;
                    self.router.send(cx, &mut m)?;
                    if bottom {
                        break;
                    }
                } else {
                    // Malformed envelope: discard what was queued.
                    self.router.rollback(cx);
                }
            }
            self.request_begins = false;
        }
        let m = self.router.recv(cx)?;
        if !m.has_more() {
            self.sending_reply = true;
            self.request_begins = true;
        }
        Ok(m)
    }

    fn has_in(&mut self, cx: &mut Cx) -> bool {
        !self.sending_reply && self.router.has_in(cx)
    }

    fn has_out(&mut self, cx: &mut Cx) -> bool {
        self.sending_reply && self.router.has_out(cx)
    }

    fn read_activated(&mut self, cx: &mut Cx, pipe: PipeId) {
        self.router.read_activated(cx, pipe);
    }

    fn write_activated(&mut self, cx: &mut Cx, pipe: PipeId) {
        self.router.write_activated(cx, pipe);
    }

    fn pipe_terminated(&mut self, cx: &mut Cx, pipe: PipeId) {
        self.router.pipe_terminated(cx, pipe);
    }

    fn set_option(&mut self, cx: &mut Cx, option: i32, value: &[u8]) -> Option<Result<()>> {
        self.router.set_option(cx, option, value)
    }

    /// libzmq's REP is a ROUTER, so it answers peer states too.
    fn peer_state(&self, cx: &Cx, routing_id: &[u8]) -> Result<i16> {
        self.router.peer_state(cx, routing_id)
    }
}
