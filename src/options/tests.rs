//! The options as upstream's man pages, `options.cpp` and tests specify them.

use super::codec::z85_encode;
use super::consts::*;
use super::*;
use crate::Error;

const EINVAL: Error = Error::EINVAL;

fn int(v: i32) -> [u8; 4] {
    v.to_ne_bytes()
}

fn get_int(o: &Options, option: i32) -> crate::Result<i32> {
    let mut buf = [0u8; 4];
    assert_eq!(o.get(option, &mut buf)?, 4);
    Ok(i32::from_ne_bytes(buf))
}

fn get_bytes(o: &Options, option: i32, cap: usize) -> crate::Result<Vec<u8>> {
    let mut buf = vec![0xaau8; cap];
    let n = o.get(option, &mut buf)?;
    assert!(buf[n..].iter().all(|&b| b == 0), "rest of buffer zeroed");
    buf.truncate(n);
    Ok(buf)
}

fn pair() -> Options {
    Options::new(ZMQ_PAIR)
}

/// (option, default, accepted values, refused values) of every plain `int`
/// option, from `options_t`'s constructor and `setsockopt`.
#[rustfmt::skip]
const INT_OPTIONS: &[(i32, i32, &[i32], &[i32])] = &[
    (ZMQ_SNDHWM, 1000, &[0, 1, i32::MAX], &[-1, i32::MIN]),
    (ZMQ_RCVHWM, 1000, &[0, 5], &[-1]),
    (ZMQ_RATE, 100, &[1, 1000], &[0, -1]),
    (ZMQ_RECOVERY_IVL, 10000, &[0, 1], &[-1]),
    (ZMQ_SNDBUF, -1, &[-1, 0, 16384], &[-2]),
    (ZMQ_RCVBUF, -1, &[-1, 0, 16384], &[-2]),
    (ZMQ_TOS, 0, &[0, 0x28], &[-1]),
    (ZMQ_LINGER, -1, &[-1, 0, 5000], &[-2]),
    (ZMQ_CONNECT_TIMEOUT, 0, &[0, 100], &[-1]),
    (ZMQ_TCP_MAXRT, 0, &[0, 100], &[-1]),
    (ZMQ_RECONNECT_STOP, 0, &[0, 7, -1, i32::MIN], &[]),
    (ZMQ_RECONNECT_IVL, 100, &[-1, 0, 10], &[-2]),
    (ZMQ_RECONNECT_IVL_MAX, 0, &[0, 10], &[-1]),
    (ZMQ_BACKLOG, 100, &[0, 10], &[-1]),
    (ZMQ_MULTICAST_HOPS, 1, &[1, 255], &[0, -1]),
    (ZMQ_MULTICAST_MAXTPDU, 1500, &[1, 9000], &[0]),
    (ZMQ_RCVTIMEO, -1, &[-1, 0, 10], &[-2]),
    (ZMQ_SNDTIMEO, -1, &[-1, 0, 10], &[-2]),
    (ZMQ_TCP_KEEPALIVE, -1, &[-1, 0, 1], &[-2, 2]),
    (ZMQ_TCP_KEEPALIVE_CNT, -1, &[-1, 0, 9], &[-2]),
    (ZMQ_TCP_KEEPALIVE_IDLE, -1, &[-1, 0, 9], &[-2]),
    (ZMQ_TCP_KEEPALIVE_INTVL, -1, &[-1, 0, 9], &[-2]),
    (ZMQ_HANDSHAKE_IVL, 30000, &[0, 1], &[-1]),
    (ZMQ_HEARTBEAT_IVL, 0, &[0, 100], &[-1]),
    (ZMQ_HEARTBEAT_TIMEOUT, -1, &[0, 100], &[-1]),
    (ZMQ_USE_FD, -1, &[-1, 3], &[-2]),
    (ZMQ_IN_BATCH_SIZE, 8192, &[1, 65536], &[0, -1]),
    (ZMQ_OUT_BATCH_SIZE, 8192, &[1, 65536], &[0, -1]),
    (ZMQ_PRIORITY, 0, &[0, 3], &[-1]),
];

/// (option, default, strict) of the `int`-as-boolean options: strict ones
/// take only 0 and 1, relaxed ones any value (nonzero is true).
#[rustfmt::skip]
const BOOL_OPTIONS: &[(i32, bool, bool)] = &[
    (ZMQ_IPV6, false, true),
    (ZMQ_IMMEDIATE, false, true),
    (ZMQ_CONFLATE, false, true),
    (ZMQ_INVERT_MATCHING, false, false),
    (ZMQ_ZAP_ENFORCE_DOMAIN, false, false),
    (ZMQ_LOOPBACK_FASTPATH, false, false),
    (ZMQ_MULTICAST_LOOP, true, false),
];

