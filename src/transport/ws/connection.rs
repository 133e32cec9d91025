//! The `ws://` transport's IO half: a [`WsStream`] runs the sans-IO
//! [`WsAdapter`] over another stream (tcp, or TLS for wss), so the session
//! and the ZMTP engine see an ordinary byte stream; listeners and
//! connecters are tcp's, with libzmq's ws addresses.

use std::io::{self, Read, Write};
use std::os::fd::RawFd;

use super::handshake::host_and_path;
use super::{WsAdapter, WsError};
use crate::options::consts::{ZMQ_CURVE, ZMQ_NULL, ZMQ_PLAIN};
use crate::options::Options;
use crate::transport::stream::{
    delegate_source, protocol_error, to_io_error, Bound, Connecter, Listener, Stream,
};
use crate::transport::tcp::{self, TcpConnecter, TcpConnection};
use crate::transport::tls::{ClientTls, ServerTls};
use crate::{Error, Result};

/// Network bytes read at a time.
const READ_CHUNK: usize = 64 * 1024;

/// A ws connection over `inner`.
#[derive(Debug)]
pub(crate) struct WsStream {
    inner: Box<dyn Stream>,
    adapter: WsAdapter,
    /// Network bytes read from `inner`; `net[at..end]` not yet taken.
    net: Vec<u8>,
    at: usize,
    end: usize,
    /// `HANDSHAKE_SUCCEEDED` for the upgrade was reported.
    upgrade_reported: bool,
    /// The endpoint scheme our endpoint strings carry (`ws` or `wss`).
    scheme: &'static str,
    /// What endpoint strings end with: an accepted connection's carry the
    /// listener's path, as libzmq's `ws_listener_t::get_socket_name`.
    suffix: String,
}

/// The greeting name of the socket's mechanism.
fn mechanism_name(options: &Options) -> &'static [u8] {
    match options.mechanism {
        ZMQ_PLAIN => b"PLAIN",
        ZMQ_CURVE => b"CURVE",
        ZMQ_NULL => b"NULL",
        _ => b"NULL",
    }
}

impl WsStream {
    /// The connecting side, requesting `path` from `host`.
    pub(crate) fn client(
        inner: Box<dyn Stream>,
        options: &Options,
        host: &str,
        path: &str,
        scheme: &'static str,
    ) -> WsStream {
        // A PLAIN or CURVE client's engine reads the greeting of a server.
        let peer_as_server = options.mechanism != ZMQ_NULL && !options.as_server;
        let adapter = WsAdapter::client(host, path, mechanism_name(options), peer_as_server);
        WsStream::new(inner, adapter, options, scheme)
    }

    /// The accepting side, on a listener bound with `path`.
    pub(crate) fn server(
        inner: Box<dyn Stream>,
        options: &Options,
        scheme: &'static str,
        path: &str,
    ) -> WsStream {
        let peer_as_server = options.mechanism != ZMQ_NULL && !options.as_server;
        let adapter = WsAdapter::server(mechanism_name(options), peer_as_server);
        let mut s = WsStream::new(inner, adapter, options, scheme);
        s.suffix = path.to_string();
        s
    }

    fn new(
        inner: Box<dyn Stream>,
        mut adapter: WsAdapter,
        options: &Options,
        scheme: &'static str,
    ) -> WsStream {
        adapter.set_max_msg_size(options.maxmsgsize);
        WsStream {
            inner,
            adapter,
            net: vec![0; READ_CHUNK],
            at: 0,
            end: 0,
            upgrade_reported: false,
            scheme,
            suffix: String::new(),
        }
    }

