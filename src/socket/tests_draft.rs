//! The draft (thread-safe) socket types over inproc, after upstream's
//! test_client_server, test_radio_dish, test_scatter_gather, test_peer,
//! test_channel and test_thread_safe.

use super::types::*;
use super::*;
use crate::options::consts::{ZMQ_IMMEDIATE, ZMQ_RCVHWM, ZMQ_SNDHWM, ZMQ_XPUB_NODROP};

fn socket(ctx: &Context, t: i32) -> Socket {
    Socket::new(ctx, t).unwrap()
}

fn bound(ctx: &Context, t: i32, addr: &str) -> Socket {
    let mut s = socket(ctx, t);
    s.bind(addr).unwrap();
    s
}

fn connected(ctx: &Context, t: i32, addr: &str) -> Socket {
    let mut s = socket(ctx, t);
    s.connect(addr).unwrap();
    s
}

fn get_int(s: &mut Socket, option: i32) -> Result<i32> {
    let mut out = [0u8; 4];
    s.get_option(option, &mut out)?;
    Ok(i32::from_ne_bytes(out))
}

fn send(s: &mut Socket, data: &[u8]) {
    s.send(&mut Msg::from_slice(data), 0).unwrap();
}

fn send_to(s: &mut Socket, routing_id: u32, data: &[u8]) -> Result<()> {
    let mut m = Msg::from_slice(data);
    m.set_routing_id(routing_id).unwrap();
    s.send(&mut m, DONTWAIT)
}

fn send_group(s: &mut Socket, group: &str, data: &[u8]) {
    let mut m = Msg::from_slice(data);
    m.set_group(group.as_bytes()).unwrap();
    s.send(&mut m, 0).unwrap();
}

fn recv(s: &mut Socket) -> Msg {
    s.recv(0).unwrap()
}

fn recv_group(s: &mut Socket) -> (String, Vec<u8>) {
    let m = recv(s);
    (m.group().to_str().unwrap().to_string(), m.data().to_vec())
}

/// Lets a sender see its peers' news: as libzmq's, a non-blocking send
/// handles commands (joins, HWM credit) at most once per millisecond, so
/// upstream's tests sleep between such steps too.
fn settle() {
    std::thread::sleep(std::time::Duration::from_millis(2));
}

fn assert_nothing(s: &mut Socket) {
    assert_eq!(s.recv(DONTWAIT).unwrap_err(), Error::EAGAIN);
}

// CLIENT / SERVER

#[test]
fn client_server_round_trip_carries_routing_id_on_server_side_only() {
    let ctx = Context::new();
    let mut server = bound(&ctx, SERVER, "inproc://cs");
    let mut client = connected(&ctx, CLIENT, "inproc://cs");
    send(&mut client, b"X");
    let m = recv(&mut server);
    assert_eq!(m.data(), b"X");
    let id = m.routing_id();
    assert_ne!(id, 0);
    assert_eq!(get_int(&mut server, ZMQ_RCVMORE).unwrap(), 0);

    send_to(&mut server, id, b"\x02").unwrap();
    let m = recv(&mut client);
    assert_eq!(m.data(), b"\x02");
    assert_eq!(
        m.routing_id(),
        0,
        "the server's id never reaches the client"
    );
}

#[test]
fn server_routes_replies_to_the_client_that_asked() {
    let ctx = Context::new();
    let mut server = bound(&ctx, SERVER, "inproc://cs2");
    let mut c1 = connected(&ctx, CLIENT, "inproc://cs2");
    let mut c2 = connected(&ctx, CLIENT, "inproc://cs2");
    send(&mut c1, b"one");
    send(&mut c2, b"two");
    let mut ids = std::collections::HashMap::new();
    for _ in 0..2 {
        let m = recv(&mut server);
        ids.insert(m.data().to_vec(), m.routing_id());
    }
    assert_ne!(ids[&b"one"[..]], ids[&b"two"[..]]);
    send_to(&mut server, ids[&b"two"[..]], b"for-two").unwrap();
    send_to(&mut server, ids[&b"one"[..]], b"for-one").unwrap();
    assert_eq!(recv(&mut c1).data(), b"for-one");
    assert_eq!(recv(&mut c2).data(), b"for-two");
    assert_nothing(&mut c1);
}

