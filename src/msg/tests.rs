use super::*;
use std::sync::atomic::AtomicUsize;

static FREED: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn count_free(data: *mut c_void, hint: *mut c_void) {
    assert_eq!(data, hint);
    FREED.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn small_messages_are_inline() {
    let m = Msg::from_slice(&[7u8; 33]);
    assert_eq!(m.kind, KIND_VSM);
    assert_eq!(m.data(), &[7u8; 33][..]);
    let l = Msg::from_slice(&[7u8; 34]);
    assert_eq!(l.kind, KIND_LONG);
    assert_eq!(l.size(), 34);
}

#[test]
fn copies_share_the_body_and_free_runs_once() {
    static mut BUF: [u8; 100] = [1; 100];
    let before = FREED.load(Ordering::SeqCst);
    // SAFETY: the static lives forever; count_free only counts.
    let p = std::ptr::addr_of_mut!(BUF) as *mut u8;
    let mut a = unsafe { Msg::from_raw_parts(p, 100, Some(count_free), p as *mut c_void) }.unwrap();
    let b = a.share();
    assert!(a.is_shared() && b.is_shared());
    assert_eq!(a.data_ptr(), b.data_ptr());
    drop(a);
    assert_eq!(FREED.load(Ordering::SeqCst), before);
    let t = std::thread::spawn(move || drop(b));
    t.join().unwrap();
    assert_eq!(FREED.load(Ordering::SeqCst), before + 1);
}

#[test]
fn init_data_without_free_function_is_constant_and_shared() {
    let m = Msg::from_static(b"hello");
    assert!(m.is_shared());
    assert_eq!(m.data(), b"hello");
}

#[test]
fn message_is_relocatable() {
    let m = Msg::from_slice(&[3u8; 1000]);
    let mut raw = [0u64; 8];
    // SAFETY: Msg is 64 bytes, 8-aligned; we move it bytewise and forget
    // the original, exactly what C's memcpy does.
    let moved: Msg = unsafe {
        std::ptr::copy_nonoverlapping(&m as *const Msg as *const u64, raw.as_mut_ptr(), 8);
        mem::forget(m);
        std::ptr::read(raw.as_ptr() as *const Msg)
    };
    assert_eq!(moved.data(), &[3u8; 1000][..]);
}

#[test]
fn groups_short_and_long() {
    let mut m = Msg::new();
    m.set_group(b"short").unwrap();
    assert_eq!(m.group().to_bytes(), b"short");
    let long = [b'g'; 255];
    m.set_group(&long).unwrap();
    let c = m.share();
    assert_eq!(c.group().to_bytes(), &long[..]);
    assert_eq!(m.set_group(&[b'x'; 256]), Err(Error::EINVAL));
}

#[test]
fn routing_id_zero_is_rejected() {
    let mut m = Msg::new();
    assert_eq!(m.set_routing_id(0), Err(Error::EINVAL));
    m.set_routing_id(5).unwrap();
    assert_eq!(m.routing_id(), 5);
}

#[test]
fn flags_and_kinds() {
    let mut m = Msg::new();
    m.set_more(true);
    assert!(m.has_more());
    m.set_flags(flags::COMMAND | flags::SUBSCRIBE);
    assert!(m.is_command() && m.is_subscribe() && !m.is_cancel());
    assert!(Msg::delimiter().is_delimiter());
    assert!(!Msg::invalid().is_valid());
}

#[test]
fn writing_a_constant_body_writes_a_private_copy() {
    static TEXT: &[u8] = b"constant text, longer than thirty-three bytes";
    let mut m = Msg::from_static(TEXT);
    m.set_more(true);
    m.set_group(b"a-long-group-name-over-14").unwrap();
    m.data_mut()[0] = b'C';
    assert_eq!(&m.data()[..9], b"Constant ");
    assert_eq!(&TEXT[..9], b"constant ", "the static bytes are untouched");
    assert!(m.has_more() && !m.is_shared());
    assert_eq!(m.group().to_bytes(), b"a-long-group-name-over-14");
}

#[test]
fn writing_a_shared_body_leaves_the_other_copies_alone() {
    let mut a = Msg::from_slice(&[7u8; 100]);
    let mut b = a.share();
    a.data_mut()[0] = 1;
    assert_eq!((a.data()[0], b.data()[0]), (1, 7));
    b.data_mut()[1] = 2;
    assert_eq!((a.data()[1], b.data()[1]), (7, 2));
}

#[test]
fn the_shared_flag_cannot_be_cleared_to_write_into_a_shared_body() {
    let mut a = Msg::from_slice(&[7u8; 100]);
    let b = a.share();
    a.reset_flags(0xff);
    assert!(a.is_shared(), "SHARED survives reset_flags");
    a.data_mut()[0] = 1;
    assert_eq!((a.data()[0], b.data()[0]), (1, 7));
    let mut c = Msg::from_slice(&[7u8; 100]);
    c.set_flags(0xff);
    assert!(!c.is_shared(), "set_flags cannot claim SHARED either");
}

#[test]
fn sized_messages_read_as_zeros() {
    // Reuse a block that held other bytes: what `with_size` hands out must
    // not show them (nor uninitialised memory).
    for size in [0, 5, 33, 34, 200, 2048, 5000] {
        drop(Msg::from_slice(&vec![0xa5u8; size]));
        let m = Msg::with_size(size).unwrap();
        assert_eq!(m.size(), size);
        assert!(m.data().iter().all(|&b| b == 0), "size {size}");
    }
}

#[test]
fn a_receive_buffer_lends_zeros_through_the_safe_view() {
    for _ in 0..4 {
        // Leave dirty memory behind for the allocator to hand out again.
        drop(vec![0xa5u8; 8192 + 64]);
        let mut b = RecvBuffer::new(8192).unwrap();
        assert!(b.spare().unwrap().iter().all(|&x| x == 0));
    }
}

#[test]
fn a_receive_buffer_lent_uninitialised_keeps_what_was_written() {
    let mut b = RecvBuffer::new(256).unwrap();
    // SAFETY: only written, then committed.
    let spare = unsafe { b.spare_uninit() }.unwrap();
    assert_eq!(spare.len(), 256);
    spare[..100].copy_from_slice(&[7u8; 100]);
    b.commit(100);
    assert_eq!(b.pending(), &[7u8; 100][..]);
    // The safe view past the written bytes is zeroed.
    assert!(b.spare().unwrap().iter().all(|&x| x == 0));
    assert_eq!(b.pending(), &[7u8; 100][..]);
}
