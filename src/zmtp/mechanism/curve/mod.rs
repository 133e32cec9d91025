//! The CURVE mechanism (rfc-25 over the CurveZMQ handshake of rfc-26):
//! libzmq's `curve_client_t`, `curve_server_t` and `curve_encoding_t`.
//!
//! This file holds what client and server share: the NaCl box helpers
//! over libsodium (`sodium.rs`, NaCl's `crypto_box`: X25519, HSalsa20,
//! XSalsa20-Poly1305, with a precomputed [`BoxKey`]), the 24-byte nonces, and the
//! [`Codec`] that turns each message into a MESSAGE command and back after
//! the handshake. Every box is laid out as NaCl's: 16-byte tag, then the
//! ciphertext.

pub mod client;
pub mod keys;
pub mod server;
pub mod sodium;

pub use client::CurveClient;
pub use server::CurveServer;

pub use sodium::BoxKey;
use zeroize::Zeroizing;

use super::{protocol_error, Events};
use crate::msg::{flags, Msg};
use crate::zmtp::protocol_error::*;
use crate::{Error, Result};

/// Poly1305 tag bytes in front of every box.
pub const TAG_LEN: usize = sodium::TAG_LEN;

pub(crate) const HELLO_NONCE: &[u8; 16] = b"CurveZMQHELLO---";
pub(crate) const WELCOME_NONCE: &[u8; 8] = b"WELCOME-";
pub(crate) const COOKIE_NONCE: &[u8; 8] = b"COOKIE--";
pub(crate) const VOUCH_NONCE: &[u8; 8] = b"VOUCH---";
pub(crate) const INITIATE_NONCE: &[u8; 16] = b"CurveZMQINITIATE";
pub(crate) const READY_NONCE: &[u8; 16] = b"CurveZMQREADY---";
pub(crate) const MESSAGE_C: &[u8; 16] = b"CurveZMQMESSAGEC";
pub(crate) const MESSAGE_S: &[u8; 16] = b"CurveZMQMESSAGES";

const MESSAGE: &[u8] = b"\x07MESSAGE";
/// Command name and short nonce.
const MESSAGE_HEADER: usize = 16;
/// The flags byte inside the box.
const FLAGS_LEN: usize = 1;
/// The flags carried in the box (libzmq's `flag_mask`).
const FLAG_MASK: u8 = flags::MORE | flags::COMMAND;

/// A full 24-byte nonce: a prefix and the rest.
pub(crate) fn nonce(prefix: &[u8], rest: &[u8]) -> [u8; 24] {
    let mut n = [0u8; 24];
    n[..prefix.len()].copy_from_slice(prefix);
    n[prefix.len()..].copy_from_slice(rest);
    n
}

/// A nonce whose last 16 bytes are random (WELCOME, COOKIE, VOUCH).
pub(crate) fn random_nonce(prefix: &[u8; 8]) -> [u8; 24] {
    let mut n = nonce(prefix, &[0; 16]);
    keys::fill_random(&mut n[8..]);
    n
}

/// Boxes `buf[TAG_LEN..]` in place and writes the tag into
/// `buf[..TAG_LEN]`: NaCl's `crypto_box` output, in the caller's buffer.
/// `buf` must hold at least `TAG_LEN` bytes (every caller's does).
pub(crate) fn seal_in_place(b: &BoxKey, nonce: &[u8; 24], buf: &mut [u8]) {
    let (tag, body) = buf.split_at_mut(TAG_LEN);
    let mut t = [0u8; TAG_LEN];
    b.seal(nonce, body, &mut t);
    tag.copy_from_slice(&t);
}

/// Opens a box (tag, then ciphertext) in place: on success
/// `buf[TAG_LEN..]` is the plaintext.
pub(crate) fn open_in_place(b: &BoxKey, nonce: &[u8; 24], buf: &mut [u8]) -> bool {
    if buf.len() < TAG_LEN {
        return false;
    }
    let (tag, body) = buf.split_at_mut(TAG_LEN);
    let mut t = [0u8; TAG_LEN];
    t.copy_from_slice(tag);
    b.open(nonce, body, &t)
}

/// Opens a copy of `boxed`; the plaintext, wiped when dropped.
pub(crate) fn open(b: &BoxKey, nonce: &[u8; 24], boxed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(boxed.to_vec());
    if !open_in_place(b, nonce, &mut buf) {
        return None;
    }
    buf.drain(..TAG_LEN);
    Some(buf)
}

/// `TAG_LEN` free bytes then `plain`: a buffer for [`seal_in_place`].
pub(crate) fn sealed(b: &BoxKey, nonce: &[u8; 24], plain: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; TAG_LEN + plain.len()];
    buf[TAG_LEN..].copy_from_slice(plain);
    seal_in_place(b, nonce, &mut buf);
    buf
}

/// libzmq's `check_basic_command_structure`.
pub(crate) fn check_basic_structure(data: &[u8], events: &mut Events) -> Result<()> {
    if data.len() <= 1 || data.len() <= data[0] as usize {
        return Err(protocol_error(events, ZMTP_MALFORMED_COMMAND_UNSPECIFIED));
    }
    Ok(())
}

