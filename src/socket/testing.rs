//! Small helpers the engine's socket-level tests share.

use super::Socket;
use crate::options::consts::ZMQ_LAST_ENDPOINT;

/// Sets an int option, which the test expects to be accepted.
pub fn set_int(s: &mut Socket, option: i32, value: i32) {
    s.set_option(option, &value.to_ne_bytes()).unwrap();
}

/// `ZMQ_LAST_ENDPOINT` as a string.
pub fn last_endpoint(s: &mut Socket) -> String {
    let mut ep = [0u8; 256];
    let n = s.get_option(ZMQ_LAST_ENDPOINT, &mut ep).unwrap();
    std::str::from_utf8(&ep[..n - 1]).unwrap().to_string()
}
