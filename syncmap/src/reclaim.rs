//! The published read map (Go's `readOnly`) and how replaced values are
//! freed.
//!
//! Go frees a value replaced lock-free when the garbage collector proves no
//! reader holds it. Here every operation *pins* the read map it starts from
//! (one arc-swap load: a debt in a thread-local slot, no write to shared
//! memory) and keeps the pin until it returns. A value unlinked from an entry
//! is *retired* onto a published [`ReadOnly`] and freed when that `ReadOnly`
//! is dropped. Two rules make that sound:
//!
//! 1. **Retire onto the newest.** The retirer unlinks the slot (SeqCst), then
//!    checks (SeqCst) that the read map it pinned is still the published one,
//!    else it pins the published one afresh, and pushes the slot there. A
//!    reader that loaded the slot did so (SeqCst) after loading its pin, and
//!    before the unlink; so in the single SeqCst order its pin is the same read
//!    map or an older one.
//! 2. **Older keeps newer alive.** Whenever a new `ReadOnly` is published
//!    (always under the map's mutex), the one it replaces gets a strong link
//!    to it ([`ReadOnly::link`]). So a `ReadOnly` is dropped only after every
//!    older one is, and with it every pin that could still see its retired
//!    slots.
//!
//! Promotions, amendments and `clear` publish new read maps anyway; stores
//! that only overwrite values in place would not, so once one of a read
//! map's [`STRIPES`] retired stacks holds [`ROTATE_AT`] slots the retirer
//! publishes a copy of it (same table, same `amended`), which bounds the
//! garbage a read map carries.
//!
//! Pins come in two kinds: a hazard slot (hazard.rs: one store, the fast
//! path) or an arc-swap guard (threads nested deeper than their slots). A
//! replaced read map is kept in a limbo list, under the map's mutex, until no
//! hazard slot holds it; arc-swap turns its guards into strong counts when
//! the read map is replaced.
//! Dropping a `ReadOnly` drops its retired values; nothing drops one while the
//! map's mutex is held (callers keep replaced ones until after unlocking), so
//! a value's `Drop` may call back into the map.

use crate::arc_cell::{ArcCell, ReadGuard};
use crate::entry::{Entry, Pinned, Slot, Unlinked};
use crate::hashed::Table;
use crate::hazard::Hazard;
use crate::sync::{Arc, AtomicPtr, Ordering};
use core::ptr;

/// Retirements onto one read map after which it is republished (2 in the
/// loom build, so that models reach the freeing of retired values).
#[cfg(not(gort_loom))]
pub(crate) const ROTATE_AT: usize = 64;
#[cfg(gort_loom)]
pub(crate) const ROTATE_AT: usize = 2;

/// Retired-slot stacks per read map (see [`ReadOnly::retired`]).
pub(crate) const STRIPES: usize = 4;

/// One retired-slot stack, 64 bytes from the next one, so no two share a
/// cache line. (Padded, not aligned: over-aligned read maps would take
/// glibc's slow `memalign` path on every publication.)
struct Stripe<V> {
    head: AtomicPtr<Slot<V>>,
    _pad: [u8; 56],
}

impl<V> Default for Stripe<V> {
    fn default() -> Self {
        Self {
            head: AtomicPtr::new(ptr::null_mut()),
            _pad: [0; 56],
        }
    }
}

/// Replaced read maps that a hazard slot may still hold (under the map's
/// mutex), or that are ready to drop.
pub(crate) type Limbo<K, V> = Vec<Arc<ReadOnly<K, V>>>;

/// Replaced read maps for the caller to drop after unlocking (usually one:
/// no allocation for it).
pub(crate) struct Stale<K, V> {
    first: Option<Arc<ReadOnly<K, V>>>,
    rest: Vec<Arc<ReadOnly<K, V>>>,
}

impl<K, V> Stale<K, V> {
    /// Nothing to drop.
    pub(crate) fn none() -> Self {
        Self {
            first: None,
            rest: Vec::new(),
        }
    }

    fn push(&mut self, read: Arc<ReadOnly<K, V>>) {
        match self.first {
            None => self.first = Some(read),
            Some(_) => self.rest.push(read),
        }
    }
}

/// A table of the map: key → shared entry (Go's `map[any]*entry`).
pub(crate) type EntryTable<K, V> = Table<K, Arc<Entry<V>>>;

