//! `WaitGroup`: Go's `sync.WaitGroup` (sync/waitgroup.go, go1.23).

use crate::guard::DoneGuard;
use crate::state::{COUNTER_ONE, Misuse, counter, counter_delta, waiters};
use core::fmt;
use gort_park::Sema;
use gort_sync::{Arc, AtomicU64, Ordering};

/// Waits for a collection of tasks or threads to finish (Go: `sync.WaitGroup`).
///
/// [`add`](Self::add) sets how many to wait for, each one calls
/// [`done`](Self::done) (or drops a [`DoneGuard`]) when it finishes, and
/// [`wait`](Self::wait) (async) or [`wait_blocking`](Self::wait_blocking)
/// returns once the counter is zero.
///
/// A `WaitGroup` is a handle: [`Clone`] shares the same group (Go passes a
/// `*WaitGroup`), so a clone or a guard moves into each spawned task.
///
/// Go's rules apply: an `add` with a positive delta that starts from zero must
/// happen before the `wait` it is meant to hold up, and a group is reused only
/// after every `wait` of the previous round has returned (a dropped `wait()`
/// future counts as returned). Breaking them panics when it is caught, with
/// Go's messages. Each [`done`](Self::done) "synchronizes before" the return
/// of every wait it releases: what a finished party wrote is visible to the
/// waiters.
///
/// ```
/// use gort_waitgroup::WaitGroup;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// let wg = WaitGroup::new();
/// let sum = Arc::new(AtomicUsize::new(0));
/// for i in 1..=4 {
///     wg.add(1);
///     let (wg, sum) = (wg.clone(), sum.clone());
///     std::thread::spawn(move || {
///         sum.fetch_add(i, Ordering::Relaxed);
///         wg.done();
///     });
/// }
/// wg.wait_blocking();
/// assert_eq!(sum.load(Ordering::Relaxed), 10);
/// ```
#[derive(Clone)]
pub struct WaitGroup {
    pub(crate) inner: Arc<Inner>,
}

/// The shared group (Go's struct: `state` and `sema`).
pub(crate) struct Inner {
    /// Counter (high 32 bits) and waiter count (low 32 bits); see `state.rs`.
    state: AtomicU64,
    /// Where registered waiters sleep (Go: `WaitGroup.sema`, used through
    /// `runtime_Semacquire` / `runtime_Semrelease`).
    pub(crate) sema: Sema,
}

impl WaitGroup {
    /// An empty group: the counter is zero, so a wait returns at once.
    ///
    /// ```
    /// let wg = gort_waitgroup::WaitGroup::new();
    /// wg.wait_blocking(); // nothing to wait for
    /// ```
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                state: AtomicU64::new(0),
                sema: Sema::new(0),
            }),
        }
    }

    /// Adds `delta`, which may be negative, to the counter; when it reaches
    /// zero every waiting party is released (Go: `WaitGroup.Add`).
    ///
    /// `add(0)` does nothing.
    ///
    /// # Panics
    ///
    /// With Go's messages, on a contract violation:
    /// - "sync: negative WaitGroup counter" if the counter goes below zero
    ///   (as in Go, the group is unusable afterwards);
    /// - "sync: WaitGroup counter overflow" if it would pass `i32::MAX` (the
    ///   counter is left unchanged);
    /// - "sync: WaitGroup misuse: Add called concurrently with Wait" when an
    ///   `add` from zero is caught racing a wait (detection is best-effort, as
    ///   in Go).
    ///
    /// ```
    /// let wg = gort_waitgroup::WaitGroup::new();
    /// wg.add(2);
    /// wg.add(-1);
    /// wg.done();
    /// wg.wait_blocking();
    /// ```
    #[inline]
    #[track_caller]
    pub fn add(&self, delta: isize) {
        if let Err(misuse) = self.inner.add(delta) {
            misuse.raise();
        }
    }

    /// Decrements the counter by one (Go: `WaitGroup.Done`).
    ///
    /// # Panics
    ///
    /// "sync: negative WaitGroup counter" if the counter was already zero.
    ///
    /// ```
    /// let wg = gort_waitgroup::WaitGroup::new();
    /// wg.add(1);
    /// wg.done();
    /// wg.wait_blocking();
    /// ```
    #[inline]
    #[track_caller]
    pub fn done(&self) {
        self.add(-1);
    }

    /// Adds one to the counter now and returns a guard that calls
    /// [`done`](Self::done) when it is dropped, also when a panic unwinds
    /// through its owner (Go: `wg.Add(1)` plus `defer wg.Done()`).
    ///
    /// While unwinding the guard never panics: a `done` that would make the
    /// counter negative is skipped instead, since a second panic would abort
    /// the process.
    ///
    /// ```
    /// let wg = gort_waitgroup::WaitGroup::new();
    /// let guard = wg.guard();
    /// let worker = std::thread::spawn(move || {
    ///     let _guard = guard; // done when the thread's work ends
    ///     panic!("the worker fails");
    /// });
    /// wg.wait_blocking(); // released even though the worker panicked
    /// assert!(worker.join().is_err());
    /// ```
    #[track_caller]
    pub fn guard(&self) -> DoneGuard {
        self.add(1);
        DoneGuard::new(self.clone())
    }

    /// Blocks the calling thread until the counter is zero (Go:
    /// `WaitGroup.Wait`).
    ///
    /// Do not call it from async code: it blocks the executor's thread (and
    /// on a single-threaded runtime, the tasks that would call `done`). Use
    /// [`wait`](Self::wait) there.
    ///
    /// # Panics
    ///
    /// "sync: WaitGroup is reused before previous Wait has returned", as
    /// [`wait`](Self::wait).
    ///
    /// ```
    /// let wg = gort_waitgroup::WaitGroup::new();
    /// wg.add(1);
    /// let w = wg.clone();
    /// std::thread::spawn(move || w.done());
    /// wg.wait_blocking();
    /// ```
    #[inline]
    #[track_caller]
    pub fn wait_blocking(&self) {
        if self.inner.register_waiter() {
            self.sleep_blocking();
        }
    }

    /// The sleeping half of Go's `Wait`, out of line: `Semacquire`, then the
    /// reuse check.
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn sleep_blocking(&self) {
        self.inner.sema.acquire_blocking();
        if let Err(misuse) = self.inner.check_released() {
            misuse.raise();
        }
    }
}

