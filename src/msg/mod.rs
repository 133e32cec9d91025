//! The message: 64 relocatable bytes, the same size and alignment as the C
//! `zmq_msg_t`, so the C surface can cast one to the other.
//!
//! Kinds, as in libzmq: *very small* messages (up to 33 bytes) live inline
//! with no allocation; *long* messages point at a refcounted `Content`
//! holding either our own buffer (allocated with the header) or a user buffer
//! with its free function; *constant* messages point at data nobody frees
//! (`zmq_send_const`, `zmq_msg_init_data` without a free function);
//! *buffer* messages point into a connection's shared receive buffer
//! (`RecvBuffer`, libzmq's `zclmsg`). Copies of a long or buffer message
//! share the body; the free function runs once, on whichever thread drops
//! the last reference, with no lock of ours held.
//!
//! All `unsafe` of the message lives in this file and `recv_buffer.rs`.

mod metadata;
mod pool;
mod recv_buffer;

pub use metadata::Metadata;
pub(crate) use recv_buffer::RecvBuffer;

use std::alloc::{self, Layout};
use std::ffi::{c_void, CStr, CString};
use std::mem::{self, ManuallyDrop};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::{Error, Result};

/// The C `zmq_free_fn`.
pub type FreeFn = unsafe extern "C" fn(data: *mut c_void, hint: *mut c_void);

/// Largest body stored inline.
pub const MAX_VSM_SIZE: usize = 33;
/// Longest group name (`ZMQ_GROUP_MAX_LENGTH`).
pub const GROUP_MAX_LENGTH: usize = 255;
/// Longest group name stored inline in the message.
const SHORT_GROUP_MAX: usize = 14;

/// Message flags, libzmq's values.
pub mod flags {
    pub const MORE: u8 = 1;
    pub const COMMAND: u8 = 2;
    /// Command types occupy bits 2-4 and compare with `==` under the mask.
    pub const CMD_TYPE_MASK: u8 = 0x1c;
    pub const PING: u8 = 4;
    pub const PONG: u8 = 8;
    pub const SUBSCRIBE: u8 = 12;
    pub const CANCEL: u8 = 16;
    pub const CLOSE_CMD: u8 = 20;
    pub const CREDENTIAL: u8 = 32;
    pub const ROUTING_ID: u8 = 64;
    pub const SHARED: u8 = 128;
}

const KIND_INVALID: u8 = 0;
const KIND_VSM: u8 = 101;
const KIND_LONG: u8 = 102;
const KIND_DELIMITER: u8 = 103;
const KIND_CONST: u8 = 104;
/// In a [`RecvBuffer`]: the block's header, the data pointer and the size
/// are stored in the payload; each copy has its own size.
const KIND_BUFFER: u8 = 105;
const KIND_JOIN: u8 = 106;
const KIND_LEAVE: u8 = 107;

/// The shared part of a long message.
struct Content {
    refs: AtomicUsize,
    data: *mut u8,
    size: usize,
    ffn: Option<FreeFn>,
    hint: *mut c_void,
    /// The data follows this header in the same allocation.
    inline_data: bool,
    /// The data size the allocation was made for (`size` may shrink).
    capacity: usize,
}

impl Content {
    fn layout(data_size: usize) -> Option<Layout> {
        let header = Layout::new::<Content>();
        let total = header.size().checked_add(data_size)?;
        Layout::from_size_align(total, header.align()).ok()
    }
}

#[repr(C)]
#[derive(Clone, Copy)]
struct ShortGroup {
    tag: u8,
    name: [u8; SHORT_GROUP_MAX + 1],
}

#[repr(C)]
#[derive(Clone, Copy)]
struct LongGroup {
    tag: u8,
    _pad: [u8; 7],
    name: *const CString,
}

/// A group name: short ones inline, long ones in a shared `Arc<CString>`.
#[repr(C)]
#[derive(Clone, Copy)]
union Group {
    short: ShortGroup,
    long: LongGroup,
}

