//! Messages through two engines: sizes, multipart, chunking, zero-copy
//! reads, back-pressure and MAXMSGSIZE.

use super::*;

fn connected() -> Pair {
    let mut p = Pair::new(&opts(ZMQ_PAIR), &opts(ZMQ_PAIR));
    p.run();
    p.a_events.clear();
    p.b_events.clear();
    p
}

fn body(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + n) as u8).collect()
}

const SIZES: [usize; 8] = [0, 1, 33, 34, 255, 256, 8192, 1 << 20];

#[test]
fn bodies_of_every_size_class_round_trip() {
    let mut p = connected();
    for n in SIZES {
        p.a.send(Msg::from_slice(&body(n))).unwrap();
        p.run();
    }
    let got = messages(&p.b_events);
    assert_eq!(got.len(), SIZES.len());
    for (m, n) in got.iter().zip(SIZES) {
        assert_eq!(m.data(), &body(n)[..], "size {n}");
        assert!(!m.has_more());
    }
}

#[test]
fn bodies_round_trip_byte_at_a_time() {
    let mut p = connected();
    p.chunk = 1;
    for n in [0, 1, 33, 34, 255, 256, 3000] {
        p.a.send(Msg::from_slice(&body(n))).unwrap();
    }
    p.run();
    let sizes: Vec<usize> = messages(&p.b_events).iter().map(|m| m.size()).collect();
    assert_eq!(sizes, [0, 1, 33, 34, 255, 256, 3000]);
}

#[test]
fn multipart_keeps_more_flags() {
    let mut p = connected();
    for (i, part) in [&b"a"[..], b"", &[9; 300]].iter().enumerate() {
        let mut m = Msg::from_slice(part);
        m.set_more(i < 2);
        p.a.send(m).unwrap();
    }
    p.run();
    let got = messages(&p.b_events);
    let more: Vec<bool> = got.iter().map(|m| m.has_more()).collect();
    assert_eq!(more, [true, true, false]);
    assert_eq!(got[2].size(), 300);
}

#[test]
fn large_bodies_are_read_into_the_message() {
    let mut p = connected();
    let big = body(1 << 20);
    p.a.send(Msg::from_slice(&big)).unwrap();
    let wire = output(&mut p.a);
    let now = p.now;
    let e = &mut p.b;
    let mut at = 0;
    let mut direct = 0;
    let mut got = None;
    while at < wire.len() {
        while let Some(ev) = e.poll_event() {
            if let Event::Message(m) = ev {
                got = Some(m);
            }
        }
        let buf = e.read_buf();
        if buf.len() > 8192 {
            direct += 1;
        }
        let n = buf.len().min(wire.len() - at).min(100_000);
        buf[..n].copy_from_slice(&wire[at..at + n]);
        e.advance_read(n, now);
        at += n;
    }
    if let Some(Event::Message(m)) = e.poll_event() {
        got = Some(m);
    }
    assert_eq!(got.unwrap().data(), &big[..]);
    assert!(direct >= 10, "the body was read in place ({direct} reads)");
}

#[test]
fn many_small_messages_leave_in_few_chunks() {
    let mut p = connected();
    let mut sent = 0;
    while p.a.can_send() {
        p.a.send(Msg::from_slice(b"0123456789")).unwrap();
        sent += 1;
    }
    assert_eq!(sent, 8192 / 12 + 1, "out_batch_size worth of frames");
    let mut chunks = [std::io::IoSlice::new(&[]); 8];
    assert_eq!(p.a.transmit_chunks(&mut chunks), 1);
    p.run();
    assert_eq!(messages(&p.b_events).len(), sent);
    assert!(p.a.can_send());
}

#[test]
fn decoding_waits_for_the_caller_to_take_events() {
    let mut p = connected();
    for i in 0..100u8 {
        p.a.send(Msg::from_slice(&[i])).unwrap();
    }
    let wire = output(&mut p.a);
    let now = p.now;
    assert_eq!(p.b.feed(&wire, now), wire.len());
    assert!(
        p.b.read_buf().is_empty(),
        "no reading until events are taken"
    );
    let first = p.b.poll_event();
    assert!(matches!(first, Some(Event::Message(ref m)) if m.data() == [0]));
    // The caller stops here (pipe full): nothing is lost, nothing is read.
    assert!(p.b.read_buf().is_empty());
    let rest: Vec<Event> = std::iter::from_fn(|| p.b.poll_event()).collect();
    assert_eq!(rest.len(), 99);
    assert!(!p.b.read_buf().is_empty());
}

#[test]
fn maxmsgsize_drops_the_connection_without_a_protocol_event() {
    let mut r = opts(ZMQ_PAIR);
    r.maxmsgsize = 100;
    let mut p = Pair::new(&opts(ZMQ_PAIR), &r);
    p.run();
    p.b_events.clear();
    p.a.send(Msg::from_slice(&[0; 100])).unwrap();
    p.a.send(Msg::from_slice(&[0; 101])).unwrap();
    p.a.send(Msg::from_slice(b"never")).unwrap();
    p.run();
    assert_eq!(names(&p.b_events)[1..], ["closed:Protocol"]);
    assert_eq!(messages(&p.b_events)[0].size(), 100);
    assert_eq!(closed(&p.b_events).unwrap().errno, libc::EMSGSIZE);
    assert!(p.b.read_buf().is_empty());
}

#[test]
fn maxmsgsize_applies_to_handshake_commands_too() {
    let mut r = opts(ZMQ_PAIR);
    r.maxmsgsize = 10;
    let mut p = Pair::new(&opts(ZMQ_PAIR), &r);
    p.run();
    assert_eq!(names(&p.b_events), ["closed:Protocol"]);
}
