//! C programs in `tests/c/`, compiled against `include/` and linked to the
//! `libzmq.so` that `cargo test` built, must run and exit 0 (each checks
//! its own expectations and names the failed ones on stderr).
//!
//! The compiler is `$CC`, by default `cc`.

#[path = "common/c_program.rs"]
mod c_program;

fn build_and_run(name: &str) {
    let defines: &[&str] = if cfg!(feature = "draft") {
        &["-DZMQ_BUILD_DRAFT_API", "-DEXPECT_DRAFT=1"]
    } else {
        &["-UZMQ_BUILD_DRAFT_API", "-DEXPECT_DRAFT=0"]
    };
    c_program::build_and_run("c", name, defines);
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
