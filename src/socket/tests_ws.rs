//! Sockets over `ws://`: the transport seam carries ZMTP in ZWS 2.0 frames
//! (the frames themselves are tested in `transport::ws`).

use super::testing::{last_endpoint, set_int};
use super::types::*;
use super::{Socket, SNDMORE};
use crate::ctx::Context;
use crate::msg::Msg;
use crate::options::consts::*;

fn send(s: &mut Socket, data: &[u8], more: bool) {
    let mut m = Msg::from_slice(data);
    s.send(&mut m, if more { SNDMORE } else { 0 }).unwrap();
}

fn recv(s: &mut Socket) -> Vec<u8> {
    s.recv(0).unwrap().data().to_vec()
}

fn timeouts(s: &mut Socket) {
    set_int(s, ZMQ_RCVTIMEO, 5000);
    set_int(s, ZMQ_LINGER, 0);
}

#[test]
fn last_endpoint_keeps_the_last_path_segment_as_libzmq() {
    let ctx = Context::new();
    let mut s = Socket::new(&ctx, REP).unwrap();
    // With more than one segment the port must be a number: libzmq reads
    // it after the last ':' before the last '/', and "*/some" is none.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    s.bind(&format!("ws://127.0.0.1:{port}/some/path")).unwrap();
    let ep = last_endpoint(&mut s);
    assert_eq!(ep, format!("ws://127.0.0.1:{port}/path"));
    s.unbind(&ep).unwrap();
    // Without a path, libzmq reports `/`.
    s.bind("ws://127.0.0.1:*").unwrap();
    assert!(last_endpoint(&mut s).ends_with('/'));
}

#[test]
fn req_rep_multipart_and_large_over_ws() {
    let ctx = Context::new();
    let mut rep = Socket::new(&ctx, REP).unwrap();
    let mut req = Socket::new(&ctx, REQ).unwrap();
    timeouts(&mut rep);
    timeouts(&mut req);
    rep.bind("ws://127.0.0.1:*/rr").unwrap();
    let ep = last_endpoint(&mut rep);
    req.connect(&ep).unwrap();
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    send(&mut req, b"head", true);
    send(&mut req, &big, false);
    assert_eq!(recv(&mut rep), b"head");
    assert_eq!(recv(&mut rep), big);
    send(&mut rep, b"ok", false);
    assert_eq!(recv(&mut req), b"ok");
}

#[test]
fn pub_sub_subscriptions_cross_ws() {
    let ctx = Context::new();
    let mut publisher = Socket::new(&ctx, XPUB).unwrap();
    let mut sub = Socket::new(&ctx, SUB).unwrap();
    timeouts(&mut publisher);
    timeouts(&mut sub);
    publisher.bind("ws://127.0.0.1:*").unwrap();
    sub.set_option(ZMQ_SUBSCRIBE, b"A").unwrap();
    sub.connect(&last_endpoint(&mut publisher)).unwrap();
    // XPUB sees the subscription as libzmq delivers it: 1 then the topic.
    assert_eq!(recv(&mut publisher), b"\x01A");
    send(&mut publisher, b"B-dropped", false);
    send(&mut publisher, b"A-kept", false);
    assert_eq!(recv(&mut sub), b"A-kept");
}

fn keypair() -> (Vec<u8>, Vec<u8>) {
    let (mut public, mut secret) = ([0u8; 41], [0u8; 41]);
    crate::zmtp::mechanism::curve::keys::keypair_z85(&mut public, &mut secret);
    (public[..40].to_vec(), secret[..40].to_vec())
}

#[test]
fn curve_over_ws() {
    let ctx = Context::new();
    let (server_public, server_secret) = keypair();
    let (client_public, client_secret) = keypair();
    let mut server = Socket::new(&ctx, REP).unwrap();
    let mut client = Socket::new(&ctx, REQ).unwrap();
    timeouts(&mut server);
    timeouts(&mut client);
    set_int(&mut server, ZMQ_CURVE_SERVER, 1);
    server
        .set_option(ZMQ_CURVE_SECRETKEY, &server_secret)
        .unwrap();
    server.bind("ws://127.0.0.1:*/curve").unwrap();
    client
        .set_option(ZMQ_CURVE_SERVERKEY, &server_public)
        .unwrap();
    client
        .set_option(ZMQ_CURVE_PUBLICKEY, &client_public)
        .unwrap();
    client
        .set_option(ZMQ_CURVE_SECRETKEY, &client_secret)
        .unwrap();
    client.connect(&last_endpoint(&mut server)).unwrap();
    send(&mut client, b"secret", false);
    assert_eq!(recv(&mut server), b"secret");
    send(&mut server, b"reply", false);
    assert_eq!(recv(&mut client), b"reply");
}

