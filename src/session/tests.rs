//! Connecting sessions seen through a socket's monitor: when they retry
//! and when `ZMQ_RECONNECT_STOP` makes them give up (after upstream's
//! test_reconnect_options).

use std::io::Read;
use std::net::TcpListener;
use std::time::Duration;

use crate::ctx::Context;
use crate::monitor::events;
use crate::options::consts::{
    ZMQ_HANDSHAKE_IVL, ZMQ_RCVTIMEO, ZMQ_RECONNECT_STOP, ZMQ_RECONNECT_STOP_AFTER_DISCONNECT,
    ZMQ_RECONNECT_STOP_CONN_REFUSED, ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED,
};
use crate::socket::testing::set_int;
use crate::socket::{types, Socket};
use crate::Error;

/// A socket of type `t` whose every event is readable from the returned
/// PAIR.
pub(super) fn monitored(ctx: &Context, t: i32, name: &str) -> (Socket, Socket) {
    let mut s = Socket::new(ctx, t).unwrap();
    let addr = format!("inproc://{name}");
    s.monitor(Some(&addr), events::ALL, 1, types::PAIR).unwrap();
    let mut r = Socket::new(ctx, types::PAIR).unwrap();
    r.connect(&addr).unwrap();
    (s, r)
}

/// The next event's number, or `None` if none comes within `ms`.
fn next_event(r: &mut Socket, ms: i32) -> Option<u64> {
    set_int(r, ZMQ_RCVTIMEO, ms);
    let head = r.recv(0).ok()?;
    let _endpoint = r.recv(0).unwrap();
    Some(u16::from_ne_bytes([head.data()[0], head.data()[1]]) as u64)
}

fn expect_events(r: &mut Socket, expected: &[u64]) {
    for &e in expected {
        assert_eq!(next_event(r, 5000), Some(e), "expected event {e:#x}");
    }
}

/// A loopback port nobody listens on.
fn refusing_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_refused_connect_is_retried_by_default() {
    let ctx = Context::new();
    let (mut sub, mut mon) = monitored(&ctx, types::SUB, "retry-default");
    sub.connect(&format!("tcp://127.0.0.1:{}", refusing_port()))
        .unwrap();
    expect_events(
        &mut mon,
        &[
            events::CONNECT_DELAYED,
            events::CLOSED,
            events::CONNECT_RETRIED,
        ],
    );
}

/// The next event's number and value, or `None` if none comes within `ms`.
fn next_event_value(r: &mut Socket, ms: i32) -> Option<(u64, u32)> {
    set_int(r, ZMQ_RCVTIMEO, ms);
    let head = r.recv(0).ok()?;
    let _endpoint = r.recv(0).unwrap();
    let d = head.data();
    let value = u32::from_ne_bytes([d[2], d[3], d[4], d[5]]);
    Some((u16::from_ne_bytes([d[0], d[1]]) as u64, value))
}