const GROUP_SHORT: u8 = 0;
const GROUP_LONG: u8 = 1;

impl Group {
    const EMPTY: Group = Group {
        short: ShortGroup {
            tag: GROUP_SHORT,
            name: [0; SHORT_GROUP_MAX + 1],
        },
    };

    fn tag(&self) -> u8 {
        // SAFETY: both variants start with the tag byte.
        unsafe { self.short.tag }
    }
}

/// A ZeroMQ message. See the module documentation for its kinds.
#[repr(C, align(8))]
pub struct Msg {
    meta: Option<Arc<Metadata>>,
    /// Inline body (VSM), or a `*mut Content` (long), or a data pointer and
    /// a size (constant), stored unaligned.
    payload: [u8; MAX_VSM_SIZE],
    vsm_len: u8,
    kind: u8,
    flags: u8,
    routing_id: u32,
    group: Group,
}

const _: () = assert!(mem::size_of::<Msg>() == 64);
const _: () = assert!(mem::align_of::<Msg>() == 8);

// SAFETY: a message owns its inline bytes, holds a counted reference to its
// content (the count is atomic) or points at constant data the caller
// promised to keep alive; libzmq's contract lets any thread release it.
unsafe impl Send for Msg {}
// SAFETY: shared access only reads; the refcount is atomic.
unsafe impl Sync for Msg {}

impl Default for Msg {
    fn default() -> Msg {
        Msg::new()
    }
}

impl Msg {
    const fn blank(kind: u8) -> Msg {
        Msg {
            meta: None,
            payload: [0; MAX_VSM_SIZE],
            vsm_len: 0,
            kind,
            flags: 0,
            routing_id: 0,
            group: Group::EMPTY,
        }
    }

    /// An empty message.
    pub const fn new() -> Msg {
        Msg::blank(KIND_VSM)
    }

    /// What a message is after `zmq_msg_close`: every call on it but init
    /// fails with `EFAULT`.
    pub const fn invalid() -> Msg {
        Msg::blank(KIND_INVALID)
    }

    /// The in-band end-of-pipe marker.
    pub const fn delimiter() -> Msg {
        Msg::blank(KIND_DELIMITER)
    }

    pub const fn join() -> Msg {
        Msg::blank(KIND_JOIN)
    }

    pub const fn leave() -> Msg {
        Msg::blank(KIND_LEAVE)
    }

    /// A message of `size` zero bytes (`ENOMEM` if the body cannot be
    /// allocated).
    pub fn with_size(size: usize) -> Result<Msg> {
        // SAFETY: every byte is written here before the message is read.
        let mut m = unsafe { Msg::with_size_uninit(size)? };
        // SAFETY: the body is valid for `size` bytes and ours alone.
        unsafe { ptr::write_bytes(m.data_ptr_mut(), 0, size) };
        Ok(m)
    }

    /// A message of `size` bytes whose contents are uninitialised, for
    /// `zmq_msg_init_size` (libzmq leaves them so; the C caller writes them
    /// through `zmq_msg_data`) and for bodies filled by a copy right away.
    ///
    /// # Safety
    /// Every byte must be written through [`Msg::data_ptr`] before the body
    /// is read through [`Msg::data`] or [`Msg::data_mut`] (both make a
    /// `&[u8]`, which must not cover uninitialised memory).
    pub(crate) unsafe fn with_size_uninit(size: usize) -> Result<Msg> {
        if size <= MAX_VSM_SIZE {
            let mut m = Msg::new();
            m.vsm_len = size as u8;
            return Ok(m);
        }
        let layout = Content::layout(size).ok_or(Error::ENOMEM)?;
        // Small blocks come from the cache (they are usually freed on
        // another thread); their capacity is the whole block.
        let (block, capacity) = match pool::block_size(layout.size()) {
            Some(b) => (pool::alloc(b), b - mem::size_of::<Content>()),
            // SAFETY: the layout has a non-zero size (the header).
            None => (unsafe { alloc::alloc(layout) }, size),
        };
        if block.is_null() {
            return Err(Error::ENOMEM);
        }
        let content = block as *mut Content;
        // SAFETY: `block` is a fresh allocation sized for the header and
        // `size` bytes after it.
        unsafe {
            content.write(Content {
                refs: AtomicUsize::new(1),
                data: block.add(mem::size_of::<Content>()),
                size,
                ffn: None,
                hint: ptr::null_mut(),
                inline_data: true,
                capacity,
            });
        }
        Ok(Msg::long(content))
    }

