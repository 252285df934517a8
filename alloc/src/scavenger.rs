//! The background scavenger: gives free pages back to the OS at about 1%
//! of one CPU. Port of `bgscavenge` and `scavengerState` (`run`, `sleep`,
//! `park`, `wake`) from runtime/mgcscavenge.go, and of the heap side of
//! `pageAlloc.scavengeOne` (the heap lock is released around `madvise`).
//!
//! Deviations, all from having no GC:
//! - The goal. Go keeps the retained heap (`HeapSys - HeapReleased`)
//!   below 110% of the next GC's heap goal, which is at least 4 MiB and
//!   otherwise twice the live heap at `GOGC=100`. Here the live heap is
//!   the bytes in in-use spans, so the goal is
//!   `max(2 × HeapInuse, 4 MiB) × 1.1`.
//! - The wake-up. Go wakes the scavenger after each GC, which has just
//!   started a new scavenging generation; here the heap wakes it when
//!   freeing pages leaves more retained than the goal, and each wake-up
//!   starts a generation. The search is Go's background one (`force` =
//!   false): pages freed since the wake-up wait for the next one.
//! - The pace. Go tunes its sleep with a PI controller aiming at 1% of
//!   the CPU; here each round of at least 1 ms of work (Go's
//!   `minScavWorkTime`) is followed by a sleep 99 times as long, the same
//!   1% by construction (the controller exists in Go because its timers
//!   are coarse under load; `nanosleep` only ever sleeps longer, which
//!   keeps the share under 1%).
//! - The thread. Go runs the scavenger as a goroutine; here it is a
//!   pthread started on the first wake-up (by `pthread_create`, which
//!   never calls back into this allocator), so a program that never
//!   frees pages never has it.

use core::sync::atomic::{AtomicBool, AtomicU8, Ordering::*};
use gort_sync::lock;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::PAGE_SIZE;
use crate::heap::{HEAP, Locked};
use crate::os;

/// Go's `scavengePercent`.
const SCAVENGE_PERCENT: u32 = 1;
/// Go's `retainExtraPercent`.
const RETAIN_EXTRA_PERCENT: usize = 10;
/// Go's `heapMinimum` at `GOGC=100`: 4 MiB.
const HEAP_MINIMUM: usize = 4 << 20;
/// Go's `minScavWorkTime`: 1 ms of work per round.
const MIN_WORK: Duration = Duration::from_millis(1);
/// Go's `scavengeQuantum`: 64 KiB per call into the page allocator.
const QUANTUM_PAGES: usize = (64 << 10) / PAGE_SIZE;

/// Whether the scavenger is wanted: set by the heap, taken by the thread.
static WANTED: Mutex<bool> = Mutex::new(false);
/// Signals `WANTED` (Go's `scavenger.wake` readying the parked goroutine).
static WAKE: Condvar = Condvar::new();
/// 0: no thread yet; 1: starting or running; 2: the OS refused a thread.
static STATE: AtomicU8 = AtomicU8::new(0);
/// Set while a round may still find work (avoids waking for nothing).
static PARKED: AtomicBool = AtomicBool::new(true);

/// The retained-heap goal for the heap's current state (module docs).
fn goal(h: &Locked) -> usize {
    (2 * h.inuse).max(HEAP_MINIMUM) / 100 * (100 + RETAIN_EXTRA_PERCENT)
}

/// Whether the heap retains more than its goal (Go's `shouldStop`,
/// negated); the heap asks it under its lock and passes the answer to
/// [`wake_if_needed`] once unlocked.
pub(crate) fn over_goal(h: &Locked) -> bool {
    h.sys - h.released > goal(h)
}

