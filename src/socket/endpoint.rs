//! Endpoint strings: `transport://address`.

use super::types;
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Inproc,
    Tcp,
    Ipc,
    Udp,
}

#[derive(Debug)]
pub struct Endpoint<'a> {
    pub transport: Transport,
    #[allow(dead_code)] // read by the tcp and ipc transports
    pub address: &'a str,
}

impl<'a> Endpoint<'a> {
    /// Parses as libzmq does: `EINVAL` for a malformed string,
    /// `EPROTONOSUPPORT` for a transport we do not have, `ENOCOMPATPROTO`
    /// for udp on a socket type that cannot use it.
    pub fn parse(uri: &'a str, socket_type: i32) -> Result<Endpoint<'a>> {
        let (proto, address) = uri.split_once("://").ok_or(Error::EINVAL)?;
        if proto.is_empty() || address.is_empty() {
            return Err(Error::EINVAL);
        }
        let transport = match proto {
            "inproc" => Transport::Inproc,
            "tcp" => Transport::Tcp,
            "ipc" => Transport::Ipc,
            "udp" => Transport::Udp,
            _ => return Err(Error::EPROTONOSUPPORT),
        };
        if transport == Transport::Udp
            && !matches!(socket_type, types::DISH | types::RADIO | types::DGRAM)
        {
            return Err(Error::ENOCOMPATPROTO);
        }
        Ok(Endpoint { transport, address })
    }
}
