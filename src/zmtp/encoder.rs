//! The frame encoder: [`Msg`]s in, bytes for `writev` out.
//!
//! Frame headers and bodies up to [`COPY_LIMIT`] bytes are packed into one
//! batch buffer, so many small messages leave in one write; longer bodies
//! are not copied but kept as separate chunks pointing into the message,
//! which the io layer passes to `writev` beside the batch. The encoder
//! never drops a message half way: each [`Encoder::encode`] queues a whole
//! frame. The engine stops feeding it once `ZMQ_OUT_BATCH_SIZE` bytes are
//! pending ([`Encoder::pending`]), so the batch stays that size.
//!
//! Subscriptions (messages flagged SUBSCRIBE/CANCEL, body = topic) are
//! written as libzmq's encoders write them: ZMTP 3.1 as SUBSCRIBE/CANCEL
//! commands, ZMTP 3.0/2.0/1.0 as messages whose first byte is 1 or 0.

use std::collections::VecDeque;
use std::io::IoSlice;

use super::decoder::{COMMAND_FLAG, LARGE_FLAG, MORE_FLAG};
use super::Framing;
use crate::msg::{flags, Msg};

/// Bodies up to this size are copied into the batch; longer ones are
/// written from the message itself.
pub const COPY_LIMIT: usize = 1024;

/// Chunks offered to one `writev`: the caller's array, on its stack (a
/// batch of small frames is one chunk; each long body adds one or two).
pub const MAX_CHUNKS: usize = 64;

const SUBSCRIBE_NAME: &[u8] = b"\x09SUBSCRIBE";
const CANCEL_NAME: &[u8] = b"\x06CANCEL";

/// One chunk of output.
#[derive(Debug)]
enum Seg {
    /// `batch[start..end]`.
    Batch { start: usize, end: usize },
    /// A message body written in place.
    Body(Msg),
}

/// The frame encoder of one connection.
#[derive(Debug)]
pub struct Encoder {
    framing: Framing,
    batch: Vec<u8>,
    segs: VecDeque<Seg>,
    /// Bytes of the first chunk already written.
    head_sent: usize,
    /// Bytes queued and not yet written.
    pending: usize,
}

impl Encoder {
    /// An encoder whose batch buffer starts with `out_batch_size` bytes.
    pub fn new(framing: Framing, out_batch_size: usize) -> Encoder {
        Encoder {
            framing,
            batch: Vec::with_capacity(out_batch_size + 64),
            segs: VecDeque::with_capacity(8),
            head_sent: 0,
            pending: 0,
        }
    }

    pub fn set_framing(&mut self, framing: Framing) {
        self.framing = framing;
    }

    /// Bytes queued and not yet written.
    pub fn pending(&self) -> usize {
        self.pending
    }

    pub fn is_empty(&self) -> bool {
        self.pending == 0
    }

    /// Queues raw bytes (the greeting, or the rest of a ZMTP 1.0 routing-id
    /// frame whose header was the pseudo-signature).
    pub fn push_raw(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let start = self.batch.len();
        self.batch.extend_from_slice(bytes);
        let end = self.batch.len();
        match self.segs.back_mut() {
            Some(Seg::Batch { end: e, .. }) if *e == start => *e = end,
            _ => self.segs.push_back(Seg::Batch { start, end }),
        }
        self.pending += bytes.len();
    }

    /// Queues one frame.
    pub fn encode(&mut self, msg: Msg) {
        let mut hdr = [0u8; 24];
        let n = self.header(&msg, &mut hdr);
        self.push_raw(&hdr[..n]);
        self.push_body(msg);
    }

    /// Queues a message body as it is, with no frame header: libzmq's raw
    /// encoder, for STREAM and `ZMQ_ROUTER_RAW` connections.
    pub fn encode_raw(&mut self, msg: Msg) {
        self.push_body(msg);
    }

    /// Copies a short body into the batch; keeps a long one as its own
    /// chunk.
    fn push_body(&mut self, msg: Msg) {
        let body = msg.size();
        if body <= COPY_LIMIT {
            self.push_raw(msg.data());
        } else {
            self.segs.push_back(Seg::Body(msg));
            self.pending += body;
        }
    }

