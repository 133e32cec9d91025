//! Our `include/zmq.h` against upstream's 4.3.5 `zmq.h`, with and without
//! `ZMQ_BUILD_DRAFT_API`:
//!
//! - bindgen reads both headers; every constant must have the same value,
//!   every function the same signature (parameter names aside), and every
//!   type and struct the same definition, with nothing missing or extra
//!   (the headers must also pull in the same system headers);
//! - a probe program compiled as C and as C++ against each header prints
//!   sizes, alignments and offsets of the structs and the values of the
//!   function-like and text macros (`ZMQ_VERSION`, `ZMQ_MAKE_VERSION`,
//!   `ZMQ_EVENT_ALL_V2`'s unparenthesised expansion, ...): the outputs must
//!   be identical;
//! - upstream's own prototypes and typedefs, repeated after including our
//!   header, must compile as C and C++ (a conflicting redeclaration is an
//!   error in both).
//!
//! The compilers are `$CC` / `$CXX`, by default `cc` / `c++`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use quote::ToTokens;

/// The header variants: without and with the draft API.
const VARIANTS: [&[&str]; 2] = [&[], &["-DZMQ_BUILD_DRAFT_API"]];

/// Every item bindgen makes of `<include>/zmq.h`, keyed by kind and name,
/// with a normalised text to compare.
fn bindgen_items(include: &Path, defines: &[&str]) -> BTreeMap<String, String> {
    let bindings = bindgen::Builder::default()
        .header(include.join("zmq.h").to_string_lossy())
        .clang_args(defines.iter().copied())
        .layout_tests(false)
        .generate_comments(false)
        .generate()
        .unwrap_or_else(|e| panic!("bindgen on {}: {e}", include.display()));
    let file = syn::parse_file(&bindings.to_string()).expect("bindgen output parses");
    let mut items = BTreeMap::new();
    for item in file.items {
        match item {
            syn::Item::Const(c) => {
                let value = format!("{}: {}", c.ty.to_token_stream(), c.expr.to_token_stream());
                items.insert(format!("const {}", c.ident), value);
            }
            syn::Item::ForeignMod(m) => {
                for f in m.items {
                    match f {
                        syn::ForeignItem::Fn(f) => {
                            items.insert(format!("fn {}", f.sig.ident), signature(&f.sig));
                        }
                        other => {
                            let text = other.to_token_stream().to_string();
                            items.insert(format!("extern {text}"), text);
                        }
                    }
                }
            }
            syn::Item::Struct(s) => {
                items.insert(
                    format!("struct {}", s.ident),
                    s.to_token_stream().to_string(),
                );
            }
            syn::Item::Union(u) => {
                items.insert(
                    format!("union {}", u.ident),
                    u.to_token_stream().to_string(),
                );
            }
            syn::Item::Type(t) => {
                items.insert(format!("type {}", t.ident), t.to_token_stream().to_string());
            }
            syn::Item::Enum(e) => {
                items.insert(format!("enum {}", e.ident), e.to_token_stream().to_string());
            }
            other => {
                let text = other.to_token_stream().to_string();
                items.insert(format!("other {text}"), text);
            }
        }
    }
    items
}

/// A function's type: parameter types (not names), variadic, return type.
fn signature(sig: &syn::Signature) -> String {
    let params: Vec<String> = sig
        .inputs
        .iter()
        .map(|arg| match arg {
            syn::FnArg::Typed(p) => p.ty.to_token_stream().to_string(),
            syn::FnArg::Receiver(r) => r.to_token_stream().to_string(),
        })
        .collect();
    let variadic = if sig.variadic.is_some() { ", ..." } else { "" };
    format!(
        "({}{variadic}) {}",
        params.join(", "),
        sig.output.to_token_stream()
    )
}

