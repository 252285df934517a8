//! A global allocator that counts, for Go's allocation tests
//! (`testing.AllocsPerRun`, TestTimerGC) and the benchmarks' memory tables.
//!
//! Install it in a test binary with
//! `#[global_allocator] static A: CountingAlloc = CountingAlloc;`, then:
//!
//! - [`allocated_by`]`(f)`: what this thread allocated while `f` ran
//!   (allocations and bytes), whatever happened to it afterwards;
//! - [`kept_by`]`(f)`: how many of the blocks this thread allocated while `f`
//!   ran are still alive when `f` returns, wherever they were freed. Each
//!   such block is recorded in a table by address, and every free, on any
//!   thread, removes its block from it: allocations by other threads (a timer
//!   thread, the test harness) never count, and frees by other threads do.
//!
//! Nothing is counted unless a thread asks for it, so a process that only
//! installs the allocator pays one thread-local read per allocation and one
//! relaxed load per free.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering};

/// A global allocator that forwards to `System` and counts what threads
/// ask it to (see the module docs).
#[derive(Debug)]
pub struct CountingAlloc;

std::thread_local! {
    /// This thread's allocations are counted ([`allocated_by`]).
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static BYTES: Cell<usize> = const { Cell::new(0) };
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
    /// This thread's new blocks are recorded ([`kept_by`]).
    static RECORDING: Cell<bool> = const { Cell::new(false) };
}

/// Slots of the table of recorded blocks (a power of two).
const SLOTS: usize = 1 << 16;
const EMPTY: usize = 0;
/// A slot whose block was freed (a tombstone: lookups go on past it).
const GONE: usize = 1;

static TABLE: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(EMPTY) }; SLOTS];
/// Recorded blocks still alive.
static KEPT: AtomicIsize = AtomicIsize::new(0);
/// A [`kept_by`] session is running: frees look their block up.
static SESSION: AtomicBool = AtomicBool::new(false);
/// The table filled up during the session: the count is not exact.
static OVERFLOW: AtomicBool = AtomicBool::new(false);
/// One session at a time.
static SESSIONS: Mutex<()> = Mutex::new(());

fn home(ptr: usize) -> usize {
    ((ptr >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (usize::BITS - 16)) & (SLOTS - 1)
}

/// Records the new block `ptr` (only the recording thread inserts).
fn record(ptr: usize) {
    let mut i = home(ptr);
    for _ in 0..SLOTS {
        let v = TABLE[i].load(Ordering::Acquire);
        if (v == EMPTY || v == GONE)
            && TABLE[i]
                .compare_exchange(v, ptr, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            KEPT.fetch_add(1, Ordering::AcqRel);
            return;
        }
        i = (i + 1) & (SLOTS - 1);
    }
    OVERFLOW.store(true, Ordering::Release);
}

/// Forgets the block `ptr` if it was recorded; true if it was. The free of a
/// block happens after its allocation returned (the program passed the
/// pointer on), so a recorded block is found.
fn forget(ptr: usize) -> bool {
    let mut i = home(ptr);
    for _ in 0..SLOTS {
        match TABLE[i].load(Ordering::Acquire) {
            EMPTY => return false,
            v if v == ptr => {
                if TABLE[i]
                    .compare_exchange(ptr, GONE, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
                {
                    KEPT.fetch_sub(1, Ordering::AcqRel);
                    return true;
                }
                return false;
            }
            _ => i = (i + 1) & (SLOTS - 1),
        }
    }
    false
}

fn on_alloc(ptr: *mut u8, bytes: usize) {
    // `try_with`: a thread being torn down may still allocate.
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        BYTES.with(|b| b.set(b.get() + bytes));
        ALLOCS.with(|a| a.set(a.get() + 1));
    }
    if !ptr.is_null() && RECORDING.try_with(Cell::get).unwrap_or(false) {
        record(ptr as usize);
    }
}

fn on_free(ptr: *mut u8) -> bool {
    SESSION.load(Ordering::Relaxed) && forget(ptr as usize)
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged; the bookkeeping touches only const-initialised thread-locals
// without destructors and static atomics, none of which allocate.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract.
        let ptr = unsafe { System.alloc(layout) };
        on_alloc(ptr, layout.size());
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        on_alloc(ptr, layout.size());
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        on_free(ptr);
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }

    /// A grown or shrunk block counts its growth in bytes; it stays
    /// recorded if it was (a buffer that grows is not a new allocation).
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let recorded = on_free(ptr);
        // SAFETY: forwarded contract.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if new.is_null() {
            if recorded {
                record(ptr as usize);
            }
            return new;
        }
        if COUNTING.try_with(Cell::get).unwrap_or(false) {
            BYTES.with(|b| b.set(b.get() + new_size.saturating_sub(layout.size())));
        }
        if recorded {
            record(new as usize);
        }
        new
    }
}

