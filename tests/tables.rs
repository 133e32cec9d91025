//! Differential tables: each `tests/tables/<name>.c`, built against the
//! reference libzmq 4.3.5, printed `tests/tables/<name>.txt`
//! (`tools/reference-tables.sh` regenerates them); built here against
//! `include/` and the `libzmq.so` that `cargo test` built, it must print
//! the same, apart from the documented exceptions below.
//!
//! - `options`: `zmq_setsockopt`/`zmq_getsockopt` of every option number on
//!   every socket type, plus bind/connect/unbind/disconnect/join/leave
//!   errnos, compared cell by cell (a cell is a socket type, an option and
//!   a call). Exception: setting `ZMQ_WSS_*` (103..=107). Our build has
//!   wss (on rustls) and accepts them, as libzmq built with TLS does; the
//!   reference has no TLS and refuses them with `EINVAL`. Reading them is
//!   `EINVAL` in both (they are set-only), and that is still compared.
//! - `strerror`: `zmq_strerror` for errnos -1..=160, libzmq's own range
//!   and a few more, line by line.
//! - `api`: `zmq_socket` for every type number, `zmq_ctx_set`/`_get` (and
//!   the `_ext` pair) for every context option number with several values,
//!   and calls on NULL or mismatched handles, line by line.
//!
//! The compiler is `$CC`, by default `cc`.

#![cfg(feature = "draft")]

use std::collections::BTreeMap;
use std::path::Path;

#[path = "common/c_program.rs"]
mod c_program;

/// Builds `tests/tables/<name>.c` against our library and returns what it
/// printed.
fn run_against_ours(name: &str) -> String {
    c_program::build_and_run("tables", name, &["-DZMQ_BUILD_DRAFT_API"])
}

fn expected(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tables")
        .join(format!("{name}.txt"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const TYPES: [&str; 21] = [
    "PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB",
    "STREAM", "SERVER", "CLIENT", "RADIO", "DISH", "GATHER", "SCATTER", "DGRAM", "PEER", "CHANNEL",
];

/// (option, call, socket type) -> result.
type Cells = BTreeMap<(String, String, String), String>;

/// Expands the grouped lines `<option> <call> <types> = <result>` into
/// cells; `<types>` is `*` (all 21) or a comma-separated list.
fn cells(table: &str) -> Cells {
    let mut out = Cells::new();
    for line in table
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (left, result) = line
            .split_once(" = ")
            .unwrap_or_else(|| panic!("malformed line: {line}"));
        let fields: Vec<&str> = left.split(' ').collect();
        let [option, call, types] = fields[..] else {
            panic!("malformed line: {line}");
        };
        let types: Vec<&str> = if types == "*" {
            TYPES.to_vec()
        } else {
            types.split(',').collect()
        };
        for t in types {
            let key = (option.to_string(), call.to_string(), t.to_string());
            assert!(
                out.insert(key, result.to_string()).is_none(),
                "repeated: {line}"
            );
        }
    }
    out
}

/// The documented exceptions (see the module comment).
fn is_exception(option: &str, call: &str) -> bool {
    let wss = matches!(option.parse::<i32>(), Ok(103..=107));
    wss && call.starts_with("set:")
}

#[test]
fn options_on_every_socket_type_match_libzmq() {
    let want = cells(&expected("options"));
    let got = cells(&run_against_ours("options"));
    // 133 option numbers, each read with 7 buffer sizes and set with 17
    // values, on 21 types; then the endpoint and group calls.
    assert!(want.len() > 21 * 133 * 24, "the expected table is short");
    let mut diffs = vec![];
    let mut excepted = 0;
    for (key, w) in &want {
        let g = got.get(key);
        if g == Some(w) {
            continue;
        }
        if is_exception(&key.0, &key.1) {
            excepted += 1;
            continue;
        }
        diffs.push(format!(
            "{} {} {}:\n  libzmq: {w}\n  ours:   {}",
            key.0,
            key.1,
            key.2,
            g.map_or("(missing)", String::as_str)
        ));
    }
    diffs.extend(
        got.keys()
            .filter(|k| !want.contains_key(*k))
            .map(|k| format!("{} {} {}: not in the expected table", k.0, k.1, k.2)),
    );
    assert!(
        diffs.is_empty(),
        "{} of {} cells differ from libzmq 4.3.5 ({excepted} documented exceptions):\n{}",
        diffs.len(),
        want.len(),
        diffs[..diffs.len().min(40)].join("\n")
    );
}

/// A table compared line by line.
fn same_lines(name: &str) {
    let want = expected(name);
    let got = run_against_ours(name);
    let diffs: Vec<String> = want
        .lines()
        .zip(got.lines())
        .filter(|(w, g)| w != g)
        .map(|(w, g)| format!("libzmq: {w}\nours:   {g}"))
        .collect();
    assert!(diffs.is_empty(), "{name}:\n{}", diffs.join("\n"));
    assert_eq!(want.lines().count(), got.lines().count(), "{name}: lines");
}

#[test]
fn strerror_texts_match_libzmq() {
    same_lines("strerror");
}

#[test]
fn socket_types_context_options_and_bad_handles_match_libzmq() {
    same_lines("api");
}
