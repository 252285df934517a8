//! The process-wide list of live pool generations, so that a thread that
//! exits can flush its private values into its shared chains (Go has no
//! thread exit: a P outlives the Ms that run it).
//!
//! A generation is registered before it is published and unregistered before
//! it is freed, both under the list's lock; the flush walks the list under
//! the same lock, so it never sees a freed generation. The list is
//! type-erased: each entry carries the function that flushes its type.

use crate::sync::{self, Mutex};

/// A registered generation: its address and the function that flushes a pid
/// of it.
#[derive(Clone, Copy)]
pub(crate) struct Entry {
    generation: *const (),
    flush: unsafe fn(*const (), usize),
}

impl Entry {
    /// An entry for the generation at `generation`, flushed by `flush`.
    ///
    /// # Safety
    /// `flush(generation, pid)` must be sound to call while the entry is
    /// registered, by the owner of `pid` that is not pinned.
    pub(crate) unsafe fn new(generation: *const (), flush: unsafe fn(*const (), usize)) -> Self {
        Self { generation, flush }
    }
}

// SAFETY: an entry is only dereferenced (by `flush`) under the list's lock
// while its generation is alive; generations are shared between threads.
unsafe impl Send for Entry {}

/// The registered generations: a slab, so removal by index is O(1).
struct Slab {
    entries: Vec<Option<Entry>>,
    vacant: Vec<usize>,
}

/// The live list.
pub(crate) struct List {
    slab: Mutex<Slab>,
}

sync::global! {
    static LIVE: List = List {
        slab: Mutex::new(Slab { entries: Vec::new(), vacant: Vec::new() }),
    };
}

/// The process's live list.
pub(crate) fn list() -> &'static List {
    &LIVE
}

impl List {
    /// Registers the generation that `make` builds from its slab index
    /// (which it must keep, for [`unregister`](Self::unregister)). `make`
    /// runs under the list's lock: it must not touch the list.
    pub(crate) fn register<G>(&self, make: impl FnOnce(usize) -> (G, Entry)) -> G {
        let mut slab = sync::lock(&self.slab);
        let index = match slab.vacant.pop() {
            Some(index) => index,
            None => {
                slab.entries.push(None);
                slab.entries.len() - 1
            }
        };
        let (generation, entry) = make(index);
        slab.entries[index] = Some(entry);
        generation
    }

    /// Unregisters the generation registered at `index`. After this returns,
    /// no flush is running on it or will start.
    pub(crate) fn unregister(&self, index: usize) {
        let mut slab = sync::lock(&self.slab);
        slab.entries[index] = None;
        slab.vacant.push(index);
    }

    /// Flushes the private values of `pid` in every live generation into the
    /// pid's shared chains.
    ///
    /// # Safety
    /// The caller owns `pid` and is not pinned.
    pub(crate) unsafe fn flush(&self, pid: usize) {
        let slab = sync::lock(&self.slab);
        for entry in slab.entries.iter().flatten() {
            // SAFETY: registered, so the generation is alive (unregistering
            // takes this lock); the caller owns `pid` and is not pinned.
            unsafe { (entry.flush)(entry.generation, pid) };
        }
    }
}
