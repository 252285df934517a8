//! `Once`: Go's `sync.Once` (sync/once.go, go1.23).
//!
//! Go runs the slow path under a mutex that it holds while `f` runs. An async
//! initialiser cannot hold a mutex across `.await`, so here the mutex guards
//! only a tiny state machine (`running`, and a wait queue of gort-park
//! sudogs); whoever finds the Once neither done nor running runs the
//! initialiser, the others queue and sleep until it finishes. The observable
//! rules are Go's: `f` runs at most once to completion, every caller returns
//! only after it has finished, and a panicking `f` still counts as done.

use core::fmt;
use core::panic::{RefUnwindSafe, UnwindSafe};
use core::pin::pin;
use gort_park::{Claim, Sudog, WaitQ};
use gort_park::{Mutex, MutexGuard};
use gort_sync::{AtomicBool, Ordering};

/// Runs one initialiser exactly once (Go: `sync.Once`).
///
/// The first caller to find the Once not done runs its `f`; every other
/// caller waits until that `f` has finished, then returns without calling
/// its own. Once done, a call costs one atomic load.
///
/// # Panics in `f` (Go's rule, not std's)
///
/// If `f` panics, the panic propagates to its caller and the Once counts as
/// done: later calls return at once without running their `f`. std's
/// [`std::sync::Once`] poisons instead (later calls panic, unless they use
/// `call_once_force`).
///
/// # Async and blocking callers
///
/// [`call_once`](Self::call_once) blocks the calling thread while another
/// caller's initialiser runs; [`call_once_async`](Self::call_once_async)
/// waits as a future, and its initialiser may `.await`. Do not call
/// `call_once` from async code while an async initialiser of the same Once
/// may be in flight on the same thread (e.g. on a current-thread runtime):
/// the blocked thread would be the one that must poll the initialiser, and
/// both would wait forever. Use `call_once_async` in async code.
///
/// As in Go, calling the same Once from inside its own initialiser
/// deadlocks.
///
/// ```
/// use gort_once::Once;
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// static INIT: Once = Once::new();
/// static CALLS: AtomicUsize = AtomicUsize::new(0);
///
/// std::thread::scope(|s| {
///     for _ in 0..4 {
///         s.spawn(|| {
///             INIT.call_once(|| {
///                 CALLS.fetch_add(1, Ordering::Relaxed);
///             });
///             assert!(INIT.is_done());
///         });
///     }
/// });
/// assert_eq!(CALLS.load(Ordering::Relaxed), 1);
/// ```
// `repr(C)` keeps `done` first (Rust would otherwise reorder the fields).
#[repr(C)]
pub struct Once {
    /// Whether an initialiser has finished (returned or panicked). First in
    /// the struct, as in Go, so the inlined fast path needs no offset.
    done: AtomicBool,
    /// The slow path's state (Go: `Once.m`); no user code runs under it.
    slow: Mutex<Slow>,
}

/// The slow path's state, guarded by `Once::slow`.
pub(crate) struct Slow {
    /// Some caller is running its initialiser (Go: holds `Once.m`).
    running: bool,
    /// Callers waiting for the running initialiser to finish (Go: blocked
    /// in `m.Lock()`).
    waiters: WaitQ<()>,
}

/// What a caller on the slow path must do next.
pub(crate) enum Turn {
    /// The Once is done: return.
    Done,
    /// Run the initialiser: the caller now holds the running role.
    Run,
    /// Queued behind a running initialiser: wait for the claim, then see
    /// [`Once::woken`].
    Queued,
}

impl Once {
    const_unless_loom! {
        /// A Once that has not run yet.
        ///
        /// ```
        /// static ONCE: gort_once::Once = gort_once::Once::new();
        /// assert!(!ONCE.is_done());
        /// ```
        pub fn new() -> Self {
            Self {
                done: AtomicBool::new(false),
                slow: Mutex::new(Slow {
                    running: false,
                    waiters: WaitQ::new(),
                }),
            }
        }
    }

