//! CURVE keys: key pairs from OS randomness, the public key of a secret
//! key, and their Z85 forms for `zmq_curve_keypair`/`zmq_curve_public`.

use std::mem::ManuallyDrop;

use crypto_box::{PublicKey, SalsaBox, SecretKey};
use zeroize::Zeroizing;

use crate::util::z85;
use crate::{Error, Result};

/// Bytes in a CURVE key, public or secret.
pub const KEY_LEN: usize = 32;
/// Z85 characters in a key, without the NUL.
pub const Z85_KEY_LEN: usize = 40;

/// A secret key's bytes, wiped when dropped and never printed.
#[derive(Clone, Default)]
pub struct SecretBytes(Zeroizing<[u8; KEY_LEN]>);

impl SecretBytes {
    pub fn new(bytes: [u8; KEY_LEN]) -> SecretBytes {
        let mut b = Zeroizing::new([0; KEY_LEN]);
        *b = bytes;
        SecretBytes(b)
    }

    /// Fresh random bytes from the OS.
    pub fn random() -> SecretBytes {
        let mut b = SecretBytes::default();
        fill_random(&mut b.0[..]);
        b
    }

    pub fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl std::fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBytes(..)")
    }
}

/// Fills `buf` from the OS (libzmq's `randombytes`). A system that cannot
/// give randomness cannot run CURVE: abort, as libzmq's assertion does.
pub fn fill_random(buf: &mut [u8]) {
    if let Err(e) = getrandom::getrandom(buf) {
        eprintln!("libzmq-rs: no OS randomness for CURVE: {e}");
        std::process::abort();
    }
}

/// Runs `f` with the `crypto_box` secret key for `secret`, then wipes the
/// key. (crypto_box 0.9's `SecretKey` wipes its scalar on drop but not its
/// copy of the bytes, so we wipe the whole value ourselves.)
fn with_secret_key<T>(secret: &[u8; KEY_LEN], f: impl FnOnce(&SecretKey) -> T) -> T {
    let mut sk = ManuallyDrop::new(SecretKey::from_bytes(*secret));
    let out = f(&sk);
    // SAFETY: `SecretKey` is two 32-byte arrays (bytes and scalar): no
    // pointers, no fields with a `Drop`, all zeros valid. It is not used
    // again, and `ManuallyDrop` keeps its own `Drop` (which would only
    // wipe the scalar again) from running.
    unsafe { zeroize::zeroize_flat_type(&mut *sk as *mut SecretKey) };
    out
}

/// The public key of `secret` (X25519 of the base point, as libsodium's
/// `crypto_scalarmult_base`).
pub fn public_key(secret: &[u8; KEY_LEN]) -> [u8; KEY_LEN] {
    with_secret_key(secret, |sk| sk.public_key().to_bytes())
}

/// A new random key pair: (public, secret).
pub fn keypair() -> ([u8; KEY_LEN], SecretBytes) {
    let secret = SecretBytes::random();
    (public_key(secret.bytes()), secret)
}

/// libsodium's list of X25519 points of small order (and their
/// non-canonical encodings), compared with the top bit cleared. X25519 of
/// such a point with any clamped scalar is zero, so libsodium refuses to
/// make a box with one; `crypto_box` would accept it and derive a key
/// anyone can compute.
const SMALL_ORDER: [[u8; KEY_LEN]; 7] = {
    let mut t = [[0u8; KEY_LEN]; 7];
    // 0 (order 4) stays all zeros.
    t[1][0] = 1; // 1 (order 1)
    t[2] = [
        0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4,
        0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49,
        0xb8, 0x00,
    ];
    t[3] = [
        0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83, 0xef,
        0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f,
        0x11, 0x57,
    ];
    // p - 1 (order 2), p (= 0), p + 1 (= 1).
    let mut i = 4;
    while i < 7 {
        let mut j = 1;
        while j < 31 {
            t[i][j] = 0xff;
            j += 1;
        }
        t[i][0] = 0xec + (i as u8 - 4);
        t[i][31] = 0x7f;
        i += 1;
    }
    t
};

/// Whether `pk` is a point of small order, which libsodium refuses.
pub fn is_small_order(pk: &[u8; KEY_LEN]) -> bool {
    let mut key = *pk;
    key[31] &= 0x7f;
    SMALL_ORDER.contains(&key)
}

/// The precomputed box between `their` public key and `our` secret key
/// (libsodium's `crypto_box_beforenm`: X25519 once, then HSalsa20); `None`
/// where libsodium fails, for a public key of small order.
pub fn precompute(their: &[u8; KEY_LEN], our: &[u8; KEY_LEN]) -> Option<SalsaBox> {
    if is_small_order(their) {
        return None;
    }
    let pk = PublicKey::from_bytes(*their);
    Some(with_secret_key(our, |sk| SalsaBox::new(&pk, sk)))
}

/// A new key pair as two Z85 strings with their NULs, 41 bytes each
/// (`zmq_curve_keypair`).
pub fn keypair_z85(public: &mut [u8; Z85_KEY_LEN + 1], secret: &mut [u8; Z85_KEY_LEN + 1]) {
    let (pk, sk) = keypair();
    encode_key(&pk, public);
    encode_key(sk.bytes(), secret);
}

/// The Z85 public key (41 bytes with the NUL) of a Z85 secret key
/// (`zmq_curve_public`). `EINVAL` unless `secret_z85` is 40 valid Z85
/// characters (libzmq decodes any multiple of 5 into its 32-byte buffer,
/// overflowing it for longer text; we refuse other lengths).
pub fn public_z85(secret_z85: &[u8], public: &mut [u8; Z85_KEY_LEN + 1]) -> Result<()> {
    if secret_z85.len() != Z85_KEY_LEN {
        return Err(Error::EINVAL);
    }
    let mut sk = SecretBytes::default();
    z85::decode_into(secret_z85, &mut sk.0[..])?;
    encode_key(&public_key(sk.bytes()), public);
    Ok(())
}

fn encode_key(key: &[u8; KEY_LEN], out: &mut [u8; Z85_KEY_LEN + 1]) {
    // A 32-byte key always encodes to 40 characters.
    let _ = z85::encode_into(key, &mut out[..Z85_KEY_LEN]);
    out[Z85_KEY_LEN] = 0;
}

/// The small-order list, for tests against libsodium.
#[cfg(test)]
pub(crate) fn tests_small_order() -> [[u8; KEY_LEN]; 7] {
    SMALL_ORDER
}
