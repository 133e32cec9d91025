//! Unit tests of the ws adapter: the upgrade, the frame codec, and two
//! adapters back to back with hand-written ZMTP on the engine side. The
//! expected frames are written out by hand from libzmq 4.3.5's
//! `ws_encoder.cpp` (`message_ready`, `size_ready`).

use super::frame::*;
use super::handshake::*;
use super::*;
use tests_handshake::REQUEST;

// ---- helpers ---------------------------------------------------------------

/// A ZMTP 3 greeting as our engine writes it (NULL, as-server 0).
fn engine_greeting() -> Vec<u8> {
    let mut g = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 1];
    g.extend_from_slice(b"NULL");
    g.resize(64, 0);
    g
}

/// A ZMTP 3 frame: short or long header, then the body.
fn zmtp(flags: u8, body: &[u8]) -> Vec<u8> {
    let mut f = if body.len() > 255 {
        let mut h = vec![flags | 2];
        h.extend_from_slice(&(body.len() as u64).to_be_bytes());
        h
    } else {
        vec![flags, body.len() as u8]
    };
    f.extend_from_slice(body);
    f
}

/// A frame built independently of the codec: FIN, `op`, length, key.
fn ws(op: u8, payload: &[u8], key: Option<[u8; 4]>) -> Vec<u8> {
    let mut f = vec![0x80 | op];
    let m = if key.is_some() { 0x80 } else { 0 };
    match payload.len() {
        n @ 0..=125 => f.push(m | n as u8),
        n @ 126..=65535 => {
            f.push(m | 126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            f.push(m | 127);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    match key {
        None => f.extend_from_slice(payload),
        Some(k) => {
            f.extend_from_slice(&k);
            f.extend(payload.iter().enumerate().map(|(i, b)| b ^ k[i % 4]));
        }
    }
    f
}

/// Parses one frame of `bytes`: (first byte, unmasked payload, key, length).
fn parse(bytes: &[u8]) -> (u8, Vec<u8>, Option<[u8; 4]>, usize) {
    let (mut len, mut at) = (u64::from(bytes[1] & 0x7f), 2);
    if len == 126 {
        len = u64::from(u16::from_be_bytes([bytes[2], bytes[3]]));
        at = 4;
    } else if len == 127 {
        len = u64::from_be_bytes(bytes[2..10].try_into().unwrap());
        at = 10;
    }
    let key = (bytes[1] & 0x80 != 0).then(|| {
        at += 4;
        [bytes[at - 4], bytes[at - 3], bytes[at - 2], bytes[at - 1]]
    });
    let end = at + len as usize;
    let k = key.unwrap_or([0; 4]);
    let payload = bytes[at..end]
        .iter()
        .enumerate()
        .map(|(i, b)| b ^ k[i % 4])
        .collect();
    (bytes[0], payload, key, end)
}

/// All frames in `bytes`, as (first byte, payload).
pub(super) fn parse_all(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut v = Vec::new();
    while !bytes.is_empty() {
        let (b0, p, _, end) = parse(bytes);
        v.push((b0, p));
        bytes = &bytes[end..];
    }
    v
}

/// Tiny deterministic generator for chunk sizes and bodies.
pub(super) struct Rng(pub(super) u64);
impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Moves `from`'s network output into `to` in pieces of at most `chunk`.
fn pump(from: &mut WsAdapter, to: &mut WsAdapter, chunk: usize) -> Result<(), WsError> {
    while !from.network_output().is_empty() {
        let out = from.network_output();
        let n = out.len().min(chunk);
        let taken = to.receive(&out[..n])?;
        from.consume_network_output(taken);
        if taken == 0 {
            break;
        }
    }
    Ok(())
}

/// Everything `a` has for its engine.
fn drain(a: &mut WsAdapter) -> Vec<u8> {
    let mut v = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = a.read_zmtp(&mut buf);
        if n == 0 {
            return v;
        }
        v.extend_from_slice(&buf[..n]);
    }
}

/// Writes all of `zmtp` into `a`, flushing its network output to `sink`.
fn write_all(a: &mut WsAdapter, mut zmtp: &[u8], sink: &mut Vec<u8>) {
    while !zmtp.is_empty() {
        let n = a.write_zmtp(zmtp).unwrap();
        zmtp = &zmtp[n..];
        sink.extend_from_slice(a.network_output());
        let len = a.network_output().len();
        a.consume_network_output(len);
    }
}

/// A client and a server adapter, upgraded and past both greetings.
fn connected(mechanism: &[u8]) -> (WsAdapter, WsAdapter) {
    let mut c = WsAdapter::client("localhost", "/zmq", mechanism, false);
    let mut s = WsAdapter::server(mechanism, false);
    let g = engine_greeting();
    assert_eq!(c.write_zmtp(&g[..10]).unwrap(), 10);
    assert_eq!(s.write_zmtp(&g[..10]).unwrap(), 10);
    pump(&mut c, &mut s, usize::MAX).unwrap();
    pump(&mut s, &mut c, usize::MAX).unwrap();
    assert!(c.is_upgraded() && s.is_upgraded());
    assert_eq!(drain(&mut c).len(), 64);
    assert_eq!(drain(&mut s).len(), 64);
    assert_eq!(c.write_zmtp(&g[10..11]).unwrap(), 1);
    assert_eq!(c.write_zmtp(&g[11..]).unwrap(), 53);
    assert_eq!(s.write_zmtp(&g[10..]).unwrap(), 54);
    assert!(c.network_output().is_empty() && s.network_output().is_empty());
    (c, s)
}

#[test]
fn mechanism_mismatch_fails_the_server_and_sends_nothing() {
    let mut c = WsAdapter::client("localhost", "/", b"PLAIN", false);
    let mut s = WsAdapter::server(b"NULL", false);
    let err = pump(&mut c, &mut s, usize::MAX).unwrap_err();
    assert_eq!(err, WsError::Handshake);
    assert_eq!(err.handshake_failed_protocol(), Some(0x3000_0000));
    assert_eq!(err.errno(), libc::EPROTO);
    assert!(s.network_output().is_empty());
    assert!(!s.is_upgraded());
    assert_eq!(s.receive(b"x"), Err(WsError::Handshake), "errors are final");
}

#[test]
fn client_adapter_sends_request_at_once() {
    let c = WsAdapter::client("example.com", "/zmq", b"CURVE", false);
    let req = String::from_utf8(c.network_output().to_vec()).unwrap();
    assert!(req.starts_with("GET /zmq HTTP/1.1\r\nHost: example.com\r\n"));
    assert!(req.contains("\r\nSec-WebSocket-Protocol: ZWS2.0/CURVE\r\n"));
    assert!(req.ends_with("\r\n\r\n"));
}

// ---- the frame codec -------------------------------------------------------

#[test]
fn headers_use_shortest_length_form() {
    let h = |len: u64, key: Option<[u8; 4]>| {
        let mut v = Vec::new();
        put_header(&mut v, OP_BINARY, len, key);
        v
    };
    assert_eq!(h(0, None), [0x82, 0x00]);
    assert_eq!(h(125, None), [0x82, 0x7d]);
    assert_eq!(h(126, None), [0x82, 0x7e, 0x00, 0x7e]);
    assert_eq!(h(65535, None), [0x82, 0x7e, 0xff, 0xff]);
    assert_eq!(h(65536, None), [0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0]);
    assert_eq!(h(5, Some([1, 2, 3, 4])), [0x82, 0x85, 1, 2, 3, 4]);
    assert_eq!(h(300, Some([9, 9, 9, 9]))[..4], [0x82, 0xfe, 0x01, 0x2c]);
}

fn decode_one(server: bool, bytes: &[u8]) -> Result<Option<FrameHeader>, FrameError> {
    FrameDecoder::new(server).header(bytes).map(|(_, h)| h)
}

#[test]
fn decoder_refuses_what_libzmq_refuses() {
    let k = Some([1, 2, 3, 4]);
    assert_eq!(
        decode_one(true, &ws(OP_BINARY, b"\0x", None)),
        Err(FrameError::Mask)
    );
    assert_eq!(
        decode_one(false, &ws(OP_BINARY, b"\0x", k)),
        Err(FrameError::Mask)
    );
    assert_eq!(decode_one(false, &[0x83, 0x01]), Err(FrameError::Opcode(3)));
    assert_eq!(
        decode_one(false, &[0x8b, 0x00]),
        Err(FrameError::Opcode(0xb))
    );
    assert_eq!(
        decode_one(false, &[0x81, 0x01]),
        Err(FrameError::Opcode(1)),
        "text"
    );
    assert_eq!(
        decode_one(false, &[0x80, 0x01]),
        Err(FrameError::Opcode(0)),
        "continuation"
    );
    assert_eq!(decode_one(false, &[0x02, 0x01]), Err(FrameError::NotFinal));
    assert_eq!(decode_one(false, &[0x82, 0x00]), Err(FrameError::NoFlags));
    assert_eq!(
        decode_one(true, &[0x82, 0x80, 1, 2, 3, 4]),
        Err(FrameError::NoFlags)
    );
    // RSV bits are ignored, as in libzmq.
    let h = decode_one(false, &[0xf2, 0x01, 0x03]).unwrap().unwrap();
    assert!(h.more && h.command && h.payload == 0);
}

#[test]
fn decoder_reads_every_length_form_and_limit() {
    for len in [1usize, 125, 126, 65535, 65536] {
        let body = vec![7u8; len];
        let f = ws(OP_BINARY, &body, Some([5, 6, 7, 8]));
        let mut d = FrameDecoder::new(true);
        let mut out = vec![0u8; len];
        let mut got = 0;
        let mut at = 0;
        let header = loop {
            let (n, h) = d.header(&f[at..at + 1]).unwrap();
            at += n;
            if let Some(h) = h {
                break h;
            }
        };
        assert_eq!(header.payload, len as u64 - 1, "flags byte not counted");
        while d.remaining() > 0 {
            let n = d.payload(&f[at..], &mut out[got..]);
            at += n;
            got += n;
        }
        assert_eq!(at, f.len());
        assert!(
            out[..len - 1].iter().all(|&b| b == 7),
            "unmasked from key index 1"
        );
    }
    let mut d = FrameDecoder::new(false);
    d.set_max_msg_size(3);
    assert!(d
        .header(&ws(OP_BINARY, b"\0abc", None))
        .unwrap()
        .1
        .is_some());
    let mut d = FrameDecoder::new(false);
    d.set_max_msg_size(3);
    assert_eq!(
        d.header(&ws(OP_BINARY, b"\0abcd", None)),
        Err(FrameError::TooLarge)
    );
    let mut d = FrameDecoder::new(false);
    d.set_max_msg_size(3);
    assert_eq!(
        d.header(&ws(OP_PING, b"abcd", None)),
        Err(FrameError::TooLarge),
        "control too"
    );
}

// ---- two adapters back to back ---------------------------------------------

#[test]
fn upgrade_then_synthesized_greetings() {
    let mut c = WsAdapter::client("localhost", "/zmq", b"PLAIN", true);
    let mut s = WsAdapter::server(b"PLAIN", false);
    // Before the upgrade the engine can only write its signature.
    assert_eq!(c.write_zmtp(&engine_greeting()).unwrap(), 10);
    let request_len = c.network_output().len();
    pump(&mut c, &mut s, 1).unwrap();
    assert!(s.is_upgraded() && !c.is_upgraded());
    assert_eq!(s.protocol(), Some(ZwsProtocol::Plain));
    assert!(c.network_output().is_empty() && request_len > 100);
    pump(&mut s, &mut c, 7).unwrap();
    assert_eq!(c.protocol(), Some(ZwsProtocol::Plain));
    let g = drain(&mut c);
    let mut want = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 1];
    want.extend_from_slice(b"PLAIN");
    want.resize(32, 0);
    want.push(1); // as-server, as the caller said
    want.resize(64, 0);
    assert_eq!(g, want);
    assert_eq!(drain(&mut s)[32], 0);
}

#[test]
fn server_frames_are_byte_exact() {
    let (mut c, mut s) = connected(b"NULL");
    let mut net = Vec::new();
    // READY (command), "hello" with MORE, a 300-byte and a 70000-byte body.
    let ready = b"\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER";
    write_all(&mut s, &zmtp(4, ready), &mut net);
    let mut want = vec![0x82, 1 + ready.len() as u8, 0x02];
    want.extend_from_slice(ready);
    assert_eq!(net, want);
    net.clear();
    write_all(&mut s, &zmtp(1, b"hello"), &mut net);
    assert_eq!(net, b"\x82\x06\x01hello");
    net.clear();
    write_all(&mut s, &zmtp(0, &[0xab; 300]), &mut net);
    assert_eq!(net[..5], [0x82, 0x7e, 0x01, 0x2d, 0x00]);
    assert_eq!(net.len(), 5 + 300);
    net.clear();
    write_all(&mut s, &zmtp(0, &[0xcd; 70000]), &mut net);
    assert_eq!(net[..11], [0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0x11, 0x71, 0x00]);
    assert_eq!(net.len(), 11 + 70000);
    // And the client turns them back into the same ZMTP frames.
    let mut all = Vec::new();
    for f in [zmtp(4, ready), zmtp(1, b"hello")] {
        write_all(&mut s, &f, &mut all);
    }
    assert_eq!(c.receive(&all).unwrap(), all.len());
    let mut want = zmtp(4, ready);
    want.extend_from_slice(&zmtp(1, b"hello"));
    assert_eq!(drain(&mut c), want);
}

#[test]
fn client_frames_are_masked_from_the_flags_byte() {
    let (mut c, _s) = connected(b"NULL");
    let mut net = Vec::new();
    write_all(&mut c, &zmtp(1, b"hello"), &mut net);
    let (b0, payload, key, end) = parse(&net);
    assert_eq!((b0, net[1], end), (0x82, 0x86, net.len()));
    let key = key.unwrap();
    assert_eq!(net[6], 0x01 ^ key[0], "the flags byte takes key[0]");
    assert_eq!(net[7], b'h' ^ key[1]);
    assert_eq!(payload, b"\x01hello");
    let mut net2 = Vec::new();
    write_all(&mut c, &zmtp(0, b"x"), &mut net2);
    assert_ne!(parse(&net2).2, Some(key), "a fresh key per frame");
}

#[test]
fn subscriptions_travel_as_libzmq_encodes_them() {
    let (mut c, mut s) = connected(b"NULL");
    let mut net = Vec::new();
    write_all(&mut s, &zmtp(4, b"\x09SUBSCRIBEtopic"), &mut net);
    assert_eq!(net, b"\x82\x07\x00\x01topic");
    net.clear();
    write_all(&mut s, &zmtp(4, b"\x06CANCELtopic"), &mut net);
    assert_eq!(net, b"\x82\x07\x00\x00topic");
    net.clear();
    write_all(&mut s, &zmtp(5, b"\x09SUBSCRIBE"), &mut net);
    assert_eq!(net, b"\x82\x02\x01\x01", "empty topic, MORE kept");
    // Inbound, a subscription is data whose first byte is 1.
    let mut n2 = Vec::new();
    write_all(&mut c, &zmtp(4, b"\x09SUBSCRIBEab"), &mut n2);
    assert_eq!(parse(&n2).1, b"\x00\x01ab");
    s.receive(&n2).unwrap();
    assert_eq!(drain(&mut s), zmtp(0, b"\x01ab"));
}

/// Sends `msgs` from `a`'s engine to `b`'s, both sides in pieces of
/// `chunk` bytes (0: random sizes); returns what `b`'s engine read.
fn transfer(
    a: &mut WsAdapter,
    b: &mut WsAdapter,
    msgs: &[u8],
    chunk: usize,
    rng: &mut Rng,
) -> Vec<u8> {
    let mut got = Vec::new();
    let mut at = 0;
    while at < msgs.len() || !a.network_output().is_empty() {
        let n = if chunk > 0 {
            chunk
        } else {
            1 + rng.below(3000)
        };
        let n = n.min(msgs.len() - at);
        at += a.write_zmtp(&msgs[at..at + n]).unwrap();
        while !a.network_output().is_empty() {
            let out = a.network_output();
            let n = if chunk > 0 {
                chunk
            } else {
                1 + rng.below(5000)
            };
            let taken = b.receive(&out[..n.min(out.len())]).unwrap();
            a.consume_network_output(taken);
            got.extend_from_slice(&drain(b));
        }
    }
    got
}

#[test]
fn large_body_streams_in_any_pieces() {
    let mut rng = Rng(0x9e3779b97f4a7c15);
    let body: Vec<u8> = (0..100_000).map(|_| rng.next() as u8).collect();
    let mut msgs = zmtp(1, b"part one");
    msgs.extend_from_slice(&zmtp(4, b"\x04TEST"));
    msgs.extend_from_slice(&zmtp(1, &body));
    msgs.extend_from_slice(&zmtp(0, b""));
    for chunk in [1usize, 0] {
        let (mut c, mut s) = connected(b"NULL");
        assert_eq!(
            transfer(&mut c, &mut s, &msgs, chunk, &mut rng),
            msgs,
            "chunk {chunk}"
        );
        assert_eq!(
            transfer(&mut s, &mut c, &msgs, chunk, &mut rng),
            msgs,
            "chunk {chunk}"
        );
    }
}

#[test]
fn receive_buffer_never_holds_a_whole_frame() {
    let (mut c, mut s) = connected(b"NULL");
    let mut net = Vec::new();
    write_all(&mut s, &zmtp(0, &vec![1u8; 200_000]), &mut net);
    let taken = c.receive(&net).unwrap();
    assert!(
        taken < 70_000,
        "stops when its 64 KB buffer is full: {taken}"
    );
    let mut got = drain(&mut c).len();
    let mut at = taken;
    while at < net.len() {
        at += c.receive(&net[at..]).unwrap();
        got += drain(&mut c).len();
    }
    assert_eq!(got, 9 + 200_000);
}

#[test]
fn write_is_refused_while_network_output_is_full() {
    let (_c, mut s) = connected(b"NULL");
    s.set_output_limit(1000);
    let f = zmtp(0, &[0u8; 5000]);
    let n = s.write_zmtp(&f).unwrap();
    assert!(n < 1100, "took {n}");
    assert_eq!(s.write_zmtp(&f[n..]).unwrap(), 0, "full: nothing taken");
    s.consume_network_output(600);
    assert!(s.write_zmtp(&f[n..]).unwrap() > 0);
}

#[test]
fn ping_reaches_engine_and_its_pong_goes_out() {
    let (_c, mut s) = connected(b"NULL");
    // A masked ping with payload from the client.
    s.receive(&ws(OP_PING, b"are you there", Some([1, 2, 3, 4])))
        .unwrap();
    assert_eq!(drain(&mut s), b"\x04\x07\x04PING\x00\x00");
    assert!(
        s.network_output().is_empty(),
        "the engine answers, not the adapter"
    );
    let mut net = Vec::new();
    write_all(&mut s, &zmtp(4, b"\x04PONG"), &mut net);
    assert_eq!(net, [0x8a, 0x00], "libzmq's pong is empty");
    // The engine's heartbeat PING (TTL, context) is an empty ws ping.
    net.clear();
    write_all(&mut s, &zmtp(4, b"\x04PING\x00\x64ctx"), &mut net);
    assert_eq!(net, [0x89, 0x00]);
    // A pong reaches the engine as PONG.
    s.receive(&ws(OP_PONG, b"", Some([9, 9, 9, 9]))).unwrap();
    assert_eq!(drain(&mut s), b"\x04\x05\x04PONG");
}

#[test]
fn client_pings_are_masked() {
    let (mut c, _s) = connected(b"NULL");
    let mut net = Vec::new();
    write_all(&mut c, &zmtp(4, b"\x04PING\x00\x00"), &mut net);
    assert_eq!((net[0], net[1], net.len()), (0x89, 0x80, 6));
}

#[test]
fn close_is_echoed_then_the_connection_ends() {
    let (mut c, mut s) = connected(b"NULL");
    assert!(!s.peer_closed());
    let mut input = ws(OP_CLOSE, b"\x03\xe8bye", Some([7, 7, 7, 7]));
    input.extend_from_slice(&ws(OP_BINARY, b"\0late", Some([1, 1, 1, 1])));
    assert_eq!(s.receive(&input).unwrap(), input.len());
    assert_eq!(
        drain(&mut s),
        b"\x04\x06\x05CLOSE",
        "no data after the close"
    );
    assert!(s.peer_closed());
    assert_eq!(s.network_output(), b"\x88\x05\x03\xe8bye");
    // Whatever the engine writes after is dropped.
    let f = zmtp(0, b"more");
    assert_eq!(s.write_zmtp(&f).unwrap(), f.len());
    assert_eq!(s.network_output(), b"\x88\x05\x03\xe8bye");
    // The client echoes masked, and an empty close too.
    c.receive(&ws(OP_CLOSE, b"", None)).unwrap();
    let (b0, payload, key, _) = parse(c.network_output());
    assert_eq!((b0, payload.len(), key.is_some()), (0x88, 0, true));
    assert_eq!(PEER_CLOSE_ERRNO, libc::ECONNRESET);
}

#[test]
fn close_echo_waits_for_the_frame_in_progress() {
    let (_c, mut s) = connected(b"NULL");
    let f = zmtp(0, b"0123456789");
    assert_eq!(s.write_zmtp(&f[..6]).unwrap(), 6);
    s.receive(&ws(OP_CLOSE, b"", Some([0; 4]))).unwrap();
    assert!(!s.peer_closed());
    assert_eq!(s.write_zmtp(&f[6..]).unwrap(), f.len() - 6);
    assert!(s.peer_closed());
    assert_eq!(
        parse_all(s.network_output()),
        [(0x82, b"\x000123456789".to_vec()), (0x88, vec![])]
    );
}

#[test]
fn bad_frames_end_the_connection() {
    let cases: [(bool, Vec<u8>, WsError); 5] = [
        (
            true,
            ws(OP_BINARY, b"\0x", None),
            WsError::Frame(FrameError::Mask),
        ),
        (
            false,
            ws(OP_BINARY, b"\0x", Some([1; 4])),
            WsError::Frame(FrameError::Mask),
        ),
        (
            true,
            vec![0x83, 0x80, 0, 0, 0, 0],
            WsError::Frame(FrameError::Opcode(3)),
        ),
        (
            false,
            vec![0x01, 0x01, 0],
            WsError::Frame(FrameError::NotFinal),
        ),
        (false, vec![0x82, 0x00], WsError::Frame(FrameError::NoFlags)),
    ];
    for (server_side, frame, want) in cases {
        let (mut c, mut s) = connected(b"NULL");
        let a = if server_side { &mut s } else { &mut c };
        assert_eq!(a.receive(&frame), Err(want));
        assert_eq!(want.errno(), libc::EPROTO);
        assert_eq!(want.handshake_failed_protocol(), None);
        assert_eq!(a.write_zmtp(b"\0\0"), Err(want), "final");
    }
    let (mut c, _s) = connected(b"NULL");
    c.set_max_msg_size(10);
    assert_eq!(
        c.receive(&ws(OP_BINARY, &[0; 12], None)),
        Err(WsError::TooLarge)
    );
    assert_eq!(WsError::TooLarge.errno(), libc::EMSGSIZE);
}

#[test]
fn bare_protocol_looks_like_zmtp_2() {
    let mut s = WsAdapter::server(b"NULL", false);
    let req = REQUEST.replace("ZWS2.0/NULL,ZWS2.0", "ZWS2.0");
    assert_eq!(s.receive(req.as_bytes()).unwrap(), req.len());
    assert_eq!(s.protocol(), Some(ZwsProtocol::Bare));
    assert!(String::from_utf8_lossy(s.network_output()).contains("Protocol: ZWS2.0\r\n"));
    assert_eq!(drain(&mut s), [0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 1, 0]);
    // Our engine's ZMTP 2.0 greeting is 12 bytes; its first frame follows.
    let mut g = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 5];
    g.extend_from_slice(&zmtp(0, b"id"));
    let out_len = s.network_output().len();
    s.consume_network_output(out_len);
    assert_eq!(s.write_zmtp(&g).unwrap(), g.len());
    assert_eq!(s.network_output(), b"\x82\x03\x00id");
    // Control frames are dropped, as libzmq's session drops them.
    let mut input = ws(OP_PING, b"", Some([1; 4]));
    input.extend_from_slice(&ws(OP_CLOSE, b"", Some([1; 4])));
    input.extend_from_slice(&ws(OP_BINARY, b"\x01hi", Some([2; 4])));
    s.receive(&input).unwrap();
    assert_eq!(drain(&mut s), zmtp(1, b"hi"));
    assert!(!s.peer_closed());
}
