//! The frame decoder: bytes in, [`Msg`]s out, for ZMTP 3.x/2.0 and 1.0
//! framing.
//!
//! The decoder owns the connection's read buffer (`ZMQ_IN_BATCH_SIZE`
//! bytes). The io layer asks [`Decoder::read_buf`] where to read and
//! reports the count with [`Decoder::advance`]; [`Decoder::decode`] then
//! yields messages one at a time, so a caller that cannot take more (a
//! full pipe) simply stops calling it and stops reading. Small bodies (up
//! to 33 bytes) are built inline in the message, with no allocation; a
//! longer body that was read whole becomes a message pointing into the
//! shared read buffer ([`RecvBuffer`]), again with no allocation or copy
//! (libzmq's `ZMQ_ZERO_COPY_RECV`; with it off, each body is copied into
//! a block of its own). When the rest of a body is at least as long as
//! the read buffer, `read_buf` hands out the message's own buffer instead,
//! so large bodies are read straight into place (libzmq's zero-copy read).
//!
//! Limits are libzmq's: `ZMQ_MAXMSGSIZE` is checked against the size
//! field as soon as it is known (`EMSGSIZE`), a ZMTP 1.0 length of zero is
//! `EPROTO`, a body that cannot be allocated is `ENOMEM`. Every error is
//! final: the connection drops. No input makes the decoder panic.

use super::{Framing, EPROTO};
use crate::msg::{flags, Msg, RecvBuffer, MAX_VSM_SIZE};
use crate::{Error, Result};

/// Wire flag bits of ZMTP 2.0/3.x.
pub const MORE_FLAG: u8 = 1;
pub const LARGE_FLAG: u8 = 2;
pub const COMMAND_FLAG: u8 = 4;

/// A body being filled.
#[derive(Debug)]
struct Body {
    msg: Msg,
    filled: usize,
    /// Bytes from the start known initialised (written or zeroed), for
    /// the safe [`Decoder::read_buf`], which zeroes before it lends.
    zeroed: usize,
}

/// The most of a long body the safe [`Decoder::read_buf`] lends (and so
/// zeroes) at once: a peer announcing gigabytes must not make it touch
/// them all before a byte arrives.
const SAFE_LEND: usize = 64 << 10;

/// The frame decoder of one connection.
#[derive(Debug)]
pub struct Decoder {
    framing: Framing,
    max_msg_size: i64,
    /// The read buffer; its pending bytes are read but not yet decoded.
    buf: RecvBuffer,
    /// Bodies over 33 bytes point into `buf` (`ZMQ_ZERO_COPY_RECV`).
    zero_copy: bool,
    /// The header collected so far.
    hdr: [u8; 10],
    hdr_len: usize,
    body: Option<Body>,
    /// The last `read_buf` handed out the body's own buffer.
    handed_body: bool,
    /// A message completed by a zero-copy read, not yet returned.
    ready: Option<Msg>,
    failed: bool,
}

impl Decoder {
    /// A decoder with a read buffer of `in_batch_size` bytes that rejects
    /// bodies longer than `max_msg_size` (no limit when negative). A
    /// buffer that cannot be allocated leaves the decoder failed
    /// (`ENOMEM` at the first decode).
    pub fn new(framing: Framing, in_batch_size: usize, max_msg_size: i64) -> Decoder {
        let (buf, failed) = match RecvBuffer::new(in_batch_size) {
            Ok(b) => (b, false),
            Err(_) => (
                RecvBuffer::new(1).unwrap_or_else(|_| crate::error::fatal("out of memory")),
                true,
            ),
        };
        Decoder {
            framing,
            max_msg_size,
            buf,
            zero_copy: true,
            hdr: [0; 10],
            hdr_len: 0,
            body: None,
            handed_body: false,
            ready: None,
            failed,
        }
    }

    /// `ZMQ_ZERO_COPY_RECV`: whether bodies over 33 bytes may point into
    /// the read buffer (on by default, as in libzmq).
    pub fn set_zero_copy(&mut self, on: bool) {
        self.zero_copy = on;
    }

    /// Switches the frame syntax (after the greeting, before any frame).
    pub fn set_framing(&mut self, framing: Framing) {
        self.framing = framing;
    }

