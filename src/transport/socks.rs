//! tcp connects through a SOCKS5 proxy (`ZMQ_SOCKS_PROXY`, RFC 1928, with
//! RFC 1929 username/password when `ZMQ_SOCKS_USERNAME` is set), as
//! libzmq 4.3.5's `socks_connecter_t` does them.
//!
//! [`Handshake`] is the client side of the negotiation without I/O: it
//! says what to write and how many bytes to read next, and never asks for
//! more than the current reply holds, so whatever the peer sends after the
//! proxy's last reply (its ZMTP greeting) stays in the socket for the
//! engine. [`SocksStream`] drives it over the tcp connection to the proxy
//! inside [`Stream::poll_connect`]; once the proxy granted the connection
//! it is that tcp connection. [`SocksConnecter`] opens one per attempt.
//!
//! What libzmq does, and so we do:
//! - the greeting offers one method: username/password if a username is
//!   set, else none; the proxy may choose either of the two whatever was
//!   offered (choosing username/password sends the credentials we have,
//!   empty ones included), anything else fails the attempt;
//! - the target is sent as the proxy should connect to it: a numeric IPv4
//!   or IPv6 host as an address, anything else as a domain name,
//!   unresolved; a target without a port (`*`) fails at the request;
//! - every failure (refused tcp connect, closed connection, a reply with a
//!   bad version, a refusal) closes the socket (`CLOSED`) and schedules a
//!   retry (`CONNECT_RETRIED`); `ZMQ_RECONNECT_STOP_CONN_REFUSED` and
//!   `ZMQ_CONNECT_TIMEOUT` do not apply;
//! - monitor events name `tcp://` + the proxy address as set, for the
//!   whole life of the connection.

use std::fmt;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, RawFd};

use super::stream::{delegate_source, delegate_stream_io, to_io_error, Connecter, Stream};
use super::tcp::{self, check_connect_syntax, TcpConnecter, TcpConnection};
use super::tcp_address::atoi;
use crate::options::Options;
use crate::sys::net as sys;
use crate::Result;

const SOCKS_VERSION: u8 = 0x05;
/// RFC 1929's sub-negotiation has a version of its own.
const AUTH_VERSION: u8 = 0x01;
const METHOD_NO_AUTH: u8 = 0x00;
const METHOD_BASIC: u8 = 0x02;
const CMD_CONNECT: u8 = 0x01;
const ATYP_IPV4: u8 = 0x01;
const ATYP_DOMAIN: u8 = 0x03;
const ATYP_IPV6: u8 = 0x04;
/// The highest reply code RFC 1928 defines; libzmq fails a reply as soon
/// as it reads a higher one, and any other non-zero one once it is whole.
const MAX_REPLY_CODE: u8 = 0x08;
/// The longest reply: a domain-name address of 255 bytes.
const MAX_REPLY: usize = 4 + 1 + 255 + 2;

/// Why a SOCKS negotiation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SocksError {
    /// The proxy closed the connection, or a write moved nothing.
    Closed,
    /// A reply's version byte (5, or 1 in the username/password reply).
    BadVersion(u8),
    /// The proxy chose a method we cannot use (0xff: none acceptable).
    Method(u8),
    /// The proxy refused the username and password (its status byte).
    AuthFailed(u8),
    /// The CONNECT reply's code was not "succeeded" (0).
    Refused(u8),
    /// The CONNECT reply's reserved byte was not 0.
    Reserved(u8),
    /// The CONNECT reply's bound address has an unknown type.
    AddressType(u8),
    /// The target has no usable port, or a host name over 255 bytes.
    Target,
    /// A username or password over 255 bytes (options cap them first).
    Credentials,
}