#[test]
fn server_send_to_unknown_routing_id_is_ehostunreach() {
    let ctx = Context::new();
    let mut server = bound(&ctx, SERVER, "inproc://cs3");
    let mut m = Msg::from_slice(b"lost");
    m.set_routing_id(12345).unwrap();
    assert_eq!(server.send(&mut m, 0).unwrap_err(), Error::EHOSTUNREACH);
    assert_eq!(m.data(), b"lost", "a failed send leaves the message");
    // No routing id at all is no known peer either.
    let mut m = Msg::from_slice(b"anon");
    assert_eq!(server.send(&mut m, 0).unwrap_err(), Error::EHOSTUNREACH);
}

#[test]
fn server_send_to_disconnected_client_is_ehostunreach() {
    let ctx = Context::new();
    let mut server = bound(&ctx, SERVER, "inproc://cs4");
    let mut client = connected(&ctx, CLIENT, "inproc://cs4");
    send(&mut client, b"hi");
    let id = recv(&mut server).routing_id();
    drop(client);
    server.events().unwrap();
    assert_eq!(
        send_to(&mut server, id, b"x").unwrap_err(),
        Error::EHOSTUNREACH
    );
}

#[test]
fn server_send_to_full_client_is_eagain() {
    let ctx = Context::new();
    let mut server = socket(&ctx, SERVER);
    set_int(&mut server, ZMQ_SNDHWM, 1);
    server.bind("inproc://cs5").unwrap();
    let mut client = socket(&ctx, CLIENT);
    set_int(&mut client, ZMQ_RCVHWM, 1);
    client.connect("inproc://cs5").unwrap();
    send(&mut client, b"hi");
    let id = recv(&mut server).routing_id();
    let mut sent = 0;
    loop {
        match send_to(&mut server, id, b"m") {
            Ok(()) => sent += 1,
            Err(e) => {
                assert_eq!(e, Error::EAGAIN);
                break;
            }
        }
    }
    assert_eq!(sent, 2, "inproc HWM is the sum of both sides");
    assert_eq!(recv(&mut client).data(), b"m");
    assert_eq!(recv(&mut client).data(), b"m");
    send_to(&mut server, id, b"again").unwrap();
}

#[test]
fn client_and_server_reject_sndmore_with_einval() {
    let ctx = Context::new();
    let mut server = bound(&ctx, SERVER, "inproc://cs6");
    let mut client = connected(&ctx, CLIENT, "inproc://cs6");
    let mut m = Msg::from_slice(b"X");
    assert_eq!(client.send(&mut m, SNDMORE).unwrap_err(), Error::EINVAL);
    assert_eq!(m.data(), b"X");
    send(&mut client, b"Y");
    let id = recv(&mut server).routing_id();
    let mut m = Msg::from_slice(b"X");
    m.set_routing_id(id).unwrap();
    assert_eq!(server.send(&mut m, SNDMORE).unwrap_err(), Error::EINVAL);
}

#[test]
fn server_and_client_drop_multipart_from_inproc_peers() {
    let ctx = Context::new();
    let mut server = bound(&ctx, SERVER, "inproc://cs7");
    let mut dealer = connected(&ctx, DEALER, "inproc://cs7");
    dealer.send(&mut Msg::from_slice(b"a"), SNDMORE).unwrap();
    dealer.send(&mut Msg::from_slice(b"b"), SNDMORE).unwrap();
    dealer.send(&mut Msg::from_slice(b"c"), 0).unwrap();
    send(&mut dealer, b"single");
    let m = recv(&mut server);
    assert_eq!(m.data(), b"single");
    assert!(!m.has_more());
    assert_nothing(&mut server);

    let mut client = bound(&ctx, CLIENT, "inproc://cs8");
    let mut dealer = connected(&ctx, DEALER, "inproc://cs8");
    dealer.send(&mut Msg::from_slice(b"a"), SNDMORE).unwrap();
    dealer.send(&mut Msg::from_slice(b"b"), 0).unwrap();
    send(&mut dealer, b"single");
    assert_eq!(recv(&mut client).data(), b"single");
    assert_eq!(get_int(&mut client, ZMQ_RCVMORE).unwrap(), 0);
}

