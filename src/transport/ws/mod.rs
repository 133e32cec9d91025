//! The `ws://` transport's protocol half, sans-IO: ZWS 2.0 (rfc 45) as
//! libzmq 4.3.5's `ws_engine_t`, `ws_decoder_t` and `ws_encoder_t` speak
//! it, which is the wire contract where it differs from the rfc.
//!
//! [`WsAdapter`] lets our unchanged ZMTP engine run over WebSocket: it
//! sits between the engine's byte stream and the socket and translates
//! both ways. Layout, one job per module:
//! - [`handshake`]: the HTTP/1.1 Upgrade, client and server, and which
//!   `ZWS2.0/...` protocol each side offers and accepts;
//! - [`frame`]: the WebSocket frame codec (header, masking, limits);
//! - [`inbound`]: frames to the ZMTP stream the engine reads, starting
//!   with a synthesized peer greeting;
//! - [`outbound`]: the engine's ZMTP stream to frames, its greeting
//!   swallowed.
//!
//! # Driving it
//!
//! ```text
//! socket readable:  n = adapter.receive(&bytes)?      // may take part
//!                   k = adapter.read_zmtp(engine buf)  // feed the engine
//!   (or, one copy:  (n, k) = adapter.receive_into(&bytes, engine.read_buf())?)
//! engine output:    n = adapter.write_zmtp(&chunk)?   // 0 = network full
//! socket writable:  w = write(adapter.network_output())
//!                   adapter.consume_network_output(w)
//! after each step:  if adapter.peer_closed() && adapter.network_output().is_empty()
//!                       end the connection with ECONNRESET (connection error)
//! ```
//!
//! The client's request is in [`WsAdapter::network_output`] from the
//! start; the server's response once the request is read. The engine's
//! handshake timer covers the upgrade too, as libzmq's does.
//!
//! # Monitor events, as libzmq's ws engine raises them
//!
//! - Upgrade complete ([`WsAdapter::is_upgraded`] turns true):
//!   `HANDSHAKE_SUCCEEDED`. libzmq raises it there, and again when the
//!   ZMTP security handshake completes (our engine's own event), so a
//!   NULL/PLAIN/CURVE connection reports it twice; bare `ZWS2.0` once.
//! - [`WsError`]: raise [`WsError::handshake_failed_protocol`] if any,
//!   then end the engine with `Engine::protocol_error(err.errno())`
//!   (`DISCONNECTED`, no reconnect).
//! - The peer closed TCP during the upgrade: `Engine::connection_lost`,
//!   as on tcp (`HANDSHAKE_FAILED_NO_DETAIL`, reconnect).
//! - The peer's close frame: see [`WsAdapter::peer_closed`].
//!
//! # Mechanisms
//!
//! A side offers and accepts only the protocol of its own `ZMQ_MECHANISM`
//! (plus bare `ZWS2.0` for NULL): a NULL client offers
//! `ZWS2.0/NULL,ZWS2.0`, PLAIN `ZWS2.0/PLAIN`, CURVE `ZWS2.0/CURVE`; the
//! server takes the first offer it supports. So a mechanism mismatch fails
//! the upgrade on the server ([`WsError::Handshake`], nothing is sent
//! back), and the client sees the connection close during its handshake
//! (libzmq: `HANDSHAKE_FAILED_NO_DETAIL` and a reconnect). The ZMTP
//! security handshake then runs in the engine over the binary frames.
//! Bare `ZWS2.0` (only from a peer that offers it first, or a server that
//! picks it) has no security handshake: the engine sees a ZMTP 2.0 peer.
//!
//! # Where we differ from libzmq, on purpose
//!
//! - A close payload over 125 bytes (RFC 6455's limit for control frames)
//!   is echoed cut to 125; libzmq echoes it whole.
//! - The request target is checked for CR/LF right after `GET `; libzmq
//!   takes a CR there as part of the target.
//! - Input after a close frame is dropped; libzmq still decodes what
//!   arrived in the same read.

