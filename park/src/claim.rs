//! The claim cell: what Go keeps in `g.selectDone` and `g.param`.
//!
//! Every waiting party owns one [`Claim`]. A plain send or receive queues one
//! [`Sudog`](crate::Sudog) that points at it; a select queues one sudog per case,
//! all pointing at the same claim. Whoever dequeues a sudog must win the claim
//! before touching the sudog's slot (Go's `selectDone` CAS in `waitq.dequeue`),
//! so exactly one case of a select commits.
//!
//! # Protocol
//!
//! States: `WAITING` → `CLAIMED` → `DONE(case)`, and back to `WAITING` only by
//! the owner when none of its sudogs is queued ([`Claim::rearm`]).
//!
//! - The completer holds the lock of the queue it dequeued the sudog from for
//!   the whole `WAITING → CLAIMED → DONE` walk: it wins the CAS, writes the
//!   sudog's slot, takes the registered waker, then publishes `DONE(case)` with
//!   release ordering. After that store it never touches the claim or the
//!   sudog again; it wakes the taken waker after unlocking.
//! - The owner registers its waker *before* it reads the state, and treats
//!   `CLAIMED` as "almost done": it spins until `DONE` (the completer is inside
//!   a short critical section), so it never sleeps on a claim that is already
//!   won. Observing `DONE` with acquire ordering makes the slot writes visible.
//! - An owner that gives up (timeout, dropped future) takes the locks of every
//!   queue its sudogs sit in; with those held the state is either `WAITING`
//!   (nobody can claim it any more once its sudogs are removed) or `DONE`.

use crate::sync::{AtomicUsize, Ordering, WakerCell};
use core::fmt;
use core::task::Waker;
use std::time::Instant;

const WAITING: usize = 0;
const CLAIMED: usize = 1;
const DONE: usize = 2;

/// The claim cell of one waiting party (Go: `g.selectDone` plus `g.param`).
///
/// # Example
///
/// A claim is usually driven by a [`WaitQ`](crate::WaitQ); on its own it is a
/// one-shot completion flag with a waker:
///
/// ```
/// use gort_park::Claim;
///
/// let claim = Claim::new();
/// assert_eq!(claim.done(), None);
/// assert!(claim.try_claim());
/// assert!(!claim.try_claim(), "a claim is won once");
/// // SAFETY: we won the claim above and nothing else touches it.
/// let waker = unsafe { claim.finish(7) };
/// assert!(waker.is_none());
/// assert_eq!(claim.done(), Some(7));
/// ```
pub struct Claim {
    /// `WAITING`, `CLAIMED`, or `DONE + case`.
    state: AtomicUsize,
    /// The owner's waker; taken by the completer just before `DONE`.
    waker: WakerCell,
}

impl Claim {
    /// A fresh claim in the waiting state.
    pub fn new() -> Self {
        Self {
            state: AtomicUsize::new(WAITING),
            waker: WakerCell::new(),
        }
    }

    /// Tries to win this claim (Go: `selectDone.CompareAndSwap(0, 1)`).
    ///
    /// The winner must call [`finish`](Self::finish) before it releases the
    /// lock under which it won.
    #[inline]
    pub fn try_claim(&self) -> bool {
        self.state
            .compare_exchange(WAITING, CLAIMED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Publishes that case `case` completed and returns the owner's waker, to
    /// be woken after the caller has released its lock.
    ///
    /// # Safety
    ///
    /// The caller won this claim with [`try_claim`](Self::try_claim) and has not
    /// finished it yet. After this call it must not touch the claim, or any
    /// sudog that points to it, again: the owner may free them at once.
    #[inline]
    pub unsafe fn finish(&self, case: usize) -> Option<Waker> {
        // SAFETY: forwarded contract; `self` outlives the call.
        unsafe { Self::finish_raw(self, case) }
    }

    /// [`finish`](Self::finish) through a raw pointer, for a completer that
    /// must not hold a reference to the claim across the publication (the
    /// owner may free the claim as soon as the state is `DONE`).
    ///
    /// # Safety
    /// As for `finish`, and `this` points to a live claim until the state is
    /// published; it is not used afterwards.
    #[inline]
    pub(crate) unsafe fn finish_raw(this: *const Self, case: usize) -> Option<Waker> {
        // SAFETY: the claim is alive until the store below (the caller's
        // contract); these shared references end with their statements.
        let waker = unsafe {
            debug_assert_eq!((*this).state.load(Ordering::Relaxed), CLAIMED);
            (*this).waker.take()
        };
        // SAFETY: as above. The store is the last access: after it the owner
        // may free the claim.
        unsafe { (*this).state.store(DONE + case, Ordering::Release) };
        waker
    }

    /// The completed case, once the claim is done; acquire ordering, so the
    /// completer's writes to the winning sudog are visible afterwards.
    #[inline]
    pub fn done(&self) -> Option<usize> {
        match self.state.load(Ordering::Acquire) {
            s if s >= DONE => Some(s - DONE),
            _ => None,
        }
    }

    /// Like [`done`](Self::done), but waits out a completion in progress: a
    /// `CLAIMED` state becomes `DONE` within the completer's critical section.
    #[inline]
    pub fn settled(&self) -> Option<usize> {
        loop {
            match self.state.load(Ordering::Acquire) {
                WAITING => return None,
                CLAIMED => crate::sync::spin_loop(),
                s => return Some(s - DONE),
            }
        }
    }

    /// Whether nobody has won the claim yet.
    #[inline]
    pub fn is_waiting(&self) -> bool {
        self.state.load(Ordering::Acquire) == WAITING
    }

    /// Registers the waker to wake on completion. Call it before checking
    /// [`settled`](Self::settled) (see the module docs).
    #[inline]
    pub fn register(&self, waker: &Waker) {
        self.waker.register(waker);
    }

    /// Registers the calling OS thread as the party to wake ([`wait`](Self::wait)
    /// does it itself when it stops spinning).
    pub fn register_current_thread(&self) {
        crate::thread::with_current_waker(|w| self.register(w));
    }

    /// Makes a finished claim reusable (Go: the selector resetting
    /// `selectDone` to 0).
    ///
    /// Only the owner may call it, and only when none of its sudogs is queued.
    #[inline]
    pub fn rearm(&self) {
        self.state.store(WAITING, Ordering::Relaxed);
    }

    /// Blocks the calling thread until the claim is done or `deadline` passes
    /// (Go: `gopark` of a goroutine on a channel, for an OS thread). Returns
    /// the completed case, or `None` on timeout.
    ///
    /// It spins briefly first, with no waker registered, so a completer that
    /// arrives quickly has nobody to wake; then it registers the calling
    /// thread and parks. (Do not register a waker yourself before calling
    /// it.)
    pub fn wait(&self, deadline: Option<Instant>) -> Option<usize> {
        crate::thread::spin_until(|| self.done()).or_else(|| {
            self.register_current_thread();
            crate::thread::park_loop(|| self.settled(), deadline)
        })
    }
}

impl Default for Claim {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state.load(Ordering::Relaxed) {
            WAITING => "waiting".to_string(),
            CLAIMED => "claimed".to_string(),
            s => format!("done({})", s - DONE),
        };
        f.debug_struct("Claim").field("state", &state).finish()
    }
}
