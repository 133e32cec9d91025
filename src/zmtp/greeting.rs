//! The ZMTP greeting and the detection of ZMTP 1.0 and 2.0 peers, byte for
//! byte as libzmq 4.3.5 does it (rfc-23 "Detecting ZMTP 1.0 and 2.0 Peers").
//!
//! libzmq sends its greeting in three pieces, each only once it has seen
//! enough of the peer's:
//! 1. at once, a 10-byte pseudo-signature `FF <id-len + 1 as u64 BE> 7F`,
//!    which a ZMTP 1.0 peer reads as the header of our routing-id frame;
//! 2. after the peer's first 10 bytes prove it versioned, the major
//!    version `03`;
//! 3. after the peer's revision byte: for revision 0 or 1 (ZMTP 1.0/2.0
//!    with a version) our socket type byte, the end of a ZMTP 2.0 greeting;
//!    otherwise the rest of a ZMTP 3 greeting: minor version `01`, the
//!    mechanism name padded to 20 bytes, and 32 zero bytes (libzmq leaves
//!    the as-server flag at 0 whatever the role).
//!
//! A first byte other than `FF`, or a tenth byte with bit 0 clear, marks an
//! unversioned ZMTP 1.0 peer: what we have read of its greeting is in fact
//! its routing-id frame and goes to the ZMTP 1.0 decoder.

/// The pseudo-signature's length.
pub const SIGNATURE_SIZE: usize = 10;
/// Greeting length of ZMTP 1.0 (versioned) and 2.0 peers.
pub const V2_GREETING_SIZE: usize = 12;
/// Greeting length of ZMTP 3.x.
pub const V3_GREETING_SIZE: usize = 64;
/// Length of the mechanism field.
pub const MECHANISM_SIZE: usize = 20;

const REVISION_POS: usize = 10;
const MINOR_POS: usize = 11;
const MECHANISM_POS: usize = 12;

/// Revision byte values.
const ZMTP_1_0: u8 = 0;
const ZMTP_2_0: u8 = 1;
const ZMTP_3_X: u8 = 3;

/// The protocol spoken with a peer, decided by its greeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// ZMTP 1.0 without a greeting (libzmq 2.x): the peer's first bytes are
    /// its routing-id frame.
    V1Unversioned,
    /// A versioned greeting with revision 0: ZMTP 1.0 framing.
    V1,
    /// ZMTP 2.0 (revision 1): 2.0 framing, no mechanism, no commands.
    V2,
    /// ZMTP 3.0: subscriptions travel as `\x01`/`\x00`-prefixed messages.
    V3_0,
    /// ZMTP 3.1 (and any later revision): subscriptions are commands.
    V3_1,
}

impl Protocol {
    /// Whether the protocol has a security handshake (ZMTP 3.x).
    pub fn has_mechanism(self) -> bool {
        matches!(self, Protocol::V3_0 | Protocol::V3_1)
    }
}

/// Whether feeding the greeting finished it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    NeedMore,
    Done(Protocol),
}

/// The greeting exchange of one connection.
#[derive(Clone, Debug)]
pub struct Greeting {
    recv: [u8; V3_GREETING_SIZE],
    received: usize,
    /// How much of the peer's greeting we wait for: 12 until its revision
    /// says ZMTP 3, then 64.
    expected: usize,
    sent_major: bool,
    sent_rest: bool,
    socket_type: u8,
    mechanism: [u8; MECHANISM_SIZE],
}

impl Greeting {
    /// A greeting for a socket of `socket_type` using the mechanism called
    /// `mechanism` ("NULL", "PLAIN", "CURVE", "GSSAPI").
    pub fn new(socket_type: i32, mechanism: &[u8]) -> Greeting {
        let mut name = [0u8; MECHANISM_SIZE];
        let n = mechanism.len().min(MECHANISM_SIZE);
        name[..n].copy_from_slice(&mechanism[..n]);
        Greeting {
            recv: [0; V3_GREETING_SIZE],
            received: 0,
            expected: V2_GREETING_SIZE,
            sent_major: false,
            sent_rest: false,
            socket_type: socket_type as u8,
            mechanism: name,
        }
    }

    /// The first bytes to send, at once on connection: `FF`, the routing
    /// id's length plus one as a 64-bit big-endian number, `7F`.
    pub fn signature(routing_id_len: usize) -> [u8; SIGNATURE_SIZE] {
        let mut s = [0u8; SIGNATURE_SIZE];
        s[0] = 0xff;
        s[1..9].copy_from_slice(&(routing_id_len as u64 + 1).to_be_bytes());
        s[9] = 0x7f;
        s
    }