    /// A message holding a copy of `data`; `ENOMEM` if its body cannot be
    /// allocated (`zmq_send` of an application's buffer, as libzmq).
    pub fn try_from_slice(data: &[u8]) -> Result<Msg> {
        // SAFETY: the copy below writes every byte.
        let mut m = unsafe { Msg::with_size_uninit(data.len())? };
        // SAFETY: a fresh body of `data.len()` bytes cannot overlap `data`.
        unsafe { ptr::copy_nonoverlapping(data.as_ptr(), m.data_ptr_mut(), data.len()) };
        Ok(m)
    }

    /// A message holding a copy of `data`, for the library's own small
    /// bodies (routing ids, events, commands): running out of memory for
    /// those aborts, as every other small allocation in Rust's `std`.
    pub fn from_slice(data: &[u8]) -> Msg {
        Msg::try_from_slice(data).unwrap_or_else(|_| alloc_failure())
    }

    /// A message over caller-owned memory (`zmq_msg_init_data`). With a free
    /// function the message owns the buffer and calls `ffn(data, hint)` once
    /// when the last copy is dropped; without one it is a constant message.
    ///
    /// # Safety
    /// `data` must be valid for `size` bytes until `ffn` is called (or
    /// forever, without `ffn`), and `ffn` must be safe to call from any
    /// thread.
    pub unsafe fn from_raw_parts(
        data: *mut u8,
        size: usize,
        ffn: Option<FreeFn>,
        hint: *mut c_void,
    ) -> Result<Msg> {
        // No object is larger than `isize::MAX` bytes, so no buffer can be
        // (libzmq takes the size and reads past the buffer later).
        if size > isize::MAX as usize {
            return Err(Error::ENOMEM);
        }
        let Some(ffn) = ffn else {
            let mut m = Msg::blank(KIND_CONST);
            m.put_ptr(0, data as usize);
            m.put_ptr(8, size);
            return Ok(m);
        };
        let content = Box::new(Content {
            refs: AtomicUsize::new(1),
            data,
            size,
            ffn: Some(ffn),
            hint,
            inline_data: false,
            capacity: size,
        });
        Ok(Msg::long(Box::into_raw(content)))
    }

    /// A constant message over static data.
    pub fn from_static(data: &'static [u8]) -> Msg {
        // SAFETY: static data outlives every message.
        unsafe { Msg::from_raw_parts(data.as_ptr() as *mut u8, data.len(), None, ptr::null_mut()) }
            .unwrap_or_else(|_| alloc_failure())
    }

    /// A message over `size` bytes at `data` inside the receive buffer
    /// block `header`, owning one of the block's references.
    fn in_buffer(header: *const recv_buffer::Header, data: *mut u8, size: usize) -> Msg {
        let mut m = Msg::blank(KIND_BUFFER);
        m.put_ptr(0, header as usize);
        m.put_ptr(8, data as usize);
        m.put_ptr(16, size);
        m
    }

    fn long(content: *mut Content) -> Msg {
        let mut m = Msg::blank(KIND_LONG);
        m.put_ptr(0, content as usize);
        m
    }

    fn put_ptr(&mut self, at: usize, v: usize) {
        self.payload[at..at + 8].copy_from_slice(&v.to_ne_bytes());
    }

