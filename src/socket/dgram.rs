//! DGRAM (draft): raw udp datagrams, libzmq's `dgram_t`. Every message is
//! two frames: the peer's address (`ip:port`) then the body. Sending, the
//! first frame must have `SNDMORE` and the second must not (`EINVAL`
//! otherwise); receiving gives the sender's address then the body. One
//! pipe only (its bound udp socket): a further one is refused.

use super::{Cx, Pattern};
use crate::msg::Msg;
use crate::pipe::PipeId;
use crate::{Error, Result};

#[derive(Default)]
pub(crate) struct Dgram {
    pipe: Option<PipeId>,
    /// The address frame went out; the body is next.
    more_out: bool,
}

impl Pattern for Dgram {
    fn attach(&mut self, cx: &mut Cx, pipe: PipeId, _local: bool) {
        if self.pipe.is_none() {
            self.pipe = Some(pipe);
        } else {
            cx.pipes.terminate(pipe);
        }
    }

    /// libzmq drops the message and fails with whatever `errno` held when
    /// there is no pipe; we keep it and say `EAGAIN`, so a blocking send
    /// waits for a bind.
    fn send(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<()> {
        let id = self.pipe.ok_or(Error::EAGAIN)?;
        let more = msg.has_more();
        // Address with MORE, then body without.
        if more == self.more_out {
            return Err(Error::EINVAL);
        }
        if let Err(back) = cx.pipes.write(id, msg.take()) {
            *msg = back;
            return Err(Error::EAGAIN);
        }
        if !more {
            cx.pipes.flush(id);
        }
        self.more_out = !self.more_out;
        Ok(())
    }

    fn recv(&mut self, cx: &mut Cx) -> Result<Msg> {
        let id = self.pipe.ok_or(Error::EAGAIN)?;
        cx.pipes.read(id).ok_or(Error::EAGAIN)
    }

    fn has_in(&mut self, cx: &mut Cx) -> bool {
        self.pipe.is_some_and(|id| cx.pipes.check_read(id))
    }

    fn has_out(&mut self, cx: &mut Cx) -> bool {
        self.pipe.is_some_and(|id| cx.pipes.check_write(id))
    }

    fn read_activated(&mut self, _cx: &mut Cx, _pipe: PipeId) {}

    fn write_activated(&mut self, _cx: &mut Cx, _pipe: PipeId) {}

    fn pipe_terminated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        if self.pipe == Some(pipe) {
            self.pipe = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::flags;
    use crate::pipe::pipepair;
    use crate::routing::pipes::Pipes;

    fn frame(data: &[u8], more: bool) -> Msg {
        let mut m = Msg::from_slice(data);
        if more {
            m.set_flags(flags::MORE);
        }
        m
    }

    /// A DGRAM pattern with one pipe; returns the peer's end.
    fn attached(options: &mut crate::options::Options) -> (Dgram, Pipes, crate::pipe::Pipe) {
        let (ours, theirs) = pipepair([1000, 1000], false);
        let mut pipes = Pipes::default();
        let id = ours.id();
        pipes.insert(ours);
        let mut d = Dgram::default();
        d.attach(
            &mut Cx {
                pipes: &mut pipes,
                options,
            },
            id,
            true,
        );
        (d, pipes, theirs)
    }

    #[test]
    fn a_message_is_an_address_with_more_then_a_body_without() {
        let mut o = crate::options::Options::new(crate::options::consts::ZMQ_DGRAM);
        let (mut d, mut pipes, mut peer) = attached(&mut o);
        let mut cx = Cx {
            pipes: &mut pipes,
            options: &mut o,
        };
        // A body first is refused, and kept for the caller.
        let mut body = frame(b"body", false);
        assert_eq!(d.send(&mut cx, &mut body), Err(Error::EINVAL));
        assert_eq!(body.data(), b"body");
        d.send(&mut cx, &mut frame(b"127.0.0.1:5555", true))
            .unwrap();
        // A second MORE frame is refused: two parts only.
        assert_eq!(
            d.send(&mut cx, &mut frame(b"more", true)),
            Err(Error::EINVAL)
        );
        d.send(&mut cx, &mut frame(b"body", false)).unwrap();
        assert_eq!(peer.read().unwrap().data(), b"127.0.0.1:5555");
        assert_eq!(peer.read().unwrap().data(), b"body");
        // The next message starts with an address again.
        assert_eq!(d.send(&mut cx, &mut frame(b"x", false)), Err(Error::EINVAL));
    }

    #[test]
    fn without_a_pipe_send_and_recv_say_eagain() {
        let mut o = crate::options::Options::new(crate::options::consts::ZMQ_DGRAM);
        let mut pipes = Pipes::default();
        let mut cx = Cx {
            pipes: &mut pipes,
            options: &mut o,
        };
        let mut d = Dgram::default();
        let mut m = frame(b"a", true);
        assert_eq!(d.send(&mut cx, &mut m), Err(Error::EAGAIN));
        assert_eq!(d.recv(&mut cx).err(), Some(Error::EAGAIN));
        assert!(!d.has_in(&mut cx) && !d.has_out(&mut cx));
    }

    #[test]
    fn a_second_pipe_is_refused() {
        let mut o = crate::options::Options::new(crate::options::consts::ZMQ_DGRAM);
        let (mut d, mut pipes, _peer) = attached(&mut o);
        let (second, second_peer) = pipepair([10, 10], false);
        let id = second.id();
        pipes.insert(second);
        d.attach(
            &mut Cx {
                pipes: &mut pipes,
                options: &mut o,
            },
            id,
            false,
        );
        assert!(second_peer.peer_is_terminated());
    }

    #[test]
    fn received_frames_come_in_order_address_first() {
        let mut o = crate::options::Options::new(crate::options::consts::ZMQ_DGRAM);
        let (mut d, mut pipes, mut peer) = attached(&mut o);
        peer.write(frame(b"10.0.0.1:9\0", true)).unwrap();
        peer.write(frame(b"hi", false)).unwrap();
        peer.flush();
        let mut cx = Cx {
            pipes: &mut pipes,
            options: &mut o,
        };
        assert!(d.has_in(&mut cx));
        let a = d.recv(&mut cx).unwrap();
        assert!(a.has_more());
        assert_eq!(a.data(), b"10.0.0.1:9\0");
        let b = d.recv(&mut cx).unwrap();
        assert!(!b.has_more());
        assert_eq!(b.data(), b"hi");
    }
}
