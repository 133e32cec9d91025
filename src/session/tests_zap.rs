//! The session's ZAP client against handlers bound in the same context:
//! REP and ROUTER handlers, approval with User-Id and metadata reaching
//! the application, refusal raising the AUTH events on both sides, and a
//! slow handler that delays only its own handshake.

use std::thread;
use std::time::Duration;

use crate::ctx::Context;
use crate::monitor::events;
use crate::msg::Msg;
use crate::options::consts::{
    ZMQ_LINGER, ZMQ_PLAIN_PASSWORD, ZMQ_PLAIN_SERVER, ZMQ_PLAIN_USERNAME, ZMQ_RCVTIMEO,
    ZMQ_ZAP_DOMAIN,
};
use crate::socket::testing::{last_endpoint, set_int};
use crate::socket::{types, Socket};
use crate::zmtp::command::put_property;

const ZAP: &str = "inproc://zeromq.zap.01";

/// Answers `count` requests on `handler`: user "admin" with password
/// "secret" gets 200 with User-Id "admin-id" and a "Hello: World"
/// property, anyone else 400. `delay` passes before each answer. Returns
/// each request's frames (after the envelope).
fn serve_zap(mut handler: Socket, count: usize, delay: Duration) -> Vec<Vec<Vec<u8>>> {
    let router = handler.socket_type() == types::ROUTER;
    let mut seen = Vec::new();
    for _ in 0..count {
        let mut frames = Vec::new();
        loop {
            let m = handler.recv(0).unwrap();
            let more = m.has_more();
            frames.push(m.data().to_vec());
            if !more {
                break;
            }
        }
        // A ROUTER sees the session's routing id and the empty delimiter.
        let envelope: Vec<Vec<u8>> = if router {
            frames.drain(..2).collect()
        } else {
            Vec::new()
        };
        thread::sleep(delay);
        let ok = frames[5] == b"PLAIN" && frames[6] == b"admin" && frames[7] == b"secret";
        let mut meta = Vec::new();
        put_property(&mut meta, b"Hello", b"World");
        let reply: [&[u8]; 6] = if ok {
            [b"1.0", &frames[1], b"200", b"OK", b"admin-id", &meta]
        } else {
            [b"1.0", &frames[1], b"400", b"No", b"", b""]
        };
        let parts = envelope.iter().map(|e| e.as_slice()).chain(reply);
        let n = envelope.len() + reply.len();
        for (i, p) in parts.enumerate() {
            let mut m = Msg::from_slice(p);
            handler
                .send(&mut m, if i + 1 < n { crate::socket::SNDMORE } else { 0 })
                .unwrap();
        }
        seen.push(frames);
    }
    set_int(&mut handler, ZMQ_LINGER, 0);
    seen
}

fn spawn_handler(
    ctx: &Context,
    kind: i32,
    count: usize,
    delay: Duration,
) -> thread::JoinHandle<Vec<Vec<Vec<u8>>>> {
    let mut handler = Socket::new(ctx, kind).unwrap();
    handler.bind(ZAP).unwrap();
    thread::spawn(move || serve_zap(handler, count, delay))
}

fn plain_server(ctx: &Context) -> (Socket, String) {
    let mut server = Socket::new(ctx, types::DEALER).unwrap();
    set_int(&mut server, ZMQ_PLAIN_SERVER, 1);
    server.set_option(ZMQ_ZAP_DOMAIN, b"test").unwrap();
    server
        .set_option(crate::options::consts::ZMQ_ROUTING_ID, b"srv")
        .unwrap();
    set_int(&mut server, ZMQ_RCVTIMEO, 5000);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let ep = last_endpoint(&mut server);
    (server, ep)
}

fn plain_client(ctx: &Context, ep: &str, password: &[u8]) -> Socket {
    let mut client = Socket::new(ctx, types::DEALER).unwrap();
    client.set_option(ZMQ_PLAIN_USERNAME, b"admin").unwrap();
    client.set_option(ZMQ_PLAIN_PASSWORD, password).unwrap();
    set_int(&mut client, ZMQ_RCVTIMEO, 5000);
    set_int(&mut client, ZMQ_LINGER, 0);
    client.connect(ep).unwrap();
    client
}

fn send_str(s: &mut Socket, text: &[u8]) {
    s.send(&mut Msg::from_slice(text), 0).unwrap();
}

fn property(m: &Msg, name: &str) -> Option<Vec<u8>> {
    let meta = m.metadata()?;
    meta.get(name).map(|v| v.to_bytes().to_vec())
}

