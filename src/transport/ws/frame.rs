//! The WebSocket frame codec as libzmq 4.3.5's `ws_decoder_t` and
//! `ws_encoder_t` use it, sans-IO and streaming: a header is parsed (or
//! written) whole, payloads pass through in whatever pieces arrive.
//!
//! ZWS puts one ZeroMQ frame in one WebSocket message: a binary frame whose
//! payload is a flags byte ([`MORE`], [`COMMAND`]) and the body. Control
//! frames (close, ping, pong) carry no flags byte.
//!
//! What libzmq's decoder refuses ([`FrameError`]): a frame without FIN
//! (fragmentation is not supported), any opcode but binary, close, ping and
//! pong (text and continuation included), a mask bit that is wrong for the
//! side (a server needs masked frames, a client unmasked ones), a binary
//! frame too short for its flags byte, and a payload over
//! `ZMQ_MAXMSGSIZE`. It ignores the RSV bits and does not hold control
//! frames to RFC 6455's 125 bytes, and neither do we.

/// FIN bit of the first header byte.
pub(crate) const FIN: u8 = 0x80;
/// Mask bit of the second header byte.
pub(crate) const MASKED: u8 = 0x80;

pub(crate) const OP_BINARY: u8 = 0x2;
pub(crate) const OP_CLOSE: u8 = 0x8;
pub(crate) const OP_PING: u8 = 0x9;
pub(crate) const OP_PONG: u8 = 0xA;

/// ZWS flags byte: more frames of the message follow.
pub(crate) const MORE: u8 = 0x01;
/// ZWS flags byte: a command (a ZMTP command body follows).
pub(crate) const COMMAND: u8 = 0x02;

/// The opcodes libzmq accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Opcode {
    Binary,
    Close,
    Ping,
    Pong,
}

/// A frame's header, the binary frame's flags byte included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FrameHeader {
    pub(crate) opcode: Opcode,
    /// Flags byte [`MORE`] bit (binary frames).
    pub(crate) more: bool,
    /// Flags byte [`COMMAND`] bit (binary frames).
    pub(crate) command: bool,
    /// Payload bytes still to come: for a binary frame, after the flags.
    pub(crate) payload: u64,
}

/// A frame libzmq's decoder refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FrameError {
    /// FIN clear: fragmented messages are not supported.
    NotFinal,
    /// Text, continuation or a reserved opcode.
    Opcode(u8),
    /// Unmasked frame to a server, or masked frame to a client.
    Mask,
    /// A binary frame of length 0: no room for the flags byte.
    NoFlags,
    /// Payload over `ZMQ_MAXMSGSIZE` (libzmq's `EMSGSIZE`).
    TooLarge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    First,
    Length,
    ExtLength,
    MaskKey,
    Flags,
    Payload,
}

/// Decodes frames. Call [`FrameDecoder::header`] until it returns a
/// header, then [`FrameDecoder::payload`] or [`FrameDecoder::skip`] until
/// [`FrameDecoder::remaining`] is 0; then the next header.
#[derive(Debug)]
pub(crate) struct FrameDecoder {
    /// Server side: frames must be masked.
    must_mask: bool,
    /// `ZMQ_MAXMSGSIZE`, -1 for none.
    max_msg_size: i64,
    stage: Stage,
    buf: [u8; 8],
    have: usize,
    opcode: Opcode,
    length: u64,
    mask: [u8; 4],
    /// Index into `mask` of the next payload byte.
    mask_at: usize,
    remaining: u64,
}

impl FrameDecoder {
    pub(crate) fn new(must_mask: bool) -> FrameDecoder {
        FrameDecoder {
            must_mask,
            max_msg_size: -1,
            stage: Stage::First,
            buf: [0; 8],
            have: 0,
            opcode: Opcode::Binary,
            length: 0,
            mask: [0; 4],
            mask_at: 0,
            remaining: 0,
        }
    }

    pub(crate) fn set_max_msg_size(&mut self, max: i64) {
        self.max_msg_size = max;
    }

    /// Payload bytes of the current frame not yet passed on.
    pub(crate) fn remaining(&self) -> u64 {
        self.remaining
    }

    /// Parses header bytes from `input`; returns how many it took and the
    /// header once complete. Takes nothing while payload remains.
    pub(crate) fn header(
        &mut self,
        input: &[u8],
    ) -> Result<(usize, Option<FrameHeader>), FrameError> {
        let mut used = 0;
        while self.stage != Stage::Payload && used < input.len() {
            let need = match self.stage {
                Stage::ExtLength if self.length == 126 => 2,
                Stage::ExtLength => 8,
                Stage::MaskKey => 4,
                _ => 1,
            };
            let n = (need - self.have).min(input.len() - used);
            self.buf[self.have..self.have + n].copy_from_slice(&input[used..used + n]);
            self.have += n;
            used += n;
            if self.have < need {
                break;
            }
            self.have = 0;
            if let Some(h) = self.step()? {
                return Ok((used, Some(h)));
            }
        }
        Ok((used, None))
    }