#[test]
fn client_load_balances_and_fair_queues() {
    let ctx = Context::new();
    let mut client = bound(&ctx, CLIENT, "inproc://cs9");
    let mut s1 = connected(&ctx, SERVER, "inproc://cs9");
    let mut s2 = connected(&ctx, SERVER, "inproc://cs9");
    client.events().unwrap();
    send(&mut client, b"1");
    send(&mut client, b"2");
    let (m1, m2) = (recv(&mut s1), recv(&mut s2));
    assert_ne!(m1.data(), m2.data(), "one message each");
    send_to(&mut s1, m1.routing_id(), b"r1").unwrap();
    send_to(&mut s2, m2.routing_id(), b"r2").unwrap();
    let mut got = [
        recv(&mut client).data().to_vec(),
        recv(&mut client).data().to_vec(),
    ];
    got.sort();
    assert_eq!(got, [b"r1".to_vec(), b"r2".to_vec()]);
}

// RADIO / DISH

#[test]
fn dish_receives_only_joined_groups() {
    let ctx = Context::new();
    let mut radio = bound(&ctx, RADIO, "inproc://rd");
    let mut dish = socket(&ctx, DISH);
    dish.join("Movies").unwrap();
    dish.connect("inproc://rd").unwrap();
    send_group(&mut radio, "TV", b"Friends");
    send_group(&mut radio, "Movies", b"Godfather");
    assert_eq!(
        recv_group(&mut dish),
        ("Movies".into(), b"Godfather".to_vec())
    );
    assert_nothing(&mut dish);

    dish.join("TV").unwrap();
    settle();
    send_group(&mut radio, "TV", b"Friends");
    assert_eq!(recv_group(&mut dish), ("TV".into(), b"Friends".to_vec()));

    dish.leave("TV").unwrap();
    send_group(&mut radio, "TV", b"Friends");
    send_group(&mut radio, "Movies", b"Godfather");
    assert_eq!(dish.events().unwrap() & POLLIN, POLLIN);
    assert_eq!(
        recv_group(&mut dish),
        ("Movies".into(), b"Godfather".to_vec())
    );
    assert_nothing(&mut dish);
}

#[test]
fn dish_filters_messages_already_in_flight_when_it_leaves() {
    let ctx = Context::new();
    let mut radio = bound(&ctx, RADIO, "inproc://rd2");
    let mut dish = connected(&ctx, DISH, "inproc://rd2");
    dish.join("A").unwrap();
    send_group(&mut radio, "A", b"1");
    dish.leave("A").unwrap();
    assert_nothing(&mut dish);
}

#[test]
fn dish_joins_before_radio_binds_are_delivered() {
    let ctx = Context::new();
    let mut dish = socket(&ctx, DISH);
    dish.join("early").unwrap();
    dish.connect("inproc://rd3").unwrap();
    dish.join("late").unwrap();
    let mut radio = bound(&ctx, RADIO, "inproc://rd3");
    send_group(&mut radio, "early", b"e");
    send_group(&mut radio, "late", b"l");
    send_group(&mut radio, "other", b"o");
    assert_eq!(recv_group(&mut dish).1, b"e");
    assert_eq!(recv_group(&mut dish).1, b"l");
    assert_nothing(&mut dish);
}

#[test]
fn dish_bound_radio_connected_gets_joins_on_attach() {
    let ctx = Context::new();
    let mut dish = socket(&ctx, DISH);
    dish.join("g").unwrap();
    dish.bind("inproc://rd4").unwrap();
    let mut radio = connected(&ctx, RADIO, "inproc://rd4");
    // The dish attaches the pipe (and sends its joins) when it processes
    // its commands; then the radio learns them on its next send.
    dish.events().unwrap();
    send_group(&mut radio, "g", b"hit");
    assert_eq!(recv_group(&mut dish), ("g".into(), b"hit".to_vec()));
}

