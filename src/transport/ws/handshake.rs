//! The HTTP/1.1 Upgrade that opens a `ws://` connection, sans-IO, with the
//! acceptance rules of libzmq 4.3.5's `ws_engine_t` (its `client_handshake`
//! and `server_handshake` state machines), which are the wire contract.
//!
//! Both sides parse byte by byte, so nothing but the current header's name
//! (at most [`MAX_HEADER_NAME`] bytes) and value (at most
//! [`MAX_HEADER_VALUE`]) is ever buffered; a longer one fails the handshake
//! as in libzmq. Like libzmq there is no limit on the number of headers:
//! the handshake timer (`ZMQ_HANDSHAKE_IVL`) bounds a peer that never ends.
//!
//! What libzmq checks, and so what we check:
//! - server: request line `GET <target> HTTP/1.1` (the target is not
//!   looked at), `Upgrade: websocket`, a `Connection` list holding
//!   `Upgrade`, a non-empty `Sec-WebSocket-Key` and a
//!   `Sec-WebSocket-Protocol` offer it supports. `Host` and
//!   `Sec-WebSocket-Version` are not checked.
//! - client: status line `HTTP/1.1 101 Switching Protocols`,
//!   `Upgrade: websocket`, `Connection: Upgrade` (exactly, not a list), a
//!   non-empty `Sec-WebSocket-Accept` (its value is not verified: libzmq
//!   leaves that as a TODO) and a `Sec-WebSocket-Protocol` it supports.
//!
//! A header with an empty value is ignored, header names compare without
//! case, protocol names with case.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use sha1::{Digest, Sha1};

/// libzmq's `MAX_HEADER_NAME_LENGTH`.
pub(crate) const MAX_HEADER_NAME: usize = 1024;
/// libzmq's `MAX_HEADER_VALUE_LENGTH`.
pub(crate) const MAX_HEADER_VALUE: usize = 2048;

/// RFC 6455's GUID appended to the key before hashing.
const ACCEPT_GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The handshake failed: a malformed or refused request or response.
/// libzmq raises `HANDSHAKE_FAILED_PROTOCOL(ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HandshakeError;

/// A ZWS 2.0 sub-protocol, as named in `Sec-WebSocket-Protocol`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ZwsProtocol {
    /// `ZWS2.0`: no mechanism; each side first sends its routing id, then
    /// messages (ZMTP 2.0 style).
    Bare,
    /// `ZWS2.0/NULL`.
    Null,
    /// `ZWS2.0/PLAIN`.
    Plain,
    /// `ZWS2.0/CURVE`.
    Curve,
}

impl ZwsProtocol {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ZwsProtocol::Bare => "ZWS2.0",
            ZwsProtocol::Null => "ZWS2.0/NULL",
            ZwsProtocol::Plain => "ZWS2.0/PLAIN",
            ZwsProtocol::Curve => "ZWS2.0/CURVE",
        }
    }

    /// Whether a ZMTP security handshake follows the upgrade.
    pub(crate) fn has_mechanism(self) -> bool {
        self != ZwsProtocol::Bare
    }
}

/// The socket's `ZMQ_MECHANISM`, which alone decides what a side offers
/// and accepts (libzmq's `start_ws_handshake` and `select_protocol`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mechanism {
    Null,
    Plain,
    Curve,
    /// GSSAPI or unknown: libzmq asserts; we offer and accept nothing, so
    /// the handshake fails.
    Unsupported,
}

impl Mechanism {
    /// From the greeting's mechanism name ("NULL", "PLAIN", "CURVE", ...).
    pub(crate) fn from_name(name: &[u8]) -> Mechanism {
        match name {
            b"NULL" => Mechanism::Null,
            b"PLAIN" => Mechanism::Plain,
            b"CURVE" => Mechanism::Curve,
            _ => Mechanism::Unsupported,
        }
    }

    /// The client's `Sec-WebSocket-Protocol` value. A NULL client offers
    /// the NULL mechanism first and the bare protocol second.
    pub(crate) fn offer(self) -> &'static str {
        match self {
            Mechanism::Null => "ZWS2.0/NULL,ZWS2.0",
            Mechanism::Plain => "ZWS2.0/PLAIN",
            Mechanism::Curve => "ZWS2.0/CURVE",
            Mechanism::Unsupported => "",
        }
    }

    /// libzmq's `select_protocol`: a side accepts only the protocol of its
    /// own mechanism, plus the bare one when its mechanism is NULL. So a
    /// PLAIN server refuses a NULL client's offer and vice versa.
    pub(crate) fn select(self, candidate: &[u8]) -> Option<ZwsProtocol> {
        match (self, candidate) {
            (Mechanism::Null, b"ZWS2.0") => Some(ZwsProtocol::Bare),
            (Mechanism::Null, b"ZWS2.0/NULL") => Some(ZwsProtocol::Null),
            (Mechanism::Plain, b"ZWS2.0/PLAIN") => Some(ZwsProtocol::Plain),
            (Mechanism::Curve, b"ZWS2.0/CURVE") => Some(ZwsProtocol::Curve),
            _ => None,
        }
    }
}

