//! Seeded random input: the engine must never panic, and must end either
//! waiting for more or closed.

use super::*;

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }

    /// Fewer than `max` random bytes.
    fn upto(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max);
        self.bytes(n)
    }
}

/// Plausible-looking pieces, so that random runs get past the greeting.
fn piece(rng: &mut Rng) -> Vec<u8> {
    match rng.below(11) {
        0 => greeting(
            rng.below(3) as u8,
            [&b"NULL"[..], b"PLAIN", b"CURVE"][rng.below(3)],
        ),
        1 => ready(&[(
            b"Socket-Type",
            [&b"ROUTER"[..], b"DEALER", b"PUB"][rng.below(3)],
        )]),
        2 => frame(4, &[&b"\x04PING"[..], &rng.upto(30)].concat()),
        3 => frame(4, &[&b"\x05ERROR"[..], &rng.upto(5)].concat()),
        4 => frame(4, &[&b"\x09SUBSCRIBE"[..], &rng.upto(5)].concat()),
        5 => frame(4, &[&b"\x05HELLO"[..], &rng.upto(8)].concat()),
        // CURVE-shaped commands of the right sizes, with random contents.
        8 => match rng.below(4) {
            0 => frame(4, &[&b"\x05HELLO\x01\x00"[..], &rng.bytes(192)].concat()),
            1 => frame(4, &[&b"\x07WELCOME"[..], &rng.bytes(160)].concat()),
            2 => frame(4, &[&b"\x05READY"[..], &rng.upto(60)].concat()),
            _ => frame(0, &[&b"\x07MESSAGE"[..], &rng.upto(60)].concat()),
        },
        6 => {
            let n = rng.below(300);
            [
                vec![(rng.below(8)) as u8 & !2, n.min(255) as u8],
                rng.bytes(n.min(255)),
            ]
            .concat()
        }
        7 => {
            let mut f = vec![2 | rng.below(8) as u8];
            f.extend_from_slice(&(rng.below(70_000) as u64).to_be_bytes());
            f
        }
        _ => rng.upto(64),
    }
}

fn run_case(seed: u64, socket_type: i32, mechanism: i32, as_server: bool) {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut o = opts(socket_type);
    o.mechanism = mechanism;
    o.as_server = as_server;
    if mechanism == ZMQ_CURVE {
        let secret = [7u8; 32];
        o.curve_secret_key = secret;
        o.curve_public_key = crate::zmtp::mechanism::curve::keys::public_key(&secret);
        o.curve_server_key = o.curve_public_key;
    }
    o.maxmsgsize = [-1, 0, 100, 65_536][rng.below(4)];
    o.in_batch_size = [1, 7, 64, 8192][rng.below(4)];
    o.heartbeat_interval = [0, 10][rng.below(2)];
    o.zap_domain = if rng.below(3) == 0 {
        b"d".to_vec()
    } else {
        Vec::new()
    };
    let mut now = Instant::now();
    let mut e = engine(&o, now);
    let mut input = Vec::new();
    for _ in 0..rng.below(12) + 1 {
        input.extend(piece(&mut rng));
    }
    let chunk = [1, 3, 17, 1000, usize::MAX][rng.below(5)];
    let mut at = 0;
    let mut steps = 0;
    while at < input.len() && !e.is_closed() {
        steps += 1;
        assert!(steps < 1_000_000, "no progress");
        while let Some(ev) = e.poll_event() {
            if let Event::ZapRequest(_) = ev {
                if rng.below(2) == 0 {
                    e.zap_unavailable();
                } else {
                    let frames: Vec<Msg> = (0..rng.below(9))
                        .map(|i| {
                            let mut m = Msg::from_slice([b"", &b"1.0"[..], b"1", b"200"][i % 4]);
                            m.set_more(rng.below(4) != 0);
                            m
                        })
                        .collect();
                    e.zap_reply(&frames);
                }
            }
        }
        if e.is_closed() {
            break;
        }
        let buf = e.read_buf();
        assert!(!buf.is_empty());
        let n = buf.len().min(input.len() - at).min(chunk);
        buf[..n].copy_from_slice(&input[at..at + n]);
        e.advance_read(n, now);
        at += n;
        if rng.below(8) == 0 {
            now += Duration::from_millis(rng.below(20) as u64);
            e.on_timeout(now);
        }
        if rng.below(4) == 0 {
            let _ = e.send(Msg::from_slice(&rng.upto(40)));
        }
        let mut out = Vec::new();
        e.take_transmit(&mut out);
    }
    while e.poll_event().is_some() {}
    e.connection_lost(libc::EPIPE);
    let last: Vec<Event> = std::iter::from_fn(|| e.poll_event()).collect();
    assert!(e.is_closed());
    assert!(last.len() <= 2, "closed exactly once");
}

