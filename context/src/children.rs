//! A node's set of children (Go: `cancelCtx.children`, a map): a
//! [`Slab`], so a child's recorded slot stays true and adding and
//! removing a child are O(1) without hashing. Removing touches no other
//! child (two threads adding and removing children of one parent share
//! nothing but the parent's lock). A lone child is held inline (a chain of
//! contexts, the common shape, allocates nothing for its children).

use crate::cancel_ctx::CancelCtx;
use crate::slab::Slab;
use crate::sync::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

/// A child's index in its parent's [`Children`], or [`UNLISTED`]. Read and
/// written only under the parent's lock (an atomic for `Sync`; relaxed).
pub(crate) type Slot = AtomicUsize;

/// The slot of a child in no set.
pub(crate) const UNLISTED: usize = usize::MAX;

/// A parent's hold on a child. Deviation: Go's parent holds every child
/// until cancelled, and its garbage collector frees a subtree nobody can
/// reach. Without a collector, that would leak every uncancelled child
/// forever (the child holds its parent, the parent its child); so a parent
/// holds its children weakly, and a child that nobody can reach leaves the
/// set when dropped. An `after_func` registration has no other owner (the
/// `AfterFuncStop` handle may be dropped), so it is held strongly, as in Go.
enum Hold {
    Weak(Weak<CancelCtx>),
    Strong(Arc<CancelCtx>),
}

/// One child in a set.
pub(crate) struct Entry {
    /// The child's address: its identity while the entry exists (the
    /// child's allocation lives at least as long as the entry's hold).
    addr: usize,
    hold: Hold,
}

/// The children of one node; guarded by the node's lock.
#[derive(Default)]
pub(crate) enum Children {
    #[default]
    Empty,
    /// One child, at slot 0.
    One(Entry),
    /// Any number, each at its slot.
    Many(Slab<Entry>),
}

impl Children {
    pub(crate) fn len(&self) -> usize {
        match self {
            Children::Empty => 0,
            Children::One(_) => 1,
            Children::Many(slab) => slab.len(),
        }
    }

    /// Adds `child` (held strongly if `strong`), recording its slot.
    pub(crate) fn add(&mut self, child: &Arc<CancelCtx>, strong: bool) {
        let hold = if strong {
            Hold::Strong(child.clone())
        } else {
            Hold::Weak(Arc::downgrade(child))
        };
        let entry = Entry {
            addr: child.addr(),
            hold,
        };
        let slot = match std::mem::take(self) {
            Children::Empty => {
                *self = Children::One(entry);
                0
            }
            Children::One(first) => {
                let mut slab = Slab::default();
                slab.insert(first);
                let slot = slab.insert(entry);
                *self = Children::Many(slab);
                slot
            }
            Children::Many(mut slab) => {
                let slot = slab.insert(entry);
                *self = Children::Many(slab);
                slot
            }
        };
        child.slot().store(slot, Ordering::Relaxed);
    }

    /// Removes the child at `addr`, recorded at `slot`; its hold, to be
    /// dropped once the lock is released (it may be the last reference to
    /// a node, and a node's drop takes its parent's lock).
    pub(crate) fn remove(&mut self, addr: usize, slot: usize) -> Option<Entry> {
        match self {
            Children::One(e) if e.addr == addr && slot == 0 => {
                let Children::One(removed) = std::mem::take(self) else {
                    unreachable!("matched One")
                };
                Some(removed)
            }
            Children::Many(slab) if slab.get(slot)?.addr == addr => slab.remove(slot),
            _ => None,
        }
    }

    /// Takes out a child that is still alive, for cancelling it; `None`
    /// once none is left.
    pub(crate) fn pop_live(&mut self) -> Option<Arc<CancelCtx>> {
        loop {
            let entry = match self {
                Children::Empty => return None,
                Children::One(_) => {
                    let Children::One(e) = std::mem::take(self) else {
                        unreachable!("matched One")
                    };
                    e
                }
                Children::Many(slab) => slab.pop()?,
            };
            let live = match entry.hold {
                Hold::Weak(w) => w.upgrade(),
                Hold::Strong(s) => Some(s),
            };
            if live.is_some() {
                return live;
            }
        }
    }
}