#[test]
fn bindgen_sees_the_same_constants_functions_and_types() {
    for defines in VARIANTS {
        let upstream = bindgen_items(&common::upstream_include(), defines);
        let ours = bindgen_items(&common::our_include(), defines);
        let mut problems = vec![];
        for (key, theirs) in &upstream {
            match ours.get(key) {
                None => problems.push(format!("missing: {key} = {theirs}")),
                Some(mine) if mine != theirs => problems.push(format!(
                    "differs: {key}\n    upstream: {theirs}\n    ours:     {mine}"
                )),
                Some(_) => {}
            }
        }
        for (key, mine) in &ours {
            if !upstream.contains_key(key) {
                problems.push(format!("extra: {key} = {mine}"));
            }
        }
        assert!(
            problems.is_empty(),
            "our zmq.h differs from upstream's (defines {defines:?}):\n{}",
            problems.join("\n")
        );
        // Guard against comparing two empty sets.
        assert!(upstream.contains_key("fn zmq_msg_init_data"));
        assert!(upstream.contains_key("const ZMQ_SNDMORE"));
        assert_eq!(
            upstream.contains_key("fn zmq_poller_new"),
            !defines.is_empty()
        );
    }
}

/// Prints what bindgen cannot see: layouts, and macros it does not expand.
/// Valid C and C++.
const PROBE: &str = r#"
#include <stdio.h>
#include <stddef.h>
#include <zmq.h>
#include <zmq_utils.h>

#define P(expr) printf ("%s = %ld\n", #expr, (long) (expr))

int main (void)
{
    zmq_free_fn *ffn = NULL;
    zmq_timer_fn *tfn = NULL;
    zmq_thread_fn *thfn = NULL;
    zmq_msg_t msg;
    zmq_pollitem_t item;
    (void) ffn, (void) tfn, (void) thfn, (void) msg, (void) item;

    P (sizeof (zmq_msg_t));
    P (__alignof__ (zmq_msg_t));
    P (sizeof (msg._));
    P (sizeof (zmq_fd_t));
    P (sizeof (zmq_pollitem_t));
    P (__alignof__ (zmq_pollitem_t));
    P (offsetof (zmq_pollitem_t, socket));
    P (offsetof (zmq_pollitem_t, fd));
    P (offsetof (zmq_pollitem_t, events));
    P (offsetof (zmq_pollitem_t, revents));
#ifdef ZMQ_BUILD_DRAFT_API
    P (sizeof (zmq_poller_event_t));
    P (__alignof__ (zmq_poller_event_t));
    P (offsetof (zmq_poller_event_t, socket));
    P (offsetof (zmq_poller_event_t, fd));
    P (offsetof (zmq_poller_event_t, user_data));
    P (offsetof (zmq_poller_event_t, events));
    P (ZMQ_EVENT_ALL_V2);
    P (ZMQ_EVENT_ALL_V2 & 1);
    P (2 * ZMQ_EVENT_ALL_V2);
    printf ("%s|%s|%s|%s\n", ZMQ_MSG_PROPERTY_ROUTING_ID, ZMQ_MSG_PROPERTY_SOCKET_TYPE,
            ZMQ_MSG_PROPERTY_USER_ID, ZMQ_MSG_PROPERTY_PEER_ADDRESS);
#endif
    P (ZMQ_VERSION);
    P (ZMQ_MAKE_VERSION (1, 2, 3));
    P (ZMQ_MAKE_VERSION (1 + 1, 2 + 2, 3 + 3));
    P (-ZMQ_HAUSNUMERO);
    P (2 * EFSM);
    P (ZMQ_THREAD_PRIORITY_DFLT - 1);
#ifdef ZMQ_HAVE_TIMERS
    puts ("ZMQ_HAVE_TIMERS");
#endif
#ifdef ZMQ_HAVE_POLLER
    puts ("ZMQ_HAVE_POLLER");
#endif
#ifdef ZMQ_HAS_CAPABILITIES
    puts ("ZMQ_HAS_CAPABILITIES");
#endif
#ifdef ZMQ_DEFINED_STDINT
    puts ("ZMQ_DEFINED_STDINT");
#endif
#ifdef ZMQ_EXPORT
    puts ("ZMQ_EXPORT leaks");
#endif
    return 0;
}
"#;

fn compiler(cxx: bool) -> String {
    let (var, default) = if cxx { ("CXX", "c++") } else { ("CC", "cc") };
    std::env::var(var).unwrap_or_else(|_| default.to_string())
}

