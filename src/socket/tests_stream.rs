//! STREAM and `ZMQ_ROUTER_RAW` over real connections, with a plain
//! `std::net::TcpStream` (or `UnixStream`) as the raw peer.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use super::types::*;
use super::*;
use crate::monitor::events;
use crate::options::consts::*;
use crate::socket::testing::{last_endpoint, set_int};

const TIMEOUT_MS: i32 = 5000;

/// A socket of type `t` with receive/send timeouts, so a broken test
/// fails instead of hanging.
fn socket(ctx: &Context, t: i32) -> Socket {
    let mut s = Socket::new(ctx, t).unwrap();
    set_int(&mut s, ZMQ_RCVTIMEO, TIMEOUT_MS);
    set_int(&mut s, ZMQ_SNDTIMEO, TIMEOUT_MS);
    s
}

/// Binds to a loopback port; returns the endpoint and its `host:port`.
fn bind_loopback(s: &mut Socket) -> (String, String) {
    s.bind("tcp://127.0.0.1:*").unwrap();
    let ep = last_endpoint(s);
    let hostport = ep.trim_start_matches("tcp://").to_string();
    (ep, hostport)
}

fn raw_peer(hostport: &str) -> TcpStream {
    let c = TcpStream::connect(hostport).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    c
}

fn send(s: &mut Socket, data: &[u8], more: bool) -> Result<()> {
    let mut m = Msg::from_slice(data);
    s.send(&mut m, if more { SNDMORE } else { 0 })
}

/// Receives [routing id][data]; checks the frames' MORE flags.
fn recv_pair(s: &mut Socket) -> (Msg, Msg) {
    let id = s.recv(0).expect("routing id frame");
    assert!(id.has_more(), "routing id frame has MORE");
    let data = s.recv(0).expect("data frame");
    assert!(!data.has_more(), "data frame ends the message");
    (id, data)
}

fn peer_address(m: &Msg) -> Option<Vec<u8>> {
    let meta = m.metadata()?;
    Some(meta.get("Peer-Address")?.to_bytes().to_vec())
}

#[test]
fn stream_accepts_a_raw_peer_announces_it_and_carries_bytes_both_ways() {
    let ctx = Context::new();
    let mut stream = socket(&ctx, STREAM);
    let (_, hostport) = bind_loopback(&mut stream);
    let mut peer = raw_peer(&hostport);

    let (id, empty) = recv_pair(&mut stream);
    assert_eq!(empty.size(), 0, "connect notification");
    assert_eq!(id.size(), 5);
    assert_eq!(id.data()[0], 0, "generated ids start with a zero byte");
    assert_eq!(peer_address(&id).as_deref(), Some(&b"127.0.0.1"[..]));
    let mut rid = [0u8; 255];
    let n = stream.get_option(ZMQ_ROUTING_ID, &mut rid).unwrap();
    assert_eq!(&rid[..n], id.data(), "the generated id is ZMQ_ROUTING_ID");

    peer.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    let (id2, data) = recv_pair(&mut stream);
    assert_eq!(id2.data(), id.data());
    assert_eq!(data.data(), b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(peer_address(&data).as_deref(), Some(&b"127.0.0.1"[..]));

    send(&mut stream, id.data(), true).unwrap();
    send(&mut stream, b"HTTP/1.0 200 OK\r\n", false).unwrap();
    // MORE on the data frame is ignored: each pair is one write.
    send(&mut stream, id.data(), true).unwrap();
    send(&mut stream, b"\r\nhi", true).unwrap();
    let mut buf = [0u8; 21];
    peer.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"HTTP/1.0 200 OK\r\n\r\nhi");
}