#[test]
fn int_options_have_libzmq_defaults_ranges_and_round_trip() {
    for &(option, default, good, bad) in INT_OPTIONS {
        let mut o = pair();
        assert_eq!(get_int(&o, option), Ok(default), "default of {option}");
        for &v in good {
            assert_eq!(o.set(option, &int(v)), Ok(()), "{option} = {v}");
            assert_eq!(get_int(&o, option), Ok(v), "{option} = {v}");
        }
        let before = o.clone();
        for &v in bad {
            assert_eq!(o.set(option, &int(v)), Err(EINVAL), "{option} = {v}");
        }
        assert_eq!(o, before, "refused values leave {option} unchanged");
    }
}

#[test]
fn int_options_need_exactly_sizeof_int_both_ways() {
    let ints = INT_OPTIONS.iter().map(|e| e.0);
    let bools = BOOL_OPTIONS.iter().map(|e| e.0);
    let extra = [
        ZMQ_TYPE,
        ZMQ_IPV4ONLY,
        ZMQ_HEARTBEAT_TTL,
        ZMQ_MECHANISM,
        ZMQ_PLAIN_SERVER,
        ZMQ_CURVE_SERVER,
        ZMQ_ROUTER_NOTIFY,
    ];
    let mut o = pair();
    for option in ints.chain(bools).chain(extra) {
        for len in [0, 1, 3, 5, 8] {
            let mut buf = vec![0u8; len];
            assert_eq!(
                o.get(option, &mut buf),
                Err(EINVAL),
                "get {option} len {len}"
            );
            if !matches!(option, ZMQ_TYPE | ZMQ_MECHANISM | ZMQ_ROUTER_NOTIFY) {
                assert_eq!(o.set(option, &buf), Err(EINVAL), "set {option} len {len}");
            }
        }
        assert_eq!(o.set_raw(option, None), Err(EINVAL), "set {option} NULL");
    }
}

#[test]
fn boolean_options_are_strict_or_relaxed_like_libzmq() {
    for &(option, default, strict) in BOOL_OPTIONS {
        let mut o = pair();
        assert_eq!(
            get_int(&o, option),
            Ok(i32::from(default)),
            "default {option}"
        );
        for v in [0, 1] {
            assert_eq!(o.set(option, &int(v)), Ok(()));
            assert_eq!(get_int(&o, option), Ok(v));
        }
        for v in [2, -1] {
            if strict {
                assert_eq!(o.set(option, &int(v)), Err(EINVAL), "{option} = {v}");
            } else {
                assert_eq!(o.set(option, &int(v)), Ok(()), "{option} = {v}");
                assert_eq!(get_int(&o, option), Ok(1), "{option} reads back 1");
            }
        }
    }
}

#[test]
fn ipv4only_is_the_inverse_of_ipv6() {
    let mut o = pair();
    assert_eq!(get_int(&o, ZMQ_IPV4ONLY), Ok(1));
    o.set(ZMQ_IPV4ONLY, &int(0)).unwrap();
    assert_eq!(get_int(&o, ZMQ_IPV6), Ok(1));
    assert_eq!(o.set(ZMQ_IPV4ONLY, &int(2)), Err(EINVAL));
    o.set(ZMQ_IPV6, &int(0)).unwrap();
    assert_eq!(get_int(&o, ZMQ_IPV4ONLY), Ok(1));
}

#[test]
fn sixty_four_bit_options_need_eight_bytes() {
    let mut o = pair();
    let mut buf = [0u8; 8];
    assert_eq!(o.get(ZMQ_AFFINITY, &mut buf), Ok(8));
    assert_eq!(u64::from_ne_bytes(buf), 0);
    assert_eq!(o.get(ZMQ_MAXMSGSIZE, &mut buf), Ok(8));
    assert_eq!(i64::from_ne_bytes(buf), -1);
    o.set(ZMQ_AFFINITY, &u64::MAX.to_ne_bytes()).unwrap();
    o.set(ZMQ_MAXMSGSIZE, &(-7i64).to_ne_bytes()).unwrap();
    assert_eq!(o.affinity, u64::MAX);
    assert_eq!(o.maxmsgsize, -7, "libzmq does not range-check MAXMSGSIZE");
    for option in [ZMQ_AFFINITY, ZMQ_MAXMSGSIZE] {
        assert_eq!(o.set(option, &int(1)), Err(EINVAL));
        assert_eq!(o.get(option, &mut [0u8; 4]), Err(EINVAL));
        assert_eq!(o.get(option, &mut [0u8; 16]), Err(EINVAL));
    }
}

