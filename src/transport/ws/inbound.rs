//! Network to engine: WebSocket frames in, the byte stream of a ZMTP peer
//! out, so that our unchanged ZMTP engine can read a ZWS peer.
//!
//! After the upgrade the engine first reads a synthesized peer greeting
//! (ZWS has none): ZMTP 3.1 with the mechanism both sides agreed on, or,
//! for the bare `ZWS2.0` protocol, a ZMTP 2.0 greeting, whose framing
//! (routing id first, then messages) is what bare ZWS is.
//!
//! Then each frame becomes what libzmq's `ws_decoder_t` and `ws_engine_t`
//! make of it:
//! - binary: a ZMTP frame with the same MORE and COMMAND bits and the body,
//!   whose header is emitted as soon as the flags byte is read; the body
//!   streams through, unmasked, never held whole;
//! - ping and pong: libzmq hands them to the engine, which answers a ping
//!   with a pong once the ZMTP handshake is done and fails the handshake
//!   on either before. So they become ZMTP `PING` (TTL 0, no context) and
//!   `PONG` commands, and our engine does the same; its PONG comes back as
//!   a WebSocket pong ([`super::outbound`]). Their payload is dropped:
//!   libzmq's pong is always empty;
//! - close: libzmq echoes it and then ends the connection
//!   (`ECONNRESET`), or, during the ZMTP handshake, hands it to the
//!   mechanism, which fails. The payload is kept for the echo and the
//!   engine gets a `CLOSE` command: an unexpected command to a
//!   mechanism, dropped once the handshake is done. Input after a close
//!   is ignored.
//!
//! In bare mode libzmq passes control frames to the session, which drops
//! every command: no pong, no echo, no disconnect. We drop them too.

use super::frame::{FrameDecoder, FrameError, FrameHeader, Opcode};
use super::handshake::ZwsProtocol;

/// ZMTP 2.0/3.x frame header bits.
const ZMTP_MORE: u8 = 0x01;
const ZMTP_LARGE: u8 = 0x02;
const ZMTP_COMMAND: u8 = 0x04;

/// The greeting bytes the engine gets for each protocol. The signature
/// says "no routing id" (length 1) and has bit 0 of byte 9 set, which our
/// greeting parser takes for a versioned peer.
const SIGNATURE: [u8; 10] = [0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f];
pub(crate) const V3_GREETING_LEN: usize = 64;
pub(crate) const V2_GREETING_LEN: usize = 12;

/// What the engine gets for a ping, pong or close, as ZMTP commands.
const PING_CMD: &[u8] = &[ZMTP_COMMAND, 7, 4, b'P', b'I', b'N', b'G', 0, 0];
const PONG_CMD: &[u8] = &[ZMTP_COMMAND, 5, 4, b'P', b'O', b'N', b'G'];
const CLOSE_CMD: &[u8] = &[ZMTP_COMMAND, 6, 5, b'C', b'L', b'O', b'S', b'E'];

/// A close payload kept for the echo, bounded by RFC 6455's limit on
/// control frames. libzmq echoes any length; a longer (non-conforming)
/// one is cut here rather than held whole.
pub(crate) const MAX_CLOSE_PAYLOAD: usize = 125;

/// What to do with the current frame's payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Payload {
    /// Unmask it to the engine.
    Pass,
    /// Drop it.
    Skip,
    /// Keep it for the close echo.
    Close,
}

/// The translation state of one connection's input.
#[derive(Debug)]
pub(crate) struct Inbound {
    frames: FrameDecoder,
    /// Bare `ZWS2.0`: control frames are dropped.
    bare: bool,
    /// Bytes for the engine not yet handed over: a greeting, a ZMTP
    /// header, a command. At most one of them at a time.
    stage: [u8; V3_GREETING_LEN],
    stage_at: usize,
    stage_len: usize,
    payload: Payload,
    close: [u8; MAX_CLOSE_PAYLOAD],
    close_len: usize,
    /// A close frame was read whole.
    closed: bool,
}

impl Inbound {
    /// `must_mask`: we are the server, so the peer's frames are masked.
    pub(crate) fn new(must_mask: bool) -> Inbound {
        Inbound {
            frames: FrameDecoder::new(must_mask),
            bare: false,
            stage: [0; V3_GREETING_LEN],
            stage_at: 0,
            stage_len: 0,
            payload: Payload::Pass,
            close: [0; MAX_CLOSE_PAYLOAD],
            close_len: 0,
            closed: false,
        }
    }

    pub(crate) fn set_max_msg_size(&mut self, max: i64) {
        self.frames.set_max_msg_size(max);
    }

