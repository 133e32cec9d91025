//! A cache of small message blocks, so that a body allocated on one thread
//! and freed on another (every sent message: the application allocates,
//! the io thread frees after encoding; every inproc message) costs a few
//! instructions instead of a trip through malloc's cross-thread path.
//!
//! Blocks come in power-of-two sizes from 128 to 2048 bytes, each size
//! with a per-thread stack (no lock) and a shared depot (one lock per
//! [`BATCH`] blocks moved). A freeing thread fills its stack and spills
//! half of it to the depot; an allocating thread refills from the depot
//! before asking the system. The depot of each size holds at most about
//! [`DEPOT_BYTES`]; beyond that, blocks go back to the system. Larger
//! sizes are not cached.

use std::alloc::{self, Layout};
use std::cell::UnsafeCell;
use std::sync::Mutex;

/// The cached block sizes: 128 << class.
const CLASSES: usize = 5;
const MIN_BLOCK: usize = 128;
/// Blocks a thread keeps per size before spilling to the depot.
const LOCAL_MAX: usize = 64;
/// Blocks moved between a thread and the depot at once.
const BATCH: usize = LOCAL_MAX / 2;
const DEPOT_BYTES: usize = 1 << 20;
const ALIGN: usize = 16;

/// The block size for `size` bytes, if cached.
pub(super) fn block_size(size: usize) -> Option<usize> {
    (size <= MIN_BLOCK << (CLASSES - 1)).then(|| size.max(MIN_BLOCK).next_power_of_two())
}

fn class_of(block: usize) -> usize {
    (block / MIN_BLOCK).trailing_zeros() as usize
}

fn layout(block: usize) -> Layout {
    // A power of two up to 2048 with alignment 16 is always a valid layout.
    Layout::from_size_align(block, ALIGN).unwrap_or(Layout::new::<[u128; 8]>())
}

/// Addresses of free blocks. Raw pointers are not `Send`; these are
/// owned, unaliased blocks, so moving them between threads is fine.
struct Blocks(Vec<*mut u8>);

// SAFETY: a free block is plain memory owned by whoever holds its address.
unsafe impl Send for Blocks {}

static DEPOT: [Mutex<Blocks>; CLASSES] = [const { Mutex::new(Blocks(Vec::new())) }; CLASSES];

struct Local {
    stacks: [Vec<*mut u8>; CLASSES],
}

impl Drop for Local {
    fn drop(&mut self) {
        for (class, stack) in self.stacks.iter_mut().enumerate() {
            spill(class, stack, stack.len());
        }
    }
}

thread_local! {
    static LOCAL: UnsafeCell<Local> = const {
        UnsafeCell::new(Local { stacks: [const { Vec::new() }; CLASSES] })
    };
}

/// Moves the last `n` blocks of `stack` to the depot, or frees them when
/// it is full.
fn spill(class: usize, stack: &mut Vec<*mut u8>, n: usize) {
    let block = MIN_BLOCK << class;
    let from = stack.len() - n;
    let mut depot = DEPOT[class].lock().unwrap_or_else(|e| e.into_inner());
    let room = (DEPOT_BYTES / block).saturating_sub(depot.0.len());
    let keep = n.min(room);
    depot.0.extend_from_slice(&stack[from..from + keep]);
    drop(depot);
    for &p in &stack[from + keep..] {
        // SAFETY: every cached block was allocated with this layout.
        unsafe { alloc::dealloc(p, layout(block)) };
    }
    stack.truncate(from);
}

/// A block of `block` bytes (a size from [`block_size`]); null when the
/// system has no memory.
pub(super) fn alloc(block: usize) -> *mut u8 {
    let class = class_of(block);
    let cached = LOCAL.try_with(|l| {
        // SAFETY: the thread's own cache; nothing here calls back into
        // this module, so the borrow is unique.
        let stack = unsafe { &mut (*l.get()).stacks[class] };
        if stack.is_empty() {
            let mut depot = DEPOT[class].lock().unwrap_or_else(|e| e.into_inner());
            let n = depot.0.len().min(BATCH);
            let from = depot.0.len() - n;
            stack.extend_from_slice(&depot.0[from..]);
            depot.0.truncate(from);
        }
        stack.pop()
    });
    match cached {
        Ok(Some(p)) => p,
        // SAFETY: the layout is not zero-sized.
        _ => unsafe { alloc::alloc(layout(block)) },
    }
}

/// Gives back a block from [`alloc`] of the same size.
///
/// # Safety
/// `p` must come from [`alloc`] with this `block` size and not be used
/// afterwards.
pub(super) unsafe fn free(p: *mut u8, block: usize) {
    let class = class_of(block);
    let cached = LOCAL.try_with(|l| {
        // SAFETY: as in `alloc`.
        let stack = unsafe { &mut (*l.get()).stacks[class] };
        if stack.len() == LOCAL_MAX {
            spill(class, stack, BATCH);
        }
        stack.push(p);
    });
    if cached.is_err() {
        // The thread is exiting and its cache is gone.
        // SAFETY: the caller's block, allocated with this layout.
        unsafe { alloc::dealloc(p, layout(block)) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_round_up_to_cached_blocks() {
        assert_eq!(block_size(1), Some(128));
        assert_eq!(block_size(129), Some(256));
        assert_eq!(block_size(2048), Some(2048));
        assert_eq!(block_size(2049), None);
        assert_eq!(class_of(128), 0);
        assert_eq!(class_of(2048), 4);
    }

    #[test]
    fn blocks_freed_on_another_thread_come_back() {
        // 2048-byte blocks: no other test's messages are that size.
        let blocks: Vec<usize> = (0..200).map(|_| alloc(2048) as usize).collect();
        assert!(blocks.iter().all(|&p| p != 0 && p % ALIGN == 0));
        let freer = blocks.clone();
        std::thread::spawn(move || {
            for p in freer {
                // SAFETY: each block came from `alloc(2048)` above.
                unsafe { free(p as *mut u8, 2048) };
            }
        })
        .join()
        .unwrap();
        // The other thread's cache went to the depot when it exited.
        let again: Vec<usize> = (0..200).map(|_| alloc(2048) as usize).collect();
        let reused = again.iter().filter(|p| blocks.contains(p)).count();
        assert!(reused >= 100, "{reused} of 200 reused");
        for p in again {
            // SAFETY: from `alloc(2048)`.
            unsafe { free(p as *mut u8, 2048) };
        }
    }
}
