//! A node's set of children (Go: `cancelCtx.children`, a map): a
//! [`Slab`], so a child's recorded slot stays true and adding and
//! removing a child are O(1) without hashing. Removing touches no other
//! child (two threads adding and removing children of one parent share
//! nothing but the parent's lock). A lone child is held inline (a chain of
//! contexts, the common shape, allocates nothing for its children).

use crate::cancel_ctx::CancelCtx;
use crate::slab::Slab;
use crate::sync::{AtomicU32, Ordering};
use std::sync::{Arc, Weak};

/// A child's index in its parent's [`Children`], or [`UNLISTED`]. Read and
/// written only under the parent's lock (an atomic for `Sync`; relaxed).
/// 32 bits keep a node small; a child past index `u32::MAX - 1` (four
/// billion live siblings) is kept unlisted, which only means its entry
/// stays in the set after its drop, until the parent is cancelled.
pub(crate) type Slot = AtomicU32;

/// The slot of a child in no set.
pub(crate) const UNLISTED: u32 = u32::MAX;

/// A parent's hold on a child. Deviation: Go's parent holds every child
/// until cancelled, and its garbage collector frees a subtree nobody can
/// reach. Without a collector, that would leak every uncancelled child
/// forever (the child holds its parent, the parent its child); so a parent
/// holds its children weakly, and a child that nobody can reach leaves the
/// set when dropped. An `after_func` registration has no other owner (the
/// `AfterFuncStop` handle may be dropped), so it is held strongly, as in Go.
pub(crate) enum Hold {
    Weak(Weak<CancelCtx>),
    Strong(Arc<CancelCtx>),
}

impl Hold {
    /// The child's address: its identity while the hold exists (a weak
    /// hold keeps the allocation, if not the node, alive).
    fn addr(&self) -> usize {
        match self {
            Hold::Weak(w) => w.as_ptr() as usize,
            Hold::Strong(s) => Arc::as_ptr(s) as usize,
        }
    }
}

/// The children of one node; guarded by the node's lock. 16 bytes: the
/// lone child inline, more in a boxed slab.
#[derive(Default)]
pub(crate) enum Children {
    #[default]
    Empty,
    /// One child, at slot 0.
    One(Hold),
    /// Any number, each at its slot.
    Many(Box<Slab<Hold>>),
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
        let slot = match std::mem::take(self) {
            Children::Empty => {
                *self = Children::One(hold);
                0
            }
            Children::One(first) => {
                let mut slab = Box::<Slab<Hold>>::default();
                slab.insert(first);
                let slot = slab.insert(hold);
                *self = Children::Many(slab);
                slot
            }
            Children::Many(mut slab) => {
                let slot = slab.insert(hold);
                *self = Children::Many(slab);
                slot
            }
        };
        let slot = u32::try_from(slot).unwrap_or(UNLISTED);
        child.slot().store(slot, Ordering::Relaxed);
    }

    /// Removes the child at `addr`, recorded at `slot`; its hold, to be
    /// dropped once the lock is released (it may be the last reference to
    /// a node, and a node's drop takes its parent's lock).
    pub(crate) fn remove(&mut self, addr: usize, slot: u32) -> Option<Hold> {
        match self {
            Children::One(h) if h.addr() == addr && slot == 0 => {
                let Children::One(removed) = std::mem::take(self) else {
                    unreachable!("matched One")
                };
                Some(removed)
            }
            Children::Many(slab) if slot != UNLISTED => {
                let slot = slot as usize;
                if slab.get(slot)?.addr() == addr {
                    slab.remove(slot)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// Takes out a child that is still alive, for cancelling it; `None`
    /// once none is left.
    pub(crate) fn pop_live(&mut self) -> Option<Arc<CancelCtx>> {
        loop {
            let hold = match self {
                Children::Empty => return None,
                Children::One(_) => {
                    let Children::One(h) = std::mem::take(self) else {
                        unreachable!("matched One")
                    };
                    h
                }
                Children::Many(slab) => slab.pop()?,
            };
            let live = match hold {
                Hold::Weak(w) => w.upgrade(),
                Hold::Strong(s) => Some(s),
            };
            if live.is_some() {
                return live;
            }
        }
    }
}
