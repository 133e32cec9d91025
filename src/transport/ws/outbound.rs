//! Engine to network: the byte stream our ZMTP engine writes in, the
//! WebSocket frames libzmq's `ws_encoder_t` would write out.
//!
//! The engine's greeting (64 bytes, or 12 for a ZMTP 2.0 peer, in
//! whatever pieces) is swallowed: ZWS has none. Then each ZMTP frame is
//! parsed as it streams by and becomes one binary frame: FIN|binary, the
//! shortest length form, the mask key on the client side, the flags byte
//! (MORE 0x01, COMMAND 0x02), the body; masking starts at the flags byte.
//! A body passes through in pieces and is never held.
//!
//! Commands need their name before the frame header can be written, so
//! their first bytes (at most 10) are held:
//! - `PING` and `PONG` (heartbeats, and our answer to a peer's ping)
//!   become empty WebSocket pings and pongs, as libzmq's
//!   `produce_ping_message`/`produce_pong_message`; the TTL and context
//!   are dropped;
//! - `SUBSCRIBE`/`CANCEL` (our ZMTP 3.1 encoder's form) become what
//!   libzmq's encoder writes for a subscription: a data frame whose body
//!   is a `1` or `0` byte and the topic; libzmq's ws engine would drop the
//!   command form;
//! - any other command passes with the COMMAND flag.
//!
//! A close frame to echo waits for the frame in progress to end; after
//! it, everything the engine writes is dropped, as libzmq produces no more
//! messages after its close.

use super::frame::{
    put_header, MaskKeys, Masker, COMMAND, MORE, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG,
};

const ZMTP_MORE: u8 = 0x01;
const ZMTP_LARGE: u8 = 0x02;
const ZMTP_COMMAND: u8 = 0x04;

/// Longest command name prefix we look at: `\x09SUBSCRIBE`.
const NAME_PREFIX: usize = 10;

/// The engine's signature, all it can write before the upgrade: it waits
/// for our greeting, which comes after.
pub(crate) const SIGNATURE_LEN: usize = 10;

/// Where the ZMTP parser is.
#[derive(Clone, Copy, Debug)]
enum State {
    /// Reading a frame header: flags, then a 1- or 8-byte size.
    Header { buf: [u8; 9], have: usize },
    /// Reading a command's first bytes to recognise its name.
    Name {
        more: bool,
        body: u64,
        buf: [u8; NAME_PREFIX],
        have: usize,
    },
    /// Passing (or dropping) `remaining` body bytes.
    Body {
        remaining: u64,
        masker: Masker,
        drop: bool,
    },
}

const AT_BOUNDARY: State = State::Header {
    buf: [0; 9],
    have: 0,
};

/// The translation state of one connection's output.
#[derive(Debug)]
pub(crate) struct Outbound {
    /// Client side: frames are masked with these keys.
    keys: Option<MaskKeys>,
    /// Greeting bytes to swallow: the signature until the upgrade says
    /// which greeting the engine writes.
    greeting_len: usize,
    greeting_taken: usize,
    /// The upgrade is done: frames may follow the greeting.
    started: bool,
    state: State,
    close_echo: [u8; 125],
    close_len: Option<usize>,
    /// The close echo is out: drop the engine's output.
    closed: bool,
}

impl Outbound {
    /// `mask`: we are the client, so our frames are masked.
    pub(crate) fn new(mask: bool) -> Outbound {
        Outbound {
            keys: mask.then(MaskKeys::new),
            greeting_len: SIGNATURE_LEN,
            greeting_taken: 0,
            started: false,
            state: AT_BOUNDARY,
            close_echo: [0; 125],
            close_len: None,
            closed: false,
        }
    }

    /// The upgrade is done; the engine's greeting is `len` bytes long.
    pub(crate) fn start(&mut self, greeting_len: usize) {
        self.greeting_len = greeting_len;
        self.started = true;
    }

    /// The close echo is in the network output.
    pub(crate) fn close_sent(&self) -> bool {
        self.closed
    }

    /// Queues the echo of a peer's close frame: now if no frame is in
    /// progress, else when it ends.
    pub(crate) fn echo_close(&mut self, payload: &[u8], net: &mut Vec<u8>) {
        if self.close_len.is_some() || self.closed {
            return;
        }
        let n = payload.len().min(self.close_echo.len());
        self.close_echo[..n].copy_from_slice(&payload[..n]);
        self.close_len = Some(n);
        self.flush_close(net);
    }

    fn at_boundary(&self) -> bool {
        matches!(self.state, State::Header { have: 0, .. })
    }

    fn flush_close(&mut self, net: &mut Vec<u8>) {
        if let Some(n) = self.close_len {
            if self.at_boundary() && !self.closed {
                let key = self.next_key();
                put_header(net, OP_CLOSE, n as u64, key);
                Masker::new(key).put(&self.close_echo[..n], net);
                self.closed = true;
            }
        }
    }

    fn next_key(&mut self) -> Option<[u8; 4]> {
        self.keys.as_mut().map(MaskKeys::next_key)
    }