fn approved_by(kind: i32) {
    let ctx = Context::new();
    let zap = spawn_handler(&ctx, kind, 1, Duration::ZERO);
    let (mut server, ep) = plain_server(&ctx);
    let mut client = plain_client(&ctx, &ep, b"secret");
    send_str(&mut client, b"hi");
    let m = server.recv(0).unwrap();
    assert_eq!(m.data(), b"hi");
    assert_eq!(property(&m, "User-Id").as_deref(), Some(&b"admin-id"[..]));
    assert_eq!(property(&m, "Hello").as_deref(), Some(&b"World"[..]));
    send_str(&mut server, b"back");
    assert_eq!(client.recv(0).unwrap().data(), b"back");
    let requests = zap.join().unwrap();
    let r = &requests[0];
    // rfc-27 after the envelope: version, request id, domain, address,
    // identity, mechanism, credentials.
    let want: [&[u8]; 8] = [
        b"1.0",
        b"1",
        b"test",
        b"127.0.0.1",
        b"srv",
        b"PLAIN",
        b"admin",
        b"secret",
    ];
    assert_eq!(r, &want.map(|w| w.to_vec()));
}

#[test]
fn plain_client_approved_by_a_rep_handler() {
    approved_by(types::REP);
}

#[test]
fn plain_client_approved_by_a_router_handler() {
    approved_by(types::ROUTER);
}

/// The next event of `mon` as (number, value).
fn next_event(mon: &mut Socket) -> Option<(u64, u32)> {
    let head = mon.recv(0).ok()?;
    let _endpoint = mon.recv(0).unwrap();
    let d = head.data();
    let number = u16::from_ne_bytes([d[0], d[1]]) as u64;
    let value = u32::from_ne_bytes([d[2], d[3], d[4], d[5]]);
    Some((number, value))
}

fn monitor(ctx: &Context, s: &mut Socket, name: &str) -> Socket {
    let addr = format!("inproc://{name}");
    let mask = events::HANDSHAKE_SUCCEEDED
        | events::HANDSHAKE_FAILED_AUTH
        | events::HANDSHAKE_FAILED_PROTOCOL
        | events::HANDSHAKE_FAILED_NO_DETAIL;
    s.monitor(Some(&addr), mask, 1, types::PAIR).unwrap();
    let mut r = Socket::new(ctx, types::PAIR).unwrap();
    set_int(&mut r, ZMQ_RCVTIMEO, 5000);
    r.connect(&addr).unwrap();
    r
}

#[test]
fn refused_client_sees_the_status_and_gets_nothing_through() {
    let ctx = Context::new();
    let zap = spawn_handler(&ctx, types::REP, 1, Duration::ZERO);
    let (mut server, ep) = plain_server(&ctx);
    let mut server_mon = monitor(&ctx, &mut server, "zap-server-mon");
    let mut client = Socket::new(&ctx, types::DEALER).unwrap();
    let mut client_mon = monitor(&ctx, &mut client, "zap-client-mon");
    client.set_option(ZMQ_PLAIN_USERNAME, b"admin").unwrap();
    client.set_option(ZMQ_PLAIN_PASSWORD, b"wrong").unwrap();
    set_int(&mut client, ZMQ_LINGER, 0);
    client.connect(&ep).unwrap();
    send_str(&mut client, b"hi");
    assert_eq!(
        next_event(&mut server_mon),
        Some((events::HANDSHAKE_FAILED_AUTH, 400))
    );
    // The client reads the server's ERROR 400 (libzmq's handle_error_reason).
    assert_eq!(
        next_event(&mut client_mon),
        Some((events::HANDSHAKE_FAILED_AUTH, 400))
    );
    set_int(&mut server, ZMQ_RCVTIMEO, 200);
    assert!(server.recv(0).is_err());
    zap.join().unwrap();
}

#[test]
fn a_slow_handler_delays_only_its_own_handshake() {
    let ctx = Context::new();
    // One io thread (the default), so the plain pair below shares it.
    let delay = Duration::from_millis(3000);
    let zap = spawn_handler(&ctx, types::REP, 1, delay);
    let start = std::time::Instant::now();
    let (mut server, ep) = plain_server(&ctx);
    let mut client = plain_client(&ctx, &ep, b"secret");
    send_str(&mut client, b"slow");

    let mut pull = Socket::new(&ctx, types::PULL).unwrap();
    set_int(&mut pull, ZMQ_RCVTIMEO, 1000);
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let pull_ep = last_endpoint(&mut pull);
    let mut push = Socket::new(&ctx, types::PUSH).unwrap();
    set_int(&mut push, ZMQ_LINGER, 0);
    push.connect(&pull_ep).unwrap();
    for i in 0..10u8 {
        send_str(&mut push, &[i]);
        // Each arrives while the ZAP handler is still sleeping.
        assert_eq!(pull.recv(0).unwrap().data(), [i]);
    }
    // Nothing from the secured pair yet (unless this machine was so slow
    // that the handler's delay is over), then it comes.
    set_int(&mut server, ZMQ_RCVTIMEO, 0);
    if start.elapsed() < delay / 2 {
        assert!(server.recv(0).is_err());
    }
    set_int(&mut server, ZMQ_RCVTIMEO, 5000);
    assert_eq!(server.recv(0).unwrap().data(), b"slow");
    zap.join().unwrap();
}
