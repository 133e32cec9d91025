//! The libsodium calls CURVE needs, and nothing else: the only `unsafe`
//! of the mechanism. Each wrapper is safe for every input: lengths are
//! fixed by the types or checked before the call. libsodium is the
//! library the reference libzmq uses for CURVE (`ZMQ_USE_LIBSODIUM`).
//!
//! Boxes are NaCl's wire layout, 16-byte tag then ciphertext, made by the
//! `_detached` calls with the ciphertext written over the plaintext (and
//! back): libsodium allows the output to be the input exactly.

use std::os::raw::{c_int, c_uchar, c_ulonglong};
use std::sync::Once;

use zeroize::Zeroize;

/// Bytes in a key (public, secret, precomputed or secretbox).
pub const KEY_LEN: usize = 32;
/// Bytes in a nonce.
pub const NONCE_LEN: usize = 24;
/// Bytes in a Poly1305 tag.
pub const TAG_LEN: usize = 16;

#[link(name = "sodium")]
extern "C" {
    fn sodium_init() -> c_int;
    fn crypto_scalarmult_base(q: *mut c_uchar, n: *const c_uchar) -> c_int;
    fn crypto_box_beforenm(k: *mut c_uchar, pk: *const c_uchar, sk: *const c_uchar) -> c_int;
    fn crypto_box_detached_afternm(
        c: *mut c_uchar,
        mac: *mut c_uchar,
        m: *const c_uchar,
        mlen: c_ulonglong,
        n: *const c_uchar,
        k: *const c_uchar,
    ) -> c_int;
    fn crypto_box_open_detached_afternm(
        m: *mut c_uchar,
        c: *const c_uchar,
        mac: *const c_uchar,
        clen: c_ulonglong,
        n: *const c_uchar,
        k: *const c_uchar,
    ) -> c_int;
    fn crypto_secretbox_detached(
        c: *mut c_uchar,
        mac: *mut c_uchar,
        m: *const c_uchar,
        mlen: c_ulonglong,
        n: *const c_uchar,
        k: *const c_uchar,
    ) -> c_int;
    fn crypto_secretbox_open_detached(
        m: *mut c_uchar,
        c: *const c_uchar,
        mac: *const c_uchar,
        clen: c_ulonglong,
        n: *const c_uchar,
        k: *const c_uchar,
    ) -> c_int;
}

/// `sodium_init` once per process, before any other call (it picks the
/// CPU-specific implementations). Failure leaves libsodium unusable:
/// abort, as libzmq's assertion does.
fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        // SAFETY: no arguments; libsodium allows any number of calls (0,
        // or 1 when already initialised), and `Once` makes it one here.
        if unsafe { sodium_init() } < 0 {
            crate::error::fatal("sodium_init failed; CURVE cannot run");
        }
    });
}

/// A precomputed box key (`crypto_box_beforenm`): X25519 of the two keys,
/// then HSalsa20. Wiped when dropped.
pub struct BoxKey([u8; KEY_LEN]);

impl Drop for BoxKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for BoxKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BoxKey(..)")
    }
}

impl BoxKey {
    /// The key between `their` public key and `our` secret key; `None`
    /// where libsodium refuses, for a public key of small order (X25519
    /// would give a key anyone can compute).
    pub fn precompute(their: &[u8; KEY_LEN], our: &[u8; KEY_LEN]) -> Option<BoxKey> {
        init();
        let mut k = BoxKey([0; KEY_LEN]);
        // SAFETY: all three pointers are to 32-byte arrays, the sizes
        // libsodium reads and writes; `k` is ours to write.
        let rc = unsafe { crypto_box_beforenm(k.0.as_mut_ptr(), their.as_ptr(), our.as_ptr()) };
        (rc == 0).then_some(k)
    }

    /// Boxes `body` in place and writes its tag.
    pub fn seal(&self, nonce: &[u8; NONCE_LEN], body: &mut [u8], tag: &mut [u8; TAG_LEN]) {
        init();
        let p = body.as_mut_ptr();
        // SAFETY: `body` is valid for `body.len()` bytes, read and then
        // written in place (libsodium allows c == m); the tag, nonce and key
        // have the sizes libsodium uses. The length fits an unsigned long
        // long. It fails only for lengths beyond 2^64 - 16.
        unsafe {
            crypto_box_detached_afternm(
                p,
                tag.as_mut_ptr(),
                p,
                body.len() as c_ulonglong,
                nonce.as_ptr(),
                self.0.as_ptr(),
            )
        };
    }

    /// Opens `body` in place against `tag`: false (and `body` unchanged)
    /// if the tag does not match.
    #[must_use]
    pub fn open(&self, nonce: &[u8; NONCE_LEN], body: &mut [u8], tag: &[u8; TAG_LEN]) -> bool {
        init();
        let p = body.as_mut_ptr();
        // SAFETY: as in `seal`; libsodium checks the tag before it
        // writes anything.
        unsafe {
            crypto_box_open_detached_afternm(
                p,
                p,
                tag.as_ptr(),
                body.len() as c_ulonglong,
                nonce.as_ptr(),
                self.0.as_ptr(),
            ) == 0
        }
    }
}

/// `crypto_secretbox` (XSalsa20-Poly1305 under `key`) of `body` in place,
/// its tag written to `tag`: the CURVE cookie.
pub fn secretbox_seal(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    body: &mut [u8],
    tag: &mut [u8; TAG_LEN],
) {
    init();
    let p = body.as_mut_ptr();
    // SAFETY: as in `BoxKey::seal`.
    unsafe {
        crypto_secretbox_detached(
            p,
            tag.as_mut_ptr(),
            p,
            body.len() as c_ulonglong,
            nonce.as_ptr(),
            key.as_ptr(),
        )
    };
}

/// Opens a [`secretbox_seal`] box in place: false if the tag is wrong.
#[must_use]
pub fn secretbox_open(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    body: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> bool {
    init();
    let p = body.as_mut_ptr();
    // SAFETY: as in `BoxKey::open`.
    unsafe {
        crypto_secretbox_open_detached(
            p,
            p,
            tag.as_ptr(),
            body.len() as c_ulonglong,
            nonce.as_ptr(),
            key.as_ptr(),
        ) == 0
    }
}

/// The X25519 public key of `secret` (`crypto_scalarmult_base`).
pub fn public_key(secret: &[u8; KEY_LEN]) -> [u8; KEY_LEN] {
    init();
    let mut pk = [0u8; KEY_LEN];
    // SAFETY: two 32-byte arrays, the sizes libsodium writes and reads.
    // Its result is 0 for every scalar (it is clamped, so never zero mod
    // the group order); libzmq ignores it too.
    unsafe { crypto_scalarmult_base(pk.as_mut_ptr(), secret.as_ptr()) };
    pk
}