    /// Takes engine bytes from `zmtp`, appending frames to `net`, and
    /// stops once `room` more body bytes would not fit (headers are small
    /// and always written whole). Returns how many bytes it took.
    pub(crate) fn write(&mut self, zmtp: &[u8], net: &mut Vec<u8>, room: usize) -> usize {
        let mut used = 0;
        if self.greeting_taken < self.greeting_len {
            let n = (self.greeting_len - self.greeting_taken).min(zmtp.len());
            self.greeting_taken += n;
            used = n;
            if self.greeting_taken < self.greeting_len {
                return used;
            }
        }
        if !self.started {
            return used;
        }
        if self.closed {
            return zmtp.len();
        }
        let limit = net.len() + room;
        while used < zmtp.len() {
            let input = &zmtp[used..];
            match &mut self.state {
                State::Header { buf, have } => {
                    let need = if *have > 0 && buf[0] & ZMTP_LARGE != 0 {
                        9
                    } else {
                        2
                    };
                    let n = (need - *have).min(input.len());
                    buf[*have..*have + n].copy_from_slice(&input[..n]);
                    *have += n;
                    used += n;
                    // The LARGE flag is known after one byte; re-check.
                    let need = if buf[0] & ZMTP_LARGE != 0 { 9 } else { 2 };
                    if *have == need {
                        let (flags, buf) = (buf[0], *buf);
                        let body = if need == 9 {
                            u64::from_be_bytes(buf[1..9].try_into().expect("8 bytes"))
                        } else {
                            u64::from(buf[1])
                        };
                        self.on_header(flags, body, net);
                    }
                }
                State::Name {
                    more,
                    body,
                    buf,
                    have,
                } => {
                    let want = (*body).min(NAME_PREFIX as u64) as usize;
                    let n = (want - *have).min(input.len());
                    buf[*have..*have + n].copy_from_slice(&input[..n]);
                    *have += n;
                    used += n;
                    if *have == want {
                        let (more, body, buf, have) = (*more, *body, *buf, *have);
                        self.on_command(more, body, &buf[..have], net);
                    }
                }
                State::Body {
                    remaining,
                    masker,
                    drop,
                } => {
                    let room = limit.saturating_sub(net.len());
                    if room == 0 && !*drop {
                        break;
                    }
                    let max = if *drop {
                        input.len()
                    } else {
                        input.len().min(room)
                    };
                    let n = usize::try_from(*remaining).map_or(max, |r| r.min(max));
                    if !*drop {
                        masker.put(&input[..n], net);
                    }
                    *remaining -= n as u64;
                    used += n;
                    if *remaining == 0 {
                        self.end_frame(net);
                    }
                }
            }
            if self.closed {
                return zmtp.len();
            }
        }
        used
    }

    fn end_frame(&mut self, net: &mut Vec<u8>) {
        self.state = AT_BOUNDARY;
        self.flush_close(net);
    }

    /// A complete ZMTP header.
    fn on_header(&mut self, flags: u8, body: u64, net: &mut Vec<u8>) {
        let more = flags & ZMTP_MORE != 0;
        if flags & ZMTP_COMMAND != 0 && body > 0 {
            self.state = State::Name {
                more,
                body,
                buf: [0; NAME_PREFIX],
                have: 0,
            };
            return;
        }
        let mut ws_flags = if more { MORE } else { 0 };
        if flags & ZMTP_COMMAND != 0 {
            ws_flags |= COMMAND;
        }
        let masker = self.start_binary(ws_flags, None, body, net);
        self.pass_body(body, masker, net);
    }

    /// A command's first bytes (`prefix`, all of it if shorter than
    /// [`NAME_PREFIX`]) of a `body`-byte command.
    fn on_command(&mut self, more: bool, body: u64, prefix: &[u8], net: &mut Vec<u8>) {
        let more_flag = if more { MORE } else { 0 };
        let rest = body - prefix.len() as u64;
        let control = if prefix.starts_with(b"\x04PING") {
            Some(OP_PING)
        } else if prefix.starts_with(b"\x04PONG") {
            Some(OP_PONG)
        } else {
            None
        };
        let subscription = if prefix.starts_with(b"\x09SUBSCRIBE") {
            Some((1, 10))
        } else if prefix.starts_with(b"\x06CANCEL") {
            Some((0, 7))
        } else {
            None
        };
        if let Some(op) = control {
            let key = self.next_key();
            put_header(net, op, 0, key);
            self.skip_body(rest, net);
        } else if let Some((sub, name_len)) = subscription {
            let topic_len = body - name_len as u64;
            let mut masker = self.start_binary(more_flag, Some(sub), topic_len, net);
            masker.put(&prefix[name_len..], net);
            self.pass_body(rest, masker, net);
        } else {
            let mut masker = self.start_binary(more_flag | COMMAND, None, body, net);
            masker.put(prefix, net);
            self.pass_body(rest, masker, net);
        }
    }

    /// Writes a binary frame's header, flags byte and subscription byte
    /// for a `body`-byte body. Returns the masker positioned for the body.
    fn start_binary(&mut self, flags: u8, sub: Option<u8>, body: u64, net: &mut Vec<u8>) -> Masker {
        let key = self.next_key();
        let extra = 1 + u64::from(sub.is_some());
        put_header(net, OP_BINARY, body + extra, key);
        let mut masker = Masker::new(key);
        masker.put(&[flags], net);
        if let Some(s) = sub {
            masker.put(&[s], net);
        }
        masker
    }

    fn pass_body(&mut self, remaining: u64, masker: Masker, net: &mut Vec<u8>) {
        self.state = State::Body {
            remaining,
            masker,
            drop: false,
        };
        if remaining == 0 {
            self.end_frame(net);
        }
    }

    fn skip_body(&mut self, remaining: u64, net: &mut Vec<u8>) {
        self.state = State::Body {
            remaining,
            masker: Masker::new(None),
            drop: true,
        };
        if remaining == 0 {
            self.end_frame(net);
        }
    }
}
