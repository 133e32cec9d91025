//! Byte-level decoding and encoding of socket option values, the libzmq way.
//!
//! `zmq_setsockopt` hands us `(optval, optvallen)` and `zmq_getsockopt` a
//! buffer plus its length; these helpers reproduce libzmq 4.3.5's checks on
//! those bytes so that the generic options and the pattern sockets (which
//! handle their own options) agree on every corner case. All values are in
//! native byte order, as C's `memcpy` of an `int` gives.
//!
//! Two getter conventions coexist in libzmq and both are kept:
//! - `options_t::getsockopt` wants an int buffer of *exactly* `sizeof (int)`
//!   ([`write_int`], [`write_i64`], [`write_u64`]);
//! - `do_getsockopt` (strings, the routing id, and the values the socket
//!   itself answers: `ZMQ_RCVMORE`, `ZMQ_EVENTS`, `ZMQ_FD`, ...) accepts any
//!   buffer at least as large as the value, zeroes the rest and reports the
//!   value's length ([`write_value`], [`write_int_value`], [`write_string`]).

use crate::{Error, Result};

const INT: usize = std::mem::size_of::<i32>();

/// An `int` option value: exactly `sizeof (int)` bytes, else `EINVAL`.
pub fn int_value(value: &[u8]) -> Result<i32> {
    let bytes: [u8; INT] = value.try_into().map_err(|_| Error::EINVAL)?;
    Ok(i32::from_ne_bytes(bytes))
}

/// An `int` read from a value of any length, as libzmq reads
/// `ZMQ_XSUB_VERBOSE_UNSUBSCRIBE` (`*(const int *) optval`, no length
/// check): the first `sizeof (int)` bytes. libzmq would read past a shorter
/// value (and crash on NULL); we read what there is, zero-extended.
pub fn int_unchecked(value: &[u8]) -> i32 {
    let mut bytes = [0; INT];
    let n = value.len().min(INT);
    bytes[..n].copy_from_slice(&value[..n]);
    i32::from_ne_bytes(bytes)
}

/// An `int64_t` option value (`ZMQ_MAXMSGSIZE`): exactly 8 bytes.
pub fn i64_value(value: &[u8]) -> Result<i64> {
    let bytes: [u8; 8] = value.try_into().map_err(|_| Error::EINVAL)?;
    Ok(i64::from_ne_bytes(bytes))
}

/// A `uint64_t` option value (`ZMQ_AFFINITY`): exactly 8 bytes.
pub fn u64_value(value: &[u8]) -> Result<u64> {
    let bytes: [u8; 8] = value.try_into().map_err(|_| Error::EINVAL)?;
    Ok(u64::from_ne_bytes(bytes))
}

/// An `int` used as a boolean that must be 0 or 1 (libzmq's
/// `do_setsockopt_int_as_bool_strict`: `ZMQ_IPV6`, `ZMQ_CONFLATE`,
/// `ZMQ_STREAM_NOTIFY`, ...).
pub fn bool_strict(value: &[u8]) -> Result<bool> {
    match int_value(value)? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Error::EINVAL),
    }
}

/// An `int` used as a boolean where any nonzero value, negative included,
/// means true (libzmq's `do_setsockopt_int_as_bool_relaxed`:
/// `ZMQ_INVERT_MATCHING`, `ZMQ_LOOPBACK_FASTPATH`, ...).
pub fn bool_relaxed(value: &[u8]) -> Result<bool> {
    Ok(int_value(value)? != 0)
}

/// An `int` flag that must not be negative; any positive value means true.
///
/// This is what the pattern sockets accept for `ZMQ_ROUTER_MANDATORY`,
/// `ZMQ_ROUTER_RAW`, `ZMQ_ROUTER_HANDOVER`, `ZMQ_PROBE_ROUTER`,
/// `ZMQ_REQ_CORRELATE`, `ZMQ_REQ_RELAXED`, the `ZMQ_XPUB_*` flags and
/// `ZMQ_ONLY_FIRST_SUBSCRIBE`.
pub fn nonneg_flag(value: &[u8]) -> Result<bool> {
    match int_value(value)? {
        v if v >= 0 => Ok(v != 0),
        _ => Err(Error::EINVAL),
    }
}

/// Writes an `int` into a buffer of exactly `sizeof (int)` bytes, as
/// `options_t::getsockopt` does; returns the new `optvallen`.
pub fn write_int(out: &mut [u8], v: i32) -> Result<usize> {
    write_exact(out, &v.to_ne_bytes())
}

