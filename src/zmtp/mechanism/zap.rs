//! ZAP (rfc-27): the request a mechanism sends to the authentication
//! handler at `inproc://zeromq.zap.01`, and the checks libzmq applies to
//! the reply (`zap_client_t`).

use super::{handle_error_reason, protocol_error, Events, PeerInfo};
use crate::msg::{flags, Msg};
use crate::zmtp::engine::EngineConfig;
use crate::zmtp::protocol_error::*;
use crate::zmtp::EPROTO;
use crate::Result;

/// The inproc endpoint of the ZAP handler.
pub const ZAP_ENDPOINT: &str = "inproc://zeromq.zap.01";

const VERSION: &[u8] = b"1.0";
/// libzmq numbers every request "1".
const REQUEST_ID: &[u8] = b"1";
const REPLY_FRAMES: usize = 7;

/// A ZAP request: the frames to send on the ZAP pipe, in order, MORE set
/// on all but the last.
#[derive(Debug)]
pub struct ZapRequest {
    pub frames: Vec<Msg>,
}

impl ZapRequest {
    /// libzmq's `send_zap_request`: delimiter, version, request id,
    /// domain, peer address, our routing id, mechanism, credentials.
    pub fn new(cfg: &EngineConfig, mechanism: &[u8], credentials: &[&[u8]]) -> ZapRequest {
        let fixed: [&[u8]; 7] = [
            b"",
            VERSION,
            REQUEST_ID,
            &cfg.zap_domain,
            cfg.peer_address.as_bytes(),
            &cfg.routing_id,
            mechanism,
        ];
        let all = fixed.iter().chain(credentials.iter());
        let count = fixed.len() + credentials.len();
        let frames = all
            .enumerate()
            .map(|(i, part)| {
                let mut m = Msg::from_slice(part);
                m.set_more(i + 1 < count);
                m
            })
            .collect();
        ZapRequest { frames }
    }

    /// The frame at `i` (tests and logging).
    #[cfg(test)]
    pub fn frame(&self, i: usize) -> &[u8] {
        self.frames.get(i).map_or(&[], |m| m.data())
    }
}

/// libzmq's `receive_and_process_zap_reply`: checks the seven frames,
/// records the user id and metadata, raises the AUTH event for a 300, 400
/// or 500, and returns the status code. `frames` are the reply's frames
/// as read from the ZAP pipe: up to seven, ending at one without MORE.
pub fn process_reply(
    cfg: &EngineConfig,
    peer: &mut PeerInfo,
    frames: &[Msg],
    events: &mut Events,
) -> Result<[u8; 3]> {
    for i in 0..REPLY_FRAMES {
        let expect_more = i < REPLY_FRAMES - 1;
        match frames.get(i) {
            Some(m) if m.flags() & flags::MORE != 0 && expect_more => {}
            Some(m) if m.flags() & flags::MORE == 0 && !expect_more => {}
            _ => return Err(protocol_error(events, ZAP_MALFORMED_REPLY)),
        }
    }
    if !frames[0].data().is_empty() {
        return Err(protocol_error(events, ZAP_UNSPECIFIED));
    }
    if frames[1].data() != VERSION {
        return Err(protocol_error(events, ZAP_BAD_VERSION));
    }
    if frames[2].data() != REQUEST_ID {
        return Err(protocol_error(events, ZAP_BAD_REQUEST_ID));
    }
    let status = match frames[3].data() {
        &[d @ b'2'..=b'5', b'0', b'0'] => [d, b'0', b'0'],
        _ => return Err(protocol_error(events, ZAP_INVALID_STATUS_CODE)),
    };
    peer.set_user_id(frames[5].data());
    if peer.parse_metadata(cfg, frames[6].data(), true).is_err() {
        events.push_back(crate::zmtp::Event::HandshakeFailedProtocol(
            ZAP_INVALID_METADATA,
        ));
        return Err(EPROTO);
    }
    handle_error_reason(&status, events);
    Ok(status)
}

