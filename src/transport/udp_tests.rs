//! udp addresses as libzmq 4.3.5's `udp_address_t` resolves them, and
//! DGRAM's address frames.

use super::*;

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// (address, bind side, ZMQ_IPV6) -> (bind, bind_if, target, multicast).
type Case<'a> = (&'a str, bool, bool, &'a str, Option<u32>, &'a str, bool);

#[test]
fn addresses_resolve_like_libzmq() {
    let lo = sys::if_nametoindex("lo");
    assert!(lo > 0, "the loopback interface exists");
    #[rustfmt::skip]
    let table: &[Case] = &[
        // Unicast receiver: binds where it says.
        ("*:5556", true, false, "0.0.0.0:5556", None, "0.0.0.0:5556", false),
        ("*:5556", true, true, "[::]:5556", None, "[::]:5556", false),
        ("127.0.0.1:5556", true, false, "127.0.0.1:5556", None, "127.0.0.1:5556", false),
        ("lo:5556", true, false, "127.0.0.1:5556", None, "127.0.0.1:5556", false),
        ("*:*", true, false, "0.0.0.0:0", None, "0.0.0.0:0", false),
        // Sender: sends there, "binds" any (it never binds).
        ("127.0.0.1:5556", false, false, "0.0.0.0:5556", Some(0), "127.0.0.1:5556", false),
        ("[::1]:5556", false, true, "[::]:5556", Some(0), "[::1]:5556", false),
        ("127.0.0.1:5556", false, true, "[::]:5556", Some(0), "[::ffff:127.0.0.1]:5556", false),
        ("localhost:5556", false, false, "0.0.0.0:5556", Some(0), "127.0.0.1:5556", false),
        // Multicast, either side: any address, the group as target.
        ("239.0.0.1:5555", true, false, "0.0.0.0:5555", Some(0), "239.0.0.1:5555", true),
        ("239.0.0.1:5555", false, false, "0.0.0.0:5555", Some(0), "239.0.0.1:5555", true),
        ("[ff02::1]:5555", true, true, "[::]:5555", Some(0), "[ff02::1]:5555", true),
        // With a source: its address and, for names, its index.
        ("127.0.0.1;239.0.0.1:5555", true, false, "127.0.0.1:5555", None, "239.0.0.1:5555", true),
        ("lo;239.0.0.1:5555", false, false, "127.0.0.1:5555", Some(lo), "239.0.0.1:5555", true),
        ("*;239.0.0.1:5555", true, false, "0.0.0.0:5555", Some(0), "239.0.0.1:5555", true),
        ("lo;[ff02::1]:5555", true, true, "[::1]:5555", Some(lo), "[ff02::1]:5555", true),
    ];
    for &(name, bind, ipv6, b, bind_if, t, mc) in table {
        let want = UdpAddress {
            bind: sa(b),
            bind_if,
            target: sa(t),
            multicast: mc,
        };
        assert_eq!(
            resolve(name, bind, ipv6),
            Ok(want),
            "{name} bind={bind} ipv6={ipv6}"
        );
    }
}

#[test]
fn malformed_or_unresolvable_addresses_fail_like_libzmq() {
    #[rustfmt::skip]
    let table: &[(&str, bool, bool, Error)] = &[
        // No port, bad port, `*` port for a sender.
        ("127.0.0.1", true, false, Error::EINVAL),
        ("127.0.0.1:x", false, false, Error::EINVAL),
        ("127.0.0.1:*", false, false, Error::EINVAL),
        // A bind name that is neither an address nor an interface.
        ("no-such-interface-9:5555", true, false, Error::ENODEV),
        // A sender's name that does not resolve.
        ("no.such.host.invalid:5555", false, false, Error::EINVAL),
        // `*` is for receivers only.
        ("*:5555", false, false, Error::EINVAL),
        // A source needs a multicast group...
        ("127.0.0.1;127.0.0.2:5555", true, false, Error::EINVAL),
        // ...cannot be a group itself...
        ("239.0.0.2;239.0.0.1:5555", true, false, Error::EINVAL),
        // ...is never looked up by DNS...
        ("localhost;239.0.0.1:5555", true, false, Error::ENODEV),
        // ...and takes no port.
        ("127.0.0.1:1;239.0.0.1:5555", true, false, Error::ENODEV),
        // IPv6 needs ZMQ_IPV6.
        ("[::1]:5555", true, false, Error::ENODEV),
        ("[::1]:5555", false, false, Error::EINVAL),
        // IPv6 multicast joins by interface: a numeric source names none
        // (with ZMQ_IPV6 an IPv4 source is v4-mapped, so families agree).
        ("::1;[ff02::1]:5555", true, true, Error::ENODEV),
        ("127.0.0.1;[ff02::1]:5555", true, true, Error::ENODEV),
    ];
    for &(name, bind, ipv6, err) in table {
        assert_eq!(
            resolve(name, bind, ipv6),
            Err(err),
            "{name} bind={bind} ipv6={ipv6}"
        );
    }
}

