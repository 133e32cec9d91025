//! The CURVE server (libzmq's `curve_server_t`): HELLO, WELCOME with a
//! cookie, INITIATE, ZAP, READY or ERROR.

use zeroize::Zeroizing;

use super::keys::{self, SecretBytes, KEY_LEN};
use super::{
    check_basic_structure, nonce, open, random_nonce, sealed, sodium, BoxKey, Codec, COOKIE_NONCE,
    HELLO_NONCE, INITIATE_NONCE, READY_NONCE, TAG_LEN, VOUCH_NONCE, WELCOME_NONCE,
};
use crate::msg::Msg;
use crate::zmtp::command::{self, HELLO, INITIATE, READY, WELCOME};
use crate::zmtp::engine::{EngineConfig, Event};
use crate::zmtp::mechanism::zap::{self, ZapRequest};
use crate::zmtp::mechanism::{protocol_error, Events, Mechanism, PeerInfo, Status};
use crate::zmtp::protocol_error::*;
use crate::zmtp::EPROTO;
use crate::{Error, Result};

const HELLO_LEN: usize = 200;
/// INITIATE up to its box: name, cookie (96), short nonce.
const INITIATE_HEADER: usize = 113;
/// The shortest INITIATE: header and a box of C, vouch nonce and vouch.
const INITIATE_MIN: usize = INITIATE_HEADER + TAG_LEN + 128;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    WaitingForHello,
    SendingWelcome,
    WaitingForInitiate,
    WaitingForZapReply,
    SendingReady,
    SendingError,
    ErrorSent,
    Ready,
}

/// The CURVE server. Without a ZAP handler every client with a valid
/// vouch is accepted (the Stonehouse pattern), unless
/// `ZMQ_ZAP_ENFORCE_DOMAIN`.
pub struct CurveServer {
    state: State,
    /// Our long-term secret key (s).
    secret: SecretBytes,
    /// Our short-term key pair (S', s'), the secret kept for the cookie
    /// check until INITIATE.
    cn_public: [u8; KEY_LEN],
    cn_secret: Option<SecretBytes>,
    /// The client's short-term key (C').
    cn_client: [u8; KEY_LEN],
    /// Box (C', s) for HELLO and WELCOME.
    hello_box: Option<BoxKey>,
    /// The per-connection cookie key (t).
    cookie_key: Zeroizing<[u8; 32]>,
    /// Box (C', s') from INITIATE on: READY, MESSAGE.
    codec: Option<Codec>,
    downgrade_sub: bool,
    status_code: [u8; 3],
    peer: PeerInfo,
}

impl std::fmt::Debug for CurveServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CurveServer")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

fn crypto(events: &mut Events) -> Error {
    protocol_error(events, ZMTP_CRYPTOGRAPHIC)
}