#[test]
fn type_is_readable_but_not_writable() {
    let mut o = Options::new(ZMQ_DEALER);
    assert_eq!(get_int(&o, ZMQ_TYPE), Ok(ZMQ_DEALER));
    assert_eq!(o.set(ZMQ_TYPE, &int(ZMQ_ROUTER)), Err(EINVAL));
    assert_eq!(get_int(&o, ZMQ_MECHANISM), Ok(ZMQ_NULL));
    assert_eq!(o.set(ZMQ_MECHANISM, &int(ZMQ_PLAIN)), Err(EINVAL));
}

#[test]
fn socket_types_apply_their_constructor_defaults() {
    let router = Options::new(ZMQ_ROUTER);
    assert!(router.recv_routing_id && router.can_send_hello_msg && router.can_recv_disconnect_msg);
    assert!(Options::new(ZMQ_REP).recv_routing_id);
    let dealer = Options::new(ZMQ_REQ);
    assert!(dealer.can_send_hello_msg && dealer.can_recv_hiccup_msg);
    assert!(!dealer.recv_routing_id);
    let peer = Options::new(ZMQ_PEER);
    assert!(peer.can_send_hello_msg && peer.can_recv_disconnect_msg && peer.can_recv_hiccup_msg);
    assert!(Options::new(ZMQ_STREAM).raw_socket && Options::new(ZMQ_DGRAM).raw_socket);
    assert!(Options::new(ZMQ_SUB).filter && !Options::new(ZMQ_XSUB).filter);
    for t in [ZMQ_SUB, ZMQ_XSUB, ZMQ_DISH] {
        assert_eq!(get_int(&Options::new(t), ZMQ_LINGER), Ok(0), "type {t}");
    }
    assert_eq!(get_int(&Options::new(ZMQ_PUB), ZMQ_LINGER), Ok(-1));
    let unblocky = Options::with_context(ZMQ_PUB, false, false);
    assert_eq!((unblocky.linger, unblocky.zero_copy), (0, false));
    let o = pair();
    assert!(o.zero_copy && o.raw_notify && !o.connected);
    assert_eq!((o.monitor_event_version, o.socket_id), (1, 0));
}

#[test]
fn routing_id_is_one_to_255_bytes_returned_without_nul() {
    let mut o = Options::new(ZMQ_DEALER);
    assert_eq!(get_bytes(&o, ZMQ_ROUTING_ID, 255), Ok(vec![]));
    assert_eq!(o.set(ZMQ_ROUTING_ID, b""), Err(EINVAL));
    assert_eq!(o.set_raw(ZMQ_ROUTING_ID, None), Err(EINVAL));
    assert_eq!(o.set(ZMQ_ROUTING_ID, &[7; 256]), Err(EINVAL));
    // A leading zero byte is not refused by 4.3.5.
    o.set(ZMQ_ROUTING_ID, b"\0abc").unwrap();
    assert_eq!(get_bytes(&o, ZMQ_ROUTING_ID, 10), Ok(b"\0abc".to_vec()));
    assert_eq!(get_bytes(&o, ZMQ_ROUTING_ID, 4), Ok(b"\0abc".to_vec()));
    assert_eq!(o.get(ZMQ_ROUTING_ID, &mut [0u8; 3]), Err(EINVAL));
    o.set(ZMQ_ROUTING_ID, &[9; 255]).unwrap();
    assert_eq!(o.routing_id.len(), 255);
}

#[test]
fn string_get_counts_the_nul_and_needs_room_for_it() {
    let mut o = pair();
    o.set(ZMQ_SOCKS_PROXY, b"127.0.0.1:1080").unwrap();
    assert_eq!(
        get_bytes(&o, ZMQ_SOCKS_PROXY, 256),
        Ok(b"127.0.0.1:1080\0".to_vec())
    );
    assert_eq!(
        get_bytes(&o, ZMQ_SOCKS_PROXY, 15),
        Ok(b"127.0.0.1:1080\0".to_vec())
    );
    assert_eq!(o.get(ZMQ_SOCKS_PROXY, &mut [0u8; 14]), Err(EINVAL));
    // Unset strings read back as a lone NUL.
    for option in [ZMQ_SOCKS_USERNAME, ZMQ_PLAIN_USERNAME, ZMQ_ZAP_DOMAIN] {
        assert_eq!(get_bytes(&o, option, 8), Ok(vec![0]), "option {option}");
        assert_eq!(o.get(option, &mut []), Err(EINVAL));
    }
}

#[test]
fn socks_proxy_is_cleared_only_by_null() {
    let mut o = pair();
    o.set(ZMQ_SOCKS_PROXY, b"proxy:1080").unwrap();
    assert_eq!(o.set(ZMQ_SOCKS_PROXY, b""), Err(EINVAL));
    assert_eq!(o.socks_proxy_address, b"proxy:1080");
    o.set_raw(ZMQ_SOCKS_PROXY, None).unwrap();
    assert!(o.socks_proxy_address.is_empty());
}

