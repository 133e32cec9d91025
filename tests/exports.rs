//! `libzmq.so` exports every function of upstream `zmq.h` 4.3.5 (stable and,
//! with the default `draft` feature, draft; `zmq_utils.h` declares none),
//! unversioned, and no other symbol.
//!
//! Builds nothing itself: it inspects the cdylib that `cargo test` built
//! beside the test executable, with `nm -D --defined-only`.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

/// The `libzmq.so` built for this test run. The test runs as
/// `target/<profile>/deps/exports-<hash>`, and `cargo test` leaves the fresh
/// cdylib in `deps/` (only `cargo build` copies it up to `target/<profile>/`).
fn cdylib() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let lib = exe
        .parent()
        .expect("target/<profile>/deps")
        .join("libzmq.so");
    assert!(lib.is_file(), "{} not built", lib.display());
    lib
}

/// (name, nm type letter) of every dynamic symbol the library defines.
fn dynamic_symbols() -> Vec<(String, String)> {
    let lib = cdylib();
    let out = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(&lib)
        .output()
        .expect("run nm");
    assert!(
        out.status.success(),
        "nm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("nm output is UTF-8")
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace().rev();
            let name = f.next()?.to_string();
            let kind = f.next()?.to_string();
            Some((name, kind))
        })
        .collect()
}

#[test]
fn every_upstream_function_is_exported_unversioned_as_code() {
    let symbols = dynamic_symbols();
    let missing: Vec<String> = common::expected_exports()
        .into_iter()
        .filter(|f| !symbols.iter().any(|(name, kind)| name == f && kind == "T"))
        .collect();
    assert!(
        missing.is_empty(),
        "not exported as unversioned functions: {missing:?}"
    );
}

#[test]
fn nothing_else_is_exported() {
    let upstream: BTreeSet<String> = common::expected_exports().into_iter().collect();
    let extra: Vec<String> = dynamic_symbols()
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| !upstream.contains(name))
        .collect();
    assert!(
        extra.is_empty(),
        "exported beyond upstream zmq.h: {extra:?}"
    );
}

#[test]
fn upstream_declares_the_whole_4_3_5_api() {
    // A guard on the header parsing above: 4.3.5 declares 96 functions, 26
    // of them draft (zmq_ppoll's two platform variants count once).
    let functions = common::upstream_functions();
    assert_eq!(functions.len(), 96, "{functions:?}");
    assert_eq!(functions.iter().filter(|(_, draft)| *draft).count(), 26);
    for (f, draft) in [
        ("zmq_errno", false),
        ("zmq_threadclose", false),
        ("zmq_ppoll", true),
        ("zmq_socket_monitor_pipes_stats", true),
    ] {
        assert!(functions.contains(&(f.to_string(), draft)), "{f}");
    }
}