#[test]
fn stream_closes_a_connection_on_an_empty_frame_after_sending_what_came_before() {
    let ctx = Context::new();
    let mut stream = socket(&ctx, STREAM);
    set_int(&mut stream, ZMQ_LINGER, 0);
    let (_, hostport) = bind_loopback(&mut stream);
    let mut peer = raw_peer(&hostport);
    let (id, _) = recv_pair(&mut stream);

    send(&mut stream, id.data(), true).unwrap();
    send(&mut stream, b"bye", false).unwrap();
    send(&mut stream, id.data(), true).unwrap();
    send(&mut stream, b"", false).unwrap();

    let mut got = Vec::new();
    peer.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"bye", "data, then EOF");
    // The peer is gone: it no longer routes (and no notification came,
    // since we closed it).
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        match send(&mut stream, id.data(), true) {
            Err(e) => {
                assert_eq!(e, Error::EHOSTUNREACH);
                break;
            }
            Ok(()) => {
                send(&mut stream, b"x", false).unwrap();
                assert!(std::time::Instant::now() < deadline);
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
    assert_eq!(stream.recv(DONTWAIT).unwrap_err(), Error::EAGAIN);
}

#[test]
fn stream_announces_a_peer_that_disconnects_and_forgets_it() {
    let ctx = Context::new();
    let mut stream = socket(&ctx, STREAM);
    let (_, hostport) = bind_loopback(&mut stream);
    let mut peer = raw_peer(&hostport);
    let (id, _) = recv_pair(&mut stream);
    peer.write_all(b"last words").unwrap();
    drop(peer);

    let (_, data) = recv_pair(&mut stream);
    assert_eq!(data.data(), b"last words");
    let (id2, empty) = recv_pair(&mut stream);
    assert_eq!(id2.data(), id.data());
    assert_eq!(empty.size(), 0, "disconnect notification");
    // Reading on finds the pipe's end, and the peer is forgotten.
    assert_eq!(stream.recv(DONTWAIT).unwrap_err(), Error::EAGAIN);
    assert_eq!(
        send(&mut stream, id.data(), true).unwrap_err(),
        Error::EHOSTUNREACH
    );
}

#[test]
fn stream_delivers_reads_larger_than_its_buffer_in_order() {
    let ctx = Context::new();
    let mut stream = socket(&ctx, STREAM);
    let (_, hostport) = bind_loopback(&mut stream);
    let mut peer = raw_peer(&hostport);
    recv_pair(&mut stream);

    let sent: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    peer.write_all(&sent).unwrap();
    let mut got = Vec::new();
    while got.len() < sent.len() {
        let (_, data) = recv_pair(&mut stream);
        assert!(data.size() > 0);
        assert!(data.size() <= 8192, "one read of ZMQ_IN_BATCH_SIZE at most");
        got.extend_from_slice(data.data());
    }
    assert_eq!(got, sent);
}

#[test]
fn stream_connects_to_a_raw_listener_under_its_connect_routing_id() {
    let ctx = Context::new();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut stream = socket(&ctx, STREAM);
    stream.set_option(ZMQ_CONNECT_ROUTING_ID, b"conn1").unwrap();
    stream.connect(&format!("tcp://{addr}")).unwrap();
    // The pipe exists from connect on: the message waits for the
    // connection.
    send(&mut stream, b"conn1", true).unwrap();
    send(&mut stream, b"early", false).unwrap();

    let (mut server, _) = listener.accept().unwrap();
    server
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 5];
    server.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"early");

    let (id, empty) = recv_pair(&mut stream);
    assert_eq!(id.data(), b"conn1");
    assert_eq!(empty.size(), 0);
    server.write_all(b"pong").unwrap();
    let (id, data) = recv_pair(&mut stream);
    assert_eq!(id.data(), b"conn1");
    assert_eq!(data.data(), b"pong");
}

