//! The NULL mechanism (rfc-23): each side sends READY with its metadata;
//! with a ZAP domain set, the request goes to ZAP first and a refusal is
//! sent as ERROR (except 300, which sends nothing). libzmq's
//! `null_mechanism_t`.

use super::zap::{self, ZapRequest};
use super::{protocol_error, receive_error, Events, Mechanism, PeerInfo, Status};
use crate::msg::Msg;
use crate::zmtp::command;
use crate::zmtp::engine::{EngineConfig, Event};
use crate::zmtp::protocol_error::ZMTP_UNEXPECTED_COMMAND;
use crate::{Error, Result};

#[derive(Debug, Default)]
pub struct NullMechanism {
    ready_sent: bool,
    error_sent: bool,
    ready_received: bool,
    error_received: bool,
    zap_request_sent: bool,
    zap_reply_received: bool,
    /// No ZAP handler and `ZMQ_ZAP_ENFORCE_DOMAIN` off: go without ZAP.
    zap_skipped: bool,
    status_code: [u8; 3],
    peer: PeerInfo,
}

impl NullMechanism {
    fn zap_required(&self, cfg: &EngineConfig) -> bool {
        !cfg.zap_domain.is_empty() && !self.zap_skipped
    }
}

impl Mechanism for NullMechanism {
    fn next_handshake_command(&mut self, cfg: &EngineConfig, events: &mut Events) -> Option<Msg> {
        if self.ready_sent || self.error_sent {
            return None;
        }
        if self.zap_required(cfg) && !self.zap_reply_received {
            if !self.zap_request_sent {
                self.zap_request_sent = true;
                events.push_back(Event::ZapRequest(ZapRequest::new(cfg, b"NULL", &[])));
            }
            return None;
        }
        if self.zap_reply_received && self.status_code != *b"200" {
            self.error_sent = true;
            if self.status_code != *b"300" {
                return Some(command::error(&self.status_code));
            }
            return None;
        }
        self.ready_sent = true;
        Some(command::command(&[command::READY, &cfg.basic_properties]))
    }

    fn process_handshake_command(
        &mut self,
        cfg: &EngineConfig,
        msg: &Msg,
        events: &mut Events,
    ) -> Result<()> {
        if self.ready_received || self.error_received {
            return Err(protocol_error(events, ZMTP_UNEXPECTED_COMMAND));
        }
        let data = msg.data();
        if data.starts_with(command::READY) {
            self.ready_received = true;
            self.peer
                .parse_metadata(cfg, &data[command::READY.len()..], false)
        } else if data.starts_with(command::ERROR) {
            receive_error(command::ERROR.len(), data, events)?;
            self.error_received = true;
            Ok(())
        } else {
            Err(protocol_error(events, ZMTP_UNEXPECTED_COMMAND))
        }
    }

    fn zap_reply(&mut self, cfg: &EngineConfig, frames: &[Msg], events: &mut Events) -> Result<()> {
        if self.zap_reply_received || !self.zap_request_sent {
            return Err(Error::EFSM);
        }
        self.status_code = zap::process_reply(cfg, &mut self.peer, frames, events)?;
        self.zap_reply_received = true;
        Ok(())
    }

    fn zap_unavailable(&mut self, cfg: &EngineConfig, events: &mut Events) -> Result<()> {
        if cfg.zap_enforce_domain {
            // libzmq raises this and then waits, for the handshake timer
            // or the peer to end the connection.
            events.push_back(Event::HandshakeFailedNoDetail(libc::EFAULT));
        } else {
            self.zap_skipped = true;
        }
        Ok(())
    }

    fn status(&self) -> Status {
        if self.ready_sent && self.ready_received {
            return Status::Ready;
        }
        let sent = self.ready_sent || self.error_sent;
        let received = self.ready_received || self.error_received;
        if sent && received {
            Status::Error
        } else {
            Status::Handshaking
        }
    }

    fn peer(&self) -> &PeerInfo {
        &self.peer
    }
}
