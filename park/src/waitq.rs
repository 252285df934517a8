//! A FIFO queue of waiting parties: Go's `waitq` (runtime/chan.go) with
//! `enqueue`, `dequeue` and `dequeueSudoG` (runtime/select.go).

use crate::claim::Claim;
use crate::sudog::Sudog;
use core::fmt;
use core::marker::PhantomData;
use core::ptr::{self, NonNull};
use core::task::Waker;

/// A FIFO queue of [`Sudog`]s, linked through the sudogs themselves (no
/// allocation), guarded by the lock of the structure that contains it.
///
/// Holding `&mut WaitQ` is what "holding the lock" means for the methods
/// below; the unsafe ones add requirements about the sudogs.
///
/// # Example
///
/// A receiver waits; a sender finds it, hands it a value and wakes it:
///
/// ```
/// use gort_park::{Claim, Sudog, WaitQ};
/// use std::pin::pin;
///
/// let mut q = WaitQ::new();
/// let claim = pin!(Claim::new());
/// let receiver = pin!(Sudog::new(0, None));
/// // SAFETY: both stay pinned here until the sudog leaves the queue below.
/// unsafe { q.enqueue(&receiver, &claim) };
///
/// let mut waiter = q.dequeue().expect("a receiver waits");
/// waiter.put_elem(42);
/// let waker = waiter.complete(true);
/// // ... unlock, then wake:
/// if let Some(w) = waker { w.wake() }
///
/// assert_eq!(claim.done(), Some(0));
/// // SAFETY: the claim is done, so the sudog is ours again.
/// assert_eq!(unsafe { receiver.take_elem() }, Some(42));
/// ```
pub struct WaitQ<T> {
    first: *const Sudog<T>,
    last: *const Sudog<T>,
}

// SAFETY: the queue only links sudogs, whose contents are `T`s moving between
// threads under the lock that guards the queue.
unsafe impl<T: Send> Send for WaitQ<T> {}
// SAFETY: `&WaitQ` exposes nothing but `is_empty`.
unsafe impl<T: Send> Sync for WaitQ<T> {}

impl<T> WaitQ<T> {
    /// An empty queue.
    pub const fn new() -> Self {
        Self {
            first: ptr::null(),
            last: ptr::null(),
        }
    }

    /// Whether no sudog is queued. Sudogs of a select that won elsewhere count
    /// until their owner removes them (as in Go).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.first.is_null()
    }

    /// Appends `sg`, owned by the party whose claim is `claim` (Go:
    /// `waitq.enqueue`).
    ///
    /// # Safety
    /// - `sg` is not queued anywhere.
    /// - `sg` and `claim` stay alive and at their addresses until `sg` has left
    ///   this queue: through [`dequeue`](Self::dequeue) (the owner learns of it
    ///   from `claim`) or through [`remove`](Self::remove), both under the same
    ///   lock as this call. Until then the owner takes no `&mut` to `sg`.
    pub unsafe fn enqueue(&mut self, sg: &Sudog<T>, claim: &Claim) {
        let me: *const Sudog<T> = sg;
        let last = self.last;
        // SAFETY: we hold the queue lock (`&mut self`); `sg` is not queued,
        // so its slot and links are ours.
        unsafe {
            sg.links(|l| {
                assert!(!l.queued, "sudog queued twice");
                l.next = ptr::null();
                l.prev = last;
                l.claim = claim;
                l.queued = true;
            });
            sg.reset_outcome();
        }
        if last.is_null() {
            self.first = me;
        } else {
            // SAFETY: `last` is queued here, so alive (enqueue's contract), and
            // we hold the lock.
            unsafe { (*last).links(|l| l.next = me) };
        }
        self.last = me;
    }

    /// Pops the first sudog whose claim this call wins (Go: `waitq.dequeue`).
    ///
    /// Sudogs whose claim is already won elsewhere (a select that completed
    /// on another case) are unlinked and skipped; their owner's later
    /// [`remove`](Self::remove) finds them gone.
    pub fn dequeue(&mut self) -> Option<Claimed<'_, T>> {
        loop {
            let sg = self.first;
            if sg.is_null() {
                return None;
            }
            // SAFETY: `sg` is queued here, so alive, and we hold the lock.
            let (next, claim) = unsafe {
                (*sg).links(|l| {
                    let next = l.next;
                    l.next = ptr::null();
                    l.prev = ptr::null();
                    l.queued = false;
                    (next, l.claim)
                })
            };
            self.first = next;
            if next.is_null() {
                self.last = ptr::null();
            } else {
                // SAFETY: `next` is queued here and we hold the lock.
                unsafe { (*next).links(|l| l.prev = ptr::null()) };
            }
            // SAFETY: the owner keeps `claim` alive until it sees it done or
            // has removed `sg` under this lock; neither has happened yet.
            if unsafe { (*claim).try_claim() } {
                // We won the claim, so the owner waits for us and keeps `sg`
                // and `claim` alive until we finish.
                // SAFETY: `sg` was checked non-null above, and every queued
                // sudog's claim pointer is set by `enqueue` from a reference.
                let (sg, claim) = unsafe {
                    (
                        NonNull::new_unchecked(sg.cast_mut()),
                        NonNull::new_unchecked(claim.cast_mut()),
                    )
                };
                return Some(Claimed {
                    sg,
                    claim,
                    _queue: PhantomData,
                });
            }
        }
    }

    /// Unlinks `sg` if it is still queued (Go: `dequeueSudoG`); returns
    /// whether it was.
    ///
    /// # Safety
    /// `sg` was enqueued in this queue (it may have left it since).
    pub unsafe fn remove(&mut self, sg: &Sudog<T>) -> bool {
        // SAFETY: we hold the lock; `sg` belongs to this queue, if any.
        let links = unsafe {
            sg.links(|l| {
                let pn = l.queued.then_some((l.prev, l.next));
                l.prev = ptr::null();
                l.next = ptr::null();
                l.queued = false;
                pn
            })
        };
        let Some((prev, next)) = links else {
            return false;
        };
        if prev.is_null() {
            self.first = next;
        } else {
            // SAFETY: neighbours of a queued sudog are queued, hence alive.
            unsafe { (*prev).links(|l| l.next = next) };
        }
        if next.is_null() {
            self.last = prev;
        } else {
            // SAFETY: as above.
            unsafe { (*next).links(|l| l.prev = prev) };
        }
        true
    }
}

