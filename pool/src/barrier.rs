//! The fence pair of the pinning protocol (`registry.rs`): a light fence on
//! every pin, a heavy one in `clear`, which together forbid the
//! store-buffering outcome (the pin unseen by `clear`, and the unlinked
//! pointer still seen by the pinned thread).
//!
//! On Linux the heavy fence is `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`:
//! the kernel makes every running thread of the process execute a full
//! memory barrier before the call returns (threads not running pass one when
//! they are switched in). An instruction boundary of the pinned thread then
//! splits its pin store and pointer load either both before that barrier
//! (the store is visible to `clear`'s load of the pin word) or both after it
//! (the load sees the unlink), so the light fence only has to stop the
//! compiler from reordering them. This asymmetric fence is how liburcu and
//! folly make their read side free of fences; Go gets the same effect from
//! stopping the world. It keeps `get` and `put` free of any locked
//! instruction in the common case.
//!
//! Elsewhere (other systems, a kernel without the command, a sandbox that
//! refuses the call) and under loom, both sides are `fence(SeqCst)`. The mode
//! is chosen once, before the first pin and the first `clear` (both call
//! [`init`]), and never changes.

use crate::sync::{Ordering, fence};

#[cfg(all(target_os = "linux", not(gort_loom)))]
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

    /// Whether the heavy fence is `membarrier` (and the light one free).
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

    /// Whether the heavy fence is `membarrier`; only after [`init`].
    #[inline(always)]
    pub(super) fn asymmetric() -> bool {
        // Relaxed: written once inside `CHOSEN`, which every caller passed.
        ASYMMETRIC.load(Ordering::Relaxed)
    }

    pub(super) fn membarrier_all() {
        // Registered, so the kernel should not refuse; if it does (a child of
        // `fork` may have lost the registration), the global command needs
        // none. Freeing without either barrier would be unsound: stop.
        if membarrier(CMD_PRIVATE_EXPEDITED) != 0 {
            let r = membarrier(CMD_GLOBAL);
            assert!(r == 0, "gort-pool: membarrier failed ({r})");
        }
    }
}

#[cfg(not(all(target_os = "linux", not(gort_loom))))]
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

/// Chooses the mode, once per process; called before a thread's first pin
/// and before every heavy fence.
pub(crate) fn init() {
    mode::init();
}

/// The pinned thread's side: orders its pin store before its loads of a
/// pool's generation pointers.
#[inline(always)]
pub(crate) fn light() {
    if mode::asymmetric() {
        core::sync::atomic::compiler_fence(Ordering::SeqCst);
    } else {
        fence(Ordering::SeqCst);
    }
}

/// `clear`'s side: orders its unlink before its loads of the pin words.
pub(crate) fn heavy() {
    init();
    if mode::asymmetric() {
        mode::membarrier_all();
    } else {
        fence(Ordering::SeqCst);
    }
}
