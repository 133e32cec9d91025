//! ZMTP command bodies and metadata properties (rfc-23, rfc-37, rfc-24).
//!
//! A command body is a name-length byte, the name, and command data. The
//! handshake commands carry metadata: a list of properties, each a
//! name-length byte, the name, a 4-byte big-endian value length and the
//! value. Parsing follows libzmq's `mechanism_t::parse_metadata`: names are
//! not validated, a duplicate keeps its first value, and any truncated
//! property is an error.

use crate::msg::{flags, Msg};
use crate::options::consts::*;
use crate::options::Options;

pub const READY: &[u8] = b"\x05READY";
pub const ERROR: &[u8] = b"\x05ERROR";
pub const HELLO: &[u8] = b"\x05HELLO";
pub const WELCOME: &[u8] = b"\x07WELCOME";
pub const INITIATE: &[u8] = b"\x08INITIATE";
pub const PING: &[u8] = b"\x04PING";
pub const PONG: &[u8] = b"\x04PONG";
/// RADIO/DISH group membership (rfc-48 over ZMTP, as libzmq's sessions).
pub const JOIN: &[u8] = b"\x04JOIN";
pub const LEAVE: &[u8] = b"\x05LEAVE";

/// The longest PING context echoed in a PONG.
pub const PING_MAX_CONTEXT: usize = 16;

pub const PROPERTY_SOCKET_TYPE: &str = "Socket-Type";
pub const PROPERTY_IDENTITY: &str = "Identity";
pub const PROPERTY_USER_ID: &str = "User-Id";
pub const PROPERTY_PEER_ADDRESS: &str = "Peer-Address";
/// libzmq's private property behind the deprecated `ZMQ_SRCFD`.
pub const PROPERTY_FD: &str = "__fd";

/// A command message with the given body parts.
pub fn command(parts: &[&[u8]]) -> Msg {
    let len = parts.iter().map(|p| p.len()).sum();
    let mut m = Msg::with_size(len).unwrap_or_else(|_| Msg::new());
    let mut at = 0;
    let data = m.data_mut();
    for p in parts {
        data[at..at + p.len()].copy_from_slice(p);
        at += p.len();
    }
    m.set_flags(flags::COMMAND);
    m
}

/// The command's name, when the body is well formed enough to have one.
pub fn name(body: &[u8]) -> Option<&[u8]> {
    let n = *body.first()? as usize;
    body.get(1..1 + n)
}

/// A PING: TTL in deciseconds and a context (none from libzmq).
pub fn ping(ttl: u16, context: &[u8]) -> Msg {
    command(&[PING, &ttl.to_be_bytes(), context])
}

/// The TTL (deciseconds) and context of a received PING body. libzmq
/// reads past a short PING; we read missing bytes as absent.
pub fn parse_ping(body: &[u8]) -> (u16, &[u8]) {
    let rest = body.get(PING.len()..).unwrap_or(&[]);
    let ttl = match rest {
        [a, b, ..] => u16::from_be_bytes([*a, *b]),
        _ => 0,
    };
    let ctx = rest.get(2..).unwrap_or(&[]);
    (ttl, &ctx[..ctx.len().min(PING_MAX_CONTEXT)])
}

/// An ERROR command with a reason (libzmq sends a ZAP status code).
pub fn error(reason: &[u8]) -> Msg {
    let reason = &reason[..reason.len().min(255)];
    command(&[ERROR, &[reason.len() as u8], reason])
}

/// Appends one property.
pub fn put_property(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    let name = &name[..name.len().min(255)];
    out.push(name.len() as u8);
    out.extend_from_slice(name);
    out.extend_from_slice(&(value.len() as u32).to_be_bytes());
    out.extend_from_slice(value);
}

/// libzmq's `socket_type_string`.
pub fn socket_type_name(socket_type: i32) -> &'static str {
    match socket_type {
        ZMQ_PAIR => "PAIR",
        ZMQ_PUB => "PUB",
        ZMQ_SUB => "SUB",
        ZMQ_REQ => "REQ",
        ZMQ_REP => "REP",
        ZMQ_DEALER => "DEALER",
        ZMQ_ROUTER => "ROUTER",
        ZMQ_PULL => "PULL",
        ZMQ_PUSH => "PUSH",
        ZMQ_XPUB => "XPUB",
        ZMQ_XSUB => "XSUB",
        ZMQ_STREAM => "STREAM",
        ZMQ_SERVER => "SERVER",
        ZMQ_CLIENT => "CLIENT",
        ZMQ_RADIO => "RADIO",
        ZMQ_DISH => "DISH",
        ZMQ_GATHER => "GATHER",
        ZMQ_SCATTER => "SCATTER",
        ZMQ_DGRAM => "DGRAM",
        ZMQ_PEER => "PEER",
        ZMQ_CHANNEL => "CHANNEL",
        _ => "",
    }
}