/// The `Sec-WebSocket-Accept` value for `key`: base64(SHA-1(key + GUID)).
pub(crate) fn accept_key(key: &[u8]) -> String {
    let mut sha = Sha1::new();
    sha.update(key);
    sha.update(ACCEPT_GUID);
    BASE64.encode(sha.finalize())
}

/// A fresh `Sec-WebSocket-Key`: 16 random bytes in base64. libzmq notes
/// it only has to defeat proxy caches, not be secret.
pub(crate) fn new_key() -> String {
    let mut nonce = [0u8; 16];
    // Without an OS random source any nonce does; zeros keep it valid.
    let _ = getrandom::getrandom(&mut nonce);
    BASE64.encode(nonce)
}

/// The Host header and request path libzmq derives from the address after
/// `ws://` (`ws_address_t::resolve`): the host is everything before the
/// last `:` (so the port is not part of it, and an IPv6 host keeps its
/// brackets); the path is everything from the last `/`, or `/`. So
/// `localhost:5555/a/b` requests `/b`. `None` without a `:` (`EINVAL`).
pub(crate) fn host_and_path(address: &str) -> Option<(&str, &str)> {
    let colon = address.rfind(':')?;
    let path = address.rfind('/').map_or("/", |slash| &address[slash..]);
    Some((&address[..colon], path))
}

/// The client's upgrade request, byte for byte as libzmq writes it.
pub(crate) fn client_request(host: &str, path: &str, key: &str, mechanism: Mechanism) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\n\
         Host: {host}\r\n\
         Upgrade: websocket\r\n\
         Connection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\n\
         Sec-WebSocket-Protocol: {}\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n",
        mechanism.offer()
    )
    .into_bytes()
}

/// The server's 101 response, byte for byte as libzmq writes it.
pub(crate) fn server_response(accept: &str, protocol: ZwsProtocol) -> Vec<u8> {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\n\
         Upgrade: websocket\r\n\
         Connection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n\
         Sec-WebSocket-Protocol: {}\r\n\r\n",
        protocol.name()
    )
    .into_bytes()
}

// ---- the first line ------------------------------------------------------

/// One piece of a request or status line.
#[derive(Clone, Copy, Debug)]
enum Piece {
    /// These exact bytes.
    Lit(&'static [u8]),
    /// One or more spaces.
    Spaces,
    /// One or more bytes other than space, CR and LF (the request target).
    Target,
}

/// libzmq accepts `GET`, any number of spaces, any target, exactly one
/// space, `HTTP/1.1` and CRLF.
const REQUEST_LINE: &[Piece] = &[
    Piece::Lit(b"GET"),
    Piece::Spaces,
    Piece::Target,
    Piece::Lit(b" HTTP/1.1\r\n"),
];

/// libzmq accepts `HTTP/1.1`, spaces, `101`, spaces, `Switching Protocols`
/// (with this case) and CRLF; any other status fails.
const STATUS_LINE: &[Piece] = &[
    Piece::Lit(b"HTTP/1.1"),
    Piece::Spaces,
    Piece::Lit(b"101"),
    Piece::Spaces,
    Piece::Lit(b"Switching Protocols\r\n"),
];

/// Matches a first line against its pieces, a byte at a time.
#[derive(Debug)]
struct LineMatcher {
    pieces: &'static [Piece],
    piece: usize,
    /// Bytes matched by the current piece.
    count: usize,
}

impl LineMatcher {
    fn new(pieces: &'static [Piece]) -> LineMatcher {
        LineMatcher {
            pieces,
            piece: 0,
            count: 0,
        }
    }

    fn done(&self) -> bool {
        self.piece == self.pieces.len()
    }

    fn push(&mut self, c: u8) -> Result<(), HandshakeError> {
        loop {
            let piece = *self.pieces.get(self.piece).ok_or(HandshakeError)?;
            let taken = match piece {
                Piece::Lit(lit) => lit[self.count] == c,
                Piece::Spaces => c == b' ',
                Piece::Target => !matches!(c, b' ' | b'\r' | b'\n'),
            };
            if taken {
                self.count += 1;
                if matches!(piece, Piece::Lit(lit) if self.count == lit.len()) {
                    self.next();
                }
                return Ok(());
            }
            // A run ends at the first byte it does not take, which then
            // belongs to the next piece; an empty run is an error.
            if matches!(piece, Piece::Lit(_)) || self.count == 0 {
                return Err(HandshakeError);
            }
            self.next();
        }
    }

