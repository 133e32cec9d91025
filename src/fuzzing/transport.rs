//! Transport layers a peer feeds: ws (the HTTP upgrade and frames, with
//! the ZMTP engine behind the adapter), SOCKS5 proxy replies and udp
//! datagrams.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::engine::{secure, zap_reply_frames, Watch};
use super::{Input, CHUNKS, MAX_MSG_SIZES};
use crate::msg::Msg;
use crate::options::consts::*;
use crate::options::Options;
use crate::session::udp::wire;
use crate::transport::socks::{Credentials, Handshake, Target};
use crate::transport::udp::{parse_peer_frame, peer_frame};
use crate::transport::ws::WsAdapter;
use crate::zmtp::mechanism::mechanism_name;
use crate::zmtp::{Engine, EngineConfig, Event};

/// A ws server (the accepting side) fed a client's bytes: the HTTP
/// upgrade, then masked frames for the engine behind it. Layout:
/// `[mechanism][max msg size][read size]`, then the client's bytes; the
/// mechanism byte's low two bits pick NULL, PLAIN or CURVE (2 and 3), bit
/// 7 turns heartbeats on.
pub fn ws_server(data: &[u8]) {
    ws(data, true);
}

/// A ws client (the connecting side, its request already sent) fed a
/// server's bytes: the HTTP response, then unmasked frames. Layout as
/// [`ws_server`].
pub fn ws_client(data: &[u8]) {
    ws(data, false);
}

fn ws(data: &[u8], server: bool) {
    let mut input = Input::new(data);
    let mech = input.byte();
    let security = match (mech & 3, server) {
        (0, _) => 0,
        (1, true) => 2,
        (1, false) => 3,
        (_, true) => 4,
        (_, false) => 5,
    };
    let mut o = Options::new(if server { ZMQ_ROUTER } else { ZMQ_DEALER });
    secure(&mut o, security | (mech & 0x80));
    o.maxmsgsize = input.pick(&MAX_MSG_SIZES);
    let chunk = input.pick(&CHUNKS);
    let mut net = input.rest();
    let now = Instant::now();
    let mut e = Engine::new(EngineConfig::new(&o, "127.0.0.1", Some(7)), now);
    let name = mechanism_name(o.mechanism);
    let mut ws = if server {
        WsAdapter::server(name, false)
    } else {
        WsAdapter::client("localhost", "/", name, o.mechanism != ZMQ_NULL)
    };
    ws.set_max_msg_size(o.maxmsgsize);
    let mut watch = Watch::new(o.maxmsgsize);
    let mut to_ws = Vec::new();
    let mut t = now;
    loop {
        while let Some(ev) = e.poll_event() {
            if let Event::ZapRequest(_) = ev {
                e.zap_reply(&zap_reply_frames(b"200"));
            }
            watch.see(&ev);
        }
        if e.is_closed() {
            break;
        }
        if e.can_send() {
            assert!(e.send(Msg::from_slice(b"over ws")).is_ok());
        }
        e.take_transmit(&mut to_ws);
        match ws.write_zmtp(&to_ws) {
            Ok(n) => drop(to_ws.drain(..n)),
            Err(err) => {
                e.protocol_error(err.errno());
                continue;
            }
        }
        // The socket takes everything.
        let written = ws.network_output().len();
        ws.consume_network_output(written);
        if ws.peer_closed() {
            e.connection_lost(libc::ECONNRESET);
            continue;
        }
        if net.is_empty() {
            break;
        }
        let piece = &net[..net.len().min(chunk)];
        let buf = e.read_buf();
        assert!(!buf.is_empty(), "a drained, open engine takes input");
        match ws.receive_into(piece, buf) {
            Ok((used, written)) => {
                assert!(used > 0 || written > 0, "no progress on input");
                e.advance_read(written, t);
                net = &net[used..];
            }
            Err(err) => e.protocol_error(err.errno()),
        }
        t += Duration::from_millis(1);
        e.on_timeout(t);
    }
    e.connection_lost(libc::EPIPE);
    while let Some(ev) = e.poll_event() {
        watch.see(&ev);
    }
    assert_eq!(watch.closed, 1, "closed exactly once");
}

/// The SOCKS5 negotiation fed a proxy's replies. Layout:
/// `[credentials][target][read size]`, then the replies; the target byte
/// picks an IPv4, IPv6 or domain target, or (255) takes a length byte and
/// that many bytes of `host:port` text from the input.
pub fn socks(data: &[u8]) {
    let mut input = Input::new(data);
    let credentials = match input.byte() % 3 {
        0 => Credentials::default(),
        1 => Credentials {
            username: b"user".to_vec(),
            password: b"secret".to_vec(),
        },
        _ => Credentials {
            username: vec![b'u'; 255],
            password: Vec::new(),
        },
    };
    let target = match input.byte() {
        255 => String::from_utf8_lossy(input.short()).into_owned(),
        b => ["127.0.0.1:5555", "[::1]:80", "example.org:443", "host:0"][usize::from(b) % 4]
            .to_string(),
    };
    let chunk = input.pick(&CHUNKS);
    let mut replies = input.rest();
    let mut h = Handshake::new(credentials, Target::parse(&target));
    loop {
        let n = h.output().len();
        h.advance_output(n);
        let wanted = h.wanted();
        if wanted == 0 || replies.is_empty() {
            break;
        }
        let n = wanted.min(chunk).min(replies.len());
        match h.feed(&replies[..n]) {
            Ok(took) => assert_eq!(took, n, "a reply takes what it wants"),
            Err(e) => {
                assert_eq!(h.error(), Some(e));
                assert!(h.feed(replies).is_err(), "a failed handshake stays failed");
                return;
            }
        }
        replies = &replies[n..];
    }
    if h.is_done() {
        assert!(h.output().is_empty() && h.wanted() == 0);
    }
}

/// A udp datagram as DISH reads it, and a DGRAM address frame as the
/// application writes it. The input is the datagram (and the frame).
pub fn udp(data: &[u8]) {
    if let Some(m) = wire::decode(data) {
        let len = usize::from(data[0]);
        assert_eq!(m.data(), &data[1 + len..], "the body follows the group");
        assert!(m.group().to_bytes().len() <= len);
    }
    if let Some(addr) = parse_peer_frame(data) {
        let frame = peer_frame(&SocketAddr::V4(addr)).expect("IPv4 has a text");
        assert_eq!(parse_peer_frame(&frame), Some(addr), "the text reads back");
    }
}
