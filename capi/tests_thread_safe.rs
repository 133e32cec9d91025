//! Thread-safe sockets used by several threads at once through the C
//! surface: a blocking call waits without holding the socket's lock.

use std::ffi::{c_int, c_void};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use super::consts::{ZMQ_CLIENT, ZMQ_LINGER, ZMQ_RCVTIMEO, ZMQ_SERVER, ZMQ_SNDTIMEO};
use super::ctx::{zmq_ctx_new, zmq_ctx_term};
use super::msg::{zmq_msg_close, zmq_msg_init, zmq_msg_routing_id, zmq_msg_set_routing_id};
use super::socket::*;
use super::types::zmq_msg_t;
use super::util::zmq_errno;
use crate::Error;

/// A handle other threads may use (the sockets under test are thread-safe;
/// the context is only terminated once).
#[derive(Clone, Copy)]
struct H(*mut c_void);
// SAFETY: libzmq handles of contexts and thread-safe sockets may be used
// from any thread; the tests only share those.
unsafe impl Send for H {}
// SAFETY: as above.
unsafe impl Sync for H {}

fn set_int(s: H, option: c_int, v: c_int) {
    // SAFETY: a live socket and an int-sized value.
    let rc = unsafe { zmq_setsockopt(s.0, option, (&v as *const c_int).cast(), 4) };
    assert_eq!(rc, 0);
}

fn socket(ctx: H, kind: c_int) -> H {
    // SAFETY: a live context.
    let s = H(unsafe { zmq_socket(ctx.0, kind) });
    assert!(!s.0.is_null());
    set_int(s, ZMQ_LINGER, 0);
    s
}

fn endpoint(ctx: H, name: &str) -> (H, H) {
    let server = socket(ctx, ZMQ_SERVER);
    let client = socket(ctx, ZMQ_CLIENT);
    let addr = std::ffi::CString::new(format!("inproc://{name}")).unwrap();
    // SAFETY: live sockets and a C string.
    unsafe {
        assert_eq!(zmq_bind(server.0, addr.as_ptr()), 0);
        assert_eq!(zmq_connect(client.0, addr.as_ptr()), 0);
    }
    (server, client)
}

/// `zmq_recv` into a small buffer: the bytes, or the errno.
fn recv(s: H) -> Result<Vec<u8>, c_int> {
    let mut buf = [0u8; 16];
    // SAFETY: a live socket and a writable buffer.
    let n = unsafe { zmq_recv(s.0, buf.as_mut_ptr().cast(), buf.len(), 0) };
    if n < 0 {
        // SAFETY: reads this thread's errno.
        return Err(unsafe { zmq_errno() });
    }
    Ok(buf[..n as usize].to_vec())
}

fn send(s: H, data: &[u8]) {
    // SAFETY: a live socket and a readable buffer.
    let n = unsafe { zmq_send(s.0, data.as_ptr().cast(), data.len(), 0) };
    assert_eq!(n, data.len() as c_int);
}

/// A SERVER's message and the routing id of the CLIENT that sent it.
fn server_recv(server: H) -> (Vec<u8>, u32) {
    // SAFETY: a zeroed zmq_msg_t initialised before use, closed after.
    unsafe {
        let mut m: zmq_msg_t = std::mem::zeroed();
        assert_eq!(zmq_msg_init(&mut m), 0);
        let n = zmq_msg_recv(&mut m, server.0, 0);
        assert!(n >= 0, "server recv: errno {}", zmq_errno());
        let id = zmq_msg_routing_id(&mut m);
        let data =
            std::slice::from_raw_parts(super::msg::zmq_msg_data(&mut m) as *const u8, n as usize)
                .to_vec();
        zmq_msg_close(&mut m);
        (data, id)
    }
}

fn server_send(server: H, to: u32, data: &[u8]) {
    // SAFETY: as `server_recv`.
    unsafe {
        let mut m: zmq_msg_t = std::mem::zeroed();
        assert_eq!(
            super::msg::zmq_msg_init_buffer(&mut m, data.as_ptr().cast(), data.len()),
            0
        );
        assert_eq!(zmq_msg_set_routing_id(&mut m, to), 0);
        assert_eq!(zmq_msg_send(&mut m, server.0, 0), data.len() as c_int);
    }
}

fn close_all(ctx: H, sockets: &[H]) {
    // SAFETY: live handles no other thread uses any more.
    unsafe {
        for s in sockets {
            assert_eq!(zmq_close(s.0), 0);
        }
        assert_eq!(zmq_ctx_term(ctx.0), 0);
    }
}

#[test]
fn a_send_gets_through_while_another_thread_waits_in_recv() {
    let ctx = H(zmq_ctx_new());
    let (server, client) = endpoint(ctx, "ts-send-while-recv");
    set_int(client, ZMQ_RCVTIMEO, 5000);
    let waiter = thread::spawn(move || recv(client));
    // Let the waiter block first.
    thread::sleep(Duration::from_millis(100));
    let t0 = Instant::now();
    send(client, b"ping");
    assert!(
        t0.elapsed() < Duration::from_millis(1000),
        "the send waited {:?} for the blocked recv",
        t0.elapsed()
    );
    let (data, id) = server_recv(server);
    assert_eq!(data, b"ping");
    server_send(server, id, b"pong");
    assert_eq!(waiter.join().unwrap(), Ok(b"pong".to_vec()));
    close_all(ctx, &[server, client]);
}

