//! XSUB (rfc-29): receives from publishers, filtered by the subscriptions
//! the application sends upstream as messages (`\x01topic` / `\x00topic`).

use super::{Cx, Pattern};
use crate::msg::{flags, Msg};
use crate::options;
use crate::pipe::PipeId;
use crate::routing::{Distributor, FairQueue, SubscriptionTrie};
use crate::{Error, Result};

#[derive(Default)]
pub struct XSub {
    fq: FairQueue,
    dist: Distributor,
    subscriptions: SubscriptionTrie,
    /// A matching message fetched by `has_in`.
    message: Option<Msg>,
    more_send: bool,
    more_recv: bool,
    process_subscribe: bool,
    only_first_subscribe: bool,
    verbose_unsubs: bool,
    /// Whether this is a SUB (which cannot send user messages).
    pub(super) is_sub: bool,
}

fn subscription(topic: &[u8], subscribe: bool) -> Msg {
    let mut m = Msg::from_slice(topic);
    m.set_flags(if subscribe {
        flags::SUBSCRIBE
    } else {
        flags::CANCEL
    });
    m
}

impl XSub {
    /// Whether a received message goes to the application: SUB filters by
    /// its subscriptions, XSUB passes everything (libzmq's `options.filter`;
    /// a proxy's XPUB side decides what reaches it, e.g. `XPUB_MANUAL`).
    fn matches(&self, cx: &Cx, m: &Msg) -> bool {
        !cx.options.filter || self.subscriptions.check(m.data()) ^ cx.options.invert_matching
    }

    /// An upstream message from the application (or SUB's options).
    pub(super) fn send_upstream(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<()> {
        let first = !self.more_send;
        self.more_send = msg.has_more();
        if first {
            self.process_subscribe = !self.only_first_subscribe;
        } else if !self.process_subscribe {
            self.dist.send_to_all(cx.pipes, msg.take());
            return Ok(());
        }
        let data = msg.data();
        let (is_sub, is_cancel) = (
            msg.is_subscribe() || (!msg.is_cancel() && data.first() == Some(&1)),
            msg.is_cancel() || (!msg.is_subscribe() && data.first() == Some(&0)),
        );
        let topic = if msg.is_subscribe() || msg.is_cancel() {
            data
        } else {
            data.get(1..).unwrap_or(&[])
        };
        if is_sub {
            self.subscriptions.add(topic);
            self.process_subscribe = true;
        } else if is_cancel {
            self.process_subscribe = true;
            let removed = self.subscriptions.rm(topic);
            if !removed && !self.verbose_unsubs {
                drop(msg.take());
                return Ok(());
            }
        }
        self.dist.send_to_all(cx.pipes, msg.take());
        Ok(())
    }
}

impl XSub {
    /// Sends every current subscription to one pipe; those past the HWM
    /// are dropped, as libzmq does.
    fn send_subscriptions(&self, cx: &mut Cx, pipe: PipeId) {
        for topic in self.subscriptions.prefixes() {
            let _ = cx.pipes.write(pipe, subscription(&topic, true));
        }
        cx.pipes.flush(pipe);
    }
}

impl Pattern for XSub {
    fn attach(&mut self, cx: &mut Cx, pipe: PipeId, _local: bool) {
        self.fq.attach(pipe);
        self.dist.attach(pipe);
        self.send_subscriptions(cx, pipe);
    }

    fn hiccuped(&mut self, cx: &mut Cx, pipe: PipeId) {
        self.send_subscriptions(cx, pipe);
    }

    fn send(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<()> {
        if self.is_sub {
            return Err(Error::ENOTSUP);
        }
        self.send_upstream(cx, msg)
    }

    fn recv(&mut self, cx: &mut Cx) -> Result<Msg> {
        if let Some(m) = self.message.take() {
            self.more_recv = m.has_more();
            return Ok(m);
        }
        loop {
            let m = self.fq.recv(cx.pipes).ok_or(Error::EAGAIN)?;
            if self.more_recv || self.matches(cx, &m) {
                self.more_recv = m.has_more();
                return Ok(m);
            }
            let mut m = m;
            while m.has_more() {
                m = self.fq.recv(cx.pipes).ok_or(Error::EAGAIN)?;
            }
        }
    }

    fn has_in(&mut self, cx: &mut Cx) -> bool {
        if self.more_recv || self.message.is_some() {
            return true;
        }
        loop {
            let Some(m) = self.fq.recv(cx.pipes) else {
                return false;
            };
            if self.matches(cx, &m) {
                self.message = Some(m);
                return true;
            }
            let mut m = m;
            while m.has_more() {
                match self.fq.recv(cx.pipes) {
                    Some(next) => m = next,
                    None => return false,
                }
            }
        }
    }

    fn has_out(&mut self, _cx: &mut Cx) -> bool {
        !self.is_sub
    }

    fn read_activated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.fq.activated(pipe);
    }

    fn write_activated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.dist.activated(pipe);
    }

    fn pipe_terminated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.fq.pipe_terminated(pipe);
        self.dist.pipe_terminated(pipe);
    }

    fn set_option(&mut self, cx: &mut Cx, option: i32, value: &[u8]) -> Option<Result<()>> {
        if self.is_sub {
            let subscribe = match option {
                options::consts::ZMQ_SUBSCRIBE => true,
                options::consts::ZMQ_UNSUBSCRIBE => false,
                _ => return Some(Err(Error::EINVAL)),
            };
            let mut m = subscription(value, subscribe);
            return Some(self.send_upstream(cx, &mut m));
        }
        match option {
            options::consts::ZMQ_ONLY_FIRST_SUBSCRIBE => {
                Some(options::codec::nonneg_flag(value).map(|v| self.only_first_subscribe = v))
            }
            // libzmq reads an int here whatever the length and sign.
            options::consts::ZMQ_XSUB_VERBOSE_UNSUBSCRIBE => {
                self.verbose_unsubs = options::codec::int_unchecked(value) != 0;
                Some(Ok(()))
            }
            _ => Some(Err(Error::EINVAL)),
        }
    }

    /// `ZMQ_TOPICS_COUNT`, written as libzmq's `do_getsockopt<int>` writes
    /// (any buffer of at least 4 bytes, the rest zeroed).
    fn get_option(&self, option: i32, out: &mut [u8]) -> Option<Result<usize>> {
        (option == options::consts::ZMQ_TOPICS_COUNT).then(|| {
            options::codec::write_int_value(out, self.subscriptions.subscriptions() as i32)
        })
    }
}
