//! Known answers from libsodium 1.0.18 (`tools/curve-kat.c` prints them)
//! and the MESSAGE codec on its own.

use super::keys::{self, KEY_LEN};
use super::*;
use crate::zmtp::mechanism::Events;
use crate::zmtp::Event;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn key(s: &str) -> [u8; KEY_LEN] {
    unhex(s).try_into().unwrap()
}

/// The secret keys of the C program: 1..=32 and 0xa0..=0xbf.
fn secrets() -> ([u8; 32], [u8; 32]) {
    let a = std::array::from_fn(|i| i as u8 + 1);
    let b = std::array::from_fn(|i| 0xa0 + i as u8);
    (a, b)
}

const PKA: &str = "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c";
const PKB: &str = "605a725d2a4adfeeb1a29e17edd621c1b7593ee8cdbc44ac6c4ab6e2f805d23c";

#[test]
fn public_keys_match_libsodium_scalarmult_base() {
    let (a, b) = secrets();
    assert_eq!(keys::public_key(&a), key(PKA));
    assert_eq!(keys::public_key(&b), key(PKB));
}

#[test]
fn boxes_match_libsodium_crypto_box() {
    let (a, b) = secrets();
    // crypto_box_easy(64 zeros, "CurveZMQHELLO---" + nonce 1, B, a).
    let bx = keys::precompute(&key(PKB), &a).unwrap();
    let hello = sealed(&bx, &nonce(HELLO_NONCE, &1u64.to_be_bytes()), &[0; 64]);
    assert_eq!(
        hello,
        unhex(
            "4f25a0c99753a1f97d8b0c8d95f459db359860be4dfb2b1ef138805c9fb033b1\
             0d393b0cf997369ab45981e9748625c8cf83109fe3b8720727b74ef7d9462e10\
             e6ae87c8de3f6d0eb766719ba4d0e4d9"
        )
    );
    // The other side opens it with (A, b): same shared key.
    let other = keys::precompute(&key(PKA), &b).unwrap();
    let plain = open(&other, &nonce(HELLO_NONCE, &1u64.to_be_bytes()), &hello).unwrap();
    assert_eq!(&plain[..], &[0; 64]);
}

#[test]
fn message_command_matches_libsodium_afternm() {
    let (a, b) = secrets();
    let mut client = Codec::new(keys::precompute(&key(PKB), &a).unwrap(), true, 3, 1, false);
    let mut m = Msg::from_slice(b"hello");
    m.set_more(true);
    let wire = client.encode(&m).unwrap();
    let mut want = b"\x07MESSAGE\0\0\0\0\0\0\0\x03".to_vec();
    want.extend(unhex("e1a445d84eb792cb2e3c636be6dd89e26557a306b9ac"));
    assert_eq!(wire.data(), &want[..]);
    assert_eq!(wire.flags(), 0, "the frame itself has no flags");
    let mut server = Codec::new(keys::precompute(&key(PKA), &b).unwrap(), false, 1, 2, false);
    let back = server.decode(wire, &mut Events::new()).unwrap();
    assert_eq!(back.data(), b"hello");
    assert!(back.has_more() && !back.is_command());
}

#[test]
fn cookie_matches_libsodium_secretbox() {
    let key = [0x42; 32];
    let n = nonce(COOKIE_NONCE, &[7; 16]);
    let mut buf = [0u8; 80];
    for (i, b) in buf[16..].iter_mut().enumerate() {
        *b = i as u8;
    }
    let (tag, body) = buf.split_at_mut(16);
    let mut t = [0u8; 16];
    sodium::secretbox_seal(&key, &n, body, &mut t);
    tag.copy_from_slice(&t);
    assert_eq!(
        buf.to_vec(),
        unhex(
            "fb27cadf7c68e4a4817f4ac703abcfd610c7e9ca66b605c1a8034da9dba04fbf\
             fa742a1bca429b398b335d08b091b06ecb1f331ac73b52b6a409afd55215af66\
             728c6891ce5cc0b38fe45b221fa80cec"
        )
    );
    // And back; a flipped bit fails and leaves the box as it was.
    let mut body = buf[16..].to_vec();
    let mut bad = body.clone();
    bad[3] ^= 1;
    let copy = bad.clone();
    assert!(!sodium::secretbox_open(&key, &n, &mut bad, &t));
    assert_eq!(bad, copy);
    assert!(sodium::secretbox_open(&key, &n, &mut body, &t));
    assert!(body.iter().enumerate().all(|(i, &b)| b == i as u8));
}

