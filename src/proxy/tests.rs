//! The inproc-able expectations of upstream's test_proxy*.cpp and
//! test_reqrep_device.cpp, plus 4.3.5's control quirks.

use std::thread;
use std::time::Duration;

use super::*;
use crate::ctx::Context;
use crate::options::consts::*;
use crate::socket::testing::set_int;
use crate::socket::types::*;

fn sock(ctx: &Context, t: i32) -> Socket {
    Socket::new(ctx, t).unwrap()
}

fn bound(ctx: &Context, t: i32, addr: &str) -> Socket {
    let mut s = sock(ctx, t);
    s.bind(addr).unwrap();
    s
}

fn connected(ctx: &Context, t: i32, addr: &str) -> Socket {
    let mut s = sock(ctx, t);
    s.connect(addr).unwrap();
    s
}

fn send(s: &mut Socket, parts: &[&[u8]]) {
    for (i, p) in parts.iter().enumerate() {
        let flags = if i + 1 < parts.len() { SNDMORE } else { 0 };
        s.send(&mut Msg::from_slice(p), flags).unwrap();
    }
}

/// One whole message; `None` after a second without one.
fn recv(s: &mut Socket) -> Option<Vec<Vec<u8>>> {
    set_int(s, ZMQ_RCVTIMEO, 1000);
    let mut parts = Vec::new();
    loop {
        let m = s.recv(0).ok()?;
        parts.push(m.data().to_vec());
        if !m.has_more() {
            return Some(parts);
        }
    }
}

fn quiet(s: &mut Socket, ms: i32) -> bool {
    set_int(s, ZMQ_RCVTIMEO, ms);
    s.recv(0).unwrap_err() == Error::EAGAIN
}

/// CPU time the calling thread has used.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid clock id and a live timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn parts(v: &[&[u8]]) -> Vec<Vec<u8>> {
    v.iter().map(|p| p.to_vec()).collect()
}

#[test]
fn req_router_proxy_dealer_rep_round_trip_then_eterm_on_shutdown() {
    let ctx = Context::new();
    let mut front = bound(&ctx, ROUTER, "inproc://rr-front");
    let mut back = bound(&ctx, DEALER, "inproc://rr-back");
    let t = thread::spawn(move || proxy(&mut front, &mut back, None));
    let mut rep = connected(&ctx, REP, "inproc://rr-back");
    let mut req = connected(&ctx, REQ, "inproc://rr-front");
    for body in [
        &b"ABC"[..],
        b"",
        b"a longer body that does not fit inline, 40+ bytes",
    ] {
        send(&mut req, &[body]);
        assert_eq!(recv(&mut rep).unwrap(), parts(&[body]));
        send(&mut rep, &[b"reply", body]);
        assert_eq!(recv(&mut req).unwrap(), parts(&[b"reply", body]));
    }
    ctx.shutdown();
    assert_eq!(t.join().unwrap(), Err(Error::ETERM));
    drop((rep, req));
    ctx.term();
}

#[test]
fn capture_gets_every_frame_with_its_more_flag_in_both_directions() {
    let ctx = Context::new();
    let mut front = bound(&ctx, ROUTER, "inproc://cap-front");
    let mut back = bound(&ctx, DEALER, "inproc://cap-back");
    let mut cap = bound(&ctx, PUSH, "inproc://cap");
    let mut tap = connected(&ctx, PULL, "inproc://cap");
    let t = thread::spawn(move || proxy(&mut front, &mut back, Some(&mut cap)));
    let mut worker = connected(&ctx, DEALER, "inproc://cap-back");
    let mut client = sock(&ctx, DEALER);
    client.set_option(ZMQ_ROUTING_ID, b"C1").unwrap();
    client.connect("inproc://cap-front").unwrap();
    send(&mut client, &[b"one", b"two"]);
    let request = recv(&mut worker).unwrap();
    assert_eq!(request, parts(&[b"C1", b"one", b"two"]));
    assert_eq!(recv(&mut tap).unwrap(), request);
    send(&mut worker, &[b"C1", b"back"]);
    assert_eq!(recv(&mut client).unwrap(), parts(&[b"back"]));
    assert_eq!(recv(&mut tap).unwrap(), parts(&[b"C1", b"back"]));
    ctx.shutdown();
    assert_eq!(t.join().unwrap(), Err(Error::ETERM));
    drop((tap, worker, client));
    ctx.term();
}

