//! One waiting operation: Go's `sudog` (runtime/runtime2.go).

use crate::claim::Claim;
use crate::sync::UnsafeCell;
use core::fmt;
use core::marker::PhantomPinned;
use core::ptr;

/// One party waiting on one queue (Go: `sudog`).
///
/// A blocked `send_blocking` keeps its sudog on its stack, an async operation
/// inside its (pinned) future, so waiting allocates nothing. A select owns one
/// sudog per case, all sharing one [`Claim`].
///
/// Field ownership (Go writes a woken sudog after unlocking because a parked
/// goroutine cannot vanish; a Rust waiter can, so every write by another
/// party happens under the queue's lock):
/// - the links belong to the [`WaitQ`](crate::WaitQ) and are touched only
///   under its lock;
/// - the slot (`elem`, `success`) belongs to whoever dequeued and claimed the
///   sudog while it is queued, and to the owner again once the owner has seen
///   its claim done or has removed the sudog itself under the lock.
pub struct Sudog<T> {
    links: UnsafeCell<Links<T>>,
    slot: UnsafeCell<Slot<T>>,
    /// Which case of its select this is (0 for a plain operation).
    case: usize,
    _pin: PhantomPinned,
}

/// Queue membership; guarded by the lock of the queue.
pub(crate) struct Links<T> {
    pub(crate) next: *const Sudog<T>,
    pub(crate) prev: *const Sudog<T>,
    /// The claim shared by all sudogs of the owner (Go: `sg.g.selectDone`).
    pub(crate) claim: *const Claim,
    /// Whether the sudog is in a queue (Go marks removal with `next = nil`).
    pub(crate) queued: bool,
}

/// What is handed over.
struct Slot<T> {
    /// The value being sent, or the place a received value lands (Go: `elem`).
    elem: Option<T>,
    /// True if a value moved, false if a close woke the owner (Go: `success`).
    success: bool,
    /// A word the completer leaves for the owner beside the value (as Go's
    /// completer writes `releasetime`): gort-chan numbers its hand-offs.
    stamp: u64,
}

// SAFETY: a sudog is shared between its owner and one completer; the value in
// its slot moves between threads, which `T: Send` allows. All shared access is
// serialised by the queue lock or by the claim's release/acquire handover.
unsafe impl<T: Send> Send for Sudog<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Sudog<T> {}

impl<T> Sudog<T> {
    /// A sudog for case `case`, carrying `elem` (the value to send, or `None`
    /// for a receive).
    pub fn new(case: usize, elem: Option<T>) -> Self {
        Self {
            links: UnsafeCell::new(Links {
                next: ptr::null(),
                prev: ptr::null(),
                claim: ptr::null(),
                queued: false,
            }),
            slot: UnsafeCell::new(Slot {
                elem,
                success: false,
                stamp: 0,
            }),
            case,
            _pin: PhantomPinned,
        }
    }

    /// The select case this sudog stands for.
    pub fn case(&self) -> usize {
        self.case
    }

    /// Renumbers the sudog (a select numbers its cases when it queues
    /// them). `&mut` access means the sudog is not queued: while it is, its
    /// owner only ever holds shared references (see [`WaitQ::enqueue`]).
    ///
    /// [`WaitQ::enqueue`]: crate::WaitQ::enqueue
    pub fn set_case(self: core::pin::Pin<&mut Self>, case: usize) {
        // SAFETY: `case` is not structurally pinned; nothing else moves.
        unsafe { self.get_unchecked_mut() }.case = case;
    }

    /// Runs `f` on the links.
    ///
    /// # Safety
    /// The caller holds the lock of the queue the sudog is in (or is about to
    /// be put in).
    pub(crate) unsafe fn links<R>(&self, f: impl FnOnce(&mut Links<T>) -> R) -> R {
        // SAFETY: the caller holds the queue lock, which serialises all access
        // to the links.
        self.links.with_mut(|l| f(unsafe { &mut *l }))
    }

    /// Takes the element out of the slot.
    ///
    /// # Safety
    /// The caller has exclusive access to the slot: it holds the queue lock
    /// and claimed the sudog, or it is the owner and the sudog is not queued
    /// (its claim was seen done, or the owner removed it under the lock).
    pub unsafe fn take_elem(&self) -> Option<T> {
        // SAFETY: exclusive access, per the caller's contract.
        self.slot.with_mut(|s| unsafe { (*s).elem.take() })
    }

    /// Puts `value` into the slot, returning what was there.
    ///
    /// # Safety
    /// As for [`take_elem`](Self::take_elem).
    pub unsafe fn put_elem(&self, value: T) -> Option<T> {
        // SAFETY: exclusive access, per the caller's contract.
        self.slot.with_mut(|s| unsafe { (*s).elem.replace(value) })
    }

    /// Whether a value moved (false: a close woke the owner).
    ///
    /// # Safety
    /// As for [`take_elem`](Self::take_elem).
    pub unsafe fn success(&self) -> bool {
        // SAFETY: exclusive access, per the caller's contract.
        self.slot.with(|s| unsafe { (*s).success })
    }

    /// Sets the success flag (a completer records its outcome; an owner
    /// that completed its operation itself may record it the same way).
    ///
    /// # Safety
    /// As for [`take_elem`](Self::take_elem).
    pub unsafe fn set_success(&self, success: bool) {
        // SAFETY: exclusive access, per the caller's contract.
        self.slot.with_mut(|s| unsafe { (*s).success = success })
    }

    /// The word the completer left with the value (0 unless it set one).
    ///
    /// # Safety
    /// As for [`take_elem`](Self::take_elem).
    pub unsafe fn stamp(&self) -> u64 {
        // SAFETY: exclusive access, per the caller's contract.
        self.slot.with(|s| unsafe { (*s).stamp })
    }

    /// Sets the completer's word.
    ///
    /// # Safety
    /// As for [`take_elem`](Self::take_elem).
    pub(crate) unsafe fn set_stamp(&self, stamp: u64) {
        // SAFETY: exclusive access, per the caller's contract.
        self.slot.with_mut(|s| unsafe { (*s).stamp = stamp })
    }

    /// Clears the outcome of an earlier wait: a sudog entering a queue has
    /// none yet.
    ///
    /// # Safety
    /// As for [`take_elem`](Self::take_elem).
    pub(crate) unsafe fn reset_outcome(&self) {
        // SAFETY: exclusive access, per the caller's contract.
        self.slot.with_mut(|s| unsafe {
            (*s).success = false;
            (*s).stamp = 0;
        })
    }
}

impl<T> fmt::Debug for Sudog<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sudog")
            .field("case", &self.case)
            .finish_non_exhaustive()
    }
}
