//! Z85 (ZeroMQ RFC 32): four bytes as five printable characters.
//!
//! The rules are libzmq 4.3.5's: binary input must be a multiple of 4 bytes,
//! text a multiple of 5 characters and at least 5 long (so the empty string
//! does not decode); a character outside the alphabet or a group worth more
//! than `0xffff_ffff` is `EINVAL`.

use crate::{Error, Result};

/// Base-85 digit to character.
const ALPHABET: &[u8; 85] = b"0123456789\
abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/// Character to base-85 digit, `INVALID` outside the alphabet.
const DIGITS: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};
const INVALID: u8 = 0xff;

/// The text length for `n` bytes, or `None` if `n` is not a multiple of 4
/// (or the text would not fit in memory).
pub fn encoded_len(n: usize) -> Option<usize> {
    if n.is_multiple_of(4) {
        (n / 4).checked_mul(5)
    } else {
        None
    }
}

/// The byte length for `n` characters, or `None` if libzmq would refuse a
/// string of that length.
pub fn decoded_len(n: usize) -> Option<usize> {
    (n >= 5 && n.is_multiple_of(5)).then_some(n / 5 * 4)
}

/// Encode `data` into the first `encoded_len(data.len())` bytes of `out`.
///
/// `EINVAL` if `data.len()` is not a multiple of 4 or `out` is too short.
pub fn encode_into(data: &[u8], out: &mut [u8]) -> Result<()> {
    let len = encoded_len(data.len()).ok_or(Error::EINVAL)?;
    let out = out.get_mut(..len).ok_or(Error::EINVAL)?;
    for (quad, chars) in data.chunks_exact(4).zip(out.chunks_exact_mut(5)) {
        let mut value = u32::from_be_bytes([quad[0], quad[1], quad[2], quad[3]]);
        for c in chars.iter_mut().rev() {
            *c = ALPHABET[(value % 85) as usize];
            value /= 85;
        }
    }
    Ok(())
}

/// `data` as Z85 text; `EINVAL` if its length is not a multiple of 4.
#[cfg(any(test, feature = "fuzzing"))]
pub fn encode(data: &[u8]) -> Result<String> {
    let mut out = vec![0; encoded_len(data.len()).ok_or(Error::EINVAL)?];
    encode_into(data, &mut out)?;
    // The alphabet is ASCII.
    Ok(out.into_iter().map(char::from).collect())
}

/// Decode `text` into the first `decoded_len(text.len())` bytes of `out`.
///
/// `EINVAL` for a length libzmq refuses, a character outside the alphabet,
/// a group above `0xffff_ffff`, or a too short `out`. Like libzmq, groups
/// before a bad one have already been written to `out`.
pub fn decode_into(text: &[u8], out: &mut [u8]) -> Result<()> {
    let len = decoded_len(text.len()).ok_or(Error::EINVAL)?;
    let out = out.get_mut(..len).ok_or(Error::EINVAL)?;
    for (chars, quad) in text.chunks_exact(5).zip(out.chunks_exact_mut(4)) {
        let mut value: u32 = 0;
        for &c in chars {
            let digit = DIGITS[c as usize];
            if digit == INVALID {
                return Err(Error::EINVAL);
            }
            value = value
                .checked_mul(85)
                .and_then(|v| v.checked_add(u32::from(digit)))
                .ok_or(Error::EINVAL)?;
        }
        quad.copy_from_slice(&value.to_be_bytes());
    }
    Ok(())
}

/// The bytes `text` encodes; `EINVAL` as for [`decode_into`].
#[cfg(any(test, feature = "fuzzing"))]
pub fn decode(text: &[u8]) -> Result<Vec<u8>> {
    let mut out = vec![0; decoded_len(text.len()).ok_or(Error::EINVAL)?];
    decode_into(text, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_BYTES: [u8; 8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];

    #[test]
    fn rfc32_test_vector_encodes_as_hello_world() {
        assert_eq!(encode(&RFC_BYTES).unwrap(), "HelloWorld");
        assert_eq!(decode(b"HelloWorld").unwrap(), RFC_BYTES);
    }

    #[test]
    fn every_alphabet_character_round_trips_its_digit() {
        for (digit, &c) in ALPHABET.iter().enumerate() {
            assert_eq!(DIGITS[c as usize] as usize, digit);
        }
        assert_eq!(DIGITS.iter().filter(|&&d| d != INVALID).count(), 85);
    }

    #[test]
    fn arbitrary_bytes_round_trip() {
        let data: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        let text = encode(&data).unwrap();
        assert_eq!(text.len(), data.len() * 5 / 4);
        assert_eq!(decode(text.as_bytes()).unwrap(), data);
    }

    #[test]
    fn extreme_groups_encode_as_first_and_last_digits() {
        assert_eq!(encode(&[0; 4]).unwrap(), "00000");
        assert_eq!(encode(&[0xff; 4]).unwrap(), "%nSc0");
        assert_eq!(decode(b"%nSc0").unwrap(), [0xff; 4]);
    }

    #[test]
    fn empty_input_encodes_to_empty_text() {
        assert_eq!(encode(&[]).unwrap(), "");
    }

    #[test]
    fn encode_rejects_length_not_multiple_of_four() {
        for n in [1, 2, 3, 5, 33] {
            assert_eq!(encode(&vec![0; n]), Err(Error::EINVAL), "{n} bytes");
        }
    }

    #[test]
    fn decode_rejects_length_not_multiple_of_five_or_empty() {
        for s in ["", "0", "0000", "000000", "HelloWorl"] {
            assert_eq!(decode(s.as_bytes()), Err(Error::EINVAL), "{s:?}");
        }
    }

    #[test]
    fn decode_rejects_characters_outside_the_alphabet() {
        for s in [
            "Hello Worl",
            "\"0000",
            "0000~",
            "0000,",
            "0000\u{7f}",
            "0000;",
            "0000_",
            "`0000",
        ] {
            assert_eq!(decode(s.as_bytes()), Err(Error::EINVAL), "{s:?}");
        }
        assert_eq!(decode(&[b'0', b'0', b'0', b'0', 0x80]), Err(Error::EINVAL));
        assert_eq!(decode(&[b'0', b'0', b'0', b'0', 0x1f]), Err(Error::EINVAL));
    }

    #[test]
    fn decode_rejects_groups_above_u32_max() {
        // "%nSc0" is 0xffffffff; the next value up overflows.
        assert_eq!(decode(b"%nSc1"), Err(Error::EINVAL));
        assert_eq!(decode(b"#####"), Err(Error::EINVAL));
    }

    #[test]
    fn decode_into_writes_groups_before_a_bad_one_like_libzmq() {
        let mut out = [0xaa; 8];
        assert_eq!(decode_into(b"00000####}", &mut out), Err(Error::EINVAL));
        assert_eq!(out, [0, 0, 0, 0, 0xaa, 0xaa, 0xaa, 0xaa]);
    }

    #[test]
    fn encoded_length_of_huge_input_does_not_overflow() {
        assert_eq!(encoded_len(usize::MAX - 3), None);
        assert_eq!(encoded_len(8), Some(10));
    }

    #[test]
    fn short_output_buffers_are_einval() {
        assert_eq!(encode_into(&[0; 4], &mut [0; 4]), Err(Error::EINVAL));
        assert_eq!(decode_into(b"00000", &mut [0; 3]), Err(Error::EINVAL));
    }
}