/// What [`allocated_by`] counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allocated {
    /// Bytes requested.
    pub bytes: usize,
    /// Number of allocations.
    pub allocs: usize,
}

/// Whether [`CountingAlloc`] is the global allocator (a probe allocation
/// is counted).
fn installed() -> bool {
    let was = COUNTING.with(|c| c.replace(true));
    let before = ALLOCS.with(Cell::get);
    drop(std::hint::black_box(Box::new(0u64)));
    let counted = ALLOCS.with(Cell::get) > before;
    COUNTING.with(|c| c.set(was));
    counted
}

/// Runs `f` and counts what this thread allocated meanwhile; `None` when
/// [`CountingAlloc`] is not the global allocator.
///
/// ```
/// // (without `CountingAlloc` installed, nothing can be counted)
/// assert!(gort_testkit::allocated_by(|| vec![1u8]).is_none());
/// ```
pub fn allocated_by<R>(f: impl FnOnce() -> R) -> Option<(Allocated, R)> {
    if !installed() {
        return None;
    }
    let start = (BYTES.with(Cell::get), ALLOCS.with(Cell::get));
    COUNTING.with(|c| c.set(true));
    let r = f();
    COUNTING.with(|c| c.set(false));
    let end = (BYTES.with(Cell::get), ALLOCS.with(Cell::get));
    let counted = Allocated {
        bytes: end.0 - start.0,
        allocs: end.1 - start.1,
    };
    Some((counted, r))
}

/// Runs `f` and returns how many of the blocks this thread allocated
/// meanwhile are still alive when it returns (freed by any thread or not);
/// `None` when [`CountingAlloc`] is not the global allocator.
///
/// # Panics
/// If more blocks than the table holds (65,536) were alive at once.
pub fn kept_by<R>(f: impl FnOnce() -> R) -> Option<(usize, R)> {
    if !installed() {
        return None;
    }
    let _one = SESSIONS.lock().unwrap_or_else(|e| e.into_inner());
    for slot in &TABLE {
        slot.store(EMPTY, Ordering::Relaxed);
    }
    KEPT.store(0, Ordering::Release);
    OVERFLOW.store(false, Ordering::Release);
    SESSION.store(true, Ordering::SeqCst);
    RECORDING.with(|r| r.set(true));
    let r = f();
    RECORDING.with(|r| r.set(false));
    let kept = KEPT.load(Ordering::Acquire);
    SESSION.store(false, Ordering::SeqCst);
    assert!(
        !OVERFLOW.load(Ordering::Acquire),
        "kept_by: more than {SLOTS} blocks alive at once"
    );
    Some((usize::try_from(kept).expect("a block forgotten twice"), r))
}

/// Inside a [`kept_by`] session, on its thread: how many blocks recorded so
/// far are still alive (for a test that waits for other threads to free
/// what they hold before the session ends). 0 outside a session.
pub fn kept_now() -> usize {
    if !RECORDING.with(Cell::get) {
        return 0;
    }
    usize::try_from(KEPT.load(Ordering::Acquire)).unwrap_or(0)
}