#[test]
fn socks_credentials_are_cleared_by_null_or_empty_and_capped_at_255() {
    for option in [ZMQ_SOCKS_USERNAME, ZMQ_SOCKS_PASSWORD] {
        let mut o = pair();
        o.set(option, b"user").unwrap();
        assert_eq!(get_bytes(&o, option, 8), Ok(b"user\0".to_vec()));
        o.set(option, b"").unwrap();
        assert_eq!(get_bytes(&o, option, 8), Ok(vec![0]));
        o.set(option, &[b'u'; 255]).unwrap();
        o.set_raw(option, None).unwrap();
        assert_eq!(get_bytes(&o, option, 8), Ok(vec![0]));
        assert_eq!(o.set(option, &[b'u'; 256]), Err(EINVAL));
    }
}

#[test]
fn zap_domain_cannot_be_emptied_again() {
    let mut o = pair();
    o.set(ZMQ_ZAP_DOMAIN, b"global").unwrap();
    assert_eq!(o.set(ZMQ_ZAP_DOMAIN, b""), Err(EINVAL));
    assert_eq!(o.set_raw(ZMQ_ZAP_DOMAIN, None), Err(EINVAL));
    assert_eq!(o.set(ZMQ_ZAP_DOMAIN, &[b'd'; 256]), Err(EINVAL));
    o.set(ZMQ_ZAP_DOMAIN, &[b'd'; 255]).unwrap();
    assert_eq!(get_bytes(&o, ZMQ_ZAP_DOMAIN, 256).unwrap().len(), 256);
}

#[test]
fn bindtodevice_as_upstream_test_setsockopt_checks_it() {
    let mut o = Options::new(ZMQ_PUSH);
    assert_eq!(get_bytes(&o, ZMQ_BINDTODEVICE, 16), Ok(vec![0]));
    o.set(ZMQ_BINDTODEVICE, b"testdev").unwrap();
    assert_eq!(
        get_bytes(&o, ZMQ_BINDTODEVICE, 16),
        Ok(b"testdev\0".to_vec())
    );
    o.set(ZMQ_BINDTODEVICE, &[b'x'; 16]).unwrap();
    assert_eq!(o.set(ZMQ_BINDTODEVICE, &[b'x'; 17]), Err(EINVAL));
    assert_eq!(o.set(ZMQ_BINDTODEVICE, b""), Err(EINVAL));
    o.set_raw(ZMQ_BINDTODEVICE, None).unwrap();
    assert!(o.bound_device.is_empty());
}

#[test]
fn upstream_test_setsockopt_buffers_use_fd_and_priority() {
    let mut o = Options::new(ZMQ_PUSH);
    for option in [ZMQ_RCVBUF, ZMQ_SNDBUF] {
        assert_eq!(get_int(&o, option), Ok(-1));
        o.set(option, &int(16384)).unwrap();
        assert_eq!(get_int(&o, option), Ok(16384));
    }
    assert_eq!(get_int(&o, ZMQ_USE_FD), Ok(-1));
    o.set(ZMQ_USE_FD, &int(3)).unwrap();
    assert_eq!(get_int(&o, ZMQ_USE_FD), Ok(3));
    assert_eq!(get_int(&o, ZMQ_PRIORITY), Ok(0));
    o.set(ZMQ_PRIORITY, &int(3)).unwrap();
    assert_eq!(get_int(&o, ZMQ_PRIORITY), Ok(3));
}

#[test]
fn upstream_test_sockopt_hwm_reads_back_what_was_set() {
    let mut o = Options::new(ZMQ_PUSH);
    o.set(ZMQ_SNDHWM, &int(2)).unwrap();
    assert_eq!(get_int(&o, ZMQ_SNDHWM), Ok(2));
    o.set(ZMQ_SNDHWM, &int(5)).unwrap();
    assert_eq!(get_int(&o, ZMQ_SNDHWM), Ok(5));
}

#[test]
fn heartbeat_ttl_is_stored_in_deciseconds() {
    let mut o = pair();
    assert_eq!(get_int(&o, ZMQ_HEARTBEAT_TTL), Ok(0));
    // upstream test_heartbeats: max, max + 1, and near zero.
    let max = 65535 * 100 + 99;
    o.set(ZMQ_HEARTBEAT_TTL, &int(max)).unwrap();
    assert_eq!(get_int(&o, ZMQ_HEARTBEAT_TTL), Ok(max - max % 100));
    assert_eq!(o.set(ZMQ_HEARTBEAT_TTL, &int(max + 1)), Err(EINVAL));
    o.set(ZMQ_HEARTBEAT_TTL, &int(99)).unwrap();
    assert_eq!(get_int(&o, ZMQ_HEARTBEAT_TTL), Ok(0));
    o.set(ZMQ_HEARTBEAT_TTL, &int(1234)).unwrap();
    assert_eq!((o.heartbeat_ttl, o.heartbeat_ttl_ms()), (12, 1200));
    // Truncation happens before the sign check.
    o.set(ZMQ_HEARTBEAT_TTL, &int(-99)).unwrap();
    assert_eq!(o.heartbeat_ttl, 0);
    assert_eq!(o.set(ZMQ_HEARTBEAT_TTL, &int(-100)), Err(EINVAL));
}

