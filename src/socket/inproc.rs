//! inproc endpoints of a socket: binding a name in the context, connecting
//! to a bound name (or leaving a pending connection the binder completes),
//! as libzmq's `socket_base_t` does for inproc.

use super::Socket;
use crate::command::SocketCommand;
use crate::ctx::{InprocEndpoint, InprocLookup, PendingConnection};
use crate::msg::{flags, Msg};
use crate::pipe::{pipepair, End, Hwms, Pipe};
use crate::{Error, Result};

impl Socket {
    pub(super) fn bind_inproc(&mut self, addr: &str) -> Result<()> {
        let ep = InprocEndpoint {
            socket_id: self.core.id,
            mailbox: self.core.mailbox.clone(),
            info: self.peer_info(),
        };
        let pending = self.core.ctx.bind_inproc(addr, ep)?;
        self.core.bound_inproc.push(addr.to_string());
        self.core.last_endpoint = addr.to_string();
        for pc in pending {
            self.complete_pending(pc);
        }
        Ok(())
    }

    /// Attaches a connection made before we bound.
    pub(super) fn complete_pending(&mut self, pc: PendingConnection) {
        let me = self.peer_info();
        let mut pipe = pc.bind_pipe;
        // The connecter always sent its routing id, not knowing whether we
        // want it.
        if !me.recv_routing_id {
            pipe.read();
        }
        if !pc.connecter.conflate {
            let c = &pc.connecter;
            pipe.set_hwms_boost(
                End::Peer,
                Hwms {
                    inbound: me.sndhwm,
                    outbound: me.rcvhwm,
                },
            );
            pipe.set_hwms_boost(
                End::Local,
                Hwms {
                    inbound: c.sndhwm,
                    outbound: c.rcvhwm,
                },
            );
            pipe.set_hwms(
                End::Peer,
                Hwms {
                    inbound: c.rcvhwm,
                    outbound: c.sndhwm,
                },
            );
            pipe.set_hwms(
                End::Local,
                Hwms {
                    inbound: me.rcvhwm,
                    outbound: me.sndhwm,
                },
            );
        }
        if let Some(d) = &me.disconnect_msg {
            pipe.set_peer_disconnect_msg(d.clone());
        }
        if pc.connecter.recv_routing_id {
            send_routing_id(&mut pipe, &me.routing_id);
        }
        if let Some(h) = &me.hello_msg {
            send_hello_msg(&mut pipe, h);
        }
        self.attach_pipe(pipe, false);
    }

    pub(super) fn connect_inproc(&mut self, addr: &str) -> Result<()> {
        let me = self.peer_info();
        let conflate = me.conflate;
        let hwm = |v: i32| if conflate { -1 } else { v };
        let mut ours: Option<Pipe> = None;
        let my_mailbox = self.core.mailbox.clone();
        let lookup = self.core.ctx.connect_inproc(addr, || {
            // Unbound: build the pipe from our options alone; the binder
            // completes the watermarks when it arrives.
            let (mut local, remote) = pipepair([hwm(me.sndhwm), hwm(me.rcvhwm)], conflate);
            send_routing_id(&mut local, &me.routing_id);
            if let Some(h) = &me.hello_msg {
                send_hello_msg(&mut local, h);
            }
            ours = Some(local);
            PendingConnection {
                connecter: me.clone(),
                connecter_mailbox: my_mailbox,
                bind_pipe: remote,
            }
        });
        let local = match lookup {
            InprocLookup::Pending => ours.ok_or(Error::EINVAL)?,
            InprocLookup::Bound(peer) => {
                let sum = |a: i32, b: i32| if a != 0 && b != 0 { a + b } else { 0 };
                let sndhwm = sum(me.sndhwm, peer.info.rcvhwm);
                let rcvhwm = sum(me.rcvhwm, peer.info.sndhwm);
                let (mut local, mut remote) = pipepair([hwm(sndhwm), hwm(rcvhwm)], conflate);
                if !conflate {
                    let p = &peer.info;
                    local.set_hwms_boost(
                        End::Local,
                        Hwms {
                            inbound: p.sndhwm,
                            outbound: p.rcvhwm,
                        },
                    );
                    remote.set_hwms_boost(
                        End::Local,
                        Hwms {
                            inbound: me.sndhwm,
                            outbound: me.rcvhwm,
                        },
                    );
                }
                if peer.info.recv_routing_id {
                    send_routing_id(&mut local, &me.routing_id);
                }
                if me.recv_routing_id {
                    send_routing_id(&mut remote, &peer.info.routing_id);
                }
                if let Some(h) = &me.hello_msg {
                    send_hello_msg(&mut local, h);
                }
                if let Some(h) = &peer.info.hello_msg {
                    send_hello_msg(&mut remote, h);
                }
                if let Some(d) = &peer.info.disconnect_msg {
                    local.set_disconnect_msg(d.clone());
                }
                remote.endpoint = addr.to_string();
                remote.set_owner(peer.mailbox.clone());
                peer.mailbox.send(SocketCommand::Bind(Box::new(remote)));
                local
            }
        };
        let id = local.id();
        let mut local = local;
        local.endpoint = addr.to_string();
        self.attach_pipe(local, true);
        self.core.last_endpoint = addr.to_string();
        self.core.connected_inproc.push((addr.to_string(), id));
        Ok(())
    }
}

/// Sends our routing id as the first message of a pipe.
fn send_routing_id(pipe: &mut Pipe, routing_id: &[u8]) {
    let mut m = Msg::from_slice(routing_id);
    m.set_flags(flags::ROUTING_ID);
    let _ = pipe.write(m);
    pipe.flush();
}

/// Sends `ZMQ_HELLO_MSG` as an ordinary message, so the peer's application
/// reads it first.
fn send_hello_msg(pipe: &mut Pipe, hello: &[u8]) {
    let _ = pipe.write(Msg::from_slice(hello));
    pipe.flush();
}