/// Reads until the server closes the connection; true if it did in time.
fn closed_by_peer(c: &mut std::net::TcpStream) -> bool {
    use std::io::Read;
    c.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 512];
    loop {
        match c.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[test]
fn bad_upgrades_and_frames_drop_only_that_connection() {
    use std::io::Write;
    let ctx = Context::new();
    let mut rep = Socket::new(&ctx, REP).unwrap();
    timeouts(&mut rep);
    rep.bind("ws://127.0.0.1:*/x").unwrap();
    let ep = last_endpoint(&mut rep);
    let hostport = ep
        .strip_prefix("ws://")
        .unwrap()
        .trim_end_matches("/x")
        .to_string();

    // A request that is not an upgrade.
    let mut c = std::net::TcpStream::connect(&hostport).unwrap();
    c.write_all(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n").unwrap();
    assert!(closed_by_peer(&mut c));

    // A valid upgrade, then an unmasked client frame (RFC 6455 5.1).
    let mut c = std::net::TcpStream::connect(&hostport).unwrap();
    c.write_all(
        b"GET /x HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
          Sec-WebSocket-Protocol: ZWS2.0/NULL,ZWS2.0\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    .unwrap();
    c.write_all(&[0x82, 0x02, 0x00, 0x41]).unwrap();
    assert!(closed_by_peer(&mut c));

    // A header line over libzmq's limit.
    let mut c = std::net::TcpStream::connect(&hostport).unwrap();
    let mut req = b"GET /x HTTP/1.1\r\nX-Long: ".to_vec();
    req.extend(std::iter::repeat_n(b'a', 5000));
    let _ = c.write_all(&req);
    assert!(closed_by_peer(&mut c));

    // The socket still serves a real peer.
    let mut req = Socket::new(&ctx, REQ).unwrap();
    timeouts(&mut req);
    req.connect(&ep).unwrap();
    send(&mut req, b"still here", false);
    assert_eq!(recv(&mut rep), b"still here");
}

const CERT: &[u8] = include_bytes!("../transport/tls_fixtures/zeromq_org.cert.pem");
const KEY: &[u8] = include_bytes!("../transport/tls_fixtures/zeromq_org.key.pem");

/// A REP bound on wss with upstream's test certificate, and its endpoint.
fn wss_server(ctx: &Context) -> (Socket, String) {
    let mut rep = Socket::new(ctx, REP).unwrap();
    timeouts(&mut rep);
    rep.set_option(ZMQ_WSS_CERT_PEM, CERT).unwrap();
    rep.set_option(ZMQ_WSS_KEY_PEM, KEY).unwrap();
    rep.bind("wss://127.0.0.1:*/secure").unwrap();
    let ep = last_endpoint(&mut rep);
    (rep, ep)
}

#[test]
fn wss_round_trip_with_a_trusted_certificate_and_host_name() {
    let ctx = Context::new();
    let (mut rep, ep) = wss_server(&ctx);
    assert!(
        ep.starts_with("wss://127.0.0.1:") && ep.ends_with("/secure"),
        "{ep}"
    );
    let mut req = Socket::new(&ctx, REQ).unwrap();
    timeouts(&mut req);
    req.set_option(ZMQ_WSS_TRUST_PEM, CERT).unwrap();
    req.set_option(ZMQ_WSS_HOSTNAME, b"zeromq.org").unwrap();
    req.connect(&ep).unwrap();
    let big = vec![7u8; 300_000];
    send(&mut req, &big, false);
    assert_eq!(recv(&mut rep), big);
    send(&mut rep, b"ok", false);
    assert_eq!(recv(&mut req), b"ok");
}

#[test]
fn wss_refuses_a_wrong_host_name_or_an_untrusted_server() {
    let ctx = Context::new();
    let (mut rep, ep) = wss_server(&ctx);
    set_int(&mut rep, ZMQ_RCVTIMEO, 300);
    // The certificate is for zeromq.org, not example.org.
    let mut wrong_name = Socket::new(&ctx, REQ).unwrap();
    timeouts(&mut wrong_name);
    wrong_name.set_option(ZMQ_WSS_TRUST_PEM, CERT).unwrap();
    wrong_name
        .set_option(ZMQ_WSS_HOSTNAME, b"example.org")
        .unwrap();
    wrong_name.connect(&ep).unwrap();
    send(&mut wrong_name, b"must not arrive", false);
    // Nothing trusted: verification is on by default.
    let mut untrusted = Socket::new(&ctx, REQ).unwrap();
    timeouts(&mut untrusted);
    untrusted
        .set_option(ZMQ_WSS_HOSTNAME, b"zeromq.org")
        .unwrap();
    untrusted.connect(&ep).unwrap();
    send(&mut untrusted, b"must not arrive either", false);
    assert_eq!(rep.recv(0).unwrap_err(), crate::Error::EAGAIN);
}

#[test]
fn wss_bind_without_a_usable_certificate_is_einval() {
    let ctx = Context::new();
    let mut rep = Socket::new(&ctx, REP).unwrap();
    assert_eq!(
        rep.bind("wss://127.0.0.1:*").unwrap_err(),
        crate::Error::EINVAL
    );
    rep.set_option(ZMQ_WSS_CERT_PEM, CERT).unwrap();
    rep.set_option(
        ZMQ_WSS_KEY_PEM,
        b"-----BEGIN PRIVATE KEY-----\nnot base64\n",
    )
    .unwrap();
    assert_eq!(
        rep.bind("wss://127.0.0.1:*").unwrap_err(),
        crate::Error::EINVAL
    );
}

#[test]
fn wss_garbage_instead_of_tls_drops_only_that_connection() {
    use std::io::Write;
    let ctx = Context::new();
    let (mut rep, ep) = wss_server(&ctx);
    let hostport = ep
        .strip_prefix("wss://")
        .unwrap()
        .trim_end_matches("/secure")
        .to_string();
    // A TLS record header promising more than arrives, then a close; and
    // plain HTTP where a ClientHello should be.
    let mut c = std::net::TcpStream::connect(&hostport).unwrap();
    c.write_all(&[0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x02])
        .unwrap();
    drop(c);
    let mut c = std::net::TcpStream::connect(&hostport).unwrap();
    c.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert!(closed_by_peer(&mut c));
    let mut req = Socket::new(&ctx, REQ).unwrap();
    timeouts(&mut req);
    req.set_option(ZMQ_WSS_TRUST_PEM, CERT).unwrap();
    req.set_option(ZMQ_WSS_HOSTNAME, b"zeromq.org").unwrap();
    req.connect(&ep).unwrap();
    send(&mut req, b"still served", false);
    assert_eq!(recv(&mut rep), b"still served");
}

#[test]
fn lingering_close_flushes_what_the_ws_layer_still_holds() {
    // The sender's context ends right after the send: its session must
    // not finish while the ws framing (or TLS) still holds output.
    let receiver_ctx = Context::new();
    let mut pull = Socket::new(&receiver_ctx, PULL).unwrap();
    timeouts(&mut pull);
    set_int(&mut pull, ZMQ_RCVBUF, 4096);
    pull.bind("ws://127.0.0.1:*").unwrap();
    let ep = last_endpoint(&mut pull);
    let body: Vec<u8> = (0..2_000_000u32).map(|i| (i % 253) as u8).collect();
    let sender = std::thread::spawn({
        let body = body.clone();
        move || {
            let ctx = Context::new();
            let mut push = Socket::new(&ctx, PUSH).unwrap();
            set_int(&mut push, ZMQ_SNDBUF, 4096);
            set_int(&mut push, ZMQ_LINGER, -1);
            push.connect(&ep).unwrap();
            send(&mut push, &body, false);
            push.close();
            ctx.term();
        }
    });
    // Read only once the sender side has gone as far as it can alone.
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(recv(&mut pull), body);
    sender.join().unwrap();
}

#[test]
fn ws_bind_and_connect_check_the_address_as_libzmq() {
    use crate::Error;
    let ctx = Context::new();
    let mut s = Socket::new(&ctx, PAIR).unwrap();
    // A ws bind resolves no host names and knows no source part.
    assert_eq!(s.bind("ws://localhost:0"), Err(Error::ENODEV));
    assert_eq!(s.bind("ws://127.0.0.1:0;127.0.0.1:0"), Err(Error::ENODEV));
    assert_eq!(s.bind("ws://127.0.0.1:*/a/b"), Err(Error::EINVAL));
    s.bind("ws://lo:*/a").unwrap();
    // A ws connect resolves at once.
    assert_eq!(s.connect("ws://127.0.0.1:0/a/b"), Err(Error::EINVAL));
    assert_eq!(s.connect("ws://[::1]:5555"), Err(Error::EINVAL));
    s.connect("ws://127.0.0.1:5555/x").unwrap();
}