#[test]
fn long_group_names_round_trip() {
    let ctx = Context::new();
    let mut radio = bound(&ctx, RADIO, "inproc://rd5");
    let mut dish = socket(&ctx, DISH);
    let group = "0123456789ABCDEFGH";
    dish.join(group).unwrap();
    let max = "G".repeat(255);
    dish.join(&max).unwrap();
    dish.connect("inproc://rd5").unwrap();
    send_group(&mut radio, group, b"HELLO");
    send_group(&mut radio, &max, b"MAX");
    assert_eq!(recv_group(&mut dish), (group.into(), b"HELLO".to_vec()));
    assert_eq!(recv_group(&mut dish), (max, b"MAX".to_vec()));
}

#[test]
fn join_and_leave_errors_match_libzmq() {
    let ctx = Context::new();
    let mut dish = socket(&ctx, DISH);
    assert_eq!(dish.leave("Movies").unwrap_err(), Error::EINVAL);
    assert_eq!(dish.join("A".repeat(256)).unwrap_err(), Error::EINVAL);
    assert_eq!(dish.leave("A".repeat(256)).unwrap_err(), Error::EINVAL);
    dish.join("Movies").unwrap();
    assert_eq!(dish.join("Movies").unwrap_err(), Error::EINVAL);
    dish.leave("Movies").unwrap();
    assert_eq!(dish.leave("Movies").unwrap_err(), Error::EINVAL);
    // A C string ends at its NUL.
    dish.join(b"cut\0here").unwrap();
    assert_eq!(dish.join("cut").unwrap_err(), Error::EINVAL);
    for t in [RADIO, SUB, PAIR, SERVER, CLIENT] {
        let mut s = socket(&ctx, t);
        assert_eq!(s.join("g").unwrap_err(), Error::ENOTSUP, "type {t}");
        assert_eq!(s.leave("g").unwrap_err(), Error::ENOTSUP, "type {t}");
    }
}

#[test]
fn radio_cannot_receive_and_dish_cannot_send() {
    let ctx = Context::new();
    let mut radio = bound(&ctx, RADIO, "inproc://rd6");
    let mut dish = connected(&ctx, DISH, "inproc://rd6");
    assert_eq!(radio.recv(DONTWAIT).unwrap_err(), Error::ENOTSUP);
    assert_eq!(
        dish.send(&mut Msg::from_slice(b"x"), 0).unwrap_err(),
        Error::ENOTSUP
    );
    let mut m = Msg::from_slice(b"x");
    m.set_group(b"g").unwrap();
    assert_eq!(radio.send(&mut m, SNDMORE).unwrap_err(), Error::EINVAL);
    assert_eq!(radio.events().unwrap(), POLLOUT);
    assert_eq!(dish.events().unwrap(), POLLOUT);
}

#[test]
fn radio_fans_out_to_every_dish_of_the_group() {
    let ctx = Context::new();
    let mut radio = bound(&ctx, RADIO, "inproc://rd7");
    let mut dishes: Vec<Socket> = (0..3).map(|_| socket(&ctx, DISH)).collect();
    dishes[0].join("x").unwrap();
    dishes[1].join("x").unwrap();
    dishes[2].join("y").unwrap();
    for d in &mut dishes {
        d.connect("inproc://rd7").unwrap();
    }
    send_group(&mut radio, "x", b"to-x");
    assert_eq!(recv_group(&mut dishes[0]).1, b"to-x");
    assert_eq!(recv_group(&mut dishes[1]).1, b"to-x");
    assert_nothing(&mut dishes[2]);
}