#[test]
fn dgram_address_frames_are_ipv4_text_with_a_nul() {
    assert_eq!(
        peer_frame(&sa("127.0.0.1:5560")).unwrap(),
        b"127.0.0.1:5560\0"
    );
    assert_eq!(
        peer_frame(&sa("[::ffff:10.0.0.1]:7")).unwrap(),
        b"10.0.0.1:7\0"
    );
    assert_eq!(peer_frame(&sa("[::1]:7")), None);
}

#[test]
fn dgram_address_frames_parse_like_resolve_raw_address() {
    let v4 = |s: &str| Some(s.parse::<SocketAddrV4>().unwrap());
    assert_eq!(parse_peer_frame(b"127.0.0.1:5560"), v4("127.0.0.1:5560"));
    // What a receive gave, NUL included, can be sent back.
    assert_eq!(parse_peer_frame(b"127.0.0.1:5560\0"), v4("127.0.0.1:5560"));
    // inet_addr's shorthand; atoi's leading digits and 16-bit cast.
    assert_eq!(parse_peer_frame(b"127.1:80x"), v4("127.0.0.1:80"));
    assert_eq!(parse_peer_frame(b"127.0.0.1:65537"), v4("127.0.0.1:1"));
    for bad in [
        &b"127.0.0.1"[..],
        b"127.0.0.1:0",
        b"127.0.0.1:",
        b"127.0.0.1:x",
        b"localhost:80",
        b"255.255.255.255:80",
        b"[::1]:80",
        b"",
    ] {
        assert_eq!(
            parse_peer_frame(bad),
            None,
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn ipv4_destinations_are_v4_mapped_on_ipv6_sockets() {
    let p: SocketAddrV4 = "10.0.0.1:9".parse().unwrap();
    assert_eq!(destination(p, false), sa("10.0.0.1:9"));
    assert_eq!(destination(p, true), sa("[::ffff:10.0.0.1]:9"));
}

fn settings(send: bool, recv: bool) -> UdpSettings {
    UdpSettings {
        send,
        recv,
        raw: false,
        multicast_loop: true,
        multicast_hops: 1,
        bound_device: Vec::new(),
    }
}

#[test]
fn a_receiver_binds_and_a_sender_does_not() {
    let addr = resolve("127.0.0.1:0", true, false).unwrap();
    let rx = open(&addr, &settings(false, true)).unwrap();
    let port = rx.local_addr().unwrap().port();
    assert_ne!(port, 0);
    let to = resolve(&format!("127.0.0.1:{port}"), false, false).unwrap();
    let tx = open(&to, &settings(true, false)).unwrap();
    assert_eq!(tx.local_addr().unwrap(), sa("0.0.0.0:0"));
    tx.send_to(b"x", to.target).unwrap();
}

#[test]
fn two_receivers_may_share_a_port_as_libzmq_sets_so_reuseaddr() {
    let addr = resolve("127.0.0.1:0", true, false).unwrap();
    let a = open(&addr, &settings(false, true)).unwrap();
    let port = a.local_addr().unwrap().port();
    let again = resolve(&format!("127.0.0.1:{port}"), true, false).unwrap();
    assert!(open(&again, &settings(false, true)).is_ok());
}
