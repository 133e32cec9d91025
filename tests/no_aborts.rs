//! "No aborts" (docs/reliability.md) from C: allocation failure is
//! `ENOMEM`, a peer's unallocatable frame drops its connection only, and
//! an exhausted descriptor table stops a listener only until descriptors
//! are free again. Each program runs in its own process, so the one that
//! lowers `RLIMIT_NOFILE` changes nothing for the other tests.

#[path = "common/c_program.rs"]
mod c_program;

fn build_and_run(name: &str) {
    let defines: &[&str] = if cfg!(feature = "draft") {
        &["-DZMQ_BUILD_DRAFT_API"]
    } else {
        &["-UZMQ_BUILD_DRAFT_API"]
    };
    c_program::build_and_run("c", name, defines);
}

#[test]
fn huge_lengths_are_enomem_and_an_unallocatable_frame_drops_only_its_connection() {
    build_and_run("no_aborts");
}

#[test]
fn a_listener_out_of_descriptors_reports_accept_failed_and_accepts_once_they_are_back() {
    build_and_run("accept_emfile");
}
