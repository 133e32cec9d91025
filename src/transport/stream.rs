//! The seam between transports and sessions: a connected byte stream, a
//! listener that yields them and a connecter that opens them, whatever the
//! transport (tcp, ipc, and the layers stacked on tcp).
//!
//! Sessions and listeners on the io threads hold these as trait objects:
//! the set of transports is open (a framing layer may wrap another
//! stream), and the call costs a vtable lookup beside a system call.

use std::fmt;
use std::io::{self, Read, Write};
use std::os::fd::RawFd;

use mio::event::Source;

use super::lookup::Wake;
use crate::options::Options;

/// A connected (or connecting) byte stream, non-blocking, registered in an
/// io thread's poll loop.
pub(crate) trait Stream: Read + Write + Source + Send + fmt::Debug {
    /// Drives a connect in progress: `Ok(())` once the stream is ready to
    /// carry ZMTP, `WouldBlock` while it is not yet, the error if the
    /// attempt failed. Called when the stream becomes ready.
    fn poll_connect(&mut self) -> io::Result<()>;

    /// Tuning applied once a connect succeeded (libzmq sets tcp's
    /// no-delay, keepalives and `TCP_MAXRT` only then).
    fn finish_connect(&mut self, _options: &Options) {}

    /// Our end as an endpoint string (monitor events).
    fn local_endpoint(&self) -> String;

    /// The peer's end as an endpoint string (monitor events).
    fn peer_endpoint(&self) -> String;

    /// The peer's address as libzmq reports it in `Peer-Address`.
    fn peer_address(&self) -> String;

    /// The OS descriptor (monitor events carry it).
    fn fd(&self) -> RawFd;

    /// Whether the stream itself holds output not yet written (a framing
    /// layer's buffer); the session then calls [`Stream::flush_buffered`]
    /// when the socket is writable, even with nothing new to send.
    fn has_buffered_output(&self) -> bool {
        false
    }

    /// A read that returns less than asked for has emptied the stream: the
    /// next readiness event comes with new data, so the session need not
    /// read again just to see `WouldBlock`. True for a plain socket
    /// (tcp, ipc), not for a layer that may hold decoded bytes (TLS, ws).
    fn short_read_drains(&self) -> bool {
        false
    }

    /// A layer's own handshake completed since the last call (libzmq's ws
    /// engine raises `HANDSHAKE_SUCCEEDED` for the upgrade, and again for
    /// the ZMTP handshake).
    fn take_handshake_succeeded(&mut self) -> bool {
        false
    }

    /// Writes all that [`Stream::has_buffered_output`] reported, or
    /// returns `WouldBlock` keeping the rest.
    fn flush_buffered(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A listening socket.
pub(crate) trait Listener: Source + Send {
    /// Accepts one connection: `Ok(None)` for one the socket's accept
    /// filters refused (it is closed, with no event, as in libzmq),
    /// `WouldBlock` when none is waiting. An error in tuning the accepted
    /// socket is returned for `ZMQ_EVENT_ACCEPT_FAILED`.
    fn accept(&mut self, options: &Options) -> io::Result<Option<Box<dyn Stream>>>;

    /// The OS descriptor (monitor events carry it).
    fn fd(&self) -> RawFd;
}

/// Opens connection attempts to one endpoint, resolving it at each attempt
/// as libzmq does (host names off the io thread, `super::lookup`).
pub(crate) trait Connecter: Send {
    /// Starts one non-blocking attempt; an error is one failed attempt,
    /// unless [`Connecter::awaits_lookup`]: then the attempt waits for a
    /// name lookup, and the [`Wake`] given by [`Connecter::set_wake`] says
    /// when to call again.
    fn connect(&mut self, options: &Options) -> io::Result<Box<dyn Stream>>;

    /// After this attempt's connect failed (at once, or later, or timed
    /// out): a connect to the next address the name resolved to, if one
    /// is left (`None` ends the attempt).
    fn connect_next(&mut self, _options: &Options) -> Option<io::Result<Box<dyn Stream>>> {
        None
    }

    /// Whether the attempt waits for a name lookup.
    fn awaits_lookup(&self) -> bool {
        false
    }

    /// How a finished lookup tells the io thread.
    fn set_wake(&mut self, _wake: Wake) {}

    /// Whether an attempt is bounded by `ZMQ_CONNECT_TIMEOUT` (libzmq's
    /// tcp and ws connecters; ipc and socks have no such timer).
    fn has_connect_timer(&self) -> bool {
        false
    }

    /// Whether an attempt in progress is reported as `CONNECT_DELAYED`:
    /// libzmq's tcp connecter does so, and its socks connecter too though
    /// it has no connect timer.
    fn reports_connect_delayed(&self) -> bool {
        self.has_connect_timer()
    }

    /// Whether `ZMQ_RECONNECT_STOP_CONN_REFUSED` ends the endpoint on a
    /// refused attempt (libzmq's socks connecter ignores it and retries).
    fn stops_on_refused(&self) -> bool {
        true
    }

    /// The endpoint monitor events name, when it is not the address given
    /// to `zmq_connect` (libzmq's socks connecter names the proxy).
    fn event_endpoint(&self) -> Option<String> {
        None
    }

    /// After a failed [`Connecter::connect`]: the descriptor of the socket
    /// the attempt had opened and closed again, if it got that far. libzmq's
    /// connecters close such a socket with a `CLOSED` event (its number as
    /// the value) before they schedule the retry.
    fn take_closed_fd(&mut self) -> Option<RawFd> {
        None
    }
}

/// A bound endpoint, as `zmq_bind` returns it to the socket.
pub(crate) struct Bound {
    pub listener: Box<dyn Listener>,
    /// The resolved endpoint (`ZMQ_LAST_ENDPOINT`).
    pub endpoint: String,
    /// Dropped when the listener closes (an ipc wildcard's directory).
    pub cleanup: Option<Box<dyn Send>>,
}

impl fmt::Debug for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bound({}, fd {})", self.endpoint, self.listener.fd())
    }
}