/// libsodium's list of X25519 points of small order (and their
/// non-canonical encodings, p - 1, p and p + 1), as its
/// `has_small_order` compares them, top bit cleared. X25519 of such a
/// point with any clamped scalar is zero.
fn small_order_points() -> [[u8; KEY_LEN]; 7] {
    let mut t = [[0u8; KEY_LEN]; 7];
    // 0 (order 4) stays all zeros.
    t[1][0] = 1; // 1 (order 1)
    t[2] = key("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
    t[3] = key("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157");
    for (i, p) in t[4..].iter_mut().enumerate() {
        *p = [0xff; KEY_LEN];
        p[0] = 0xec + i as u8;
        p[31] = 0x7f;
    }
    t
}

#[test]
fn small_order_keys_are_refused_as_libsodium_does() {
    let (a, _) = secrets();
    let mut refused = 0;
    // libsodium's crypto_box_beforenm decides: no list of ours.
    for mut k in small_order_points() {
        for high in [false, true] {
            if high {
                k[31] |= 0x80;
            }
            assert!(keys::precompute(&k, &a).is_none(), "{k:02x?}");
            refused += 1;
        }
    }
    assert_eq!(refused, 14);
    assert!(keys::precompute(&key(PKB), &a).is_some());
    assert!(keys::precompute(&key(PKA), &a).is_some());
    // A near miss (one bit off 1) is a valid key.
    let mut near = [0u8; KEY_LEN];
    near[0] = 3;
    assert!(keys::precompute(&near, &a).is_some());
}

#[test]
fn keypair_z85_round_trips_through_public_z85() {
    let (mut public, mut secret) = ([0u8; 41], [0u8; 41]);
    keys::keypair_z85(&mut public, &mut secret);
    assert_eq!((public[40], secret[40]), (0, 0));
    let mut derived = [0xffu8; 41];
    keys::public_z85(&secret[..40], &mut derived).unwrap();
    assert_eq!(derived, public);
    let (mut p2, mut s2) = ([0u8; 41], [0u8; 41]);
    keys::keypair_z85(&mut p2, &mut s2);
    assert_ne!(s2, secret, "fresh randomness each time");
    // libzmq's own test vector (test_security_curve's zmq_curve_public).
    let mut out = [0u8; 41];
    keys::public_z85(b"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs", &mut out).unwrap();
    assert_eq!(&out[..40], b"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
    for bad in [
        &b""[..],
        b"abcde",
        &[b'x'; 45],
        b"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%c\"",
    ] {
        assert!(keys::public_z85(bad, &mut out).is_err(), "{bad:?}");
    }
}

fn pair() -> (Codec, Codec) {
    let (a, b) = secrets();
    let c = Codec::new(keys::precompute(&key(PKB), &a).unwrap(), true, 3, 1, false);
    let s = Codec::new(keys::precompute(&key(PKA), &b).unwrap(), false, 1, 2, false);
    (c, s)
}

fn failure(r: Result<Msg>, events: &mut Events) -> i32 {
    assert!(r.is_err());
    match events.pop_front() {
        Some(Event::HandshakeFailedProtocol(code)) => code,
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn codec_round_trips_sizes_flags_and_subscriptions() {
    let (mut c, mut s) = pair();
    let mut ev = Events::new();
    for size in [0usize, 1, 16, 17, 32, 33, 100, 1024, 70_000] {
        let body: Vec<u8> = (0..size).map(|i| i as u8).collect();
        let wire = c.encode(&Msg::from_slice(&body)).unwrap();
        assert_eq!(wire.size(), 33 + size);
        let back = s.decode(wire, &mut ev).unwrap();
        assert_eq!(back.data(), &body[..]);
        assert_eq!(back.flags(), 0);
    }
    let mut sub = Msg::from_slice(b"topic");
    sub.set_flags(flags::SUBSCRIBE);
    let back = s.decode(c.encode(&sub).unwrap(), &mut ev).unwrap();
    assert!(back.is_command());
    assert_eq!(back.data(), b"\x09SUBSCRIBEtopic");
    // ZMTP 3.0 peers get the old form.
    c.downgrade_sub = true;
    let mut cancel = Msg::from_slice(b"t");
    cancel.set_flags(flags::CANCEL);
    let back = s.decode(c.encode(&cancel).unwrap(), &mut ev).unwrap();
    assert!(!back.is_command());
    assert_eq!(back.data(), b"\x00t");
    assert!(ev.is_empty());
}

#[test]
fn a_message_too_large_to_box_is_enomem_not_an_abort() {
    let (mut c, _s) = pair();
    let byte = [7u8];
    // SAFETY: a constant message that claims 2^62 bytes at `byte`; the
    // codec must fail to allocate the box (beyond the address space)
    // before it reads the body, so no byte past `byte` is touched.
    let huge = unsafe {
        Msg::from_raw_parts(
            byte.as_ptr() as *mut u8,
            1 << 62,
            None,
            std::ptr::null_mut(),
        )
    }
    .unwrap();
    assert_eq!(c.encode(&huge).unwrap_err(), crate::Error::ENOMEM);
    // The codec goes on with the next message.
    assert_eq!(c.encode(&Msg::from_slice(b"x")).unwrap().size(), 34);
}

#[test]
fn codec_failures_give_libzmqs_codes() {
    let (mut c, mut s) = pair();
    let mut ev = Events::new();
    let good = c.encode(&Msg::from_slice(b"x")).unwrap();
    let mut replay = Msg::from_slice(good.data());
    s.decode(good, &mut ev).unwrap();
    // The same nonce again, and a lower one.
    assert_eq!(
        failure(s.decode(replay.share(), &mut ev), &mut ev),
        ZMTP_INVALID_SEQUENCE
    );
    // A flipped bit in the box.
    let mut bad = c.encode(&Msg::from_slice(b"abc")).unwrap();
    bad.data_mut()[20] ^= 1;
    assert_eq!(failure(s.decode(bad, &mut ev), &mut ev), ZMTP_CRYPTOGRAPHIC);
    // Too short: name and nonce and a tag but no flags byte.
    let short = Msg::from_slice(b"\x07MESSAGE\0\0\0\0\0\0\0\x09................");
    assert_eq!(
        failure(s.decode(short, &mut ev), &mut ev),
        ZMTP_MALFORMED_COMMAND_MESSAGE
    );
    let other = Msg::from_slice(b"\x04PING\0\0");
    assert_eq!(
        failure(s.decode(other, &mut ev), &mut ev),
        ZMTP_UNEXPECTED_COMMAND
    );
    for f in [&b""[..], b"\x07", b"\x07MESSAG"] {
        assert_eq!(
            failure(s.decode(Msg::from_slice(f), &mut ev), &mut ev),
            ZMTP_MALFORMED_COMMAND_UNSPECIFIED
        );
    }
    // A box from the wrong direction (server prefix) fails to open.
    let (_, mut s2) = pair();
    let mut s3 = pair().1;
    let from_server = s3.encode(&Msg::from_slice(b"y")).unwrap();
    let mut raised = from_server;
    raised.data_mut()[15] = 9;
    assert_eq!(
        failure(s2.decode(raised, &mut ev), &mut ev),
        ZMTP_CRYPTOGRAPHIC
    );
}

#[test]
fn shared_frames_are_decrypted_in_a_copy() {
    let (mut c, mut s) = pair();
    let body = vec![7u8; 5000];
    let mut wire = c.encode(&Msg::from_slice(&body)).unwrap();
    let keep = wire.share();
    let back = s.decode(wire, &mut Events::new()).unwrap();
    assert_eq!(back.data(), &body[..]);
    assert!(keep.data().starts_with(b"\x07MESSAGE"));
    assert_ne!(&keep.data()[33..], &body[..], "still ciphertext");
}
