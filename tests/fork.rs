//! After `fork()` (upstream's test_fork): the child gives up its copy of
//! the parent's context (`zmq_ctx_term` answers `EINTR` without waiting
//! for io threads that exist only in the parent) and talks through a new
//! context, while the parent's context goes on working.
//!
//! A test binary of its own: the child of a process running other tests
//! on other threads could inherit their locks.

use zmq::ctx::Context;
use zmq::msg::Msg;
use zmq::options::consts::{ZMQ_LAST_ENDPOINT, ZMQ_RCVTIMEO};
use zmq::socket::{types, Socket};
use zmq::Error;

const MESSAGES: usize = 5;

fn child(parent_ctx: &Context, pull: Socket, endpoint: &str) -> i32 {
    drop(pull);
    if parent_ctx.try_term() != Err(Error::EINTR) {
        return 2;
    }
    let ctx = Context::new();
    let Ok(mut push) = Socket::new(&ctx, types::PUSH) else {
        return 3;
    };
    if push.connect(endpoint).is_err() {
        return 4;
    }
    for _ in 0..MESSAGES {
        if push.send(&mut Msg::from_slice(b"Hello"), 0).is_err() {
            return 5;
        }
    }
    drop(push);
    // Default linger: term waits until the messages went out.
    ctx.term();
    0
}

#[test]
fn a_forked_child_uses_a_new_context_and_the_parent_keeps_its_own() {
    let ctx = Context::new();
    let mut pull = Socket::new(&ctx, types::PULL).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let mut buf = [0u8; 256];
    let n = pull.get_option(ZMQ_LAST_ENDPOINT, &mut buf).unwrap();
    let endpoint = std::str::from_utf8(&buf[..n - 1]).unwrap().to_string();
    pull.set_option(ZMQ_RCVTIMEO, &10_000i32.to_ne_bytes())
        .unwrap();

    // SAFETY: the child only uses this library and ends with `_exit`.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = child(&ctx, pull, &endpoint);
        // SAFETY: ends the child without unwinding into the test harness.
        unsafe { libc::_exit(code) };
    }

    for _ in 0..MESSAGES {
        assert_eq!(pull.recv(0).unwrap().data(), b"Hello");
    }
    let mut status = 0;
    // SAFETY: waits for the child made above.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(libc::WIFEXITED(status));
    assert_eq!(libc::WEXITSTATUS(status), 0, "the child failed a step");
    drop(pull);
    ctx.try_term().unwrap();
}