/// Writes an `int64_t` into a buffer of exactly 8 bytes.
pub fn write_i64(out: &mut [u8], v: i64) -> Result<usize> {
    write_exact(out, &v.to_ne_bytes())
}

/// Writes a `uint64_t` into a buffer of exactly 8 bytes.
pub fn write_u64(out: &mut [u8], v: u64) -> Result<usize> {
    write_exact(out, &v.to_ne_bytes())
}

fn write_exact(out: &mut [u8], bytes: &[u8]) -> Result<usize> {
    if out.len() != bytes.len() {
        return Err(Error::EINVAL);
    }
    out.copy_from_slice(bytes);
    Ok(bytes.len())
}

/// libzmq's `do_getsockopt`: the buffer must hold at least `value`; the
/// value is copied, the rest of the buffer zeroed (upstream's
/// `test_getsockopt_memset` depends on that), and the value's length
/// returned as the new `optvallen`.
pub fn write_value(out: &mut [u8], value: &[u8]) -> Result<usize> {
    if out.len() < value.len() {
        return Err(Error::EINVAL);
    }
    let (head, tail) = out.split_at_mut(value.len());
    head.copy_from_slice(value);
    tail.fill(0);
    Ok(value.len())
}

/// An `int` written with [`write_value`]'s rules: any buffer of at least
/// `sizeof (int)` bytes. For the values the socket answers itself
/// (`ZMQ_RCVMORE`, `ZMQ_EVENTS`, `ZMQ_FD`, `ZMQ_THREAD_SAFE`) and the
/// patterns' `ZMQ_TOPICS_COUNT`.
pub fn write_int_value(out: &mut [u8], v: i32) -> Result<usize> {
    write_value(out, &v.to_ne_bytes())
}

/// A string written as libzmq writes a `std::string`: its bytes and a
/// terminating NUL, with [`write_value`]'s rules; the returned length counts
/// the NUL.
pub fn write_string(out: &mut [u8], s: &[u8]) -> Result<usize> {
    if out.len() < s.len() + 1 {
        return Err(Error::EINVAL);
    }
    out[..s.len()].copy_from_slice(s);
    out[s.len()..].fill(0);
    Ok(s.len() + 1)
}

/// The bytes a C string made from `value` holds: everything before the first
/// NUL. libzmq often copies an option into a `std::string` and then parses
/// its `c_str ()`, which silently truncates there.
pub fn c_str(value: &[u8]) -> &[u8] {
    value.split(|&b| b == 0).next().unwrap_or(value)
}

const Z85_ALPHABET: &[u8; 85] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

// TODO(util): swap for `crate::util::z85` once that module lands; this is a
// private copy so the options can ship on their own.
fn z85_digit(c: u8) -> Option<u32> {
    Z85_ALPHABET.iter().position(|&a| a == c).map(|i| i as u32)
}

/// Decodes Z85 text into `dest` exactly as `zmq_z85_decode` does, including
/// its side effects: the text's length must be a nonzero multiple of 5, and
/// each complete group is written as soon as it is decoded, so a failure
/// part-way leaves the earlier bytes of `dest` overwritten. `dest` must hold
/// `text.len() * 4 / 5` bytes; `false` means invalid text.
pub(crate) fn z85_decode_into(dest: &mut [u8], text: &[u8]) -> bool {
    if text.len() < 5 || !text.len().is_multiple_of(5) || dest.len() < text.len() / 5 * 4 {
        return false;
    }
    for (group, out) in text.chunks_exact(5).zip(dest.chunks_exact_mut(4)) {
        let mut value: u32 = 0;
        for &c in group {
            let next = value
                .checked_mul(85)
                .zip(z85_digit(c))
                .and_then(|(v, d)| v.checked_add(d));
            match next {
                Some(v) => value = v,
                None => return false,
            }
        }
        out.copy_from_slice(&value.to_be_bytes());
    }
    true
}

