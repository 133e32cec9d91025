//! The byte streams and listeners sessions use: tcp or ipc (unix domain),
//! behind one type so the session does not care which.

use std::io::{self, IoSlice, Read, Write};
use std::os::fd::{AsRawFd, RawFd};

use mio::event::Source;
use mio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use mio::{Interest, Registry, Token};

/// A connected stream.
#[derive(Debug)]
pub enum Stream {
    Tcp(TcpStream),
    Ipc(UnixStream),
}

impl Stream {
    /// The connect outcome of a non-blocking connect: `Ok(())` once
    /// established, the error if it failed, `WouldBlock` while pending.
    pub fn connect_result(&self) -> io::Result<()> {
        let err = match self {
            Stream::Tcp(s) => s.take_error()?,
            Stream::Ipc(s) => s.take_error()?,
        };
        if let Some(e) = err {
            return Err(e);
        }
        match self {
            Stream::Tcp(s) => s.peer_addr().map(|_| ()),
            Stream::Ipc(s) => s.peer_addr().map(|_| ()),
        }
        .map_err(|e| {
            if e.kind() == io::ErrorKind::NotConnected {
                io::ErrorKind::WouldBlock.into()
            } else {
                e
            }
        })
    }

    /// Completes a connect that succeeded: the tuning libzmq applies only
    /// once connected (no-delay, keepalives, `TCP_MAXRT`).
    pub fn finish_connect(&self, options: &crate::options::Options) {
        if let Stream::Tcp(s) = self {
            let _ = crate::transport::tcp::finish_connect_tcp(s, options);
        }
    }

    /// Our end as an endpoint string (monitor events).
    pub fn local_endpoint(&self) -> String {
        match self {
            Stream::Tcp(s) => s
                .local_addr()
                .map(|a| crate::transport::tcp::endpoint_string(&a))
                .unwrap_or_default(),
            Stream::Ipc(s) => s
                .local_addr()
                .map(|a| crate::transport::ipc::endpoint_of(&a))
                .unwrap_or_default(),
        }
    }

    /// The peer's end as an endpoint string (monitor events).
    pub fn peer_endpoint(&self) -> String {
        match self {
            Stream::Tcp(s) => s
                .peer_addr()
                .map(|a| crate::transport::tcp::endpoint_string(&a))
                .unwrap_or_default(),
            Stream::Ipc(s) => s
                .peer_addr()
                .map(|a| crate::transport::ipc::endpoint_of(&a))
                .unwrap_or_default(),
        }
    }

    /// The peer's address as libzmq reports it (`Peer-Address`).
    pub fn peer_address(&self) -> String {
        match self {
            Stream::Tcp(s) => s
                .peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default(),
            // libzmq reports an empty address for ipc peers.
            Stream::Ipc(_) => String::new(),
        }
    }
}

impl AsRawFd for Stream {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            Stream::Tcp(s) => s.as_raw_fd(),
            Stream::Ipc(s) => s.as_raw_fd(),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Ipc(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Ipc(s) => s.write(buf),
        }
    }

    /// `sendmsg` with `MSG_NOSIGNAL`: `writev` on a connection the peer
    /// closed would raise SIGPIPE and kill a C program that did not ignore
    /// it.
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        // SAFETY: `msghdr` is plain data; zeroed is a valid empty header.
        let mut hdr: libc::msghdr = unsafe { std::mem::zeroed() };
        // IoSlice is ABI-compatible with iovec on Unix.
        hdr.msg_iov = bufs.as_ptr() as *mut libc::iovec;
        hdr.msg_iovlen = bufs.len().min(libc::UIO_MAXIOV as usize) as _;
        // SAFETY: `hdr` points at live buffers for the duration of the call.
        let n = unsafe { libc::sendmsg(self.as_raw_fd(), &hdr, libc::MSG_NOSIGNAL) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(n as usize)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

macro_rules! delegate_source {
    ($t:ty, $($v:ident),+) => {
        impl Source for $t {
            fn register(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
                match self { $(Self::$v(s) => s.register(r, t, i)),+ }
            }
            fn reregister(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
                match self { $(Self::$v(s) => s.reregister(r, t, i)),+ }
            }
            fn deregister(&mut self, r: &Registry) -> io::Result<()> {
                match self { $(Self::$v(s) => s.deregister(r)),+ }
            }
        }
    };
}

delegate_source!(Stream, Tcp, Ipc);

/// A listening socket.
#[derive(Debug)]
pub enum Listener {
    Tcp(TcpListener),
    Ipc(UnixListener),
}

impl Listener {
    /// Accepts one connection (`WouldBlock` when none is waiting).
    pub fn accept(&self) -> io::Result<Stream> {
        match self {
            Listener::Tcp(l) => l.accept().map(|(s, _)| Stream::Tcp(s)),
            Listener::Ipc(l) => l.accept().map(|(s, _)| Stream::Ipc(s)),
        }
    }
}

impl AsRawFd for Listener {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            Listener::Tcp(l) => l.as_raw_fd(),
            Listener::Ipc(l) => l.as_raw_fd(),
        }
    }
}

delegate_source!(Listener, Tcp, Ipc);
