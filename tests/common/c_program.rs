//! Building and running a C test program against the `libzmq.so` that
//! `cargo test` built (`tests/c_abi.rs`, `tests/tables.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// `target/<profile>/deps`, where `cargo test` leaves the fresh `libzmq.so`
/// (only `cargo build` copies it up to `target/<profile>/`): the test runs
/// as `target/<profile>/deps/<test>-<hash>`.
fn deps_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent().expect("target/<profile>/deps").to_path_buf()
}

/// Compiles `tests/<dir>/<name>.c` with `defines` against `include/` and
/// our library (`$CC`, by default `cc`), runs it, asserts that both
/// succeeded and returns what it printed.
#[allow(dead_code)] // not every test file that includes this runs programs directly
pub fn build_and_run(dir: &str, name: &str, defines: &[&str]) -> String {
    build_and_run_with(dir, name, defines, &[])
}

/// [`build_and_run`], with the program run as the last argument of
/// `wrapper` (a command and its first arguments) when one is given.
pub fn build_and_run_with(dir: &str, name: &str, defines: &[&str], wrapper: &[&str]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let deps = deps_dir();
    let lib = deps.join("libzmq.so");
    assert!(lib.is_file(), "{} not built", lib.display());
    // A private directory where `-lzmq` and the SONAME `libzmq.so.5` both
    // name this build.
    let scratch = deps.join(format!("{dir}-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("create scratch dir");
    for link in ["libzmq.so", "libzmq.so.5"] {
        let _ = std::fs::remove_file(scratch.join(link));
        std::os::unix::fs::symlink(&lib, scratch.join(link)).expect("symlink libzmq");
    }
    let exe = scratch.join(name);
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = Command::new(&cc)
        .args(["-std=gnu99", "-Wall", "-Wextra", "-Werror"])
        .args(defines)
        .arg("-I")
        .arg(root.join("include"))
        .arg(root.join("tests").join(dir).join(format!("{name}.c")))
        .arg("-o")
        .arg(&exe)
        .arg("-L")
        .arg(&scratch)
        .arg(format!("-Wl,-rpath,{}", scratch.display()))
        .arg("-lzmq")
        .output()
        .unwrap_or_else(|e| panic!("run {cc}: {e}"));
    assert!(
        out.status.success(),
        "{name}.c does not build:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut run = match wrapper.split_first() {
        Some((cmd, args)) => {
            let mut c = Command::new(cmd);
            c.args(args).arg(&exe);
            c
        }
        None => Command::new(&exe),
    };
    let run = run
        .env("LD_LIBRARY_PATH", &scratch)
        .output()
        .expect("run the C program");
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(
        run.status.success(),
        "{name} failed ({}):\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
    String::from_utf8(run.stdout).expect("the program printed text")
}
