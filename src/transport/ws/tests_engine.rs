//! Our unchanged ZMTP engine on both ends of two ws adapters: the
//! adapter's contract is that the engine cannot tell it is not on tcp.
//! Bytes cross through [`WsAdapter::receive_into`] straight into the
//! engine's read buffer, the path an io stream would take.

use std::time::{Duration, Instant};

use super::tests::{parse_all, Rng};
use super::*;
use crate::msg::{flags, Msg};
use crate::options::consts::*;
use crate::options::Options;
use crate::zmtp::{Engine, EngineConfig, Event};

/// One end: an engine, its adapter, and what happened to it.
struct Side {
    e: Engine,
    ws: WsAdapter,
    events: Vec<Event>,
    /// Engine output the adapter has not taken yet.
    to_ws: Vec<u8>,
    /// Everything this side put on the network, for inspection.
    wire: Vec<u8>,
    error: Option<WsError>,
}

impl Side {
    fn new(o: &Options, client: bool, now: Instant) -> Side {
        let mech = crate::zmtp::mechanism::mechanism_name(o.mechanism);
        Side {
            e: Engine::new(EngineConfig::new(o, "127.0.0.1", Some(7)), now),
            ws: if client {
                WsAdapter::client("localhost", "/zmq", mech, false)
            } else {
                WsAdapter::server(mech, false)
            },
            events: Vec::new(),
            to_ws: Vec::new(),
            wire: Vec::new(),
            error: None,
        }
    }

    fn poll(&mut self) {
        while let Some(ev) = self.e.poll_event() {
            self.events.push(ev);
        }
    }

    /// Engine output into the adapter; true if any moved.
    fn push_out(&mut self) -> bool {
        self.e.take_transmit(&mut self.to_ws);
        match self.ws.write_zmtp(&self.to_ws) {
            Ok(n) => {
                self.to_ws.drain(..n);
                n > 0
            }
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }

    fn messages(&self) -> Vec<Vec<u8>> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Message(m) if !m.is_routing_id() => Some(m.data().to_vec()),
                _ => None,
            })
            .collect()
    }

    fn ready(&self) -> bool {
        self.events
            .iter()
            .any(|e| matches!(e, Event::HandshakeSucceeded))
    }

    fn closed(&self) -> bool {
        self.events.iter().any(|e| matches!(e, Event::Closed(_)))
    }
}

/// Network bytes from `from` into `to`'s engine, at most `chunk` at a
/// time; true if any moved.
fn deliver(from: &mut Side, to: &mut Side, chunk: usize, now: Instant) -> bool {
    let mut moved = false;
    while to.error.is_none() && !from.ws.network_output().is_empty() {
        to.poll();
        let out = from.ws.network_output();
        let n = out.len().min(chunk);
        match to.ws.receive_into(&out[..n], to.e.read_buf()) {
            Ok((used, written)) => {
                from.wire.extend_from_slice(&out[..used]);
                from.ws.consume_network_output(used);
                to.e.advance_read(written, now);
                to.poll();
                if used == 0 && written == 0 {
                    break;
                }
                moved = true;
            }
            Err(e) => to.error = Some(e),
        }
    }
    moved
}

struct Link {
    c: Side,
    s: Side,
    now: Instant,
    chunk: usize,
}

impl Link {
    fn new(client: &Options, server: &Options) -> Link {
        let now = Instant::now();
        Link {
            c: Side::new(client, true, now),
            s: Side::new(server, false, now),
            now,
            chunk: usize::MAX,
        }
    }

    fn run(&mut self) {
        for _ in 0..1_000_000 {
            let mut moved = self.c.push_out() | self.s.push_out();
            moved |= deliver(&mut self.c, &mut self.s, self.chunk, self.now);
            moved |= deliver(&mut self.s, &mut self.c, self.chunk, self.now);
            self.c.poll();
            self.s.poll();
            if !moved {
                return;
            }
        }
        panic!("never went quiet");
    }

    fn advance(&mut self, ms: u64) {
        self.now += Duration::from_millis(ms);
        self.c.e.on_timeout(self.now);
        self.s.e.on_timeout(self.now);
        self.run();
    }
}

fn multipart(e: &mut Engine, parts: &[&[u8]]) {
    for (i, p) in parts.iter().enumerate() {
        let mut m = Msg::from_slice(p);
        m.set_more(i + 1 < parts.len());
        e.send(m).unwrap();
    }
}

#[test]
fn null_handshake_and_messages_both_ways() {
    let mut rng = Rng(7);
    let big: Vec<u8> = (0..100_000).map(|_| rng.next() as u8).collect();
    for chunk in [usize::MAX, 1, 777] {
        let mut l = Link::new(&Options::new(ZMQ_DEALER), &Options::new(ZMQ_ROUTER));
        l.chunk = chunk;
        l.run();
        assert!(l.c.ready() && l.s.ready(), "chunk {chunk}");
        assert_eq!(l.c.ws.protocol(), Some(handshake::ZwsProtocol::Null));
        let s_mark = l.s.wire.len();
        multipart(&mut l.c.e, &[b"a", b"", b"three"]);
        multipart(&mut l.c.e, &[&big]);
        multipart(&mut l.s.e, &[b"back", b"again"]);
        l.run();
        assert_eq!(
            l.s.messages(),
            [b"a".to_vec(), vec![], b"three".to_vec(), big.clone()]
        );
        assert_eq!(l.c.messages(), [b"back".to_vec(), b"again".to_vec()]);
        let frames = parse_all(&l.s.wire[s_mark..]);
        assert_eq!(
            frames,
            [(0x82, b"\x01back".to_vec()), (0x82, b"\x00again".to_vec())]
        );
        // READY went as a ws command frame: flags byte 0x02.
        let first = parse_all(&l.c.wire[l.c.wire.iter().position(|&b| b == 0x82).unwrap()..]);
        assert_eq!(&first[0].1[..7], b"\x02\x05READY", "client READY first");
        assert_eq!(first[1].1, b"\x01a", "then data, MORE");
    }
}