/// The per-connection MESSAGE codec (libzmq's `curve_encoding_t`): the
/// precomputed box between the two short-term keys and the nonces.
pub struct Codec {
    /// Precomputed once per connection; wiped on drop.
    key: BoxKey,
    encode_prefix: &'static [u8; 16],
    decode_prefix: &'static [u8; 16],
    /// Our next short nonce.
    nonce: u64,
    /// The peer's last short nonce; each MESSAGE must exceed it.
    peer_nonce: u64,
    /// ZMTP 3.0 peer: subscriptions travel as `\x01topic`/`\x00topic`.
    downgrade_sub: bool,
}

impl Codec {
    pub(crate) fn new(
        key: BoxKey,
        client: bool,
        nonce: u64,
        peer_nonce: u64,
        downgrade_sub: bool,
    ) -> Codec {
        let (encode_prefix, decode_prefix) = if client {
            (MESSAGE_C, MESSAGE_S)
        } else {
            (MESSAGE_S, MESSAGE_C)
        };
        Codec {
            key,
            encode_prefix,
            decode_prefix,
            nonce,
            peer_nonce,
            downgrade_sub,
        }
    }

    /// libzmq's `get_and_inc_nonce`.
    pub(crate) fn next_nonce(&mut self) -> u64 {
        let n = self.nonce;
        self.nonce = self.nonce.wrapping_add(1);
        n
    }

    pub(crate) fn set_peer_nonce(&mut self, n: u64) {
        self.peer_nonce = n;
    }

    pub(crate) fn key(&self) -> &BoxKey {
        &self.key
    }

    /// A message as a MESSAGE command: name, short nonce, then the box of
    /// flags byte (and subscription prefix) and body. One allocation; the
    /// body is copied once, into the box, and encrypted in place. The
    /// frame itself carries no flags, as libzmq's. `ENOMEM` when the box
    /// cannot be allocated (a huge constant message): the connection drops
    /// where libzmq asserts.
    pub fn encode(&mut self, msg: &Msg) -> Result<Msg> {
        let (sub, cancel) = (msg.is_subscribe(), msg.is_cancel());
        let mut flags = msg.flags() & FLAG_MASK;
        let prefix: &[u8] = match (sub, cancel, self.downgrade_sub) {
            (true, _, true) => &[1],
            (_, true, true) => &[0],
            (true, _, false) => b"\x09SUBSCRIBE",
            (_, true, false) => b"\x06CANCEL",
            _ => &[],
        };
        if (sub || cancel) && !self.downgrade_sub {
            flags |= flags::COMMAND;
        }
        let plain = MESSAGE_HEADER + TAG_LEN + FLAGS_LEN;
        let total = (plain + prefix.len())
            .checked_add(msg.size())
            .ok_or(Error::ENOMEM)?;
        // The body is looked at only once the box exists.
        let mut out = Msg::with_size(total)?;
        let body = msg.data();
        let short = self.next_nonce().to_be_bytes();
        let buf = out.data_mut();
        buf[..8].copy_from_slice(MESSAGE);
        buf[8..MESSAGE_HEADER].copy_from_slice(&short);
        buf[plain - 1] = flags;
        buf[plain..plain + prefix.len()].copy_from_slice(prefix);
        buf[plain + prefix.len()..].copy_from_slice(body);
        let n = nonce(self.encode_prefix, &short);
        seal_in_place(&self.key, &n, &mut buf[MESSAGE_HEADER..]);
        Ok(out)
    }

    /// A MESSAGE command back into the message: decrypted in place, the
    /// body moved to the front and the size cut, flags restored (added to
    /// the frame's, as libzmq's `set_flags`). Failures raise libzmq's
    /// protocol event.
    pub fn decode(&mut self, mut msg: Msg, events: &mut Events) -> Result<Msg> {
        let data = msg.data();
        check_basic_structure(data, events)?;
        if !data.starts_with(MESSAGE) {
            return Err(protocol_error(events, ZMTP_UNEXPECTED_COMMAND));
        }
        if data.len() < MESSAGE_HEADER + TAG_LEN + FLAGS_LEN {
            return Err(protocol_error(events, ZMTP_MALFORMED_COMMAND_MESSAGE));
        }
        let mut short = [0u8; 8];
        short.copy_from_slice(&data[8..MESSAGE_HEADER]);
        let n = u64::from_be_bytes(short);
        if n <= self.peer_nonce {
            return Err(protocol_error(events, ZMTP_INVALID_SEQUENCE));
        }
        self.peer_nonce = n;
        if msg.is_shared() {
            // Never decrypt a body someone else can see.
            let mut copy = Msg::from_slice(msg.data());
            copy.set_flags(msg.flags() & !flags::SHARED);
            msg = copy;
        }
        let full = nonce(self.decode_prefix, &short);
        let len = msg.size();
        let buf = msg.data_mut();
        if !open_in_place(&self.key, &full, &mut buf[MESSAGE_HEADER..]) {
            return Err(protocol_error(events, ZMTP_CRYPTOGRAPHIC));
        }
        let start = MESSAGE_HEADER + TAG_LEN;
        let flags = buf[start];
        buf.copy_within(start + FLAGS_LEN.., 0);
        msg.shrink(len - start - FLAGS_LEN);
        msg.set_flags(flags & FLAG_MASK);
        Ok(msg)
    }
}

#[cfg(test)]
mod tests;
