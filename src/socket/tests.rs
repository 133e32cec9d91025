use super::types::*;
use super::*;
use crate::socket::testing::{last_endpoint, set_int};
use std::time::Duration;

fn pair_of(ctx: &Context, a: i32, b: i32, name: &str) -> (Socket, Socket) {
    let mut x = Socket::new(ctx, a).unwrap();
    x.bind(name).unwrap();
    let mut y = Socket::new(ctx, b).unwrap();
    y.connect(name).unwrap();
    (x, y)
}

fn send(s: &mut Socket, data: &[u8], more: bool) {
    let mut m = Msg::from_slice(data);
    s.send(&mut m, if more { SNDMORE } else { 0 }).unwrap();
}

fn recv(s: &mut Socket) -> Vec<u8> {
    s.recv(0).unwrap().data().to_vec()
}

#[test]
fn pair_over_inproc_both_ways() {
    let ctx = Context::new();
    let (mut a, mut b) = pair_of(&ctx, PAIR, PAIR, "inproc://pair");
    send(&mut a, b"hello", false);
    assert_eq!(recv(&mut b), b"hello");
    send(&mut b, b"world", false);
    assert_eq!(recv(&mut a), b"world");
}

#[test]
fn connect_before_bind_delivers_queued_messages() {
    let ctx = Context::new();
    let mut push = Socket::new(&ctx, PUSH).unwrap();
    push.connect("inproc://later").unwrap();
    send(&mut push, b"early", false);
    let mut pull = Socket::new(&ctx, PULL).unwrap();
    pull.bind("inproc://later").unwrap();
    assert_eq!(recv(&mut pull), b"early");
}

#[test]
fn req_rep_round_trip_and_fsm_errors() {
    let ctx = Context::new();
    let (mut rep, mut req) = pair_of(&ctx, REP, REQ, "inproc://rr");
    assert_eq!(req.recv(0).unwrap_err(), Error::EFSM);
    send(&mut req, b"ping", false);
    assert_eq!(req.send(&mut Msg::new(), 0).unwrap_err(), Error::EFSM);
    assert_eq!(recv(&mut rep), b"ping");
    send(&mut rep, b"pong", false);
    assert_eq!(recv(&mut req), b"pong");
}

#[test]
fn router_prefixes_routing_id_and_routes_replies() {
    let ctx = Context::new();
    let (mut router, mut dealer) = {
        let mut r = Socket::new(&ctx, ROUTER).unwrap();
        r.bind("inproc://router").unwrap();
        let mut d = Socket::new(&ctx, DEALER).unwrap();
        d.set_option(crate::options::consts::ZMQ_ROUTING_ID, b"D1")
            .unwrap();
        d.connect("inproc://router").unwrap();
        (r, d)
    };
    send(&mut dealer, b"x", false);
    assert_eq!(recv(&mut router), b"D1");
    assert_eq!(recv(&mut router), b"x");
    send(&mut router, b"D1", true);
    send(&mut router, b"y", false);
    assert_eq!(recv(&mut dealer), b"y");
}

#[test]
fn router_mandatory_unroutable_returns_ehostunreach() {
    let ctx = Context::new();
    let mut r = Socket::new(&ctx, ROUTER).unwrap();
    r.set_option(
        crate::options::consts::ZMQ_ROUTER_MANDATORY,
        &1i32.to_ne_bytes(),
    )
    .unwrap();
    let mut m = Msg::from_slice(b"nobody");
    assert_eq!(r.send(&mut m, SNDMORE).unwrap_err(), Error::EHOSTUNREACH);
}

