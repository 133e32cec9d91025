//! A lock-free single-producer single-consumer queue with batched publishing
//! and reader-sleep detection, the data structure under every pipe.
//!
//! The writer appends items privately and makes them visible with
//! [`Writer::flush`]; only whole messages are published (the last frame of a
//! multipart message is written with `incomplete == false`), so a reader
//! never sees half a message. A reader that finds nothing marks itself
//! asleep in the same atomic word the writer publishes through; the writer's
//! next flush sees the mark and returns `false`, which tells the caller to
//! wake the reader. That is the only cross-thread signal: no lock, syscall or
//! allocation per item (chunks of 256 items are recycled through `spare`).
//!
//! All of the queue's `unsafe` is in this file.

use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::sync::Arc;

const CHUNK: usize = 256;
/// Set in `committed` by a reader that found the queue empty.
const ASLEEP: u64 = 1 << 63;

struct Chunk<T> {
    slots: [UnsafeCell<MaybeUninit<T>>; CHUNK],
    next: AtomicPtr<Chunk<T>>,
    /// Writer-only: lets `unwrite` step back over a chunk boundary.
    prev: *mut Chunk<T>,
}

impl<T> Chunk<T> {
    fn alloc() -> *mut Chunk<T> {
        Box::into_raw(Box::new(Chunk {
            slots: [const { UnsafeCell::new(MaybeUninit::uninit()) }; CHUNK],
            next: AtomicPtr::new(ptr::null_mut()),
            prev: ptr::null_mut(),
        }))
    }
}

struct WriterState<T> {
    chunk: *mut Chunk<T>,
    idx: usize,
    written: u64,
    /// Items up to the end of the last complete message.
    complete: u64,
    flushed: u64,
}

struct ReaderState<T> {
    chunk: *mut Chunk<T>,
    idx: usize,
    read: u64,
    /// Items known published; reading up to here needs no atomic.
    limit: u64,
}

/// Keeps its contents on cache lines of their own: 128 bytes, as x86
/// fetches lines in adjacent pairs.
#[repr(align(128))]
struct CacheLines<T>(T);

/// The writer's and the reader's private states each on lines of their
/// own, so neither thread's bookkeeping invalidates the other's cache;
/// only `committed` (and the rarely used `spare`) is shared.
struct Queue<T> {
    committed: CacheLines<AtomicU64>,
    spare: AtomicPtr<Chunk<T>>,
    writer: CacheLines<UnsafeCell<WriterState<T>>>,
    reader: CacheLines<UnsafeCell<ReaderState<T>>>,
}

// SAFETY: the writer state is touched only through the one `Writer`, the
// reader state only through the one `Reader`; items cross threads, so T must
// be Send. Publication is ordered by `committed` (release/acquire).
unsafe impl<T: Send> Send for Queue<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Queue<T> {}

/// The producing half.
pub struct Writer<T> {
    q: Arc<Queue<T>>,
}

/// The consuming half.
pub struct Reader<T> {
    q: Arc<Queue<T>>,
}

/// A new empty queue. The reader starts awake.
pub fn channel<T: Send>() -> (Writer<T>, Reader<T>) {
    let first = Chunk::alloc();
    let q = Arc::new(Queue {
        committed: CacheLines(AtomicU64::new(0)),
        spare: AtomicPtr::new(ptr::null_mut()),
        writer: CacheLines(UnsafeCell::new(WriterState {
            chunk: first,
            idx: 0,
            written: 0,
            complete: 0,
            flushed: 0,
        })),
        reader: CacheLines(UnsafeCell::new(ReaderState {
            chunk: first,
            idx: 0,
            read: 0,
            limit: 0,
        })),
    });
    (Writer { q: q.clone() }, Reader { q })
}

impl<T> Writer<T> {
    fn parts(&mut self) -> (&Queue<T>, &mut WriterState<T>) {
        let q = &*self.q;
        // SAFETY: only this unique Writer (borrowed mutably here) touches
        // the writer state.
        (q, unsafe { &mut *q.writer.0.get() })
    }

