//! C programs in `tests/c/`, compiled against `include/` and linked to the
//! `libzmq.so` that `cargo test` built, must run and exit 0 (each checks
//! its own expectations and names the failed ones on stderr).
//!
//! The compiler is `$CC`, by default `cc`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `target/<profile>/deps`, where `cargo test` leaves the fresh `libzmq.so`
/// (only `cargo build` copies it up to `target/<profile>/`): the test runs
/// as `target/<profile>/deps/c_abi-<hash>`.
fn deps_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent().expect("target/<profile>/deps").to_path_buf()
}

fn build_and_run(name: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let deps = deps_dir();
    let lib = deps.join("libzmq.so");
    assert!(lib.is_file(), "{} not built", lib.display());
    // A private directory where `-lzmq` and the SONAME `libzmq.so.5` both
    // name this build.
    let dir = deps.join(format!("c_abi-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    for link in ["libzmq.so", "libzmq.so.5"] {
        let _ = std::fs::remove_file(dir.join(link));
        std::os::unix::fs::symlink(&lib, dir.join(link)).expect("symlink libzmq");
    }
    let exe = dir.join(name);
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = Command::new(&cc)
        .args(["-std=gnu99", "-Wall", "-Wextra", "-Werror"])
        .args(if cfg!(feature = "draft") {
            ["-DZMQ_BUILD_DRAFT_API", "-DEXPECT_DRAFT=1"]
        } else {
            ["-UZMQ_BUILD_DRAFT_API", "-DEXPECT_DRAFT=0"]
        })
        .arg("-I")
        .arg(root.join("include"))
        .arg(root.join("tests/c").join(format!("{name}.c")))
        .arg("-o")
        .arg(&exe)
        .arg("-L")
        .arg(&dir)
        .arg(format!("-Wl,-rpath,{}", dir.display()))
        .arg("-lzmq")
        .output()
        .unwrap_or_else(|e| panic!("run {cc}: {e}"));
    assert!(
        out.status.success(),
        "{name}.c does not build:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(&exe)
        .env("LD_LIBRARY_PATH", &dir)
        .output()
        .expect("run the C program");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        run.status.success(),
        "{name} failed ({}):\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn util_exports_behave_like_libzmq_from_c() {
    build_and_run("util_smoke");
}

#[test]
fn message_kinds_copies_and_free_function_thread() {
    build_and_run("msg_kinds");
}

#[test]
fn errno_values_match_libzmq() {
    build_and_run("errno_values");
}

#[cfg(feature = "draft")]
#[test]
fn poller_api_and_zmq_poll() {
    build_and_run("poller");
}

#[test]
fn zmq_fd_is_edge_triggered_with_zmq_events() {
    build_and_run("fd_events");
}

#[test]
fn socket_monitor_events_and_errors_from_c() {
    build_and_run("monitor");
}

#[test]
fn proxy_steerable_and_device_from_c() {
    build_and_run("proxy");
}

#[test]
fn thread_safe_socket_used_by_two_threads_from_c() {
    build_and_run("thread_safe");
}