#[test]
fn random_input_never_panics() {
    let types = [ZMQ_DEALER, ZMQ_ROUTER, ZMQ_PUB, ZMQ_SUB, ZMQ_XPUB, ZMQ_PAIR];
    for seed in 0..3000u64 {
        let t = types[seed as usize % types.len()];
        let (mech, server) = match seed % 7 {
            0 => (ZMQ_PLAIN, true),
            1 => (ZMQ_PLAIN, false),
            2 => (ZMQ_CURVE, true),
            3 => (ZMQ_CURVE, false),
            _ => (ZMQ_NULL, false),
        };
        run_case(seed, t, mech, server);
    }
}

#[test]
fn random_bytes_into_a_bare_decoder_never_panic() {
    let mut rng = Rng(0x1234_5678);
    for _ in 0..2000 {
        let framing = [Framing::V1, Framing::V2, Framing::V3_1][rng.below(3)];
        let mut d = Decoder::new(framing, 1 + rng.below(100), [-1, 10, 1000][rng.below(3)]);
        let input = rng.upto(400);
        let mut at = 0;
        loop {
            match d.decode() {
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(_) => break,
            }
            if at == input.len() {
                break;
            }
            let n = d.feed(&input[at..(at + 1 + rng.below(50)).min(input.len())]);
            assert!(n > 0);
            at += n;
        }
    }
}

/// One random injury to one frame of a real CURVE handshake (or the first
/// messages after it): flipped byte, cut, random bytes, dropped, doubled.
fn damage(rng: &mut Rng, body: Vec<u8>) -> Vec<Vec<u8>> {
    let mut b = body;
    match rng.below(6) {
        0 if !b.is_empty() => {
            let i = rng.below(b.len());
            b[i] ^= 1 << rng.below(8);
            vec![b]
        }
        1 => {
            let n = rng.below(b.len() + 1);
            b.truncate(n);
            vec![b]
        }
        2 => {
            let n = b.len();
            vec![rng.bytes(n)]
        }
        3 => vec![],
        4 => vec![b.clone(), b],
        _ => {
            b.extend(rng.upto(20));
            vec![b]
        }
    }
}

#[test]
fn damaged_curve_handshakes_never_panic() {
    use super::curve::{curve_client, curve_server, keys, Mitm};
    let k = keys();
    for seed in 0..120u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let mut m = Mitm::new(&curve_client(&k), &curve_server(&k));
        m.chunk = [1, 2, 5, 64, usize::MAX][rng.below(5)];
        let target = rng.below(4);
        let mut hurt = Rng(rng.next() | 1);
        let filter: super::curve::Filter = Box::new(move |i, f, b| {
            if i == target {
                damage(&mut hurt, b).into_iter().map(|b| (f, b)).collect()
            } else {
                vec![(f, b)]
            }
        });
        if rng.below(2) == 0 {
            m.up.filter = filter;
        } else {
            m.down.filter = filter;
        }
        m.run();
        for _ in 0..3 {
            let _ = m.c.send(Msg::from_slice(&rng.upto(50)));
            let _ = m.s.send(Msg::from_slice(&rng.upto(50)));
        }
        m.run();
        m.advance(40_000);
        for e in [&mut m.c, &mut m.s] {
            assert!(e.is_closed() || e.is_ready(), "seed {seed}: stuck half way");
        }
    }
}
