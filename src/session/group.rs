//! RADIO/DISH over ZMTP: how a message's group travels on the wire, as
//! libzmq's `radio_session_t` and `dish_session_t` carry it.
//!
//! Inside the library the group is a property of the message (and a DISH's
//! joins are `Msg::join()`/`Msg::leave()` messages). On the wire a RADIO
//! writes each message as two frames, the group (with MORE) then the body;
//! a DISH writes JOIN/LEAVE commands (the RADIO's engine turns them back
//! into join/leave messages, see `zmtp::engine`). Both are per connection
//! state, reset when the connection ends.
//!
//! The same seam checks a REQ's replies (libzmq's `req_session_t`, see
//! `req.rs`).

use crate::error::Error;
use crate::msg::{flags, Msg, GROUP_MAX_LENGTH};
use crate::options::consts::{ZMQ_DISH, ZMQ_RADIO, ZMQ_REQ};
use crate::session::req::ReqReplies;
use crate::zmtp::command;

#[derive(Debug)]
pub enum GroupFraming {
    /// Any other socket type: messages pass unchanged.
    None,
    Radio,
    /// The group frame of the message being received, once read.
    Dish {
        group: Option<Msg>,
    },
    /// A REQ: replies are checked frame by frame.
    Req(ReqReplies),
}

impl GroupFraming {
    pub fn for_socket(socket_type: i32) -> GroupFraming {
        match socket_type {
            ZMQ_RADIO => GroupFraming::Radio,
            ZMQ_DISH => GroupFraming::Dish { group: None },
            ZMQ_REQ => GroupFraming::Req(ReqReplies::default()),
            _ => GroupFraming::None,
        }
    }

    /// Messages pass unchanged (any socket but RADIO, DISH and REQ).
    pub fn is_none(&self) -> bool {
        matches!(self, GroupFraming::None)
    }

    /// A new connection starts at a group frame.
    pub fn reset(&mut self) {
        match self {
            GroupFraming::Dish { group } => *group = None,
            GroupFraming::Req(state) => *state = ReqReplies::default(),
            _ => {}
        }
    }

    /// The frames to encode for a message from the socket: one, or a
    /// RADIO's group frame and body.
    pub fn outgoing(&self, mut msg: Msg) -> (Msg, Option<Msg>) {
        match self {
            GroupFraming::None | GroupFraming::Req(_) => (msg, None),
            GroupFraming::Radio => {
                let mut group = Msg::from_slice(msg.group().to_bytes());
                group.set_more(true);
                // The group goes in its own frame; the body carries none.
                msg.set_more(false);
                (group, Some(msg))
            }
            GroupFraming::Dish { .. } => {
                if !msg.is_join() && !msg.is_leave() {
                    return (msg, None);
                }
                let name = if msg.is_join() {
                    command::JOIN
                } else {
                    command::LEAVE
                };
                (command::command(&[name, msg.group().to_bytes()]), None)
            }
        }
    }

    /// A decoded message from the peer: `Ok(Some)` goes to the socket,
    /// `Ok(None)` was a group frame, `Err` is libzmq's `EFAULT` for a
    /// malformed pair (the connection ends).
    pub fn incoming(&mut self, mut msg: Msg) -> Result<Option<Msg>, Error> {
        if let GroupFraming::Req(state) = self {
            return state.incoming(&msg).map(|()| Some(msg));
        }
        let GroupFraming::Dish { group } = self else {
            return Ok(Some(msg));
        };
        if msg.flags() & flags::ROUTING_ID != 0 {
            return Ok(Some(msg));
        }
        match group.take() {
            None => {
                if !msg.has_more() || msg.size() > GROUP_MAX_LENGTH {
                    return Err(Error::EFAULT);
                }
                *group = Some(msg);
                Ok(None)
            }
            Some(g) => {
                // DISH has no multipart messages.
                if msg.has_more() {
                    return Err(Error::EFAULT);
                }
                msg.set_group(g.data())?;
                Ok(Some(msg))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radio_writes_group_then_body() {
        let f = GroupFraming::for_socket(ZMQ_RADIO);
        let mut m = Msg::from_slice(b"Godfather");
        m.set_group(b"Movies").unwrap();
        let (g, body) = f.outgoing(m);
        assert_eq!(g.data(), b"Movies");
        assert!(g.has_more());
        let body = body.unwrap();
        assert_eq!(body.data(), b"Godfather");
        assert!(!body.has_more());
    }

    #[test]
    fn dish_writes_join_and_leave_commands() {
        let f = GroupFraming::for_socket(ZMQ_DISH);
        let mut j = Msg::join();
        j.set_group(b"TV").unwrap();
        let (c, none) = f.outgoing(j);
        assert!(none.is_none() && c.is_command());
        assert_eq!(c.data(), b"\x04JOINTV");
        let mut l = Msg::leave();
        l.set_group(b"TV").unwrap();
        assert_eq!(f.outgoing(l).0.data(), b"\x05LEAVETV");
    }

    #[test]
    fn dish_reads_group_frame_then_body() {
        let mut f = GroupFraming::for_socket(ZMQ_DISH);
        let mut g = Msg::from_slice(b"Movies");
        g.set_more(true);
        assert!(f.incoming(g).unwrap().is_none());
        let m = f.incoming(Msg::from_slice(b"x")).unwrap().unwrap();
        assert_eq!(m.group().to_bytes(), b"Movies");
        assert_eq!(m.data(), b"x");
    }

    #[test]
    fn dish_refuses_malformed_pairs() {
        let mut f = GroupFraming::for_socket(ZMQ_DISH);
        // A group frame without MORE.
        assert_eq!(
            f.incoming(Msg::from_slice(b"g")).unwrap_err(),
            Error::EFAULT
        );
        // A group too long.
        let mut long = Msg::from_slice(&[b'a'; GROUP_MAX_LENGTH + 1]);
        long.set_more(true);
        assert_eq!(f.incoming(long).unwrap_err(), Error::EFAULT);
        // A multipart body.
        let mut g = Msg::from_slice(b"g");
        g.set_more(true);
        f.incoming(g).unwrap();
        let mut body = Msg::from_slice(b"b");
        body.set_more(true);
        assert_eq!(f.incoming(body).unwrap_err(), Error::EFAULT);
    }
}