    /// Where the io layer should read next: empty while read bytes are
    /// still undecoded (call [`Decoder::decode`] until it returns `None`)
    /// or after an error.
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn read_buf(&mut self) -> &mut [u8] {
        // SAFETY: the tail is zeroed first, so every byte lent is
        // initialised and the caller may do what it likes with them.
        unsafe { self.read_target(true) }
    }

    /// As [`Decoder::read_buf`], but the rest of a long body is lent as
    /// it is, uninitialised, saving a pass over it (64 KiB of `memset`
    /// per 64 KiB message).
    ///
    /// # Safety
    /// The caller only writes into the returned bytes (as `read(2)` does)
    /// before reporting the count with [`Decoder::advance`]; it never reads
    /// them.
    pub unsafe fn read_buf_uninit(&mut self) -> &mut [u8] {
        // SAFETY: the caller's contract.
        unsafe { self.read_target(false) }
    }

    /// # Safety
    /// With `zero` false, as [`Decoder::read_buf_uninit`].
    unsafe fn read_target(&mut self, zero: bool) -> &mut [u8] {
        if self.failed || !self.buf.pending().is_empty() || self.ready.is_some() {
            return &mut [];
        }
        if let Some(body) = &mut self.body {
            let size = body.msg.size();
            let remaining = size - body.filled;
            if remaining >= self.buf.capacity() {
                self.handed_body = true;
                let end = if zero {
                    (body.filled + SAFE_LEND.max(self.buf.capacity())).min(size)
                } else {
                    size
                };
                // SAFETY: the body is ours alone (not delivered before it
                // is filled) and valid for `size` bytes; `filled..size` is
                // written only by reads or copies and read by no one until
                // `filled` reaches `size`. Zeroed up to `end` when asked,
                // else lent uninitialised under the caller's contract.
                unsafe {
                    let base = body.msg.data_ptr_mut();
                    let init = body.zeroed.max(body.filled);
                    if zero && init < end {
                        std::ptr::write_bytes(base.add(init), 0, end - init);
                        body.zeroed = end;
                    }
                    return std::slice::from_raw_parts_mut(
                        base.add(body.filled),
                        end - body.filled,
                    );
                }
            }
        }
        self.handed_body = false;
        let spare = if zero {
            self.buf.spare()
        } else {
            // SAFETY: the caller's contract (write only, then `advance`).
            unsafe { self.buf.spare_uninit() }
        };
        match spare {
            Ok(spare) => spare,
            Err(_) => {
                // No memory for a fresh buffer: the connection ends.
                self.failed = true;
                &mut []
            }
        }
    }

    /// Records that `n` bytes were read into the last [`Decoder::read_buf`].
    pub fn advance(&mut self, n: usize) {
        if self.handed_body {
            self.handed_body = false;
            if let Some(body) = &mut self.body {
                body.filled = (body.filled + n).min(body.msg.size());
                if body.filled == body.msg.size() {
                    self.ready = self.body.take().map(|b| b.msg);
                }
            }
        } else {
            self.buf.commit(n);
        }
    }

    /// Copies as much of `input` as the read buffer takes; returns the
    /// count (zero while undecoded bytes remain).
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn feed(&mut self, input: &[u8]) -> usize {
        let buf = self.read_buf();
        let n = buf.len().min(input.len());
        buf[..n].copy_from_slice(&input[..n]);
        if n > 0 {
            self.advance(n);
        }
        n
    }

    /// The read bytes not yet decoded (for the greeting, which is parsed
    /// before any frame).
    pub fn pending(&self) -> &[u8] {
        self.buf.pending()
    }

    /// Marks `n` pending bytes as consumed by the greeting.
    pub fn consume(&mut self, n: usize) {
        self.buf.consume(n);
    }

    /// Puts `bytes` back in front of the pending input: the start of an
    /// unversioned ZMTP 1.0 peer's first frame, read as its greeting.
    pub fn unread(&mut self, bytes: &[u8]) {
        if !bytes.is_empty() && self.buf.unread(bytes).is_err() {
            self.failed = true;
        }
    }

    /// The next complete message, `None` when the read bytes are used up.
    /// After an error the decoder is dead.
    pub fn decode(&mut self) -> Result<Option<Msg>> {
        if self.failed {
            return Err(EPROTO);
        }
        if let Some(m) = self.ready.take() {
            return Ok(Some(m));
        }
        match self.decode_inner() {
            Err(e) => {
                self.failed = true;
                self.body = None;
                Err(e)
            }
            ok => ok,
        }
    }