    /// One complete header field in `buf`; the header once all is known.
    fn step(&mut self) -> Result<Option<FrameHeader>, FrameError> {
        match self.stage {
            Stage::First => {
                let b = self.buf[0];
                if b & FIN == 0 {
                    return Err(FrameError::NotFinal);
                }
                self.opcode = match b & 0x0f {
                    OP_BINARY => Opcode::Binary,
                    OP_CLOSE => Opcode::Close,
                    OP_PING => Opcode::Ping,
                    OP_PONG => Opcode::Pong,
                    op => return Err(FrameError::Opcode(op)),
                };
                self.stage = Stage::Length;
            }
            Stage::Length => {
                let b = self.buf[0];
                if (b & MASKED != 0) != self.must_mask {
                    return Err(FrameError::Mask);
                }
                self.length = u64::from(b & 0x7f);
                if self.length >= 126 {
                    self.stage = Stage::ExtLength;
                } else {
                    return self.after_length();
                }
            }
            Stage::ExtLength => {
                self.length = if self.length == 126 {
                    u64::from(u16::from_be_bytes([self.buf[0], self.buf[1]]))
                } else {
                    u64::from_be_bytes(self.buf)
                };
                return self.after_length();
            }
            Stage::MaskKey => {
                self.mask.copy_from_slice(&self.buf[..4]);
                return self.after_mask();
            }
            Stage::Flags => {
                let flags = self.buf[0] ^ self.mask[0];
                self.mask_at = 1;
                return self.start_payload(self.length - 1, flags);
            }
            Stage::Payload => {}
        }
        Ok(None)
    }

    fn after_length(&mut self) -> Result<Option<FrameHeader>, FrameError> {
        if self.must_mask {
            self.stage = Stage::MaskKey;
            return Ok(None);
        }
        self.mask = [0; 4];
        self.after_mask()
    }

    fn after_mask(&mut self) -> Result<Option<FrameHeader>, FrameError> {
        self.mask_at = 0;
        if self.opcode != Opcode::Binary {
            return self.start_payload(self.length, 0);
        }
        if self.length == 0 {
            return Err(FrameError::NoFlags);
        }
        self.stage = Stage::Flags;
        Ok(None)
    }

    fn start_payload(
        &mut self,
        payload: u64,
        flags: u8,
    ) -> Result<Option<FrameHeader>, FrameError> {
        // libzmq's size_ready: the limit applies to control frames too,
        // and to a binary frame's body without its flags byte.
        if self.max_msg_size >= 0 && payload > self.max_msg_size as u64 {
            return Err(FrameError::TooLarge);
        }
        self.remaining = payload;
        self.stage = if payload == 0 {
            Stage::First
        } else {
            Stage::Payload
        };
        Ok(Some(FrameHeader {
            opcode: self.opcode,
            more: flags & MORE != 0,
            command: flags & COMMAND != 0,
            payload,
        }))
    }

    /// Unmasks payload bytes from `input` into `out`; returns the count.
    pub(crate) fn payload(&mut self, input: &[u8], out: &mut [u8]) -> usize {
        let n = self.take(input.len().min(out.len()));
        unmask(&input[..n], &mut out[..n], self.mask, self.mask_at);
        self.mask_at = (self.mask_at + n) % 4;
        n
    }

    /// Drops payload bytes from `input`; returns the count.
    pub(crate) fn skip(&mut self, input: &[u8]) -> usize {
        self.take(input.len())
    }

    /// Accounts for up to `max` payload bytes; returns how many.
    fn take(&mut self, max: usize) -> usize {
        let n = usize::try_from(self.remaining).map_or(max, |r| r.min(max));
        self.remaining -= n as u64;
        if self.remaining == 0 {
            self.stage = Stage::First;
        }
        n
    }
}

/// `out[i] = input[i] ^ mask[(at + i) % 4]`.
pub(crate) fn unmask(input: &[u8], out: &mut [u8], mask: [u8; 4], at: usize) {
    for (i, (o, &b)) in out.iter_mut().zip(input).enumerate() {
        *o = b ^ mask[(at + i) & 3];
    }
}

/// Appends a frame header as libzmq's encoder writes it: FIN and the
/// opcode, the shortest length form, and the mask key if any.
pub(crate) fn put_header(out: &mut Vec<u8>, opcode: u8, length: u64, mask: Option<[u8; 4]>) {
    let mask_bit = if mask.is_some() { MASKED } else { 0 };
    out.push(FIN | opcode);
    if length <= 125 {
        out.push(mask_bit | length as u8);
    } else if length <= 0xffff {
        out.push(mask_bit | 126);
        out.extend_from_slice(&(length as u16).to_be_bytes());
    } else {
        out.push(mask_bit | 127);
        out.extend_from_slice(&length.to_be_bytes());
    }
    if let Some(key) = mask {
        out.extend_from_slice(&key);
    }
}

/// Masks the payload of one outgoing frame (or passes it unchanged on
/// the server side, which does not mask).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Masker {
    key: Option<[u8; 4]>,
    at: usize,
}

impl Masker {
    pub(crate) fn new(key: Option<[u8; 4]>) -> Masker {
        Masker { key, at: 0 }
    }

    /// Appends `src`, masked, to `out`.
    pub(crate) fn put(&mut self, src: &[u8], out: &mut Vec<u8>) {
        match self.key {
            None => out.extend_from_slice(src),
            Some(key) => {
                let at = self.at;
                out.extend(src.iter().enumerate().map(|(i, &b)| b ^ key[(at + i) & 3]));
                self.at = (at + src.len()) & 3;
            }
        }
    }
}

/// Mask keys for a client's frames. libzmq draws them from its
/// non-cryptographic `generate_random`; RFC 6455 wants them unpredictable
/// to the page scripts of a browser, which do not exist here. So a
/// SplitMix64 generator seeded once from the OS: no syscall per frame.
#[derive(Debug)]
pub(crate) struct MaskKeys {
    state: u64,
}

impl MaskKeys {
    pub(crate) fn new() -> MaskKeys {
        let mut seed = [0u8; 8];
        // Without an OS random source, the address of a local still
        // varies between runs; any value keeps the protocol valid.
        if getrandom::getrandom(&mut seed).is_err() {
            seed = (&seed as *const _ as u64).to_ne_bytes();
        }
        MaskKeys {
            state: u64::from_ne_bytes(seed),
        }
    }

    pub(crate) fn next_key(&mut self) -> [u8; 4] {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) as u32).to_be_bytes()
    }
}