    fn get_ptr(&self, at: usize) -> usize {
        let mut b = [0u8; 8];
        b.copy_from_slice(&self.payload[at..at + 8]);
        usize::from_ne_bytes(b)
    }

    fn content(&self) -> *mut Content {
        debug_assert_eq!(self.kind, KIND_LONG);
        self.get_ptr(0) as *mut Content
    }

    /// False after `zmq_msg_close` (or on memory that was never a message).
    pub fn is_valid(&self) -> bool {
        matches!(
            self.kind,
            KIND_VSM
                | KIND_LONG
                | KIND_DELIMITER
                | KIND_CONST
                | KIND_BUFFER
                | KIND_JOIN
                | KIND_LEAVE
        )
    }

    pub fn size(&self) -> usize {
        match self.kind {
            KIND_VSM => self.vsm_len as usize,
            // SAFETY: a long message holds a live reference to its content.
            KIND_LONG => unsafe { (*self.content()).size },
            KIND_CONST => self.get_ptr(8),
            KIND_BUFFER => self.get_ptr(16),
            _ => 0,
        }
    }

    /// The body's address, for the C surface.
    pub fn data_ptr(&self) -> *mut u8 {
        match self.kind {
            // SAFETY: see `size`.
            KIND_LONG => unsafe { (*self.content()).data },
            KIND_CONST => self.get_ptr(0) as *mut u8,
            KIND_BUFFER => self.get_ptr(8) as *mut u8,
            _ => self.payload.as_ptr() as *mut u8,
        }
    }

    /// The body's address for writing. An inline body's address is taken
    /// from `&mut self`, so that the compiler sees writes through it (one
    /// from `&self` let an optimised build keep the old inline bytes).
    pub(crate) fn data_ptr_mut(&mut self) -> *mut u8 {
        match self.kind {
            KIND_LONG | KIND_CONST | KIND_BUFFER => self.data_ptr(),
            _ => self.payload.as_mut_ptr(),
        }
    }

    pub fn data(&self) -> &[u8] {
        let (p, n) = (self.data_ptr(), self.size());
        if n == 0 {
            return &[];
        }
        // SAFETY: the body is valid for `size` bytes while the message
        // lives; its bytes were written by whoever built the message.
        unsafe { std::slice::from_raw_parts(p, n) }
    }

    /// The body, writable. A constant body, or one that other handles
    /// may share (`ZMQ_SHARED`), is first replaced by a private copy, so a
    /// write never reaches memory someone else reads. (C callers write
    /// through `zmq_msg_data`'s pointer, as in libzmq, and may write into
    /// shared bodies: that is theirs to manage.)
    pub fn data_mut(&mut self) -> &mut [u8] {
        if self.is_shared() {
            self.make_private(self.size());
        }
        let (p, n) = (self.data_ptr_mut(), self.size());
        if n == 0 {
            return &mut [];
        }
        // SAFETY: as in `data`; `&mut self` keeps this handle's view unique.
        unsafe { std::slice::from_raw_parts_mut(p, n) }
    }

    /// Cuts the body to its first `size` bytes (libzmq's `msg_t::shrink`);
    /// a `size` not below the current one changes nothing. An unshared
    /// body keeps its buffer; a shared or constant one is copied first, so
    /// other handles never see the change.
    pub fn shrink(&mut self, size: usize) {
        if size >= self.size() {
            return;
        }
        match self.kind {
            KIND_VSM => self.vsm_len = size as u8,
            KIND_LONG if !self.is_shared() => {
                // SAFETY: an unshared long message is the only handle on
                // its content, and the size only goes down, so the buffer
                // stays valid for it.
                unsafe { (*self.content()).size = size };
            }
            // Each handle on a buffer body has its own size.
            KIND_BUFFER => self.put_ptr(16, size),
            _ => self.make_private(size),
        }
    }

