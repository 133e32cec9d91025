//! tcp and ipc endpoints of a socket: opening them and handing the
//! listeners and connecting sessions to io threads.

use std::io;
use std::net::{SocketAddr, TcpListener as StdTcpListener, ToSocketAddrs};
use std::os::unix::net::UnixListener as StdUnixListener;
use std::sync::Arc;

use crate::command::{Command, CommandMailbox};
use crate::io::ObjectId;
use crate::options::Options;
use crate::session::stream::{Listener as OsListener, Stream};
use crate::session::Connector;
use crate::{Error, Result};

use super::endpoint::{Endpoint, Transport};

/// A listener or connecting session a socket started, so it can end it.
pub struct IoEndpoint {
    /// The endpoint as given and as resolved (`tcp://*:*` binds report the
    /// real port); unbind/disconnect accept either.
    pub given: String,
    pub resolved: String,
    pub mailbox: Arc<CommandMailbox>,
    pub object: ObjectId,
    /// The socket's end of a connecting session's pipe.
    pub pipe: Option<crate::pipe::PipeId>,
}

impl IoEndpoint {
    pub fn matches(&self, addr: &str) -> bool {
        self.given == addr || self.resolved == addr
    }

    pub fn terminate(&self) {
        self.mailbox.send(Command::Term(self.object));
    }
}

fn split_host_port(address: &str) -> Result<(&str, &str)> {
    let (host, port) = address.rsplit_once(':').ok_or(Error::EINVAL)?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    Ok((host, port))
}

fn parse_port(port: &str, allow_wildcard: bool) -> Result<u16> {
    if allow_wildcard && (port == "*" || port == "0") {
        return Ok(0);
    }
    match port.parse::<u16>() {
        Ok(p) if p != 0 || allow_wildcard => Ok(p),
        _ => Err(Error::EINVAL),
    }
}

fn resolve(host: &str, port: u16, ipv6: bool) -> Result<Vec<SocketAddr>> {
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|_| Error::EINVAL)?
        .filter(|a| ipv6 || a.is_ipv4())
        .collect();
    if addrs.is_empty() {
        return Err(Error::EINVAL);
    }
    Ok(addrs)
}

/// Removes an ipc socket file when its listener ends, unless another
/// socket has bound the same path since (the file is then a new inode).
struct Unlink {
    path: std::path::PathBuf,
    inode: Option<(u64, u64)>,
}

fn inode_of(path: &std::path::Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path)
        .ok()
        .map(|m| (m.dev(), m.ino()))
}

