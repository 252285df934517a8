//! An asymmetric fence pair: a *light* fence on a hot path and a *heavy*
//! one on a rare path, which together forbid the store-buffering outcome of
//! a Dekker pair (each side stores its flag, then loads the other's, and
//! neither sees the other's store).
//!
//! On Linux the heavy fence is `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`:
//! the kernel makes every running thread of the process execute a full
//! memory barrier before the call returns (threads not running pass one when
//! they are switched in). An instruction boundary of the light side then
//! splits its store and its load either both before that barrier (the store
//! is visible to the heavy side's load) or both after it (the load sees the
//! heavy side's store), so the light fence only has to stop the compiler
//! from reordering them. This is how liburcu and folly make their read sides
//! free of fences; Go gets the same effect from stopping the world.
//!
//! Users: gort-park's [`Mutex`](crate::Mutex) (unlock is the light side, a
//! locker about to sleep the heavy one) and gort-pool (a pin is the light
//! side, `clear` the heavy one).
//!
//! Elsewhere (other systems, a kernel without the command, a sandbox that
//! refuses the call) and under loom, both sides are `fence(SeqCst)`. The mode
//! is chosen once per process, by the first heavy fence (or an earlier
//! [`init`]), and never changes; until then the light side is a full fence,
//! which pairs correctly with either heavy side. Choosing registers the
//! process with the kernel, which waits for an RCU grace period once a
//! process has several threads (11 ms measured here), so it is left to the
//! rare side: the light side never pays it.

use crate::sync::{AtomicU32, Ordering, fence};

#[cfg(all(target_os = "linux", not(gort_loom), not(miri)))]
mod mode {
    use std::sync::Once;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Linux's `MEMBARRIER_CMD_QUERY` (include/uapi/linux/membarrier.h).
    const CMD_QUERY: libc::c_int = 0;
    /// `MEMBARRIER_CMD_GLOBAL`: the slow, registration-free form.
    const CMD_GLOBAL: libc::c_int = 1;
    /// `MEMBARRIER_CMD_PRIVATE_EXPEDITED`.
    const CMD_PRIVATE_EXPEDITED: libc::c_int = 1 << 3;
    /// `MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED`.
    const CMD_REGISTER_PRIVATE_EXPEDITED: libc::c_int = 1 << 4;

    /// Whether the heavy fence is `membarrier` (and the light one free);
    /// false until `CHOSEN` has run.
    static ASYMMETRIC: AtomicBool = AtomicBool::new(false);
    static CHOSEN: Once = Once::new();

    fn membarrier(cmd: libc::c_int) -> libc::c_long {
        // SAFETY: membarrier(2) takes two ints and reads no memory of ours.
        unsafe { libc::syscall(libc::SYS_membarrier, cmd, 0, 0) }
    }

    pub(super) fn init() {
        CHOSEN.call_once(|| {
            let supported = membarrier(CMD_QUERY);
            let wanted = libc::c_long::from(CMD_PRIVATE_EXPEDITED | CMD_REGISTER_PRIVATE_EXPEDITED);
            if supported >= 0
                && supported & wanted == wanted
                && membarrier(CMD_REGISTER_PRIVATE_EXPEDITED) == 0
            {
                ASYMMETRIC.store(true, Ordering::Relaxed);
            }
        });
    }

    /// Whether the heavy fence is `membarrier`. Relaxed: a light side that
    /// reads `true` uses no fence, which is sound because every heavy side
    /// runs `init` first and so also sees `true`; one that reads a stale
    /// `false` fences fully, which is sound with either heavy side.
    #[inline(always)]
    pub(super) fn asymmetric() -> bool {
        ASYMMETRIC.load(Ordering::Relaxed)
    }

    pub(super) fn membarrier_all() {
        // Registered, so the kernel should not refuse; if it does (a child of
        // `fork` may have lost the registration), the global command needs
        // none. Freeing without either barrier would be unsound: stop.
        if membarrier(CMD_PRIVATE_EXPEDITED) != 0 {
            let r = membarrier(CMD_GLOBAL);
            assert!(r == 0, "gort-park: membarrier failed ({r})");
        }
    }
}

#[cfg(not(all(target_os = "linux", not(gort_loom), not(miri))))]
mod mode {
    pub(super) fn init() {}

    #[inline(always)]
    pub(super) fn asymmetric() -> bool {
        false
    }

    pub(super) fn membarrier_all() {
        unreachable!("only asymmetric mode calls membarrier")
    }
}

/// Whether the heavy fence is `membarrier` (so [`heavy`] costs an
/// interrupt on every CPU running the process, and [`light`] nothing).
#[inline(always)]
pub(crate) fn asymmetric() -> bool {
    mode::asymmetric()
}

/// Chooses the mode, once per process (on Linux, `membarrier` registration:
/// milliseconds in a process that already has threads). [`heavy`] calls it;
/// call it early (e.g. at start-up, before spawning threads, where it is
/// cheap) to give the light side its free fence from the start.
pub fn init() {
    mode::init();
}

/// The hot side: orders this thread's earlier stores before its later loads
/// against [`heavy`] (a full fence unless the heavy side is `membarrier`).
#[inline(always)]
pub fn light() {
    if mode::asymmetric() {
        core::sync::atomic::compiler_fence(Ordering::SeqCst);
    } else {
        fence(Ordering::SeqCst);
    }
}

/// A store followed by the light fence, for a hot side whose Dekker store
/// is a single atomic word: a release store and a compiler fence when the
/// heavy side is `membarrier`; otherwise one sequentially consistent swap
/// (on x86 a locked exchange, cheaper than a store plus `fence(SeqCst)`).
/// The loads that follow must be `SeqCst` to pair with the heavy side's
/// fence in that mode (a plain load on x86).
#[inline(always)]
pub fn store_light(cell: &AtomicU32, val: u32) {
    if mode::asymmetric() {
        cell.store(val, Ordering::Release);
        core::sync::atomic::compiler_fence(Ordering::SeqCst);
    } else {
        cell.swap(val, Ordering::SeqCst);
    }
}

/// The rare side: orders this thread's earlier stores before its later loads
/// against every thread's [`light`] fence.
pub fn heavy() {
    init();
    if mode::asymmetric() {
        mode::membarrier_all();
    } else {
        fence(Ordering::SeqCst);
    }
}
