//! XPUB (rfc-29): publishes to the subscribers whose subscriptions match,
//! and hands the subscriptions themselves to the application.

use std::collections::VecDeque;
use std::sync::Arc;

use super::{Cx, Pattern};
use crate::msg::{Metadata, Msg};
use crate::options;
use crate::pipe::PipeId;
use crate::routing::trie::PipeTrie;
use crate::routing::Distributor;
use crate::{Error, Result};

struct Pending {
    data: Vec<u8>,
    meta: Option<Arc<Metadata>>,
    flags: u8,
    pipe: Option<PipeId>,
}

pub struct XPub {
    dist: Distributor,
    subscriptions: PipeTrie,
    manual_subscriptions: PipeTrie,
    pending: VecDeque<Pending>,
    verbose_subs: bool,
    verbose_unsubs: bool,
    more_send: bool,
    more_recv: bool,
    process_subscribe: bool,
    only_first_subscribe: bool,
    lossy: bool,
    manual: bool,
    send_last_pipe: bool,
    last_pipe: Option<PipeId>,
    welcome: Option<Vec<u8>>,
    /// PUB: subscriptions are processed but never shown to the application.
    pub(super) is_pub: bool,
}

impl Default for XPub {
    fn default() -> Self {
        XPub {
            dist: Distributor::default(),
            subscriptions: PipeTrie::default(),
            manual_subscriptions: PipeTrie::default(),
            pending: VecDeque::new(),
            verbose_subs: false,
            verbose_unsubs: false,
            more_send: false,
            more_recv: false,
            process_subscribe: false,
            only_first_subscribe: false,
            lossy: true,
            manual: false,
            send_last_pipe: false,
            last_pipe: None,
            welcome: None,
            is_pub: false,
        }
    }
}

impl XPub {
    fn queue(
        &mut self,
        data: Vec<u8>,
        meta: Option<Arc<Metadata>>,
        flags: u8,
        pipe: Option<PipeId>,
    ) {
        self.pending.push_back(Pending {
            data,
            meta,
            flags,
            pipe,
        });
    }

    fn unsubscription(&mut self, topic: &[u8]) {
        if self.is_pub {
            return;
        }
        let mut data = vec![0u8];
        data.extend_from_slice(topic);
        self.queue(data, None, 0, None);
        if self.manual {
            self.last_pipe = None;
        }
    }

    /// Reads the subscriptions (and upstream user messages) a pipe sent.
    fn read_subscriptions(&mut self, cx: &mut Cx, pipe: PipeId) {
        while let Some(msg) = cx.pipes.read(pipe) {
            let first = !self.more_recv;
            self.more_recv = msg.has_more();
            let mut sub: Option<(bool, &[u8])> = None;
            if first || self.process_subscribe {
                let d = msg.data();
                if msg.is_subscribe() || msg.is_cancel() {
                    sub = Some((msg.is_subscribe(), d));
                } else if matches!(d.first(), Some(0) | Some(1)) {
                    sub = Some((d[0] == 1, &d[1..]));
                }
            }
            if first {
                self.process_subscribe = !self.only_first_subscribe || sub.is_some();
            }
            let Some((subscribe, topic)) = sub else {
                if !self.is_pub {
                    let (data, meta) = (msg.data().to_vec(), msg.metadata().cloned());
                    self.queue(data, meta, msg.flags(), None);
                }
                continue;
            };
            let mut notify = false;
            if self.manual {
                if subscribe {
                    self.manual_subscriptions.add(topic, pipe);
                } else {
                    self.manual_subscriptions.rm(topic, pipe);
                }
            } else if subscribe {
                notify = self.subscriptions.add(topic, pipe) || self.verbose_subs;
            } else {
                let remains = self.subscriptions.rm(topic, pipe) == Some(false);
                notify = !remains || self.verbose_unsubs;
            }
            if self.manual || (!self.is_pub && notify) {
                let mut data = vec![subscribe as u8];
                data.extend_from_slice(topic);
                let meta = msg.metadata().cloned();
                self.queue(data, meta, 0, Some(pipe));
            }
        }
    }
}

impl Pattern for XPub {
    fn attach(&mut self, cx: &mut Cx, pipe: PipeId, _local: bool) {
        self.dist.attach(pipe);
        if let Some(w) = &self.welcome {
            let _ = cx.pipes.write(pipe, Msg::from_slice(w));
            cx.pipes.flush(pipe);
        }
        self.read_subscriptions(cx, pipe);
    }