impl Drop for Unlink {
    fn drop(&mut self) {
        if self.inode.is_some() && inode_of(&self.path) == self.inode {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// What a listener drops when it ends (e.g. removes its ipc file).
pub type Cleanup = Option<Box<dyn Send>>;

/// Opens a listening socket for `bind`, returning it with the resolved
/// endpoint and what to clean up when it closes.
pub fn listen(ep: &Endpoint, options: &Options) -> Result<(OsListener, String, Cleanup)> {
    match ep.transport {
        Transport::Tcp => {
            let (host, port) = split_host_port(ep.address)?;
            let port = parse_port(port, true)?;
            let host = if host == "*" {
                if options.ipv6 {
                    "::"
                } else {
                    "0.0.0.0"
                }
            } else {
                host
            };
            let addr = *resolve(host, port, options.ipv6)?
                .first()
                .ok_or(Error::EINVAL)?;
            let l = StdTcpListener::bind(addr)?;
            l.set_nonblocking(true)?;
            let local = l.local_addr()?;
            let resolved = match local {
                SocketAddr::V4(a) => format!("tcp://{}:{}", a.ip(), a.port()),
                SocketAddr::V6(a) => format!("tcp://[{}]:{}", a.ip(), a.port()),
            };
            let l = mio::net::TcpListener::from_std(l);
            Ok((OsListener::Tcp(l), resolved, None))
        }
        Transport::Ipc => {
            let path = std::path::PathBuf::from(ep.address);
            // A socket file left by a dead process would make bind fail.
            let _ = std::fs::remove_file(&path);
            let l = StdUnixListener::bind(&path)?;
            l.set_nonblocking(true)?;
            let l = mio::net::UnixListener::from_std(l);
            let inode = inode_of(&path);
            let cleanup: Box<dyn Send> = Box::new(Unlink { path, inode });
            Ok((
                OsListener::Ipc(l),
                format!("ipc://{}", ep.address),
                Some(cleanup),
            ))
        }
        _ => Err(Error::EPROTONOSUPPORT),
    }
}

/// Validates the endpoint for `connect` and returns how to (re)connect.
pub fn connector(ep: &Endpoint, options: &Options) -> Result<Connector> {
    match ep.transport {
        Transport::Tcp => {
            let (host, port) = split_host_port(ep.address)?;
            let port = parse_port(port, false)?;
            let addrs = resolve(host, port, options.ipv6)?;
            let mut next = 0usize;
            Ok(Box::new(move |_o: &Options| -> io::Result<Stream> {
                let addr = addrs[next % addrs.len()];
                next = next.wrapping_add(1);
                let s = mio::net::TcpStream::connect(addr)?;
                let _ = s.set_nodelay(true);
                Ok(Stream::Tcp(s))
            }))
        }
        Transport::Ipc => {
            let path = std::path::PathBuf::from(ep.address);
            Ok(Box::new(move |_o: &Options| -> io::Result<Stream> {
                mio::net::UnixStream::connect(&path).map(Stream::Ipc)
            }))
        }
        _ => Err(Error::EPROTONOSUPPORT),
    }
}

/// Tunes an accepted stream and applies the accept filters.
pub fn accept_check(stream: &Stream, _options: &Options) -> bool {
    if let Stream::Tcp(s) = stream {
        let _ = s.set_nodelay(true);
    }
    true
}

impl super::Socket {
    /// `zmq_bind` on tcp or ipc: the OS socket is bound here, so errors
    /// such as `EADDRINUSE` come back from the call, as in libzmq.
    pub(super) fn bind_io(&mut self, addr: &str, ep: &Endpoint) -> Result<()> {
        let options = &self.core.options;
        let (listener, resolved, cleanup) = listen(ep, options)?;
        let io = self.core.ctx.io_thread()?;
        let id = crate::io::next_object_id();
        let l = crate::session::Listener::new(
            id,
            listener,
            options.clone(),
            self.core.mailbox.clone(),
            Box::new(accept_check),
            cleanup,
        );
        io.send(Command::Plug(Box::new(l)));
        self.core.last_endpoint = resolved.clone();
        // A bound endpoint is known by its resolved name only: libzmq does
        // not unbind `tcp://*:*` by the wildcard.
        let _ = addr;
        self.core.io_endpoints.push(IoEndpoint {
            given: resolved.clone(),
            resolved,
            mailbox: io,
            object: id,
            pipe: None,
        });
        Ok(())
    }

    /// `zmq_connect` on tcp or ipc: the session connects in the background
    /// and reconnects; unless `ZMQ_IMMEDIATE`, the pipe exists at once so
    /// messages queue while connecting.
    pub(super) fn connect_io(&mut self, addr: &str, ep: &Endpoint) -> Result<()> {
        let connector = connector(ep, &self.core.options)?;
        let io = self.core.ctx.io_thread()?;
        let id = crate::io::next_object_id();
        let o = &self.core.options;
        let (local, remote) = if o.immediate {
            (None, None)
        } else {
            let conflate = o.effective_conflate();
            let hwm = |v: i32| if conflate { -1 } else { v };
            let (l, r) = crate::pipe::pipepair([hwm(o.sndhwm), hwm(o.rcvhwm)], conflate);
            (Some(l), Some(r))
        };
        let session = crate::session::Session::connecting(
            id,
            o.clone(),
            self.core.mailbox.clone(),
            remote,
            connector,
        );
        let pipe = local.as_ref().map(|p| p.id());
        if let Some(mut l) = local {
            l.endpoint = addr.to_string();
            self.attach_pipe(l, true);
        }
        io.send(Command::Plug(Box::new(session)));
        self.core.last_endpoint = addr.to_string();
        self.core.io_endpoints.push(IoEndpoint {
            given: addr.to_string(),
            resolved: addr.to_string(),
            mailbox: io,
            object: id,
            pipe,
        });
        Ok(())
    }

    /// unbind/disconnect of a tcp or ipc endpoint.
    pub(super) fn term_io_endpoint(&mut self, addr: &str) -> Result<()> {
        let (gone, kept): (Vec<IoEndpoint>, Vec<IoEndpoint>) =
            std::mem::take(&mut self.core.io_endpoints)
                .into_iter()
                .partition(|e| e.matches(addr));
        self.core.io_endpoints = kept;
        if gone.is_empty() {
            return Err(Error::ENOENT);
        }
        for e in gone {
            e.terminate();
            if let Some(p) = e.pipe {
                self.terminate_pipe(p);
            }
        }
        Ok(())
    }

    /// On close: every listener and connecting session ends (lingering).
    pub(super) fn close_io_endpoints(&mut self) {
        for e in self.core.io_endpoints.drain(..) {
            e.terminate();
        }
    }
}