    /// Appends an item; `incomplete` marks a frame followed by more frames
    /// of the same message.
    pub fn write(&mut self, value: T, incomplete: bool) {
        let (q, st) = self.parts();
        let spare = &q.spare;
        if st.idx == CHUNK {
            let mut next = spare.swap(ptr::null_mut(), Ordering::Acquire);
            if next.is_null() {
                next = Chunk::alloc();
            }
            // SAFETY: `next` is a chunk nobody else references (fresh or
            // taken from `spare`); `st.chunk` is the live tail.
            unsafe {
                (*next).next.store(ptr::null_mut(), Ordering::Relaxed);
                (*next).prev = st.chunk;
                (*st.chunk).next.store(next, Ordering::Release);
            }
            st.chunk = next;
            st.idx = 0;
        }
        // SAFETY: slot `idx` of the tail chunk is beyond everything
        // published, so the reader does not touch it.
        unsafe { (*(*st.chunk).slots[st.idx].get()).write(value) };
        st.idx += 1;
        st.written += 1;
        if !incomplete {
            st.complete = st.written;
        }
    }

    /// Takes back the last written item if it is not part of a complete
    /// message yet (libzmq's rollback of a half-sent multipart message).
    pub fn unwrite(&mut self) -> Option<T> {
        let (q, st) = self.parts();
        let spare = &q.spare;
        if st.written == st.complete {
            return None;
        }
        if st.idx == 0 {
            let empty = st.chunk;
            // SAFETY: unpublished items never sit in a chunk the reader has
            // left, so `prev` is alive; `empty` holds no items now.
            unsafe {
                st.chunk = (*empty).prev;
                (*st.chunk).next.store(ptr::null_mut(), Ordering::Relaxed);
                let old = spare.swap(empty, Ordering::AcqRel);
                if !old.is_null() {
                    drop(Box::from_raw(old));
                }
            }
            st.idx = CHUNK;
        }
        st.idx -= 1;
        st.written -= 1;
        // SAFETY: the slot holds an unpublished item we wrote.
        Some(unsafe { (*(*st.chunk).slots[st.idx].get()).assume_init_read() })
    }

    /// Publishes complete messages. Returns `false` if the reader was asleep
    /// and must be woken.
    pub fn flush(&mut self) -> bool {
        let (q, st) = self.parts();
        let committed = &q.committed.0;
        if st.complete == st.flushed {
            return true;
        }
        let awake = committed
            .compare_exchange(st.flushed, st.complete, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok();
        if !awake {
            // The reader set ASLEEP on `flushed`: publish and wake it.
            committed.store(st.complete, Ordering::Release);
        }
        st.flushed = st.complete;
        awake
    }
}

impl<T> Reader<T> {
    fn parts(&mut self) -> (&Queue<T>, &mut ReaderState<T>) {
        let q = &*self.q;
        // SAFETY: only this unique Reader (borrowed mutably here) touches
        // the reader state.
        (q, unsafe { &mut *q.reader.0.get() })
    }

    /// Whether an item is ready; if not, marks the reader asleep so the
    /// writer's next flush reports it.
    pub fn check_read(&mut self) -> bool {
        let (q, st) = self.parts();
        let committed = &q.committed.0;
        if st.read < st.limit {
            return true;
        }
        match committed.compare_exchange(
            st.read,
            st.read | ASLEEP,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => false,
            Err(v) if v & ASLEEP != 0 => false,
            Err(v) => {
                st.limit = v;
                true
            }
        }
    }

    fn advance_chunk(&mut self) {
        let (q, st) = self.parts();
        let spare = &q.spare;
        if st.idx == CHUNK {
            let old = st.chunk;
            // SAFETY: an item past this chunk is published, so the writer
            // linked `next` before publishing it; the reader is done with
            // `old` and recycles it.
            unsafe {
                st.chunk = (*old).next.load(Ordering::Acquire);
                let prev_spare = spare.swap(old, Ordering::AcqRel);
                if !prev_spare.is_null() {
                    drop(Box::from_raw(prev_spare));
                }
            }
            st.idx = 0;
        }
    }