/// Go's `readOnly`, plus the retired slots and the link to its successor.
pub(crate) struct ReadOnly<K, V> {
    /// The read map. Immutable once published (shared by copies made by
    /// rotation).
    pub(crate) m: Arc<EntryTable<K, V>>,
    /// Whether the dirty map holds keys `m` does not.
    pub(crate) amended: bool,
    /// Slots retired while this was (or just after it stopped being) the
    /// published read map: stacks linked through `Slot::next`, one per
    /// stripe, so threads retiring at once do not write one cache line.
    retired: [Stripe<V>; STRIPES],
    /// The read map published after this one (rule 2): null, or an
    /// `Arc::into_raw` set once under the map's mutex.
    successor: AtomicPtr<ReadOnly<K, V>>,
}

/// A pinned read map: held by an operation from its start to its return.
/// A hazard slot (hazard.rs) on the fast path; an arc-swap guard when the
/// thread's slots are all taken.
pub(crate) enum Pin<K, V> {
    /// Protected by a hazard slot holding `read` (cleared when dropped).
    Hazard {
        read: *const ReadOnly<K, V>,
        hazard: Hazard,
    },
    /// Protected by an arc-swap guard.
    Guard(ReadGuard<ReadOnly<K, V>>),
}

impl<K, V> Pin<K, V> {
    #[inline(always)]
    pub(crate) fn pinned(&self) -> Pinned<'_> {
        // SAFETY: `self` is the pin, and the evidence borrows it.
        unsafe { Pinned::new() }
    }

    /// The retired-slot stack this thread uses: one per hazard record, so
    /// threads spread over the stripes; guards use the first.
    #[inline(always)]
    fn stripe(&self) -> usize {
        match self {
            Pin::Hazard { hazard, .. } => hazard.owner_index(),
            Pin::Guard(_) => 0,
        }
    }

    #[inline(always)]
    fn as_ptr(&self) -> *const ReadOnly<K, V> {
        match self {
            Pin::Hazard { read, .. } => *read,
            Pin::Guard(g) => g.as_ptr(),
        }
    }
}

impl<K, V> core::ops::Deref for Pin<K, V> {
    type Target = ReadOnly<K, V>;
    #[inline(always)]
    fn deref(&self) -> &ReadOnly<K, V> {
        match self {
            // SAFETY: the hazard slot holds `read`, checked to be published
            // after it was stored, so `read` stays in the limbo list
            // (`publish`) and is not dropped while the slot holds it.
            Pin::Hazard { read, .. } => unsafe { &**read },
            Pin::Guard(g) => g,
        }
    }
}