/// libzmq's `mechanism_t::check_socket_type`: whether a peer announcing
/// `peer` may talk to a socket of type `ours`.
pub fn compatible_socket_type(ours: i32, peer: &[u8]) -> bool {
    let ok: &[&str] = match ours {
        ZMQ_REQ => &["REP", "ROUTER"],
        ZMQ_REP => &["REQ", "DEALER"],
        ZMQ_DEALER => &["REP", "DEALER", "ROUTER"],
        ZMQ_ROUTER => &["REQ", "DEALER", "ROUTER"],
        ZMQ_PUSH => &["PULL"],
        ZMQ_PULL => &["PUSH"],
        ZMQ_PUB | ZMQ_XPUB => &["SUB", "XSUB"],
        ZMQ_SUB | ZMQ_XSUB => &["PUB", "XPUB"],
        ZMQ_PAIR => &["PAIR"],
        ZMQ_SERVER => &["CLIENT"],
        ZMQ_CLIENT => &["SERVER"],
        ZMQ_RADIO => &["DISH"],
        ZMQ_DISH => &["RADIO"],
        ZMQ_GATHER => &["SCATTER"],
        ZMQ_SCATTER => &["GATHER"],
        ZMQ_DGRAM => &["DGRAM"],
        ZMQ_PEER => &["PEER"],
        ZMQ_CHANNEL => &["CHANNEL"],
        _ => &[],
    };
    ok.iter().any(|t| t.as_bytes() == peer)
}

/// libzmq's `add_basic_properties`: Socket-Type, Identity for REQ, DEALER
/// and ROUTER, then the `ZMQ_METADATA` properties in name order, each
/// value cut at its first NUL (libzmq stores them as C strings).
pub fn basic_properties(options: &Options) -> Vec<u8> {
    let (socket_type, routing_id) = (options.socket_type, &options.routing_id[..]);
    let mut out = Vec::with_capacity(64);
    put_property(
        &mut out,
        PROPERTY_SOCKET_TYPE.as_bytes(),
        socket_type_name(socket_type).as_bytes(),
    );
    if matches!(socket_type, ZMQ_REQ | ZMQ_DEALER | ZMQ_ROUTER) {
        put_property(&mut out, PROPERTY_IDENTITY.as_bytes(), routing_id);
    }
    for (name, value) in &options.app_metadata {
        let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
        put_property(&mut out, name, &value[..end]);
    }
    out
}

/// A property: name and value.
pub type Property<'a> = (&'a [u8], &'a [u8]);

/// The properties of a metadata block, in order, as libzmq's
/// `parse_metadata` reads them: a property cut short ends the block, and
/// only bytes left over after what could be read of it are an error
/// (`None`, libzmq's `EPROTO`). So a last property cut right after its
/// name, or right after a value length that runs past the block, is
/// dropped without error: libzmq accepts such a READY or INITIATE, and so
/// must we (found by tests/differential).
#[cfg(test)]
pub fn parse_properties(data: &[u8]) -> Option<Vec<Property<'_>>> {
    let (props, complete) = read_properties(data);
    complete.then_some(props)
}