/// The outcome of a non-blocking connect, from the socket's pending error
/// and whether it has a peer yet: `WouldBlock` while still connecting.
pub(crate) fn connect_outcome(
    pending_error: io::Result<Option<io::Error>>,
    has_peer: io::Result<()>,
) -> io::Result<()> {
    if let Some(e) = pending_error? {
        return Err(e);
    }
    has_peer.map_err(|e| {
        if e.kind() == io::ErrorKind::NotConnected {
            io::ErrorKind::WouldBlock.into()
        } else {
            e
        }
    })
}

/// A layer's protocol error (a bad HTTP upgrade, a bad ws frame): the
/// connection ends as for a ZMTP protocol error (no reconnect), after a
/// `HANDSHAKE_FAILED_PROTOCOL` event with `handshake_failed` if given.
#[derive(Debug)]
pub(crate) struct ProtocolError {
    pub errno: i32,
    pub handshake_failed: Option<i32>,
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "protocol error (errno {})", self.errno)
    }
}

impl std::error::Error for ProtocolError {}

/// A [`ProtocolError`] as a stream's read or write error.
pub(crate) fn protocol_error(errno: i32, handshake_failed: Option<i32>) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        ProtocolError {
            errno,
            handshake_failed,
        },
    )
}

/// The [`ProtocolError`] inside a stream's error, if it is one.
pub(crate) fn as_protocol_error(e: &io::Error) -> Option<&ProtocolError> {
    e.get_ref().and_then(|inner| inner.downcast_ref())
}

/// An engine error as the `io::Error` a connect attempt reports.
pub(crate) fn to_io_error(e: crate::Error) -> io::Error {
    io::Error::from_raw_os_error(e.errno())
}

/// `Read`, `Write` and mio's `Source` for a newtype over a mio stream
/// (`.0`): vectored writes go through `sys::send_vectored` (no SIGPIPE).
macro_rules! delegate_stream_io {
    ($t:ty) => {
        impl std::io::Read for $t {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.0.read(buf)
            }
        }

        impl std::io::Write for $t {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.write(buf)
            }

            fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
                use std::os::fd::AsFd;
                $crate::sys::net::send_vectored(self.0.as_fd(), bufs)
            }

            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }

        delegate_source!($t);
    };
}

/// mio's `Source` for a type whose field `$f` (`.0` by default) is the
/// registered source: a newtype over a mio socket, or a layer over
/// another stream or listener.
macro_rules! delegate_source {
    ($t:ty) => {
        delegate_source!($t, 0);
    };
    ($t:ty, $f:tt) => {
        impl mio::event::Source for $t {
            fn register(
                &mut self,
                r: &mio::Registry,
                t: mio::Token,
                i: mio::Interest,
            ) -> std::io::Result<()> {
                self.$f.register(r, t, i)
            }
            fn reregister(
                &mut self,
                r: &mio::Registry,
                t: mio::Token,
                i: mio::Interest,
            ) -> std::io::Result<()> {
                self.$f.reregister(r, t, i)
            }
            fn deregister(&mut self, r: &mio::Registry) -> std::io::Result<()> {
                self.$f.deregister(r)
            }
        }
    };
}

pub(crate) use {delegate_source, delegate_stream_io};