    /// Writes the frame header (and subscription prefix) of `msg` into
    /// `hdr`; returns its length.
    fn header(&self, msg: &Msg, hdr: &mut [u8; 24]) -> usize {
        let body = msg.size();
        let (sub, cancel) = (msg.is_subscribe(), msg.is_cancel());
        let more = msg.has_more();
        match self.framing {
            Framing::V1 => {
                let size = body as u64 + 1 + u64::from(sub || cancel);
                let mut n = if size < 255 {
                    hdr[0] = size as u8;
                    1
                } else {
                    hdr[0] = 0xff;
                    hdr[1..9].copy_from_slice(&size.to_be_bytes());
                    9
                };
                hdr[n] = if more { flags::MORE } else { 0 };
                n += 1;
                if sub || cancel {
                    hdr[n] = u8::from(sub);
                    n += 1;
                }
                n
            }
            Framing::V2 | Framing::V3_1 => {
                let v31 = self.framing == Framing::V3_1;
                let mut f = if more { MORE_FLAG } else { 0 };
                if msg.is_command() || (v31 && (sub || cancel)) {
                    f |= COMMAND_FLAG;
                }
                let prefix: &[u8] = match (sub, cancel, v31) {
                    (true, _, true) => SUBSCRIBE_NAME,
                    (_, true, true) => CANCEL_NAME,
                    (true, _, false) => &[1],
                    (_, true, false) => &[0],
                    _ => &[],
                };
                // libzmq's v2 encoder decides LARGE before adding the
                // subscription byte, which breaks 255-byte topics; we
                // decide on the size actually written.
                let size = (body + prefix.len()) as u64;
                let mut n = if size > 255 {
                    hdr[0] = f | LARGE_FLAG;
                    hdr[1..9].copy_from_slice(&size.to_be_bytes());
                    9
                } else {
                    hdr[0] = f;
                    hdr[1] = size as u8;
                    2
                };
                hdr[n..n + prefix.len()].copy_from_slice(prefix);
                n += prefix.len();
                n
            }
        }
    }

    /// Fills `out` with the queued output, in order, for one `writev`;
    /// returns the number of chunks. Report what was written with
    /// [`Encoder::advance`].
    pub fn chunks<'a>(&'a self, out: &mut [IoSlice<'a>]) -> usize {
        let mut n = 0;
        for (slot, seg) in out.iter_mut().zip(self.segs.iter()) {
            let bytes = match seg {
                Seg::Batch { start, end } => &self.batch[*start..*end],
                Seg::Body(m) => m.data(),
            };
            let skip = if n == 0 { self.head_sent } else { 0 };
            *slot = IoSlice::new(&bytes[skip..]);
            n += 1;
        }
        n
    }

    /// The first contiguous chunk of output (for a plain `write`).
    #[cfg(test)]
    pub fn first_chunk(&self) -> &[u8] {
        match self.segs.front() {
            Some(Seg::Batch { start, end }) => &self.batch[start + self.head_sent..*end],
            Some(Seg::Body(m)) => &m.data()[self.head_sent..],
            None => &[],
        }
    }

    /// Drops `n` written bytes from the front of the output; messages
    /// written in full are released here.
    pub fn advance(&mut self, n: usize) {
        let mut n = n.min(self.pending);
        self.pending -= n;
        while n > 0 {
            let Some(seg) = self.segs.front() else { break };
            let len = match seg {
                Seg::Batch { start, end } => end - start,
                Seg::Body(m) => m.size(),
            };
            let rest = len - self.head_sent;
            if n >= rest {
                n -= rest;
                self.head_sent = 0;
                self.segs.pop_front();
            } else {
                self.head_sent += n;
                n = 0;
            }
        }
        if self.segs.is_empty() {
            self.batch.clear();
            self.head_sent = 0;
        }
    }

