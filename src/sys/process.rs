//! Threads and processes: signal masks and the fork hook.

/// Blocks every signal in the calling thread, as libzmq's `thread_t` does
/// for the threads it starts (io threads, `zmq_threadstart`), so signals
/// go to the application's threads.
pub(crate) fn block_all_signals() {
    // SAFETY: `set` is a local sigset_t that sigfillset initialises before
    // pthread_sigmask reads it; both only touch this thread's state.
    unsafe {
        let mut set = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
        libc::sigfillset(set.as_mut_ptr());
        libc::pthread_sigmask(libc::SIG_BLOCK, set.as_ptr(), std::ptr::null_mut());
    }
}

/// Whether `signal` is blocked in the calling thread.
#[cfg(test)]
pub(crate) fn is_blocked(signal: i32) -> bool {
    // SAFETY: pthread_sigmask fills `set` before sigismember reads it.
    unsafe {
        let mut set = std::mem::MaybeUninit::<libc::sigset_t>::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), set.as_mut_ptr());
        libc::sigismember(set.as_ptr(), signal) == 1
    }
}

/// Runs `handler` in the child after every `fork` (`pthread_atfork`). It
/// must be async-signal-safe.
pub(crate) fn on_fork_child(handler: extern "C" fn()) {
    // SAFETY: registers a child handler; the caller promises it is
    // async-signal-safe. No parent handlers.
    unsafe {
        libc::pthread_atfork(None, None, Some(handler));
    }
}