#[test]
fn one_rep_socket_as_frontend_and_backend_echoes() {
    let ctx = Context::new();
    let mut rep = bound(&ctx, REP, "inproc://single");
    let t = thread::spawn(move || proxy_single(&mut rep, None));
    let mut req = connected(&ctx, REQ, "inproc://single");
    for body in [&b"msg1"[..], b"msg22"] {
        send(&mut req, &[body]);
        assert_eq!(recv(&mut req).unwrap(), parts(&[body]));
    }
    ctx.shutdown();
    assert_eq!(t.join().unwrap(), Err(Error::ETERM));
    drop(req);
    ctx.term();
}

/// Runs a steerable ROUTER/DEALER proxy with a REP control socket; returns
/// (client REQ with routing id "C1", worker REP, control REQ, proxy thread
/// giving its result and CPU time).
#[allow(clippy::type_complexity)]
fn steerable(
    ctx: &Context,
    name: &str,
) -> (
    Socket,
    Socket,
    Socket,
    thread::JoinHandle<(Result<()>, Duration)>,
) {
    let mut front = bound(ctx, ROUTER, &format!("inproc://{name}-front"));
    let mut back = bound(ctx, DEALER, &format!("inproc://{name}-back"));
    let mut ctl = bound(ctx, REP, &format!("inproc://{name}-ctl"));
    let t = thread::spawn(move || {
        let mut socks = [&mut front, &mut back, &mut ctl];
        let r = proxy_steerable(
            &mut socks,
            Roles {
                frontend: 0,
                backend: 1,
                capture: None,
                control: Some(2),
            },
        );
        (r, thread_cpu())
    });
    let worker = connected(ctx, REP, &format!("inproc://{name}-back"));
    let mut client = sock(ctx, REQ);
    client.set_option(ZMQ_ROUTING_ID, b"C1").unwrap();
    client.connect(&format!("inproc://{name}-front")).unwrap();
    let control = connected(ctx, REQ, &format!("inproc://{name}-ctl"));
    (client, worker, control, t)
}

fn command(control: &mut Socket, cmd: &[u8]) -> Vec<Vec<u8>> {
    send(control, &[cmd]);
    recv(control).unwrap()
}

#[test]
fn statistics_count_frames_and_bytes_per_side_and_terminate_returns_ok() {
    let ctx = Context::new();
    let (mut client, mut worker, mut control, t) = steerable(&ctx, "stats");
    send(&mut client, &[b"ping"]);
    assert_eq!(recv(&mut worker).unwrap(), parts(&[b"ping"]));
    send(&mut worker, &[b"pong!"]);
    assert_eq!(recv(&mut client).unwrap(), parts(&[b"pong!"]));
    let stats = command(&mut control, b"STATISTICS");
    let values: Vec<u64> = stats
        .iter()
        .map(|f| u64::from_ne_bytes(f[..].try_into().unwrap()))
        .collect();
    // Frames: routing id "C1", empty delimiter, body; both ways.
    assert_eq!(values, [3, 6, 3, 7, 3, 7, 3, 6]);
    assert_eq!(command(&mut control, b"TERMINATE"), parts(&[b""]));
    assert_eq!(t.join().unwrap().0, Ok(()));
    drop((client, worker, control));
    ctx.term();
}

#[test]
fn resume_pauses_and_pause_resumes_as_in_4_3_5() {
    let ctx = Context::new();
    let (mut client, mut worker, mut control, t) = steerable(&ctx, "quirk");
    assert_eq!(command(&mut control, b"RESUME"), parts(&[b""]));
    send(&mut client, &[b"held"]);
    assert!(quiet(&mut worker, 200));
    // Unknown commands are answered and change nothing...
    assert_eq!(command(&mut control, b"HELLO!"), parts(&[b""]));
    assert!(quiet(&mut worker, 100));
    // ...unless they have 5 bytes, like PAUSE, which makes it active.
    assert_eq!(command(&mut control, b"HELLO"), parts(&[b""]));
    assert_eq!(recv(&mut worker).unwrap(), parts(&[b"held"]));
    send(&mut worker, &[b"ok"]);
    assert_eq!(recv(&mut client).unwrap(), parts(&[b"ok"]));
    assert_eq!(command(&mut control, b"RESUME"), parts(&[b""]));
    send(&mut client, &[b"again"]);
    assert!(quiet(&mut worker, 100));
    assert_eq!(command(&mut control, b"PAUSE"), parts(&[b""]));
    assert_eq!(recv(&mut worker).unwrap(), parts(&[b"again"]));
    assert_eq!(command(&mut control, b"TERMINATE"), parts(&[b""]));
    assert_eq!(t.join().unwrap().0, Ok(()));
    drop((client, worker, control));
    ctx.term();
}

