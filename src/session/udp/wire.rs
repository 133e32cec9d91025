//! What a udp datagram carries, as libzmq's `udp_engine_t` frames it.
//!
//! RADIO -> DISH: `[group length: 1 byte][group][body]`, one message per
//! datagram; no joins travel (a DISH filters by group itself). DGRAM: the
//! datagram is the body, and the peer's address travels beside it as a
//! frame of its own (see `transport::udp::peer_frame`).

use crate::msg::Msg;

/// Appends RADIO's datagram for a message of group `group` to `out`. A
/// message's group is at most 255 bytes, so its length fits the byte.
pub(crate) fn encode(group: &[u8], body: &[u8], out: &mut Vec<u8>) {
    out.reserve(1 + group.len() + body.len());
    out.push(group.len() as u8);
    out.extend_from_slice(group);
    out.extend_from_slice(body);
}

/// DISH's reading of a datagram: the body as a message with its group set.
/// `None` for a datagram libzmq drops: empty, or shorter than the group
/// length its first byte announces. The length byte is unsigned (libzmq
/// reads it through a signed `char`, which breaks its receiver for groups
/// of 128 bytes or more; its sender writes it unsigned, as we read it).
pub(crate) fn decode(datagram: &[u8]) -> Option<Msg> {
    let (&len, rest) = datagram.split_first()?;
    let len = usize::from(len);
    if rest.len() < len {
        return None;
    }
    let (group, body) = rest.split_at(len);
    let mut msg = Msg::from_slice(body);
    // At most 255 bytes: cannot fail. A NUL ends the name, as in C.
    msg.set_group(group).ok()?;
    Some(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(group: &[u8], body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        encode(group, body, &mut out);
        out
    }

    #[test]
    fn a_datagram_is_group_length_group_then_body() {
        assert_eq!(encoded(b"TV", b"Friends"), b"\x02TVFriends");
        assert_eq!(encoded(b"", b""), b"\x00");
        let long = vec![b'g'; 255];
        let d = encoded(&long, b"x");
        assert_eq!((d[0], d.len()), (255, 257));
    }

    #[test]
    fn decoding_gives_the_body_with_its_group() {
        for (group, body) in [
            (&b"TV"[..], &b"Friends"[..]),
            (b"", b""),
            (b"Movies", b""),
            (&[b'g'; 200][..], b"long group"),
            (&[b'L'; 255][..], &[7u8; 9000][..]),
        ] {
            let m = decode(&encoded(group, body)).unwrap();
            assert_eq!(m.group().to_bytes(), group);
            assert_eq!(m.data(), body);
            assert!(!m.has_more());
        }
    }

    #[test]
    fn malformed_datagrams_are_dropped() {
        // Empty.
        assert!(decode(b"").is_none());
        // The group runs past the end.
        assert!(decode(b"\x05TV").is_none());
        assert!(decode(b"\xff").is_none());
        assert!(decode(&[200u8; 150]).is_none());
        // Exactly the group, no body: a valid empty message.
        assert_eq!(decode(b"\x02TV").unwrap().data(), b"");
    }

    #[test]
    fn a_nul_in_the_group_ends_it_as_a_c_string_would() {
        let m = decode(b"\x04TV\0xbody").unwrap();
        assert_eq!(m.group().to_bytes(), b"TV");
        assert_eq!(m.data(), b"body");
    }
}
