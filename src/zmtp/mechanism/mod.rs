//! Security mechanisms: the ZMTP 3 handshake after the greeting.
//!
//! Each mechanism is a small state machine with libzmq's interface:
//! the engine asks it for its next handshake command, hands it each
//! command the peer sent, and reads its [`Status`]. ZAP (rfc-27) requests
//! leave as [`Event::ZapRequest`]; the io layer routes them to the handler
//! and brings the reply back through [`Mechanism::zap_reply`] (or reports
//! that no handler is bound with [`Mechanism::zap_unavailable`]).
//!
//! Failures report the monitor event libzmq raises at the same point (if
//! any) into the event queue and return an error; the engine then drops
//! the connection as a protocol error.

pub mod curve;
pub mod null;
pub mod plain;
pub mod zap;

use std::collections::{BTreeMap, VecDeque};

use super::command::{self, PROPERTY_IDENTITY, PROPERTY_SOCKET_TYPE, PROPERTY_USER_ID};
use super::engine::{EngineConfig, Event};
use super::EPROTO;
use crate::msg::Msg;
use crate::{Error, Result};

/// Where a handshake stands (libzmq's `mechanism_t::status_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Handshaking,
    Ready,
    Error,
}

/// Events raised by a mechanism, in order.
pub type Events = VecDeque<Event>;

/// Raises `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL` with `code`; the error to
/// return.
pub(crate) fn protocol_error(events: &mut Events, code: i32) -> Error {
    events.push_back(Event::HandshakeFailedProtocol(code));
    EPROTO
}

/// A security mechanism.
pub trait Mechanism: Send {
    /// The next command to send, if any now (libzmq returns `EAGAIN`).
    fn next_handshake_command(&mut self, cfg: &EngineConfig, events: &mut Events) -> Option<Msg>;

    /// Processes a command from the peer. libzmq does not check the
    /// frame's COMMAND flag here, and neither do we.
    fn process_handshake_command(
        &mut self,
        cfg: &EngineConfig,
        msg: &Msg,
        events: &mut Events,
    ) -> Result<()>;

    /// The ZAP handler's reply, one message per frame.
    fn zap_reply(
        &mut self,
        _cfg: &EngineConfig,
        _frames: &[Msg],
        _events: &mut Events,
    ) -> Result<()> {
        Err(Error::EFSM)
    }

    /// No ZAP handler is bound (libzmq's failed `zap_connect`).
    fn zap_unavailable(&mut self, _cfg: &EngineConfig, _events: &mut Events) -> Result<()> {
        Ok(())
    }

    fn status(&self) -> Status;

    /// What the handshake learnt about the peer.
    fn peer(&self) -> &PeerInfo;

    /// Transforms an outgoing message after the handshake (CURVE encrypts
    /// it into a MESSAGE command). Every message and command the engine
    /// sends after the handshake (PING and PONG too) goes through here.
    fn encode(&mut self, msg: Msg, _events: &mut Events) -> Result<Msg> {
        Ok(msg)
    }

    /// Whether [`Mechanism::encode`] and [`Mechanism::decode`] change
    /// messages (CURVE); the engine skips both calls otherwise.
    fn transforms_messages(&self) -> bool {
        false
    }

    /// Transforms an incoming frame after the handshake (CURVE decrypts a
    /// MESSAGE command), raising libzmq's event when it fails.
    fn decode(&mut self, msg: Msg, _events: &mut Events) -> Result<Msg> {
        Ok(msg)
    }
}

/// The peer as the handshake describes it.
#[derive(Clone, Debug, Default)]
pub struct PeerInfo {
    /// The peer's `Identity` property, kept when our socket receives
    /// routing ids (ROUTER, REP).
    pub routing_id: Vec<u8>,
    /// The user id from the ZAP reply.
    pub user_id: Vec<u8>,
    /// Properties from the ZAP reply (User-Id and its metadata frame).
    pub zap_properties: BTreeMap<String, Vec<u8>>,
    /// Properties from the peer's READY/INITIATE.
    pub zmtp_properties: BTreeMap<String, Vec<u8>>,
}