#[test]
fn peer_state_says_pollout_until_the_peers_pipe_is_full() {
    use crate::options::consts::{ZMQ_RCVHWM, ZMQ_ROUTER_MANDATORY, ZMQ_ROUTING_ID, ZMQ_SNDHWM};
    let ctx = Context::new();
    let mut r = Socket::new(&ctx, ROUTER).unwrap();
    r.set_option(ZMQ_ROUTER_MANDATORY, &1i32.to_ne_bytes())
        .unwrap();
    r.set_option(ZMQ_SNDHWM, &2i32.to_ne_bytes()).unwrap();
    r.bind("inproc://peer-state").unwrap();
    let mut d = Socket::new(&ctx, DEALER).unwrap();
    d.set_option(ZMQ_RCVHWM, &2i32.to_ne_bytes()).unwrap();
    d.set_option(ZMQ_ROUTING_ID, b"X").unwrap();
    d.connect("inproc://peer-state").unwrap();
    send(&mut d, b"hello", false);
    assert_eq!(recv(&mut r), b"X");
    assert_eq!(recv(&mut r), b"hello");

    assert_eq!(r.peer_state(b"Y").unwrap_err(), Error::EHOSTUNREACH);
    let mut sent = 0;
    while r.peer_state(b"X").unwrap() & POLLOUT != 0 {
        send(&mut r, b"X", true);
        send(&mut r, b"data", false);
        sent += 1;
        assert!(sent < 100, "the HWM never stopped the router");
    }
    assert_eq!(sent, 4, "sndhwm + rcvhwm messages fit");
    assert_eq!(d.peer_state(b"X").unwrap_err(), Error::ENOTSUP);
}

#[test]
fn pub_sub_filters_by_prefix() {
    let ctx = Context::new();
    let (mut publ, mut sub) = pair_of(&ctx, PUB, SUB, "inproc://ps");
    sub.set_option(crate::options::consts::ZMQ_SUBSCRIBE, b"A")
        .unwrap();
    // The subscription travels to the publisher when it processes commands.
    publ.events().unwrap();
    send(&mut publ, b"B-skip", false);
    send(&mut publ, b"A-take", false);
    assert_eq!(recv(&mut sub), b"A-take");
    assert_eq!(sub.recv(DONTWAIT).unwrap_err(), Error::EAGAIN);
}

#[test]
fn xsub_passes_every_message_its_publisher_sends() {
    // Only SUB filters; an XSUB (a proxy's frontend) takes what the
    // publisher chose to send, e.g. under XPUB_MANUAL.
    use crate::options::consts::{ZMQ_SUBSCRIBE, ZMQ_XPUB_MANUAL};
    let ctx = Context::new();
    let mut xpub = Socket::new(&ctx, XPUB).unwrap();
    xpub.set_option(ZMQ_XPUB_MANUAL, &1i32.to_ne_bytes())
        .unwrap();
    xpub.bind("inproc://xsub-nofilter").unwrap();
    let mut xsub = Socket::new(&ctx, XSUB).unwrap();
    xsub.connect("inproc://xsub-nofilter").unwrap();
    send(&mut xsub, b"\x01A", false);
    assert_eq!(recv(&mut xpub), b"\x01A");
    // The proxy subscribes the pipe to B instead of A.
    xpub.set_option(ZMQ_SUBSCRIBE, b"B").unwrap();
    send(&mut xpub, b"A", false);
    send(&mut xpub, b"B", false);
    assert_eq!(xsub.recv(DONTWAIT).unwrap().data(), b"B");
    assert_eq!(xsub.recv(DONTWAIT).unwrap_err(), Error::EAGAIN);
}

