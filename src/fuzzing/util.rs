//! What an application feeds: z85 text, subscriptions (the tries, checked
//! against a plain map) and socket options through the C API.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::c_void;
use std::sync::OnceLock;

use super::Input;
use crate::capi::ctx::zmq_ctx_new;
use crate::capi::socket::{zmq_close, zmq_getsockopt, zmq_setsockopt, zmq_socket};
use crate::routing::trie::{PipeTrie, SubscriptionTrie};
use crate::util::z85 as codec;

/// Z85 text decoded and encoded back (the alphabet and the 2^32 bound
/// make it canonical), and the input's whole quads encoded and decoded.
pub fn z85(data: &[u8]) {
    if let Ok(bytes) = codec::decode(data) {
        let text = codec::encode(&bytes).expect("a multiple of 4");
        assert_eq!(text.as_bytes(), data, "decoding is canonical");
    }
    let quads = &data[..data.len() / 4 * 4];
    let text = codec::encode(quads).expect("a multiple of 4");
    if !quads.is_empty() {
        assert_eq!(codec::decode(text.as_bytes()).ok().as_deref(), Some(quads));
    }
}

/// Operations on both tries beside a map that does the same slowly.
/// Layout: records of `[operation][length]` and that many key bytes; the
/// operation's low 3 bits pick subscribe, unsubscribe, check (the
/// subscription trie), add, remove, remove a pipe everywhere, match (the
/// pipe trie), or compare everything; bits 4-5 the pipe, bit 6 `every`.
pub fn trie(data: &[u8]) {
    let mut input = Input::new(data);
    let mut subs = SubscriptionTrie::default();
    let mut counts: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
    let mut pipes = PipeTrie::default();
    let mut members: BTreeMap<Vec<u8>, BTreeSet<u64>> = BTreeMap::new();
    while !input.is_empty() {
        let op = input.byte();
        let key = input.short();
        let pipe = u64::from(op >> 4 & 3);
        match op & 7 {
            0 => {
                let n = counts.entry(key.to_vec()).or_default();
                *n += 1;
                assert_eq!(subs.add(key), *n == 1);
            }
            1 => {
                let gone = match counts.get_mut(key) {
                    Some(n) => {
                        *n -= 1;
                        *n == 0
                    }
                    None => false,
                };
                if gone {
                    counts.remove(key);
                }
                assert_eq!(subs.rm(key), gone);
            }
            2 => {
                let any = counts.keys().any(|p| key.starts_with(p));
                assert_eq!(subs.check(key), any);
            }
            3 => {
                let set = members.entry(key.to_vec()).or_default();
                let first = set.is_empty();
                set.insert(pipe);
                assert_eq!(pipes.add(key, pipe), first);
            }
            4 => {
                let expect = members
                    .get_mut(key)
                    .and_then(|set| set.remove(&pipe).then_some(set.is_empty()));
                if expect == Some(true) {
                    members.remove(key);
                }
                assert_eq!(pipes.rm(key, pipe), expect);
            }
            5 => {
                let every = op & 0x40 != 0;
                let mut expect = Vec::new();
                members.retain(|prefix, set| {
                    if set.remove(&pipe) && (every || set.is_empty()) {
                        expect.push(prefix.clone());
                    }
                    !set.is_empty()
                });
                let mut got = pipes.rm_pipe(pipe, every);
                got.sort();
                assert_eq!(got, expect);
            }
            6 => {
                let mut got = Vec::new();
                pipes.matching(key, |p| got.push(p));
                got.sort_unstable();
                let mut expect: Vec<u64> = members
                    .iter()
                    .filter(|(p, _)| key.starts_with(p))
                    .flat_map(|(_, set)| set.iter().copied())
                    .collect();
                expect.sort_unstable();
                assert_eq!(got, expect);
            }
            _ => {
                let keys: Vec<Vec<u8>> = counts.keys().cloned().collect();
                assert_eq!(subs.prefixes(), keys);
                assert_eq!(subs.num_prefixes(), counts.len());
                let total: u32 = counts.values().sum();
                assert_eq!(subs.subscriptions(), total as usize);
                assert_eq!(pipes.num_prefixes(), members.len());
            }
        }
    }
}

/// The process's context for [`setsockopt`], never terminated: a socket
/// needs one, and a new one per input would make the fuzzer slow.
fn context() -> *mut c_void {
    static CTX: OnceLock<usize> = OnceLock::new();
    *CTX.get_or_init(|| zmq_ctx_new() as usize) as *mut c_void
}

/// Socket options through the C API, as an application passes them.
/// Layout: `[socket type]`, then records `[option][length]` and that many
/// value bytes; an option byte of 255 takes the option number from the
/// next four bytes instead, and the length byte's value 255 passes NULL.
/// Each value set is read back with a buffer of several sizes.
pub fn setsockopt(data: &[u8]) {
    let mut input = Input::new(data);
    let socket_type = i32::from(input.byte() % 21);
    // SAFETY: the context handle is live for the whole process.
    let s = unsafe { zmq_socket(context(), socket_type) };
    assert!(!s.is_null(), "every type up to CHANNEL exists");
    while !input.is_empty() {
        let option = match input.byte() {
            255 => {
                let b = input.take(4);
                i32::from_be_bytes(std::array::from_fn(|i| b.get(i).copied().unwrap_or(0)))
            }
            o => i32::from(o),
        };
        let len = input.byte();
        let value = if len == 255 {
            None
        } else {
            Some(input.take(usize::from(len)))
        };
        let (ptr, n) = value.map_or((std::ptr::null(), 0), |v| (v.as_ptr().cast(), v.len()));
        // SAFETY: the socket is open; `ptr` is NULL or `n` readable bytes.
        unsafe { zmq_setsockopt(s, option, ptr, n) };
        for size in [0usize, 1, 4, 8, 41, 256] {
            let mut buf = vec![0u8; size];
            let mut got = size;
            // SAFETY: the socket is open; `buf` has `got` writable bytes.
            let rc = unsafe { zmq_getsockopt(s, option, buf.as_mut_ptr().cast(), &mut got) };
            if rc == 0 {
                assert!(got <= size, "option {option}: {got} bytes in {size}");
            }
        }
    }
    // SAFETY: the socket is open and closed once.
    assert_eq!(unsafe { zmq_close(s) }, 0);
}