    fn next(&mut self) {
        self.piece += 1;
        self.count = 0;
    }
}

// ---- header lines --------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HeaderState {
    /// At the start of a line: a name, or CR for the blank line.
    LineStart,
    Name,
    /// After the colon, skipping spaces.
    BeforeValue,
    Value,
    /// Saw the CR ending a header line.
    LineCr,
    /// Saw the CR of the blank line.
    EndCr,
}

/// What one byte of the header section completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HeaderLine {
    /// A header with a non-empty value, in [`HeaderReader::name`] and
    /// [`HeaderReader::value`].
    Header,
    /// The blank line: the last byte of the request or response.
    End,
}

/// The header section, a byte at a time, with libzmq's syntax: the name
/// is everything up to the first colon (spaces included), the value starts
/// after the spaces following it and runs to CR; a bare LF is an error.
#[derive(Debug)]
struct HeaderReader {
    state: HeaderState,
    name: Vec<u8>,
    value: Vec<u8>,
}

impl HeaderReader {
    fn new() -> HeaderReader {
        HeaderReader {
            state: HeaderState::LineStart,
            name: Vec::new(),
            value: Vec::new(),
        }
    }

    fn push(&mut self, c: u8) -> Result<Option<HeaderLine>, HandshakeError> {
        use HeaderState::*;
        match (self.state, c) {
            (LineStart, b'\r') => self.state = EndCr,
            (EndCr, b'\n') => return Ok(Some(HeaderLine::End)),
            (LineStart, b'\n') | (EndCr, _) => return Err(HandshakeError),
            (LineStart, _) => {
                // Even a colon: libzmq takes the first byte as part of the
                // name unconditionally.
                self.name.clear();
                self.name.push(c);
                self.state = Name;
            }
            (Name, b'\r' | b'\n') => return Err(HandshakeError),
            (Name, b':') => self.state = BeforeValue,
            (Name, _) => {
                if self.name.len() >= MAX_HEADER_NAME {
                    return Err(HandshakeError);
                }
                self.name.push(c);
            }
            (BeforeValue | Value, b'\n') => return Err(HandshakeError),
            (BeforeValue, b'\r') => {
                // An empty value: libzmq skips the header altogether.
                self.value.clear();
                self.state = LineCr;
            }
            (BeforeValue, b' ') => {}
            (BeforeValue, _) => {
                self.value.clear();
                self.value.push(c);
                self.state = Value;
            }
            (Value, b'\r') => {
                self.state = LineCr;
                return Ok(Some(HeaderLine::Header));
            }
            (Value, _) => {
                if self.value.len() >= MAX_HEADER_VALUE {
                    return Err(HandshakeError);
                }
                self.value.push(c);
            }
            (LineCr, b'\n') => self.state = LineStart,
            (LineCr, _) => return Err(HandshakeError),
        }
        Ok(None)
    }

    fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.as_bytes())
    }
}

/// `strtok`-style pieces of a comma-separated value: empty pieces skipped.
fn comma_items(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value.split(|&b| b == b',').filter(|item| !item.is_empty())
}

/// `item` without its leading spaces (spaces only, as libzmq).
fn skip_spaces(item: &[u8]) -> &[u8] {
    let n = item.iter().take_while(|&&b| b == b' ').count();
    &item[n..]
}

// ---- the server ----------------------------------------------------------

/// A request the server accepted.
#[derive(Debug)]
pub(crate) struct Accepted {
    pub(crate) protocol: ZwsProtocol,
    /// The 101 response to send.
    pub(crate) response: Vec<u8>,
}

/// The server's side: reads the request, then knows the response.
#[derive(Debug)]
pub(crate) struct ServerHandshake {
    mechanism: Mechanism,
    line: LineMatcher,
    headers: HeaderReader,
    upgrade_websocket: bool,
    connection_upgrade: bool,
    key: Vec<u8>,
    protocol: Option<ZwsProtocol>,
}

impl ServerHandshake {
    pub(crate) fn new(mechanism: Mechanism) -> ServerHandshake {
        ServerHandshake {
            mechanism,
            line: LineMatcher::new(REQUEST_LINE),
            headers: HeaderReader::new(),
            upgrade_websocket: false,
            connection_upgrade: false,
            key: Vec::new(),
            protocol: None,
        }
    }