impl PeerInfo {
    /// libzmq's `parse_metadata`: stores every property (first value of a
    /// name wins), keeps `Identity` as the routing id when the socket wants
    /// it, and checks `Socket-Type` against ours. Errors: `EPROTO` for a
    /// malformed block, `EINVAL` for an incompatible socket type.
    pub fn parse_metadata(&mut self, cfg: &EngineConfig, data: &[u8], zap: bool) -> Result<()> {
        // As libzmq, the properties read are looked at before the leftover
        // bytes fail the block: a wrong socket type comes out as such.
        let (props, complete) = command::read_properties(data);
        for (name, value) in props {
            if name == PROPERTY_IDENTITY.as_bytes() && cfg.recv_routing_id {
                self.routing_id = value.to_vec();
            } else if name == PROPERTY_SOCKET_TYPE.as_bytes()
                && !command::compatible_socket_type(cfg.socket_type, value)
            {
                return Err(Error::EINVAL);
            }
            let map = if zap {
                &mut self.zap_properties
            } else {
                &mut self.zmtp_properties
            };
            map.entry(String::from_utf8_lossy(name).into_owned())
                .or_insert_with(|| value.to_vec());
        }
        if complete {
            Ok(())
        } else {
            Err(EPROTO)
        }
    }

    /// Records the ZAP user id, also as the `User-Id` property.
    pub fn set_user_id(&mut self, user_id: &[u8]) {
        self.user_id = user_id.to_vec();
        self.zap_properties
            .entry(PROPERTY_USER_ID.to_string())
            .or_insert_with(|| user_id.to_vec());
    }
}

/// libzmq's `handle_error_reason`: an ERROR whose reason is a ZAP status
/// code 300, 400 or 500 raises `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH`.
pub(crate) fn handle_error_reason(reason: &[u8], events: &mut Events) {
    if let [d @ b'3'..=b'5', b'0', b'0'] = reason {
        events.push_back(Event::HandshakeFailedAuth(i32::from(d - b'0') * 100));
    }
}

/// Whether a handshake command is the peer's ERROR, in either spelling
/// (libzmq 4.3.5's PLAIN writes it as `^RROR`).
pub(crate) fn is_error_command(data: &[u8]) -> bool {
    data.starts_with(crate::zmtp::command::ERROR) || data.starts_with(plain::LIBZMQ_PLAIN_ERROR)
}

/// libzmq's `process_error`: the peer's ERROR command, whose name takes
/// `name_len` bytes (PLAIN's is one byte shorter in libzmq 4.3.5, see
/// plain.rs). Raises the AUTH event for a ZAP status code as reason, or
/// fails with `MALFORMED_COMMAND_ERROR`.
pub(crate) fn receive_error(name_len: usize, body: &[u8], events: &mut Events) -> Result<()> {
    use super::protocol_error::ZMTP_MALFORMED_COMMAND_ERROR;
    let rest = &body[name_len.min(body.len())..];
    let Some((&len, reason)) = rest.split_first() else {
        return Err(protocol_error(events, ZMTP_MALFORMED_COMMAND_ERROR));
    };
    match reason.get(..len as usize) {
        Some(r) => {
            handle_error_reason(r, events);
            Ok(())
        }
        None => Err(protocol_error(events, ZMTP_MALFORMED_COMMAND_ERROR)),
    }
}

/// The mechanism named by `ZMQ_MECHANISM`, if implemented.
/// `downgrade_sub`: the peer speaks ZMTP 3.0, so a mechanism that frames
/// messages itself (CURVE) writes subscriptions in the 3.0 way.
pub fn new_mechanism(cfg: &EngineConfig, downgrade_sub: bool) -> Option<Box<dyn Mechanism>> {
    use crate::options::consts::{ZMQ_CURVE, ZMQ_NULL, ZMQ_PLAIN};
    match cfg.mechanism {
        ZMQ_NULL => Some(Box::new(null::NullMechanism::default())),
        ZMQ_PLAIN if cfg.as_server => Some(Box::new(plain::PlainServer::default())),
        ZMQ_PLAIN => Some(Box::new(plain::PlainClient::default())),
        ZMQ_CURVE if cfg.as_server => Some(Box::new(curve::CurveServer::new(cfg, downgrade_sub))),
        ZMQ_CURVE => Some(Box::new(curve::CurveClient::new(cfg, downgrade_sub))),
        _ => None,
    }
}

/// The mechanism's name in the greeting.
pub fn mechanism_name(mechanism: i32) -> &'static [u8] {
    use crate::options::consts::*;
    match mechanism {
        ZMQ_PLAIN => b"PLAIN",
        ZMQ_CURVE => b"CURVE",
        ZMQ_GSSAPI => b"GSSAPI",
        _ => b"NULL",
    }
}