pub(crate) mod connection;
pub(crate) mod frame;
pub(crate) mod handshake;
pub(crate) mod inbound;
pub(crate) mod outbound;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_engine;
#[cfg(test)]
mod tests_handshake;

use frame::FrameError;
use handshake::{ClientHandshake, HandshakeError, Mechanism, ServerHandshake, ZwsProtocol};
use inbound::{Inbound, V2_GREETING_LEN, V3_GREETING_LEN};
use outbound::Outbound;

/// `ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED`.
pub(crate) const PROTOCOL_ERROR_WS_UNSPECIFIED: i32 = 0x3000_0000;

/// The errno to end a connection with after the peer's close frame
/// (libzmq's `close_connection_after_close`).
pub(crate) const PEER_CLOSE_ERRNO: i32 = libc::ECONNRESET;

/// Network bytes [`WsAdapter::write_zmtp`] lets wait before refusing more.
pub(crate) const DEFAULT_OUTPUT_LIMIT: usize = 64 * 1024;

/// Engine bytes [`WsAdapter::receive`] holds for [`WsAdapter::read_zmtp`].
const INPUT_BUFFER: usize = 64 * 1024;

/// Why a ws connection must end. Every kind is libzmq's `protocol_error`:
/// `ZMQ_EVENT_DISCONNECTED` is raised and a connecting socket does not
/// reconnect. The peer's close frame is not an error: see
/// [`WsAdapter::peer_closed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WsError {
    /// The HTTP upgrade was malformed, lacked a required header, had a
    /// header name or value over libzmq's limits, or offered (or chose)
    /// no protocol of our mechanism. libzmq raises
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL` with
    /// `ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED`, then `DISCONNECTED`.
    Handshake,
    /// A frame libzmq's decoder refuses: no FIN, text/continuation/reserved
    /// opcode, mask bit wrong for our side, binary frame without its flags
    /// byte. libzmq raises only `DISCONNECTED` (no handshake event, even
    /// during the ZMTP handshake); it leaves `errno` stale, we say `EPROTO`.
    Frame(FrameError),
    /// A frame over `ZMQ_MAXMSGSIZE`: as [`WsError::Frame`], with `EMSGSIZE`.
    TooLarge,
}

impl WsError {
    /// The errno behind the disconnect.
    pub(crate) fn errno(self) -> i32 {
        match self {
            WsError::Handshake | WsError::Frame(_) => libc::EPROTO,
            WsError::TooLarge => libc::EMSGSIZE,
        }
    }

    /// The `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL` value to raise before
    /// `DISCONNECTED`, if any.
    pub(crate) fn handshake_failed_protocol(self) -> Option<i32> {
        (self == WsError::Handshake).then_some(PROTOCOL_ERROR_WS_UNSPECIFIED)
    }
}

impl From<HandshakeError> for WsError {
    fn from(_: HandshakeError) -> WsError {
        WsError::Handshake
    }
}

impl From<FrameError> for WsError {
    fn from(e: FrameError) -> WsError {
        match e {
            FrameError::TooLarge => WsError::TooLarge,
            e => WsError::Frame(e),
        }
    }
}

#[derive(Debug)]
enum Upgrade {
    Client(ClientHandshake),
    Server(ServerHandshake),
    // Read by the tests (`WsAdapter::protocol`).
    Done(#[cfg_attr(not(test), allow(dead_code))] ZwsProtocol),
}

/// One ws connection's translation between a ZMTP engine and the network.
/// See the module documentation.
#[derive(Debug)]
pub(crate) struct WsAdapter {
    upgrade: Upgrade,
    /// The greeting's mechanism name.
    mechanism: Vec<u8>,
    peer_as_server: bool,
    inbound: Inbound,
    outbound: Outbound,
    /// Bytes for the socket; `net_out[net_at..]` is unsent.
    net_out: Vec<u8>,
    net_at: usize,
    output_limit: usize,
    /// [`WsAdapter::receive`]'s buffer; `zmtp_in[in_at..in_end]` is unread.
    zmtp_in: Vec<u8>,
    in_at: usize,
    in_end: usize,
    /// The first error; every later call returns it.
    error: Option<WsError>,
}

impl WsAdapter {
    /// The connecting side. `host` and `path` go into the request (see
    /// [`handshake::host_and_path`] for libzmq's derivation from the
    /// address); `mechanism` is the socket's mechanism name (`b"NULL"`,
    /// `b"PLAIN"`, `b"CURVE"`); `peer_as_server` is the as-server byte of
    /// the greeting the engine will read. The request is queued at once.
    pub(crate) fn client(
        host: &str,
        path: &str,
        mechanism: &[u8],
        peer_as_server: bool,
    ) -> WsAdapter {
        let mech = Mechanism::from_name(mechanism);
        let mut a = WsAdapter::new(
            Upgrade::Client(ClientHandshake::new(mech)),
            mechanism,
            peer_as_server,
            false,
        );
        let request = handshake::client_request(host, path, &handshake::new_key(), mech);
        a.net_out.extend_from_slice(&request);
        a
    }

    /// The accepting side; as [`WsAdapter::client`].
    pub(crate) fn server(mechanism: &[u8], peer_as_server: bool) -> WsAdapter {
        let mech = Mechanism::from_name(mechanism);
        WsAdapter::new(
            Upgrade::Server(ServerHandshake::new(mech)),
            mechanism,
            peer_as_server,
            true,
        )
    }

    fn new(upgrade: Upgrade, mechanism: &[u8], peer_as_server: bool, server: bool) -> WsAdapter {
        WsAdapter {
            upgrade,
            mechanism: mechanism.to_vec(),
            peer_as_server,
            inbound: Inbound::new(server),
            outbound: Outbound::new(!server),
            net_out: Vec::with_capacity(4096),
            net_at: 0,
            output_limit: DEFAULT_OUTPUT_LIMIT,
            zmtp_in: Vec::new(),
            in_at: 0,
            in_end: 0,
            error: None,
        }
    }

    /// `ZMQ_MAXMSGSIZE` (-1 for none): a larger frame is
    /// [`WsError::TooLarge`], control frames included, as in libzmq.
    pub(crate) fn set_max_msg_size(&mut self, max: i64) {
        self.inbound.set_max_msg_size(max);
    }

    #[cfg(test)]
    /// How many network bytes may wait before [`WsAdapter::write_zmtp`]
    /// takes no more (back-pressure). Default [`DEFAULT_OUTPUT_LIMIT`].
    pub(crate) fn set_output_limit(&mut self, limit: usize) {
        self.output_limit = limit.max(1);
    }

    /// The upgrade is complete.
    pub(crate) fn is_upgraded(&self) -> bool {
        matches!(self.upgrade, Upgrade::Done(_))
    }

    #[cfg(test)]
    /// The protocol both sides agreed on, once upgraded.
    pub(crate) fn protocol(&self) -> Option<ZwsProtocol> {
        match self.upgrade {
            Upgrade::Done(p) => Some(p),
            _ => None,
        }
    }

    /// The peer sent a close frame and our echo is in
    /// [`WsAdapter::network_output`]: once that is written, end the
    /// connection as libzmq does, a connection error with
    /// [`PEER_CLOSE_ERRNO`] (`DISCONNECTED`; a connecting socket
    /// reconnects). During the ZMTP handshake the engine has already
    /// failed it (the close reached it as an unexpected command).
    pub(crate) fn peer_closed(&self) -> bool {
        self.outbound.close_sent()
    }

    // ---- network in ------------------------------------------------------

    /// Consumes network bytes: the upgrade, then frames, whose translation
    /// waits in an internal buffer for [`WsAdapter::read_zmtp`]. Returns
    /// how many bytes it took; fewer than given once that buffer is full.
    pub(crate) fn receive(&mut self, net: &[u8]) -> Result<usize, WsError> {
        if self.in_at > 0 && self.in_end == self.zmtp_in.len() {
            // Full at the end but partly read: move the rest to the front.
            self.zmtp_in.copy_within(self.in_at..self.in_end, 0);
            self.in_end -= self.in_at;
            self.in_at = 0;
        }
        if self.in_at == self.in_end {
            self.in_at = 0;
            self.in_end = 0;
        }
        if self.zmtp_in.is_empty() {
            self.zmtp_in.resize(INPUT_BUFFER, 0);
        }
        let mut spare = std::mem::take(&mut self.zmtp_in);
        let result = self.receive_into(net, &mut spare[self.in_end..]);
        self.zmtp_in = spare;
        let (used, written) = result?;
        self.in_end += written;
        Ok(used)
    }

    /// Engine bytes from [`WsAdapter::receive`]; returns how many it
    /// copied into `out`.
    pub(crate) fn read_zmtp(&mut self, out: &mut [u8]) -> usize {
        let n = (self.in_end - self.in_at).min(out.len());
        out[..n].copy_from_slice(&self.zmtp_in[self.in_at..self.in_at + n]);
        self.in_at += n;
        n
    }

    /// [`WsAdapter::receive`] and [`WsAdapter::read_zmtp`] in one, with
    /// one copy: translates `net` straight into `out` (e.g. the engine's
    /// read buffer). Returns (network bytes taken, engine bytes written).
    /// Do not mix with `receive` while its buffer holds bytes.
    pub(crate) fn receive_into(
        &mut self,
        net: &[u8],
        out: &mut [u8],
    ) -> Result<(usize, usize), WsError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let result = self.receive_inner(net, out);
        if let Err(e) = result {
            self.error = Some(e);
        }
        result
    }

    fn receive_inner(&mut self, net: &[u8], out: &mut [u8]) -> Result<(usize, usize), WsError> {
        let mut used = 0;
        if !self.is_upgraded() {
            let (n, protocol) = match &mut self.upgrade {
                Upgrade::Client(c) => c.feed(net)?,
                Upgrade::Server(s) => {
                    let (n, accepted) = s.feed(net)?;
                    let protocol = accepted.map(|a| {
                        self.net_out.extend_from_slice(&a.response);
                        a.protocol
                    });
                    (n, protocol)
                }
                Upgrade::Done(_) => unreachable!("checked above"),
            };
            used = n;
            let Some(protocol) = protocol else {
                return Ok((used, 0));
            };
            self.upgraded(protocol);
        }
        let (n, written) = self.inbound.translate(&net[used..], out)?;
        if let Some(payload) = self.inbound.close_payload() {
            self.outbound.echo_close(payload, &mut self.net_out);
        }
        Ok((used + n, written))
    }

    fn upgraded(&mut self, protocol: ZwsProtocol) {
        self.upgrade = Upgrade::Done(protocol);
        self.inbound
            .start(protocol, &self.mechanism, self.peer_as_server);
        self.outbound.start(if protocol.has_mechanism() {
            V3_GREETING_LEN
        } else {
            V2_GREETING_LEN
        });
    }

    // ---- network out -----------------------------------------------------

    /// Bytes the engine wrote: its greeting (swallowed), then ZMTP frames,
    /// translated into the network output. Returns how many it took: 0
    /// while [`WsAdapter::output_limit`] bytes wait to be written, and no
    /// more than the engine's signature before the upgrade.
    pub(crate) fn write_zmtp(&mut self, zmtp: &[u8]) -> Result<usize, WsError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let pending = self.net_out.len() - self.net_at;
        let room = self.output_limit.saturating_sub(pending);
        if room == 0 {
            return Ok(0);
        }
        Ok(self.outbound.write(zmtp, &mut self.net_out, room))
    }

    /// The bytes to write to the socket.
    pub(crate) fn network_output(&self) -> &[u8] {
        &self.net_out[self.net_at..]
    }

    /// `n` bytes of [`WsAdapter::network_output`] were written.
    pub(crate) fn consume_network_output(&mut self, n: usize) {
        self.net_at = (self.net_at + n).min(self.net_out.len());
        if self.net_at == self.net_out.len() {
            // Keeps the allocation: no per-message allocation once warm.
            self.net_out.clear();
            self.net_at = 0;
        } else if self.net_at >= self.output_limit {
            self.net_out.drain(..self.net_at);
            self.net_at = 0;
        }
    }
}