    /// Takes all queued output as one vector (tests, and callers without
    /// `writev`).
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn take_all(&mut self, out: &mut Vec<u8>) {
        let mut chunks = [IoSlice::new(&[]); MAX_CHUNKS];
        let count = self.chunks(&mut chunks);
        let n: usize = chunks[..count].iter().map(|c| c.len()).sum();
        for c in &chunks[..count] {
            out.extend_from_slice(c);
        }
        self.advance(n);
        if !self.is_empty() {
            self.take_all(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(framing: Framing, msgs: Vec<Msg>) -> Vec<u8> {
        let mut e = Encoder::new(framing, 8192);
        for m in msgs {
            e.encode(m);
        }
        let mut out = Vec::new();
        e.take_all(&mut out);
        out
    }

    fn sub(topic: &[u8], subscribe: bool) -> Msg {
        let mut m = Msg::from_slice(topic);
        m.set_flags(if subscribe {
            flags::SUBSCRIBE
        } else {
            flags::CANCEL
        });
        m
    }

    #[test]
    fn short_long_more_and_command_headers() {
        let mut more = Msg::from_slice(b"ab");
        more.set_more(true);
        let mut cmd = Msg::from_slice(b"\x04PING");
        cmd.set_flags(flags::COMMAND);
        let out = wire(Framing::V3_1, vec![more, cmd, Msg::from_slice(&[5; 256])]);
        assert_eq!(&out[..4], &[1, 2, b'a', b'b']);
        assert_eq!(&out[4..11], b"\x04\x05\x04PING");
        assert_eq!(&out[11..20], &[2, 0, 0, 0, 0, 0, 0, 1, 0]);
        assert_eq!(out.len(), 20 + 256);
    }

    #[test]
    fn subscriptions_are_commands_for_zmtp_3_1() {
        assert_eq!(
            wire(Framing::V3_1, vec![sub(b"ab", true)]),
            b"\x04\x0c\x09SUBSCRIBEab"
        );
        assert_eq!(
            wire(Framing::V3_1, vec![sub(b"", false)]),
            b"\x04\x07\x06CANCEL"
        );
        // The name counts towards LARGE: 250 + 10 bytes.
        let out = wire(Framing::V3_1, vec![sub(&[1; 250], true)]);
        assert_eq!(&out[..9], &[6, 0, 0, 0, 0, 0, 0, 1, 4]);
    }

    #[test]
    fn subscriptions_are_prefixed_messages_before_zmtp_3_1() {
        assert_eq!(wire(Framing::V2, vec![sub(b"ab", true)]), b"\x00\x03\x01ab");
        assert_eq!(
            wire(Framing::V2, vec![sub(b"ab", false)]),
            b"\x00\x03\x00ab"
        );
        assert_eq!(wire(Framing::V1, vec![sub(b"ab", true)]), b"\x04\x00\x01ab");
        let out = wire(Framing::V2, vec![sub(&[1; 255], true)]);
        assert_eq!(&out[..9], &[2, 0, 0, 0, 0, 0, 0, 1, 0], "256 bytes is long");
    }

    #[test]
    fn v1_frames_use_the_long_form_from_254_body_bytes() {
        let out = wire(Framing::V1, vec![Msg::from_slice(&[0; 253])]);
        assert_eq!(&out[..2], &[254, 0]);
        let mut m = Msg::from_slice(&[0; 254]);
        m.set_more(true);
        let out = wire(Framing::V1, vec![m]);
        assert_eq!(&out[..10], &[0xff, 0, 0, 0, 0, 0, 0, 0, 255, 1]);
    }

    #[test]
    fn small_frames_share_one_chunk_and_large_bodies_are_not_copied() {
        let mut e = Encoder::new(Framing::V3_1, 8192);
        for _ in 0..100 {
            e.encode(Msg::from_slice(b"hello"));
        }
        let big = Msg::from_slice(&[7; 5000]);
        let big_ptr = big.data().as_ptr();
        e.encode(big);
        e.encode(Msg::from_slice(b"tail"));
        let mut chunks = [IoSlice::new(&[]); MAX_CHUNKS];
        assert_eq!(e.chunks(&mut chunks), 3);
        assert_eq!(chunks[0].len(), 100 * 7 + 9);
        assert_eq!(chunks[1].as_ptr(), big_ptr, "written from the message");
        assert_eq!(&chunks[2][..], b"\x00\x04tail");
        // A partial write resumes mid-chunk.
        e.advance(700 + 9 + 10);
        assert_eq!(e.pending(), 4990 + 6);
        assert_eq!(e.first_chunk().len(), 4990);
        e.advance(4990 + 6);
        assert!(e.is_empty());
        assert!(e.first_chunk().is_empty());
    }

    #[test]
    fn raw_bodies_go_out_without_headers() {
        let mut e = Encoder::new(Framing::V3_1, 8192);
        let mut more = Msg::from_slice(b"GET /");
        more.set_more(true);
        e.encode_raw(more);
        e.encode_raw(Msg::new());
        e.encode_raw(Msg::from_slice(&[9; 2000]));
        let mut out = Vec::new();
        e.take_all(&mut out);
        assert_eq!(&out[..5], b"GET /");
        assert_eq!(out.len(), 5 + 2000);
    }
}