    /// Takes the next item, if one is published.
    pub fn read(&mut self) -> Option<T> {
        if !self.check_read() {
            return None;
        }
        self.advance_chunk();
        let (_, st) = self.parts();
        // SAFETY: the slot is published (read < limit) and not yet taken.
        let v = unsafe { (*(*st.chunk).slots[st.idx].get()).assume_init_read() };
        st.idx += 1;
        st.read += 1;
        Some(v)
    }

    /// The next item without taking it.
    pub fn probe(&mut self) -> Option<&T> {
        if !self.check_read() {
            return None;
        }
        self.advance_chunk();
        let (_, st) = self.parts();
        // SAFETY: as in `read`; the reference lives as long as `&mut self`.
        Some(unsafe { (*(*st.chunk).slots[st.idx].get()).assume_init_ref() })
    }
}

impl<T> Drop for Queue<T> {
    fn drop(&mut self) {
        let w = self.writer.0.get_mut();
        let r = self.reader.0.get_mut();
        // Drop every item the reader has not taken, published or not.
        let mut chunk = r.chunk;
        let mut idx = r.idx;
        for _ in r.read..w.written {
            if idx == CHUNK {
                // SAFETY: items beyond the chunk imply a linked next chunk.
                chunk = unsafe { (*chunk).next.load(Ordering::Acquire) };
                idx = 0;
            }
            // SAFETY: each slot between read and written holds an item.
            unsafe { (*(*chunk).slots[idx].get()).assume_init_drop() };
            idx += 1;
        }
        let mut c = r.chunk;
        while !c.is_null() {
            // SAFETY: the chain from the reader's chunk to the tail is owned
            // by the queue and freed once, here.
            let next = unsafe { (*c).next.load(Ordering::Acquire) };
            unsafe { drop(Box::from_raw(c)) };
            c = next;
        }
        let s = *self.spare.get_mut();
        if !s.is_null() {
            // SAFETY: the spare chunk is unlinked and owned by the queue.
            unsafe { drop(Box::from_raw(s)) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_appear_only_after_flush() {
        let (mut w, mut r) = channel();
        w.write(1, false);
        assert_eq!(r.read(), None);
        assert!(
            !w.flush(),
            "reader went to sleep, so the flush must wake it"
        );
        assert_eq!(r.read(), Some(1));
        w.write(2, false);
        assert!(w.flush(), "reader awake: no wake-up needed");
        assert_eq!(r.read(), Some(2));
    }

    #[test]
    fn incomplete_messages_are_not_published() {
        let (mut w, mut r) = channel();
        w.write(1, true);
        w.flush();
        assert_eq!(r.read(), None);
        w.write(2, false);
        w.flush();
        assert_eq!((r.read(), r.read()), (Some(1), Some(2)));
    }

    #[test]
    fn unwrite_rolls_back_across_chunks() {
        let (mut w, mut r) = channel();
        w.write(0usize, false);
        for i in 1..=CHUNK + 3 {
            w.write(i, true);
        }
        for i in (1..=CHUNK + 3).rev() {
            assert_eq!(w.unwrite(), Some(i));
        }
        assert_eq!(w.unwrite(), None);
        w.write(99, false);
        w.flush();
        assert_eq!((r.read(), r.read(), r.read()), (Some(0), Some(99), None));
    }

    #[test]
    fn dropping_a_queue_drops_pending_items() {
        let item = Arc::new(());
        let (mut w, r) = channel();
        for _ in 0..600 {
            w.write(item.clone(), false);
        }
        w.flush();
        drop((w, r));
        assert_eq!(Arc::strong_count(&item), 1);
    }

    #[test]
    fn threads_exchange_a_million_items_in_order() {
        let (mut w, mut r) = channel();
        let n = 1_000_000u64;
        let t = std::thread::spawn(move || {
            for i in 0..n {
                w.write(i, false);
                if i % 7 == 0 {
                    w.flush();
                }
            }
            w.flush();
        });
        let mut expect = 0;
        while expect < n {
            if let Some(v) = r.read() {
                assert_eq!(v, expect);
                expect += 1;
            } else {
                std::hint::spin_loop();
            }
        }
        t.join().unwrap();
    }
}
