//! The CURVE client (libzmq's `curve_client_t` and
//! `curve_client_tools_t`): HELLO, WELCOME, INITIATE, READY.

use zeroize::Zeroizing;

use super::keys::{self, SecretBytes, KEY_LEN};
use super::{
    nonce, open, random_nonce, sealed, BoxKey, Codec, HELLO_NONCE, INITIATE_NONCE, READY_NONCE,
    TAG_LEN, VOUCH_NONCE, WELCOME_NONCE,
};
use crate::msg::Msg;
use crate::zmtp::command::{self, ERROR, INITIATE, READY, WELCOME};
use crate::zmtp::engine::{EngineConfig, Event};
use crate::zmtp::mechanism::{protocol_error, receive_error, Events, Mechanism, PeerInfo, Status};
use crate::zmtp::protocol_error::*;
use crate::Result;

/// HELLO: name, version, padding, C', short nonce, signature box.
const HELLO_LEN: usize = 200;
/// WELCOME: name, 16-byte nonce, box of S' and cookie.
const WELCOME_LEN: usize = 168;
/// The cookie the server hands out and gets back: nonce tail and box.
const COOKIE_LEN: usize = 96;
/// READY: name and short nonce, then the box.
const READY_HEADER: usize = 14;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    SendHello,
    ExpectWelcome,
    SendInitiate,
    ExpectReady,
    ErrorReceived,
    Connected,
    /// We could not make a command (a server key of small order): no
    /// output, as libzmq, until the peer or the handshake timer ends it.
    Stuck,
}

/// The CURVE client.
pub struct CurveClient {
    state: State,
    /// Our long-term key pair (C, c) and the server's key (S).
    public: [u8; KEY_LEN],
    secret: SecretBytes,
    server: [u8; KEY_LEN],
    /// Our short-term key pair (C', c'), until the handshake ends.
    cn_public: [u8; KEY_LEN],
    cn_secret: Option<SecretBytes>,
    /// Box (S, c') for HELLO and WELCOME.
    hello_box: Option<BoxKey>,
    /// From WELCOME: the server's short-term key S' and the cookie.
    cn_server: [u8; KEY_LEN],
    cookie: [u8; COOKIE_LEN],
    /// Our next short nonce before the codec exists (HELLO).
    nonce: u64,
    /// Box (S', c') from WELCOME on: INITIATE, READY, MESSAGE.
    codec: Option<Codec>,
    downgrade_sub: bool,
    peer: PeerInfo,
}