fn radio_dish_hwm_1(ctx: &Context, addr: &str, nodrop: bool) -> (Socket, Socket) {
    let mut radio = socket(ctx, RADIO);
    set_int(&mut radio, ZMQ_SNDHWM, 1);
    if nodrop {
        set_int(&mut radio, ZMQ_XPUB_NODROP, 1);
    }
    radio.bind(addr).unwrap();
    let mut dish = socket(ctx, DISH);
    set_int(&mut dish, ZMQ_RCVHWM, 1);
    dish.join("g").unwrap();
    dish.connect(addr).unwrap();
    (radio, dish)
}

fn group_msg(group: &[u8]) -> Msg {
    let mut m = Msg::from_slice(b"m");
    m.set_group(group).unwrap();
    m
}

#[test]
fn radio_drops_for_a_dish_at_its_hwm() {
    let ctx = Context::new();
    let (mut radio, mut dish) = radio_dish_hwm_1(&ctx, "inproc://rd8", false);
    for _ in 0..10 {
        radio.send(&mut group_msg(b"g"), DONTWAIT).unwrap();
    }
    recv(&mut dish);
    recv(&mut dish);
    assert_nothing(&mut dish);
}

#[test]
fn radio_nodrop_would_block_for_a_dish_at_its_hwm() {
    let ctx = Context::new();
    let (mut radio, mut dish) = radio_dish_hwm_1(&ctx, "inproc://rd9", true);
    radio.send(&mut group_msg(b"g"), DONTWAIT).unwrap();
    radio.send(&mut group_msg(b"g"), DONTWAIT).unwrap();
    let mut m = group_msg(b"g");
    assert_eq!(radio.send(&mut m, DONTWAIT).unwrap_err(), Error::EAGAIN);
    // Only the targets of the message count.
    radio.send(&mut group_msg(b"other"), DONTWAIT).unwrap();
    recv(&mut dish);
    recv(&mut dish);
    settle();
    radio.send(&mut m, DONTWAIT).unwrap();
    assert_eq!(recv(&mut dish).data(), b"m");
    assert_eq!(
        radio.set_option(ZMQ_XPUB_NODROP, &(-1i32).to_ne_bytes()),
        Err(Error::EINVAL)
    );
}

#[test]
fn radio_dish_udp_roles_are_checked_like_libzmq() {
    let ctx = Context::new();
    let mut radio = socket(&ctx, RADIO);
    assert_eq!(
        radio.bind("udp://*:5556").unwrap_err(),
        Error::ENOCOMPATPROTO
    );
    let mut dish = socket(&ctx, DISH);
    assert_eq!(
        dish.connect("udp://127.0.0.1:5556").unwrap_err(),
        Error::ENOCOMPATPROTO
    );
    let mut client = socket(&ctx, CLIENT);
    assert_eq!(
        client.connect("udp://127.0.0.1:5556").unwrap_err(),
        Error::ENOCOMPATPROTO
    );
}

// SCATTER / GATHER

#[test]
fn scatter_round_robins_over_gathers() {
    let ctx = Context::new();
    let mut scatter = bound(&ctx, SCATTER, "inproc://sg");
    let mut g1 = connected(&ctx, GATHER, "inproc://sg");
    let mut g2 = connected(&ctx, GATHER, "inproc://sg");
    send(&mut scatter, b"1");
    send(&mut scatter, b"2");
    assert_eq!(recv(&mut g1).data(), b"1");
    assert_eq!(recv(&mut g2).data(), b"2");
    assert_nothing(&mut g1);
    assert_nothing(&mut g2);
}

#[test]
fn gather_fair_queues_scatters() {
    let ctx = Context::new();
    let mut gather = bound(&ctx, GATHER, "inproc://sg2");
    let mut s1 = connected(&ctx, SCATTER, "inproc://sg2");
    let mut s2 = connected(&ctx, SCATTER, "inproc://sg2");
    send(&mut s1, b"a1");
    send(&mut s1, b"a2");
    send(&mut s2, b"b1");
    send(&mut s2, b"b2");
    let got: Vec<Vec<u8>> = (0..4).map(|_| recv(&mut gather).data().to_vec()).collect();
    assert_ne!(got[0][0], got[1][0], "alternates between scatters");
    assert_ne!(got[2][0], got[3][0], "alternates between scatters");
}