impl fmt::Display for SocksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SocksError::Closed => write!(f, "SOCKS proxy closed the connection"),
            SocksError::BadVersion(v) => write!(f, "SOCKS reply with version {v:#x}"),
            SocksError::Method(m) => write!(f, "SOCKS proxy chose method {m:#x}"),
            SocksError::AuthFailed(s) => write!(f, "SOCKS authentication failed ({s:#x})"),
            SocksError::Refused(c) => write!(f, "SOCKS proxy refused the connection ({c:#x})"),
            SocksError::Reserved(r) => write!(f, "SOCKS reply with reserved byte {r:#x}"),
            SocksError::AddressType(t) => write!(f, "SOCKS reply with address type {t:#x}"),
            SocksError::Target => write!(f, "SOCKS target address unusable"),
            SocksError::Credentials => write!(f, "SOCKS username or password too long"),
        }
    }
}

impl std::error::Error for SocksError {}

impl From<SocksError> for io::Error {
    fn from(e: SocksError) -> io::Error {
        let kind = match e {
            SocksError::Closed => io::ErrorKind::UnexpectedEof,
            SocksError::Target | SocksError::Credentials => io::ErrorKind::InvalidInput,
            _ => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, e)
    }
}

/// `ZMQ_SOCKS_USERNAME` and `ZMQ_SOCKS_PASSWORD`.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Credentials {
    pub(crate) username: Vec<u8>,
    pub(crate) password: Vec<u8>,
}

impl Credentials {
    pub(crate) fn from_options(options: &Options) -> Credentials {
        Credentials {
            username: options.socks_proxy_username.clone(),
            password: options.socks_proxy_password.clone(),
        }
    }

    /// The one method the greeting offers: an empty username means none.
    fn method(&self) -> u8 {
        if self.username.is_empty() {
            METHOD_NO_AUTH
        } else {
            METHOD_BASIC
        }
    }
}

impl fmt::Debug for Credentials {
    // Keep the password out of logs and panic messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &String::from_utf8_lossy(&self.username))
            .finish_non_exhaustive()
    }
}

/// The host the proxy is asked to connect to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Host {
    V4([u8; 4]),
    V6([u8; 16]),
    /// Sent as given, for the proxy to resolve (at most 255 bytes).
    Domain(Vec<u8>),
}

/// The destination of the CONNECT request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) host: Host,
    pub(crate) port: u16,
}

impl Target {
    /// The `zmq_connect` address (after `tcp://`) as libzmq's socks
    /// connecter reads it: the port is what C's `atoi` makes of the text
    /// after the last `:` (truncated to 16 bits; 0, as from `*`, is an
    /// error), the host what precedes it, without the brackets of
    /// `[::1]`. A host `getaddrinfo` takes as numeric is sent as an
    /// address; any other is a name, never resolved here.
    pub(crate) fn parse(address: &str) -> std::result::Result<Target, SocksError> {
        let (host, port) = address.rsplit_once(':').ok_or(SocksError::Target)?;
        let host = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            Some(inner) => inner,
            None => host,
        };
        let port = atoi(port) as u16;
        if port == 0 {
            return Err(SocksError::Target);
        }
        let numeric = sys::getaddrinfo(host, libc::AF_UNSPEC, libc::AI_NUMERICHOST)
            .ok()
            .and_then(|addrs| addrs.into_iter().next());
        let host = match numeric {
            Some(std::net::SocketAddr::V4(a)) => Host::V4(a.ip().octets()),
            Some(std::net::SocketAddr::V6(a)) => Host::V6(a.ip().octets()),
            None if host.len() <= 255 => Host::Domain(host.as_bytes().to_vec()),
            // libzmq asserts here; one failed attempt is kinder.
            None => return Err(SocksError::Target),
        };
        Ok(Target { host, port })
    }
}

/// Where the negotiation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    SendGreeting,
    ReadChoice,
    SendAuth,
    ReadAuthReply,
    SendRequest,
    ReadReply,
    Done,
    Failed(SocksError),
}

/// The client side of a SOCKS5 negotiation, without I/O: write
/// [`Handshake::output`] (and report it with
/// [`Handshake::advance_output`]) while there is some, then read at most
/// [`Handshake::wanted`] bytes and [`Handshake::feed`] them, until
/// [`Handshake::is_done`] or an error.
#[derive(Debug)]
pub(crate) struct Handshake {
    step: Step,
    credentials: Credentials,
    /// Parsed at each attempt but only needed for the request: a bad one
    /// fails where libzmq's does, once the proxy chose a method.
    target: std::result::Result<Target, SocksError>,
    out: Vec<u8>,
    written: usize,
    /// The reply being read.
    reply: Vec<u8>,
}

