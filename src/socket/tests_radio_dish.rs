//! RADIO/DISH over tcp and ipc, after upstream's test_radio_dish: the
//! group travels as a frame before the body, joins and leaves as ZMTP
//! JOIN/LEAVE commands (inproc carries them as message properties, see
//! tests_draft).

use std::time::Duration;

use super::testing::{last_endpoint, set_int};
use super::types::*;
use super::*;
use crate::options::consts::ZMQ_RCVTIMEO;

fn send_group(s: &mut Socket, group: &[u8], data: &[u8]) {
    let mut m = Msg::from_slice(data);
    m.set_group(group).unwrap();
    s.send(&mut m, 0).unwrap();
}

fn recv_group(s: &mut Socket) -> (Vec<u8>, Vec<u8>) {
    let m = s.recv(0).expect("a message before the receive timeout");
    (m.group().to_bytes().to_vec(), m.data().to_vec())
}

/// Time for a join or leave to cross the connection (upstream sleeps too).
fn settle() {
    std::thread::sleep(Duration::from_millis(200));
}

fn groups_travel(bind_addr: &str) {
    let ctx = Context::new();
    let mut radio = Socket::new(&ctx, RADIO).unwrap();
    radio.bind(bind_addr).unwrap();
    let endpoint = last_endpoint(&mut radio);
    let mut dish = Socket::new(&ctx, DISH).unwrap();
    set_int(&mut dish, ZMQ_RCVTIMEO, 2000);
    // Longer than a short (inline) group, and the longest allowed.
    let long = b"0123456789ABCDEFGH".to_vec();
    let longest = vec![b'L'; crate::msg::GROUP_MAX_LENGTH];
    dish.join(&long).unwrap();
    dish.join(&longest).unwrap();
    dish.join("Movies").unwrap();
    dish.connect(&endpoint).unwrap();
    settle();

    send_group(&mut radio, b"TV", b"Friends");
    send_group(&mut radio, b"Movies", b"Godfather");
    send_group(&mut radio, &long, b"HELLO");
    send_group(&mut radio, &longest, b"");
    assert_eq!(
        recv_group(&mut dish),
        (b"Movies".to_vec(), b"Godfather".to_vec())
    );
    assert_eq!(recv_group(&mut dish), (long.clone(), b"HELLO".to_vec()));
    assert_eq!(recv_group(&mut dish), (longest, Vec::new()));

    // Joining and leaving on a live connection.
    dish.join("TV").unwrap();
    settle();
    send_group(&mut radio, b"TV", b"Friends");
    assert_eq!(recv_group(&mut dish), (b"TV".to_vec(), b"Friends".to_vec()));
    dish.leave("TV").unwrap();
    settle();
    send_group(&mut radio, b"TV", b"Friends");
    send_group(&mut radio, b"Movies", b"Godfather");
    assert_eq!(
        recv_group(&mut dish),
        (b"Movies".to_vec(), b"Godfather".to_vec())
    );
    assert_eq!(dish.recv(DONTWAIT).unwrap_err(), Error::EAGAIN);
}

#[test]
fn radio_dish_groups_travel_over_tcp() {
    groups_travel("tcp://127.0.0.1:*");
}

#[test]
fn radio_dish_groups_travel_over_ipc() {
    let dir = std::env::temp_dir().join(format!("zmq-rs-radio-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rd.ipc");
    groups_travel(&format!("ipc://{}", path.display()));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The RADIO side filters: a DISH connected to a RADIO gets nothing of
/// groups it did not join, even before its own filter would apply.
#[test]
fn radio_sends_nothing_for_groups_nobody_joined_over_tcp() {
    let ctx = Context::new();
    let mut dish = Socket::new(&ctx, DISH).unwrap();
    dish.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&mut dish);
    set_int(&mut dish, ZMQ_RCVTIMEO, 2000);
    dish.join("A").unwrap();
    // The RADIO connects: the joins the DISH queued reach it on attach.
    let mut radio = Socket::new(&ctx, RADIO).unwrap();
    radio.connect(&endpoint).unwrap();
    settle();
    // The DISH attaches the accepted connection (and sends its joins) when
    // it next processes commands, as libzmq's does.
    assert_eq!(dish.recv(DONTWAIT).unwrap_err(), Error::EAGAIN);
    settle();
    send_group(&mut radio, b"B", b"no");
    send_group(&mut radio, b"A", b"yes");
    assert_eq!(recv_group(&mut dish), (b"A".to_vec(), b"yes".to_vec()));
    assert_eq!(dish.recv(DONTWAIT).unwrap_err(), Error::EAGAIN);
}