#[test]
fn scatter_gather_reject_multipart_and_the_wrong_direction() {
    let ctx = Context::new();
    let mut scatter = bound(&ctx, SCATTER, "inproc://sg3");
    let mut gather = connected(&ctx, GATHER, "inproc://sg3");
    let mut m = Msg::from_static(b"1");
    assert_eq!(scatter.send(&mut m, SNDMORE).unwrap_err(), Error::EINVAL);
    assert_eq!(scatter.recv(DONTWAIT).unwrap_err(), Error::ENOTSUP);
    assert_eq!(
        gather.send(&mut Msg::from_slice(b"x"), 0).unwrap_err(),
        Error::ENOTSUP
    );
    assert_eq!(scatter.events().unwrap(), POLLOUT);
    assert_eq!(gather.events().unwrap(), 0);
}

#[test]
fn scatter_without_gathers_would_block() {
    let ctx = Context::new();
    let mut scatter = socket(&ctx, SCATTER);
    assert_eq!(
        scatter
            .send(&mut Msg::from_slice(b"x"), DONTWAIT)
            .unwrap_err(),
        Error::EAGAIN
    );
}

// PEER

#[test]
fn connect_peer_returns_the_routing_id_to_send_to() {
    let ctx = Context::new();
    let mut peer1 = bound(&ctx, PEER, "inproc://peer");
    let mut peer2 = socket(&ctx, PEER);
    let peer1_id = peer2.connect_peer("inproc://peer").unwrap();
    assert_ne!(peer1_id, 0);
    send_to(&mut peer2, peer1_id, b"\x01").unwrap();

    let m = recv(&mut peer1);
    assert_eq!(m.data(), b"\x01");
    let peer2_id = m.routing_id();
    assert_ne!(peer2_id, 0);
    send_to(&mut peer1, peer2_id, b"\x02").unwrap();

    let m = recv(&mut peer2);
    assert_eq!(m.data(), b"\x02");
    assert_eq!(m.routing_id(), peer1_id);
}

#[test]
fn connect_peer_gives_each_connection_its_own_id() {
    let ctx = Context::new();
    let mut a = bound(&ctx, PEER, "inproc://pa");
    let mut b = bound(&ctx, PEER, "inproc://pb");
    let mut hub = socket(&ctx, PEER);
    let to_a = hub.connect_peer("inproc://pa").unwrap();
    let to_b = hub.connect_peer("inproc://pb").unwrap();
    assert_ne!(to_a, to_b);
    send_to(&mut hub, to_b, b"for-b").unwrap();
    send_to(&mut hub, to_a, b"for-a").unwrap();
    assert_eq!(recv(&mut a).data(), b"for-a");
    assert_eq!(recv(&mut b).data(), b"for-b");
}

#[test]
fn connect_peer_before_bind_delivers_once_bound() {
    let ctx = Context::new();
    let mut early = socket(&ctx, PEER);
    let id = early.connect_peer("inproc://plate").unwrap();
    assert_ne!(id, 0);
    send_to(&mut early, id, b"queued").unwrap();
    let mut late = bound(&ctx, PEER, "inproc://plate");
    assert_eq!(recv(&mut late).data(), b"queued");
}

#[test]
fn connect_peer_errors_match_libzmq() {
    let ctx = Context::new();
    let mut server = socket(&ctx, SERVER);
    assert_eq!(
        server.connect_peer("inproc://x").unwrap_err(),
        Error::ENOTSUP
    );
    let mut peer = socket(&ctx, PEER);
    // Over tcp the pipe exists before the connection does, so the id is
    // known at once (libzmq with ZMQ_IMMEDIATE off).
    assert_ne!(peer.connect_peer("tcp://127.0.0.1:5555").unwrap(), 0);
    assert_eq!(peer.connect_peer("inproc").unwrap_err(), Error::EINVAL);
    set_int(&mut peer, ZMQ_IMMEDIATE, 1);
    assert_eq!(peer.connect_peer("inproc://x").unwrap_err(), Error::EFAULT);
}

