//! Port of the `runtime.MemStats` subset the allocator can give without a
//! GC (runtime/mstats.go: `HeapAlloc`, `HeapSys`, `HeapIdle`, `HeapInuse`,
//! `HeapReleased`, `Mallocs`, `Frees`).
//!
//! Deviation: Go stops the world to flush every P's counters before it
//! reads them; here [`stats`] sums the live thread caches' counters while
//! they run, so a reading taken while other threads allocate is a
//! snapshot of slightly different moments. Once the other threads are
//! quiet (joined, or synchronised with the reader), the figures are exact.

use core::sync::atomic::Ordering::Relaxed;

use crate::cache::{Counters, REGISTRY, RETIRED};
use crate::heap::HEAP;
use crate::sizeclasses::CLASS_TO_SIZE;
use gort_sync::lock;

/// Go's `runtime.MemStats`, the heap part.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MemStats {
    /// Bytes of allocated, not yet freed objects, counted by their size
    /// class's object size (Go's `HeapAlloc`).
    pub heap_alloc: u64,
    /// Bytes of heap memory obtained from the OS (Go's `HeapSys`).
    pub heap_sys: u64,
    /// Bytes in spans without objects: free pages, including those
    /// returned to the OS (Go's `HeapIdle`).
    pub heap_idle: u64,
    /// Bytes in spans that hold objects or are cached for them (Go's
    /// `HeapInuse`).
    pub heap_inuse: u64,
    /// Bytes of free pages returned to the OS (Go's `HeapReleased`).
    pub heap_released: u64,
    /// Objects allocated, in total (Go's `Mallocs`).
    pub mallocs: u64,
    /// Objects freed, in total (Go's `Frees`).
    pub frees: u64,
}

/// Port of `runtime.ReadMemStats` for the fields of [`MemStats`].
///
/// ```
/// use gort_alloc::stats;
///
/// let s = stats();
/// assert!(s.frees <= s.mallocs);
/// assert_eq!(s.heap_idle + s.heap_inuse, s.heap_sys);
/// ```
pub fn stats() -> MemStats {
    let mut s = MemStats::default();
    {
        let r = lock(&REGISTRY);
        add(&mut s, &RETIRED);
        let mut c = r.head;
        while !c.is_null() {
            // SAFETY: registered caches stay live while the registry lock
            // is held (release unlinks them under it).
            let cache = unsafe { &*c };
            add(&mut s, &cache.counters);
            c = cache.next();
        }
    }
    let h = HEAP.lock();
    s.heap_sys = h.sys as u64;
    s.heap_inuse = h.inuse as u64;
    s.heap_idle = (h.sys - h.inuse) as u64;
    s.heap_released = h.released as u64;
    s
}

fn add(s: &mut MemStats, c: &Counters) {
    for (class, (m, f)) in c.mallocs.iter().zip(&c.frees).enumerate() {
        let (m, f) = (m.load(Relaxed), f.load(Relaxed));
        s.mallocs += m;
        s.frees += f;
        let size = CLASS_TO_SIZE[class] as u64;
        s.heap_alloc = s.heap_alloc.wrapping_add(m * size).wrapping_sub(f * size);
    }
    s.mallocs += c.large_mallocs.load(Relaxed);
    s.frees += c.large_frees.load(Relaxed);
    s.heap_alloc = s
        .heap_alloc
        .wrapping_add(c.large_alloc_bytes.load(Relaxed))
        .wrapping_sub(c.large_free_bytes.load(Relaxed));
}