#[test]
fn plain_credentials_select_plain_and_null_resets_the_mechanism() {
    let mut o = pair();
    o.set(ZMQ_PLAIN_SERVER, &int(1)).unwrap();
    assert_eq!(
        (get_int(&o, ZMQ_MECHANISM), get_int(&o, ZMQ_PLAIN_SERVER)),
        (Ok(1), Ok(1))
    );
    o.set(ZMQ_PLAIN_USERNAME, b"admin").unwrap();
    assert_eq!(
        get_int(&o, ZMQ_PLAIN_SERVER),
        Ok(0),
        "a username makes a client"
    );
    o.set(ZMQ_PLAIN_PASSWORD, b"secret").unwrap();
    assert_eq!(
        get_bytes(&o, ZMQ_PLAIN_PASSWORD, 64),
        Ok(b"secret\0".to_vec())
    );
    assert_eq!(o.set(ZMQ_PLAIN_USERNAME, b""), Err(EINVAL));
    assert_eq!(o.set(ZMQ_PLAIN_PASSWORD, &[b'p'; 256]), Err(EINVAL));
    o.set_raw(ZMQ_PLAIN_USERNAME, None).unwrap();
    assert_eq!(get_int(&o, ZMQ_MECHANISM), Ok(ZMQ_NULL));
    assert_eq!(
        get_bytes(&o, ZMQ_PLAIN_USERNAME, 64),
        Ok(b"admin\0".to_vec())
    );
    o.set(ZMQ_PLAIN_SERVER, &int(0)).unwrap();
    assert_eq!(get_int(&o, ZMQ_MECHANISM), Ok(ZMQ_NULL));
    assert_eq!(o.set(ZMQ_PLAIN_SERVER, &int(2)), Err(EINVAL));
}

fn sample_key() -> [u8; 32] {
    std::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(5))
}

#[test]
fn curve_keys_accept_binary_and_z85_and_return_both() {
    let key = sample_key();
    let z85 = z85_encode(&key);
    assert_eq!(z85.len(), 40);
    for option in [
        ZMQ_CURVE_PUBLICKEY,
        ZMQ_CURVE_SECRETKEY,
        ZMQ_CURVE_SERVERKEY,
    ] {
        let mut z85_nul = z85.clone();
        z85_nul.push(0);
        for value in [&key[..], &z85, &z85_nul] {
            let mut o = pair();
            o.set(option, value).unwrap();
            assert_eq!(get_int(&o, ZMQ_MECHANISM), Ok(ZMQ_CURVE));
            assert_eq!(get_bytes(&o, option, 32), Ok(key.to_vec()));
            let mut text = [0xaau8; 41];
            assert_eq!(o.get(option, &mut text), Ok(41));
            assert_eq!((&text[..40], text[40]), (&z85[..], 0));
            for len in [0, 31, 33, 40, 42] {
                assert_eq!(o.get(option, &mut vec![0u8; len]), Err(EINVAL), "len {len}");
            }
        }
    }
}

#[test]
fn curve_key_defaults_to_zeros_and_refuses_bad_input() {
    let mut o = pair();
    assert_eq!(get_bytes(&o, ZMQ_CURVE_SERVERKEY, 32), Ok(vec![0; 32]));
    let mut bad = z85_encode(&sample_key());
    bad[7] = b'~';
    for value in [&bad[..], &[1u8; 31], &[1u8; 33], b""] {
        assert_eq!(o.set(ZMQ_CURVE_PUBLICKEY, value), Err(EINVAL));
    }
    assert_eq!(o.set_raw(ZMQ_CURVE_SECRETKEY, None), Err(EINVAL));
    assert_eq!(get_int(&o, ZMQ_MECHANISM), Ok(ZMQ_NULL));
    // 41 bytes without a terminating NUL is 41 characters of Z85: invalid.
    let mut long = z85_encode(&sample_key());
    long.push(b'0');
    assert_eq!(o.set(ZMQ_CURVE_PUBLICKEY, &long), Err(EINVAL));
}

#[test]
fn curve_z85_key_is_read_up_to_its_first_nul_like_c() {
    // libzmq decodes the C string, so 20 characters + NUL in a 41-byte
    // value replace only the first 16 bytes of the key.
    let mut o = pair();
    o.set(ZMQ_CURVE_PUBLICKEY, &[0xee; 32]).unwrap();
    let mut value = z85_encode(&[1u8; 16]);
    value.resize(41, 0);
    o.set(ZMQ_CURVE_PUBLICKEY, &value).unwrap();
    assert_eq!(o.curve_public_key[..16], [1; 16]);
    assert_eq!(o.curve_public_key[16..], [0xee; 16]);
}