// CHANNEL

#[test]
fn channel_round_trip_and_sndmore_fails() {
    let ctx = Context::new();
    let mut sb = bound(&ctx, CHANNEL, "inproc://a");
    let mut sc = connected(&ctx, CHANNEL, "inproc://a");
    send(&mut sb, b"HELLO");
    assert_eq!(recv(&mut sc).data(), b"HELLO");
    send(&mut sc, b"WORLD");
    assert_eq!(recv(&mut sb).data(), b"WORLD");
    let mut m = Msg::from_slice(b"X");
    assert_eq!(sc.send(&mut m, SNDMORE).unwrap_err(), Error::EINVAL);
    assert_eq!(m.data(), b"X");
}

#[test]
fn channel_accepts_a_single_peer() {
    let ctx = Context::new();
    let mut sb = bound(&ctx, CHANNEL, "inproc://ch2");
    let mut first = connected(&ctx, CHANNEL, "inproc://ch2");
    let mut second = connected(&ctx, CHANNEL, "inproc://ch2");
    send(&mut sb, b"only-first");
    assert_eq!(recv(&mut first).data(), b"only-first");
    assert_nothing(&mut second);
}

#[test]
fn channel_drops_multipart_from_an_inproc_pair() {
    let ctx = Context::new();
    let mut ch = bound(&ctx, CHANNEL, "inproc://ch3");
    let mut pair = connected(&ctx, PAIR, "inproc://ch3");
    pair.send(&mut Msg::from_slice(b"a"), SNDMORE).unwrap();
    pair.send(&mut Msg::from_slice(b"b"), 0).unwrap();
    send(&mut pair, b"c");
    let m = recv(&mut ch);
    assert_eq!(m.data(), b"c");
    assert!(!m.has_more());
}

#[test]
fn channel_without_peer_would_block() {
    let ctx = Context::new();
    let mut ch = socket(&ctx, CHANNEL);
    assert_eq!(
        ch.send(&mut Msg::from_slice(b"x"), DONTWAIT).unwrap_err(),
        Error::EAGAIN
    );
    assert_nothing(&mut ch);
    assert_eq!(ch.events().unwrap(), 0);
}

// Thread safety

#[test]
fn draft_types_report_thread_safe_and_have_no_fd() {
    let ctx = Context::new();
    for t in [SERVER, CLIENT, RADIO, DISH, GATHER, SCATTER, PEER, CHANNEL] {
        let mut s = socket(&ctx, t);
        assert!(s.is_thread_safe());
        assert_eq!(get_int(&mut s, ZMQ_THREAD_SAFE), Ok(1), "type {t}");
        assert_eq!(get_int(&mut s, ZMQ_FD), Err(Error::EINVAL), "type {t}");
    }
    for t in [
        PAIR, PUB, SUB, REQ, REP, DEALER, ROUTER, PULL, PUSH, XPUB, XSUB,
    ] {
        let mut s = socket(&ctx, t);
        assert!(!s.is_thread_safe());
        assert_eq!(get_int(&mut s, ZMQ_THREAD_SAFE), Ok(0), "type {t}");
        assert_eq!(get_int(&mut s, ZMQ_FD), Ok(s.fd()), "type {t}");
    }
}

#[test]
fn stream_and_dgram_sockets_can_be_made() {
    let ctx = Context::new();
    assert!(Socket::new(&ctx, STREAM).is_ok());
    assert!(Socket::new(&ctx, DGRAM).is_ok());
}

