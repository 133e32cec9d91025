//! The engine's OS calls, in one place (as mio's `sys`): sockets, socket
//! options, addresses and name resolution (`net`), the eventfd behind
//! every wake-up (`event`), `poll`/`ppoll`, signal masks and the fork hook
//! (`process`). Each function is a thin, safe wrapper over one libc call
//! (or a small group that must go together), with the `unsafe` and its
//! reason here; the modules above hold the logic. The C surface's own libc
//! use (errno, strerror, malloc) stays in `capi`, which is that boundary.

pub(crate) mod event;
pub(crate) mod net;
pub(crate) mod poll;
pub(crate) mod process;