#[test]
fn curve_server_flag_follows_the_mechanism() {
    let mut o = pair();
    o.set(ZMQ_CURVE_SERVER, &int(1)).unwrap();
    assert_eq!(
        (get_int(&o, ZMQ_CURVE_SERVER), get_int(&o, ZMQ_MECHANISM)),
        (Ok(1), Ok(2))
    );
    o.set(ZMQ_CURVE_SECRETKEY, &sample_key()).unwrap();
    assert_eq!(
        get_int(&o, ZMQ_CURVE_SERVER),
        Ok(1),
        "secret key keeps the role"
    );
    o.set(ZMQ_CURVE_SERVERKEY, &sample_key()).unwrap();
    assert_eq!(
        get_int(&o, ZMQ_CURVE_SERVER),
        Ok(0),
        "server key makes a client"
    );
    o.set(ZMQ_CURVE_SERVER, &int(1)).unwrap();
    o.set(ZMQ_PLAIN_USERNAME, b"u").unwrap();
    assert_eq!(get_int(&o, ZMQ_CURVE_SERVER), Ok(0));
    o.set(ZMQ_CURVE_SERVER, &int(0)).unwrap();
    assert_eq!(get_int(&o, ZMQ_MECHANISM), Ok(ZMQ_NULL));
}

#[test]
fn options_of_features_the_reference_does_not_build_are_einval() {
    // libzmq 4.3.5 built without Kerberos, NORM or TLS: its options.cpp
    // compiles these cases out, so set and get fall to EINVAL.
    let unbuilt = [
        ZMQ_GSSAPI_SERVER,
        ZMQ_GSSAPI_PRINCIPAL,
        ZMQ_GSSAPI_SERVICE_PRINCIPAL,
        ZMQ_GSSAPI_PLAINTEXT,
        ZMQ_GSSAPI_PRINCIPAL_NAMETYPE,
        ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE,
        ZMQ_NORM_MODE,
        ZMQ_NORM_UNICAST_NACK,
        ZMQ_NORM_BUFFER_SIZE,
        ZMQ_NORM_SEGMENT_SIZE,
        ZMQ_NORM_BLOCK_SIZE,
        ZMQ_NORM_NUM_PARITY,
        ZMQ_NORM_NUM_AUTOPARITY,
        ZMQ_NORM_PUSH,
    ];
    let mut o = pair();
    for option in unbuilt {
        assert_eq!(o.set(option, &int(1)), Err(EINVAL), "set {option}");
        assert_eq!(o.get(option, &mut [0u8; 64]), Err(EINVAL), "get {option}");
    }
    assert_eq!(get_int(&o, ZMQ_MECHANISM), Ok(ZMQ_NULL));
}

#[test]
fn wss_options_are_set_only_as_in_libzmq() {
    let mut o = pair();
    for option in [
        ZMQ_WSS_KEY_PEM,
        ZMQ_WSS_CERT_PEM,
        ZMQ_WSS_TRUST_PEM,
        ZMQ_WSS_HOSTNAME,
    ] {
        assert_eq!(o.set(option, b"text"), Ok(()), "set {option}");
        assert_eq!(o.get(option, &mut [0u8; 64]), Err(EINVAL), "get {option}");
    }
    assert_eq!(o.wss_hostname, b"text");
    assert_eq!(o.set(ZMQ_WSS_TRUST_SYSTEM, &int(1)), Ok(()));
    assert!(o.wss_trust_system);
    // A strict boolean, as libzmq's do_setsockopt_int_as_bool_strict.
    assert_eq!(o.set(ZMQ_WSS_TRUST_SYSTEM, &int(2)), Err(EINVAL));
}

#[test]
fn metadata_takes_x_prefixed_name_colon_value() {
    let mut o = pair();
    o.set(ZMQ_METADATA, b"X-key:value").unwrap();
    o.set(ZMQ_METADATA, b"X-key:other").unwrap();
    o.set(ZMQ_METADATA, b"X-:a:b").unwrap();
    assert_eq!(
        o.app_metadata.get(&b"X-key"[..]),
        Some(&b"value".to_vec()),
        "first wins"
    );
    assert_eq!(o.app_metadata.get(&b"X-"[..]), Some(&b"a:b".to_vec()));
    let mut long_name = b"X-".to_vec();
    long_name.resize(256, b'n');
    long_name.extend_from_slice(b":v");
    let refused: [&[u8]; 8] = [
        b"",
        b"key:value",
        b"x-key:value",
        b"X-key:",
        b":value",
        b"X-novalue",
        b"X-:a",
        &long_name,
    ];
    for value in refused {
        assert_eq!(o.set(ZMQ_METADATA, value), Err(EINVAL), "{value:?}");
    }
    assert_eq!(o.set_raw(ZMQ_METADATA, None), Err(EINVAL));
    long_name.drain(3..4);
    o.set(ZMQ_METADATA, &long_name).unwrap();
    assert_eq!(
        o.get(ZMQ_METADATA, &mut [0u8; 64]),
        Err(EINVAL),
        "write-only"
    );
}

