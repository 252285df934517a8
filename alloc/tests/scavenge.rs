//! After a large free, the background scavenger gives the pages back to
//! the OS: the resident set (from `/proc/self/statm`) falls back to within
//! a tolerance of where it was before the allocation. Measured by memory,
//! never by time: the loop waits for the scavenger's progress, and its
//! deadline only turns a broken scavenger into a failure instead of a hang.
//!
//! A plain `main` (no test harness): no other test allocates meanwhile.

use gort_alloc::{GoAlloc, stats};
use std::alloc::{GlobalAlloc, Layout};
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: GoAlloc = GoAlloc::new();

const BIG: usize = 128 << 20;
/// What may stay resident: Go's 4 MiB heap minimum with its 10% extra,
/// plus slack for the test's own pages.
const TOLERANCE: usize = 16 << 20;

fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    // SAFETY: sysconf has no preconditions.
    pages * unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize
}

fn main() {
    let before = rss();
    let layout = Layout::from_size_align(BIG, 4096).unwrap();
    // SAFETY: a non-zero layout.
    let p = unsafe { ALLOC.alloc(layout) };
    assert!(!p.is_null());
    // SAFETY: the block is BIG bytes; touching every page makes it resident.
    unsafe { std::ptr::write_bytes(p, 0xa5, BIG) };
    let touched = rss();
    assert!(
        touched >= before + BIG / 2,
        "touching {BIG} bytes did not show in RSS ({before} → {touched})"
    );
    // SAFETY: allocated above with this layout.
    unsafe { ALLOC.dealloc(p, layout) };
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut now = rss();
    while now > before + TOLERANCE {
        assert!(
            Instant::now() < deadline,
            "the scavenger did not return the pages: RSS {now} > {before} + {TOLERANCE}; {:?}",
            stats()
        );
        std::thread::sleep(Duration::from_millis(20));
        now = rss();
    }
    let s = stats();
    assert!(
        s.heap_released as usize >= BIG - TOLERANCE,
        "HeapReleased too low: {s:?}"
    );
    println!("ok: RSS {before} → {touched} → {now}; {s:?}");
}
