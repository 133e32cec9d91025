//! What the ABI and export tests share: where the upstream and our headers
//! are, and the declarations read from upstream's `zmq.h` text.
#![allow(dead_code)] // each test uses its own part

use std::path::{Path, PathBuf};

/// `include/` of this crate.
pub fn our_include() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("include")
}

/// `vendor/include/` of the zeromq-src 0.3.6+4.3.5 package (a dev-dependency,
/// so `cargo test` has fetched it): the upstream 4.3.5 headers.
pub fn upstream_include() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .expect("CARGO_HOME or HOME is set");
    let registries = cargo_home.join("registry/src");
    let found = std::fs::read_dir(&registries)
        .unwrap_or_else(|e| panic!("{}: {e}", registries.display()))
        .filter_map(|entry| {
            let dir = entry
                .ok()?
                .path()
                .join("zeromq-src-0.3.6+4.3.5/vendor/include");
            dir.join("zmq.h").is_file().then_some(dir)
        })
        .next();
    found.unwrap_or_else(|| {
        panic!(
            "zeromq-src 0.3.6+4.3.5 not found under {}; run `cargo fetch`",
            registries.display()
        )
    })
}

/// Upstream `zmq.h`'s declarations, ready to follow `#include <zmq.h>` of
/// another header: every `ZMQ_EXPORT` prototype and one-line `typedef`,
/// under upstream's own `#if`/`#else`/`#endif` lines (so only the branches
/// for this platform and for `ZMQ_BUILD_DRAFT_API` as defined count), with
/// the include guard removed.
pub fn upstream_declarations() -> String {
    let text =
        std::fs::read_to_string(upstream_include().join("zmq.h")).expect("read upstream zmq.h");
    let mut lines = text.lines().peekable();
    let mut out: Vec<String> = vec![];
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("#ifndef __ZMQ_H_INCLUDED__") {
            continue;
        }
        let keep = if is_conditional(t) {
            // With its continuation lines.
            let mut directive = line.to_string();
            while directive.ends_with('\\') {
                directive.push('\n');
                directive.push_str(lines.next().unwrap_or_default());
            }
            Some(directive)
        } else if t.starts_with("ZMQ_EXPORT") {
            let mut decl = line.to_string();
            while !decl.contains(';') {
                decl.push(' ');
                decl.push_str(lines.next().expect("declaration ends").trim());
            }
            Some(decl)
        } else if t.starts_with("typedef") && t.ends_with(';') {
            Some(line.to_string())
        } else {
            None
        };
        out.extend(keep);
    }
    // The include guard's #endif.
    let last_endif = out
        .iter()
        .rposition(|l| l.starts_with("#endif"))
        .expect("include guard");
    out.remove(last_endif);
    out.join("\n") + "\n"
}

fn is_conditional(t: &str) -> bool {
    ["#if", "#elif", "#else", "#endif"]
        .iter()
        .any(|d| t.starts_with(d))
}

/// The names of the functions upstream `zmq.h` declares, with whether each
/// is draft (declared inside `#ifdef ZMQ_BUILD_DRAFT_API`). `zmq_utils.h`
/// 4.3.5 declares none.
pub fn upstream_functions() -> Vec<(String, bool)> {
    let mut draft = false;
    let mut names: Vec<(String, bool)> = vec![];
    for line in upstream_declarations().lines() {
        let t = line.trim_start();
        if t.starts_with("#ifdef ZMQ_BUILD_DRAFT_API") {
            draft = true;
        } else if t.starts_with("#endif // ZMQ_BUILD_DRAFT_API") {
            draft = false;
        } else if t.starts_with("ZMQ_EXPORT") {
            let head = &t[..t.find('(').expect("prototype has a parameter list")];
            let name = head
                .trim_end()
                .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .expect("function name");
            names.push((name.to_string(), draft));
        }
    }
    names.sort();
    names.dedup();
    names
}

/// The names of the functions this build must export: all of upstream's,
/// or only the stable ones without the `draft` feature.
pub fn expected_exports() -> Vec<String> {
    upstream_functions()
        .into_iter()
        .filter(|(_, draft)| cfg!(feature = "draft") || !draft)
        .map(|(name, _)| name)
        .collect()
}