/// libzmq's `zap_client_common_handshake_t::handle_zap_status_code`: a
/// PLAIN or CURVE server's next state after the handler's `status`:
/// `admitted` for 200; `dropped` for 300, a temporary failure, where no
/// ERROR is sent and the client just goes (CurveZMQ); `refusing` (send
/// ERROR) for 400 and 500.
pub(crate) fn after_status<S>(status: &[u8; 3], admitted: S, dropped: S, refusing: S) -> S {
    match status[0] {
        b'2' => admitted,
        b'3' => dropped,
        _ => refusing,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::options::{consts::ZMQ_DEALER, Options};
    use crate::zmtp::Event;

    fn cfg() -> EngineConfig {
        let mut o = Options::new(ZMQ_DEALER);
        o.routing_id = b"me".to_vec();
        o.zap_domain = b"dom".to_vec();
        EngineConfig::new(&o, "10.0.0.1", None)
    }

    /// A ZAP reply as a handler's frames (the test helper every
    /// mechanism's tests share).
    pub(crate) fn reply(status: &[u8], user: &[u8], meta: &[u8]) -> Vec<Msg> {
        let parts: [&[u8]; 7] = [b"", b"1.0", b"1", status, b"text", user, meta];
        parts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut m = Msg::from_slice(p);
                m.set_more(i < 6);
                m
            })
            .collect()
    }

    #[test]
    fn request_frames_follow_rfc_27() {
        let r = ZapRequest::new(&cfg(), b"PLAIN", &[b"user", b"pw"]);
        let want: [&[u8]; 9] = [
            b"",
            b"1.0",
            b"1",
            b"dom",
            b"10.0.0.1",
            b"me",
            b"PLAIN",
            b"user",
            b"pw",
        ];
        assert_eq!(r.frames.len(), 9);
        for (i, w) in want.iter().enumerate() {
            assert_eq!(r.frame(i), *w);
            assert_eq!(r.frames[i].has_more(), i < 8);
        }
        let r = ZapRequest::new(&cfg(), b"NULL", &[]);
        assert_eq!(r.frames.len(), 7);
        assert!(!r.frames[6].has_more());
    }

    #[test]
    fn good_reply_sets_user_id_and_metadata() {
        let mut meta = Vec::new();
        crate::zmtp::command::put_property(&mut meta, b"Hello", b"World");
        let (mut peer, mut ev) = (PeerInfo::default(), Events::new());
        let s = process_reply(&cfg(), &mut peer, &reply(b"200", b"bob", &meta), &mut ev);
        assert_eq!(s.unwrap(), *b"200");
        assert!(ev.is_empty());
        assert_eq!(peer.user_id, b"bob");
        assert_eq!(peer.zap_properties["User-Id"], b"bob");
        assert_eq!(peer.zap_properties["Hello"], b"World");
    }

    #[test]
    fn failure_status_raises_auth_event() {
        let (mut peer, mut ev) = (PeerInfo::default(), Events::new());
        let s = process_reply(&cfg(), &mut peer, &reply(b"400", b"", b""), &mut ev);
        assert_eq!(s.unwrap(), *b"400");
        assert!(matches!(
            ev.pop_front(),
            Some(Event::HandshakeFailedAuth(400))
        ));
    }

    fn error_of(frames: Vec<Msg>) -> i32 {
        let (mut peer, mut ev) = (PeerInfo::default(), Events::new());
        assert!(process_reply(&cfg(), &mut peer, &frames, &mut ev).is_err());
        match ev.pop_front() {
            Some(Event::HandshakeFailedProtocol(code)) => code,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn malformed_replies_give_libzmqs_codes() {
        let mut short = reply(b"200", b"", b"");
        short.truncate(3);
        short[2].set_more(false);
        assert_eq!(error_of(short), ZAP_MALFORMED_REPLY);
        let mut long = reply(b"200", b"", b"");
        long[6].set_more(true);
        assert_eq!(error_of(long), ZAP_MALFORMED_REPLY);
        let mut r = reply(b"200", b"", b"");
        r[0] = Msg::from_slice(b"x");
        r[0].set_more(true);
        assert_eq!(error_of(r), ZAP_UNSPECIFIED);
        let mut r = reply(b"200", b"", b"");
        r[1] = Msg::from_slice(b"2.0");
        r[1].set_more(true);
        assert_eq!(error_of(r), ZAP_BAD_VERSION);
        let mut r = reply(b"200", b"", b"");
        r[2] = Msg::from_slice(b"2");
        r[2].set_more(true);
        assert_eq!(error_of(r), ZAP_BAD_REQUEST_ID);
        for bad in [&b"600"[..], b"201", b"20", b"100"] {
            assert_eq!(error_of(reply(bad, b"", b"")), ZAP_INVALID_STATUS_CODE);
        }
        assert_eq!(
            error_of(reply(b"200", b"", b"\x05Hel")),
            ZAP_INVALID_METADATA
        );
    }
}
