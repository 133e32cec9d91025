//! Options as libzmq 4.3.5 answers them on each socket type, where the
//! socket (not `Options`) decides: the cases tests/options/expected.txt
//! found diverging.

use super::types::*;
use super::Socket;
use crate::ctx::Context;
use crate::msg::Msg;
use crate::options::consts::*;
use crate::{Error, Result};

/// What `zmq_getsockopt` leaves in a buffer of `size` bytes first filled
/// with 0xAA: the result and the whole buffer.
fn get(s: &mut Socket, option: i32, size: usize) -> (Result<usize>, Vec<u8>) {
    let mut buf = vec![0xAA; size];
    let r = s.get_option(option, &mut buf);
    (r, buf)
}

#[test]
fn last_endpoint_zeroes_the_rest_of_the_buffer() {
    let ctx = Context::new();
    let mut s = Socket::new(&ctx, PAIR).unwrap();
    assert_eq!(get(&mut s, ZMQ_LAST_ENDPOINT, 8), (Ok(1), vec![0; 8]));
    s.bind("inproc://last-endpoint").unwrap();
    let (r, buf) = get(&mut s, ZMQ_LAST_ENDPOINT, 64);
    assert_eq!(r, Ok(23));
    assert_eq!(&buf[..23], b"inproc://last-endpoint\0");
    assert!(buf[23..].iter().all(|&b| b == 0));
}

#[test]
fn connect_routing_id_takes_any_nonempty_length() {
    // libzmq's routing_socket_base_t stores any non-empty value; the
    // 255-byte limit is ZMQ_ROUTING_ID's, not this option's.
    let ctx = Context::new();
    for t in [ROUTER, REP, STREAM] {
        let mut s = Socket::new(&ctx, t).unwrap();
        assert_eq!(s.set_option(ZMQ_CONNECT_ROUTING_ID, &[b'x'; 300]), Ok(()));
        assert_eq!(
            s.set_option(ZMQ_CONNECT_ROUTING_ID, b""),
            Err(Error::EINVAL)
        );
    }
}

#[test]
fn xsub_verbose_unsubscribe_takes_any_length_and_value() {
    // libzmq reads an int from the value without looking at the length
    // or the sign.
    let ctx = Context::new();
    let mut xsub = Socket::new(&ctx, XSUB).unwrap();
    for value in [
        &[][..],
        &[1],
        &[0, 0, 0, 0, 0, 0, 0, 0],
        &(-1i32).to_ne_bytes(),
    ] {
        assert_eq!(xsub.set_option(ZMQ_XSUB_VERBOSE_UNSUBSCRIBE, value), Ok(()));
    }
    // SUB's own xsetsockopt knows only (UN)SUBSCRIBE.
    let mut sub = Socket::new(&ctx, SUB).unwrap();
    assert_eq!(
        sub.set_option(ZMQ_XSUB_VERBOSE_UNSUBSCRIBE, &1i32.to_ne_bytes()),
        Err(Error::EINVAL)
    );
}

#[test]
fn topics_count_is_written_into_any_large_enough_buffer() {
    let ctx = Context::new();
    for t in [PUB, SUB, XPUB, XSUB] {
        let mut s = Socket::new(&ctx, t).unwrap();
        assert_eq!(get(&mut s, ZMQ_TOPICS_COUNT, 4), (Ok(4), vec![0; 4]));
        assert_eq!(get(&mut s, ZMQ_TOPICS_COUNT, 8), (Ok(4), vec![0; 8]));
        assert_eq!(get(&mut s, ZMQ_TOPICS_COUNT, 3).0, Err(Error::EINVAL));
    }
    let mut sub = Socket::new(&ctx, SUB).unwrap();
    sub.set_option(ZMQ_SUBSCRIBE, b"topic").unwrap();
    let (r, buf) = get(&mut sub, ZMQ_TOPICS_COUNT, 256);
    assert_eq!(r, Ok(4));
    assert_eq!(&buf[..4], &1i32.to_ne_bytes());
    assert!(buf[4..].iter().all(|&b| b == 0));
    // Not an option of the other types.
    let mut pair = Socket::new(&ctx, PAIR).unwrap();
    assert_eq!(get(&mut pair, ZMQ_TOPICS_COUNT, 4).0, Err(Error::EINVAL));
}

#[test]
fn sub_topics_count_counts_every_subscription() {
    // A draft libzmq keeps (X)SUB subscriptions in a radix tree whose size
    // counts a topic subscribed twice twice; XPUB counts topics.
    let ctx = Context::new();
    let count = |s: &mut Socket| {
        let mut buf = [0; 4];
        s.get_option(ZMQ_TOPICS_COUNT, &mut buf).unwrap();
        i32::from_ne_bytes(buf)
    };
    let mut sub = Socket::new(&ctx, SUB).unwrap();
    let mut xsub = Socket::new(&ctx, XSUB).unwrap();
    let steps: [(&[u8], bool, i32); 5] = [
        (b"a", true, 1),
        (b"a", true, 2),
        (b"ab", true, 3),
        (b"a", true, 4),
        (b"a", false, 3),
    ];
    for (topic, subscribe, want) in steps {
        let option = if subscribe {
            ZMQ_SUBSCRIBE
        } else {
            ZMQ_UNSUBSCRIBE
        };
        sub.set_option(option, topic).unwrap();
        assert_eq!(count(&mut sub), want, "SUB after {topic:?}");
        let mut m = vec![u8::from(subscribe)];
        m.extend_from_slice(topic);
        xsub.send(&mut Msg::from_slice(&m), 0).unwrap();
        assert_eq!(count(&mut xsub), want, "XSUB after {topic:?}");
    }
}