#[test]
fn sockets_can_move_between_threads_for_the_c_layer_lock() {
    fn assert_send<T: Send>() {}
    assert_send::<Socket>();
    let ctx = Context::new();
    let mut server = bound(&ctx, SERVER, "inproc://ts");
    let client = std::sync::Arc::new(std::sync::Mutex::new(connected(
        &ctx,
        CLIENT,
        "inproc://ts",
    )));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let c = client.clone();
            std::thread::spawn(move || {
                for _ in 0..1000 {
                    send(&mut c.lock().unwrap(), b"0");
                }
                send(&mut c.lock().unwrap(), b"1");
            })
        })
        .collect();
    let mut done = 0;
    while done < 2 {
        if recv(&mut server).data() == b"1" {
            done += 1;
        }
    }
    for t in threads {
        t.join().unwrap();
    }
}

// ZMQ_HELLO_MSG / ZMQ_DISCONNECT_MSG over inproc (test_hello_msg,
// test_disconnect_msg)

use crate::options::consts::{ZMQ_DISCONNECT_MSG, ZMQ_HELLO_MSG};
use crate::socket::testing::set_int;

#[test]
fn binder_hello_msg_reaches_a_connecting_dealer() {
    let ctx = Context::new();
    let mut router = socket(&ctx, ROUTER);
    router.set_option(ZMQ_HELLO_MSG, b"H").unwrap();
    router.bind("inproc://hello").unwrap();
    let mut dealer = connected(&ctx, DEALER, "inproc://hello");
    assert_eq!(recv(&mut dealer).data(), b"H");
}

#[test]
fn hello_msgs_cross_when_the_server_binds_late() {
    let ctx = Context::new();
    let mut server = socket(&ctx, SERVER);
    server.set_option(ZMQ_HELLO_MSG, b"W").unwrap();
    let mut client = socket(&ctx, CLIENT);
    client.set_option(ZMQ_HELLO_MSG, b"H").unwrap();
    client.connect("inproc://late-hello").unwrap();
    server.bind("inproc://late-hello").unwrap();
    assert_eq!(recv(&mut client).data(), b"W");
    let m = recv(&mut server);
    assert_eq!(m.data(), b"H");
    assert_ne!(m.routing_id(), 0);
}

#[test]
fn hello_msg_is_ignored_by_types_that_cannot_send_it() {
    let ctx = Context::new();
    let mut pull = bound(&ctx, PULL, "inproc://nohello");
    let mut push = socket(&ctx, PUSH);
    push.set_option(ZMQ_HELLO_MSG, b"H").unwrap();
    push.connect("inproc://nohello").unwrap();
    assert_nothing(&mut pull);
}

fn server_with_disconnect_msg(ctx: &Context, addr: &str) -> (Socket, Socket) {
    let mut server = socket(ctx, SERVER);
    server.set_option(ZMQ_DISCONNECT_MSG, b"D").unwrap();
    server.bind(addr).unwrap();
    let mut client = socket(ctx, CLIENT);
    client.set_option(ZMQ_HELLO_MSG, b"H").unwrap();
    client.connect(addr).unwrap();
    assert_eq!(recv(&mut server).data(), b"H");
    (server, client)
}

#[test]
fn server_gets_its_disconnect_msg_when_a_client_closes() {
    let ctx = Context::new();
    let (mut server, client) = server_with_disconnect_msg(&ctx, "inproc://dm");
    drop(client);
    assert_eq!(recv(&mut server).data(), b"D");
}

#[test]
fn server_gets_its_disconnect_msg_when_a_client_disconnects() {
    let ctx = Context::new();
    let (mut server, mut client) = server_with_disconnect_msg(&ctx, "inproc://dm2");
    client.disconnect("inproc://dm2").unwrap();
    let m = recv(&mut server);
    assert_eq!(m.data(), b"D");
    assert_ne!(m.routing_id(), 0);
}

#[test]
fn disconnect_msg_reaches_a_server_that_bound_late() {
    let ctx = Context::new();
    let mut client = socket(&ctx, CLIENT);
    client.connect("inproc://dm3").unwrap();
    let mut server = socket(&ctx, SERVER);
    server.set_option(ZMQ_DISCONNECT_MSG, b"D").unwrap();
    server.bind("inproc://dm3").unwrap();
    drop(client);
    assert_eq!(recv(&mut server).data(), b"D");
}