/// Equality without an early exit (the cookie holds a secret).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl CurveServer {
    /// A server with the socket's secret key and a fresh short-term pair.
    pub fn new(cfg: &EngineConfig, downgrade_sub: bool) -> CurveServer {
        let (cn_public, cn_secret) = keys::keypair();
        CurveServer {
            state: State::WaitingForHello,
            secret: cfg.curve_secret_key.clone(),
            cn_public,
            cn_secret: Some(cn_secret),
            cn_client: [0; KEY_LEN],
            hello_box: None,
            cookie_key: Zeroizing::new([0; 32]),
            codec: None,
            downgrade_sub,
            status_code: [0; 3],
            peer: PeerInfo::default(),
        }
    }

    fn process_hello(&mut self, data: &[u8], events: &mut Events) -> Result<()> {
        check_basic_structure(data, events)?;
        if !data.starts_with(HELLO) {
            return Err(protocol_error(events, ZMTP_UNEXPECTED_COMMAND));
        }
        if data.len() != HELLO_LEN || data[6..8] != [1, 0] {
            return Err(protocol_error(events, ZMTP_MALFORMED_COMMAND_HELLO));
        }
        self.cn_client.copy_from_slice(&data[80..112]);
        // libzmq opens the signature box and does not look inside.
        let Some(b) = keys::precompute(&self.cn_client, self.secret.bytes()) else {
            return Err(crypto(events));
        };
        let n = nonce(HELLO_NONCE, &data[112..120]);
        if open(&b, &n, &data[120..]).is_none() {
            return Err(crypto(events));
        }
        self.hello_box = Some(b);
        self.state = State::SendingWelcome;
        Ok(())
    }

    /// WELCOME: `Box[S' + cookie](S->C')`, cookie = nonce tail and
    /// `SecretBox[C' + s'](t)` under a fresh cookie key t.
    fn produce_welcome(&mut self) -> Option<Msg> {
        let (Some(b), Some(cn_secret)) = (&self.hello_box, &self.cn_secret) else {
            return None;
        };
        keys::fill_random(&mut self.cookie_key[..]);
        let cookie_nonce = random_nonce(COOKIE_NONCE);
        let mut cookie = Zeroizing::new([0u8; TAG_LEN + 64]);
        cookie[TAG_LEN..TAG_LEN + 32].copy_from_slice(&self.cn_client);
        cookie[TAG_LEN + 32..].copy_from_slice(cn_secret.bytes());
        let (tag, body) = cookie.split_at_mut(TAG_LEN);
        let mut t = [0u8; TAG_LEN];
        sodium::secretbox_seal(&self.cookie_key, &cookie_nonce, body, &mut t);
        tag.copy_from_slice(&t);
        let mut plain = [0u8; 128];
        plain[..32].copy_from_slice(&self.cn_public);
        plain[32..48].copy_from_slice(&cookie_nonce[8..]);
        plain[48..].copy_from_slice(&cookie[..]);
        let welcome_nonce = random_nonce(WELCOME_NONCE);
        let boxed = sealed(b, &welcome_nonce, &plain);
        Some(command::command(&[WELCOME, &welcome_nonce[8..], &boxed]))
    }

    fn process_initiate(
        &mut self,
        cfg: &EngineConfig,
        data: &[u8],
        events: &mut Events,
    ) -> Result<()> {
        check_basic_structure(data, events)?;
        if !data.starts_with(INITIATE) {
            return Err(protocol_error(events, ZMTP_UNEXPECTED_COMMAND));
        }
        if data.len() < INITIATE_MIN {
            return Err(protocol_error(events, ZMTP_MALFORMED_COMMAND_INITIATE));
        }
        let Some(cn_secret) = self.cn_secret.take() else {
            return Err(crypto(events));
        };
        // The cookie must open under t and hold C' + s'.
        let mut cookie = Zeroizing::new([0u8; TAG_LEN + 64]);
        cookie.copy_from_slice(&data[25..105]);
        let (tag, body) = cookie.split_at_mut(TAG_LEN);
        let mut t = [0u8; TAG_LEN];
        t.copy_from_slice(tag);
        let cookie_nonce = nonce(COOKIE_NONCE, &data[9..25]);
        let opened = sodium::secretbox_open(&self.cookie_key, &cookie_nonce, body, &t);
        if !opened || !same(&body[..32], &self.cn_client) || !same(&body[32..], cn_secret.bytes()) {
            return Err(crypto(events));
        }
        // Box[C + vouch + metadata](C'->S'), with the connection's box.
        let Some(key) = keys::precompute(&self.cn_client, cn_secret.bytes()) else {
            return Err(crypto(events));
        };
        let short = &data[105..INITIATE_HEADER];
        let mut s = [0u8; 8];
        s.copy_from_slice(short);
        let n = nonce(INITIATE_NONCE, short);
        let Some(plain) = open(&key, &n, &data[INITIATE_HEADER..]) else {
            return Err(crypto(events));
        };
        let mut client_key = [0u8; KEY_LEN];
        client_key.copy_from_slice(&plain[..32]);
        // vouch = Box[C' + S](C->S').
        let Some(vouch_box) = keys::precompute(&client_key, cn_secret.bytes()) else {
            return Err(crypto(events));
        };
        let vouch_nonce = nonce(VOUCH_NONCE, &plain[32..48]);
        let Some(vouch) = open(&vouch_box, &vouch_nonce, &plain[48..128]) else {
            return Err(crypto(events));
        };
        if vouch[..32] != self.cn_client {
            return Err(protocol_error(events, ZMTP_KEY_EXCHANGE));
        }
        self.codec = Some(Codec::new(
            key,
            false,
            1,
            u64::from_be_bytes(s),
            self.downgrade_sub,
        ));
        self.hello_box = None;
        // libzmq asks ZAP when a domain is set or enforcement is off, and
        // the request leaves before the metadata is parsed.
        if !cfg.zap_domain.is_empty() || !cfg.zap_enforce_domain {
            events.push_back(Event::ZapRequest(ZapRequest::new(
                cfg,
                b"CURVE",
                &[&client_key],
            )));
            self.state = State::WaitingForZapReply;
        } else {
            self.state = State::SendingReady;
        }
        // libzmq raises no event for bad metadata here.
        self.peer.parse_metadata(cfg, &plain[128..], false)
    }

    /// READY: short nonce and `Box[metadata](S'->C')`.
    fn produce_ready(&mut self, cfg: &EngineConfig) -> Option<Msg> {
        let codec = self.codec.as_mut()?;
        let short = codec.next_nonce().to_be_bytes();
        let boxed = sealed(
            codec.key(),
            &nonce(READY_NONCE, &short),
            &cfg.basic_properties,
        );
        Some(command::command(&[READY, &short, &boxed]))
    }
}