impl<K, V> ReadOnly<K, V> {
    pub(crate) fn new(m: Arc<EntryTable<K, V>>, amended: bool) -> Self {
        Self {
            m,
            amended,
            retired: Default::default(),
            successor: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Links the read map published after this one (rule 2). Called with the
    /// map's mutex held, once per `ReadOnly`.
    fn link(&self, next: Arc<Self>) {
        let old = self
            .successor
            .swap(Arc::into_raw(next).cast_mut(), Ordering::AcqRel);
        debug_assert!(old.is_null(), "a read map is replaced once");
    }

    /// Takes the successor link.
    fn take_successor(&mut self) -> Option<Arc<Self>> {
        let p = self.successor.swap(ptr::null_mut(), Ordering::Acquire);
        // SAFETY: a non-null successor came from `Arc::into_raw` in `link`,
        // and swapping it out makes its strong count ours.
        (!p.is_null()).then(|| unsafe { Arc::from_raw(p) })
    }

    /// Pushes `slot` onto the retired stack `stripe`; returns its depth (1
    /// for the first). The caller keeps `self` alive.
    fn push(&self, slot: Unlinked<V>, stripe: usize) -> usize {
        let slot = slot.into_raw().as_ptr();
        let stack = &self.retired[stripe % STRIPES].head;
        let mut head = stack.load(Ordering::Acquire);
        loop {
            let depth = if head.is_null() {
                1
            } else {
                // SAFETY: `head` is on this read map's stack, freed only when
                // it is dropped, and the caller keeps it alive.
                unsafe { (*head).depth.load(Ordering::Relaxed) + 1 }
            };
            // SAFETY: we own the unlinked slot (readers only read its value).
            let s = unsafe { &*slot };
            s.next.store(head, Ordering::Relaxed);
            s.depth.store(depth, Ordering::Relaxed);
            match stack.compare_exchange(head, slot, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return depth,
                Err(now) => head = now,
            }
        }
    }
}

impl<K, V> Drop for ReadOnly<K, V> {
    fn drop(&mut self) {
        for stack in &self.retired {
            let mut p = stack.head.load(Ordering::Acquire);
            while !p.is_null() {
                // SAFETY: every pin that could see a slot retired here is
                // gone (module docs), so the stack is ours; each slot came
                // from `Boxed`.
                let next = unsafe { (*p).next.load(Ordering::Relaxed) };
                // SAFETY: as above; `p` is not used again.
                unsafe { Slot::free(p) };
                p = next;
            }
        }
        // Drop the chain of successors without recursion.
        let mut next = self.take_successor();
        while let Some(n) = next {
            next = match Arc::try_unwrap(n) {
                Ok(mut node) => node.take_successor(),
                Err(_) => None,
            };
        }
    }
}

/// Whether a hazard slot holds `read`.
fn held_by_hazard<K, V>(read: &Arc<ReadOnly<K, V>>) -> bool {
    crate::hazard::is_hazard(Arc::as_ptr(read).cast())
}

/// Go's `Map.read`: the published read map.
pub(crate) struct ReadCell<K, V>(ArcCell<ReadOnly<K, V>>);

impl<K, V> ReadCell<K, V> {
    pub(crate) fn new(read: ReadOnly<K, V>) -> Self {
        Self(ArcCell::new(Arc::new(read)))
    }

    /// Port of `loadReadOnly` (sync/map.go), keeping the result pinned.
    #[inline(always)]
    pub(crate) fn pin(&self) -> Pin<K, V> {
        let mut p = self.0.current();
        if let Some(hazard) = Hazard::new(p.cast()) {
            loop {
                let now = self.0.current();
                if ptr::eq(now, p) {
                    return Pin::Hazard { read: p, hazard };
                }
                p = now;
                hazard.set(p.cast());
            }
        }
        Pin::Guard(self.0.load())
    }

    /// `loadReadOnly` as an arc-swap guard (the locked paths).
    pub(crate) fn guard(&self) -> ReadGuard<ReadOnly<K, V>> {
        self.0.load()
    }

    /// The published read map, as seen by the holder of the map's mutex
    /// (no guard needed: only the holder replaces it).
    ///
    /// # Safety
    /// The caller holds the map's mutex and stops using the reference before
    /// unlocking: a read map replaced meanwhile stays in limbo or in the
    /// caller's list of replaced read maps until after unlocking.
    pub(crate) unsafe fn current_locked(&self) -> &ReadOnly<K, V> {
        // SAFETY: published read maps are alive (the cell holds them); per
        // the contract this one stays alive until the caller unlocks.
        unsafe { &*self.0.current() }
    }

    /// Go's `m.read.Store`: publishes `next` and moves the replaced read map
    /// to `limbo` (only reachable under the map's mutex, which this borrow
    /// proves is held). Returns the read maps of `limbo` no hazard slot holds
    /// any more, for the caller to drop after unlocking.
    pub(crate) fn publish(
        &self,
        limbo: &mut Limbo<K, V>,
        next: Arc<ReadOnly<K, V>>,
    ) -> Stale<K, V> {
        // SAFETY: the mutex is held (`limbo` is borrowed from its guard) and
        // the reference is used right away.
        unsafe { self.current_locked() }.link(next.clone());
        limbo.push(self.0.swap(next));
        let mut free = Stale::none();
        let mut i = 0;
        while i < limbo.len() {
            if held_by_hazard(&limbo[i]) {
                i += 1;
            } else {
                free.push(limbo.swap_remove(i));
            }
        }
        free
    }

    /// Whether `read` is the published read map (exact under the mutex).
    pub(crate) fn is_current(&self, read: *const ReadOnly<K, V>) -> bool {
        self.0.is_current(read)
    }

    /// Retires a slot the caller unlinked while pinned by `pin` (rule 1).
    /// Returns the read map to republish if it reached [`ROTATE_AT`].
    pub(crate) fn retire(
        &self,
        pin: &Pin<K, V>,
        slot: Unlinked<V>,
    ) -> Option<*const ReadOnly<K, V>> {
        let depth;
        let onto;
        let stripe = pin.stripe();
        if self.0.is_current(pin.as_ptr()) {
            onto = pin.as_ptr();
            depth = pin.push(slot, stripe);
        } else {
            let fresh = self.pin();
            onto = fresh.as_ptr();
            depth = fresh.push(slot, stripe);
        }
        (depth == ROTATE_AT).then_some(onto)
    }
}
