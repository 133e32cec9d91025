//! ZMTP, sans-IO: the greeting and version negotiation (ZMTP 3.1, 3.0 and
//! the 2.0/1.0 fallbacks), framing, the NULL, PLAIN and CURVE security handshakes,
//! ZAP requests, heartbeats and connection metadata.
//!
//! Nothing here touches a socket or a clock: the [`Engine`] is fed the bytes
//! the io layer read and the current time, and hands back bytes to write,
//! messages for the session and events for the monitor. This mirrors
//! libzmq's `zmtp_engine_t`/`stream_engine_base_t` step for step, so the
//! events and failures come out in libzmq's order with libzmq's values.
//!
//! Layout, one job per module:
//! - [`greeting`]: the 64-byte greeting and legacy peer detection;
//! - [`decoder`] / [`encoder`]: ZMTP 3.x/2.0 and 1.0 framing;
//! - [`command`]: command bodies and metadata properties;
//! - [`mechanism`]: NULL, PLAIN and CURVE clients and servers, ZAP request
//!   and reply;
//! - [`engine`]: the state machine tying them together, timers included;
//! - [`raw`]: the engine of raw connections (STREAM, `ZMQ_ROUTER_RAW`):
//!   no greeting, no framing, each read one message.
//!
//! # Where we differ from libzmq, on purpose
//!
//! - A SUBSCRIBE/CANCEL command from a ZMTP 3.1 peer reaches an XPUB's or
//!   PUB's session as a message flagged `SUBSCRIBE`/`CANCEL` whose body is
//!   the topic alone, without `COMMAND`: the inproc form our XPUB reads
//!   (libzmq passes the whole command and XPUB strips the name). Other
//!   sockets get the whole command body, as libzmq delivers it.
//! - A message that arrives in the same read as the peer's READY is taken;
//!   libzmq drops the connection when its own READY was not written yet
//!   (a race, see docs/reliability.md).
//! - A peer's ERROR ends the handshake at once; libzmq waits for the
//!   handshake timer when its own READY was not written yet.
//! - No `CREDENTIAL` message is pushed before the first message: libzmq's
//!   pipes drop it on read, and the user id reaches the application as the
//!   `User-Id` property.
//! - libzmq's ZMTP 2.0/3.0 encoder sets the LARGE flag before counting the
//!   subscription byte, so a 255-byte topic goes out malformed; we count it.
//! - libzmq multiplies a peer's PING TTL by 100 in 16 bits; we do not wrap.
//!   A PING too short for its TTL reads as TTL 0 with no context (libzmq
//!   reads past the frame).
//! - A timer that ends a handshake reports [`engine::TIMEOUT_ERRNO`] with
//!   `HANDSHAKE_FAILED_NO_DETAIL`; libzmq reports a stale `errno`.
//! - NULL with `ZMQ_ZAP_ENFORCE_DOMAIN` and no ZAP handler raises
//!   `HANDSHAKE_FAILED_NO_DETAIL(EFAULT)` once (libzmq repeats it on every
//!   output attempt), then waits for the handshake timer like libzmq.
//! - Timers are re-armed from the `now` given to [`Engine::on_timeout`].
//! - GSSAPI is not implemented: a peer announcing the mechanism we are
//!   configured with gets `MECHANISM_MISMATCH`.
//! - A CURVE client that cannot box its HELLO or INITIATE (a server key of
//!   small order, e.g. unset) raises `CRYPTOGRAPHIC` once and waits for the
//!   handshake timer; libzmq raises it on every output attempt.

pub mod command;
pub mod decoder;
pub mod encoder;
pub mod engine;
pub mod greeting;
pub mod mechanism;
pub mod raw;

#[cfg(test)]
mod tests;

/// The frame syntax on a connection, chosen by the greeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// ZMTP 1.0: length (flags included), flags, body.
    V1,
    /// ZMTP 2.0 and 3.0: flags, 1- or 8-byte size, body; subscriptions as
    /// `\x01`/`\x00`-prefixed messages.
    V2,
    /// ZMTP 3.1: as 3.0, but subscriptions as SUBSCRIBE/CANCEL commands.
    V3_1,
}

/// `EPROTO`, which the engine's `Error` has no name for.
pub(crate) const EPROTO: crate::Error = crate::Error::from_errno(libc::EPROTO);

pub use decoder::Decoder;
pub use encoder::Encoder;
#[cfg(test)]
pub use engine::{CloseReason, Closed};
pub use engine::{Engine, EngineConfig, Event};
#[cfg(test)]
pub use greeting::Protocol;
#[cfg(test)]
pub use mechanism::zap::ZapRequest;
pub use raw::RawEngine;

/// The `ZMQ_PROTOCOL_ERROR_*` values of `zmq.h`, carried by
/// `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`.
pub mod protocol_error {
    pub const ZMTP_UNSPECIFIED: i32 = 0x1000_0000;
    pub const ZMTP_UNEXPECTED_COMMAND: i32 = 0x1000_0001;
    pub const ZMTP_INVALID_SEQUENCE: i32 = 0x1000_0002;
    pub const ZMTP_KEY_EXCHANGE: i32 = 0x1000_0003;
    pub const ZMTP_MALFORMED_COMMAND_UNSPECIFIED: i32 = 0x1000_0011;
    pub const ZMTP_MALFORMED_COMMAND_MESSAGE: i32 = 0x1000_0012;
    pub const ZMTP_MALFORMED_COMMAND_HELLO: i32 = 0x1000_0013;
    pub const ZMTP_MALFORMED_COMMAND_INITIATE: i32 = 0x1000_0014;
    pub const ZMTP_MALFORMED_COMMAND_ERROR: i32 = 0x1000_0015;
    pub const ZMTP_MALFORMED_COMMAND_READY: i32 = 0x1000_0016;
    pub const ZMTP_MALFORMED_COMMAND_WELCOME: i32 = 0x1000_0017;
    pub const ZMTP_INVALID_METADATA: i32 = 0x1000_0018;
    pub const ZMTP_CRYPTOGRAPHIC: i32 = 0x1100_0001;
    pub const ZMTP_MECHANISM_MISMATCH: i32 = 0x1100_0002;
    pub const ZAP_UNSPECIFIED: i32 = 0x2000_0000;
    pub const ZAP_MALFORMED_REPLY: i32 = 0x2000_0001;
    pub const ZAP_BAD_REQUEST_ID: i32 = 0x2000_0002;
    pub const ZAP_BAD_VERSION: i32 = 0x2000_0003;
    pub const ZAP_INVALID_STATUS_CODE: i32 = 0x2000_0004;
    pub const ZAP_INVALID_METADATA: i32 = 0x2000_0005;
}
