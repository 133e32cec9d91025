//! The shared receive buffer: a connection reads into one refcounted block
//! and each decoded body that lies whole in it becomes a message pointing
//! into the block (libzmq's `shared_message_memory_allocator` and its
//! `zclmsg` messages), so receiving a message allocates and copies nothing.
//!
//! The block is freed when the decoder has moved on and the last message
//! pointing into it is gone, on whichever thread that happens. A message
//! kept by the application pins its whole block, as in libzmq.
//!
//! Soundness: the buffer keeps a cursor. Bytes before `consumed` belong to
//! messages (or were parsed and dropped), bytes in `consumed..filled` are
//! read and not yet decoded, bytes after `filled` are free for the next
//! read. Only the last two ranges are ever handed out by reference, and a
//! range becomes a message only by moving `consumed` past it, so no byte is
//! reachable both from a message and from the buffer. The buffer restarts
//! at zero only when no message refers to it; otherwise the next read goes
//! to a fresh block.

use std::alloc::{self, Layout};
use std::mem;
use std::ptr::{self, NonNull};
use std::sync::atomic::{fence, AtomicUsize, Ordering};

use super::Msg;
use crate::{Error, Result};

/// The start of each block; the bytes follow.
#[repr(C)]
pub(super) struct Header {
    /// One for the buffer while it reads into the block, one per message.
    refs: AtomicUsize,
    capacity: usize,
}

fn layout(capacity: usize) -> Option<Layout> {
    let total = mem::size_of::<Header>().checked_add(capacity)?;
    Layout::from_size_align(total, mem::align_of::<Header>()).ok()
}

/// Takes one more reference on a block (a message copy).
///
/// # Safety
/// `header` must point at a live block whose count the caller holds.
pub(super) unsafe fn retain(header: *const Header) {
    // SAFETY: the caller holds a reference, so the block is alive.
    unsafe { (*header).refs.fetch_add(1, Ordering::Relaxed) };
}

/// Drops one reference; the last one frees the block.
///
/// # Safety
/// `header` must point at a live block and the caller must own one of its
/// references, which it gives up here.
pub(super) unsafe fn release(header: *const Header) {
    // SAFETY: the caller's reference keeps the block alive until here.
    let header_ref = unsafe { &*header };
    if header_ref.refs.fetch_sub(1, Ordering::Release) != 1 {
        return;
    }
    // Every other holder's writes (a message body written by its owner)
    // happen before the block is freed.
    fence(Ordering::Acquire);
    let capacity = header_ref.capacity;
    let Some(layout) = layout(capacity) else {
        return;
    };
    // SAFETY: that was the last reference; the block was allocated with
    // this layout in `RecvBuffer::new`.
    unsafe { alloc::dealloc(header as *mut u8, layout) };
}

/// A connection's receive buffer. See the module documentation.
pub struct RecvBuffer {
    header: NonNull<Header>,
    consumed: usize,
    filled: usize,
    /// Bytes of the block from its start that have been written (by reads
    /// or by zeroing); what [`RecvBuffer::spare`] lends beyond them it
    /// zeroes first.
    initialized: usize,
}

// SAFETY: the buffer owns one counted reference on its block and touches
// only the byte ranges no message owns; the count is atomic.
unsafe impl Send for RecvBuffer {}

impl RecvBuffer {
    /// A buffer of `capacity` bytes (at least one); `ENOMEM` if it cannot
    /// be allocated.
    pub fn new(capacity: usize) -> Result<RecvBuffer> {
        let capacity = capacity.max(1);
        let layout = layout(capacity).ok_or(Error::ENOMEM)?;
        // SAFETY: the layout is not zero-sized (it holds the header).
        let block = unsafe { alloc::alloc(layout) } as *mut Header;
        let header = NonNull::new(block).ok_or(Error::ENOMEM)?;
        // SAFETY: a fresh allocation with room and alignment for a header.
        unsafe {
            header.as_ptr().write(Header {
                refs: AtomicUsize::new(1),
                capacity,
            })
        };
        Ok(RecvBuffer {
            header,
            consumed: 0,
            filled: 0,
            initialized: 0,
        })
    }

    pub fn capacity(&self) -> usize {
        // SAFETY: the buffer holds a reference, so the header is alive.
        unsafe { self.header.as_ref().capacity }
    }

    fn bytes(&self) -> *mut u8 {
        // SAFETY: the bytes follow the header in the same allocation.
        unsafe { (self.header.as_ptr() as *mut u8).add(mem::size_of::<Header>()) }
    }

    /// Whether messages still point into the block.
    fn is_referenced(&self) -> bool {
        // SAFETY: as in `capacity`. Acquire pairs with `release`: once the
        // count is back to one, the messages' writes are done.
        unsafe { self.header.as_ref().refs.load(Ordering::Acquire) != 1 }
    }

