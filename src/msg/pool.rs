//! A cache of message blocks, so that a body allocated on one thread and
//! freed on another (every sent message: the application allocates, the io
//! thread frees after encoding; every inproc message) costs a few
//! instructions instead of a trip through malloc's cross-thread path.
//!
//! Small blocks come in power-of-two sizes from 128 to 2048 bytes; large
//! ones, up to 256 KiB, in four steps per doubling (2560, 3072, 3584,
//! 4096, 5120, ...), so rounding wastes at most a quarter. Each size has a
//! per-thread stack (no lock) and a shared depot (one lock per batch of
//! blocks moved). A freeing thread fills its stack and spills half of it to
//! the depot; an allocating thread refills from the depot before asking the
//! system. A thread keeps at most 64 small blocks or 256 KiB of large ones
//! per size; a small size's depot holds at most [`DEPOT_BYTES`], and all
//! large sizes' depots together at most [`LARGE_DEPOT_BYTES`]; beyond that,
//! blocks go back to the system. Larger sizes are not cached.
//!
//! Large blocks matter for 64 KiB messages: freed by the receiving thread
//! into the sender's malloc arena, they let glibc trim the arena and fault
//! fresh pages in for the next ones (inproc_thr 64 KiB ran at 0.24 of
//! libzmq's rate for that).

use std::alloc::{self, Layout};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

const MIN_BLOCK: usize = 128;
/// Power-of-two sizes 128..=2048.
const SMALL_CLASSES: usize = 5;
const MAX_SMALL: usize = MIN_BLOCK << (SMALL_CLASSES - 1);
/// Doublings above `MAX_SMALL` cached, four sizes each: up to 256 KiB.
const LARGE_DOUBLINGS: usize = 7;
const MAX_LARGE: usize = MAX_SMALL << LARGE_DOUBLINGS;
const CLASSES: usize = SMALL_CLASSES + 4 * LARGE_DOUBLINGS;
/// Small blocks a thread keeps per size before spilling to the depot.
const LOCAL_MAX_SMALL: usize = 64;
/// Large bytes a thread keeps per size (at least two blocks).
const LOCAL_LARGE_BYTES: usize = 256 << 10;
const DEPOT_BYTES: usize = 1 << 20;
const LARGE_DEPOT_BYTES: usize = 8 << 20;
const ALIGN: usize = 16;

/// Large blocks in all depots, in bytes.
static LARGE_IN_DEPOTS: AtomicUsize = AtomicUsize::new(0);

/// The block size for `size` bytes, if cached.
pub(super) fn block_size(size: usize) -> Option<usize> {
    if size <= MAX_SMALL {
        return Some(size.max(MIN_BLOCK).next_power_of_two());
    }
    if size > MAX_LARGE {
        return None;
    }
    // A quarter of the power of two below `size`.
    let step = size.next_power_of_two() / 8;
    Some(size.div_ceil(step) * step)
}

fn class_of(block: usize) -> usize {
    if block <= MAX_SMALL {
        return (block / MIN_BLOCK).trailing_zeros() as usize;
    }
    let below = (block - 1).next_power_of_two() / 2;
    let doubling = (below / MAX_SMALL).trailing_zeros() as usize;
    let quarter = (block - below) / (below / 4) - 1;
    SMALL_CLASSES + 4 * doubling + quarter
}

/// Blocks a thread keeps of this size before spilling half to the depot.
fn local_max(block: usize) -> usize {
    if block <= MAX_SMALL {
        LOCAL_MAX_SMALL
    } else {
        (LOCAL_LARGE_BYTES / block).max(2)
    }
}

fn layout(block: usize) -> Layout {
    // A multiple of 16 up to 256 KiB with alignment 16 is a valid layout.
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

/// The size of class `class`'s blocks.
fn class_block(class: usize) -> usize {
    if class < SMALL_CLASSES {
        return MIN_BLOCK << class;
    }
    let (doubling, quarter) = ((class - SMALL_CLASSES) / 4, (class - SMALL_CLASSES) % 4);
    let below = MAX_SMALL << doubling;
    below + (quarter + 1) * (below / 4)
}

/// Moves the last `n` blocks of `stack` to the depot, or frees them when
/// it is full.
fn spill(class: usize, stack: &mut Vec<*mut u8>, n: usize) {
    let block = class_block(class);
    let from = stack.len() - n;
    let mut depot = DEPOT[class].lock().unwrap_or_else(|e| e.into_inner());
    let keep = if block <= MAX_SMALL {
        n.min((DEPOT_BYTES / block).saturating_sub(depot.0.len()))
    } else {
        // Under this class's lock; other classes may add at the same time,
        // so the budget can be passed by a few blocks, never by much.
        let held = LARGE_IN_DEPOTS.load(Ordering::Relaxed);
        let keep = n.min(LARGE_DEPOT_BYTES.saturating_sub(held) / block);
        LARGE_IN_DEPOTS.fetch_add(keep * block, Ordering::Relaxed);
        keep
    };
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
            let n = depot.0.len().min(local_max(block) / 2);
            let from = depot.0.len() - n;
            stack.extend_from_slice(&depot.0[from..]);
            depot.0.truncate(from);
            if block > MAX_SMALL {
                LARGE_IN_DEPOTS.fetch_sub(n * block, Ordering::Relaxed);
            }
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
        let max = local_max(block);
        if stack.len() >= max {
            spill(class, stack, max / 2);
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
        assert_eq!(block_size(2049), Some(2560));
        assert_eq!(block_size(65536 + 56), Some(80 << 10));
        assert_eq!(block_size(256 << 10), Some(256 << 10));
        assert_eq!(block_size((256 << 10) + 1), None);
        assert_eq!(class_of(128), 0);
        assert_eq!(class_of(2048), 4);
        assert_eq!(class_of(2560), 5);
        assert_eq!(class_of(256 << 10), CLASSES - 1);
    }

    #[test]
    fn every_size_maps_to_its_own_class_and_back() {
        let mut last = 0;
        for size in (1..=MAX_LARGE).step_by(7).chain([MAX_LARGE]) {
            let block = block_size(size).unwrap();
            assert!(block >= size && block.is_multiple_of(ALIGN), "size {size}");
            assert!(
                size <= MAX_SMALL || block - size < block / 4,
                "waste for {size}"
            );
            assert_eq!(block_size(block), Some(block), "a block size is its own");
            let class = class_of(block);
            assert!(class < CLASSES && class >= last, "size {size}");
            assert_eq!(class_block(class), block, "size {size}");
            last = class;
        }
    }

    #[test]
    fn large_blocks_freed_on_another_thread_come_back() {
        // An odd large size no other test uses.
        let block = block_size(200_000).unwrap();
        let n = local_max(block) * 4;
        let blocks: Vec<usize> = (0..n).map(|_| alloc(block) as usize).collect();
        let freer = blocks.clone();
        std::thread::spawn(move || {
            for p in freer {
                // SAFETY: each block came from `alloc(block)` above.
                unsafe { free(p as *mut u8, block) };
            }
        })
        .join()
        .unwrap();
        let again: Vec<usize> = (0..n).map(|_| alloc(block) as usize).collect();
        let reused = again.iter().filter(|p| blocks.contains(p)).count();
        assert!(reused >= n / 2, "{reused} of {n} reused");
        for p in again {
            // SAFETY: from `alloc(block)`.
            unsafe { free(p as *mut u8, block) };
        }
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
