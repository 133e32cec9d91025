//! RADIO/DISH and DGRAM over udp, after upstream's test_radio_dish and
//! test_dgram. Ports are ephemeral (bound through a std socket first and
//! released) so these tests may run beside the fixed-port upstream ones.

use std::net::UdpSocket as StdUdp;
use std::time::Duration;

use super::testing::{last_endpoint, set_int};
use super::types::*;
use super::*;
use crate::options::consts::{ZMQ_MULTICAST_LOOP, ZMQ_RCVTIMEO};

/// A port nothing is bound to right now.
fn free_port() -> u16 {
    StdUdp::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn send_group(s: &mut Socket, group: &[u8], data: &[u8]) {
    let mut m = Msg::from_slice(data);
    m.set_group(group).unwrap();
    s.send(&mut m, 0).unwrap();
}

fn recv_group(s: &mut Socket) -> (Vec<u8>, Vec<u8>) {
    let m = s.recv(0).expect("a message before the receive timeout");
    (m.group().to_bytes().to_vec(), m.data().to_vec())
}

fn dish_bound(ctx: &Context, addr: &str) -> Socket {
    let mut dish = Socket::new(ctx, DISH).unwrap();
    set_int(&mut dish, ZMQ_RCVTIMEO, 2000);
    dish.bind(addr).unwrap();
    dish
}

#[test]
fn radio_to_dish_unicast_filters_by_group() {
    let ctx = Context::new();
    let port = free_port();
    let mut dish = dish_bound(&ctx, &format!("udp://*:{port}"));
    // libzmq reports the address as given, without the scheme.
    assert_eq!(last_endpoint(&mut dish), format!("*:{port}"));
    dish.join("TV").unwrap();
    let mut radio = Socket::new(&ctx, RADIO).unwrap();
    radio.connect(&format!("udp://127.0.0.1:{port}")).unwrap();

    // Every group goes on the wire; the DISH drops what it did not join.
    send_group(&mut radio, b"Movies", b"Godfather");
    send_group(&mut radio, b"TV", b"Friends");
    assert_eq!(recv_group(&mut dish), (b"TV".to_vec(), b"Friends".to_vec()));

    dish.leave("TV").unwrap();
    dish.join("Movies").unwrap();
    let long = vec![b'L'; crate::msg::GROUP_MAX_LENGTH];
    dish.join(&long).unwrap();
    send_group(&mut radio, b"TV", b"Friends");
    send_group(&mut radio, b"Movies", b"");
    send_group(&mut radio, &long, b"longest group");
    assert_eq!(recv_group(&mut dish), (b"Movies".to_vec(), b"".to_vec()));
    assert_eq!(recv_group(&mut dish), (long, b"longest group".to_vec()));
}

#[test]
fn radio_to_dish_over_ipv6_loopback() {
    if StdUdp::bind("[::1]:0").is_err() {
        eprintln!("skipped: no IPv6 loopback");
        return;
    }
    let ctx = Context::new();
    let port = free_port();
    let mut dish = Socket::new(&ctx, DISH).unwrap();
    set_int(&mut dish, ZMQ_RCVTIMEO, 2000);
    set_int(&mut dish, crate::options::consts::ZMQ_IPV6, 1);
    dish.bind(&format!("udp://*:{port}")).unwrap();
    dish.join("TV").unwrap();
    let mut radio = Socket::new(&ctx, RADIO).unwrap();
    set_int(&mut radio, crate::options::consts::ZMQ_IPV6, 1);
    radio.connect(&format!("udp://[::1]:{port}")).unwrap();
    send_group(&mut radio, b"TV", b"Friends");
    assert_eq!(recv_group(&mut dish), (b"TV".to_vec(), b"Friends".to_vec()));
}

#[test]
fn malformed_datagrams_are_dropped_and_the_next_good_one_arrives() {
    let ctx = Context::new();
    let port = free_port();
    let mut dish = dish_bound(&ctx, &format!("udp://127.0.0.1:{port}"));
    dish.join("TV").unwrap();
    let raw = StdUdp::bind("127.0.0.1:0").unwrap();
    let to = ("127.0.0.1", port);
    // Empty; group past the end; a group length of 255 with 3 bytes.
    for bad in [&b""[..], b"\x05TV", b"\xffabc"] {
        raw.send_to(bad, to).unwrap();
    }
    raw.send_to(b"\x02TVgood", to).unwrap();
    assert_eq!(recv_group(&mut dish), (b"TV".to_vec(), b"good".to_vec()));
}

/// libzmq's test skips multicast where the host cannot loop a group
/// datagram back; so do we, saying so.
fn multicast_works(group: &str, port: u16) -> bool {
    let group: std::net::Ipv4Addr = group.parse().unwrap();
    let Ok(rx) = StdUdp::bind(("0.0.0.0", port)) else {
        return false;
    };
    if rx
        .join_multicast_v4(&group, &std::net::Ipv4Addr::UNSPECIFIED)
        .is_err()
    {
        return false;
    }
    let tx = StdUdp::bind("0.0.0.0:0").unwrap();
    let _ = tx.set_multicast_loop_v4(true);
    if tx.send_to(b"probe", (group, port)).is_err() {
        return false;
    }
    rx.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buf = [0u8; 16];
    rx.recv_from(&mut buf).is_ok()
}

#[test]
fn radio_to_dish_multicast_with_loop_and_without() {
    let port = free_port();
    let group = "239.193.7.21";
    if !multicast_works(group, port) {
        eprintln!("skipped: multicast is not available here");
        return;
    }
    let ctx = Context::new();
    let url = format!("udp://{group}:{port}");
    let mut dish = dish_bound(&ctx, &url);
    dish.join("TV").unwrap();
    let mut radio = Socket::new(&ctx, RADIO).unwrap();
    radio.connect(&url).unwrap();
    send_group(&mut radio, b"TV", b"Friends");
    assert_eq!(recv_group(&mut dish), (b"TV".to_vec(), b"Friends".to_vec()));

    // ZMQ_MULTICAST_LOOP off: this host's DISH hears nothing.
    let mut quiet = Socket::new(&ctx, RADIO).unwrap();
    set_int(&mut quiet, ZMQ_MULTICAST_LOOP, 0);
    quiet.connect(&url).unwrap();
    send_group(&mut quiet, b"TV", b"Friends");
    set_int(&mut dish, ZMQ_RCVTIMEO, 300);
    assert_eq!(dish.recv(0).err(), Some(Error::EAGAIN));
}

fn recv_from(s: &mut Socket) -> (String, Vec<u8>) {
    let address = s.recv(0).expect("an address frame");
    assert!(address.has_more());
    let body = s.recv(0).expect("a body frame");
    assert!(!body.has_more());
    // The address frame ends in a NUL, as libzmq's.
    let text = address.data().strip_suffix(b"\0").expect("a NUL");
    (
        String::from_utf8(text.to_vec()).unwrap(),
        body.data().to_vec(),
    )
}

fn send_to(s: &mut Socket, address: &str, body: &[u8]) {
    s.send(&mut Msg::from_slice(address.as_bytes()), SNDMORE)
        .unwrap();
    s.send(&mut Msg::from_slice(body), 0).unwrap();
}

#[test]
fn dgram_ping_pong_names_the_peer() {
    let ctx = Context::new();
    let (pa, pb) = (free_port(), free_port());
    let mut a = Socket::new(&ctx, DGRAM).unwrap();
    let mut b = Socket::new(&ctx, DGRAM).unwrap();
    set_int(&mut a, ZMQ_RCVTIMEO, 2000);
    set_int(&mut b, ZMQ_RCVTIMEO, 2000);
    a.bind(&format!("udp://127.0.0.1:{pa}")).unwrap();
    b.bind(&format!("udp://127.0.0.1:{pb}")).unwrap();

    send_to(&mut a, &format!("127.0.0.1:{pb}"), b"ping");
    let (from, body) = recv_from(&mut b);
    assert_eq!(
        (from.as_str(), body.as_slice()),
        (&*format!("127.0.0.1:{pa}"), &b"ping"[..])
    );
    send_to(&mut b, &from, b"pong");
    let (from, body) = recv_from(&mut a);
    assert_eq!((from, body), (format!("127.0.0.1:{pb}"), b"pong".to_vec()));

    // An address libzmq cannot parse is dropped; the next message goes.
    send_to(&mut a, "nowhere", b"lost");
    send_to(&mut a, &format!("127.0.0.1:{pb}"), b"again");
    assert_eq!(recv_from(&mut b).1, b"again");
}

#[test]
fn dgram_and_the_udp_roles_answer_like_libzmq() {
    let ctx = Context::new();
    let mut d = Socket::new(&ctx, DGRAM).unwrap();
    // DGRAM binds only; RADIO only connects, DISH only binds.
    assert_eq!(
        d.connect("udp://127.0.0.1:5559"),
        Err(Error::ENOCOMPATPROTO)
    );
    let mut radio = Socket::new(&ctx, RADIO).unwrap();
    assert_eq!(radio.bind("udp://*:5559"), Err(Error::ENOCOMPATPROTO));
    // Bad addresses fail the call.
    let mut dish = Socket::new(&ctx, DISH).unwrap();
    assert_eq!(dish.bind("udp://127.0.0.1"), Err(Error::EINVAL));
    assert_eq!(dish.bind("udp://no-such-nic-7:5559"), Err(Error::ENODEV));
    assert_eq!(radio.connect("udp://*:5559"), Err(Error::EINVAL));
    // The body must come after an address frame.
    d.bind(&format!("udp://127.0.0.1:{}", free_port())).unwrap();
    assert_eq!(
        d.send(&mut Msg::from_slice(b"body"), DONTWAIT),
        Err(Error::EINVAL)
    );
}

#[test]
fn unbind_ends_the_udp_endpoint() {
    let ctx = Context::new();
    let port = free_port();
    let url = format!("udp://127.0.0.1:{port}");
    let mut dish = dish_bound(&ctx, &url);
    dish.join("TV").unwrap();
    dish.unbind(&url).unwrap();
    assert_eq!(dish.unbind(&url), Err(Error::ENOENT));
    // Nothing is received there any more.
    std::thread::sleep(Duration::from_millis(50));
    let mut radio = Socket::new(&ctx, RADIO).unwrap();
    radio.connect(&url).unwrap();
    send_group(&mut radio, b"TV", b"Friends");
    set_int(&mut dish, ZMQ_RCVTIMEO, 200);
    assert_eq!(dish.recv(0).err(), Some(Error::EAGAIN));
}

#[test]
fn a_radio_closed_at_once_still_sends_what_it_queued() {
    let ctx = Context::new();
    let port = free_port();
    let mut dish = dish_bound(&ctx, &format!("udp://127.0.0.1:{port}"));
    dish.join("TV").unwrap();
    let mut radio = Socket::new(&ctx, RADIO).unwrap();
    radio.connect(&format!("udp://127.0.0.1:{port}")).unwrap();
    for i in 0..10u8 {
        send_group(&mut radio, b"TV", &[i]);
    }
    radio.close();
    for i in 0..10u8 {
        assert_eq!(recv_group(&mut dish).1, vec![i]);
    }
}