    /// The upgrade is done: queue the peer's greeting for the engine.
    /// `mechanism` is the name in a ZMTP 3 greeting, `as_server` its
    /// as-server byte.
    pub(crate) fn start(&mut self, protocol: ZwsProtocol, mechanism: &[u8], as_server: bool) {
        let g = &mut self.stage;
        g.fill(0);
        g[..10].copy_from_slice(&SIGNATURE);
        if protocol.has_mechanism() {
            g[10] = 3;
            g[11] = 1;
            let n = mechanism.len().min(20);
            g[12..12 + n].copy_from_slice(&mechanism[..n]);
            g[32] = u8::from(as_server);
            self.stage_len = V3_GREETING_LEN;
        } else {
            // Revision 1 (ZMTP 2.0) and a socket type, which our engine
            // does not check for 2.0 peers and ZWS does not send.
            g[10] = 1;
            self.stage_len = V2_GREETING_LEN;
            self.bare = true;
        }
        self.stage_at = 0;
    }

    /// A close frame was read: the echo's payload.
    pub(crate) fn close_payload(&self) -> Option<&[u8]> {
        self.closed.then_some(&self.close[..self.close_len])
    }

    /// Translates frames from `net` into engine bytes in `out`; returns
    /// (network bytes taken, engine bytes written). Stops when `out` is
    /// full or `net` is used up.
    pub(crate) fn translate(
        &mut self,
        net: &[u8],
        out: &mut [u8],
    ) -> Result<(usize, usize), FrameError> {
        let (mut used, mut written) = (0, 0);
        loop {
            written += self.drain_stage(&mut out[written..]);
            if self.stage_at < self.stage_len {
                break;
            }
            if self.closed {
                // libzmq ends the connection after the echo; nothing
                // read after the close matters.
                return Ok((net.len(), written));
            }
            let input = &net[used..];
            if input.is_empty() {
                break;
            }
            if self.frames.remaining() == 0 {
                let (n, header) = self.frames.header(input)?;
                used += n;
                if let Some(h) = header {
                    self.on_header(h);
                }
                continue;
            }
            match self.payload {
                Payload::Pass => {
                    if written == out.len() {
                        break;
                    }
                    let n = self.frames.payload(input, &mut out[written..]);
                    used += n;
                    written += n;
                }
                Payload::Skip => used += self.frames.skip(input),
                Payload::Close => {
                    let room = MAX_CLOSE_PAYLOAD - self.close_len;
                    let n = input.len().min(room);
                    let end = self.close_len + n;
                    let n = self
                        .frames
                        .payload(&input[..n], &mut self.close[self.close_len..end]);
                    self.close_len += n;
                    used += n;
                    if n == 0 {
                        used += self.frames.skip(input);
                    }
                }
            }
            if self.payload == Payload::Close && self.frames.remaining() == 0 {
                self.closed = true;
            }
        }
        Ok((used, written))
    }

    /// A frame header: stage what the engine gets and choose what to do
    /// with the payload.
    fn on_header(&mut self, h: FrameHeader) {
        self.payload = Payload::Skip;
        match h.opcode {
            Opcode::Binary => {
                self.payload = Payload::Pass;
                self.stage_zmtp_header(h);
            }
            _ if self.bare => {}
            Opcode::Ping => self.stage_bytes(PING_CMD),
            Opcode::Pong => self.stage_bytes(PONG_CMD),
            Opcode::Close => {
                self.stage_bytes(CLOSE_CMD);
                self.payload = Payload::Close;
                self.close_len = 0;
                self.closed = h.payload == 0;
            }
        }
    }

    /// ZMTP 2.0/3.x header for a body of `h.payload` bytes: short up to
    /// 255, else LARGE with a 64-bit size.
    fn stage_zmtp_header(&mut self, h: FrameHeader) {
        let mut flags = 0;
        if h.more {
            flags |= ZMTP_MORE;
        }
        if h.command {
            flags |= ZMTP_COMMAND;
        }
        let s = &mut self.stage;
        self.stage_len = if h.payload > 255 {
            s[0] = flags | ZMTP_LARGE;
            s[1..9].copy_from_slice(&h.payload.to_be_bytes());
            9
        } else {
            s[0] = flags;
            s[1] = h.payload as u8;
            2
        };
        self.stage_at = 0;
    }

    fn stage_bytes(&mut self, bytes: &[u8]) {
        self.stage[..bytes.len()].copy_from_slice(bytes);
        self.stage_len = bytes.len();
        self.stage_at = 0;
    }

    fn drain_stage(&mut self, out: &mut [u8]) -> usize {
        let n = (self.stage_len - self.stage_at).min(out.len());
        out[..n].copy_from_slice(&self.stage[self.stage_at..self.stage_at + n]);
        self.stage_at += n;
        n
    }
}