#[test]
fn xpub_manual_last_value_without_a_last_pipe_sends_to_all_matching() {
    use crate::options::consts::{ZMQ_SUBSCRIBE, ZMQ_XPUB_MANUAL_LAST_VALUE};
    let ctx = Context::new();
    let mut xpub = Socket::new(&ctx, XPUB).unwrap();
    xpub.set_option(ZMQ_XPUB_MANUAL_LAST_VALUE, &1i32.to_ne_bytes())
        .unwrap();
    xpub.bind("inproc://last-value").unwrap();
    let mut subs: Vec<Socket> = (0..2)
        .map(|_| {
            let mut s = Socket::new(&ctx, XSUB).unwrap();
            s.connect("inproc://last-value").unwrap();
            send(&mut s, b"\x01A", false);
            s
        })
        .collect();
    for _ in 0..2 {
        assert_eq!(recv(&mut xpub), b"\x01A");
        xpub.set_option(ZMQ_SUBSCRIBE, b"A").unwrap();
    }
    // The first send after a subscription goes only to its pipe...
    send(&mut xpub, b"A1", false);
    let got: Vec<bool> = subs.iter_mut().map(|s| s.recv(DONTWAIT).is_ok()).collect();
    assert_eq!(got.iter().filter(|&&g| g).count(), 1);
    // ...later ones to every matching subscriber.
    send(&mut xpub, b"A2", false);
    for s in subs.iter_mut() {
        assert_eq!(s.recv(DONTWAIT).unwrap().data(), b"A2");
    }
}

#[test]
fn push_pull_respects_hwm_with_dontwait() {
    let ctx = Context::new();
    let mut pull = Socket::new(&ctx, PULL).unwrap();
    pull.set_option(crate::options::consts::ZMQ_RCVHWM, &1i32.to_ne_bytes())
        .unwrap();
    pull.bind("inproc://hwm").unwrap();
    let mut push = Socket::new(&ctx, PUSH).unwrap();
    push.set_option(crate::options::consts::ZMQ_SNDHWM, &1i32.to_ne_bytes())
        .unwrap();
    push.connect("inproc://hwm").unwrap();
    let mut sent = 0;
    while push.send(&mut Msg::from_slice(b"m"), DONTWAIT).is_ok() {
        sent += 1;
    }
    assert_eq!(sent, 2, "inproc HWM is the sum of both sides");
    for _ in 0..2 {
        recv(&mut pull);
    }
    push.send(&mut Msg::from_slice(b"m"), DONTWAIT).unwrap();
}

#[test]
fn blocking_recv_returns_eterm_after_shutdown() {
    let ctx = Context::new();
    let mut pull = Socket::new(&ctx, PULL).unwrap();
    let c2 = ctx.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        c2.shutdown();
    });
    assert_eq!(pull.recv(0).unwrap_err(), Error::ETERM);
    t.join().unwrap();
    drop(pull);
    ctx.term();
}

#[test]
fn rcvtimeo_gives_eagain() {
    let ctx = Context::new();
    let mut pull = Socket::new(&ctx, PULL).unwrap();
    pull.set_option(crate::options::consts::ZMQ_RCVTIMEO, &20i32.to_ne_bytes())
        .unwrap();
    assert_eq!(pull.recv(0).unwrap_err(), Error::EAGAIN);
}

#[test]
fn unknown_transport_and_bad_endpoint() {
    let ctx = Context::new();
    let mut s = Socket::new(&ctx, PAIR).unwrap();
    assert_eq!(s.bind("foo://x").unwrap_err(), Error::EPROTONOSUPPORT);
    assert_eq!(s.bind("inproc").unwrap_err(), Error::EINVAL);
    assert_eq!(Socket::new(&ctx, 99).err(), Some(Error::EINVAL));
}

fn int(v: i32) -> [u8; 4] {
    v.to_ne_bytes()
}

fn sends_until_full(s: &mut Socket) -> usize {
    let mut n = 0;
    while n < 10_000 && s.send(&mut Msg::new(), DONTWAIT).is_ok() {
        n += 1;
    }
    n
}