impl Handshake {
    pub(crate) fn new(
        credentials: Credentials,
        target: std::result::Result<Target, SocksError>,
    ) -> Handshake {
        let out = vec![SOCKS_VERSION, 1, credentials.method()];
        Handshake {
            step: Step::SendGreeting,
            credentials,
            target,
            out,
            written: 0,
            reply: Vec::with_capacity(MAX_REPLY),
        }
    }

    /// The bytes to write now (empty while a reply is awaited).
    pub(crate) fn output(&self) -> &[u8] {
        match self.step {
            Step::SendGreeting | Step::SendAuth | Step::SendRequest => &self.out[self.written..],
            _ => &[],
        }
    }

    /// `n` bytes of [`Handshake::output`] were written.
    pub(crate) fn advance_output(&mut self, n: usize) {
        let next = match self.step {
            Step::SendGreeting => Step::ReadChoice,
            Step::SendAuth => Step::ReadAuthReply,
            Step::SendRequest => Step::ReadReply,
            _ => return,
        };
        self.written = (self.written + n).min(self.out.len());
        if self.written == self.out.len() {
            self.reply.clear();
            self.step = next;
        }
    }

    /// How many bytes the reply being read still needs (0 when none is
    /// awaited). Reading no more than this leaves what follows the
    /// proxy's last reply in the socket.
    pub(crate) fn wanted(&self) -> usize {
        let total = match self.step {
            Step::ReadChoice | Step::ReadAuthReply => 2,
            Step::ReadReply => match (self.reply.get(3), self.reply.get(4)) {
                (Some(&ATYP_IPV4), Some(_)) => 4 + 4 + 2,
                (Some(&ATYP_IPV6), Some(_)) => 4 + 16 + 2,
                (Some(&ATYP_DOMAIN), Some(&len)) => 4 + 1 + usize::from(len) + 2,
                // Up to the domain name's length byte, the shortest reply
                // has 5.
                _ => 5,
            },
            _ => return 0,
        };
        total.saturating_sub(self.reply.len())
    }

    /// Takes from `input` what the awaited reply still lacks (never
    /// beyond its end) and returns how many bytes it took. Each reply is
    /// checked as its bytes come: a wrong version, an unusable method, a
    /// failed authentication or a refusal is an error, after which the
    /// handshake stays failed.
    pub(crate) fn feed(&mut self, input: &[u8]) -> std::result::Result<usize, SocksError> {
        if let Step::Failed(e) = self.step {
            return Err(e);
        }
        let mut taken = 0;
        // The length of a reply shows as it is read, hence the loop.
        loop {
            let n = (input.len() - taken).min(self.wanted());
            if n == 0 {
                return Ok(taken);
            }
            self.reply.extend_from_slice(&input[taken..taken + n]);
            taken += n;
            if let Err(e) = self.check_reply() {
                self.step = Step::Failed(e);
                return Err(e);
            }
        }
    }

    pub(crate) fn is_done(&self) -> bool {
        self.step == Step::Done
    }

