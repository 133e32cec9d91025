//! The engine-free utilities of the libzmq API: Z85, timers, atomic
//! counters, the stopwatch, application threads, version and capabilities.
//! Safe Rust; `capi/util.rs` exports them to C.

pub mod counter;
pub mod stopwatch;
pub mod thread;
pub mod timers;
pub mod z85;

use std::hash::{BuildHasher, Hasher};

/// The libzmq version this library implements: (major, minor, patch).
pub const VERSION: (i32, i32, i32) = (4, 3, 5);

/// A hard-to-guess start for generated routing ids (libzmq's
/// `generate_random`), so ids from one process's sockets do not all begin
/// at the same value. `RandomState` is seeded from the OS once per thread.
pub(crate) fn random_u32() -> u32 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    h.write_u128(now);
    h.finish() as u32
}

/// Whether the library provides `capability`, as `zmq_has` reports it.
///
/// The one place that lists what this build supports; each transport or
/// mechanism turns itself on here when it lands.
pub fn has(capability: &str) -> bool {
    match capability {
        // This build exports the ZMQ_BUILD_DRAFT_API surface.
        "draft" => cfg!(feature = "draft"),
        "ipc" => true,
        // CURVE over libsodium (src/zmtp/mechanism/curve).
        "curve" => true,
        // libzmq 4.3.5 answers only the upper-case spelling (its zmq_has
        // compares with "WS"); we answer both, as its man page names the
        // lower-case one.
        "ws" | "WS" => true,
        // wss on rustls (libzmq needs GnuTLS for it).
        "wss" | "WSS" => true,
        // Never: "pgm", "tipc", "norm", "vmci", "gssapi".
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_reports_draft_and_nothing_unsupported() {
        assert_eq!(has("draft"), cfg!(feature = "draft"));
        assert!(has("ipc"));
        assert!(has("curve"));
        assert!(has("ws") && has("WS"));
        assert!(has("wss") && has("WSS"));
        for cap in ["gssapi", "pgm", "tipc", "norm", "vmci", ""] {
            assert!(!has(cap), "{cap}");
        }
    }
}