impl Inner {
    /// Port of `WaitGroup.Add`, reporting a misuse instead of panicking.
    ///
    /// Deviations: `delta == 0` returns at once (Go would run its release
    /// logic on a transient zero state); a delta outside `i32` or a counter
    /// passing `i32::MAX` is an overflow that leaves the counter unchanged
    /// (Go truncates the delta or lets the counter wrap negative). The
    /// overflowing add wraps the counter for a moment (Go's single atomic add
    /// is kept for every legal call); while it takes itself back, the others
    /// do not act on the wrapped value.
    #[inline]
    pub(crate) fn add(&self, delta: isize) -> Result<(), Misuse> {
        let Ok(delta) = i32::try_from(delta) else {
            // Too big for the counter either way: a negative result for a
            // large negative delta, an overflow for a large positive one.
            return Err(if delta < 0 {
                Misuse::Negative
            } else {
                Misuse::Overflow
            });
        };
        if delta == 0 {
            return Ok(());
        }
        if delta > 0
            && counter(self.state.load(Ordering::Relaxed))
                .checked_add(delta)
                .is_none()
        {
            // An add that overflows by itself is refused before it touches
            // the word: no other party ever sees a wrapped counter.
            return Err(Misuse::Overflow);
        }
        // Go's single atomic add.
        let old = self.state.fetch_add(counter_delta(delta), Ordering::AcqRel);
        if counter(old) < 0 {
            // Adds that overflow only together (each passed the check above)
            // left the counter wrapped for a moment; the one that overflowed
            // takes itself back and settles the count (`undo_overflow`).
            return Ok(());
        }
        let state = old.wrapping_add(counter_delta(delta));
        let (v, w) = (counter(state), waiters(state));
        if v < 0 {
            if delta > 0 {
                return self.undo_overflow(delta);
            }
            return Err(Misuse::Negative);
        }
        if w != 0 && delta > 0 && v == delta {
            return Err(Misuse::AddDuringWait);
        }
        if v > 0 || w == 0 {
            return Ok(());
        }
        self.release_waiters(state)
    }

    /// Takes back an add of `delta` that overflowed the counter, then reports
    /// the overflow. Parties that found the counter wrapped meanwhile
    /// returned without acting on it (a valid `done` among them must not
    /// report a negative counter); if such a `done` made the real count zero,
    /// its waiters are released here, as it would have done.
    #[cold]
    fn undo_overflow(&self, delta: i32) -> Result<(), Misuse> {
        let before = self.state.fetch_sub(counter_delta(delta), Ordering::AcqRel);
        let state = before.wrapping_sub(counter_delta(delta));
        if counter(state) == 0 && waiters(state) != 0 {
            self.release_waiters(state)?;
        }
        Err(Misuse::Overflow)
    }

