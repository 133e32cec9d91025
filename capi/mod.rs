//! The `extern "C"` surface that mirrors upstream `zmq.h` 4.3.5.
//!
//! Exports are written out literally (`#[no_mangle] pub unsafe extern "C"`)
//! because cbindgen reads the source and does not expand macros. Each export
//! decodes its arguments, calls the engine and maps the result to libzmq's
//! convention (`-1` and `errno`) through the helpers in `ffi`.
