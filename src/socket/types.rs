//! Socket type numbers, libzmq's values.

pub const PAIR: i32 = 0;
pub const PUB: i32 = 1;
pub const SUB: i32 = 2;
pub const REQ: i32 = 3;
pub const REP: i32 = 4;
pub const DEALER: i32 = 5;
pub const ROUTER: i32 = 6;
pub const PULL: i32 = 7;
pub const PUSH: i32 = 8;
pub const XPUB: i32 = 9;
pub const XSUB: i32 = 10;
pub const STREAM: i32 = 11;
pub const SERVER: i32 = 12;
pub const CLIENT: i32 = 13;
pub const RADIO: i32 = 14;
pub const DISH: i32 = 15;
pub const GATHER: i32 = 16;
pub const SCATTER: i32 = 17;
pub const DGRAM: i32 = 18;
pub const PEER: i32 = 19;
pub const CHANNEL: i32 = 20;

/// The draft types that libzmq makes thread-safe (`ZMQ_THREAD_SAFE`).
pub fn is_thread_safe(socket_type: i32) -> bool {
    matches!(
        socket_type,
        SERVER | CLIENT | RADIO | DISH | GATHER | SCATTER | PEER | CHANNEL
    )
}
