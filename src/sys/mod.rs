//! The OS calls of the engine outside networking, in one place (as mio's
//! `sys`): the eventfd behind every wake-up, `poll`/`ppoll`, signal masks
//! and the fork hook. Each function is a thin, safe wrapper over one libc
//! call, with the `unsafe` and its reason here; the modules above hold the
//! logic. Socket calls live beside the transports, in `transport::sys`;
//! the C surface's own libc use (errno, strerror, malloc) stays in `capi`.

pub(crate) mod event;
pub(crate) mod poll;
pub(crate) mod process;