#[test]
fn tcp_accept_filter_parses_appends_and_clears_with_null() {
    let mut o = pair();
    for bad in [
        "foo",
        "0.0.0.0foo",
        "0.0.0.0/foo",
        "0.0.0.0/",
        "0.0.0.0/-1",
        "0.0.0.0/33",
    ] {
        assert_eq!(
            o.set(ZMQ_TCP_ACCEPT_FILTER, bad.as_bytes()),
            Err(EINVAL),
            "{bad}"
        );
    }
    assert_eq!(o.set(ZMQ_TCP_ACCEPT_FILTER, b""), Err(EINVAL));
    assert_eq!(o.set(ZMQ_TCP_ACCEPT_FILTER, b"\0"), Err(EINVAL));
    assert_eq!(o.set(ZMQ_TCP_ACCEPT_FILTER, &[b'1'; 256]), Err(EINVAL));
    o.set(ZMQ_TCP_ACCEPT_FILTER, b"127.0.0.255/32").unwrap();
    o.set(ZMQ_IPV6, &int(1)).unwrap();
    o.set(ZMQ_TCP_ACCEPT_FILTER, b"10.0.0.0/8").unwrap();
    let nets: Vec<_> = o
        .tcp_accept_filters
        .iter()
        .map(|f| f.network.to_string())
        .collect();
    assert_eq!(
        nets,
        ["127.0.0.255", "::ffff:10.0.0.0"],
        "IPV6 applies at set time"
    );
    assert_eq!(o.get(ZMQ_TCP_ACCEPT_FILTER, &mut [0u8; 64]), Err(EINVAL));
    o.set_raw(ZMQ_TCP_ACCEPT_FILTER, None).unwrap();
    assert!(o.tcp_accept_filters.is_empty());
}

#[test]
fn ipc_filters_add_ids_and_clear_with_null() {
    let mut o = pair();
    o.set(ZMQ_IPC_FILTER_UID, &1000u32.to_ne_bytes()).unwrap();
    o.set(ZMQ_IPC_FILTER_UID, &1000u32.to_ne_bytes()).unwrap();
    o.set(ZMQ_IPC_FILTER_GID, &7u32.to_ne_bytes()).unwrap();
    o.set(ZMQ_IPC_FILTER_PID, &int(42)).unwrap();
    assert_eq!(
        o.ipc_uid_accept_filters.iter().copied().collect::<Vec<_>>(),
        [1000]
    );
    assert!(o.ipc_gid_accept_filters.contains(&7) && o.ipc_pid_accept_filters.contains(&42));
    for option in [ZMQ_IPC_FILTER_UID, ZMQ_IPC_FILTER_GID, ZMQ_IPC_FILTER_PID] {
        assert_eq!(o.set(option, &[0u8; 8]), Err(EINVAL));
        assert_eq!(o.set(option, b""), Err(EINVAL));
        assert_eq!(o.get(option, &mut [0u8; 4]), Err(EINVAL), "write-only");
        o.set_raw(option, None).unwrap();
    }
    assert!(o.ipc_uid_accept_filters.is_empty() && o.ipc_pid_accept_filters.is_empty());
}

#[test]
fn hello_disconnect_hiccup_messages_are_write_only_bytes() {
    for option in [ZMQ_HELLO_MSG, ZMQ_DISCONNECT_MSG, ZMQ_HICCUP_MSG] {
        let mut o = Options::new(ZMQ_ROUTER);
        o.set(option, b"\0hi").unwrap();
        let stored = match option {
            ZMQ_HELLO_MSG => &o.hello_msg,
            ZMQ_DISCONNECT_MSG => &o.disconnect_msg,
            _ => &o.hiccup_msg,
        };
        assert_eq!(stored, b"\0hi");
        assert_eq!(o.get(option, &mut [0u8; 16]), Err(EINVAL));
        o.set_raw(option, None).unwrap();
        o.set(option, b"").unwrap();
    }
}

#[test]
fn busy_poll_is_written_but_reported_as_einval_like_libzmq() {
    let mut o = pair();
    o.set(ZMQ_BUSY_POLL, &int(-5)).unwrap();
    assert_eq!(o.busy_poll, -5);
    let mut buf = [0u8; 4];
    assert_eq!(o.get(ZMQ_BUSY_POLL, &mut buf), Err(EINVAL));
    assert_eq!(i32::from_ne_bytes(buf), -5);
}