impl<T> Default for WaitQ<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for WaitQ<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitQ")
            .field("empty", &self.is_empty())
            .finish()
    }
}

/// A sudog this thread dequeued and claimed; the queue's lock is still held.
///
/// Move the value through [`take_elem`](Self::take_elem) or
/// [`put_elem`](Self::put_elem), then [`complete`](Self::complete) it and wake
/// the returned waker after unlocking (Go: `send`, `recv`, `closechan`).
#[must_use = "a claimed waiter must be completed, or its owner waits forever"]
pub struct Claimed<'q, T> {
    /// Raw pointers, not references: once [`Claim::finish`] publishes the
    /// outcome, the owner may free the sudog and the claim at once, before
    /// `complete` returns; a reference held across that moment (as a field
    /// of a function's argument) would have to stay valid for the whole
    /// call.
    sg: NonNull<Sudog<T>>,
    claim: NonNull<Claim>,
    _queue: PhantomData<&'q Sudog<T>>,
}

impl<T> Claimed<'_, T> {
    /// The sudog, valid until the claim is finished.
    fn sg(&self) -> &Sudog<T> {
        // SAFETY: the owner keeps the sudog alive until the claim is
        // finished, which happens only by consuming `self`.
        unsafe { self.sg.as_ref() }
    }

    /// The select case of the claimed sudog.
    pub fn case(&self) -> usize {
        self.sg().case()
    }

    /// Takes the value a sender is waiting to hand over.
    pub fn take_elem(&mut self) -> Option<T> {
        // SAFETY: we hold the queue lock and won the claim.
        unsafe { self.sg().take_elem() }
    }

    /// Gives a waiting receiver its value; returns what its slot held.
    pub fn put_elem(&mut self, value: T) -> Option<T> {
        // SAFETY: we hold the queue lock and won the claim.
        unsafe { self.sg().put_elem(value) }
    }

    /// Leaves the owner a word beside the value (see [`Sudog::stamp`]).
    pub fn set_stamp(&mut self, stamp: u64) {
        // SAFETY: we hold the queue lock and won the claim.
        unsafe { self.sg().set_stamp(stamp) }
    }

    /// Records `success` in the sudog and publishes the outcome to the owner;
    /// returns the owner's waker. After this the sudog and the claim may be
    /// gone: only raw pointers to them remain, and they are not used again.
    ///
    /// # Safety
    /// Called once, holding the queue lock, as the winner of the claim.
    unsafe fn finish(&self, success: bool) -> Option<Waker> {
        let case = {
            let sg = self.sg();
            // SAFETY: we hold the lock and won the claim (the caller's
            // contract).
            unsafe { sg.set_success(success) };
            sg.case()
        };
        // SAFETY: the claim is alive until this call publishes it done; the
        // caller won it and has not finished it.
        unsafe { Claim::finish_raw(self.claim.as_ptr(), case) }
    }

    /// Records the outcome and publishes it to the owner (Go: `sg.success =
    /// ...` and `goready`, split so the wake happens after unlocking).
    ///
    /// Returns the owner's waker: wake it once the lock is released.
    #[must_use = "wake the returned waker after unlocking"]
    pub fn complete(self, success: bool) -> Option<Waker> {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: we hold the lock and won the claim; `this` is not used
        // (or dropped) afterwards.
        unsafe { this.finish(success) }
    }
}

impl<T> Drop for Claimed<'_, T> {
    /// Only reached if a panic unwinds between `dequeue` and `complete`: the
    /// owner is released as if by a close rather than left waiting forever.
    fn drop(&mut self) {
        // SAFETY: as in `complete`.
        if let Some(w) = unsafe { self.finish(false) } {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for Claimed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claimed")
            .field("case", &self.case())
            .finish()
    }
}
