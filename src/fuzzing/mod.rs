//! Entry points for the coverage-guided fuzzers in `fuzz/` (cargo feature
//! `fuzzing`; not part of the library's API).
//!
//! Each function takes the fuzzer's bytes, drives one part of the library
//! that a peer or an application can feed (sans-IO, in memory, no clock)
//! and panics when an invariant breaks; a panic is what the fuzzer reports
//! as a crash. The fuzz targets (`fuzz/fuzz_targets/*.rs`) are one line
//! each, so the engine's modules can become `pub(crate)` without touching
//! them. `tools/fuzz.sh` runs them; each run first replays the checked-in
//! corpus (`fuzz/corpus/<target>/`: seeds, and every input that once
//! crashed, whose fix has its own unit test beside the code it fixed).
//!
//! Inputs start with a few configuration bytes (socket type, mechanism,
//! limits, read size) read by [`Input`]; the rest is what the peer sends.
//! The exact layout of each is in its function's documentation, so seeds
//! can be written by hand (`fuzz/corpus/<target>/`).

mod engine;
mod pair;
mod transport;
mod util;

pub use engine::{decoder, engine, greeting};
pub use pair::{engine_pair, zap_reply};
pub use transport::{socks, udp, ws_client, ws_server};
pub use util::{setsockopt, trie, z85};

/// The fuzzer's bytes, read front to back; reads past the end give zeros
/// and empty slices, so every input is a valid one.
pub(crate) struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Input<'a> {
        Input { data }
    }

    pub(crate) fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// One of `choices`, by the next byte.
    pub(crate) fn pick<T: Copy>(&mut self, choices: &[T]) -> T {
        choices[usize::from(self.byte()) % choices.len()]
    }

    /// The next `n` bytes (fewer at the end).
    pub(crate) fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        head
    }

    /// A slice whose length is the next byte.
    pub(crate) fn short(&mut self) -> &'a [u8] {
        let n = usize::from(self.byte());
        self.take(n)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub(crate) fn rest(self) -> &'a [u8] {
        self.data
    }
}

/// Read sizes the harnesses cut the peer's bytes into: byte at a time,
/// odd sizes that split headers, and whole buffers.
pub(crate) const CHUNKS: [usize; 7] = [1, 2, 3, 7, 17, 255, usize::MAX];

/// `ZMQ_MAXMSGSIZE` values; -1 (none) last, so that a peer may announce
/// any size (the allocation fails and the connection drops).
pub(crate) const MAX_MSG_SIZES: [i64; 6] = [0, 1, 100, 65_536, 1 << 20, -1];
