//! libzmq's `req_session_t`: the replies a REQ's connection may carry.
//!
//! A reply is an optional 4-byte request id (`ZMQ_REQ_CORRELATE`; libzmq
//! takes one whether the option is on or not), an empty delimiter, then
//! body frames; each frame's flags must be exactly MORE or nothing.
//! Anything else is `EFAULT` and ends the connection, which a connecting
//! REQ does not retry (a protocol error). The REQ socket itself then
//! matches replies to its request.

use crate::error::Error;
use crate::msg::{flags, Msg};

/// Where in a reply the next frame falls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReqReplies {
    /// A reply's first frame.
    #[default]
    Bottom,
    /// After a request id: the delimiter.
    RequestId,
    /// Body frames, up to one without MORE.
    Body,
}

impl ReqReplies {
    /// Checks one decoded frame: `Ok` passes it to the socket.
    pub fn incoming(&mut self, msg: &Msg) -> Result<(), Error> {
        let more = msg.flags() == flags::MORE;
        let next = match *self {
            ReqReplies::Bottom if more && msg.size() == 4 => ReqReplies::RequestId,
            ReqReplies::Bottom | ReqReplies::RequestId if more && msg.size() == 0 => {
                ReqReplies::Body
            }
            ReqReplies::Body if more => ReqReplies::Body,
            ReqReplies::Body if msg.flags() == 0 => ReqReplies::Bottom,
            _ => return Err(Error::EFAULT),
        };
        *self = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &[u8], more: bool) -> Msg {
        let mut m = Msg::from_slice(body);
        m.set_more(more);
        m
    }

    #[test]
    fn replies_with_a_delimiter_and_an_optional_request_id_pass() {
        let mut r = ReqReplies::default();
        for (body, more) in [(&b""[..], true), (b"a", true), (b"b", false)] {
            r.incoming(&frame(body, more)).unwrap();
        }
        for (body, more) in [(&b"\0\0\0\x01"[..], true), (b"", true), (b"c", false)] {
            r.incoming(&frame(body, more)).unwrap();
        }
        assert_eq!(r, ReqReplies::Bottom);
    }

    #[test]
    fn a_reply_without_its_delimiter_is_efault() {
        let mut r = ReqReplies::default();
        assert_eq!(r.incoming(&frame(b"x", false)), Err(Error::EFAULT));
        let mut r = ReqReplies::default();
        assert_eq!(r.incoming(&frame(b"", false)), Err(Error::EFAULT));
        let mut r = ReqReplies::default();
        r.incoming(&frame(b"\0\0\0\x01", true)).unwrap();
        assert_eq!(r.incoming(&frame(b"x", true)), Err(Error::EFAULT));
    }
}
