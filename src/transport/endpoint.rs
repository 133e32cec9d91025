//! Endpoint strings: `transport://address`.

use crate::options::consts::{ZMQ_DGRAM, ZMQ_DISH, ZMQ_RADIO};
use crate::{Error, Result};

/// The transport an endpoint names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    Inproc,
    Tcp,
    Ipc,
    Udp,
    Ws,
    Wss,
}

/// A parsed endpoint: its transport and the address after `://`.
#[derive(Debug)]
pub(crate) struct Endpoint<'a> {
    pub scheme: Scheme,
    pub address: &'a str,
}

impl<'a> Endpoint<'a> {
    /// Parses as libzmq does: `EINVAL` for a malformed string,
    /// `EPROTONOSUPPORT` for a transport we do not have, `ENOCOMPATPROTO`
    /// for udp on a socket type that cannot use it.
    pub(crate) fn parse(uri: &'a str, socket_type: i32) -> Result<Endpoint<'a>> {
        let (proto, address) = uri.split_once("://").ok_or(Error::EINVAL)?;
        if proto.is_empty() || address.is_empty() {
            return Err(Error::EINVAL);
        }
        let scheme = match proto {
            "inproc" => Scheme::Inproc,
            "tcp" => Scheme::Tcp,
            "ipc" => Scheme::Ipc,
            "udp" => Scheme::Udp,
            "ws" => Scheme::Ws,
            "wss" => Scheme::Wss,
            _ => return Err(Error::EPROTONOSUPPORT),
        };
        if scheme == Scheme::Udp && !matches!(socket_type, ZMQ_DISH | ZMQ_RADIO | ZMQ_DGRAM) {
            return Err(Error::ENOCOMPATPROTO);
        }
        Ok(Endpoint { scheme, address })
    }
}