    /// Read bytes not yet decoded.
    pub fn pending(&self) -> &[u8] {
        // SAFETY: `consumed..filled` is inside the block, was written by a
        // read, and belongs to no message (see the module documentation).
        unsafe {
            std::slice::from_raw_parts(self.bytes().add(self.consumed), self.filled - self.consumed)
        }
    }

    /// Marks `n` pending bytes as decoded (copied out or skipped).
    pub fn consume(&mut self, n: usize) {
        self.consumed = (self.consumed + n).min(self.filled);
    }

    /// Where the next read goes: the free space after the read bytes.
    /// Once everything read has been decoded, the buffer starts over at
    /// the beginning of its block; while messages still point into it, it
    /// goes on after them if at least half the block is free (small
    /// messages one at a time share a block), else it takes a fresh block
    /// (`ENOMEM` if that cannot be allocated).
    pub fn spare(&mut self) -> Result<&mut [u8]> {
        self.make_room()?;
        let cap = self.capacity();
        if self.initialized < cap {
            // SAFETY: `initialized..cap` is inside the block, free.
            unsafe {
                ptr::write_bytes(
                    self.bytes().add(self.initialized),
                    0,
                    cap - self.initialized,
                )
            };
            self.initialized = cap;
        }
        // SAFETY: `filled..cap` is inside the block, initialised, and
        // referenced by nothing else; `&mut self` keeps this view unique.
        Ok(unsafe {
            std::slice::from_raw_parts_mut(self.bytes().add(self.filled), cap - self.filled)
        })
    }

    /// As [`RecvBuffer::spare`], without zeroing what was never written:
    /// a fresh block is lent uninitialised (zeroing every 8 KiB block was
    /// a 67-instruction share of each 64-byte message received).
    ///
    /// # Safety
    /// The caller only writes into the returned bytes (as `read(2)` does),
    /// then reports the count with [`RecvBuffer::commit`]; it never reads
    /// them.
    pub unsafe fn spare_uninit(&mut self) -> Result<&mut [u8]> {
        self.make_room()?;
        let cap = self.capacity();
        // SAFETY: as in `spare`; the bytes past `initialized` are only
        // written, by the caller's contract, before `commit` counts them.
        Ok(unsafe {
            std::slice::from_raw_parts_mut(self.bytes().add(self.filled), cap - self.filled)
        })
    }

    /// Starts over or takes a fresh block when everything read has been
    /// decoded (see [`RecvBuffer::spare`]).
    fn make_room(&mut self) -> Result<()> {
        if self.consumed == self.filled && self.filled != 0 {
            if !self.is_referenced() {
                self.consumed = 0;
                self.filled = 0;
            } else if self.capacity() - self.filled < self.capacity().div_ceil(2) {
                *self = RecvBuffer::new(self.capacity())?;
            }
        }
        Ok(())
    }

    /// `n` bytes were read into [`RecvBuffer::spare`].
    pub fn commit(&mut self, n: usize) {
        self.filled = (self.filled + n).min(self.capacity());
        self.initialized = self.initialized.max(self.filled);
    }

    /// The next `n` pending bytes as a message pointing into the block;
    /// `None` if fewer are pending.
    pub fn take_msg(&mut self, n: usize) -> Option<Msg> {
        if n > self.filled - self.consumed {
            return None;
        }
        // SAFETY: the buffer holds a reference, so the block is alive; the
        // new reference is the message's.
        unsafe { retain(self.header.as_ptr()) };
        // SAFETY: `consumed..consumed + n` is pending, so inside the block
        // and owned by nobody; moving `consumed` past it gives it to the
        // message alone.
        let data = unsafe { self.bytes().add(self.consumed) };
        self.consumed += n;
        Some(Msg::in_buffer(self.header.as_ptr(), data, n))
    }

    /// Replaces the buffer with one holding `front` followed by the
    /// pending bytes (an unversioned ZMTP 1.0 peer's first frame, read as
    /// its greeting, put back).
    pub fn unread(&mut self, front: &[u8]) -> Result<()> {
        let pending = self.pending();
        let mut fresh = RecvBuffer::new(self.capacity().max(front.len() + pending.len()))?;
        {
            let spare = fresh.spare()?;
            spare[..front.len()].copy_from_slice(front);
            spare[front.len()..front.len() + pending.len()].copy_from_slice(pending);
        }
        fresh.commit(front.len() + pending.len());
        *self = fresh;
        Ok(())
    }
}

impl Drop for RecvBuffer {
    fn drop(&mut self) {
        // SAFETY: the buffer owns one reference, given up here.
        unsafe { release(self.header.as_ptr()) };
    }
}

impl std::fmt::Debug for RecvBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecvBuffer")
            .field("capacity", &self.capacity())
            .field("consumed", &self.consumed)
            .field("filled", &self.filled)
            .finish()
    }
}
