use super::*;

fn owned() -> (
    Pipe,
    Pipe,
    Arc<Mailbox<PipeCommand>>,
    Arc<Mailbox<PipeCommand>>,
) {
    let (a, b) = pipepair([2, 2], false);
    let (ma, mb) = (
        Arc::new(Mailbox::new().unwrap()),
        Arc::new(Mailbox::new().unwrap()),
    );
    a.set_owner(ma.clone());
    b.set_owner(mb.clone());
    (a, b, ma, mb)
}

use crate::mailbox::Mailbox;

#[test]
fn hwm_blocks_writer_until_reader_passes_lwm() {
    let (mut a, mut b, ma, _mb) = owned();
    assert!(a.write(Msg::from_slice(b"1")).is_ok());
    assert!(a.write(Msg::from_slice(b"2")).is_ok());
    assert!(a.write(Msg::from_slice(b"3")).is_err(), "HWM of 2 reached");
    a.flush();
    assert!(b.read().is_some());
    // lwm = 1: the reader reports after every message.
    match ma.try_recv() {
        Some(PipeCommand::ActivateWrite(id, n)) => {
            assert_eq!((id, n), (a.id(), 1));
            assert!(a.activate_write(n));
        }
        other => panic!("expected ActivateWrite, got {other:?}"),
    }
    assert!(a.write(Msg::from_slice(b"3")).is_ok());
}

#[test]
fn sleeping_reader_gets_one_activate_read() {
    let (mut a, mut b, _ma, mb) = owned();
    assert!(b.read().is_none());
    a.write(Msg::from_slice(b"x")).unwrap();
    a.flush();
    match mb.try_recv() {
        Some(PipeCommand::ActivateRead(id)) => assert_eq!(id, b.id()),
        other => panic!("expected ActivateRead, got {other:?}"),
    }
    assert!(b.activate_read());
    assert_eq!(b.read().unwrap().data(), b"x");
}

#[test]
fn termination_delivers_pending_messages_first() {
    let (mut a, mut b, _ma, mb) = owned();
    a.write(Msg::from_slice(b"last")).unwrap();
    a.flush();
    a.terminate();
    assert!(b.peer_is_terminated());
    assert!(matches!(mb.try_recv(), Some(PipeCommand::PipeTerm(_))));
    assert!(!b.peer_terminated(), "one message still to read");
    assert_eq!(b.read().unwrap().data(), b"last");
    assert!(b.read().is_none());
    assert!(b.is_finished());
}

#[test]
fn multipart_is_atomic_and_rollback_drops_it() {
    let (mut a, mut b, _ma, _mb) = owned();
    let mut m = Msg::from_slice(b"part");
    m.set_more(true);
    a.write(m).unwrap();
    a.flush();
    assert!(b.read().is_none());
    a.rollback();
    a.write(Msg::from_slice(b"whole")).unwrap();
    a.flush();
    b.activate_read();
    assert_eq!(b.read().unwrap().data(), b"whole");
}

#[test]
fn conflate_keeps_only_the_latest() {
    let (mut a, mut b) = pipepair([0, 0], true);
    for i in 0..5u8 {
        a.write(Msg::from_slice(&[i])).unwrap();
    }
    a.flush();
    assert_eq!(b.read().unwrap().data(), &[4]);
    assert!(b.read().is_none());
}

#[test]
fn hiccup_drops_unread_messages_and_tells_the_writer() {
    let (mut a, mut b, ma, _mb) = owned();
    a.write(Msg::from_slice(b"stale 1")).unwrap();
    a.write(Msg::from_slice(b"stale 2")).unwrap();
    a.flush();
    // The reader's end hiccups (its connection was re-established) before
    // it read anything, even before the writer's ActivateRead arrived.
    b.hiccup();
    let mut commands = Vec::new();
    while let Some(c) = ma.try_recv() {
        commands.push(c);
    }
    // The writer's HWM room is given back and the writer, addressed by its
    // own end's id, resends its state.
    assert!(
        matches!(commands.last(), Some(PipeCommand::Hiccup(id)) if *id == a.id()),
        "{commands:?}"
    );
    assert!(commands
        .iter()
        .any(|c| matches!(c, PipeCommand::ActivateWrite(id, 2) if *id == a.id())));
    assert!(a.activate_write(2) || a.check_write());
    a.write(Msg::from_slice(b"fresh")).unwrap();
    a.flush();
    b.activate_read();
    assert_eq!(b.read().unwrap().data(), b"fresh");
}