#[test]
fn a_nonblocking_send_takes_new_hwm_credit_at_most_once_per_millisecond() {
    use crate::options::consts::{ZMQ_RCVHWM, ZMQ_SNDHWM};
    let ctx = Context::new();
    let (mut push, mut pull) = pair_of(&ctx, PUSH, PULL, "inproc://throttle");
    push.set_option(ZMQ_SNDHWM, &int(2)).unwrap();
    pull.set_option(ZMQ_RCVHWM, &int(2)).unwrap();
    let n = sends_until_full(&mut push);
    assert!(n > 0 && n < 10_000);
    for _ in 0..n {
        pull.recv(0).unwrap();
    }
    // The reader's credit is waiting as a command; a send within the
    // millisecond after the last look does not take it (libzmq's throttle).
    push.core.last_send_commands = Some(Instant::now() + Duration::from_secs(60));
    assert_eq!(
        push.send(&mut Msg::new(), DONTWAIT).unwrap_err(),
        Error::EAGAIN
    );
    push.core.last_send_commands = Some(Instant::now() - Duration::from_millis(2));
    push.send(&mut Msg::new(), DONTWAIT).unwrap();
}

#[test]
fn hwm_of_a_pending_inproc_connection_sums_both_sides() {
    use crate::options::consts::{ZMQ_RCVHWM, ZMQ_SNDHWM};
    let ctx = Context::new();
    let mut push = Socket::new(&ctx, PUSH).unwrap();
    let mut pull = Socket::new(&ctx, PULL).unwrap();
    pull.set_option(ZMQ_RCVHWM, &int(2)).unwrap();
    push.set_option(ZMQ_SNDHWM, &int(2)).unwrap();
    pull.connect("inproc://sum").unwrap();
    push.bind("inproc://sum").unwrap();
    assert_eq!(sends_until_full(&mut push), 4);
}

#[test]
fn raising_sndhwm_after_connect_keeps_the_peers_share() {
    use crate::options::consts::{ZMQ_RCVHWM, ZMQ_SNDHWM};
    let ctx = Context::new();
    let mut push = Socket::new(&ctx, PUSH).unwrap();
    let mut pull = Socket::new(&ctx, PULL).unwrap();
    pull.set_option(ZMQ_RCVHWM, &int(1)).unwrap();
    push.set_option(ZMQ_SNDHWM, &int(1)).unwrap();
    pull.connect("inproc://raise").unwrap();
    push.bind("inproc://raise").unwrap();
    push.set_option(ZMQ_SNDHWM, &int(5)).unwrap();
    assert_eq!(sends_until_full(&mut push), 6);
}

#[test]
fn inproc_unbind_releases_the_name_but_keeps_connections() {
    let ctx = Context::new();
    let (mut a, mut b) = pair_of(&ctx, PAIR, PAIR, "inproc://keep");
    a.unbind("inproc://keep").unwrap();
    assert_eq!(a.unbind("inproc://keep").unwrap_err(), Error::ENOENT);
    send(&mut b, b"still here", false);
    assert_eq!(recv(&mut a), b"still here");
    // The name is free again.
    let mut c = Socket::new(&ctx, PAIR).unwrap();
    c.bind("inproc://keep").unwrap();
}

#[test]
fn pair_over_tcp_both_ways() {
    let ctx = Context::new();
    let mut a = Socket::new(&ctx, PAIR).unwrap();
    a.bind("tcp://127.0.0.1:*").unwrap();
    let mut ep = [0u8; 256];
    let n = a
        .get_option(crate::options::consts::ZMQ_LAST_ENDPOINT, &mut ep)
        .unwrap();
    let endpoint = std::str::from_utf8(&ep[..n - 1]).unwrap().to_string();
    assert!(endpoint.starts_with("tcp://127.0.0.1:"), "{endpoint}");
    let mut b = Socket::new(&ctx, PAIR).unwrap();
    b.connect(&endpoint).unwrap();
    send(&mut b, b"over tcp", false);
    assert_eq!(recv(&mut a), b"over tcp");
    let big = vec![7u8; 100_000];
    send(&mut a, &big, true);
    send(&mut a, b"", false);
    assert_eq!(recv(&mut b), big);
    assert_eq!(recv(&mut b), b"");
}