#[test]
fn subscription_reaches_the_publisher_as_data() {
    let mut l = Link::new(&Options::new(ZMQ_SUB), &Options::new(ZMQ_XPUB));
    l.run();
    let mark = l.c.wire.len();
    let mut sub = Msg::from_slice(b"topic");
    sub.set_flags(flags::SUBSCRIBE);
    l.c.e.send(sub).unwrap();
    l.run();
    // libzmq's form: data frame, first byte 1; never a SUBSCRIBE command.
    let frames = parse_all(&l.c.wire[mark..]);
    assert_eq!(frames, [(0x82, b"\x00\x01topic".to_vec())]);
    assert_eq!(l.s.messages(), [b"\x01topic".to_vec()]);
}

#[test]
fn heartbeats_are_ws_pings_and_pongs() {
    let mut o = Options::new(ZMQ_DEALER);
    o.heartbeat_interval = 100;
    o.heartbeat_timeout = 150;
    let mut l = Link::new(&o, &Options::new(ZMQ_DEALER));
    l.run();
    assert!(l.c.ready());
    let (c_mark, s_mark) = (l.c.wire.len(), l.s.wire.len());
    for _ in 0..5 {
        l.advance(100);
    }
    assert!(!l.c.closed(), "pongs keep the connection alive");
    let pings = parse_all(&l.c.wire[c_mark..]);
    let pongs = parse_all(&l.s.wire[s_mark..]);
    assert!(
        pings.len() >= 4 && pings.iter().all(|f| *f == (0x89, vec![])),
        "{pings:?}"
    );
    assert_eq!(pongs.len(), pings.len());
    assert!(pongs.iter().all(|f| *f == (0x8a, vec![])), "{pongs:?}");
}

#[test]
fn peer_close_echo_then_connection_reset() {
    let mut l = Link::new(&Options::new(ZMQ_DEALER), &Options::new(ZMQ_DEALER));
    l.run();
    // A browser-style close from the client side's network.
    let close = [0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xe8 ^ 2];
    let (used, written) = l.s.ws.receive_into(&close, l.s.e.read_buf()).unwrap();
    l.s.e.advance_read(written, l.now);
    l.s.poll();
    assert_eq!(used, close.len());
    assert!(l.s.ws.peer_closed());
    assert!(
        !l.s.closed(),
        "the engine drops the CLOSE command once active"
    );
    assert_eq!(l.s.ws.network_output(), [0x88, 0x02, 0x03, 0xe8]);
    l.s.e.connection_lost(PEER_CLOSE_ERRNO);
    l.s.poll();
    assert!(l.s.closed());
}

#[test]
fn ping_during_the_zmtp_handshake_fails_it_as_in_libzmq() {
    let mut l = Link::new(&Options::new(ZMQ_DEALER), &Options::new(ZMQ_DEALER));
    // Upgrade only: the server's engine has the client's greeting but not
    // its READY yet.
    l.c.push_out();
    deliver(&mut l.c, &mut l.s, usize::MAX, l.now);
    assert!(l.s.ws.is_upgraded() && !l.s.ready());
    let ping = [0x89, 0x80, 0, 0, 0, 0];
    let (_, w) = l.s.ws.receive_into(&ping, l.s.e.read_buf()).unwrap();
    l.s.e.advance_read(w, l.now);
    l.s.poll();
    assert!(l.s.closed(), "a ping is an unexpected command to NULL");
}

#[test]
fn plain_handshake_over_ws() {
    let mut client = Options::new(ZMQ_DEALER);
    client.mechanism = ZMQ_PLAIN;
    client.plain_username = b"admin".to_vec();
    client.plain_password = b"secret".to_vec();
    let mut server = Options::new(ZMQ_ROUTER);
    server.mechanism = ZMQ_PLAIN;
    server.as_server = true;
    server.zap_domain = b"test".to_vec();
    let mut l = Link::new(&client, &server);
    l.run();
    assert_eq!(l.c.ws.protocol(), Some(handshake::ZwsProtocol::Plain));
    let at =
        l.s.events
            .iter()
            .position(|e| matches!(e, Event::ZapRequest(_)))
            .unwrap();
    let Event::ZapRequest(req) = l.s.events.remove(at) else {
        unreachable!()
    };
    assert_eq!(
        (req.frame(7), req.frame(8)),
        (&b"admin"[..], &b"secret"[..])
    );
    let reply = crate::zmtp::mechanism::zap::tests::reply(b"200", b"admin", b"");
    l.s.e.zap_reply(&reply);
    l.run();
    assert!(l.c.ready() && l.s.ready());
    multipart(&mut l.c.e, &[b"hi"]);
    l.run();
    assert_eq!(l.s.messages(), [b"hi".to_vec()]);
}

#[test]
fn mechanism_mismatch_fails_the_upgrade() {
    let mut client = Options::new(ZMQ_DEALER);
    client.mechanism = ZMQ_PLAIN;
    let mut l = Link::new(&client, &Options::new(ZMQ_DEALER));
    l.run();
    assert_eq!(l.s.error, Some(WsError::Handshake));
    assert!(!l.c.ws.is_upgraded() && l.s.ws.network_output().is_empty());
    assert!(
        l.c.events.is_empty() && l.s.events.is_empty(),
        "the engines saw nothing"
    );
}