    /// Writes the adapter's network output; `WouldBlock` if some is left.
    fn flush_output(&mut self) -> io::Result<()> {
        loop {
            let out = self.adapter.network_output();
            if out.is_empty() {
                return Ok(());
            }
            match self.inner.write(out) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => self.adapter.consume_network_output(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Writes what can be written now; what is left waits for the next
    /// writable edge (the session asks through `has_buffered_output`).
    /// A hard error shows again on the next read.
    fn flush_quietly(&mut self) {
        let _ = self.flush_output();
    }

    /// Our endpoint strings name the ws scheme, as libzmq's
    /// `get_socket_name<ws_address_t>` does.
    fn rename(&self, tcp_endpoint: String) -> String {
        match tcp_endpoint.strip_prefix("tcp://") {
            Some(rest) => format!("{}://{rest}{}", self.scheme, self.suffix),
            None => tcp_endpoint,
        }
    }
}

fn ws_error(e: WsError) -> io::Error {
    protocol_error(e.errno(), e.handshake_failed_protocol())
}

impl Read for WsStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.adapter.read_zmtp(buf);
            if n > 0 {
                return Ok(n);
            }
            if self.at < self.end {
                let used = self
                    .adapter
                    .receive(&self.net[self.at..self.end])
                    .map_err(ws_error)?;
                self.at += used;
                // The server's response, pongs and close echoes go out now.
                self.flush_quietly();
                if used > 0 {
                    continue;
                }
            }
            if self.adapter.peer_closed() {
                // libzmq's close_connection_after_close: a connection error.
                self.flush_quietly();
                return Err(io::Error::from_raw_os_error(super::PEER_CLOSE_ERRNO));
            }
            if self.at < self.end {
                // The adapter took nothing although its buffer is empty:
                // cannot happen; never spin on it.
                return Err(protocol_error(libc::EPROTO, None));
            }
            let n = self.inner.read(&mut self.net)?;
            if n == 0 {
                return Ok(0);
            }
            self.at = 0;
            self.end = n;
        }
    }
}

impl Write for WsStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut n = self.adapter.write_zmtp(buf).map_err(ws_error)?;
        if n == 0 && !buf.is_empty() {
            // Over the adapter's output limit: write some out first; a
            // `WouldBlock` here means a writable edge will come.
            self.flush_output()?;
            n = self.adapter.write_zmtp(buf).map_err(ws_error)?;
            if n == 0 {
                // Nothing to wait for and still refused: never report a
                // zero-length write, which the writer would retry forever.
                return Err(io::ErrorKind::WriteZero.into());
            }
        }
        self.flush_quietly();
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

delegate_source!(WsStream, inner);

impl Stream for WsStream {
    fn poll_connect(&mut self) -> io::Result<()> {
        self.inner.poll_connect()
    }

    fn finish_connect(&mut self, options: &Options) {
        self.inner.finish_connect(options)
    }

    fn local_endpoint(&self) -> String {
        self.rename(self.inner.local_endpoint())
    }

    fn peer_endpoint(&self) -> String {
        self.rename(self.inner.peer_endpoint())
    }

    fn peer_address(&self) -> String {
        self.inner.peer_address()
    }

    fn fd(&self) -> RawFd {
        self.inner.fd()
    }

    fn has_buffered_output(&self) -> bool {
        !self.adapter.network_output().is_empty() || self.inner.has_buffered_output()
    }

    fn flush_buffered(&mut self) -> io::Result<()> {
        self.inner.flush_buffered()?;
        self.flush_output()
    }

    fn take_handshake_succeeded(&mut self) -> bool {
        if !self.upgrade_reported && self.adapter.is_upgraded() {
            self.upgrade_reported = true;
            return true;
        }
        false
    }
}

/// A ws address without its path (from the last `/`): what libzmq's ws
/// listener binds with its tcp resolver, after the ws one accepted the
/// whole address.
fn without_path(address: &str) -> &str {
    address
        .rfind('/')
        .map_or(address, |slash| &address[..slash])
}

/// A bound ws (or wss) listener: tcp's, handing out ws streams (over TLS
/// for wss).
struct WsListen {
    tcp: Box<dyn Listener>,
    path: String,
    tls: Option<ServerTls>,
}

delegate_source!(WsListen, tcp);

impl Listener for WsListen {
    fn accept(&mut self, options: &Options) -> io::Result<Option<Box<dyn Stream>>> {
        let Some(tcp) = self.tcp.accept(options)? else {
            return Ok(None);
        };
        let stream: Box<dyn Stream> = match &self.tls {
            None => Box::new(WsStream::server(tcp, options, "ws", &self.path)),
            Some(tls) => {
                let tls = tls.accept(tcp).map_err(to_io_error)?;
                Box::new(WsStream::server(Box::new(tls), options, "wss", &self.path))
            }
        };
        Ok(Some(stream))
    }

