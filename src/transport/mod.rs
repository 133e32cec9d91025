//! Transports: the address and OS-socket half of every connection-oriented
//! transport, behind one seam ([`stream`]).
//!
//! A transport is one module that parses and resolves its addresses, binds
//! (a [`Listener`] that yields connections), connects (a [`Connecter`]
//! that yields one) and reports its endpoint strings. Sockets reach
//! transports only through [`bind`] and [`connecter`]; sessions see a
//! [`Stream`] and never which transport is behind it.
//!
//! - [`endpoint`]: `transport://address` parsing.
//! - [`tcp`]: listeners, outgoing connections and the tuning libzmq
//!   applies to them; [`tcp_address`] parses and resolves `tcp://`
//!   addresses and prints resolved endpoints.
//! - [`ws`]: WebSocket (ZWS 2.0) over tcp: a framing layer between the
//!   stream and the ZMTP engine, which does not know it is there.
//! - [`ipc`]: unix domain sockets by path, abstract name or wildcard, with
//!   the `IPC_FILTER_*` checks and the wildcard's cleanup.
//! - [`socks`]: tcp connects through a SOCKS5 proxy (`ZMQ_SOCKS_PROXY`).
//! - [`lookup`]: host names resolved on a thread of their own, never on
//!   the io thread.
//!
//! Everything returns non-blocking mio types for the io threads to drive.
//! The libc calls live in `crate::sys::net`; the only `unsafe` here is
//! taking over a `ZMQ_USE_FD` descriptor.
// The map above names crate-private modules and items; they render with
// `cargo doc --document-private-items`.
#![allow(rustdoc::private_intra_doc_links)]

pub(crate) mod endpoint;
pub mod ipc;
pub(crate) mod lookup;
pub(crate) mod socks;
pub(crate) mod stream;
pub mod tcp;
pub mod tcp_address;
pub(crate) mod tls;
pub(crate) mod udp;
pub(crate) mod ws;

pub(crate) use endpoint::{Endpoint, Scheme};
pub(crate) use lookup::Wake;
pub(crate) use stream::{Bound, Connecter, Listener, Stream};

use crate::options::Options;
use crate::{Error, Result};

/// Binds a connection-oriented endpoint for `zmq_bind`: the OS socket is
/// bound here, on the caller's thread, so errors such as `EADDRINUSE`
/// come back from the call, as in libzmq.
pub(crate) fn bind(ep: &Endpoint, options: &Options) -> Result<Bound> {
    match ep.scheme {
        Scheme::Tcp => tcp::bind(ep.address, options),
        Scheme::Ipc => ipc::bind(ep.address, options),
        Scheme::Ws => ws::connection::bind(ep.address, options, false),
        Scheme::Wss => ws::connection::bind(ep.address, options, true),
        _ => Err(Error::EPROTONOSUPPORT),
    }
}

/// Validates the endpoint for `zmq_connect` (syntax only for tcp: libzmq
/// resolves names at each attempt) and returns its connecter: through the
/// `ZMQ_SOCKS_PROXY` for tcp when one is set, as libzmq's session chooses.
pub(crate) fn connecter(ep: &Endpoint, options: &Options) -> Result<Box<dyn Connecter>> {
    match ep.scheme {
        Scheme::Tcp if !options.socks_proxy_address.is_empty() => {
            Ok(Box::new(socks::SocksConnecter::new(ep.address, options)?))
        }
        Scheme::Tcp => Ok(Box::new(tcp::TcpConnecter::new(ep.address)?)),
        Scheme::Ipc => Ok(Box::new(ipc::IpcConnecter::new(ep.address)?)),
        Scheme::Ws | Scheme::Wss => Ok(Box::new(ws::connection::WsConnecter::new(
            ep.address,
            options,
            ep.scheme == Scheme::Wss,
        )?)),
        _ => Err(Error::EPROTONOSUPPORT),
    }
}