#[test]
fn req_rep_over_ipc() {
    let ctx = Context::new();
    let dir = std::env::temp_dir().join(format!("zmq-rs-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let addr = format!("ipc://{}/rr.sock", dir.display());
    let mut rep = Socket::new(&ctx, REP).unwrap();
    rep.bind(&addr).unwrap();
    let mut req = Socket::new(&ctx, REQ).unwrap();
    req.connect(&addr).unwrap();
    for i in 0..10u8 {
        send(&mut req, &[i], false);
        assert_eq!(recv(&mut rep), [i]);
        send(&mut rep, &[i + 100], false);
        assert_eq!(recv(&mut req), [i + 100]);
    }
    drop((req, rep));
    ctx.term();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Publishes `topic` until `sub` receives it (a subscription needs a round
/// trip to reach the publisher); panics after five seconds.
fn publish_until_heard(publisher: &mut Socket, sub: &mut Socket, topic: &[u8]) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        send(publisher, topic, false);
        if let Ok(m) = sub.recv(0) {
            assert_eq!(m.data(), topic);
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the SUB never heard {topic:?}"
        );
    }
}

/// A connecting SUB resends its subscriptions when it reconnects to a
/// publisher that was restarted on the same endpoint (libzmq's hiccup).
/// Found by the interop suite: the hiccup used to name the session's end of
/// the pipe, which the socket does not know, so the new PUB never heard of
/// the subscription.
#[test]
fn sub_resubscribes_after_the_publisher_restarts() {
    use crate::options::consts::{ZMQ_LINGER, ZMQ_RCVTIMEO, ZMQ_SUBSCRIBE};
    let ctx = Context::new();
    let mut publisher = Socket::new(&ctx, PUB).unwrap();
    publisher.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&mut publisher);
    let mut sub = Socket::new(&ctx, SUB).unwrap();
    set_int(&mut sub, ZMQ_RCVTIMEO, 20);
    sub.set_option(ZMQ_SUBSCRIBE, b"A").unwrap();
    sub.connect(&endpoint).unwrap();
    publish_until_heard(&mut publisher, &mut sub, b"A1");
    set_int(&mut publisher, ZMQ_LINGER, 0);
    drop(publisher);
    // Drain what the first publisher left in flight.
    while sub.recv(0).is_ok() {}
    let mut publisher = Socket::new(&ctx, PUB).unwrap();
    publisher.bind(&endpoint).unwrap();
    publish_until_heard(&mut publisher, &mut sub, b"A2");
    set_int(&mut publisher, ZMQ_LINGER, 0);
    set_int(&mut sub, ZMQ_LINGER, 0);
    drop((publisher, sub));
    ctx.term();
}

/// As in libzmq, a connecting PUSH that sends and closes before its
/// connection is up keeps trying for the linger time and delivers (the
/// interop suite's hundred PUSH sockets exited without delivering).
#[test]
fn close_before_connecting_still_delivers_within_linger() {
    use crate::options::consts::{ZMQ_LINGER, ZMQ_RCVTIMEO};
    // A free port nobody listens on yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("tcp://127.0.0.1:{port}");
    let sender_ctx = Context::new();
    let mut push = Socket::new(&sender_ctx, PUSH).unwrap();
    set_int(&mut push, ZMQ_LINGER, 5000);
    push.connect(&endpoint).unwrap();
    send(&mut push, b"sent before the peer existed", false);
    drop(push);
    let receiver = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        let ctx = Context::new();
        let mut pull = Socket::new(&ctx, PULL).unwrap();
        set_int(&mut pull, ZMQ_RCVTIMEO, 5000);
        pull.bind(&endpoint).unwrap();
        let got = pull.recv(0).map(|m| m.data().to_vec());
        set_int(&mut pull, ZMQ_LINGER, 0);
        drop(pull);
        ctx.term();
        got
    });
    // Blocks until the message went out (or the linger time passed).
    sender_ctx.term();
    assert_eq!(
        receiver.join().unwrap().as_deref(),
        Ok(&b"sent before the peer existed"[..])
    );
}

