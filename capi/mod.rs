//! The `extern "C"` surface that mirrors upstream `zmq.h` 4.3.5.
//!
//! # Export conventions
//!
//! - One module per C object family: `ctx`, `socket` (including
//!   `zmq_msg_send`/`recv`, the iovec calls and the draft join/leave/peer
//!   calls), `msg`, `poll`, `poller` (all draft), `proxy`, `monitor`, and
//!   `util` for the engine-free rest. `consts` and `types` hold the
//!   constants and C types; `ffi` the shared helpers.
//! - Every export is written out literally as
//!   `#[no_mangle] pub unsafe extern "C" fn zmq_xxx(...)` with upstream's C
//!   signature and parameter names, because cbindgen reads the source and does
//!   not expand macros: what is written here is what `include/zmq.h` declares.
//!   Draft exports carry `#[cfg(feature = "draft")]`, which cbindgen turns
//!   into `#if defined(ZMQ_BUILD_DRAFT_API)`.
//! - C types map as: `int` `c_int`, `long` `c_long`, `short` `c_short`,
//!   `size_t` `usize`, `uint32_t`/`uint64_t` `u32`/`u64`, `void *`
//!   `*mut c_void`, `struct iovec *` `*mut libc::iovec`, `zmq_free_fn *`
//!   `types::zmq_free_fn`, an `Option` of a function pointer (NULL is
//!   `None`).
//! - An export is thin: decode the arguments (NULL checks, C strings,
//!   tagged handles through `ffi::Tagged`), call the engine, and map its
//!   `Result` to libzmq's convention with `ffi::ret*`: the value on success,
//!   otherwise `errno` set and `-1` / NULL / 0 as the return type allows.
//!   Logic a Rust user of the engine would also need belongs in `src/`.
//! - Exports the engine does not provide yet call `ffi::not_yet()`:
//!   `ENOTSUP` and the failure value. Their bodies are the engine team's
//!   to fill in.
//! - Every export's body runs inside `ffi::guard`, the panic boundary: a
//!   caller's mistake is an errno, never a panic, and a panic that still
//!   happens (a bug of ours) returns the failure value with `errno`
//!   `EFAULT` instead of unwinding into C, where it would abort the
//!   process. `tests/layers.rs` checks that no export is left out.
//!   Every `unsafe` block says why it is sound in a `// SAFETY:` comment;
//!   the exports' own safety contract is their upstream man page, hence no
//!   per-function `# Safety` sections.
//! - `include/zmq.h` is generated from this module by cbindgen with
//!   `cbindgen.toml`; `tests/header.rs` fails when it is stale and
//!   `ZMQ_BLESS=1 cargo test --test header` rewrites it.
#![allow(clippy::missing_safety_doc)]

pub mod consts;
pub mod types;

pub(crate) mod ffi;
pub(crate) mod handles;

pub mod ctx;
pub mod monitor;
pub mod msg;
pub mod poll;
#[cfg(feature = "draft")]
pub mod poller;
pub mod proxy;
pub mod socket;
pub mod util;

#[cfg(all(test, feature = "draft"))]
mod tests_thread_safe;
