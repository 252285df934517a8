//! Go's memory allocator (go1.23), ported as a Rust
//! [`GlobalAlloc`](core::alloc::GlobalAlloc): size classes, per-thread
//! span caches (`mcache`), per-class central lists (`mcentral`), the page
//! heap (`mheap`) with Go's radix-tree page allocator (`pageAlloc`), and
//! arenas of 64 MiB.
//!
//! ```
//! use gort_alloc::{GoAlloc, stats};
//!
//! #[global_allocator]
//! static ALLOC: GoAlloc = GoAlloc::new();
//!
//! let words: Vec<String> = (0..100).map(|i| i.to_string()).collect();
//! assert_eq!(words[42], "42");
//! let s = stats();
//! assert!(s.mallocs >= 100 && s.heap_alloc > 0);
//! ```
//!
//! | Go (runtime) | gort-alloc |
//! |---|---|
//! | `mallocgc` size dispatch, `nextFreeFast` | [`GoAlloc`]'s `alloc` |
//! | `mcache`: `nextFree`, `refill`, `releaseAll`, `allocLarge` | one cache per thread, released at thread exit |
//! | `mcentral`: `cacheSpan`, `uncacheSpan`, `grow` | one central per size class |
//! | `mheap`: `alloc`, `allocSpan`, `freeSpan`, `grow`, `sysAlloc` | the page heap |
//! | `pageAlloc` (mpagealloc.go, mpallocbits.go) | the page allocator |
//! | the sweeper freeing objects | an explicit free of one object |
//! | `runtime.ReadMemStats` | [`stats`] |
//!
//! # Deviations from Go, and why
//!
//! - Frees are explicit (Rust has no GC). A free marks its object in the
//!   span's freed bitmap and decrements the span's count, lock-free, from
//!   any thread; the bitmap is merged into the allocation bits when a
//!   cache next takes the span (Go's sweep does the same merge from mark
//!   bits). A span that gains its first free slot moves to its class's
//!   partial list, and one that empties returns its pages to the heap, at
//!   the free that causes it.
//! - No tiny allocator: it combines small objects into one 16-byte block
//!   that only a GC can know to be dead.
//! - Every `Layout` is honoured: an alignment above 8 picks the smallest
//!   class whose object size is a multiple of it (spans start on 8 KiB
//!   pages); larger alignments take the large-object path, whose span is
//!   carved at an aligned address.
//! - One cache per thread instead of per P; see the `cache` module.
//! - Allocation failure returns null. Nothing in the allocator allocates
//!   through the global allocator; a broken internal invariant (or, in
//!   debug builds, a detected double free) ends the process with a
//!   message, as Go's `throw` does, since a panic cannot unwind out of an
//!   allocator.
#![deny(unsafe_op_in_unsafe_fn)]

mod throw;

#[cfg(not(gort_loom))]
mod arena;
#[cfg(not(gort_loom))]
mod cache;
mod central;
#[cfg(not(gort_loom))]
mod fixalloc;
#[cfg(not(gort_loom))]
mod heap;
#[cfg(not(gort_loom))]
mod malloc;
#[cfg(not(gort_loom))]
mod os;
#[cfg(not(gort_loom))]
mod pagealloc;
#[cfg(not(gort_loom))]
mod scavenger;
mod sizeclasses;
mod span;
#[cfg(not(gort_loom))]
mod stats;

#[cfg(not(gort_loom))]
pub use malloc::GoAlloc;
#[doc(hidden)]
#[cfg(not(gort_loom))]
pub use malloc::raw;
#[cfg(not(gort_loom))]
pub use stats::{MemStats, stats};

/// What the loom models (`tests/loom_span.rs`) drive: the span protocol
/// and the central lists, with the page heap modelled. Under
/// `--cfg gort_loom` only the protocol's modules are built.
#[cfg(gort_loom)]
#[doc(hidden)]
pub mod loom_api {
    pub use crate::central::MCentral;
    pub use crate::sizeclasses::class_for;
    pub use crate::span::{HELD, MSpan, Owned};
}

/// Go's `_PageShift`: the heap's page is 8 KiB.
pub(crate) const PAGE_SHIFT: usize = 13;
/// Go's `pageSize`.
pub(crate) const PAGE_SIZE: usize = 1 << PAGE_SHIFT;