impl std::fmt::Debug for CurveClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CurveClient")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl CurveClient {
    /// A client with the socket's keys and a fresh short-term key pair.
    pub fn new(cfg: &EngineConfig, downgrade_sub: bool) -> CurveClient {
        let (cn_public, cn_secret) = keys::keypair();
        CurveClient {
            state: State::SendHello,
            public: cfg.curve_public_key,
            secret: cfg.curve_secret_key.clone(),
            server: cfg.curve_server_key,
            cn_public,
            cn_secret: Some(cn_secret),
            hello_box: None,
            cn_server: [0; KEY_LEN],
            cookie: [0; COOKIE_LEN],
            nonce: 1,
            codec: None,
            downgrade_sub,
            peer: PeerInfo::default(),
        }
    }

    /// HELLO with `Box[64 zeros](C'->S)` as signature.
    fn produce_hello(&mut self) -> Option<Msg> {
        let cn_secret = self.cn_secret.as_ref()?;
        if self.hello_box.is_none() {
            self.hello_box = keys::precompute(&self.server, cn_secret.bytes());
        }
        let b = self.hello_box.as_ref()?;
        let short = self.nonce.to_be_bytes();
        self.nonce += 1;
        let signature = sealed(b, &nonce(HELLO_NONCE, &short), &[0; 64]);
        let m = command::command(&[
            b"\x05HELLO\x01\x00",
            &[0; 72],
            &self.cn_public,
            &short,
            &signature,
        ]);
        debug_assert_eq!(m.size(), HELLO_LEN);
        Some(m)
    }

    /// WELCOME: opens `Box[S' + cookie](S->C')`, precomputes the message
    /// box. libzmq takes it in any handshake state, and so do we.
    fn process_welcome(&mut self, data: &[u8], events: &mut Events) -> Result<()> {
        let crypto = |events: &mut Events| protocol_error(events, ZMTP_CRYPTOGRAPHIC);
        if data.len() != WELCOME_LEN {
            return Err(crypto(events));
        }
        let (Some(b), Some(cn_secret)) = (&self.hello_box, &self.cn_secret) else {
            return Err(crypto(events));
        };
        let n = nonce(WELCOME_NONCE, &data[8..24]);
        let Some(plain) = open(b, &n, &data[24..]) else {
            return Err(crypto(events));
        };
        self.cn_server.copy_from_slice(&plain[..32]);
        self.cookie.copy_from_slice(&plain[32..128]);
        let Some(key) = keys::precompute(&self.cn_server, cn_secret.bytes()) else {
            // libsodium's beforenm fails here too (libzmq asserts).
            return Err(crypto(events));
        };
        self.codec = Some(Codec::new(key, true, self.nonce, 1, self.downgrade_sub));
        self.state = State::SendInitiate;
        Ok(())
    }

    /// INITIATE: cookie, short nonce, `Box[C + vouch + metadata](C'->S')`
    /// where vouch = `Box[C' + S](C->S')`.
    fn produce_initiate(&mut self, cfg: &EngineConfig) -> Option<Msg> {
        let vouch_key = keys::precompute(&self.cn_server, self.secret.bytes())?;
        let codec = self.codec.as_mut()?;
        let vouch_nonce = random_nonce(VOUCH_NONCE);
        let mut vouch_plain = [0u8; 64];
        vouch_plain[..32].copy_from_slice(&self.cn_public);
        vouch_plain[32..].copy_from_slice(&self.server);
        let vouch = sealed(&vouch_key, &vouch_nonce, &vouch_plain);
        let md = &cfg.basic_properties;
        let mut plain = Zeroizing::new(Vec::with_capacity(128 + md.len()));
        plain.extend_from_slice(&self.public);
        plain.extend_from_slice(&vouch_nonce[8..]);
        plain.extend_from_slice(&vouch);
        plain.extend_from_slice(md);
        let short = codec.next_nonce().to_be_bytes();
        let boxed = sealed(codec.key(), &nonce(INITIATE_NONCE, &short), &plain);
        Some(command::command(&[INITIATE, &self.cookie, &short, &boxed]))
    }

    /// READY: opens `Box[metadata](S'->C')`.
    fn process_ready(
        &mut self,
        cfg: &EngineConfig,
        data: &[u8],
        events: &mut Events,
    ) -> Result<()> {
        if data.len() < READY_HEADER + TAG_LEN {
            return Err(protocol_error(events, ZMTP_MALFORMED_COMMAND_READY));
        }
        let Some(codec) = self.codec.as_mut() else {
            // libzmq opens it with a box it never computed, and fails.
            return Err(protocol_error(events, ZMTP_CRYPTOGRAPHIC));
        };
        let short = &data[6..READY_HEADER];
        let mut s = [0u8; 8];
        s.copy_from_slice(short);
        codec.set_peer_nonce(u64::from_be_bytes(s));
        let Some(plain) = open(
            codec.key(),
            &nonce(READY_NONCE, short),
            &data[READY_HEADER..],
        ) else {
            return Err(protocol_error(events, ZMTP_CRYPTOGRAPHIC));
        };
        if let Err(e) = self.peer.parse_metadata(cfg, &plain, false) {
            events.push_back(Event::HandshakeFailedProtocol(ZMTP_INVALID_METADATA));
            return Err(e);
        }
        self.state = State::Connected;
        // The short-term secret and the HELLO box are no longer needed.
        self.cn_secret = None;
        self.hello_box = None;
        Ok(())
    }

    fn process_error(&mut self, data: &[u8], events: &mut Events) -> Result<()> {
        if !matches!(self.state, State::ExpectWelcome | State::ExpectReady) {
            return Err(protocol_error(events, ZMTP_UNEXPECTED_COMMAND));
        }
        receive_error(ERROR.len(), data, events)?;
        self.state = State::ErrorReceived;
        Ok(())
    }
}

impl Mechanism for CurveClient {
    fn next_handshake_command(&mut self, cfg: &EngineConfig, events: &mut Events) -> Option<Msg> {
        let (msg, next) = match self.state {
            State::SendHello => (self.produce_hello(), State::ExpectWelcome),
            State::SendInitiate => (self.produce_initiate(cfg), State::ExpectReady),
            _ => return None,
        };
        match msg {
            Some(m) => {
                self.state = next;
                Some(m)
            }
            None => {
                // libsodium's crypto_box refuses a key of small order.
                events.push_back(Event::HandshakeFailedProtocol(ZMTP_CRYPTOGRAPHIC));
                self.state = State::Stuck;
                None
            }
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
            self.process_welcome(data, events)
        } else if data.starts_with(READY) {
            self.process_ready(cfg, data, events)
        } else if data.starts_with(ERROR) {
            self.process_error(data, events)
        } else {
            Err(protocol_error(events, ZMTP_UNEXPECTED_COMMAND))
        }
    }

    fn status(&self) -> Status {
        match self.state {
            State::Connected => Status::Ready,
            State::ErrorReceived => Status::Error,
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
            Some(c) if self.state == State::Connected => c.encode(&msg),
            _ => Err(crate::Error::EFSM),
        }
    }

    fn decode(&mut self, msg: Msg, events: &mut Events) -> Result<Msg> {
        match &mut self.codec {
            Some(c) if self.state == State::Connected => c.decode(msg, events),
            _ => Err(crate::Error::EFSM),
        }
    }
}