    /// Calls `f` if no initialiser of this Once has run yet, blocking the
    /// thread while another caller's initialiser runs (Go: `Once.Do`).
    ///
    /// When it returns, an initialiser has finished, and what it wrote is
    /// visible to the caller (Go: the return from `f` "synchronizes before"
    /// the return of every call). Do not call it from async code that may
    /// share its thread with an async initialiser of the same Once; see the
    /// type's docs.
    ///
    /// ```
    /// let once = gort_once::Once::new();
    /// let mut calls = 0;
    /// once.call_once(|| calls += 1);
    /// once.call_once(|| calls += 1);
    /// assert_eq!(calls, 1);
    /// ```
    #[inline]
    pub fn call_once<F: FnOnce()>(&self, f: F) {
        if self.done.load(Ordering::Acquire) {
            return;
        }
        self.call_once_cold(f);
    }

    /// Whether an initialiser has finished (returned or panicked).
    ///
    /// ```
    /// let once = gort_once::Once::new();
    /// assert!(!once.is_done());
    /// once.call_once(|| {});
    /// assert!(once.is_done());
    /// ```
    #[inline]
    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    /// The monomorphic part of the slow path: erases `f` to a `dyn FnMut`.
    #[cold]
    #[inline(never)]
    fn call_once_cold<F: FnOnce()>(&self, f: F) {
        let mut f = Some(f);
        self.call_once_slow(&mut || {
            if let Some(f) = f.take() {
                f();
            }
        });
    }

    /// Port of `Once.doSlow` for a blocked thread: take a turn; run `f` if it
    /// is ours, else sleep until the running initialiser finishes (then
    /// return) or is abandoned by a dropped async caller, which hands the
    /// running role to us (then run `f`).
    fn call_once_slow(&self, f: &mut dyn FnMut()) {
        let turn = match self.try_turn() {
            Some(turn) => turn,
            None => self.wait_turn(),
        };
        if let Turn::Run = turn {
            // Marks the Once done when `f` returns or panics.
            let _runner = Runner::new(self);
            f();
        }
    }

    /// Queues the calling thread behind the running initialiser and sleeps
    /// until it is woken (Go: blocking in `m.Lock()`).
    #[inline(never)]
    fn wait_turn(&self) -> Turn {
        let claim = pin!(Claim::new());
        let sg = pin!(Sudog::new(0, None));
        claim.register_current_thread();
        // SAFETY: `sg` and `claim` are pinned on this frame, which does not
        // return while `sg` is queued: `wait` returns only once the claim is
        // done, i.e. after a completer dequeued `sg`.
        match unsafe { self.turn(&sg, &claim) } {
            Turn::Queued => {
                claim.wait(None);
                // SAFETY: the claim is done, so `sg` is ours again.
                unsafe { Self::woken(&sg) }
            }
            turn => turn,
        }
    }

    /// Under the lock: `Done`, or the running role if nobody holds it, or
    /// `None` while an initialiser runs.
    fn grant(&self, slow: &mut Slow) -> Option<Turn> {
        if self.done.load(Ordering::Acquire) {
            return Some(Turn::Done);
        }
        if slow.running {
            return None;
        }
        slow.running = true;
        Some(Turn::Run)
    }

    /// The uncontended slow path: done, or our turn to run, without any
    /// waiting machinery (no sudog, no waker); `None` while an initialiser
    /// runs.
    pub(crate) fn try_turn(&self) -> Option<Turn> {
        self.grant(&mut self.slow.lock())
    }

    /// Like [`try_turn`](Self::try_turn), but queues `sg` behind a running
    /// initialiser (`Queued`).
    ///
    /// # Safety
    /// As [`WaitQ::enqueue`] for `sg` and `claim`: they stay pinned until the
    /// claim is done or `sg` is removed under the lock
    /// ([`leave_queue`](Self::leave_queue)). The owner's waker is registered
    /// in `claim` before the call.
    pub(crate) unsafe fn turn(&self, sg: &Sudog<()>, claim: &Claim) -> Turn {
        let mut slow = self.slow.lock();
        if let Some(turn) = self.grant(&mut slow) {
            return turn;
        }
        // SAFETY: forwarded from the caller.
        unsafe { slow.waiters.enqueue(sg, claim) };
        Turn::Queued
    }