#[test]
fn pattern_and_socket_level_options_are_refused_here() {
    let patterns = [
        ZMQ_SUBSCRIBE,
        ZMQ_UNSUBSCRIBE,
        ZMQ_ROUTER_MANDATORY,
        ZMQ_ROUTER_RAW,
        ZMQ_ROUTER_HANDOVER,
        ZMQ_ROUTER_NOTIFY,
        ZMQ_PROBE_ROUTER,
        ZMQ_REQ_CORRELATE,
        ZMQ_REQ_RELAXED,
        ZMQ_CONNECT_ROUTING_ID,
        ZMQ_STREAM_NOTIFY,
        ZMQ_XPUB_VERBOSE,
        ZMQ_XPUB_VERBOSER,
        ZMQ_XPUB_NODROP,
        ZMQ_XPUB_MANUAL,
        ZMQ_XPUB_MANUAL_LAST_VALUE,
        ZMQ_XPUB_WELCOME_MSG,
        ZMQ_ONLY_FIRST_SUBSCRIBE,
        ZMQ_XSUB_VERBOSE_UNSUBSCRIBE,
        ZMQ_TOPICS_COUNT,
    ];
    let sockets = [
        ZMQ_RCVMORE,
        ZMQ_FD,
        ZMQ_EVENTS,
        ZMQ_LAST_ENDPOINT,
        ZMQ_THREAD_SAFE,
    ];
    let mut o = Options::new(ZMQ_ROUTER);
    for option in patterns {
        assert!(is_pattern_option(option) && !is_socket_level_option(option));
        assert_eq!(o.set(option, &int(1)), Err(EINVAL), "set {option}");
        if option != ZMQ_ROUTER_NOTIFY {
            assert_eq!(o.get(option, &mut [0u8; 4]), Err(EINVAL), "get {option}");
        }
    }
    for option in sockets {
        assert!(is_socket_level_option(option) && !is_pattern_option(option));
        assert_eq!(o.set(option, &int(1)), Err(EINVAL));
        assert_eq!(o.get(option, &mut [0u8; 4]), Err(EINVAL));
    }
    assert!(!is_pattern_option(ZMQ_TYPE) && !is_socket_level_option(ZMQ_TYPE));
}

#[test]
fn router_notify_is_set_by_the_router_and_read_by_everyone() {
    // upstream test_router_notify: non-routers read 0.
    let dealer = Options::new(ZMQ_DEALER);
    assert_eq!(get_int(&dealer, ZMQ_ROUTER_NOTIFY), Ok(0));
    let mut router = Options::new(ZMQ_ROUTER);
    for bad in [-1, 4] {
        assert_eq!(router.set_router_notify(&int(bad)), Err(EINVAL));
    }
    assert_eq!(router.set_router_notify(&[3, 0]), Err(EINVAL));
    router
        .set_router_notify(&int(ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT))
        .unwrap();
    assert_eq!(get_int(&router, ZMQ_ROUTER_NOTIFY), Ok(3));
}

#[test]
fn stream_notify_and_router_raw_helpers_update_shared_options() {
    let mut stream = Options::new(ZMQ_STREAM);
    assert_eq!(stream.set_stream_notify(&int(2)), Err(EINVAL));
    stream.set_stream_notify(&int(0)).unwrap();
    assert!(!stream.raw_notify);
    let mut router = Options::new(ZMQ_ROUTER);
    router.enable_router_raw();
    assert!(router.raw_socket && !router.recv_routing_id);
}

#[test]
fn unknown_options_are_einval() {
    let mut o = pair();
    for option in [
        -1, 0, 1, 2, 3, 10, 20, 26, 29, 30, 67, 70, 82, 83, 125, 1000,
    ] {
        assert_eq!(o.set(option, &int(1)), Err(EINVAL), "set {option}");
        assert_eq!(o.get(option, &mut [0u8; 4]), Err(EINVAL), "get {option}");
    }
    // VMCI is not built.
    assert_eq!(o.set(ZMQ_VMCI_CONNECT_TIMEOUT, &int(1)), Err(EINVAL));
}

#[test]
fn conflate_is_stored_for_all_but_effective_for_some() {
    for (t, effective) in [
        (ZMQ_DEALER, true),
        (ZMQ_SUB, true),
        (ZMQ_ROUTER, false),
        (ZMQ_XPUB, false),
    ] {
        let mut o = Options::new(t);
        o.set(ZMQ_CONFLATE, &int(1)).unwrap();
        assert_eq!(get_int(&o, ZMQ_CONFLATE), Ok(1));
        assert_eq!(o.effective_conflate(), effective, "type {t}");
    }
}
