//! udp endpoints of a socket (libzmq's udp branches of `bind` and
//! `connect`): DISH and DGRAM bind, RADIO connects (`ENOCOMPATPROTO`
//! otherwise). The address is resolved here (`EINVAL`, `ENODEV` come back
//! from the call) and the OS socket opened here too, so a bound socket
//! receives as soon as `zmq_bind` returns; as in libzmq, a failure to open
//! or bind it is not reported (the endpoint's pipe just ends).

use crate::command::SocketCommand;
use crate::io::IoCommand;
use crate::pipe::pipepair;
use crate::session::udp::{UdpConfig, UdpSession};
use crate::transport::udp::{self, UdpSettings};
use crate::{Error, Result};

use super::io_endpoint::IoEndpoint;
use super::types::{DGRAM, DISH, RADIO};

impl super::Socket {
    /// `zmq_bind("udp://...")`: `address` is the part after `udp://`.
    pub(super) fn bind_udp(&mut self, uri: &str, address: &str) -> Result<()> {
        if !matches!(self.socket_type(), DGRAM | DISH) {
            return Err(Error::ENOCOMPATPROTO);
        }
        self.start_udp(uri, address, true)
    }

    /// `zmq_connect("udp://...")`.
    pub(super) fn connect_udp(&mut self, uri: &str, address: &str) -> Result<()> {
        if self.socket_type() != RADIO {
            return Err(Error::ENOCOMPATPROTO);
        }
        self.start_udp(uri, address, false)
    }

    fn start_udp(&mut self, uri: &str, address: &str, bind: bool) -> Result<()> {
        let io = self.core.ctx.io_thread(self.core.options.affinity)?;
        let o = &self.core.options;
        let addr = udp::resolve(address, bind, o.ipv6)?;
        let kind = self.socket_type();
        let settings = UdpSettings {
            send: matches!(kind, RADIO | DGRAM),
            recv: matches!(kind, DISH | DGRAM),
            raw: o.raw_socket,
            multicast_loop: o.multicast_loop,
            multicast_hops: o.multicast_hops,
            bound_device: o.bound_device.clone(),
        };
        let socket = udp::open(&addr, &settings);
        // libzmq's bind makes a plain pipe; its connect honours conflate.
        let conflate = !bind && o.effective_conflate();
        let hwm = |v: i32| if conflate { -1 } else { v };
        let (mut local, remote) = pipepair([hwm(o.sndhwm), hwm(o.rcvhwm)], conflate);
        let id = crate::io::next_object_id();
        let cfg = UdpConfig {
            send: settings.send,
            recv: settings.recv,
            raw: settings.raw,
            target: addr.target,
            linger: o.linger,
        };
        let session = UdpSession::new(id, cfg, socket, remote);
        local.endpoint = uri.to_string();
        let pipe = local.id();
        self.attach_pipe(local, true);
        // No joins travel over udp: RADIO sends every group down it.
        let (pattern, mut cx) = self.cx_split();
        pattern.subscribe_all(&mut cx, pipe);
        io.send(IoCommand::Plug(Box::new(session)));
        self.core.mailbox.send(SocketCommand::Noop);
        // libzmq's udp address prints as given, without `udp://`.
        self.core.last_endpoint = address.to_string();
        self.core.io_endpoints.push(IoEndpoint {
            given: uri.to_string(),
            resolved: uri.to_string(),
            mailbox: io,
            object: id,
            pipe: Some(pipe),
            listener: None,
        });
        Ok(())
    }
}