    /// Replaces the body by a private copy of its first `size` bytes,
    /// keeping flags (but SHARED), metadata, routing id and group.
    fn make_private(&mut self, size: usize) {
        let mut m = Msg::from_slice(&self.data()[..size]);
        m.flags = self.flags & !flags::SHARED;
        m.meta = self.meta.take();
        m.routing_id = self.routing_id;
        // The group (and the reference a long one holds) moves over.
        m.group = std::mem::replace(&mut self.group, Group::EMPTY);
        *self = m;
    }

    pub fn flags(&self) -> u8 {
        self.flags
    }

    /// Sets flags; `SHARED` is not the caller's to set or clear (it
    /// records that other handles read the body, see [`Msg::data_mut`]).
    pub fn set_flags(&mut self, f: u8) {
        self.flags |= f & !flags::SHARED;
    }

    /// Clears flags but `SHARED`, as [`Msg::set_flags`].
    pub fn reset_flags(&mut self, f: u8) {
        self.flags &= !(f & !flags::SHARED);
    }

    pub fn has_more(&self) -> bool {
        self.flags & flags::MORE != 0
    }

    pub fn set_more(&mut self, more: bool) {
        if more {
            self.flags |= flags::MORE;
        } else {
            self.flags &= !flags::MORE;
        }
    }

    pub fn is_command(&self) -> bool {
        self.flags & flags::COMMAND != 0
    }

    fn command_type(&self) -> u8 {
        self.flags & flags::CMD_TYPE_MASK
    }

    pub fn is_subscribe(&self) -> bool {
        self.command_type() == flags::SUBSCRIBE
    }

    pub fn is_cancel(&self) -> bool {
        self.command_type() == flags::CANCEL
    }

    pub fn is_routing_id(&self) -> bool {
        self.flags & flags::ROUTING_ID != 0
    }

    pub fn is_delimiter(&self) -> bool {
        self.kind == KIND_DELIMITER
    }

    pub fn is_join(&self) -> bool {
        self.kind == KIND_JOIN
    }

    pub fn is_leave(&self) -> bool {
        self.kind == KIND_LEAVE
    }

    /// `ZMQ_SHARED`: a constant body, or a long body with other copies.
    pub fn is_shared(&self) -> bool {
        self.kind == KIND_CONST || self.flags & flags::SHARED != 0
    }

    /// A second handle on the same body (`zmq_msg_copy`): long bodies are
    /// shared by reference count, never copied.
    pub fn share(&mut self) -> Msg {
        if self.kind == KIND_LONG {
            // SAFETY: we hold a reference, so the content is alive.
            unsafe { (*self.content()).refs.fetch_add(1, Ordering::Relaxed) };
            self.flags |= flags::SHARED;
        }
        if self.kind == KIND_BUFFER {
            // SAFETY: this handle owns a reference on the block.
            unsafe { recv_buffer::retain(self.get_ptr(0) as *const recv_buffer::Header) };
            self.flags |= flags::SHARED;
        }
        if self.group.tag() == GROUP_LONG {
            // SAFETY: a long group holds one Arc reference per message.
            unsafe { Arc::increment_strong_count(self.group.long.name) };
        }
        Msg {
            meta: self.meta.clone(),
            payload: self.payload,
            vsm_len: self.vsm_len,
            kind: self.kind,
            flags: self.flags,
            routing_id: self.routing_id,
            group: self.group,
        }
    }

    /// Moves the message out, leaving an empty one (`zmq_msg_move`).
    pub fn take(&mut self) -> Msg {
        mem::take(self)
    }

    pub fn routing_id(&self) -> u32 {
        self.routing_id
    }

    /// Zero is not a routing id: `EINVAL`.
    pub fn set_routing_id(&mut self, id: u32) -> Result<()> {
        if id == 0 {
            return Err(Error::EINVAL);
        }
        self.routing_id = id;
        Ok(())
    }

    pub fn reset_routing_id(&mut self) {
        self.routing_id = 0;
    }