/// The properties [`parse_properties`] reads, and whether the block is
/// well formed: libzmq looks at each property (the socket type check) as
/// it reads it, before it finds bytes left over.
pub fn read_properties(mut data: &[u8]) -> (Vec<Property<'_>>, bool) {
    let mut props = Vec::new();
    while data.len() > 1 {
        let name_len = data[0] as usize;
        data = &data[1..];
        let Some(name) = data.get(..name_len) else {
            break;
        };
        data = &data[name_len..];
        let Some(len) = data.get(..4) else { break };
        let value_len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        data = &data[4..];
        let Some(value) = data.get(..value_len) else {
            break;
        };
        data = &data[value_len..];
        props.push((name, value));
    }
    (props, data.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_round_trip() {
        let mut b = Vec::new();
        put_property(&mut b, b"Socket-Type", b"DEALER");
        put_property(&mut b, b"Identity", b"");
        put_property(&mut b, b"X-Long", &[b'v'; 300]);
        assert_eq!(&b[..12], b"\x0bSocket-Type");
        assert_eq!(&b[12..16], &[0, 0, 0, 6]);
        let p = parse_properties(&b).unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p[0], (&b"Socket-Type"[..], &b"DEALER"[..]));
        assert_eq!(p[1], (&b"Identity"[..], &b""[..]));
        assert_eq!(p[2].1.len(), 300);
    }

    #[test]
    fn truncated_metadata_is_rejected_unless_nothing_is_left_over() {
        let mut b = Vec::new();
        put_property(&mut b, b"Identity", b"");
        let whole = b.len();
        put_property(&mut b, b"Socket-Type", b"PAIR");
        // libzmq reads on until a property is cut short and fails only if
        // bytes remain past what it read: a cut right after the name (no
        // room for the value length) or right after the value length.
        let (after_name, after_len) = (whole + 12, whole + 16);
        for cut in whole + 1..b.len() {
            let got = parse_properties(&b[..cut]);
            if cut == after_name || cut == after_len {
                assert_eq!(got.unwrap(), [(&b"Identity"[..], &b""[..])], "cut at {cut}");
            } else {
                assert!(got.is_none(), "cut at {cut}");
            }
        }
        assert!(parse_properties(&[]).unwrap().is_empty());
        assert!(parse_properties(&[7]).is_none(), "one byte is left over");
        // An empty name with an empty value is a valid property.
        assert_eq!(parse_properties(&[0, 0, 0, 0, 0]).unwrap().len(), 1);
        // A value length beyond the block, nothing after it.
        assert!(parse_properties(&[1, b'a', 0xff, 0xff, 0xff, 0xff])
            .unwrap()
            .is_empty());
        assert!(parse_properties(&[1, b'a', 0, 0, 0, 2, b'v']).is_none());
    }

    #[test]
    fn socket_type_table_is_libzmqs() {
        assert!(compatible_socket_type(ZMQ_REQ, b"ROUTER"));
        assert!(!compatible_socket_type(ZMQ_REQ, b"DEALER"));
        assert!(compatible_socket_type(ZMQ_DEALER, b"DEALER"));
        assert!(compatible_socket_type(ZMQ_XPUB, b"XSUB"));
        assert!(!compatible_socket_type(ZMQ_PUB, b"PUB"));
        assert!(!compatible_socket_type(ZMQ_PAIR, b"pair"));
        assert!(!compatible_socket_type(ZMQ_STREAM, b"STREAM"));
        assert!(compatible_socket_type(ZMQ_CLIENT, b"SERVER"));
    }

    #[test]
    fn basic_properties_name_identity_only_for_request_routing_types() {
        let mut o = Options::new(ZMQ_DEALER);
        o.routing_id = b"id".to_vec();
        o.app_metadata
            .insert(b"X-Hello".to_vec(), b"World\0cut".to_vec());
        let p = basic_properties(&o);
        let parsed = parse_properties(&p).unwrap();
        assert_eq!(parsed[1], (&b"Identity"[..], &b"id"[..]));
        assert_eq!(parsed[2], (&b"X-Hello"[..], &b"World"[..]));
        let mut o = Options::new(ZMQ_PUB);
        o.routing_id = b"id".to_vec();
        let p = basic_properties(&o);
        assert_eq!(parse_properties(&p).unwrap().len(), 1);
    }

    #[test]
    fn ping_fields_and_short_pings() {
        let m = ping(0x0102, b"ctx");
        assert_eq!(m.data(), b"\x04PING\x01\x02ctx");
        assert!(m.is_command());
        assert_eq!(parse_ping(m.data()), (0x0102, &b"ctx"[..]));
        assert_eq!(parse_ping(b"\x04PING"), (0, &b""[..]));
        assert_eq!(parse_ping(b"\x04PING\x01"), (0, &b""[..]));
        let long = [PING, &[0, 1], &[b'c'; 40]].concat();
        assert_eq!(parse_ping(&long).1.len(), PING_MAX_CONTEXT);
        assert_eq!(name(b"\x04PINGxx"), Some(&b"PING"[..]));
        assert_eq!(name(b"\x09PING"), None);
        assert_eq!(name(b""), None);
    }
}