#[test]
fn a_failed_ipc_connect_closes_its_socket_with_an_event_then_retries() {
    // libzmq's ipc connecter opens a socket for each attempt; one that
    // fails at once (no such file, or refused) is closed with CLOSED (the
    // descriptor as the value) before CONNECT_RETRIED, every time.
    let dir = std::env::temp_dir().join(format!("zmq-rs-closed-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let missing = format!("ipc://{}", dir.join("nobody.ipc").display());
    let ctx = Context::new();
    let (mut sub, mut mon) = monitored(&ctx, types::SUB, "ipc-closed-retried");
    sub.connect(&missing).unwrap();
    for _ in 0..2 {
        let (event, fd) = next_event_value(&mut mon, 5000).expect("an event");
        assert_eq!(event, events::CLOSED);
        assert!(
            fd > 2 && fd < 1 << 20,
            "the closed socket's descriptor, not {fd}"
        );
        let (event, ivl) = next_event_value(&mut mon, 5000).expect("an event");
        assert_eq!(event, events::CONNECT_RETRIED);
        assert!((100..200).contains(&ivl), "interval + jitter: {ivl}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reconnect_stop_conn_refused_ends_the_endpoint_after_closed() {
    let ctx = Context::new();
    let (mut sub, mut mon) = monitored(&ctx, types::SUB, "stop-refused");
    set_int(
        &mut sub,
        ZMQ_RECONNECT_STOP,
        ZMQ_RECONNECT_STOP_CONN_REFUSED,
    );
    let endpoint = format!("tcp://127.0.0.1:{}", refusing_port());
    sub.connect(&endpoint).unwrap();
    expect_events(&mut mon, &[events::CONNECT_DELAYED, events::CLOSED]);
    // The default interval is 100 ms: a retry would show by now.
    assert_eq!(next_event(&mut mon, 500), None);
    // The socket forgot the endpoint, as after a disconnect.
    let _ = sub.events();
    assert_eq!(sub.disconnect(&endpoint).unwrap_err(), Error::ENOENT);
}

#[test]
fn reconnect_stop_handshake_failed_gives_up_on_a_silent_peer() {
    let ctx = Context::new();
    // A peer that accepts and never speaks ZMTP.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let silent = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = [0u8; 64];
        conn.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        while matches!(conn.read(&mut buf), Ok(n) if n > 0) {}
    });
    let (mut sub, mut mon) = monitored(&ctx, types::SUB, "stop-handshake");
    set_int(&mut sub, ZMQ_HANDSHAKE_IVL, 200);
    set_int(
        &mut sub,
        ZMQ_RECONNECT_STOP,
        ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED,
    );
    sub.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
    expect_events(
        &mut mon,
        &[
            events::CONNECT_DELAYED,
            events::CONNECTED,
            events::HANDSHAKE_FAILED_NO_DETAIL,
            events::DISCONNECTED,
        ],
    );
    assert_eq!(next_event(&mut mon, 500), None, "no retry");
    silent.join().unwrap();
}

#[test]
fn reconnect_stop_after_disconnect_stops_refused_ipc_retries() {
    let dir = std::env::temp_dir().join(format!("zmq-rs-stop-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("stale.ipc");
    let _ = std::fs::remove_file(&path);
    // A socket file with nobody listening: connects are refused.
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    let stale = format!("ipc://{}", path.display());

    let ctx = Context::new();
    let (mut sub, mut mon) = monitored(&ctx, types::SUB, "stop-after-disconnect");
    set_int(
        &mut sub,
        ZMQ_RECONNECT_STOP,
        ZMQ_RECONNECT_STOP_AFTER_DISCONNECT,
    );
    sub.connect(&stale).unwrap();
    expect_events(&mut mon, &[events::CLOSED, events::CONNECT_RETRIED]);
    // Before any disconnect the refusal is retried as usual...
    expect_events(&mut mon, &[events::CLOSED, events::CONNECT_RETRIED]);
    // ...and once the socket disconnected something, no longer.
    let other = format!("tcp://127.0.0.1:{}", refusing_port());
    sub.connect(&other).unwrap();
    sub.disconnect(&other).unwrap();
    // The tcp attempt's own events, and at most one ipc retry already
    // under way; a session still retrying would keep reporting.
    let mut drained = 0;
    while next_event(&mut mon, 300).is_some() {
        drained += 1;
        assert!(drained < 10, "the ipc session kept retrying");
    }
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_closed_socket_keeps_connecting_to_deliver_what_it_sent() {
    use crate::msg::Msg;
    let ctx = Context::new();
    let endpoint = format!("tcp://127.0.0.1:{}", refusing_port());
    let mut push = Socket::new(&ctx, types::PUSH).unwrap();
    push.connect(&endpoint).unwrap();
    push.send(&mut Msg::from_slice(b"sent before the peer existed"), 0)
        .unwrap();
    // Default linger (infinite): the session must outlive the socket.
    drop(push);
    std::thread::sleep(Duration::from_millis(150));
    let mut pull = Socket::new(&ctx, types::PULL).unwrap();
    set_int(&mut pull, ZMQ_RCVTIMEO, 5000);
    pull.bind(&endpoint).unwrap();
    let m = pull.recv(0).unwrap();
    assert_eq!(m.data(), b"sent before the peer existed");
}

#[test]
fn a_lingering_session_without_a_peer_ends_at_the_linger_time() {
    use crate::msg::Msg;
    use crate::options::consts::ZMQ_LINGER;
    let ctx = Context::new();
    let mut push = Socket::new(&ctx, types::PUSH).unwrap();
    set_int(&mut push, ZMQ_LINGER, 200);
    push.connect(&format!("tcp://127.0.0.1:{}", refusing_port()))
        .unwrap();
    push.send(&mut Msg::from_slice(b"never delivered"), 0)
        .unwrap();
    drop(push);
    let start = std::time::Instant::now();
    ctx.term();
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(150), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn the_linger_set_just_before_close_is_the_one_that_counts() {
    use crate::msg::Msg;
    use crate::options::consts::ZMQ_LINGER;
    let ctx = Context::new();
    let mut push = Socket::new(&ctx, types::PUSH).unwrap();
    push.connect(&format!("tcp://127.0.0.1:{}", refusing_port()))
        .unwrap();
    push.send(&mut Msg::from_slice(b"dropped"), 0).unwrap();
    // Infinite linger when connecting, zero at close: nothing waits.
    set_int(&mut push, ZMQ_LINGER, 0);
    drop(push);
    let (done_tx, done) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        ctx.term();
        let _ = done_tx.send(());
    });
    assert!(
        done.recv_timeout(Duration::from_secs(3)).is_ok(),
        "zmq_ctx_term waited for a session told to linger 0"
    );
}

/// A ROUTER bound to a loopback port, and that endpoint.
fn tcp_router(ctx: &Context, option: Option<(i32, &[u8])>) -> (Socket, String) {
    let mut r = Socket::new(ctx, types::ROUTER).unwrap();
    if let Some((o, v)) = option {
        r.set_option(o, v).unwrap();
    }
    set_int(&mut r, ZMQ_RCVTIMEO, 5000);
    r.bind("tcp://127.0.0.1:*").unwrap();
    let mut buf = [0u8; 64];
    let n = r
        .get_option(crate::options::consts::ZMQ_LAST_ENDPOINT, &mut buf)
        .unwrap();
    let ep = std::str::from_utf8(&buf[..n - 1]).unwrap().to_string();
    (r, ep)
}

fn tcp_dealer(ctx: &Context, ep: &str, option: Option<(i32, &[u8])>) -> Socket {
    let mut d = Socket::new(ctx, types::DEALER).unwrap();
    if let Some((o, v)) = option {
        d.set_option(o, v).unwrap();
    }
    set_int(&mut d, ZMQ_RCVTIMEO, 5000);
    d.set_option(crate::options::consts::ZMQ_ROUTING_ID, b"D")
        .unwrap();
    d.connect(ep).unwrap();
    d
}

fn recv_bytes(s: &mut Socket) -> Vec<u8> {
    s.recv(0).unwrap().data().to_vec()
}

#[test]
fn hello_msg_is_the_first_message_of_a_tcp_connection() {
    use crate::options::consts::ZMQ_HELLO_MSG;
    let ctx = Context::new();
    let (mut router, ep) = tcp_router(&ctx, None);
    let _dealer = tcp_dealer(&ctx, &ep, Some((ZMQ_HELLO_MSG, b"Hi")));
    assert_eq!(recv_bytes(&mut router), b"D");
    assert_eq!(recv_bytes(&mut router), b"Hi");
}

#[test]
fn disconnect_msg_reaches_the_binder_when_a_tcp_peer_leaves() {
    use crate::msg::Msg;
    use crate::options::consts::ZMQ_DISCONNECT_MSG;
    let ctx = Context::new();
    let (mut router, ep) = tcp_router(&ctx, Some((ZMQ_DISCONNECT_MSG, b"Bye")));
    let mut dealer = tcp_dealer(&ctx, &ep, None);
    dealer.send(&mut Msg::from_slice(b"x"), 0).unwrap();
    assert_eq!(recv_bytes(&mut router), b"D");
    assert_eq!(recv_bytes(&mut router), b"x");
    drop(dealer);
    assert_eq!(recv_bytes(&mut router), b"D");
    assert_eq!(recv_bytes(&mut router), b"Bye");
}

#[test]
fn hiccup_msg_reaches_the_connecter_when_its_tcp_peer_goes() {
    use crate::msg::Msg;
    use crate::options::consts::ZMQ_HICCUP_MSG;
    let ctx = Context::new();
    let (mut router, ep) = tcp_router(&ctx, None);
    let mut dealer = tcp_dealer(&ctx, &ep, Some((ZMQ_HICCUP_MSG, b"Oops")));
    dealer.send(&mut Msg::from_slice(b"x"), 0).unwrap();
    assert_eq!(recv_bytes(&mut router), b"D");
    assert_eq!(recv_bytes(&mut router), b"x");
    drop(router);
    assert_eq!(recv_bytes(&mut dealer), b"Oops");
}

/// A loopback listener whose accept queue is full, so a further connect
/// stays in progress (its SYNs are dropped) until something gives up.
fn silent_listener() -> (std::os::fd::OwnedFd, std::net::TcpStream, u16) {
    use std::os::fd::FromRawFd;
    // SAFETY: plain socket calls on a fresh fd we own; `addr` and `len`
    // are live locals of the sizes passed.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        assert!(fd >= 0);
        let owned = std::os::fd::OwnedFd::from_raw_fd(fd);
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from_ne_bytes([127, 0, 0, 1]);
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        assert_eq!(
            libc::bind(fd, (&addr as *const libc::sockaddr_in).cast(), len),
            0
        );
        assert_eq!(libc::listen(fd, 0), 0);
        let mut len2 = len;
        libc::getsockname(fd, (&mut addr as *mut libc::sockaddr_in).cast(), &mut len2);
        let port = u16::from_be(addr.sin_port);
        // Backlog 0 holds one connection: this one fills the queue.
        let filler = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        (owned, filler, port)
    }
}

#[test]
fn connect_timeout_gives_up_an_unanswered_connect_and_retries() {
    use crate::options::consts::{ZMQ_CONNECT_TIMEOUT, ZMQ_RECONNECT_IVL};
    let (_listener, _filler, port) = silent_listener();
    let ctx = Context::new();
    let (mut dealer, mut mon) = monitored(&ctx, types::DEALER, "connect-timeout");
    set_int(&mut dealer, ZMQ_CONNECT_TIMEOUT, 100);
    set_int(&mut dealer, ZMQ_RECONNECT_IVL, 100);
    dealer.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
    // Without the timer the kernel keeps retrying the SYN for minutes and
    // no CLOSED comes within the 5 s `expect_events` allows.
    for _ in 0..2 {
        expect_events(
            &mut mon,
            &[
                events::CONNECT_DELAYED,
                events::CLOSED,
                events::CONNECT_RETRIED,
            ],
        );
    }
}

/// A peer whose last bytes and FIN arrive in one readiness edge: the short
/// read of the bytes must not hide the EOF, or the connection is kept
/// forever (found by tests/differential: a connecting DEALER kept a server
/// that wrote its signature and closed). Five connections, as the edges
/// only coalesce most of the time.
#[test]
fn a_peer_that_writes_and_closes_at_once_is_seen_to_close() {
    use crate::options::consts::ZMQ_RECONNECT_IVL;
    use std::io::Write;
    let ctx = Context::new();
    let lsn = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = lsn.local_addr().unwrap().port();
    for _ in 0..5 {
        let mut d = Socket::new(&ctx, types::DEALER).unwrap();
        set_int(&mut d, ZMQ_RECONNECT_IVL, -1);
        d.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
        let (mut peer, _) = lsn.accept().unwrap();
        peer.write_all(&[0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f])
            .unwrap();
        peer.shutdown(std::net::Shutdown::Write).unwrap();
        peer.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let mut got = Vec::new();
        let end = peer.read_to_end(&mut got);
        assert!(end.is_ok(), "our side never closed: {end:?}");
        assert!(got.starts_with(&[0xff]), "our signature came first");
    }
}

/// libzmq's `req_session_t`: a reply without its empty delimiter ends a
/// REQ's connection (EFAULT, a protocol error: no reconnect), and the
/// application gets nothing (found by tests/differential).
#[test]
fn a_req_reply_without_its_delimiter_ends_the_connection() {
    use std::io::Write;
    let ctx = Context::new();
    let lsn = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = lsn.local_addr().unwrap().port();
    let mut req = Socket::new(&ctx, types::REQ).unwrap();
    req.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
    req.send(&mut crate::msg::Msg::from_slice(b"hello"), 0)
        .unwrap();
    let (mut peer, _) = lsn.accept().unwrap();
    let mut greeting = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 1];
    greeting.extend_from_slice(b"NULL");
    greeting.resize(64, 0);
    peer.write_all(&greeting).unwrap();
    let mut ready = b"\x04\x1c\x05READY\x0bSocket-Type\x00\x00\x00\x06ROUTER".to_vec();
    // The reply "world" with no delimiter.
    ready.extend_from_slice(b"\x00\x05world");
    peer.write_all(&ready).unwrap();
    peer.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let mut got = Vec::new();
    assert!(peer.read_to_end(&mut got).is_ok(), "the connection ends");
    set_int(&mut req, ZMQ_RCVTIMEO, 100);
    assert_eq!(req.recv(0).unwrap_err(), Error::EAGAIN);
}

/// A NULL handshake played by a raw peer of socket type `ty`, as a libzmq
/// peer does it: greetings both ways, READYs both ways.
fn raw_null_handshake(peer: &mut std::net::TcpStream, ty: &str) {
    use std::io::Write;
    peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut greeting = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0];
    greeting.extend_from_slice(b"NULL");
    greeting.resize(64, 0);
    peer.write_all(&greeting).unwrap();
    let mut theirs = [0u8; 64];
    peer.read_exact(&mut theirs).unwrap();
    let mut ready = vec![0x04, (22 + ty.len()) as u8];
    ready.extend_from_slice(b"\x05READY\x0bSocket-Type\x00\x00\x00");
    ready.push(ty.len() as u8);
    ready.extend_from_slice(ty.as_bytes());
    peer.write_all(&ready).unwrap();
    let mut head = [0u8; 2];
    peer.read_exact(&mut head).unwrap();
    assert_eq!(head[0], 0x04, "a short command: the peer's READY");
    let mut body = vec![0u8; head[1] as usize];
    peer.read_exact(&mut body).unwrap();
}

/// libzmq's `clean_pipes`: when a connection drops after the engine took
/// the first frames of a multipart message, the rest of that message goes
/// with it, never out alone on the next connection (tests/faults
/// kill_mid_message: a PUSH whose peer died in the middle of a 64 MiB
/// frame sent the message's last frame to the next peer as a message).
#[test]
fn the_rest_of_a_half_sent_multipart_message_is_dropped_with_the_connection() {
    use crate::msg::Msg;
    use crate::options::consts::ZMQ_RECONNECT_IVL;
    use crate::socket::SNDMORE;
    let ctx = Context::new();
    let lsn = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = lsn.local_addr().unwrap().port();
    let mut push = Socket::new(&ctx, types::PUSH).unwrap();
    set_int(&mut push, ZMQ_RECONNECT_IVL, 50);
    push.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
    push.send(&mut Msg::from_slice(b"head"), SNDMORE).unwrap();
    push.send(&mut Msg::from_slice(&vec![7u8; 16 << 20]), SNDMORE)
        .unwrap();
    push.send(&mut Msg::from_slice(b"tail"), 0).unwrap();
    push.send(&mut Msg::from_slice(b"after"), 0).unwrap();

    // The first peer reads the head and a little of the big frame, and
    // goes (a reset: it leaves unread data).
    let (mut peer, _) = lsn.accept().unwrap();
    raw_null_handshake(&mut peer, "PULL");
    let mut some = vec![0u8; 1 << 20];
    peer.read_exact(&mut some).unwrap();
    assert_eq!(&some[..6], b"\x01\x04head", "the head comes first");
    drop(peer);

    // The next peer gets the next whole message.
    let (mut peer, _) = lsn.accept().unwrap();
    raw_null_handshake(&mut peer, "PULL");
    let mut frame = [0u8; 7];
    peer.read_exact(&mut frame).unwrap();
    assert_eq!(&frame, b"\x00\x05after", "not the old message's tail");
}