/// Encodes bytes (a multiple of 4 long) as Z85 text.
pub(crate) fn z85_encode(data: &[u8]) -> Vec<u8> {
    let mut text = Vec::with_capacity(data.len() / 4 * 5);
    for chunk in data.chunks_exact(4) {
        let mut value = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        let mut group = [0u8; 5];
        for slot in group.iter_mut().rev() {
            *slot = Z85_ALPHABET[(value % 85) as usize];
            value /= 85;
        }
        text.extend_from_slice(&group);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_value_needs_exactly_sizeof_int() {
        assert_eq!(int_value(&7i32.to_ne_bytes()), Ok(7));
        assert_eq!(int_value(&[0; 3]), Err(Error::EINVAL));
        assert_eq!(int_value(&[0; 8]), Err(Error::EINVAL));
        assert_eq!(int_value(&[]), Err(Error::EINVAL));
        assert_eq!(
            int_unchecked(&[1, 0, 0, 0, 9]),
            i32::from_ne_bytes([1, 0, 0, 0])
        );
        assert_eq!(int_unchecked(&[1, 2]), i32::from_ne_bytes([1, 2, 0, 0]));
        assert_eq!(int_unchecked(&[]), 0);
        assert_eq!(i64_value(&(-5i64).to_ne_bytes()), Ok(-5));
        assert_eq!(i64_value(&[0; 4]), Err(Error::EINVAL));
        assert_eq!(u64_value(&[0; 4]), Err(Error::EINVAL));
    }

    #[test]
    fn boolean_flavours_differ_on_other_values() {
        let two = 2i32.to_ne_bytes();
        let minus = (-1i32).to_ne_bytes();
        assert_eq!(bool_strict(&1i32.to_ne_bytes()), Ok(true));
        assert_eq!(bool_strict(&two), Err(Error::EINVAL));
        assert_eq!(bool_relaxed(&two), Ok(true));
        assert_eq!(bool_relaxed(&minus), Ok(true));
        assert_eq!(nonneg_flag(&two), Ok(true));
        assert_eq!(nonneg_flag(&0i32.to_ne_bytes()), Ok(false));
        assert_eq!(nonneg_flag(&minus), Err(Error::EINVAL));
    }

    #[test]
    fn exact_writers_reject_other_sizes() {
        let mut buf = [0u8; 8];
        assert_eq!(write_int(&mut buf, 1), Err(Error::EINVAL));
        assert_eq!(write_int(&mut buf[..4], 9), Ok(4));
        assert_eq!(i32::from_ne_bytes(buf[..4].try_into().unwrap()), 9);
        assert_eq!(write_i64(&mut buf, -2), Ok(8));
        assert_eq!(write_u64(&mut buf[..4], 2), Err(Error::EINVAL));
    }

    #[test]
    fn value_writer_zeroes_the_rest_and_reports_length() {
        let mut buf = [0xffu8; 8];
        assert_eq!(write_int_value(&mut buf, 0), Ok(4));
        assert_eq!(buf, [0; 8]);
        assert_eq!(write_int_value(&mut buf[..3], 0), Err(Error::EINVAL));
        let mut buf = [0xffu8; 6];
        assert_eq!(write_string(&mut buf, b"abc"), Ok(4));
        assert_eq!(&buf, b"abc\0\0\0");
        assert_eq!(write_string(&mut buf[..3], b"abc"), Err(Error::EINVAL));
        assert_eq!(write_value(&mut buf[..0], b""), Ok(0));
    }

    #[test]
    fn c_str_stops_at_first_nul() {
        assert_eq!(c_str(b"ab\0cd"), b"ab");
        assert_eq!(c_str(b"abc"), b"abc");
        assert_eq!(c_str(b""), b"");
    }

    #[test]
    fn z85_round_trips_the_rfc32_test_vector() {
        let data = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];
        assert_eq!(z85_encode(&data), b"HelloWorld");
        let mut out = [0u8; 8];
        assert!(z85_decode_into(&mut out, b"HelloWorld"));
        assert_eq!(out, data);
    }

    #[test]
    fn z85_decode_rejects_bad_text_like_libzmq() {
        let mut out = [0u8; 8];
        assert!(!z85_decode_into(&mut out, b"Hell"));
        assert!(!z85_decode_into(&mut out, b""));
        assert!(!z85_decode_into(&mut out, b"Hello Worl"));
        // "%nSc0" is 0xFFFFFFFF, the largest group; "%nSc1" overflows.
        assert!(z85_decode_into(&mut out, b"%nSc0"));
        assert_eq!(out[..4], [0xff; 4]);
        assert!(!z85_decode_into(&mut out, b"%nSc1"));
        // The first group is written before the second one fails.
        let mut out = [0u8; 8];
        assert!(!z85_decode_into(&mut out, b"Hello~orld"));
        assert_eq!(out[..4], [0x86, 0x4F, 0xD2, 0x6F]);
    }
}
