//! The PLAIN mechanism (rfc-24): the client sends HELLO with user name and
//! password, the server asks ZAP and answers WELCOME (or ERROR), the client
//! sends INITIATE with its metadata and the server READY with its own.
//! libzmq's `plain_client_t` and `plain_server_t`.

use super::zap::{self, ZapRequest};
use super::{protocol_error, receive_error, Events, Mechanism, PeerInfo, Status};
use crate::msg::Msg;
use crate::zmtp::command::{self, ERROR, HELLO, INITIATE, READY, WELCOME};
use crate::zmtp::engine::{EngineConfig, Event};
use crate::zmtp::protocol_error::*;
use crate::zmtp::EPROTO;
use crate::{Error, Result};

/// PLAIN's ERROR as libzmq 4.3.5 writes and expects it: its C string
/// "\x05ERROR" reads `\x05E` as one hex escape, so the name is the five
/// bytes "^RROR" (0x5E, "RROR") and the reason length follows at offset 5.
/// A 4.3.5 PLAIN client takes a well-formed ERROR for an unexpected
/// command, so our server sends this form; our client accepts both.
pub(crate) const LIBZMQ_PLAIN_ERROR: &[u8] = b"^RROR";

/// The ERROR a PLAIN server sends, in libzmq 4.3.5's wire form.
fn plain_error(status: &[u8; 3]) -> Msg {
    command::command(&[LIBZMQ_PLAIN_ERROR, &[status.len() as u8], status])
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum ClientState {
    #[default]
    SendingHello,
    WaitingForWelcome,
    SendingInitiate,
    WaitingForReady,
    ErrorReceived,
    Ready,
}

/// The PLAIN client.
#[derive(Debug, Default)]
pub struct PlainClient {
    state: ClientState,
    peer: PeerInfo,
}

impl Mechanism for PlainClient {
    fn next_handshake_command(&mut self, cfg: &EngineConfig, _events: &mut Events) -> Option<Msg> {
        match self.state {
            ClientState::SendingHello => {
                self.state = ClientState::WaitingForWelcome;
                let user = &cfg.plain_username[..cfg.plain_username.len().min(255)];
                let pass = &cfg.plain_password[..cfg.plain_password.len().min(255)];
                Some(command::command(&[
                    HELLO,
                    &[user.len() as u8],
                    user,
                    &[pass.len() as u8],
                    pass,
                ]))
            }
            ClientState::SendingInitiate => {
                self.state = ClientState::WaitingForReady;
                Some(command::command(&[INITIATE, &cfg.basic_properties]))
            }
            _ => None,
        }
    }

    fn process_handshake_command(
        &mut self,
        cfg: &EngineConfig,
        msg: &Msg,
        events: &mut Events,
    ) -> Result<()> {
        let data = msg.data();
        if data.starts_with(WELCOME) {
            if self.state != ClientState::WaitingForWelcome {
                return Err(protocol_error(events, ZMTP_UNEXPECTED_COMMAND));
            }
            if data.len() != WELCOME.len() {
                return Err(protocol_error(events, ZMTP_MALFORMED_COMMAND_WELCOME));
            }
            self.state = ClientState::SendingInitiate;
            Ok(())
        } else if data.starts_with(READY) {
            if self.state != ClientState::WaitingForReady {
                return Err(protocol_error(events, ZMTP_UNEXPECTED_COMMAND));
            }
            match self.peer.parse_metadata(cfg, &data[READY.len()..], false) {
                Ok(()) => {
                    self.state = ClientState::Ready;
                    Ok(())
                }
                Err(e) => {
                    events.push_back(Event::HandshakeFailedProtocol(ZMTP_INVALID_METADATA));
                    Err(e)
                }
            }
        } else if data.starts_with(ERROR) || data.starts_with(LIBZMQ_PLAIN_ERROR) {
            if !matches!(
                self.state,
                ClientState::WaitingForWelcome | ClientState::WaitingForReady
            ) {
                return Err(protocol_error(events, ZMTP_UNEXPECTED_COMMAND));
            }
            let name_len = if data.starts_with(ERROR) {
                ERROR.len()
            } else {
                LIBZMQ_PLAIN_ERROR.len()
            };
            receive_error(name_len, data, events)?;
            self.state = ClientState::ErrorReceived;
            Ok(())
        } else {
            Err(protocol_error(events, ZMTP_UNEXPECTED_COMMAND))
        }
    }

    fn status(&self) -> Status {
        match self.state {
            ClientState::Ready => Status::Ready,
            ClientState::ErrorReceived => Status::Error,
            _ => Status::Handshaking,
        }
    }

    fn peer(&self) -> &PeerInfo {
        &self.peer
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum ServerState {
    #[default]
    WaitingForHello,
    WaitingForZapReply,
    SendingWelcome,
    WaitingForInitiate,
    SendingReady,
    SendingError,
    ErrorSent,
    Ready,
}

/// The PLAIN server. Without a ZAP handler every client is refused, as in
/// libzmq ("there is no point to PLAIN if ZAP is not set up").
#[derive(Debug, Default)]
pub struct PlainServer {
    state: ServerState,
    status_code: [u8; 3],
    peer: PeerInfo,
}

impl PlainServer {
    fn process_hello(
        &mut self,
        cfg: &EngineConfig,
        data: &[u8],
        events: &mut Events,
    ) -> Result<()> {
        // libzmq's check_basic_command_structure.
        if data.len() <= 1 || data.len() <= data[0] as usize {
            return Err(protocol_error(events, ZMTP_MALFORMED_COMMAND_UNSPECIFIED));
        }
        if !data.starts_with(HELLO) {
            return Err(protocol_error(events, ZMTP_UNEXPECTED_COMMAND));
        }
        let malformed = |events: &mut Events| protocol_error(events, ZMTP_MALFORMED_COMMAND_HELLO);
        let rest = &data[HELLO.len()..];
        let Some((&ulen, rest)) = rest.split_first() else {
            return Err(malformed(events));
        };
        let Some(user) = rest.get(..ulen as usize) else {
            return Err(malformed(events));
        };
        let rest = &rest[ulen as usize..];
        let Some((&plen, pass)) = rest.split_first() else {
            return Err(malformed(events));
        };
        if pass.len() != plen as usize {
            return Err(malformed(events));
        }
        events.push_back(Event::ZapRequest(ZapRequest::new(
            cfg,
            b"PLAIN",
            &[user, pass],
        )));
        self.state = ServerState::WaitingForZapReply;
        Ok(())
    }

    fn process_initiate(
        &mut self,
        cfg: &EngineConfig,
        data: &[u8],
        events: &mut Events,
    ) -> Result<()> {
        if !data.starts_with(INITIATE) {
            return Err(protocol_error(events, ZMTP_UNEXPECTED_COMMAND));
        }
        // libzmq raises no event for bad metadata here.
        self.peer
            .parse_metadata(cfg, &data[INITIATE.len()..], false)?;
        self.state = ServerState::SendingReady;
        Ok(())
    }
}

impl Mechanism for PlainServer {
    fn next_handshake_command(&mut self, cfg: &EngineConfig, _events: &mut Events) -> Option<Msg> {
        match self.state {
            ServerState::SendingWelcome => {
                self.state = ServerState::WaitingForInitiate;
                Some(command::command(&[WELCOME]))
            }
            ServerState::SendingReady => {
                self.state = ServerState::Ready;
                Some(command::command(&[READY, &cfg.basic_properties]))
            }
            ServerState::SendingError => {
                self.state = ServerState::ErrorSent;
                Some(plain_error(&self.status_code))
            }
            _ => None,
        }
    }

    fn process_handshake_command(
        &mut self,
        cfg: &EngineConfig,
        msg: &Msg,
        events: &mut Events,
    ) -> Result<()> {
        match self.state {
            ServerState::WaitingForHello => self.process_hello(cfg, msg.data(), events),
            ServerState::WaitingForInitiate => self.process_initiate(cfg, msg.data(), events),
            _ => Err(protocol_error(events, ZMTP_UNSPECIFIED)),
        }
    }

    fn zap_reply(&mut self, cfg: &EngineConfig, frames: &[Msg], events: &mut Events) -> Result<()> {
        if self.state != ServerState::WaitingForZapReply {
            return Err(Error::EFSM);
        }
        self.status_code = zap::process_reply(cfg, &mut self.peer, frames, events)?;
        self.state = zap::after_status(
            &self.status_code,
            ServerState::SendingWelcome,
            ServerState::ErrorSent,
            ServerState::SendingError,
        );
        Ok(())
    }

    fn zap_unavailable(&mut self, _cfg: &EngineConfig, events: &mut Events) -> Result<()> {
        events.push_back(Event::HandshakeFailedNoDetail(libc::EFAULT));
        Err(EPROTO)
    }

    fn status(&self) -> Status {
        match self.state {
            ServerState::Ready => Status::Ready,
            ServerState::ErrorSent => Status::Error,
            _ => Status::Handshaking,
        }
    }

    fn peer(&self) -> &PeerInfo {
        &self.peer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{consts::ZMQ_DEALER, Options};

    #[test]
    fn server_error_has_libzmq_4_3_5_wire_form() {
        let cfg = EngineConfig::new(&Options::new(ZMQ_DEALER), "10.0.0.1", None);
        let mut server = PlainServer::default();
        let mut events = Events::new();
        let hello = command::command(&[HELLO, b"\x01u", b"\x01p"]);
        server
            .process_handshake_command(&cfg, &hello, &mut events)
            .unwrap();
        let reply = super::super::zap::tests::reply(b"400", b"", b"");
        server.zap_reply(&cfg, &reply, &mut events).unwrap();
        let error = server.next_handshake_command(&cfg, &mut events).unwrap();
        // What a 4.3.5 PLAIN client recognises as ERROR 400.
        assert_eq!(error.data(), b"^RROR\x03400");
        assert_eq!(server.status(), Status::Error);
    }
}
