//! `zmq_threadstart`'s threads: named `ZMQapp`, with every signal blocked
//! (as libzmq's threads, so the application's signal handlers run on its
//! own threads), and a C-sized stack.

use std::io;
use std::thread::{Builder, JoinHandle};

/// glibc's default thread stack (the usual `ulimit -s`): C thread bodies
/// expect more than Rust's 2 MiB default.
const STACK_SIZE: usize = 8 << 20;

/// Run `body` on a new application thread.
pub fn spawn<F: FnOnce() + Send + 'static>(body: F) -> io::Result<JoinHandle<()>> {
    Builder::new()
        .name("ZMQapp".into())
        .stack_size(STACK_SIZE)
        .spawn(move || {
            crate::sys::process::block_all_signals();
            body()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_is_named_zmqapp_and_blocks_signals() {
        let (tx, rx) = std::sync::mpsc::channel();
        let handle = spawn(move || {
            let name = std::thread::current().name().map(str::to_owned);
            let blocked = crate::sys::process::is_blocked(libc::SIGINT);
            tx.send((name, blocked)).unwrap();
        })
        .unwrap();
        handle.join().unwrap();
        let (name, blocked) = rx.recv().unwrap();
        assert_eq!(name.as_deref(), Some("ZMQapp"));
        assert!(blocked);
    }
}