    /// What a queued waiter was woken for: the Once is done ([`finish`]
    /// completes waiters with `false`), or an abandoned run handed it the
    /// running role ([`abandon`] completes one with `true`).
    ///
    /// # Safety
    /// `sg` was queued by [`turn`](Self::turn) and its claim is done.
    ///
    /// [`finish`]: Self::finish
    /// [`abandon`]: Self::abandon
    pub(crate) unsafe fn woken(sg: &Sudog<()>) -> Turn {
        // SAFETY: the claim is done, so the slot is the owner's again.
        if unsafe { sg.success() } {
            Turn::Run
        } else {
            Turn::Done
        }
    }

    /// Takes a waiter that gives up (a dropped future) out of the queue. If
    /// it was already woken with the running role, the role is abandoned in
    /// turn (handed to the next waiter).
    ///
    /// # Safety
    /// `sg` was queued by [`turn`](Self::turn) on this Once.
    pub(crate) unsafe fn leave_queue(&self, sg: &Sudog<()>) {
        let mut slow = self.slow.lock();
        // SAFETY: `sg` was enqueued in this queue (the caller's contract).
        if unsafe { slow.waiters.remove(sg) } {
            return;
        }
        // Dequeued and completed under this lock, so the slot is ours.
        // SAFETY: as above.
        if let Turn::Run = unsafe { Self::woken(sg) } {
            self.hand_over(slow);
        }
    }

    /// The end of a run: Go's deferred `done.Store(1)` and `m.Unlock()`.
    /// Wakes every waiter; they return.
    fn finish(&self) {
        let mut slow = self.slow.lock();
        self.done.store(true, Ordering::Release);
        slow.running = false;
        loop {
            let Some(waiter) = slow.waiters.dequeue() else {
                return;
            };
            let waker = waiter.complete(false);
            drop(slow);
            if let Some(w) = waker {
                w.wake();
            }
            slow = self.slow.lock();
        }
    }

    /// A run given up before it finished (a dropped async initialiser; Go
    /// has none): the Once stays not done.
    fn abandon(&self) {
        self.hand_over(self.slow.lock());
    }

    /// Hands the running role straight to the longest waiter, which then
    /// runs its own initialiser (FIFO, so callers that keep starting and
    /// abandoning runs cannot starve a waiter); with nobody waiting, the next
    /// caller takes it.
    fn hand_over(&self, mut slow: MutexGuard<'_, Slow>) {
        let Some(waiter) = slow.waiters.dequeue() else {
            slow.running = false;
            return;
        };
        let waker = waiter.complete(true);
        drop(slow);
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// The running role, held by the caller that runs the initialiser. Dropped,
/// it finishes the run (marks the Once done), also when a panic unwinds
/// through it: Go's deferred `done.Store(1)`.
pub(crate) struct Runner<'a> {
    once: &'a Once,
}

impl<'a> Runner<'a> {
    /// Wraps the role that [`Once::turn`] just granted.
    pub(crate) fn new(once: &'a Once) -> Self {
        Self { once }
    }

    /// Hands the role back to its holder's state without finishing (an
    /// async initialiser that is still pending).
    pub(crate) fn keep(self) {
        core::mem::forget(self);
    }

    /// Gives the role up without finishing: the Once stays not done, and the
    /// role passes to the longest waiter, if any.
    pub(crate) fn abandon(self) {
        let once = self.once;
        core::mem::forget(self);
        once.abandon();
    }
}

impl Drop for Runner<'_> {
    fn drop(&mut self) {
        self.once.finish();
    }
}

impl Default for Once {
    /// A Once that has not run yet, as [`Once::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Once {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Once")
            .field("done", &self.is_done())
            .finish_non_exhaustive()
    }
}

// A panicking initialiser leaves the Once consistent: done (Go's rule).
impl UnwindSafe for Once {}
impl RefUnwindSafe for Once {}
