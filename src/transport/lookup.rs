//! Host name lookups off the io thread (beyond libzmq, whose connecters
//! call `getaddrinfo` on the io thread, so one slow DNS answer stalls
//! every connection that thread carries).
//!
//! A tcp connect attempt whose host is not a numeric address starts a
//! [`Lookup`]: one short-lived thread that resolves the name and then calls
//! the attempt's [`Wake`], which puts a command in the io thread's
//! mailbox. One thread per lookup rather than a shared resolver thread, so
//! a lookup that hangs delays only its own connection, never another
//! name's; a session has at most one lookup at a time, so there are never
//! more of them than connecting sessions. A lookup whose session is gone
//! finishes on its own and its answer is dropped.

use std::sync::Arc;

use crossbeam_channel::{Receiver, TryRecvError};

use super::tcp_address::{resolve_connect, TcpTarget};
use crate::{Error, Result};

/// Tells the io thread that a lookup has finished (the session then asks
/// its connecter again). Set by the session on its connecter.
pub(crate) type Wake = Arc<dyn Fn() + Send + Sync>;

/// A lookup in progress on its own thread.
pub(crate) struct Lookup {
    answer: Receiver<Result<TcpTarget>>,
}

impl Lookup {
    /// Starts resolving `address` (after `tcp://`) as a connect address;
    /// `wake` runs once the answer is in. Fails only if no thread can be
    /// started (a failed attempt; the session retries later).
    pub(crate) fn start(address: &str, ipv6: bool, wake: Option<Wake>) -> Result<Lookup> {
        let (tx, answer) = crossbeam_channel::bounded(1);
        let address = address.to_string();
        std::thread::Builder::new()
            .name("ZMQbg/resolve".into())
            .spawn(move || {
                // As every thread the library starts: signals go to the
                // application's threads.
                crate::sys::process::block_all_signals();
                // A panic in the resolver must still end in an answer and
                // a wake-up, or the session would wait for ever.
                let result = std::panic::catch_unwind(|| resolve(&address, ipv6))
                    .unwrap_or(Err(Error::EINVAL));
                let _ = tx.send(result);
                if let Some(wake) = wake {
                    wake();
                }
            })
            .map_err(|_| Error::EAGAIN)?;
        Ok(Lookup { answer })
    }

    /// The answer, once it is in.
    pub(crate) fn poll(&self) -> Option<Result<TcpTarget>> {
        match self.answer.try_recv() {
            Ok(r) => Some(r),
            Err(TryRecvError::Empty) => None,
            // The thread ended without answering: it cannot, see `start`.
            Err(TryRecvError::Disconnected) => Some(Err(Error::EINVAL)),
        }
    }
}

/// The resolver a lookup runs: the system's, unless a test put its own in
/// front for names it knows.
fn resolve(address: &str, ipv6: bool) -> Result<TcpTarget> {
    #[cfg(test)]
    if let Some(r) = test_resolver::answer(address, ipv6) {
        return r;
    }
    resolve_connect(address, ipv6)
}

#[cfg(test)]
pub(crate) mod test_resolver {
    //! Names a test answers itself (slowly, or with several addresses)
    //! in front of the system's resolver; other names go through.

    use std::sync::Mutex;

    use super::TcpTarget;
    use crate::Result;

    type Hook = fn(&str, bool) -> Option<Result<TcpTarget>>;

    static HOOKS: Mutex<Vec<Hook>> = Mutex::new(Vec::new());

    /// Adds `hook` (once) for every lookup of this test process: it
    /// answers the names it knows and returns `None` for the others.
    pub(crate) fn install(hook: Hook) {
        let mut hooks = HOOKS.lock().unwrap_or_else(|e| e.into_inner());
        if !hooks.iter().any(|h| std::ptr::fn_addr_eq(*h, hook)) {
            hooks.push(hook);
        }
    }

    pub(super) fn answer(address: &str, ipv6: bool) -> Option<Result<TcpTarget>> {
        let hooks = HOOKS.lock().unwrap_or_else(|e| e.into_inner()).clone();
        hooks.iter().find_map(|h| h(address, ipv6))
    }
}
