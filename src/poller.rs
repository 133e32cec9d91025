//! The poller behind `zmq_poller_*`: a set of sockets and plain fds, each
//! with the events of interest and a user pointer, waited on together.

use std::os::fd::RawFd;

use crate::poll::{fd_revents, poll_loop, sleep_for, Watch, POLLERR, POLLIN, POLLOUT, POLLPRI};
use crate::socket::Socket;
use crate::{Error, Result};

/// How the poller reaches a socket it was given: the C surface hands it
/// opaque handles and resolves them on each use.
pub trait SocketKey: Copy + PartialEq {
    /// Runs `f` on the socket; `ENOTSOCK` if the key no longer names one.
    fn with<R>(self, f: impl FnOnce(&mut Socket) -> Result<R>) -> Result<R>;
}

#[derive(Clone, Copy, Debug)]
struct Item<S> {
    socket: Option<S>,
    fd: RawFd,
    user_data: usize,
    events: i16,
}

/// One ready item, as `zmq_poller_event_t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event<S> {
    pub socket: Option<S>,
    pub fd: RawFd,
    pub user_data: usize,
    pub events: i16,
}

#[derive(Debug)]
pub struct Poller<S> {
    items: Vec<Item<S>>,
}

impl<S> Default for Poller<S> {
    fn default() -> Self {
        Poller { items: Vec::new() }
    }
}

/// Only the four ZMQ_POLL* bits are valid.
pub fn check_events(events: i16) -> Result<()> {
    if events & !(POLLIN | POLLOUT | POLLERR | POLLPRI) != 0 {
        return Err(Error::EINVAL);
    }
    Ok(())
}

impl<S: SocketKey> Poller<S> {
    pub fn size(&self) -> usize {
        self.items.len()
    }

    /// `zmq_poller_fd`: an fd that becomes readable when a thread-safe
    /// socket of the set may have events; `EINVAL` when the set has none
    /// (libzmq only has a signaler for thread-safe sockets). Ours is that
    /// socket's own command fd, so with several thread-safe sockets it
    /// watches the first.
    pub fn fd(&self) -> Result<RawFd> {
        for it in &self.items {
            if let Some(s) = it.socket {
                let (safe, fd) = s.with(|sock| Ok((sock.is_thread_safe(), sock.fd())))?;
                if safe {
                    return Ok(fd);
                }
            }
        }
        Err(Error::EINVAL)
    }

    fn find(&self, socket: S) -> Option<usize> {
        self.items.iter().position(|i| i.socket == Some(socket))
    }

    fn find_fd(&self, fd: RawFd) -> Option<usize> {
        self.items
            .iter()
            .position(|i| i.socket.is_none() && i.fd == fd)
    }

    /// `EINVAL` if the socket is already in the set.
    pub fn add(&mut self, socket: S, user_data: usize, events: i16) -> Result<()> {
        if self.find(socket).is_some() {
            return Err(Error::EINVAL);
        }
        self.items.push(Item {
            socket: Some(socket),
            fd: -1,
            user_data,
            events,
        });
        Ok(())
    }

    pub fn add_fd(&mut self, fd: RawFd, user_data: usize, events: i16) -> Result<()> {
        if self.find_fd(fd).is_some() {
            return Err(Error::EINVAL);
        }
        self.items.push(Item {
            socket: None,
            fd,
            user_data,
            events,
        });
        Ok(())
    }

    pub fn modify(&mut self, socket: S, events: i16) -> Result<()> {
        let i = self.find(socket).ok_or(Error::EINVAL)?;
        self.items[i].events = events;
        Ok(())
    }

    pub fn modify_fd(&mut self, fd: RawFd, events: i16) -> Result<()> {
        let i = self.find_fd(fd).ok_or(Error::EINVAL)?;
        self.items[i].events = events;
        Ok(())
    }

    pub fn remove(&mut self, socket: S) -> Result<()> {
        let i = self.find(socket).ok_or(Error::EINVAL)?;
        self.items.remove(i);
        Ok(())
    }

    pub fn remove_fd(&mut self, fd: RawFd) -> Result<()> {
        let i = self.find_fd(fd).ok_or(Error::EINVAL)?;
        self.items.remove(i);
        Ok(())
    }

    /// Waits for up to `max` events. `EAGAIN` when the timeout passes with
    /// none; `EFAULT` when asked to wait forever on nothing.
    pub fn wait(&mut self, max: usize, timeout_ms: i64) -> Result<Vec<Event<S>>> {
        if self.items.is_empty() && timeout_ms < 0 {
            return Err(Error::EFAULT);
        }
        // Only items with events take part.
        let live: Vec<Item<S>> = self
            .items
            .iter()
            .copied()
            .filter(|i| i.events != 0)
            .collect();
        if live.is_empty() {
            if timeout_ms < 0 {
                return Err(Error::EFAULT);
            }
            sleep_for(timeout_ms);
            return Err(Error::EAGAIN);
        }
        let mut watches = Vec::with_capacity(live.len());
        for it in &live {
            watches.push(match it.socket {
                Some(s) => Watch::Socket(s.with(|sock| Ok(sock.fd()))?),
                None => Watch::Fd(it.fd, it.events),
            });
        }
        let mut found: Vec<Event<S>> = Vec::new();
        let n = poll_loop(&watches, timeout_ms, None, |i, os| {
            if i == 0 {
                found.clear();
            }
            let it = &live[i];
            let ready = match it.socket {
                Some(s) => s.with(|sock| sock.events())? & it.events,
                None => fd_revents(os),
            };
            if ready != 0 && found.len() < max {
                found.push(Event {
                    socket: it.socket,
                    fd: it.fd,
                    user_data: it.user_data,
                    events: ready,
                });
            }
            Ok(ready)
        })?;
        if n == 0 || found.is_empty() {
            return Err(Error::EAGAIN);
        }
        Ok(found)
    }
}