/// Called by the heap (without its lock) after freeing pages: wakes the
/// scavenger if the heap retains more than its goal. Port of
/// `scavengerState.wake`.
pub(crate) fn wake_if_needed(over: bool) {
    if !over || !PARKED.load(Relaxed) {
        return;
    }
    if STATE.load(Acquire) == 0 && STATE.compare_exchange(0, 1, AcqRel, Acquire).is_ok() && !spawn()
    {
        STATE.store(2, Release);
        return;
    }
    PARKED.store(false, Relaxed);
    *lock(&WANTED) = true;
    WAKE.notify_one();
}

fn spawn() -> bool {
    let mut t: libc::pthread_t = 0;
    // SAFETY: default attributes, a C-ABI entry point that never returns
    // and takes no argument.
    let ok =
        unsafe { libc::pthread_create(&mut t, core::ptr::null(), entry, core::ptr::null_mut()) }
            == 0;
    if ok {
        // SAFETY: `t` is a thread just made; nobody joins it.
        unsafe { libc::pthread_detach(t) };
    }
    ok
}

extern "C" fn entry(_: *mut libc::c_void) -> *mut libc::c_void {
    bgscavenge()
}

/// Port of `bgscavenge`: park until wanted, then work in rounds of at
/// least 1 ms, sleeping 99 times as long after each, until the heap is
/// back under its goal.
fn bgscavenge() -> ! {
    loop {
        park();
        // Go's GC starts a scavenging generation before it wakes the
        // scavenger (`finishsweep_m`): pages freed until now become
        // candidates of the background search.
        HEAP.lock().pages.next_gen();
        let mut any = false;
        loop {
            let (released, worked) = run();
            if released == 0 {
                if !any {
                    // Over the goal with nothing the background search
                    // may take (all of it freed in this generation, or in
                    // dense chunks): pace the next try as a round of work.
                    std::thread::sleep(MIN_WORK * (100 / SCAVENGE_PERCENT - 1));
                }
                break;
            }
            any = true;
            std::thread::sleep(worked * (100 / SCAVENGE_PERCENT - 1));
        }
        PARKED.store(true, Relaxed);
        // A free that came after the last round's check but saw PARKED
        // still false did not wake us: check again before sleeping.
        if over_goal(&HEAP.lock()) {
            PARKED.store(false, Relaxed);
            *lock(&WANTED) = true;
        }
    }
}

/// Port of `scavengerState.park`.
fn park() {
    let mut wanted = lock(&WANTED);
    while !*wanted {
        wanted = WAKE.wait(wanted).unwrap_or_else(|e| e.into_inner());
    }
    *wanted = false;
}

/// Port of `scavengerState.run`: scavenge 64 KiB at a time until 1 ms of
/// work is done, the heap is under its goal, or nothing is left. Returns
/// the bytes released and the time worked.
fn run() -> (usize, Duration) {
    let start = Instant::now();
    let mut released = 0;
    while start.elapsed() < MIN_WORK {
        let r = scavenge_one(QUANTUM_PAGES);
        released += r;
        if r < QUANTUM_PAGES * PAGE_SIZE {
            break;
        }
    }
    (released, start.elapsed())
}

/// The heap side of Go's `pageAlloc.scavengeOne`: with the heap lock,
/// take up to `max_pages` free unscavenged pages out of circulation; drop
/// the lock to `madvise` them; put them back marked scavenged. Returns the
/// bytes released (0 when the heap is under its goal or has nothing left).
pub(crate) fn scavenge_one(max_pages: usize) -> usize {
    let (base, npages) = {
        let mut h = HEAP.lock();
        if !over_goal(&h) {
            return 0;
        }
        match h.pages.scavenge_begin(max_pages, false) {
            Some(r) => r,
            None => return 0,
        }
    };
    let bytes = npages * PAGE_SIZE;
    // SAFETY: the page allocator handed these free pages to us alone
    // until `scavenge_end`; nobody reads them.
    unsafe { os::sys_unused(base as *mut u8, bytes) };
    let mut h = HEAP.lock();
    h.pages.scavenge_end(base, npages);
    h.released += bytes;
    bytes
}
