//! What the thread-safe draft types (CLIENT, SERVER, RADIO, DISH, GATHER,
//! SCATTER, PEER, CHANNEL) share: they carry single-part messages only.

use crate::msg::Msg;
use crate::{Error, Result};

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
