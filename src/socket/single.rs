//! What the thread-safe draft types (CLIENT, SERVER, RADIO, DISH, GATHER,
//! SCATTER, PEER, CHANNEL) share: they carry single-part messages only.
//!
//! Four of them are a classic pattern plus that rule (CLIENT is DEALER,
//! SCATTER is PUSH, GATHER is PULL, CHANNEL is PAIR), so they are built as
//! [`SinglePart`] around the classic one rather than written again.

use super::{Cx, Pattern};
use crate::msg::Msg;
use crate::pipe::PipeId;
use crate::{Error, Result};

/// A classic pattern restricted to single-part messages: `SNDMORE` is
/// refused and multipart messages from the peer are dropped whole. The
/// classic pattern's own options (DEALER's `PROBE_ROUTER`) are not offered,
/// as libzmq's draft types do not take them.
#[derive(Default)]
pub struct SinglePart<P>(P);

impl<P: Pattern> Pattern for SinglePart<P> {
    fn attach(&mut self, cx: &mut Cx, pipe: PipeId, locally_initiated: bool) {
        self.0.attach(cx, pipe, locally_initiated)
    }

    fn send(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<()> {
        reject_more(msg)?;
        self.0.send(cx, msg)
    }

    fn recv(&mut self, cx: &mut Cx) -> Result<Msg> {
        // The first error wins (EAGAIN, or ENOTSUP for a send-only type).
        let mut err = None;
        let inner = &mut self.0;
        let next = next_single(|| match inner.recv(cx) {
            Ok(m) => Some((m, ())),
            Err(e) => {
                err = Some(e);
                None
            }
        });
        match next {
            Some((m, ())) => Ok(m),
            None => Err(err.unwrap_or(Error::EAGAIN)),
        }
    }

    fn has_in(&mut self, cx: &mut Cx) -> bool {
        self.0.has_in(cx)
    }

    fn has_out(&mut self, cx: &mut Cx) -> bool {
        self.0.has_out(cx)
    }

    fn read_activated(&mut self, cx: &mut Cx, pipe: PipeId) {
        self.0.read_activated(cx, pipe)
    }

    fn write_activated(&mut self, cx: &mut Cx, pipe: PipeId) {
        self.0.write_activated(cx, pipe)
    }

    fn pipe_terminated(&mut self, cx: &mut Cx, pipe: PipeId) {
        self.0.pipe_terminated(cx, pipe)
    }
}

/// `ZMQ_SNDMORE` on a single-part type is the caller's mistake: `EINVAL`,
/// message left to the caller (libzmq checks it in each `xsend`).
pub(super) fn reject_more(msg: &Msg) -> Result<()> {
    if msg.has_more() {
        return Err(Error::EINVAL);
    }
    Ok(())
}

/// The next single-part message from `next`, skipping multipart messages
/// whole. Over inproc any socket type can connect (there is no handshake
/// to refuse it), so a DEALER may send us frames with MORE; libzmq drops
/// them rather than deliver MORE to an application that cannot expect it.
pub(super) fn next_single<T>(mut next: impl FnMut() -> Option<(Msg, T)>) -> Option<(Msg, T)> {
    let mut first = next()?;
    while first.0.has_more() {
        while next()?.0.has_more() {}
        first = next()?;
    }
    Some(first)
}

/// A hard-to-guess start for SERVER's routing ids (libzmq's
/// `generate_random`).
pub(super) use crate::util::random_u32;
