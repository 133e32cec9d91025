//! Knowing that we are a forked copy of the process that made an object.
//!
//! After `fork()` the child has the parent's memory (contexts, sockets,
//! pipes) but none of its threads, while file descriptors such as the
//! eventfds are shared with the parent. libzmq compares `getpid()` with the
//! pid an object was made under and, in a child, stops signalling (a write
//! would wake the parent's threads) and makes waits fail with `EINTR`;
//! `zmq_ctx_term` on the parent's context then returns `EINTR` instead of
//! waiting for io threads that do not exist here. We do the same, but count
//! forks with a `pthread_atfork` child handler instead of calling `getpid`
//! (a system call) on every signal.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;

/// How many times this process's ancestry forked since the library loaded.
static GENERATION: AtomicU32 = AtomicU32::new(0);
static REGISTER: Once = Once::new();

extern "C" fn in_child() {
    // Only an atomic add: the child of a multi-threaded process may run
    // async-signal-safe code only until it execs or finishes forking.
    GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// The current fork generation: objects remember it when made, and a
/// different value later means they belong to a parent process.
pub fn generation() -> u32 {
    REGISTER.call_once(|| {
        // The handler only touches an atomic: async-signal-safe.
        crate::sys::process::on_fork_child(in_child);
    });
    GENERATION.load(Ordering::Relaxed)
}

/// Whether an object made in `made_in` is a copy inherited through fork.
pub fn is_inherited(made_in: u32) -> bool {
    generation() != made_in
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forked_child_sees_a_new_generation_and_the_parent_does_not() {
        let before = generation();
        // SAFETY: the child only reads an atomic and calls `_exit`.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0);
        if pid == 0 {
            let code = if is_inherited(before) { 0 } else { 1 };
            // SAFETY: ends the child without running the parent's atexit
            // handlers or test harness.
            unsafe { libc::_exit(code) };
        }
        let mut status = 0;
        // SAFETY: waits for the child we just made.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        assert!(libc::WIFEXITED(status));
        assert_eq!(libc::WEXITSTATUS(status), 0, "the child saw no fork");
        assert!(!is_inherited(before));
    }
}