    fn fd(&self) -> RawFd {
        self.tcp.fd()
    }
}

/// `zmq_bind ("ws://host:port/path")` (`secure`: `wss://`, whose
/// certificate and key options are checked here, `EINVAL` if unusable):
/// the endpoint reported is `ws://ip:port/path` (the path from the last
/// `/`, or `/`), as libzmq's listener reports it.
pub(crate) fn bind(address: &str, options: &Options, secure: bool) -> Result<Bound> {
    let (_, path) = host_and_path(address).ok_or(Error::EINVAL)?;
    // libzmq's ws listener resolves the address as a ws address first
    // (no host names, no source part), unless ZMQ_USE_FD gives the socket.
    if options.use_fd == -1 {
        tcp::resolve_ws(address, true, options.ipv6)?;
    }
    let tls = secure.then(|| ServerTls::new(options)).transpose()?;
    let Bound {
        listener, endpoint, ..
    } = tcp::bind(without_path(address), options)?;
    let scheme = if secure { "wss://" } else { "ws://" };
    Ok(Bound {
        listener: Box::new(WsListen {
            tcp: listener,
            path: path.to_string(),
            tls,
        }),
        endpoint: format!("{}{path}", endpoint.replacen("tcp://", scheme, 1)),
        cleanup: None,
    })
}

/// Connects to a ws (or wss) address: tcp to `host:port`, TLS for wss,
/// then the upgrade asking for the path.
pub(crate) struct WsConnecter {
    tcp: TcpConnecter,
    host: String,
    path: String,
    tls: Option<ClientTls>,
}

impl WsConnecter {
    /// `secure`: `wss://`; its trust options are read here (`EINVAL` if
    /// unusable), once for every attempt.
    pub(crate) fn new(address: &str, options: &Options, secure: bool) -> Result<WsConnecter> {
        let (host, path) = host_and_path(address).ok_or(Error::EINVAL)?;
        // zmq_connect resolves a ws address at once (host names included),
        // unlike a tcp one; each attempt then resolves the whole address
        // with the tcp resolver, as libzmq's ws connecter does.
        tcp::resolve_ws(address, false, options.ipv6)?;
        Ok(WsConnecter {
            tcp: TcpConnecter::unchecked(address),
            host: host.to_string(),
            path: path.to_string(),
            tls: secure.then(|| ClientTls::new(options)).transpose()?,
        })
    }

    /// The ws (or wss) layers over a tcp connection being made.
    fn wrap(&self, tcp: Box<TcpConnection>, options: &Options) -> io::Result<Box<dyn Stream>> {
        let stream: Box<dyn Stream> = match &self.tls {
            None => Box::new(WsStream::client(tcp, options, &self.host, &self.path, "ws")),
            Some(tls) => {
                let tls = tls.start(tcp, &self.host).map_err(to_io_error)?;
                Box::new(WsStream::client(
                    Box::new(tls),
                    options,
                    &self.host,
                    &self.path,
                    "wss",
                ))
            }
        };
        Ok(stream)
    }
}

impl Connecter for WsConnecter {
    fn connect(&mut self, options: &Options) -> io::Result<Box<dyn Stream>> {
        let tcp = Box::new(TcpConnection(self.tcp.connect_raw(options)?));
        self.wrap(tcp, options)
    }

    fn take_closed_fd(&mut self) -> Option<std::os::fd::RawFd> {
        self.tcp.take_closed_fd()
    }

    fn connect_next(&mut self, options: &Options) -> Option<io::Result<Box<dyn Stream>>> {
        let tcp = self.tcp.connect_next_raw(options)?;
        Some(tcp.and_then(|tcp| self.wrap(Box::new(TcpConnection(tcp)), options)))
    }

    fn awaits_lookup(&self) -> bool {
        self.tcp.awaits_lookup()
    }

    fn set_wake(&mut self, wake: crate::transport::Wake) {
        self.tcp.set_wake(wake);
    }

    /// libzmq's ws connecter has tcp's connect timer and delay event.
    fn has_connect_timer(&self) -> bool {
        true
    }
}