/// A scratch directory for this test's files.
fn scratch(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .expect("deps dir")
        .join(format!("abi-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Compile `source` as C or C++ against `include`; the error output on
/// failure.
fn compile(
    source: &Path,
    include: &Path,
    cxx: bool,
    defines: &[&str],
    extra: &[&str],
) -> Result<(), String> {
    let lang = if cxx { "c++" } else { "c" };
    let out = Command::new(compiler(cxx))
        // -Wno-pragmas: zmq_utils.h (upstream's and ours) names -Werror in a
        // pragma; -Wno-parentheses: the probe checks upstream's
        // unparenthesised ZMQ_EVENT_ALL_V2 on purpose.
        .args([
            "-x",
            lang,
            "-Wall",
            "-Wextra",
            "-Werror",
            "-Wno-pragmas",
            "-Wno-parentheses",
        ])
        .arg("-I")
        .arg(include)
        .args(defines)
        .args(extra)
        .arg(source)
        .output()
        .map_err(|e| format!("run {}: {e}", compiler(cxx)))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Build and run the probe against `include`; its output.
fn run_probe(dir: &Path, include: &Path, cxx: bool, defines: &[&str], tag: &str) -> String {
    let source = dir.join("probe.c");
    std::fs::write(&source, PROBE).expect("write probe");
    let exe = dir.join(format!("probe-{tag}"));
    let exe_arg = exe.to_string_lossy().into_owned();
    compile(&source, include, cxx, defines, &["-o", &exe_arg]).unwrap_or_else(|e| {
        panic!(
            "probe ({tag}) does not compile against {}:\n{e}",
            include.display()
        )
    });
    let out = Command::new(&exe).output().expect("run probe");
    assert!(out.status.success(), "probe {tag} failed");
    String::from_utf8(out.stdout).expect("probe output is UTF-8")
}

#[test]
fn layouts_and_macros_match_in_c_and_cxx() {
    let dir = scratch("probe");
    for cxx in [false, true] {
        for defines in VARIANTS {
            let tag = format!("{}{}", if cxx { "cxx" } else { "c" }, defines.len());
            let theirs = run_probe(
                &dir,
                &common::upstream_include(),
                cxx,
                defines,
                &format!("{tag}-upstream"),
            );
            let ours = run_probe(
                &dir,
                &common::our_include(),
                cxx,
                defines,
                &format!("{tag}-ours"),
            );
            let differing: Vec<String> = theirs
                .lines()
                .chain(std::iter::repeat("<none>"))
                .zip(ours.lines().chain(std::iter::repeat("<none>")))
                .take(theirs.lines().count().max(ours.lines().count()))
                .filter(|(t, o)| t != o)
                .map(|(t, o)| format!("    upstream: {t}\n    ours:     {o}"))
                .collect();
            assert!(
                differing.is_empty(),
                "probe output differs ({tag}, defines {defines:?}):\n{}",
                differing.join("\n")
            );
            assert!(theirs.contains("sizeof (zmq_msg_t) = 64"), "{theirs}");
            assert!(theirs.contains("__alignof__ (zmq_msg_t) = 8"), "{theirs}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn upstream_prototypes_redeclare_ours_without_conflict() {
    let dir = scratch("redecl");
    let source = dir.join("redeclare.c");
    let text = format!(
        "#include <zmq.h>\n\
         #define ZMQ_EXPORT\n\
         #ifdef __cplusplus\nextern \"C\" {{\n#endif\n\
         {}\
         #ifdef __cplusplus\n}}\n#endif\n",
        common::upstream_declarations()
    );
    std::fs::write(&source, &text).expect("write redeclarations");
    for cxx in [false, true] {
        for defines in VARIANTS {
            // C11 for repeated identical typedefs.
            let std = if cxx { "-std=gnu++11" } else { "-std=gnu11" };
            compile(
                &source,
                &common::our_include(),
                cxx,
                defines,
                &[std, "-fsyntax-only"],
            )
            .unwrap_or_else(|e| {
                panic!(
                    "upstream declarations conflict with ours ({} {defines:?}):\n{e}",
                    if cxx { "C++" } else { "C" }
                )
            });
        }
    }
    // The check has teeth: a wrong parameter type is rejected.
    let bad = dir.join("bad.c");
    std::fs::write(
        &bad,
        "#include <zmq.h>\nint zmq_msg_init_size (zmq_msg_t *msg_, int size_);\n",
    )
    .expect("write bad");
    assert!(compile(&bad, &common::our_include(), false, &[], &["-fsyntax-only"]).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}