    /// The group name (empty when none).
    pub fn group(&self) -> &CStr {
        // SAFETY: the tag says which variant is live; short names are
        // NUL-terminated within their array, long ones are a live CString.
        unsafe {
            if self.group.tag() == GROUP_LONG {
                (*self.group.long.name).as_c_str()
            } else {
                CStr::from_bytes_until_nul(&self.group.short.name).unwrap_or_default()
            }
        }
    }

    /// Sets the group; up to 255 bytes, cut at the first NUL, else `EINVAL`.
    pub fn set_group(&mut self, name: &[u8]) -> Result<()> {
        let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        let name = &name[..end];
        if name.len() > GROUP_MAX_LENGTH {
            return Err(Error::EINVAL);
        }
        self.drop_group();
        if name.len() > SHORT_GROUP_MAX {
            let s = Arc::new(CString::new(name).unwrap_or_default());
            self.group = Group {
                long: LongGroup {
                    tag: GROUP_LONG,
                    _pad: [0; 7],
                    name: Arc::into_raw(s),
                },
            };
        } else {
            let mut short = ShortGroup {
                tag: GROUP_SHORT,
                name: [0; SHORT_GROUP_MAX + 1],
            };
            short.name[..name.len()].copy_from_slice(name);
            self.group = Group { short };
        }
        Ok(())
    }

    fn drop_group(&mut self) {
        if self.group.tag() == GROUP_LONG {
            // SAFETY: a long group owns one Arc reference, released once
            // here before the field is overwritten.
            unsafe { drop(Arc::from_raw(self.group.long.name)) };
        }
        self.group = Group::EMPTY;
    }

    pub fn metadata(&self) -> Option<&Arc<Metadata>> {
        self.meta.as_ref()
    }

    pub fn set_metadata(&mut self, meta: Option<Arc<Metadata>>) {
        self.meta = meta;
    }

    /// Releases the body: for the last copy of a long message this runs the
    /// free function and frees the content.
    fn release(&mut self) {
        if self.kind == KIND_LONG {
            let content = self.content();
            // SAFETY: this handle owns one reference; the last one to leave
            // has exclusive access to the content and frees it exactly once.
            unsafe {
                if (*content).refs.fetch_sub(1, Ordering::AcqRel) == 1 {
                    let c = ManuallyDrop::new(content.read());
                    if let Some(ffn) = c.ffn {
                        ffn(c.data as *mut c_void, c.hint);
                    }
                    if c.inline_data {
                        let layout = Content::layout(c.capacity).unwrap_or_else(|| alloc_failure());
                        match pool::block_size(layout.size()) {
                            Some(b) => pool::free(content as *mut u8, b),
                            None => alloc::dealloc(content as *mut u8, layout),
                        }
                    } else {
                        drop(Box::from_raw(content));
                    }
                }
            }
        }
        if self.kind == KIND_BUFFER {
            // SAFETY: this handle owns one reference on the block.
            unsafe { recv_buffer::release(self.get_ptr(0) as *const recv_buffer::Header) };
        }
        self.drop_group();
        self.meta = None;
        self.kind = KIND_INVALID;
    }
}

impl Drop for Msg {
    #[inline]
    fn drop(&mut self) {
        // Most drops are of inline bodies or of the empty shell a move
        // left behind: nothing to release, so no call.
        if matches!(self.kind, KIND_VSM | KIND_INVALID)
            && self.meta.is_none()
            && self.group.tag() == GROUP_SHORT
        {
            return;
        }
        self.release();
    }
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Msg")
            .field("kind", &self.kind)
            .field("flags", &self.flags)
            .field("size", &self.size())
            .finish()
    }
}

#[cold]
fn alloc_failure() -> ! {
    // As libzmq's alloc_assert: running out of memory is not recoverable here.
    crate::error::fatal("out of memory")
}

#[cfg(test)]
mod tests;