    /// Consumes peer bytes from `input` (never more than the greeting) and
    /// appends to `out` the parts of our greeting they unlock. Returns how
    /// many bytes were consumed and whether the greeting is complete.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> (usize, Progress) {
        let mut used = 0;
        while self.received < self.expected {
            if used == input.len() {
                return (used, Progress::NeedMore);
            }
            let n = (input.len() - used).min(self.expected - self.received);
            self.recv[self.received..self.received + n].copy_from_slice(&input[used..used + n]);
            self.received += n;
            used += n;
            // Not FF: a ZMTP 1.0 peer's short routing-id frame length.
            if self.recv[0] != 0xff {
                return (used, Progress::Done(Protocol::V1Unversioned));
            }
            if self.received < SIGNATURE_SIZE {
                continue;
            }
            // Bit 0 of the tenth byte is the flags byte of a ZMTP 1.0
            // frame with a long length: clear means an unversioned peer.
            if self.recv[9] & 0x01 == 0 {
                return (used, Progress::Done(Protocol::V1Unversioned));
            }
            self.versioned(out);
        }
        (used, Progress::Done(self.protocol()))
    }

    /// libzmq's `receive_greeting_versioned`.
    fn versioned(&mut self, out: &mut Vec<u8>) {
        if !self.sent_major {
            out.push(ZMTP_3_X);
            self.sent_major = true;
        }
        if self.received > SIGNATURE_SIZE && !self.sent_rest {
            self.sent_rest = true;
            let revision = self.recv[REVISION_POS];
            if revision == ZMTP_1_0 || revision == ZMTP_2_0 {
                out.push(self.socket_type);
            } else {
                out.push(1);
                out.extend_from_slice(&self.mechanism);
                out.extend_from_slice(&[0u8; 32]);
                self.expected = V3_GREETING_SIZE;
            }
        }
    }

    fn protocol(&self) -> Protocol {
        match self.recv[REVISION_POS] {
            ZMTP_1_0 => Protocol::V1,
            ZMTP_2_0 => Protocol::V2,
            ZMTP_3_X if self.recv[MINOR_POS] == 0 => Protocol::V3_0,
            _ => Protocol::V3_1,
        }
    }

    /// The peer's bytes read so far; for an unversioned peer, the start of
    /// its first frame, which the ZMTP 1.0 decoder must see.
    pub fn received(&self) -> &[u8] {
        &self.recv[..self.received]
    }

    /// The peer's mechanism field (ZMTP 3 greetings).
    pub fn peer_mechanism(&self) -> &[u8] {
        &self.recv[MECHANISM_POS..MECHANISM_POS + MECHANISM_SIZE]
    }

    /// Whether the peer's mechanism field is exactly `name` padded with
    /// zeros, the comparison libzmq makes.
    pub fn peer_mechanism_is(&self, name: &[u8]) -> bool {
        let field = self.peer_mechanism();
        name.len() <= MECHANISM_SIZE
            && field[..name.len()] == *name
            && field[name.len()..].iter().all(|&b| b == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v3_greeting(minor: u8, mechanism: &[u8]) -> Vec<u8> {
        let mut g = Greeting::signature(0).to_vec();
        g.push(3);
        g.push(minor);
        let mut m = [0u8; 20];
        m[..mechanism.len()].copy_from_slice(mechanism);
        g.extend_from_slice(&m);
        g.extend_from_slice(&[0u8; 32]);
        g
    }

    #[test]
    fn signature_carries_routing_id_length_plus_one() {
        assert_eq!(Greeting::signature(0), [0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f]);
        assert_eq!(Greeting::signature(300)[7..9], [0x01, 0x2d]);
    }

    #[test]
    fn two_greetings_negotiate_zmtp_3_1() {
        let (mut a, mut b) = (Greeting::new(5, b"NULL"), Greeting::new(6, b"NULL"));
        let (mut a_out, mut b_out) = (
            Greeting::signature(0).to_vec(),
            Greeting::signature(3).to_vec(),
        );
        let (mut a_seen, mut b_seen) = (0, 0);
        let (mut ra, mut rb) = (Progress::NeedMore, Progress::NeedMore);
        for _ in 0..4 {
            let (n, p) = a.feed(&b_out[b_seen..], &mut a_out);
            b_seen += n;
            ra = p;
            let (n, p) = b.feed(&a_out[a_seen..], &mut b_out);
            a_seen += n;
            rb = p;
        }
        assert_eq!(ra, Progress::Done(Protocol::V3_1));
        assert_eq!(rb, Progress::Done(Protocol::V3_1));
        assert_eq!(a_out.len(), 64);
        assert_eq!(a_out, v3_greeting(1, b"NULL"));
        assert!(b.peer_mechanism_is(b"NULL"));
        assert!(!b.peer_mechanism_is(b"NUL"));
        assert!(!b.peer_mechanism_is(b"PLAIN"));
    }

    #[test]
    fn greeting_is_sent_in_libzmq_pieces_when_fed_byte_by_byte() {
        let peer = v3_greeting(1, b"PLAIN");
        let mut g = Greeting::new(5, b"PLAIN");
        let mut out = Vec::new();
        for (i, byte) in peer.iter().enumerate() {
            let (n, p) = g.feed(std::slice::from_ref(byte), &mut out);
            assert_eq!(n, 1);
            match i {
                0..=8 => assert!(out.is_empty(), "nothing before the signature"),
                9 => assert_eq!(out, [3]),
                10..=62 => assert_eq!(out.len(), 54),
                _ => assert_eq!(p, Progress::Done(Protocol::V3_1)),
            }
        }
        assert_eq!(&out[2..7], b"PLAIN");
        assert!(g.peer_mechanism_is(b"PLAIN"));
    }

    #[test]
    fn feed_never_consumes_past_the_greeting() {
        let mut peer = v3_greeting(0, b"NULL");
        peer.extend_from_slice(b"\x04\x06\x05READY");
        let mut g = Greeting::new(1, b"NULL");
        let (n, p) = g.feed(&peer, &mut Vec::new());
        assert_eq!((n, p), (64, Progress::Done(Protocol::V3_0)));
    }

    #[test]
    fn revision_one_is_zmtp_2_and_gets_our_socket_type() {
        let mut peer = Greeting::signature(0).to_vec();
        peer.extend_from_slice(&[1, 5]);
        let mut g = Greeting::new(6, b"NULL");
        let mut out = Vec::new();
        assert_eq!(g.feed(&peer, &mut out), (12, Progress::Done(Protocol::V2)));
        assert_eq!(out, [3, 6]);
    }

    #[test]
    fn revision_zero_is_versioned_zmtp_1() {
        let mut peer = Greeting::signature(0).to_vec();
        peer.extend_from_slice(&[0, 5]);
        let mut out = Vec::new();
        let r = Greeting::new(6, b"NULL").feed(&peer, &mut out);
        assert_eq!(r, (12, Progress::Done(Protocol::V1)));
        assert_eq!(out, [3, 6]);
    }

    #[test]
    fn unknown_revisions_are_treated_as_zmtp_3_1() {
        for rev in [2u8, 4, 255] {
            let mut peer = v3_greeting(0, b"NULL");
            peer[10] = rev;
            let r = Greeting::new(6, b"NULL").feed(&peer, &mut Vec::new());
            assert_eq!(r, (64, Progress::Done(Protocol::V3_1)), "revision {rev}");
        }
    }

    #[test]
    fn short_first_byte_means_unversioned_zmtp_1() {
        // A ZMTP 1.0 routing-id frame: length 4 (flags + "abc").
        let peer = b"\x04\x00abc";
        let mut g = Greeting::new(1, b"NULL");
        let mut out = Vec::new();
        let (n, p) = g.feed(peer, &mut out);
        assert_eq!(p, Progress::Done(Protocol::V1Unversioned));
        assert_eq!(g.received(), &peer[..n]);
        assert!(out.is_empty(), "nothing more is sent to a ZMTP 1.0 peer");
    }

    #[test]
    fn long_frame_with_clear_flag_bit_means_unversioned_zmtp_1() {
        let mut peer = vec![0xff, 0, 0, 0, 0, 0, 0, 1, 0];
        peer.push(0x00);
        peer.extend_from_slice(&[b'x'; 5]);
        let mut g = Greeting::new(1, b"NULL");
        let mut out = Vec::new();
        let (n, p) = g.feed(&peer, &mut out);
        assert_eq!((n, p), (12, Progress::Done(Protocol::V1Unversioned)));
        assert_eq!(g.received(), &peer[..12]);
        assert!(out.is_empty());
    }
}