#[test]
fn two_threads_waiting_in_recv_both_get_a_message() {
    let ctx = H(zmq_ctx_new());
    let (server, client) = endpoint(ctx, "ts-two-waiters");
    set_int(server, ZMQ_RCVTIMEO, 5000);
    let start = Arc::new(Barrier::new(3));
    let waiters: Vec<_> = (0..2)
        .map(|_| {
            let start = start.clone();
            thread::spawn(move || {
                start.wait();
                server_recv(server).0
            })
        })
        .collect();
    start.wait();
    thread::sleep(Duration::from_millis(100));
    // Back to back: the second message finds the pipe awake and sends the
    // server no command; the thread that did not take the first one must
    // still see it.
    send(client, b"one");
    send(client, b"two");
    let t0 = Instant::now();
    let mut got: Vec<Vec<u8>> = waiters.into_iter().map(|w| w.join().unwrap()).collect();
    got.sort();
    assert_eq!(got, vec![b"one".to_vec(), b"two".to_vec()]);
    // Not by a timeout's luck: the RCVTIMEO is 5 s.
    assert!(t0.elapsed() < Duration::from_millis(2500));
    close_all(ctx, &[server, client]);
}

#[test]
fn many_messages_shared_by_two_waiting_threads_all_arrive() {
    const EACH: usize = 300;
    let ctx = H(zmq_ctx_new());
    let (server, client) = endpoint(ctx, "ts-many-waiters");
    set_int(server, ZMQ_RCVTIMEO, 5000);
    let waiters: Vec<_> = (0..2)
        .map(|_| {
            thread::spawn(move || (0..EACH).map(|_| server_recv(server).0).collect::<Vec<_>>())
        })
        .collect();
    let t0 = Instant::now();
    for i in 0..2 * EACH {
        send(client, format!("{i}").as_bytes());
        if i % 7 == 0 {
            thread::yield_now();
        }
    }
    let mut got: Vec<usize> = waiters
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .map(|m| String::from_utf8(m).unwrap().parse().unwrap())
        .collect();
    got.sort();
    assert_eq!(got, (0..2 * EACH).collect::<Vec<_>>());
    // A missed wake-up would show as a wait for the 5 s timeout.
    assert!(
        t0.elapsed() < Duration::from_millis(4000),
        "took {:?}",
        t0.elapsed()
    );
    close_all(ctx, &[server, client]);
}

#[test]
fn a_waiting_recv_still_times_out_with_eagain() {
    let ctx = H(zmq_ctx_new());
    let (server, client) = endpoint(ctx, "ts-timeout");
    set_int(client, ZMQ_RCVTIMEO, 100);
    // Another thread keeps using the socket meanwhile.
    let sender = thread::spawn(move || {
        for _ in 0..5 {
            send(client, b"x");
            thread::sleep(Duration::from_millis(10));
        }
    });
    let t0 = Instant::now();
    assert_eq!(recv(client), Err(Error::EAGAIN.errno()));
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(100),
        "returned after {took:?}"
    );
    assert!(
        took < Duration::from_millis(2000),
        "returned after {took:?}"
    );
    sender.join().unwrap();
    close_all(ctx, &[server, client]);
}

#[test]
fn ctx_term_ends_a_wait_with_eterm() {
    let ctx = H(zmq_ctx_new());
    let (server, client) = endpoint(ctx, "ts-term");
    // SAFETY: the server is not used by the waiter.
    unsafe { assert_eq!(zmq_close(server.0), 0) };
    let waiter = thread::spawn(move || {
        let r = recv(client);
        // SAFETY: this thread is the socket's last user.
        unsafe { assert_eq!(zmq_close(client.0), 0) };
        r
    });
    thread::sleep(Duration::from_millis(100));
    // SAFETY: a live context; its sockets close on the waiter's thread.
    unsafe { assert_eq!(zmq_ctx_term(ctx.0), 0) };
    assert_eq!(waiter.join().unwrap(), Err(Error::ETERM.errno()));
}

#[test]
fn a_send_waiting_for_a_peer_goes_on_when_another_thread_connects() {
    let ctx = H(zmq_ctx_new());
    let server = socket(ctx, ZMQ_SERVER);
    let client = socket(ctx, ZMQ_CLIENT);
    let addr = c"inproc://ts-connect-later";
    // SAFETY: a live socket and a C string.
    unsafe { assert_eq!(zmq_bind(server.0, addr.as_ptr()), 0) };
    set_int(client, ZMQ_SNDTIMEO, 5000);
    // No pipe yet: the send waits. The connect attaches one and sends the
    // client no command, yet the waiter must try again.
    let sender = thread::spawn(move || {
        let t0 = Instant::now();
        send(client, b"late");
        t0.elapsed()
    });
    thread::sleep(Duration::from_millis(100));
    // SAFETY: as above.
    unsafe { assert_eq!(zmq_connect(client.0, addr.as_ptr()), 0) };
    let took = sender.join().unwrap();
    assert!(took < Duration::from_millis(2000), "the send took {took:?}");
    assert_eq!(server_recv(server).0, b"late");
    close_all(ctx, &[server, client]);
}