    /// The tail of Go's `Add` once the counter reached zero with `waiters`
    /// registered: no legal `add` or `wait` can race it now (an `add` from
    /// zero must not race a wait, and a wait does not register on a zero
    /// counter), so after a sanity check the state is reset and every
    /// waiter gets one semaphore unit.
    #[cold]
    fn release_waiters(&self, state: u64) -> Result<(), Misuse> {
        if self.state.load(Ordering::Acquire) != state {
            return Err(Misuse::AddDuringWait);
        }
        self.state.store(0, Ordering::Release);
        for _ in 0..waiters(state) {
            self.sema.release();
        }
        Ok(())
    }

    /// `done` for a [`DoneGuard`] dropped while unwinding: never panics, and
    /// skips the decrement if the counter is already zero or negative.
    pub(crate) fn done_unwinding(&self) {
        let mut old = self.state.load(Ordering::Acquire);
        loop {
            if counter(old) <= 0 {
                return;
            }
            match self.state.compare_exchange_weak(
                old,
                old - COUNTER_ONE,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(now) => old = now,
            }
        }
        let state = old - COUNTER_ONE;
        if counter(state) == 0 && waiters(state) != 0 {
            // A misuse found here cannot be reported without a second panic.
            let _ = self.release_waiters(state);
        }
    }

    /// The registration loop of Go's `Wait`: counts the caller as a waiter
    /// unless the counter is zero. Returns whether the caller must sleep.
    #[inline]
    pub(crate) fn register_waiter(&self) -> bool {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if counter(state) == 0 {
                return false;
            }
            match self.state.compare_exchange_weak(
                state,
                state + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(now) => state = now,
            }
        }
    }

    /// Go's check after `Semacquire` in `Wait`: the releasing `add` reset
    /// the state to zero, so anything else means the next round started
    /// before this wait returned.
    pub(crate) fn check_released(&self) -> Result<(), Misuse> {
        if self.state.load(Ordering::Acquire) == 0 {
            Ok(())
        } else {
            Err(Misuse::Reused)
        }
    }

    /// Takes back the registration of a wait that gives up (a dropped
    /// future; Go's waits cannot give up). Returns false if the counter
    /// reached zero meanwhile: the releasing `add` counted this waiter and
    /// hands out (or has handed out) a unit for it, which the caller must
    /// then take with [`take_owed_unit`](Self::take_owed_unit).
    pub(crate) fn unregister_waiter(&self) -> bool {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if counter(state) == 0 || waiters(state) == 0 {
                return false;
            }
            match self.state.compare_exchange_weak(
                state,
                state - 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(now) => state = now,
            }
        }
    }

    /// Takes the semaphore unit that the `add` which zeroed the counter
    /// released, or is about to release, for a waiter that gave up, so no
    /// stray unit can release a later wait early.
    ///
    /// That `add` is inside its release loop, which runs no user code, so
    /// this spins and yields rather than parks. It gives up if the counter is
    /// non-zero again: the next round began before this wait returned, the
    /// misuse that Go reports as "reused before previous Wait has returned".
    #[cold]
    pub(crate) fn take_owed_unit(&self) {
        while !self.sema.try_acquire() {
            if counter(self.state.load(Ordering::Acquire)) != 0 {
                return;
            }
            gort_sync::thread::yield_now();
        }
    }

    /// A snapshot of (counter, waiters), for `Debug`.
    fn snapshot(&self) -> (i32, u32) {
        let state = self.state.load(Ordering::Relaxed);
        (counter(state), waiters(state))
    }
}

impl Default for WaitGroup {
    /// An empty group, as [`WaitGroup::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for WaitGroup {
    /// Shows the counter and the number of registered waiters.
    ///
    /// ```
    /// let wg = gort_waitgroup::WaitGroup::new();
    /// wg.add(2);
    /// assert_eq!(format!("{wg:?}"), "WaitGroup { counter: 2, waiters: 0 }");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (counter, waiters) = self.inner.snapshot();
        f.debug_struct("WaitGroup")
            .field("counter", &counter)
            .field("waiters", &waiters)
            .finish()
    }
}