    fn decode_inner(&mut self) -> Result<Option<Msg>> {
        loop {
            if let Some(body) = &mut self.body {
                let pending = self.buf.pending();
                if pending.is_empty() {
                    return Ok(None);
                }
                let size = body.msg.size();
                let n = (size - body.filled).min(pending.len());
                // SAFETY: `filled + n <= size`; the body is ours alone and
                // cannot overlap the read buffer.
                unsafe {
                    let to = body.msg.data_ptr_mut().add(body.filled);
                    std::ptr::copy_nonoverlapping(pending.as_ptr(), to, n);
                }
                body.filled += n;
                self.buf.consume(n);
                if body.filled == size {
                    return Ok(self.body.take().map(|b| b.msg));
                }
                continue;
            }
            // Fast path: a whole ZMTP 2/3 header, parsed where it lies.
            if self.hdr_len == 0 && self.framing != Framing::V1 {
                if let Some((hdr_len, size, msg_flags)) = self.pending_header()? {
                    self.buf.consume(hdr_len);
                    match self.start_body(size, msg_flags)? {
                        Some(m) => return Ok(Some(m)),
                        None => continue,
                    }
                }
            }
            // Collect the header.
            loop {
                self.check_v1_length()?;
                let need = self.header_need();
                if self.hdr_len == need {
                    break;
                }
                let pending = self.buf.pending();
                if pending.is_empty() {
                    return Ok(None);
                }
                let n = (need - self.hdr_len).min(pending.len());
                self.hdr[self.hdr_len..self.hdr_len + n].copy_from_slice(&pending[..n]);
                self.hdr_len += n;
                self.buf.consume(n);
            }
            let (size, msg_flags) = self.parse_header()?;
            self.hdr_len = 0;
            if let Some(m) = self.start_body(size, msg_flags)? {
                return Ok(Some(m));
            }
        }
    }

    /// A ZMTP 2/3 header pending whole: its length, body size and message
    /// flags; `None` if not all of it was read yet.
    fn pending_header(&self) -> Result<Option<(usize, usize, u8)>> {
        let p = self.buf.pending();
        let (hdr_len, size) = match p {
            [f, rest @ ..] if f & LARGE_FLAG != 0 => match rest.first_chunk::<8>() {
                Some(b) => (9, u64::from_be_bytes(*b)),
                None => return Ok(None),
            },
            [_, size, ..] => (2, u64::from(*size)),
            _ => return Ok(None),
        };
        let size = self.check_size(size)?;
        Ok(Some((hdr_len, size, wire_flags(p[0]))))
    }

    /// The message for a frame whose header was just consumed: complete if
    /// its body is pending whole (pointing into the read buffer when it is
    /// over 33 bytes and zero-copy is on), else started as `self.body`.
    fn start_body(&mut self, size: usize, msg_flags: u8) -> Result<Option<Msg>> {
        let pending = self.buf.pending().len();
        if size > MAX_VSM_SIZE && self.zero_copy && size <= pending {
            if let Some(mut m) = self.buf.take_msg(size) {
                m.set_flags(msg_flags);
                return Ok(Some(m));
            }
        }
        if size <= pending {
            let mut msg = Msg::try_from_slice(&self.buf.pending()[..size])?;
            msg.set_flags(msg_flags);
            self.buf.consume(size);
            return Ok(Some(msg));
        }
        // SAFETY: delivered only once `filled` reaches `size`, every byte
        // written by the copy below, a copy in `decode_inner` or a read
        // into `read_target`'s tail.
        let mut msg = unsafe { Msg::with_size_uninit(size)? };
        msg.set_flags(msg_flags);
        let n = pending;
        // SAFETY: `n < size` bytes into a fresh body.
        unsafe {
            std::ptr::copy_nonoverlapping(self.buf.pending().as_ptr(), msg.data_ptr_mut(), n)
        };
        self.buf.consume(n);
        self.body = Some(Body {
            msg,
            filled: n,
            zeroed: n,
        });
        Ok(None)
    }

    /// Header bytes needed, given those collected.
    fn header_need(&self) -> usize {
        if self.hdr_len == 0 {
            return 1;
        }
        match self.framing {
            Framing::V1 if self.hdr[0] == 0xff => 10,
            Framing::V1 => 2,
            _ if self.hdr[0] & LARGE_FLAG != 0 => 9,
            _ => 2,
        }
    }

