//! STREAM: talks to non-ZMQ peers over tcp (and ipc) through the raw
//! engine (`src/zmtp/raw.rs`), libzmq's `stream_t`.
//!
//! Every connection gets a routing id, made up (libzmq's five-byte
//! integral ids) or named with `ZMQ_CONNECT_ROUTING_ID` when we connect.
//! Each received chunk of bytes comes as two frames, [routing id][data];
//! an empty data frame announces a connect or a disconnect
//! (`ZMQ_STREAM_NOTIFY`, on by default). A message is sent as
//! [routing id][data] (the routing-id frame must have MORE; MORE on the
//! data frame is ignored); an empty data frame closes the connection.

use super::{Cx, Pattern};
use crate::msg::Msg;
use crate::options::consts::{ZMQ_CONNECT_ROUTING_ID, ZMQ_STREAM_NOTIFY};
use crate::pipe::PipeId;
use crate::routing::outpipes::routing_id_frame;
use crate::routing::{FairQueue, IntegralIds, OutPipes};
use crate::{Error, Result};

#[derive(Default)]
pub struct Stream {
    fq: FairQueue,
    outpipes: OutPipes,
    ids: IntegralIds,
    /// The routing-id frame of a prefetched message, not yet received.
    prefetched_id: Option<Msg>,
    /// A prefetched data frame, received after its routing-id frame.
    prefetched: Option<Msg>,
    /// The routing-id frame was sent: the next frame is the data.
    more_out: bool,
    /// Where the data frame goes (none: dropped).
    current_out: Option<PipeId>,
}

impl Stream {
    /// libzmq's `stream_t::identify_peer`: every pipe gets an id at once.
    fn identify_peer(&mut self, cx: &mut Cx, pipe: PipeId, local: bool) {
        let named = if local {
            self.outpipes.take_connect_routing_id()
        } else {
            None
        };
        // libzmq asserts that a connect routing id is not in use; we give
        // such a connection a made-up id instead of aborting.
        let id = match named {
            Some(id) if !self.outpipes.has(&id) => id,
            _ => {
                let id = self.ids.next_id();
                // libzmq writes a generated id into the socket's
                // ZMQ_ROUTING_ID, where applications read it back.
                cx.options.routing_id = id.clone();
                id
            }
        };
        if let Some(p) = cx.pipes.get_mut(pipe) {
            p.routing_id = id.clone();
        }
        self.outpipes.add(id, pipe);
    }

    /// The next data frame and its pipe. Raw connections carry one frame
    /// per message; a frame with MORE can only come from a ZMTP peer over
    /// inproc, where libzmq asserts: we deliver it as a whole message.
    fn fetch(&mut self, cx: &mut Cx) -> Option<(Msg, PipeId)> {
        let (mut m, pipe) = self.fq.recv_pipe(cx.pipes)?;
        m.set_more(false);
        Some((m, pipe))
    }
}

impl Pattern for Stream {
    fn attach(&mut self, cx: &mut Cx, pipe: PipeId, local: bool) {
        self.identify_peer(cx, pipe, local);
        self.fq.attach(pipe);
    }

    fn send(&mut self, cx: &mut Cx, msg: &mut Msg) -> Result<()> {
        if !self.more_out {
            // The routing-id frame. Without MORE it is ignored (libzmq:
            // "malformed message, silently ignore it"), yet the next
            // frame is still taken as data.
            if msg.has_more() {
                let Some(o) = self.outpipes.lookup_mut(msg.data()) else {
                    return Err(Error::EHOSTUNREACH);
                };
                let pipe = o.pipe;
                if !cx.pipes.check_write(pipe) {
                    o.active = false;
                    return Err(Error::EAGAIN);
                }
                self.current_out = Some(pipe);
            }
            self.more_out = true;
            drop(msg.take());
            return Ok(());
        }
        // The data frame: MORE is ignored, this ends the message.
        let mut m = msg.take();
        m.set_more(false);
        self.more_out = false;
        let Some(pipe) = self.current_out.take() else {
            return Ok(());
        };
        if m.size() == 0 {
            // An empty frame closes the connection; what the pipe still
            // holds is written first by the session.
            cx.pipes.terminate(pipe);
            return Ok(());
        }
        if cx.pipes.write(pipe, m).is_ok() {
            cx.pipes.flush(pipe);
        }
        Ok(())
    }

    fn recv(&mut self, cx: &mut Cx) -> Result<Msg> {
        if let Some(id) = self.prefetched_id.take() {
            return Ok(id);
        }
        if let Some(m) = self.prefetched.take() {
            return Ok(m);
        }
        let (m, pipe) = self.fetch(cx).ok_or(Error::EAGAIN)?;
        let id = routing_id_frame(cx.pipes, pipe, &m);
        self.prefetched = Some(m);
        Ok(id)
    }

    fn has_in(&mut self, cx: &mut Cx) -> bool {
        if self.prefetched.is_some() {
            return true;
        }
        let Some((m, pipe)) = self.fetch(cx) else {
            return false;
        };
        self.prefetched_id = Some(routing_id_frame(cx.pipes, pipe, &m));
        self.prefetched = Some(m);
        true
    }

    /// Always: whether a send succeeds depends on the peer it names.
    fn has_out(&mut self, _cx: &mut Cx) -> bool {
        true
    }

    fn read_activated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.fq.activated(pipe);
    }

    fn write_activated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.outpipes.write_activated(pipe);
    }

    fn pipe_terminated(&mut self, _cx: &mut Cx, pipe: PipeId) {
        self.outpipes.erase_pipe(pipe);
        self.fq.pipe_terminated(pipe);
        if self.current_out == Some(pipe) {
            self.current_out = None;
        }
    }

    fn set_option(&mut self, cx: &mut Cx, option: i32, value: &[u8]) -> Option<Result<()>> {
        match option {
            ZMQ_STREAM_NOTIFY => Some(cx.options.set_stream_notify(value)),
            ZMQ_CONNECT_ROUTING_ID => Some(self.outpipes.set_connect_routing_id(value)),
            _ => None,
        }
    }
}
