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
//! the owner when none of its sudogs is queued ([`Claim::rearm`]). The owner
//! may pass through `REGISTERING` (from and back to `WAITING`) to replace its
//! waker while its sudogs are queued.
//!
//! - The waker slot has no lock of its own: the state word decides who may
//!   touch it. The owner writes it while none of its sudogs is queued
//!   ([`Claim::rearm_with`]: the queue lock it takes to enqueue publishes the
//!   write) or while it holds `REGISTERING` ([`Claim::register`]). A
//!   completer reads it only after winning `WAITING → CLAIMED`.
//! - The completer holds the lock of the queue it dequeued the sudog from for
//!   the whole `WAITING → CLAIMED → DONE` walk: it wins the CAS, writes the
//!   sudog's slot, takes the registered waker, then publishes `DONE(case)` with
//!   release ordering. After that store it never touches the claim or the
//!   sudog again; it wakes the taken waker after unlocking.
//! - A completer that finds `REGISTERING` claims it as `CLAIMED_UNWOKEN` and
//!   leaves the slot to the owner: the owner is running, its registration's
//!   closing CAS fails, and it then sees the outcome itself, so no wake-up is
//!   needed (the same hand-over as `AtomicWaker`'s `WAKING` bit).
//! - The owner registers its waker *before* it reads the state, and treats
//!   both claimed states as "almost done": it spins until `DONE` (the
//!   completer is inside a short critical section), so it never sleeps on a
//!   claim that is already won. Observing `DONE` with acquire ordering makes
//!   the slot writes visible.
//! - An owner that gives up (timeout, dropped future) takes the locks of every
//!   queue its sudogs sit in; with those held the state is either `WAITING`
//!   (nobody can claim it any more once its sudogs are removed) or `DONE`.
//!
//! Go keeps no waker: `goready` needs only the `g`. A waker slot guarded by
//! `AtomicWaker` would cost two more atomic read-modify-writes per wake-up
//! (its registration lock on take) and two per registration; here a
//! registration before enqueueing costs none and a take costs none.

use crate::sync::{AtomicUsize, Ordering, UnsafeCell};
use core::fmt;
use core::task::Waker;
use std::time::Instant;

const WAITING: usize = 0;
/// The owner is replacing its waker (entered only from `WAITING`).
const REGISTERING: usize = 1;
/// Won by a completer, which takes the waker.
const CLAIMED: usize = 2;
/// Won by a completer while the owner was registering: the completer
/// leaves the waker slot alone and wakes nobody.
const CLAIMED_UNWOKEN: usize = 3;
/// `DONE + case`: completed with case `case`.
const DONE: usize = 4;

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
    /// `WAITING`, `REGISTERING`, `CLAIMED`, `CLAIMED_UNWOKEN`, or
    /// `DONE + case`.
    state: AtomicUsize,
    /// The owner's waker; who may touch it is decided by `state` (see the
    /// module docs).
    waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the waker slot is accessed by one party at a time, as `state`
// decides (module docs); `Waker` is `Send + Sync`.
unsafe impl Send for Claim {}
// SAFETY: as above.
unsafe impl Sync for Claim {}

impl Claim {
    /// A fresh claim in the waiting state.
    pub fn new() -> Self {
        Self {
            state: AtomicUsize::new(WAITING),
            waker: UnsafeCell::new(None),
        }
    }

    /// Tries to win this claim (Go: `selectDone.CompareAndSwap(0, 1)`).
    /// An owner replacing its waker does not make it fail: the claim is
    /// then won without the waker (see the module docs).
    ///
    /// The winner must call [`finish`](Self::finish) before it releases the
    /// lock under which it won.
    #[inline]
    pub fn try_claim(&self) -> bool {
        let mut seen = WAITING;
        loop {
            let won = if seen == REGISTERING {
                CLAIMED_UNWOKEN
            } else {
                CLAIMED
            };
            match self
                .state
                .compare_exchange(seen, won, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return true,
                Err(s @ (WAITING | REGISTERING)) => seen = s,
                Err(_) => return false,
            }
        }
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
        // Having won `CLAIMED`, we alone touch the slot until we publish.
        let waker = unsafe {
            match (*this).state.load(Ordering::Relaxed) {
                CLAIMED => (*this).waker.with_mut(|w| (*w).take()),
                s => {
                    debug_assert_eq!(s, CLAIMED_UNWOKEN);
                    None
                }
            }
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
    /// claimed state becomes `DONE` within the completer's critical section.
    /// Only the owner calls it (so the claim is never `REGISTERING` here).
    #[inline]
    pub fn settled(&self) -> Option<usize> {
        loop {
            match self.state.load(Ordering::Acquire) {
                WAITING | REGISTERING => return None,
                CLAIMED | CLAIMED_UNWOKEN => crate::sync::spin_loop(),
                s => return Some(s - DONE),
            }
        }
    }

    /// Whether nobody has won the claim yet.
    #[inline]
    pub fn is_waiting(&self) -> bool {
        matches!(self.state.load(Ordering::Acquire), WAITING | REGISTERING)
    }

    /// Registers the waker to wake on completion, while sudogs of the claim
    /// may be queued (a later poll with a new waker). Call it before
    /// checking [`settled`](Self::settled) (see the module docs). Only the
    /// owner registers. A claim already won keeps its waker: the owner sees
    /// the outcome through `settled`.
    pub fn register(&self, waker: &Waker) {
        if self
            .state
            .compare_exchange(WAITING, REGISTERING, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return;
        }
        /// Leaves `REGISTERING`, also if cloning the waker unwinds; the CAS
        /// fails if a completer claimed the claim meanwhile.
        struct Leave<'a>(&'a AtomicUsize);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                let _ = self.0.compare_exchange(
                    REGISTERING,
                    WAITING,
                    Ordering::Release,
                    Ordering::Relaxed,
                );
            }
        }
        let leave = Leave(&self.state);
        // SAFETY: in `REGISTERING` only the owner touches the slot (a
        // completer that claims now takes `CLAIMED_UNWOKEN` and leaves it).
        let old = unsafe { self.store_waker(waker) };
        drop(leave);
        drop(old);
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

    /// [`rearm`](Self::rearm), and stores `waker` as the one to wake, with no
    /// atomic read-modify-write: the lock of the queue the claim's sudogs are
    /// then put in publishes it to the completers.
    ///
    /// # Safety
    /// Only the owner calls it, while none of the claim's sudogs is queued
    /// (so no completer can reach the claim), and it queues them only after
    /// this call.
    #[inline]
    pub unsafe fn rearm_with(&self, waker: &Waker) {
        self.rearm();
        // SAFETY: nobody else can reach the claim (the caller's contract).
        drop(unsafe { self.store_waker(waker) });
    }

    /// Stores a clone of `waker` unless the slot holds one that wakes the
    /// same task; returns the replaced waker, to drop after leaving the
    /// slot's critical section.
    ///
    /// # Safety
    /// The caller alone may touch the slot (see the module docs).
    #[inline]
    unsafe fn store_waker(&self, waker: &Waker) -> Option<Waker> {
        self.waker.with_mut(|slot| {
            // SAFETY: exclusive access (the caller's contract).
            let slot = unsafe { &mut *slot };
            match slot {
                Some(w) if w.will_wake(waker) => None,
                _ => slot.replace(waker.clone()),
            }
        })
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
            WAITING | REGISTERING => "waiting".to_string(),
            CLAIMED | CLAIMED_UNWOKEN => "claimed".to_string(),
            s => format!("done({})", s - DONE),
        };
        f.debug_struct("Claim").field("state", &state).finish()
    }
}
