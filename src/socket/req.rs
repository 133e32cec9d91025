//! REQ (rfc-28): a DEALER that alternates strictly between sending a
//! request (prefixed with an empty delimiter) and receiving its reply.

use super::dealer::Dealer;
use super::{Cx, Pattern};
use crate::msg::Msg;
use crate::options;
use crate::pipe::PipeId;
use crate::{Error, Result};

pub struct Req {
    dealer: Dealer,
    receiving_reply: bool,
    message_begins: bool,
    reply_pipe: Option<PipeId>,
    request_id_frames: bool,
    request_id: u32,
    strict: bool,
}

impl Default for Req {
    fn default() -> Self {
        Req {
            dealer: Dealer::default(),
            receiving_reply: false,
            message_begins: true,
            reply_pipe: None,
            request_id_frames: false,
            request_id: 0,
            strict: true,
        }
    }
}

impl Req {
    fn send_label(&mut self, cx: &mut Cx, body: &[u8]) -> Result<()> {
        let mut m = Msg::from_slice(body);
        m.set_more(true);
        let pipe = self.dealer.send_pipe(cx, &mut m)?;
        if pipe.is_some() {
            self.reply_pipe = pipe;
        }
        Ok(())
    }

    /// Next frame from the pipe the request went to; others are dropped.
    fn recv_reply_pipe(&mut self, cx: &mut Cx) -> Result<Msg> {
        loop {
            let (m, pipe) = self.dealer.recv_pipe(cx)?;
            if self.reply_pipe.is_none_or(|p| p == pipe) {
                return Ok(m);
            }
        }
    }

    fn skip_rest(&mut self, cx: &mut Cx, mut m: Msg) -> Result<()> {
        while m.has_more() {
            m = self.recv_reply_pipe(cx)?;
        }
        Ok(())
    }
}

impl Pattern for Req {
    fn attach(&mut self, cx: &mut Cx, pipe: PipeId, local: bool) {
        self.dealer.attach(cx, pipe, local);
    }

    fn send(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<()> {
        if self.receiving_reply {
            if self.strict {
                return Err(Error::EFSM);
            }
            self.receiving_reply = false;
            self.message_begins = true;
        }
        if self.message_begins {
            self.reply_pipe = None;
            if self.request_id_frames {
                self.request_id = self.request_id.wrapping_add(1);
                let id = self.request_id.to_ne_bytes();
                self.send_label(cx, &id)?;
            }
            self.send_label(cx, &[])?;
            self.message_begins = false;
            // Drop replies to earlier requests still queued.
            while self.dealer.recv(cx).is_ok() {}
        }
        let more = msg.has_more();
        self.dealer.send(cx, msg)?;
        if !more {
            self.receiving_reply = true;
            self.message_begins = true;
        }
        Ok(())
    }

    fn recv(&mut self, cx: &mut Cx) -> Result<Msg> {
        if !self.receiving_reply {
            return Err(Error::EFSM);
        }
        while self.message_begins {
            if self.request_id_frames {
                let m = self.recv_reply_pipe(cx)?;
                let ok = m.has_more()
                    && m.size() == 4
                    && m.data() == self.request_id.to_ne_bytes().as_slice();
                if !ok {
                    self.skip_rest(cx, m)?;
                    continue;
                }
            }
            let m = self.recv_reply_pipe(cx)?;
            if !m.has_more() || m.size() != 0 {
                self.skip_rest(cx, m)?;
                continue;
            }
            self.message_begins = false;
        }
        let m = self.recv_reply_pipe(cx)?;
        if !m.has_more() {
            self.receiving_reply = false;
            self.message_begins = true;
        }
        Ok(m)
    }

    fn has_in(&mut self, cx: &mut Cx) -> bool {
        self.receiving_reply && self.dealer.has_in(cx)
    }

    fn has_out(&mut self, cx: &mut Cx) -> bool {
        !(self.receiving_reply && self.strict) && self.dealer.has_out(cx)
    }

    fn read_activated(&mut self, cx: &mut Cx, pipe: PipeId) {
        self.dealer.read_activated(cx, pipe);
    }

    fn write_activated(&mut self, cx: &mut Cx, pipe: PipeId) {
        self.dealer.write_activated(cx, pipe);
    }

    fn pipe_terminated(&mut self, cx: &mut Cx, pipe: PipeId) {
        if self.reply_pipe == Some(pipe) {
            self.reply_pipe = None;
        }
        self.dealer.pipe_terminated(cx, pipe);
    }

    fn set_option(&mut self, cx: &mut Cx, option: i32, value: &[u8]) -> Option<Result<()>> {
        let r = match option {
            options::consts::ZMQ_REQ_CORRELATE => {
                options::codec::nonneg_flag(value).map(|v| self.request_id_frames = v)
            }
            options::consts::ZMQ_REQ_RELAXED => {
                options::codec::nonneg_flag(value).map(|v| self.strict = !v)
            }
            _ => return self.dealer.set_option(cx, option, value),
        };
        Some(r)
    }
}
