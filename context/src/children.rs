//! A node's set of children (Go: `cancelCtx.children`, a map): a vector
//! whose entries know their index, so that adding and removing a child are
//! O(1) (a swap-remove) without hashing. A lone child is held inline (a
//! chain of contexts, the common shape, allocates no vectors).

use crate::cancel_ctx::CancelCtx;
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
    /// Any number, each at its index.
    Many(Vec<Entry>),
}

impl Children {
    pub(crate) fn len(&self) -> usize {
        match self {
            Children::Empty => 0,
            Children::One(_) => 1,
            Children::Many(v) => v.len(),
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
        child.slot().store(self.len(), Ordering::Relaxed);
        *self = match std::mem::take(self) {
            Children::Empty => Children::One(entry),
            Children::One(first) => Children::Many(vec![first, entry]),
            Children::Many(mut v) => {
                v.push(entry);
                Children::Many(v)
            }
        };
    }

    /// Removes the child at `addr`, whose recorded slot is `slot`. Returns
    /// what must be dropped after the lock is released: the removed
    /// entry's hold, and a child whose slot was updated through a
    /// temporary strong reference (either may be the last one, and a
    /// node's drop takes its parent's lock).
    pub(crate) fn remove(&mut self, addr: usize, slot: usize) -> Option<Leftovers> {
        let v = match self {
            Children::Empty => return None,
            Children::One(e) if e.addr != addr => return None,
            Children::One(_) => {
                let Children::One(removed) = std::mem::take(self) else {
                    unreachable!("matched One")
                };
                return Some(Leftovers {
                    _removed: removed,
                    _moved: None,
                });
            }
            Children::Many(v) => v,
        };
        let at = match v.get(slot) {
            Some(e) if e.addr == addr => slot,
            // A child dropped while another removal moved it: its slot is
            // stale (the mover could not reach it to update it).
            _ => v.iter().position(|e| e.addr == addr)?,
        };
        let removed = v.swap_remove(at);
        let mut moved = None;
        if let Some(e) = v.get(at) {
            let child = match &e.hold {
                Hold::Strong(c) => Some(c.clone()),
                Hold::Weak(w) => w.upgrade(),
            };
            if let Some(child) = &child {
                child.slot().store(at, Ordering::Relaxed);
            }
            moved = child;
        }
        Some(Leftovers {
            _removed: removed,
            _moved: moved,
        })
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
                Children::Many(v) => v.pop()?,
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

/// References a removal leaves behind, dropped once the lock is released.
pub(crate) struct Leftovers {
    _removed: Entry,
    _moved: Option<Arc<CancelCtx>>,
}