    /// The error the handshake failed with, if it did.
    pub(crate) fn error(&self) -> Option<SocksError> {
        match self.step {
            Step::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// Checks what arrived of the current reply and moves on once it is
    /// complete.
    fn check_reply(&mut self) -> std::result::Result<(), SocksError> {
        let r = &self.reply;
        match self.step {
            Step::ReadChoice => {
                if r[0] != SOCKS_VERSION {
                    return Err(SocksError::BadVersion(r[0]));
                }
                let Some(&method) = r.get(1) else {
                    return Ok(());
                };
                match method {
                    METHOD_BASIC => self.send_auth(),
                    METHOD_NO_AUTH => self.send_request(),
                    other => Err(SocksError::Method(other)),
                }
            }
            Step::ReadAuthReply => {
                if r[0] != AUTH_VERSION {
                    return Err(SocksError::BadVersion(r[0]));
                }
                match r.get(1) {
                    None => Ok(()),
                    Some(0) => self.send_request(),
                    Some(&status) => Err(SocksError::AuthFailed(status)),
                }
            }
            Step::ReadReply => {
                if r[0] != SOCKS_VERSION {
                    return Err(SocksError::BadVersion(r[0]));
                }
                if let Some(&code) = r.get(1).filter(|&&c| c > MAX_REPLY_CODE) {
                    return Err(SocksError::Refused(code));
                }
                if let Some(&reserved) = r.get(2).filter(|&&b| b != 0) {
                    return Err(SocksError::Reserved(reserved));
                }
                if let Some(&atyp) = r.get(3) {
                    if !matches!(atyp, ATYP_IPV4 | ATYP_DOMAIN | ATYP_IPV6) {
                        return Err(SocksError::AddressType(atyp));
                    }
                }
                if r.len() < 5 || self.wanted() > 0 {
                    return Ok(());
                }
                // The bound address and port are of no use to us (nor to
                // libzmq): only the code counts.
                match r[1] {
                    0 => {
                        self.step = Step::Done;
                        Ok(())
                    }
                    code => Err(SocksError::Refused(code)),
                }
            }
            _ => Ok(()),
        }
    }

    /// RFC 1929's request: version, then the username and the password,
    /// each after its length.
    fn send_auth(&mut self) -> std::result::Result<(), SocksError> {
        let Credentials { username, password } = &self.credentials;
        let (Ok(ulen), Ok(plen)) = (u8::try_from(username.len()), u8::try_from(password.len()))
        else {
            return Err(SocksError::Credentials);
        };
        let mut out = Vec::with_capacity(3 + username.len() + password.len());
        out.extend_from_slice(&[AUTH_VERSION, ulen]);
        out.extend_from_slice(username);
        out.push(plen);
        out.extend_from_slice(password);
        self.start_sending(out, Step::SendAuth);
        Ok(())
    }

    /// The CONNECT request: version, command, reserved, the address with
    /// its type, the port in network order.
    fn send_request(&mut self) -> std::result::Result<(), SocksError> {
        let target = self.target.clone()?;
        let mut out = vec![SOCKS_VERSION, CMD_CONNECT, 0];
        match &target.host {
            Host::V4(a) => {
                out.push(ATYP_IPV4);
                out.extend_from_slice(a);
            }
            Host::V6(a) => {
                out.push(ATYP_IPV6);
                out.extend_from_slice(a);
            }
            Host::Domain(name) => {
                let len = u8::try_from(name.len()).map_err(|_| SocksError::Target)?;
                out.extend_from_slice(&[ATYP_DOMAIN, len]);
                out.extend_from_slice(name);
            }
        }
        out.extend_from_slice(&target.port.to_be_bytes());
        self.start_sending(out, Step::SendRequest);
        Ok(())
    }

    fn start_sending(&mut self, out: Vec<u8>, step: Step) {
        self.out = out;
        self.written = 0;
        self.step = step;
    }
}

/// A connection through a SOCKS5 proxy: the tcp connection to the proxy
/// and, until the proxy granted the CONNECT, the negotiation.
#[derive(Debug)]
pub(crate) struct SocksStream(TcpConnection, Box<Negotiation>);

#[derive(Debug)]
struct Negotiation {
    /// The options the tcp connection is tuned with once it is
    /// established; `None` after that.
    tuning: Option<Options>,
    handshake: Handshake,
}

delegate_stream_io!(SocksStream);

impl SocksStream {
    fn new(tcp: TcpConnection, options: &Options, handshake: Handshake) -> SocksStream {
        let negotiation = Negotiation {
            tuning: Some(options.clone()),
            handshake,
        };
        SocksStream(tcp, Box::new(negotiation))
    }

    /// Writes and reads the negotiation until it is done, fails, or the
    /// socket would block (then the io thread's next edge resumes it).
    fn negotiate(&mut self) -> io::Result<()> {
        let SocksStream(tcp, n) = self;
        let hs = &mut n.handshake;
        let mut buf = [0u8; MAX_REPLY];
        loop {
            if hs.is_done() {
                return Ok(());
            }
            if let Some(e) = hs.error() {
                return Err(e.into());
            }
            let out = hs.output();
            if !out.is_empty() {
                match tcp.write(out) {
                    Ok(0) => return Err(SocksError::Closed.into()),
                    Ok(written) => hs.advance_output(written),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
                continue;
            }
            let want = hs.wanted().min(buf.len());
            match tcp.read(&mut buf[..want]) {
                Ok(0) => return Err(SocksError::Closed.into()),
                Ok(read) => {
                    hs.feed(&buf[..read])?;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl Stream for SocksStream {
    fn poll_connect(&mut self) -> io::Result<()> {
        if let Some(options) = &self.1.tuning {
            self.0.poll_connect()?;
            // libzmq tunes the proxy connection before its greeting; a
            // failure there fails the attempt.
            tcp::tune_nodelay_keepalives(self.0.as_fd(), options).map_err(to_io_error)?;
            self.1.tuning = None;
        }
        self.negotiate()
    }

    fn local_endpoint(&self) -> String {
        self.0.local_endpoint()
    }

    fn peer_endpoint(&self) -> String {
        self.0.peer_endpoint()
    }

    fn peer_address(&self) -> String {
        self.0.peer_address()
    }

    fn fd(&self) -> RawFd {
        self.0.fd()
    }
}

/// Connects to tcp endpoints through the proxy of `ZMQ_SOCKS_PROXY`.
pub(crate) struct SocksConnecter {
    /// Resolves and connects to the proxy at each attempt.
    proxy: TcpConnecter,
    /// The `zmq_connect` address after `tcp://`, for the proxy to reach.
    target: String,
    /// `tcp://` + the proxy address as set: what libzmq's socks connecter
    /// names in every event of its connections.
    endpoint: String,
}

impl SocksConnecter {
    /// Checks the target's syntax, as `zmq_connect` does for any tcp
    /// address; the proxy address is not checked (libzmq only resolves it
    /// at each attempt, failing them if it is bad).
    pub(crate) fn new(target: &str, options: &Options) -> Result<SocksConnecter> {
        check_connect_syntax(target)?;
        let proxy = String::from_utf8_lossy(&options.socks_proxy_address).into_owned();
        Ok(SocksConnecter {
            endpoint: format!("tcp://{proxy}"),
            proxy: TcpConnecter::unchecked(&proxy),
            target: target.to_string(),
        })
    }
}

impl SocksConnecter {
    /// The SOCKS negotiation over a connection to the proxy being made.
    fn wrap(&self, tcp: TcpConnection, options: &Options) -> Box<dyn Stream> {
        let handshake = Handshake::new(
            Credentials::from_options(options),
            Target::parse(&self.target),
        );
        Box::new(SocksStream::new(tcp, options, handshake))
    }
}

impl Connecter for SocksConnecter {
    fn connect(&mut self, options: &Options) -> io::Result<Box<dyn Stream>> {
        let tcp = TcpConnection(self.proxy.connect_raw(options)?);
        Ok(self.wrap(tcp, options))
    }

    /// The proxy's next address, if its name gave several.
    fn connect_next(&mut self, options: &Options) -> Option<io::Result<Box<dyn Stream>>> {
        let tcp = self.proxy.connect_next_raw(options)?;
        Some(tcp.map(|tcp| self.wrap(TcpConnection(tcp), options)))
    }

    fn awaits_lookup(&self) -> bool {
        self.proxy.awaits_lookup()
    }

    fn set_wake(&mut self, wake: super::Wake) {
        self.proxy.set_wake(wake);
    }

    fn reports_connect_delayed(&self) -> bool {
        true
    }

    fn stops_on_refused(&self) -> bool {
        false
    }

    fn event_endpoint(&self) -> Option<String> {
        Some(self.endpoint.clone())
    }

    fn take_closed_fd(&mut self) -> Option<std::os::fd::RawFd> {
        self.proxy.take_closed_fd()
    }
}

#[cfg(test)]
#[path = "socks_tests.rs"]
mod tests;
