//! Port of `poolLocalInternal`/`poolLocal` (sync/pool.go): one thread's part
//! of a pool generation, a private slot only its owner touches and a shared
//! chain the owner pushes and pops at the head and others steal from at the
//! tail.
//!
//! "Owner" means the thread that owns the local's pid (`registry.rs`); the
//! owner-only methods are `unsafe` with that contract. Go pads each local to a
//! multiple of 128 bytes against false sharing; the generation stores them in
//! `CachePadded` (128-byte aligned on the common 64-bit targets).

use crate::chain::PoolChain;
use crate::sync::UnsafeCell;

/// Port of `poolLocalInternal` (sync/pool.go).
pub(crate) struct Local<T> {
    /// Go's `private`: the owner's alone.
    private: UnsafeCell<Option<T>>,
    /// Go's `shared`: the owner pushes and pops the head; anyone pops the tail.
    shared: PoolChain<T>,
}

// SAFETY: `private` is only touched by the owning thread (the contract of the
// `unsafe` methods below); the chain is `Sync` for `T: Send`.
unsafe impl<T: Send> Sync for Local<T> {}

impl<T> Local<T> {
    /// An empty local.
    pub(crate) fn new() -> Self {
        Self {
            private: UnsafeCell::new(None),
            shared: PoolChain::new(),
        }
    }

    /// The body of `Put` (sync/pool.go): the private slot if it is empty,
    /// else the head of the shared chain.
    ///
    /// # Safety
    /// The caller owns this local's pid, and runs no other owner method of
    /// this local at the same time.
    #[inline]
    pub(crate) unsafe fn put(&self, x: T) {
        // SAFETY: the caller is the owner (contract).
        let rest = self.private.with_mut(|p| unsafe {
            match &mut *p {
                slot @ None => {
                    *slot = Some(x);
                    None
                }
                Some(_) => Some(x),
            }
        });
        if let Some(x) = rest {
            // SAFETY: the owner is the chain's single producer.
            unsafe { self.shared.push_head(x) };
        }
    }

    /// Takes the private value (Go: `x := l.private; l.private = nil`).
    ///
    /// # Safety
    /// As for [`put`](Self::put).
    #[inline]
    pub(crate) unsafe fn take_private(&self) -> Option<T> {
        // SAFETY: the caller is the owner (contract).
        self.private.with_mut(|p| unsafe { (*p).take() })
    }

    /// Pops the newest shared value (`l.shared.popHead()`).
    ///
    /// # Safety
    /// As for [`put`](Self::put).
    #[inline]
    pub(crate) unsafe fn pop_head(&self) -> Option<T> {
        // SAFETY: the owner is the chain's single producer.
        unsafe { self.shared.pop_head() }
    }

    /// Steals the oldest shared value (`l.shared.popTail()`); any thread.
    #[inline]
    pub(crate) fn pop_tail(&self) -> Option<T> {
        self.shared.pop_tail()
    }

    /// Moves the private value to the head of the shared chain, where other
    /// threads can steal it (not in Go: done when the owner thread exits).
    ///
    /// # Safety
    /// As for [`put`](Self::put).
    pub(crate) unsafe fn flush_private(&self) {
        // SAFETY: the caller is the owner (contract), the chain's producer.
        unsafe {
            if let Some(x) = self.take_private() {
                self.shared.push_head(x);
            }
        }
    }
}