    /// Consumes request bytes. Once the blank line is read, returns how
    /// many bytes the request took (what follows are frames) with the
    /// chosen protocol and the 101 response to send. On error libzmq sends
    /// nothing back (its "send bad request" is a TODO) and closes.
    pub(crate) fn feed(
        &mut self,
        input: &[u8],
    ) -> Result<(usize, Option<Accepted>), HandshakeError> {
        for (i, &c) in input.iter().enumerate() {
            if !self.line.done() {
                self.line.push(c)?;
                continue;
            }
            match self.headers.push(c)? {
                None => {}
                Some(HeaderLine::Header) => self.header(),
                Some(HeaderLine::End) => return self.end().map(|done| (i + 1, Some(done))),
            }
        }
        Ok((input.len(), None))
    }

    fn header(&mut self) {
        let h = &self.headers;
        if h.is("upgrade") {
            self.upgrade_websocket = h.value.eq_ignore_ascii_case(b"websocket");
        } else if h.is("connection") {
            // A list; each item loses its leading spaces. Once seen, an
            // `Upgrade` item stays seen.
            self.connection_upgrade |= comma_items(&h.value)
                .any(|item| skip_spaces(item).eq_ignore_ascii_case(b"upgrade"));
        } else if h.is("sec-websocket-key") {
            self.key.clone_from(&h.value);
        } else if h.is("sec-websocket-protocol") && self.protocol.is_none() {
            // The client's first supported offer wins, across repeated
            // headers too; each item loses one leading space.
            self.protocol = comma_items(&h.value).find_map(|item| {
                let item = item.strip_prefix(b" ").unwrap_or(item);
                self.mechanism.select(item)
            });
        }
    }

    fn end(&self) -> Result<Accepted, HandshakeError> {
        match self.protocol {
            Some(p)
                if self.upgrade_websocket && self.connection_upgrade && !self.key.is_empty() =>
            {
                Ok(Accepted {
                    protocol: p,
                    response: server_response(&accept_key(&self.key), p),
                })
            }
            _ => Err(HandshakeError),
        }
    }
}

// ---- the client ----------------------------------------------------------

/// The client's side: its request is sent at once, then it reads the
/// response.
#[derive(Debug)]
pub(crate) struct ClientHandshake {
    mechanism: Mechanism,
    line: LineMatcher,
    headers: HeaderReader,
    upgrade_websocket: bool,
    connection_upgrade: bool,
    accept: bool,
    protocol: Option<ZwsProtocol>,
}

impl ClientHandshake {
    pub(crate) fn new(mechanism: Mechanism) -> ClientHandshake {
        ClientHandshake {
            mechanism,
            line: LineMatcher::new(STATUS_LINE),
            headers: HeaderReader::new(),
            upgrade_websocket: false,
            connection_upgrade: false,
            accept: false,
            protocol: None,
        }
    }

    /// Consumes response bytes. Once the blank line is read, returns how
    /// many bytes the response took (what follows are frames) and the
    /// protocol the server chose.
    pub(crate) fn feed(
        &mut self,
        input: &[u8],
    ) -> Result<(usize, Option<ZwsProtocol>), HandshakeError> {
        for (i, &c) in input.iter().enumerate() {
            if !self.line.done() {
                self.line.push(c)?;
                continue;
            }
            match self.headers.push(c)? {
                None => {}
                Some(HeaderLine::Header) => self.header()?,
                Some(HeaderLine::End) => return self.end().map(|p| (i + 1, Some(p))),
            }
        }
        Ok((input.len(), None))
    }

    fn header(&mut self) -> Result<(), HandshakeError> {
        let h = &self.headers;
        if h.is("upgrade") {
            self.upgrade_websocket = h.value.eq_ignore_ascii_case(b"websocket");
        } else if h.is("connection") {
            // Unlike the server, the whole value must be `Upgrade`.
            self.connection_upgrade = h.value.eq_ignore_ascii_case(b"upgrade");
        } else if h.is("sec-websocket-accept") {
            self.accept = true;
        } else if h.is("sec-websocket-protocol") {
            // A second protocol once a mechanism is chosen is an error
            // (libzmq would have created two mechanisms). The whole value
            // is one name: no list here.
            if self.protocol.is_some_and(ZwsProtocol::has_mechanism) {
                return Err(HandshakeError);
            }
            if let Some(p) = self.mechanism.select(&h.value) {
                self.protocol = Some(p);
            }
        }
        Ok(())
    }

    fn end(&self) -> Result<ZwsProtocol, HandshakeError> {
        match self.protocol {
            Some(p) if self.upgrade_websocket && self.connection_upgrade && self.accept => Ok(p),
            _ => Err(HandshakeError),
        }
    }
}
