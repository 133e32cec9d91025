//! Name resolution off the io thread against a real DNS server: the C
//! program `tests/c/slow_dns.c` runs in private user, network and mount
//! namespaces (`unshare -rnm`) where `/etc/resolv.conf` points at
//! `tests/resolver/dns_stub.py`, which answers one name after 3 s and
//! another with a refusing address before a live one. Where namespaces are
//! not allowed (some containers) the test says so and passes; the same
//! behaviour is also checked with a test resolver in
//! `src/session/tests_lookup.rs`.

use std::path::Path;
use std::process::Command;

#[path = "common/c_program.rs"]
mod c_program;

fn namespaces_work() -> bool {
    Command::new("unshare")
        .args([
            "-rnm",
            "sh",
            "-c",
            "ip link set lo up && command -v python3",
        ])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn a_slow_dns_answer_holds_up_only_its_own_connection_and_every_address_is_tried() {
    if !namespaces_work() {
        eprintln!("skipped: `unshare -rnm` (user and network namespaces) is not allowed here");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("tests/resolver/netns.sh");
    let scratch = std::env::temp_dir().join(format!("zmq-resolver-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let (script, scratch_s) = (script.to_str().unwrap(), scratch.to_str().unwrap());
    let out = c_program::build_and_run_with(
        "c",
        "slow_dns",
        &[],
        &["unshare", "-rnm", script, scratch_s],
    );
    let _ = std::fs::remove_dir_all(&scratch);
    eprint!("{out}");
    assert!(out.contains("slow name connected"), "{out}");
}
