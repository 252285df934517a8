//! Hazard slots: how a lock-free operation pins the read map with one store.
//!
//! An arc-swap guard costs two atomic read-modify-writes (taking and paying
//! back a debt slot), about 12 ns on the reference machine: more than the
//! whole hash lookup it protects. A hazard slot costs one SeqCst store (an
//! `xchg` on x86) into a slot that only the calling thread writes, and a
//! plain store to clear it.
//!
//! Each thread owns a [`Record`] of [`SLOTS`] slots (a stack: nested
//! operations, e.g. from a `range` callback, take the next free one; beyond
//! that depth the caller falls back to an arc-swap guard). Records are never
//! freed: a thread that exits gives its record back for the next thread.
//!
//! The protocol is the classic hazard pointer one. A reader stores the read
//! map it saw into its slot (SeqCst), then checks (SeqCst) that the map is
//! still the published one, retrying otherwise. The publisher stores the new
//! read map (SeqCst), then scans every slot (SeqCst). In the single SeqCst
//! order either the reader's check sees the new map (and it retries), or the
//! publisher's scan sees the reader's slot (and keeps the old map alive).
//! The list of records is part of the protocol: a record is published with a
//! SeqCst CAS and the scan loads the list's head SeqCst, so a thread whose
//! first slot store precedes the scan in that order (through its record's
//! publication, which precedes the store) has its record scanned. (Acquire
//! on the scan's side would leave that to the orderings of other code.)

use crate::sync::{AtomicBool, AtomicPtr, Ordering};
use core::cell::Cell;
use std::ptr;

/// Slots per thread: the nesting depth served without falling back.
pub(crate) const SLOTS: usize = 8;

/// One thread's slots, on cache lines of their own (adjacent-line prefetch
/// included), so no two threads' slots share a line.
#[repr(align(128))]
pub(crate) struct Record {
    slots: [AtomicPtr<()>; SLOTS],
    /// Whether a live thread owns this record.
    in_use: AtomicBool,
    /// Records made before this one (a small number per thread).
    index: usize,
    /// The next record of the global list (set before publication, then
    /// immutable).
    next: *const Record,
}

// SAFETY: `next` is written once before the record is published and only read
// afterwards; everything else is atomic.
unsafe impl Sync for Record {}

/// The list of every record ever made, newest first.
#[cfg(not(gort_loom))]
static HEAD: AtomicPtr<Record> = AtomicPtr::new(ptr::null_mut());

#[cfg(gort_loom)]
loom::lazy_static! {
    /// The list of every record made in this model execution.
    static ref HEAD: AtomicPtr<Record> = AtomicPtr::new(ptr::null_mut());
}

/// The list's head.
#[inline(always)]
fn head() -> &'static AtomicPtr<Record> {
    #[cfg(not(gort_loom))]
    {
        &HEAD
    }
    #[cfg(gort_loom)]
    {
        &HEAD
    }
}

/// The calling thread's record; gives it back when the thread exits.
struct Owner(&'static Record);

impl Drop for Owner {
    fn drop(&mut self) {
        // Operations after this point (from other thread-local destructors)
        // fall back to arc-swap guards.
        let _ = RECORD.try_with(|r| r.set(None));
        self.0.in_use.store(false, Ordering::Release);
    }
}

#[cfg(not(gort_loom))]
thread_local! {
    /// The calling thread's record, once it has one (a `const` thread-local
    /// without destructor: reading it is a plain load).
    static RECORD: Cell<Option<&'static Record>> = const { Cell::new(None) };
    /// Gives the record back when the thread exits.
    static OWNER: Owner = Owner(acquire());
}

#[cfg(gort_loom)]
loom::thread_local! {
    static RECORD: Cell<Option<&'static Record>> = Cell::new(None);
    static OWNER: Owner = Owner(acquire());
}

/// The calling thread's record, or `None` while the thread is exiting.
#[inline(always)]
fn record() -> Option<&'static Record> {
    match RECORD.with(Cell::get) {
        Some(r) => Some(r),
        None => first_record(),
    }
}

/// Takes a record for the calling thread on its first operation.
#[cold]
fn first_record() -> Option<&'static Record> {
    let r = OWNER.try_with(|o| o.0).ok()?;
    RECORD.with(|c| c.set(Some(r)));
    Some(r)
}

/// Every record published before the load of the list's head, read with
/// `order`.
fn records(order: Ordering) -> impl Iterator<Item = &'static Record> {
    let mut p = head().load(order).cast_const();
    core::iter::from_fn(move || {
        // SAFETY: records are leaked, so every published pointer stays valid.
        let r = unsafe { p.as_ref() }?;
        p = r.next;
        Some(r)
    })
}

/// Takes a free record or publishes a new one.
fn acquire() -> &'static Record {
    for r in records(Ordering::Acquire) {
        if !r.in_use.load(Ordering::Relaxed)
            && r.in_use
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
        {
            return r;
        }
    }
    let list = head();
    let mut head = list.load(Ordering::Acquire);
    let index_after = |next: *mut Record| {
        // SAFETY: records are leaked, so a published pointer stays valid.
        unsafe { next.as_ref() }.map_or(0, |r| r.index + 1)
    };
    let record = Box::leak(Box::new(Record {
        slots: core::array::from_fn(|_| AtomicPtr::new(ptr::null_mut())),
        in_use: AtomicBool::new(true),
        index: index_after(head),
        next: head,
    }));
    loop {
        // SeqCst: ordered with the scan's load of the head (module docs).
        match list.compare_exchange(head, record, Ordering::SeqCst, Ordering::Acquire) {
            Ok(_) => return record,
            Err(now) => {
                head = now;
                record.next = now;
                record.index = index_after(now);
            }
        }
    }
}

/// A slot of the calling thread holding a hazard; cleared on drop.
pub(crate) struct Hazard {
    slot: &'static AtomicPtr<()>,
    /// The owning record's `index`.
    index: usize,
    /// Slots belong to one thread.
    _not_send: core::marker::PhantomData<*const ()>,
}

impl Hazard {
    /// Stores `target` into a free slot of the calling thread, or returns
    /// `None` if all are taken (deep nesting) or the thread is exiting.
    #[inline]
    pub(crate) fn new(target: *const ()) -> Option<Self> {
        let record = record()?;
        let slot = record
            .slots
            .iter()
            .find(|s| s.load(Ordering::Relaxed).is_null())?;
        slot.store(target.cast_mut(), Ordering::SeqCst);
        Some(Self {
            slot,
            index: record.index,
            _not_send: core::marker::PhantomData,
        })
    }

    /// The owning thread's record number: live threads have distinct ones.
    #[inline(always)]
    pub(crate) fn owner_index(&self) -> usize {
        self.index
    }

    /// Replaces the protected pointer (after a failed check).
    #[inline]
    pub(crate) fn set(&self, target: *const ()) {
        self.slot.store(target.cast_mut(), Ordering::SeqCst);
    }
}

impl Drop for Hazard {
    #[inline]
    fn drop(&mut self) {
        self.slot.store(ptr::null_mut(), Ordering::Release);
    }
}

/// Whether any slot of any thread holds `target` (SeqCst scan, SeqCst load
/// of the list: see the module docs).
pub(crate) fn is_hazard(target: *const ()) -> bool {
    records(Ordering::SeqCst).any(|r| {
        r.slots
            .iter()
            .any(|s| ptr::eq(s.load(Ordering::SeqCst), target))
    })
}
