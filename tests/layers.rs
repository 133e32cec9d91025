//! The import direction of docs/design.md ("Layers"): every `crate::x`
//! that a module's non-test code names must sit in a lower layer than the
//! module itself. The layer table is read from docs/design.md, so the
//! document and this check cannot drift apart.
//!
//! The same reading of the code also checks that the library prints
//! nothing: libzmq writes to stderr only when an assertion aborts, and so
//! do we, through `error::fatal` alone.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Layer of each top-level module, from the block between
/// `<!-- layers -->` and `<!-- /layers -->` in docs/design.md: one line
/// per layer, highest first, `N  module module ...`.
fn layers() -> HashMap<String, u32> {
    let doc = fs::read_to_string("docs/design.md").expect("docs/design.md");
    let start = doc.find("<!-- layers -->").expect("layers block start");
    let end = doc.find("<!-- /layers -->").expect("layers block end");
    let mut map = HashMap::new();
    for line in doc[start..end].lines() {
        let mut words = line.split_whitespace();
        let Some(Ok(rank)) = words.next().map(str::parse::<u32>) else {
            continue;
        };
        for m in words {
            assert!(
                map.insert(m.to_string(), rank).is_none(),
                "{m} listed twice"
            );
        }
    }
    assert!(map.len() > 10, "layers block not parsed");
    map
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module a file belongs to: `src/socket/mod.rs` -> `socket`,
/// `capi/x.rs` -> `capi`.
fn module_of(path: &Path) -> String {
    let rel: Vec<_> = path.iter().map(|c| c.to_string_lossy()).collect();
    if rel[0] == "capi" {
        return "capi".into();
    }
    rel[1].trim_end_matches(".rs").to_string()
}

/// Code that is not test code and not a comment.
fn non_test_code(src: &str) -> String {
    let mut out = String::new();
    let mut lines = src.lines();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("//") {
            continue;
        }
        // An inline test module runs to the end of the file here.
        if t == "#[cfg(test)]" {
            if let Some(next) = lines.clone().next() {
                if next.trim_start().starts_with("mod ") && next.trim_end().ends_with('{') {
                    break;
                }
            }
            // `#[cfg(test)] mod x;` or a test-only item: skip the next line.
            lines.next();
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy();
    name.starts_with("tests")
        || name.ends_with("_tests.rs")
        || name == "testing.rs"
        || path.iter().any(|c| c == "tests")
}

#[test]
fn imports_run_down_the_layers() {
    let layers = layers();
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    rust_files(Path::new("capi"), &mut files);
    let mut wrong = Vec::new();
    for f in files.iter().filter(|f| !is_test_file(f)) {
        if f == Path::new("src/lib.rs") {
            continue;
        }
        let me = module_of(f);
        let my_rank = *layers
            .get(&me)
            .unwrap_or_else(|| panic!("module {me} ({}) has no layer", f.display()));
        let code = non_test_code(&fs::read_to_string(f).unwrap());
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `crate::Result`, `crate::Error`: the crate root's re-exports.
            if name.is_empty() || name.starts_with(char::is_uppercase) || name == me {
                continue;
            }
            let Some(&rank) = layers.get(&name) else {
                wrong.push(format!("{}: crate::{name} has no layer", f.display()));
                continue;
            };
            if rank >= my_rank {
                wrong.push(format!(
                    "{}: {me} (layer {my_rank}) imports {name} (layer {rank})",
                    f.display()
                ));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_a_wrong_import() {
    let code = non_test_code("use crate::socket::Socket;\n// crate::ctx in a comment\n");
    assert!(code.contains("crate::socket"));
    assert!(!code.contains("crate::ctx"));
    let code = non_test_code("fn f() {}\n#[cfg(test)]\nmod tests {\n use crate::ctx;\n}\n");
    assert!(!code.contains("crate::ctx"));
}

/// `print!`-family macros and `dbg!` in a piece of non-test code.
fn print_macros(code: &str) -> Vec<&'static str> {
    ["print!", "println!", "eprint!", "eprintln!", "dbg!"]
        .into_iter()
        .filter(|m| {
            code.match_indices(m).any(|(i, _)| {
                // `eprintln!` contains `println!`; count whole names only.
                !code[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            })
        })
        .collect()
}

#[test]
fn the_library_prints_only_when_it_aborts() {
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    rust_files(Path::new("capi"), &mut files);
    let mut printing = Vec::new();
    for f in files.iter().filter(|f| !is_test_file(f)) {
        let code = non_test_code(&fs::read_to_string(f).unwrap());
        let found = print_macros(&code);
        // error::fatal: a message, then abort (libzmq's zmq_assert).
        let allowed: &[&str] = if f == Path::new("src/error.rs") {
            &["eprintln!"]
        } else {
            &[]
        };
        for m in found.into_iter().filter(|m| !allowed.contains(m)) {
            printing.push(format!("{}: {m}", f.display()));
        }
    }
    assert!(
        printing.is_empty(),
        "library code that prints:\n{}",
        printing.join("\n")
    );
    assert_eq!(print_macros("eprintln!(\"x\")"), ["eprintln!"]);
    assert!(print_macros("let my_print = 1;").is_empty());
}

/// The bodies of the `extern "C"` functions of one capi file that do not
/// start with `guard(`, by name.
fn unguarded_exports(code: &str) -> Vec<String> {
    let mut missing = Vec::new();
    for (at, _) in code.match_indices("extern \"C\" fn ") {
        let line_start = code[..at].rfind('\n').map_or(0, |i| i + 1);
        if !code[line_start..at].trim_start().starts_with("pub") {
            continue; // a function pointer type, not an export
        }
        let rest = &code[at + "extern \"C\" fn ".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // The body opens at the first `{` after the parameter list.
        let params_end = rest.find(')').unwrap_or(0);
        let Some(open) = rest[params_end..].find('{') else {
            continue;
        };
        let body = rest[params_end + open + 1..].trim_start();
        if !body.starts_with("guard(") {
            missing.push(name);
        }
    }
    missing
}

#[test]
fn every_export_runs_inside_the_panic_boundary() {
    let mut files = Vec::new();
    rust_files(Path::new("capi"), &mut files);
    let mut missing = Vec::new();
    let mut exports = 0;
    for f in files.iter().filter(|f| !is_test_file(f)) {
        let code = non_test_code(&fs::read_to_string(f).unwrap());
        exports += code.matches("pub unsafe extern \"C\" fn ").count();
        exports += code.matches("pub extern \"C\" fn ").count();
        for name in unguarded_exports(&code) {
            missing.push(format!("{}: {name}", f.display()));
        }
    }
    assert!(exports > 90, "exports not found ({exports})");
    assert!(
        missing.is_empty(),
        "exports whose body is not `guard(|| ...)` (capi/ffi.rs):\n{}",
        missing.join("\n")
    );
    let sample = "#[no_mangle]\npub unsafe extern \"C\" fn zmq_x(a: c_int) -> c_int {\n    a\n}\n";
    assert_eq!(unguarded_exports(sample), ["zmq_x"]);
}
