//! Go's G free lists (`p.gFree`, `sched.gFree`; runtime/proc.go `gfput`,
//! `gfget`, `gfpurge`): a finished G's memory is kept for the next spawn.
//!
//! In Go a dead G keeps its 2 KiB stack for the next goroutine. A Rust G's
//! "stack" is its future, whose size depends on its type, so the memory is
//! kept per size class: a block freed by a future of one type is reused by
//! any future of the same class. The constants are Go's: a P moves Gs to
//! the global list once it holds 64 (down to 31), and takes 32 back at once.
//!
//! *Deviations*: per size class rather than one list (Go has one stack
//! size); Gs whose allocation is larger than the last class or aligned
//! above 16 bytes bypass the lists; the global list keeps at most
//! [`GLOBAL_MAX`] blocks per class and frees the rest (Go frees the stacks of
//! globally listed Gs at every GC; without a GC, a bound does that job).

use crate::p::P;
use crate::shared::Shared;
use crate::task::Vtable;
use core::alloc::Layout;
use core::ptr::NonNull;
use gort_sync::{AtomicUsize, Mutex, Ordering::*, lock};

const CLASS_SIZES: [usize; 7] = [128, 256, 512, 1024, 2048, 4096, 8192];
const CLASS_ALIGN: usize = 16;
/// Blocks per class kept on the global list.
const GLOBAL_MAX: usize = 1024;

/// A size class of G allocations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Class(u8);

impl Class {
    /// The class of a G allocation of `layout`, if any.
    pub(crate) const fn of(layout: Layout) -> Option<Class> {
        if layout.align() > CLASS_ALIGN {
            return None;
        }
        let mut i = 0;
        while i < CLASS_SIZES.len() {
            if layout.size() <= CLASS_SIZES[i] {
                return Some(Class(i as u8));
            }
            i += 1;
        }
        None
    }

    fn layout(self) -> Layout {
        // SAFETY: sizes and alignment are small powers of two.
        unsafe { Layout::from_size_align_unchecked(CLASS_SIZES[self.0 as usize], CLASS_ALIGN) }
    }
}

type Lists = [Vec<NonNull<u8>>; CLASS_SIZES.len()];

/// Go: `p.gFree`. Owned by the P's M.
#[derive(Default)]
pub(crate) struct LocalFree(Lists);

/// Go: `sched.gFree`.
#[derive(Default)]
pub(crate) struct GlobalFree {
    lists: Mutex<Lists>,
    /// Blocks listed (read without the lock, as Go reads `sched.gFree`).
    n: AtomicUsize,
}

// SAFETY: the lists hold unused heap blocks, owned by whoever holds the
// list; no block is reachable from anywhere else.
unsafe impl Send for LocalFree {}
// SAFETY: as above; the global lists are behind a mutex.
unsafe impl Send for GlobalFree {}
// SAFETY: as above.
unsafe impl Sync for GlobalFree {}

fn alloc(layout: Layout) -> NonNull<u8> {
    // SAFETY: G layouts are never zero-sized (the header is in them).
    let p = unsafe { std::alloc::alloc(layout) };
    NonNull::new(p).unwrap_or_else(|| std::alloc::handle_alloc_error(layout))
}

/// Memory for a new G (Go: `gfget`, else `malg`). `p` is the caller's P,
/// when the caller runs on one of this runtime's Ms.
pub(crate) fn get(shared: &Shared, p: Option<&P>, vtable: &Vtable) -> NonNull<u8> {
    let Some(class) = vtable.class else {
        return alloc(vtable.layout);
    };
    let Some(p) = p else {
        return alloc(class.layout());
    };
    // SAFETY: the caller holds `p`; the closure does not re-enter.
    unsafe {
        p.with_local(|local| {
            let list = &mut local.gfree.0[class.0 as usize];
            if list.is_empty() && shared.gfree.n.load(Relaxed) != 0 {
                let mut global = lock(&shared.gfree.lists);
                let g = &mut global[class.0 as usize];
                let take = g.len().min(32 - list.len());
                list.extend(g.drain(g.len() - take..));
                shared.gfree.n.fetch_sub(take, Relaxed);
            }
            list.pop().unwrap_or_else(|| alloc(class.layout()))
        })
    }
}

/// Takes back a dead G's memory (Go: `gfput`).
pub(crate) fn put(shared: &Shared, mem: NonNull<u8>, vtable: &Vtable) {
    let Some(class) = vtable.class else {
        // SAFETY: allocated by `alloc` with this layout.
        return unsafe { std::alloc::dealloc(mem.as_ptr(), vtable.layout) };
    };
    let local = crate::worker::with_own_p(shared, |p| {
        // SAFETY: `with_own_p` runs on the M holding `p`; no re-entry.
        unsafe {
            p.with_local(|local| {
                let list = &mut local.gfree.0[class.0 as usize];
                list.push(mem);
                if list.len() >= 64 {
                    let spill = list.len() - 31;
                    let moved: Vec<_> = list.drain(..spill).collect();
                    shared.gfree.push(class, moved);
                }
            })
        }
    });
    if local.is_none() {
        shared.gfree.push(class, vec![mem]);
    }
}

impl GlobalFree {
    fn push(&self, class: Class, blocks: Vec<NonNull<u8>>) {
        let mut extra = Vec::new();
        {
            let mut lists = lock(&self.lists);
            let list = &mut lists[class.0 as usize];
            let room = GLOBAL_MAX.saturating_sub(list.len());
            let mut blocks = blocks;
            if blocks.len() > room {
                extra = blocks.split_off(room);
            }
            self.n.fetch_add(blocks.len(), Relaxed);
            list.extend(blocks);
        }
        for b in extra {
            // SAFETY: class blocks are allocated with the class layout.
            unsafe { std::alloc::dealloc(b.as_ptr(), class.layout()) };
        }
    }

    /// Go: `gfpurge`: a destroyed P's list goes to the global one.
    pub(crate) fn purge(&self, local: &mut LocalFree) {
        for (i, list) in local.0.iter_mut().enumerate() {
            self.push(Class(i as u8), core::mem::take(list));
        }
    }
}

fn free_all(lists: &mut Lists) {
    for (i, list) in lists.iter_mut().enumerate() {
        for b in list.drain(..) {
            // SAFETY: class blocks are allocated with the class layout.
            unsafe { std::alloc::dealloc(b.as_ptr(), Class(i as u8).layout()) };
        }
    }
}

impl Drop for LocalFree {
    fn drop(&mut self) {
        free_all(&mut self.0);
    }
}

impl Drop for GlobalFree {
    fn drop(&mut self) {
        free_all(&mut lock(&self.lists));
    }
}
