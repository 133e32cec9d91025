//! The engine's one error type and its mapping to C `errno` values.
//!
//! Every failure the C surface reports is an [`Error`]; `capi` turns it into
//! `-1` plus `errno` through [`Error::errno`], in one place.

use std::fmt;

/// libzmq's base for error numbers that the OS may lack (not on Linux, where
/// every POSIX one exists, but the native ones below are built on it).
pub const ZMQ_HAUSNUMERO: i32 = 156_384_712;
/// The socket's state does not allow the operation (e.g. REQ sending twice).
pub const EFSM: i32 = ZMQ_HAUSNUMERO + 51;
/// The peer's protocol does not fit the socket type.
pub const ENOCOMPATPROTO: i32 = ZMQ_HAUSNUMERO + 52;
/// The context was terminated.
pub const ETERM: i32 = ZMQ_HAUSNUMERO + 53;
/// No io thread available.
pub const EMTHREAD: i32 = ZMQ_HAUSNUMERO + 54;

/// An error as libzmq reports it: an errno value.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Error(i32);

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub const EAGAIN: Error = Error(libc::EAGAIN);
    pub const EINVAL: Error = Error(libc::EINVAL);
    pub const EINTR: Error = Error(libc::EINTR);
    pub const EFAULT: Error = Error(libc::EFAULT);
    pub const ENOMEM: Error = Error(libc::ENOMEM);
    pub const EMFILE: Error = Error(libc::EMFILE);
    pub const ENOTSUP: Error = Error(libc::ENOTSUP);
    pub const EPROTONOSUPPORT: Error = Error(libc::EPROTONOSUPPORT);
    pub const ENOTSOCK: Error = Error(libc::ENOTSOCK);
    pub const EHOSTUNREACH: Error = Error(libc::EHOSTUNREACH);
    pub const EADDRINUSE: Error = Error(libc::EADDRINUSE);
    pub const EADDRNOTAVAIL: Error = Error(libc::EADDRNOTAVAIL);
    pub const ECONNREFUSED: Error = Error(libc::ECONNREFUSED);
    pub const ENOENT: Error = Error(libc::ENOENT);
    pub const EMSGSIZE: Error = Error(libc::EMSGSIZE);
    pub const ENODEV: Error = Error(libc::ENODEV);
    pub const EBADF: Error = Error(libc::EBADF);
    pub const EFSM: Error = Error(EFSM);
    pub const ENOCOMPATPROTO: Error = Error(ENOCOMPATPROTO);
    pub const ETERM: Error = Error(ETERM);
    pub const EMTHREAD: Error = Error(EMTHREAD);

    /// An error from a raw errno value.
    pub const fn from_errno(errno: i32) -> Error {
        Error(errno)
    }

    /// The errno value C callers see.
    pub const fn errno(self) -> i32 {
        self.0
    }

    /// The last OS error of this thread.
    pub fn last_os_error() -> Error {
        Error(
            std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO),
        )
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error(e.raw_os_error().unwrap_or(libc::EIO))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({}: {})", self.0, strerror(self.0))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&strerror(self.0))
    }
}

impl std::error::Error for Error {}

/// A broken internal invariant or an unrecoverable failure (no memory, no
/// randomness): abort with a message on stderr, as libzmq's `zmq_assert`
/// and `alloc_assert` do. The only place the library prints; never used
/// for a caller's mistake, which gets libzmq's errno instead.
#[cold]
pub fn fatal(what: &str) -> ! {
    eprintln!("libzmq-rs: fatal: {what}");
    std::process::abort()
}

/// libzmq's text for an error number: its own for the native errors and
/// EHOSTUNREACH, the C library's for the rest.
pub fn strerror(errnum: i32) -> String {
    match native_text(errnum) {
        Some(s) => s.to_string(),
        None => std::io::Error::from_raw_os_error(errnum)
            .to_string()
            .split(" (os error")
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}

/// The texts libzmq defines itself (NUL-terminated for the C surface).
pub fn native_text_c(errnum: i32) -> Option<&'static [u8]> {
    Some(match errnum {
        EFSM => b"Operation cannot be accomplished in current state\0",
        ENOCOMPATPROTO => b"The protocol is not compatible with the socket type\0",
        ETERM => b"Context was terminated\0",
        EMTHREAD => b"No thread available\0",
        libc::EHOSTUNREACH => b"Host unreachable\0",
        _ => return None,
    })
}

fn native_text(errnum: i32) -> Option<&'static str> {
    native_text_c(errnum).map(|b| std::str::from_utf8(&b[..b.len() - 1]).unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_errors_have_libzmq_values_and_texts() {
        assert_eq!(EFSM, 156_384_763);
        assert_eq!(ETERM, 156_384_765);
        assert_eq!(strerror(ETERM), "Context was terminated");
        assert_eq!(strerror(libc::EHOSTUNREACH), "Host unreachable");
        assert_eq!(strerror(libc::EINVAL), "Invalid argument");
    }
}