/// The linger time that counts is the socket's at close, not the one it had
/// when it connected (libzmq's `term` command carries the current value):
/// a PUSH that connected with the default (infinite) linger and set 0
/// before closing must not hold `zmq_ctx_term` waiting for a peer.
#[test]
fn linger_set_after_connect_applies_at_close() {
    use crate::options::consts::ZMQ_LINGER;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ctx = Context::new();
    let mut push = Socket::new(&ctx, PUSH).unwrap();
    push.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
    send(&mut push, b"nobody will read this", false);
    set_int(&mut push, ZMQ_LINGER, 0);
    drop(push);
    assert!(
        term_returns_soon(ctx),
        "zmq_ctx_term waited: the session used the linger from connect time"
    );
}

/// Runs `ctx.term()` on another thread; false if it did not return within
/// three seconds.
fn term_returns_soon(ctx: Context) -> bool {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        ctx.term();
        let _ = done.send(());
    });
    finished
        .recv_timeout(std::time::Duration::from_secs(3))
        .is_ok()
}

/// A socket that connects to nowhere and closes at once, with nothing
/// queued and the default infinite linger, must not hold `zmq_ctx_term`
/// (upstream's test_bind_src_address): its session may learn of the close
/// only from the pipe's flags, before it was even plugged.
#[test]
fn close_right_after_connect_with_nothing_queued_does_not_linger() {
    let ctx = Context::new();
    for i in 0..20 {
        let mut s = Socket::new(&ctx, if i % 2 == 0 { PUB } else { PUSH }).unwrap();
        s.connect("tcp://127.0.0.1:1").unwrap();
        drop(s);
    }
    assert!(term_returns_soon(ctx), "zmq_ctx_term hangs");
}

/// Three 40-byte messages over tcp: where their bodies were received.
fn body_addresses(ctx: &Context) -> Vec<usize> {
    let mut pull = Socket::new(ctx, PULL).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let mut push = Socket::new(ctx, PUSH).unwrap();
    push.connect(&last_endpoint(&mut pull)).unwrap();
    // One multipart message: its frames arrive in one read.
    send(&mut push, &[0; 40], true);
    send(&mut push, &[1; 40], true);
    send(&mut push, &[2; 40], false);
    let msgs: Vec<Msg> = (0..3).map(|_| pull.recv(0).unwrap()).collect();
    for (i, m) in msgs.iter().enumerate() {
        assert_eq!(m.data(), &[i as u8; 40][..]);
    }
    msgs.iter().map(|m| m.data_ptr() as usize).collect()
}

#[test]
fn zero_copy_recv_points_bodies_into_the_read_buffer_unless_turned_off() {
    let ctx = Context::new();
    let p = body_addresses(&ctx);
    assert_eq!(
        (p[1] - p[0], p[2] - p[1]),
        (42, 42),
        "frames 42 bytes apart"
    );
    let ctx = Context::new();
    ctx.set(crate::ctx::ZERO_COPY_RECV, 0).unwrap();
    let p = body_addresses(&ctx);
    assert!(p[1].wrapping_sub(p[0]) != 42 || p[2].wrapping_sub(p[1]) != 42);
}

#[test]
fn a_socket_closed_before_it_saw_an_inproc_peer_frees_its_mailbox() {
    // The connecter queues `Bind(pipe)` on the binder's mailbox, the pipe
    // owned by that mailbox: closing the binder before it handled the
    // command left mailbox and pipe holding each other (found by valgrind
    // in test_security_curve, whose monitor socket is closed this way).
    let ctx = Context::new();
    let mut a = Socket::new(&ctx, PAIR).unwrap();
    a.bind("inproc://unseen").unwrap();
    let mailbox = std::sync::Arc::downgrade(&a.core.mailbox);
    let mut b = Socket::new(&ctx, PAIR).unwrap();
    b.connect("inproc://unseen").unwrap();
    drop(a);
    assert!(
        mailbox.upgrade().is_none(),
        "the mailbox outlived its socket"
    );
    drop(b);
}