    fn send(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<()> {
        let more = msg.has_more();
        if !self.more_send {
            self.dist.unmatch();
            let mut hits = Vec::new();
            self.subscriptions.matching(msg.data(), |p| hits.push(p));
            // MANUAL_LAST_VALUE: the first message after a subscription
            // goes only to the pipe that subscribed; with no such pipe,
            // matching is as usual (libzmq's `xsend`).
            let only = if self.manual && self.send_last_pipe {
                self.last_pipe.take()
            } else {
                None
            };
            for p in hits {
                if only.is_none_or(|o| o == p) {
                    self.dist.mark_matching(p);
                }
            }
            if cx.options.invert_matching {
                self.dist.reverse_match();
            }
        }
        if !self.lossy && !self.dist.check_hwm(cx.pipes) {
            return Err(Error::EAGAIN);
        }
        self.dist.send_to_matching(cx.pipes, msg.take());
        if !more {
            self.dist.unmatch();
        }
        self.more_send = more;
        Ok(())
    }

    fn recv(&mut self, _cx: &mut Cx) -> Result<Msg> {
        if self.is_pub {
            return Err(Error::ENOTSUP);
        }
        let p = self.pending.pop_front().ok_or(Error::EAGAIN)?;
        if self.manual {
            self.last_pipe = p.pipe;
        }
        let mut m = Msg::from_slice(&p.data);
        m.set_metadata(p.meta);
        m.set_flags(p.flags);
        Ok(m)
    }

    fn has_in(&mut self, _cx: &mut Cx) -> bool {
        !self.is_pub && !self.pending.is_empty()
    }

    fn has_out(&mut self, _cx: &mut Cx) -> bool {
        true
    }

    fn read_activated(&mut self, cx: &mut Cx, pipe: PipeId) {
        self.read_subscriptions(cx, pipe);
    }

    fn write_activated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.dist.activated(pipe);
    }

    fn pipe_terminated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        if self.manual {
            for topic in self.manual_subscriptions.rm_pipe(pipe, true) {
                self.unsubscription(&topic);
            }
            self.subscriptions.rm_pipe(pipe, true);
            if self.last_pipe == Some(pipe) {
                self.last_pipe = None;
            }
        } else {
            for topic in self.subscriptions.rm_pipe(pipe, self.verbose_unsubs) {
                self.unsubscription(&topic);
            }
        }
        self.dist.pipe_terminated(pipe);
        for p in self.pending.iter_mut() {
            if p.pipe == Some(pipe) {
                p.pipe = None;
            }
        }
    }

    fn set_option(&mut self, _cx: &mut Cx, option: i32, value: &[u8]) -> Option<Result<()>> {
        use options::codec::nonneg_flag;
        let r = match option {
            options::consts::ZMQ_XPUB_VERBOSE => nonneg_flag(value).map(|v| {
                self.verbose_subs = v;
                self.verbose_unsubs = false;
            }),
            options::consts::ZMQ_XPUB_VERBOSER => nonneg_flag(value).map(|v| {
                self.verbose_subs = v;
                self.verbose_unsubs = v;
            }),
            options::consts::ZMQ_XPUB_MANUAL_LAST_VALUE => nonneg_flag(value).map(|v| {
                self.manual = v;
                self.send_last_pipe = v;
            }),
            options::consts::ZMQ_XPUB_NODROP => nonneg_flag(value).map(|v| self.lossy = !v),
            options::consts::ZMQ_XPUB_MANUAL => nonneg_flag(value).map(|v| self.manual = v),
            options::consts::ZMQ_ONLY_FIRST_SUBSCRIBE => {
                nonneg_flag(value).map(|v| self.only_first_subscribe = v)
            }
            options::consts::ZMQ_SUBSCRIBE if self.manual => {
                if let Some(p) = self.last_pipe {
                    self.subscriptions.add(value, p);
                }
                Ok(())
            }
            options::consts::ZMQ_UNSUBSCRIBE if self.manual => {
                if let Some(p) = self.last_pipe {
                    self.subscriptions.rm(value, p);
                }
                Ok(())
            }
            options::consts::ZMQ_XPUB_WELCOME_MSG => {
                self.welcome = (!value.is_empty()).then(|| value.to_vec());
                Ok(())
            }
            _ => Err(Error::EINVAL),
        };
        Some(r)
    }

    /// `ZMQ_TOPICS_COUNT`, written as libzmq's `do_getsockopt<int>` writes
    /// (any buffer of at least 4 bytes, the rest zeroed).
    fn get_option(&self, option: i32, out: &mut [u8]) -> Option<Result<usize>> {
        (option == options::consts::ZMQ_TOPICS_COUNT)
            .then(|| options::codec::write_int_value(out, self.subscriptions.num_prefixes() as i32))
    }
}