impl Mechanism for CurveServer {
    fn next_handshake_command(&mut self, cfg: &EngineConfig, _events: &mut Events) -> Option<Msg> {
        let (msg, next) = match self.state {
            State::SendingWelcome => (self.produce_welcome(), State::WaitingForInitiate),
            State::SendingReady => (self.produce_ready(cfg), State::Ready),
            State::SendingError => (Some(command::error(&self.status_code)), State::ErrorSent),
            _ => return None,
        };
        if msg.is_some() {
            self.state = next;
        }
        msg
    }

    fn process_handshake_command(
        &mut self,
        cfg: &EngineConfig,
        msg: &Msg,
        events: &mut Events,
    ) -> Result<()> {
        match self.state {
            State::WaitingForHello => self.process_hello(msg.data(), events),
            State::WaitingForInitiate => self.process_initiate(cfg, msg.data(), events),
            _ => Err(protocol_error(events, ZMTP_UNSPECIFIED)),
        }
    }

    fn zap_reply(&mut self, cfg: &EngineConfig, frames: &[Msg], events: &mut Events) -> Result<()> {
        if self.state != State::WaitingForZapReply {
            return Err(Error::EFSM);
        }
        self.status_code = zap::process_reply(cfg, &mut self.peer, frames, events)?;
        self.state = zap::after_status(
            &self.status_code,
            State::SendingReady,
            State::ErrorSent,
            State::SendingError,
        );
        Ok(())
    }

    fn zap_unavailable(&mut self, cfg: &EngineConfig, events: &mut Events) -> Result<()> {
        if self.state != State::WaitingForZapReply {
            return Ok(());
        }
        if cfg.zap_enforce_domain {
            events.push_back(Event::HandshakeFailedNoDetail(libc::EFAULT));
            return Err(EPROTO);
        }
        // Stonehouse: encryption without authentication.
        self.state = State::SendingReady;
        Ok(())
    }

    fn status(&self) -> Status {
        match self.state {
            State::Ready => Status::Ready,
            State::ErrorSent => Status::Error,
            _ => Status::Handshaking,
        }
    }

    fn peer(&self) -> &PeerInfo {
        &self.peer
    }

    fn transforms_messages(&self) -> bool {
        true
    }

    fn encode(&mut self, msg: Msg, _events: &mut Events) -> Result<Msg> {
        match &mut self.codec {
            Some(c) if self.state == State::Ready => c.encode(&msg),
            _ => Err(Error::EFSM),
        }
    }

    fn decode(&mut self, msg: Msg, events: &mut Events) -> Result<Msg> {
        match &mut self.codec {
            Some(c) if self.state == State::Ready => c.decode(msg, events),
            _ => Err(Error::EFSM),
        }
    }
}