    fn u64_at(&self, at: usize) -> u64 {
        let mut b = [0u8; 8];
        b.copy_from_slice(&self.hdr[at..at + 8]);
        u64::from_be_bytes(b)
    }

    fn check_size(&self, size: u64) -> Result<usize> {
        if self.max_msg_size >= 0 && size > self.max_msg_size as u64 {
            return Err(Error::EMSGSIZE);
        }
        usize::try_from(size).map_err(|_| Error::EMSGSIZE)
    }

    /// ZMTP 1.0 checks its length as soon as it is complete, before the
    /// flags byte, as libzmq's `v1_decoder_t` does.
    fn check_v1_length(&self) -> Result<()> {
        if self.framing != Framing::V1 || self.hdr_len == 0 {
            return Ok(());
        }
        // The header may arrive whole (flags byte included), so check once
        // the length is complete, not at exactly its length.
        let len = match self.hdr[0] {
            0xff if self.hdr_len >= 9 => self.u64_at(1),
            0xff => return Ok(()),
            n => u64::from(n),
        };
        if len == 0 {
            return Err(EPROTO);
        }
        self.check_size(len - 1).map(|_| ())
    }

    /// Body size and message flags of a complete header.
    fn parse_header(&self) -> Result<(usize, u8)> {
        match self.framing {
            Framing::V1 => {
                let (len, flags_at) = if self.hdr[0] == 0xff {
                    (self.u64_at(1), 9)
                } else {
                    (u64::from(self.hdr[0]), 1)
                };
                // Checked by `check_v1_length`: len >= 1.
                let size = self.check_size(len.saturating_sub(1))?;
                Ok((size, self.hdr[flags_at] & flags::MORE))
            }
            _ => {
                let f = self.hdr[0];
                let size = if f & LARGE_FLAG != 0 {
                    self.u64_at(1)
                } else {
                    u64::from(self.hdr[1])
                };
                let size = self.check_size(size)?;
                Ok((size, wire_flags(f)))
            }
        }
    }
}

