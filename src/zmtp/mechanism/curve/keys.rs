//! CURVE keys: key pairs from OS randomness, the public key of a secret
//! key, and their Z85 forms for `zmq_curve_keypair`/`zmq_curve_public`.

use zeroize::Zeroizing;

use super::sodium::{self, BoxKey};

use crate::util::z85;
use crate::{Error, Result};

/// Bytes in a CURVE key, public or secret.
pub const KEY_LEN: usize = sodium::KEY_LEN;
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
        crate::error::fatal(&format!("no OS randomness for CURVE: {e}"));
    }
}

/// The public key of `secret` (libsodium's `crypto_scalarmult_base`).
pub fn public_key(secret: &[u8; KEY_LEN]) -> [u8; KEY_LEN] {
    sodium::public_key(secret)
}

/// A new random key pair: (public, secret).
pub fn keypair() -> ([u8; KEY_LEN], SecretBytes) {
    let secret = SecretBytes::random();
    (public_key(secret.bytes()), secret)
}

/// The precomputed box between `their` public key and `our` secret key
/// (libsodium's `crypto_box_beforenm`: X25519 once, then HSalsa20); `None`
/// where libsodium fails, for a public key of small order.
pub fn precompute(their: &[u8; KEY_LEN], our: &[u8; KEY_LEN]) -> Option<BoxKey> {
    BoxKey::precompute(their, our)
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