#[test]
fn a_full_backend_blocks_the_frontend_without_spinning() {
    let ctx = Context::new();
    let mut front = bound(&ctx, PULL, "inproc://full-front");
    // A PUSH with no peer can never send.
    let mut back = bound(&ctx, PUSH, "inproc://full-back");
    let t = thread::spawn(move || {
        let r = proxy(&mut front, &mut back, None);
        (r, thread_cpu())
    });
    let mut producer = connected(&ctx, PUSH, "inproc://full-front");
    for _ in 0..10 {
        send(&mut producer, &[b"job"]);
    }
    thread::sleep(Duration::from_millis(300));
    // Once a worker shows up, everything flows in order.
    let mut worker = connected(&ctx, PULL, "inproc://full-back");
    for _ in 0..10 {
        assert_eq!(recv(&mut worker).unwrap(), parts(&[b"job"]));
    }
    ctx.shutdown();
    let (r, cpu) = t.join().unwrap();
    assert_eq!(r, Err(Error::ETERM));
    assert!(cpu < Duration::from_millis(150), "proxy used {cpu:?}");
    drop((producer, worker));
    ctx.term();
}

#[test]
fn many_messages_pass_through_small_hwms_in_order() {
    let ctx = Context::new();
    let mut front = sock(&ctx, PULL);
    set_int(&mut front, ZMQ_RCVHWM, 2);
    front.bind("inproc://hwm-front").unwrap();
    let mut back = sock(&ctx, PUSH);
    set_int(&mut back, ZMQ_SNDHWM, 2);
    back.bind("inproc://hwm-back").unwrap();
    let t = thread::spawn(move || proxy(&mut front, &mut back, None));
    let mut worker = connected(&ctx, PULL, "inproc://hwm-back");
    let producer = thread::spawn({
        let mut producer = connected(&ctx, PUSH, "inproc://hwm-front");
        move || {
            for i in 0..3000u32 {
                send(&mut producer, &[&i.to_be_bytes()]);
            }
            producer
        }
    });
    for i in 0..3000u32 {
        assert_eq!(recv(&mut worker).unwrap(), parts(&[&i.to_be_bytes()]));
    }
    let producer = producer.join().unwrap();
    ctx.shutdown();
    assert_eq!(t.join().unwrap(), Err(Error::ETERM));
    drop((producer, worker));
    ctx.term();
}

#[test]
fn paused_proxy_waits_without_spinning_and_still_sees_termination() {
    let ctx = Context::new();
    let (mut client, worker, mut control, t) = steerable(&ctx, "idle");
    assert_eq!(command(&mut control, b"RESUME"), parts(&[b""]));
    send(&mut client, &[b"pending"]);
    thread::sleep(Duration::from_millis(300));
    ctx.shutdown();
    let (r, cpu) = t.join().unwrap();
    assert_eq!(r, Err(Error::ETERM));
    assert!(cpu < Duration::from_millis(150), "proxy used {cpu:?}");
    drop((client, worker, control));
    ctx.term();
}

#[test]
fn control_socket_may_not_be_the_frontend_or_backend() {
    let ctx = Context::new();
    let mut a = sock(&ctx, ROUTER);
    let mut b = sock(&ctx, DEALER);
    let mut socks = [&mut a, &mut b];
    let roles = |control| Roles {
        frontend: 0,
        backend: 1,
        capture: None,
        control: Some(control),
    };
    assert_eq!(proxy_steerable(&mut socks, roles(0)), Err(Error::EINVAL));
    assert_eq!(proxy_steerable(&mut socks, roles(1)), Err(Error::EINVAL));
    assert_eq!(proxy_steerable(&mut socks, roles(2)), Err(Error::EINVAL));
}

#[test]
fn a_control_socket_that_cannot_reply_ends_the_proxy() {
    let ctx = Context::new();
    let mut front = bound(&ctx, PULL, "inproc://sub-ctl-front");
    let mut back = bound(&ctx, PUSH, "inproc://sub-ctl-back");
    let mut ctl = sock(&ctx, SUB);
    ctl.set_option(ZMQ_SUBSCRIBE, b"").unwrap();
    ctl.bind("inproc://sub-ctl").unwrap();
    let t = thread::spawn(move || {
        let mut socks = [&mut front, &mut back, &mut ctl];
        let roles = Roles {
            frontend: 0,
            backend: 1,
            capture: None,
            control: Some(2),
        };
        proxy_steerable(&mut socks, roles)
    });
    let mut publisher = connected(&ctx, PUB, "inproc://sub-ctl");
    // The subscription travels with the connection; PUB sees it on send.
    thread::sleep(Duration::from_millis(50));
    send(&mut publisher, &[b"TERMINATE"]);
    assert_eq!(t.join().unwrap(), Err(Error::ENOTSUP));
    drop(publisher);
    ctx.term();
}