/// The message flags of a ZMTP 2/3 frame's flags byte.
fn wire_flags(f: u8) -> u8 {
    let mut msg_flags = 0;
    if f & MORE_FLAG != 0 {
        msg_flags |= flags::MORE;
    }
    if f & COMMAND_FLAG != 0 {
        msg_flags |= flags::COMMAND;
    }
    msg_flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(d: &mut Decoder, input: &[u8]) -> Result<Vec<Msg>> {
        let mut out = Vec::new();
        let mut input = input;
        loop {
            while let Some(m) = d.decode()? {
                out.push(m);
            }
            if input.is_empty() {
                return Ok(out);
            }
            let n = d.feed(input);
            input = &input[n..];
        }
    }

    #[test]
    fn short_and_long_frames_decode_with_flags() {
        let mut d = Decoder::new(Framing::V2, 8192, -1);
        let mut wire = vec![0x01, 3, b'a', b'b', b'c', 0x04, 0];
        wire.extend_from_slice(&[0x02, 0, 0, 0, 0, 0, 0, 1, 0]);
        wire.extend_from_slice(&[7u8; 256]);
        let msgs = decode_all(&mut d, &wire).unwrap();
        assert_eq!(msgs.len(), 3);
        assert_eq!(msgs[0].data(), b"abc");
        assert!(msgs[0].has_more() && !msgs[0].is_command());
        assert!(msgs[1].is_command() && msgs[1].size() == 0);
        assert_eq!(msgs[2].data(), &[7u8; 256][..]);
        assert!(!msgs[2].has_more());
    }

    #[test]
    fn large_body_is_read_straight_into_the_message() {
        let mut d = Decoder::new(Framing::V2, 64, -1);
        let body: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        let mut wire = vec![0x02];
        wire.extend_from_slice(&1000u64.to_be_bytes());
        wire.extend_from_slice(&body);
        // First read: the header and the first bytes of the body.
        assert_eq!(d.feed(&wire[..64]), 64);
        assert!(d.decode().unwrap().is_none());
        // The rest (945 bytes) exceeds the 64-byte buffer: zero-copy.
        let buf = d.read_buf();
        assert_eq!(buf.len(), 1000 - 55);
        assert!(buf.iter().all(|&b| b == 0), "the safe view lends zeros");
        buf[..500].copy_from_slice(&wire[64..564]);
        d.advance(500);
        assert!(d.decode().unwrap().is_none());
        let buf = d.read_buf();
        assert_eq!(buf.len(), 445);
        buf.copy_from_slice(&wire[564..]);
        d.advance(445);
        let m = d.decode().unwrap().unwrap();
        assert_eq!(m.data(), &body[..]);
        assert_eq!(d.read_buf().len(), 64, "back to the read buffer");
    }

    #[test]
    fn a_body_lent_uninitialised_is_delivered_whole() {
        let mut d = Decoder::new(Framing::V2, 64, -1);
        let body: Vec<u8> = (0..5000u32).map(|i| (i * 7) as u8).collect();
        let mut wire = vec![0x02];
        wire.extend_from_slice(&5000u64.to_be_bytes());
        wire.extend_from_slice(&body);
        let mut at = 0;
        let mut got = None;
        while got.is_none() {
            // SAFETY: only written, by the copy, before `advance`.
            let buf = unsafe { d.read_buf_uninit() };
            let n = buf.len().min(wire.len() - at).min(999);
            buf[..n].copy_from_slice(&wire[at..at + n]);
            at += n;
            d.advance(n);
            got = d.decode().unwrap();
        }
        assert_eq!(got.unwrap().data(), &body[..]);
        assert_eq!(at, wire.len());
    }

    /// Three 40-byte frames, each header `[0, 40]`.
    fn three_frames() -> Vec<u8> {
        (0..3u8)
            .flat_map(|i| [vec![0, 40], vec![i; 40]].concat())
            .collect()
    }

    #[test]
    fn whole_bodies_point_into_the_read_buffer() {
        let mut d = Decoder::new(Framing::V2, 8192, -1);
        let msgs = decode_all(&mut d, &three_frames()).unwrap();
        assert_eq!(msgs.len(), 3);
        for (i, m) in msgs.iter().enumerate() {
            assert_eq!(m.data(), &[i as u8; 40][..]);
            assert!(!m.is_shared(), "ZMQ_SHARED is 0 until copied, as libzmq");
        }
        // Bodies sit 42 bytes apart in one block: nothing was copied.
        let p: Vec<usize> = msgs.iter().map(|m| m.data_ptr() as usize).collect();
        assert_eq!((p[1] - p[0], p[2] - p[1]), (42, 42));
        // While they live, the next read goes on after them.
        let next = d.read_buf().as_ptr() as usize;
        assert_eq!(next, p[2] + 40);
    }

    #[test]
    fn the_buffer_starts_over_only_when_no_message_points_into_it() {
        let mut d = Decoder::new(Framing::V2, 128, -1);
        let first = d.read_buf().as_ptr() as usize;
        let kept = decode_all(&mut d, &three_frames()[..84]).unwrap();
        assert_eq!(kept.len(), 2);
        // 84 of 128 bytes used, messages alive: less than half is free,
        // so a fresh block; the kept bodies are untouched by later reads.
        let again = decode_all(&mut d, &three_frames()[..84]).unwrap();
        assert_ne!(again[0].data_ptr() as usize, kept[0].data_ptr() as usize);
        assert_eq!(kept[1].data(), &[1u8; 40][..]);
        drop((kept, again));
        // Nothing points into the current block: it is reused from its start.
        let reused = d.read_buf().as_ptr() as usize;
        decode_all(&mut d, &three_frames()[..42]).unwrap();
        assert_eq!(d.read_buf().as_ptr() as usize, reused);
        assert_ne!(first, 0);
    }

    #[test]
    fn a_copy_keeps_the_block_alive_after_the_decoder_is_gone() {
        let mut d = Decoder::new(Framing::V2, 8192, -1);
        let mut msgs = decode_all(&mut d, &three_frames()).unwrap();
        let copy = msgs[1].share();
        assert!(copy.is_shared() && msgs[1].is_shared());
        drop(d);
        drop(msgs);
        let t = std::thread::spawn(move || copy.data().to_vec());
        assert_eq!(t.join().unwrap(), vec![1u8; 40]);
    }

    #[test]
    fn zero_copy_off_gives_each_body_its_own_block() {
        let mut d = Decoder::new(Framing::V2, 8192, -1);
        d.set_zero_copy(false);
        let msgs = decode_all(&mut d, &three_frames()).unwrap();
        let p: Vec<usize> = msgs.iter().map(|m| m.data_ptr() as usize).collect();
        assert_ne!(p[1].wrapping_sub(p[0]), 42);
        assert_eq!(msgs[2].data(), &[2u8; 40][..]);
    }

    #[test]
    fn shrinking_a_buffer_message_leaves_its_copies_alone() {
        let mut d = Decoder::new(Framing::V2, 8192, -1);
        let mut msgs = decode_all(&mut d, &three_frames()).unwrap();
        let copy = msgs[0].share();
        msgs[0].shrink(3);
        assert_eq!((msgs[0].size(), copy.size()), (3, 40));
    }

    #[test]
    fn maxmsgsize_rejects_as_soon_as_the_size_is_known() {
        let mut d = Decoder::new(Framing::V2, 8192, 10);
        assert!(decode_all(&mut d, &[0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_ok());
        let mut d = Decoder::new(Framing::V2, 8192, 10);
        assert_eq!(decode_all(&mut d, &[0, 11]).unwrap_err(), Error::EMSGSIZE);
        assert!(d.read_buf().is_empty(), "a failed decoder reads no more");
        let mut d = Decoder::new(Framing::V2, 8192, 0);
        assert!(decode_all(&mut d, &[0, 0]).unwrap().len() == 1);
        let mut d = Decoder::new(Framing::V2, 8192, -1);
        let huge = [2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert!(decode_all(&mut d, &huge).is_err(), "cannot be allocated");
    }

    #[test]
    fn v1_frames_carry_length_including_flags() {
        let mut d = Decoder::new(Framing::V1, 8192, -1);
        let mut wire = vec![4, 1, b'a', b'b', b'c', 1, 0];
        wire.push(0xff);
        wire.extend_from_slice(&301u64.to_be_bytes());
        wire.push(0xfe);
        wire.extend_from_slice(&[9u8; 300]);
        let msgs = decode_all(&mut d, &wire).unwrap();
        assert_eq!(msgs.len(), 3);
        assert_eq!((msgs[0].data(), msgs[0].has_more()), (&b"abc"[..], true));
        assert_eq!((msgs[1].size(), msgs[1].has_more()), (0, false));
        assert_eq!(msgs[2].size(), 300);
        assert_eq!(msgs[2].flags(), 0, "only MORE is taken from a 1.0 frame");
    }

    #[test]
    fn v1_zero_length_is_a_protocol_error_at_once() {
        let mut d = Decoder::new(Framing::V1, 8192, -1);
        assert_eq!(decode_all(&mut d, &[0]).unwrap_err(), EPROTO);
        let mut d = Decoder::new(Framing::V1, 8192, -1);
        let long_zero = [0xff, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(decode_all(&mut d, &long_zero).unwrap_err(), EPROTO);
        // With the flags byte in the same read (tests/differential).
        let mut d = Decoder::new(Framing::V1, 8192, -1);
        let with_flags = [0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7e, 1];
        assert_eq!(decode_all(&mut d, &with_flags).unwrap_err(), EPROTO);
        let mut d = Decoder::new(Framing::V1, 8192, 2);
        let long_big = [0xff, 0, 0, 0, 0, 0, 0, 0, 4, 0];
        assert_eq!(decode_all(&mut d, &long_big).unwrap_err(), Error::EMSGSIZE);
        let mut d = Decoder::new(Framing::V1, 8192, 2);
        assert_eq!(decode_all(&mut d, &[4]).unwrap_err(), Error::EMSGSIZE);
    }

    #[test]
    fn unread_puts_greeting_bytes_back_in_front() {
        let mut d = Decoder::new(Framing::V1, 16, -1);
        d.feed(b"bc");
        d.unread(&[4, 0, b'a']);
        let msgs = decode_all(&mut d, &[]).unwrap();
        assert_eq!(msgs[0].data(), b"abc");
        // With room before the pending bytes, in place.
        let mut d = Decoder::new(Framing::V1, 16, -1);
        d.feed(&[9, 9, 9, 2, 0, b'x']);
        d.consume(3);
        d.unread(&[1, 0]);
        let msgs = decode_all(&mut d, &[]).unwrap();
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[1].data(), b"x");
    }
}