/// Accepts one connection within `ms` milliseconds.
fn accept_within(listener: &TcpListener, ms: u64) -> Option<TcpStream> {
    listener.set_nonblocking(true).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_millis(ms);
    while std::time::Instant::now() < deadline {
        if let Ok((s, _)) = listener.accept() {
            s.set_nonblocking(false).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

#[test]
fn a_connecting_stream_reconnects_under_the_same_routing_id() {
    let ctx = Context::new();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut stream = socket(&ctx, STREAM);
    stream.connect(&format!("tcp://{addr}")).unwrap();
    let server = accept_within(&listener, 5000).expect("first connection");
    let (id, _) = recv_pair(&mut stream);

    drop(server);
    let (id2, empty) = recv_pair(&mut stream);
    assert_eq!((id2.data(), empty.size()), (id.data(), 0), "disconnect");
    let mut server = accept_within(&listener, 5000).expect("reconnected");
    let (id3, empty) = recv_pair(&mut stream);
    assert_eq!((id3.data(), empty.size()), (id.data(), 0), "connect again");
    send(&mut stream, id.data(), true).unwrap();
    send(&mut stream, b"again", false).unwrap();
    let mut buf = [0u8; 5];
    server.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"again");
}

#[test]
fn closing_a_connected_peer_with_an_empty_frame_does_not_reconnect() {
    let ctx = Context::new();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut stream = socket(&ctx, STREAM);
    set_int(&mut stream, ZMQ_RECONNECT_IVL, 10);
    stream.connect(&format!("tcp://{addr}")).unwrap();
    let mut server = accept_within(&listener, 5000).expect("connection");
    let (id, _) = recv_pair(&mut stream);
    send(&mut stream, id.data(), true).unwrap();
    send(&mut stream, b"", false).unwrap();
    let mut rest = Vec::new();
    server.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
    assert!(accept_within(&listener, 300).is_none(), "no reconnect");
}

#[test]
fn stream_without_notify_reports_nothing_but_data() {
    let ctx = Context::new();
    let mut stream = socket(&ctx, STREAM);
    assert_eq!(
        stream.set_option(ZMQ_STREAM_NOTIFY, &2i32.to_ne_bytes()),
        Err(Error::EINVAL),
        "a strict boolean"
    );
    set_int(&mut stream, ZMQ_STREAM_NOTIFY, 0);
    let (_, hostport) = bind_loopback(&mut stream);
    let mut peer = raw_peer(&hostport);
    peer.write_all(b"first").unwrap();
    let (_, data) = recv_pair(&mut stream);
    assert_eq!(data.data(), b"first");
    drop(peer);
    set_int(&mut stream, ZMQ_RCVTIMEO, 200);
    assert_eq!(stream.recv(0).unwrap_err(), Error::EAGAIN);
}

#[test]
fn stream_send_follows_libzmq_framing_rules() {
    let ctx = Context::new();
    let mut stream = socket(&ctx, STREAM);
    let (_, hostport) = bind_loopback(&mut stream);
    let mut peer = raw_peer(&hostport);
    let (id, _) = recv_pair(&mut stream);

    // An unknown peer with MORE: EHOSTUNREACH, and the next frame is
    // still a routing id.
    assert_eq!(
        send(&mut stream, b"nobody", true).unwrap_err(),
        Error::EHOSTUNREACH
    );
    // A routing id without MORE is dropped, and the frame after it is
    // taken as data for nobody (libzmq's quirk).
    send(&mut stream, id.data(), false).unwrap();
    send(&mut stream, b"lost", false).unwrap();
    send(&mut stream, id.data(), true).unwrap();
    send(&mut stream, b"kept", false).unwrap();
    let mut buf = [0u8; 4];
    peer.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"kept");
    assert_eq!(stream.events().unwrap() & POLLOUT, POLLOUT, "always");
}

#[test]
fn stream_to_stream_over_ipc() {
    let ctx = Context::new();
    let dir = std::env::temp_dir().join(format!("zmq-rs-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let addr = format!("ipc://{}/s.sock", dir.display());
    let mut server = socket(&ctx, STREAM);
    server.bind(&addr).unwrap();
    let mut client = socket(&ctx, STREAM);
    client.connect(&addr).unwrap();

    let (sid, _) = recv_pair(&mut server);
    let (cid, _) = recv_pair(&mut client);
    assert!(peer_address(&sid).is_none(), "no peer address over ipc");
    send(&mut client, cid.data(), true).unwrap();
    send(&mut client, b"over ipc", false).unwrap();
    let (_, data) = recv_pair(&mut server);
    assert_eq!(data.data(), b"over ipc");
    drop((client, server));
    ctx.term();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Receives one version-1 event number, or `None` within a second.
fn next_event(mon: &mut Socket) -> Option<u16> {
    set_int(mon, ZMQ_RCVTIMEO, 1000);
    let head = mon.recv(0).ok()?;
    let _endpoint = mon.recv(0).ok()?;
    Some(u16::from_ne_bytes([head.data()[0], head.data()[1]]))
}

#[test]
fn raw_connections_raise_libzmqs_monitor_events() {
    let ctx = Context::new();
    let mut stream = socket(&ctx, STREAM);
    stream
        .monitor(Some("inproc://stream-mon"), events::ALL, 1, PAIR)
        .unwrap();
    let mut mon = socket(&ctx, PAIR);
    mon.connect("inproc://stream-mon").unwrap();
    let (_, hostport) = bind_loopback(&mut stream);
    assert_eq!(next_event(&mut mon), Some(events::LISTENING as u16));
    let peer = raw_peer(&hostport);
    recv_pair(&mut stream);
    assert_eq!(next_event(&mut mon), Some(events::ACCEPTED as u16));
    drop(peer);
    recv_pair(&mut stream);
    // No handshake ever succeeded, so libzmq reports a failed one.
    assert_eq!(
        next_event(&mut mon),
        Some(events::HANDSHAKE_FAILED_NO_DETAIL as u16)
    );
    assert_eq!(next_event(&mut mon), Some(events::DISCONNECTED as u16));
    // Close the monitored socket first: its last events block while the
    // monitor socket exists but nobody reads (as in libzmq).
    drop(stream);
}

#[test]
fn router_raw_talks_to_raw_peers_like_stream() {
    let ctx = Context::new();
    let mut router = socket(&ctx, ROUTER);
    assert_eq!(
        router.set_option(ZMQ_ROUTER_RAW, &(-1i32).to_ne_bytes()),
        Err(Error::EINVAL)
    );
    set_int(&mut router, ZMQ_ROUTER_RAW, 1);
    assert_eq!(
        router.get_option(ZMQ_ROUTER_RAW, &mut [0u8; 4]),
        Err(Error::EINVAL),
        "write-only, as in libzmq"
    );
    let (_, hostport) = bind_loopback(&mut router);
    let mut peer = raw_peer(&hostport);

    let (id, empty) = recv_pair(&mut router);
    assert_eq!(empty.size(), 0, "connect notification");
    assert_eq!(id.size(), 5);
    peer.write_all(b"ping").unwrap();
    let (id2, data) = recv_pair(&mut router);
    assert_eq!(id2.data(), id.data());
    assert_eq!(data.data(), b"ping");

    send(&mut router, id.data(), true).unwrap();
    send(&mut router, b"pong", false).unwrap();
    send(&mut router, id.data(), true).unwrap();
    send(&mut router, b"", false).unwrap();
    let mut got = Vec::new();
    peer.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"pong", "then closed by the empty frame");
}

#[test]
fn stream_over_inproc_delivers_each_frame_as_a_message_without_aborting() {
    // libzmq asserts when a frame with MORE reaches a STREAM (only a ZMTP
    // peer over inproc can send one); we deliver each frame on its own.
    let ctx = Context::new();
    let mut stream = socket(&ctx, STREAM);
    stream.bind("inproc://stream").unwrap();
    let mut dealer = socket(&ctx, DEALER);
    dealer.connect("inproc://stream").unwrap();
    send(&mut dealer, b"a", true).unwrap();
    send(&mut dealer, b"b", false).unwrap();
    let (id, a) = recv_pair(&mut stream);
    assert_eq!(a.data(), b"a");
    let (id2, b) = recv_pair(&mut stream);
    assert_eq!((id2.data(), b.data()), (id.data(), &b"b"[..]));
    send(&mut stream, id.data(), true).unwrap();
    send(&mut stream, b"reply", false).unwrap();
    assert_eq!(dealer.recv(0).unwrap().data(), b"reply");
}
