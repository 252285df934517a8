//! Go's `entry`: one per key, shared by pointer (`Arc`) between the read map
//! and the dirty map, holding the key's value pointer.
//!
//! The pointer `p` has Go's three states, all in the one atomic:
//! - null: deleted; either the dirty map is absent or it holds this entry;
//! - [`expunged`]: deleted, the dirty map exists and does not hold this entry
//!   (only changed with the map's mutex held);
//! - anything else: a live value, boxed in a [`Slot`].
//!
//! Every access to `p` is SeqCst: the retire rule in `reclaim.rs` needs a
//! reader's load of `p` and a writer's unlinking of it in one total order with
//! the publication of the read map (on x86 a SeqCst load is a plain load).
//!
//! A slot unlinked from `p` may still be read by lock-free readers, so it is
//! never freed here: it comes out as [`Unlinked`], which the caller must hand
//! to `ReadOnly::retire`. A slot still linked when the entry itself is dropped
//! is freed then: nobody can reach it any more (readers reach entries only
//! through a read map they pinned or an `Arc` they cloned).

use crate::sync::{AtomicPtr, AtomicUsize, Ordering::SeqCst, UnsafeCell};
use core::marker::PhantomData;
use core::ptr::{self, NonNull};

/// Evidence that the caller holds a pin for `'g`: values loaded from entries
/// may be borrowed for `'g`.
#[derive(Clone, Copy)]
pub(crate) struct Pinned<'g>(core::marker::PhantomData<&'g ()>);

impl Pinned<'_> {
    /// The evidence.
    ///
    /// # Safety
    /// The caller holds a pin of the read map (reclaim.rs) for `'g`.
    pub(crate) unsafe fn new() -> Self {
        Pinned(core::marker::PhantomData)
    }
}

/// A boxed value and the links `reclaim.rs` uses once it is retired.
pub(crate) struct Slot<V> {
    value: UnsafeCell<V>,
    /// The next retired slot of the same read map (set by the retirer).
    pub(crate) next: AtomicPtr<Slot<V>>,
    /// How many slots were retired before this one on the same read map.
    pub(crate) depth: AtomicUsize,
}

impl<V> Slot<V> {
    /// Frees a slot.
    ///
    /// # Safety
    /// `p` came from [`Boxed`], is owned by the caller, and no reader can
    /// reach it any more.
    pub(crate) unsafe fn free(p: *mut Slot<V>) {
        // SAFETY: per the caller's contract.
        let slot = unsafe { Box::from_raw(p) };
        slot.value.will_free();
        drop(slot);
    }
}

/// The target of the `expunged` sentinel: its address is never a `Slot`'s.
static EXPUNGED: u8 = 0;

/// Go's `expunged`: a pointer no allocation can equal. Never dereferenced.
#[inline(always)]
fn expunged<V>() -> *mut Slot<V> {
    ptr::addr_of!(EXPUNGED).cast_mut().cast()
}

/// A value boxed for an entry but not (or no longer) published.
pub(crate) struct Boxed<V>(NonNull<Slot<V>>);

impl<V> Boxed<V> {
    /// Port of Go's boxing `&value` (an allocation per stored value).
    pub(crate) fn new(value: V) -> Self {
        let slot = Box::new(Slot {
            value: UnsafeCell::new(value),
            next: AtomicPtr::new(ptr::null_mut()),
            depth: AtomicUsize::new(0),
        });
        Self(NonNull::from(Box::leak(slot)))
    }

    /// Unboxes the value.
    pub(crate) fn into_inner(self) -> V {
        let ptr = self.0;
        core::mem::forget(self);
        // SAFETY: a `Boxed` owns its unpublished allocation from `Box::leak`.
        unsafe { Box::from_raw(ptr.as_ptr()) }.value.into_inner()
    }

    fn into_raw(self) -> *mut Slot<V> {
        let ptr = self.0.as_ptr();
        core::mem::forget(self);
        ptr
    }
}

impl<V> Drop for Boxed<V> {
    fn drop(&mut self) {
        // SAFETY: a `Boxed` owns its unpublished allocation.
        unsafe { Slot::free(self.0.as_ptr()) };
    }
}

/// A slot unlinked from its entry. Lock-free readers may still hold it, so
/// it must go to `ReadOnly::retire`, which frees it once they are gone.
#[must_use = "an unlinked slot must be retired"]
pub(crate) struct Unlinked<V>(NonNull<Slot<V>>);

impl<V> Unlinked<V> {
    /// The value, valid while the caller stays pinned: it is retired onto a
    /// read map no older than the caller's pin.
    #[inline]
    pub(crate) fn value<'g>(&self, _pin: Pinned<'g>) -> &'g V {
        // SAFETY: the slot was published, so it is a live `Slot`; it is freed
        // only when the read map it is retired onto is dropped, which is
        // after every pin older than that map (the pin chain, reclaim.rs).
        unsafe { &*(*self.0.as_ptr()).value.get() }
    }

    pub(crate) fn into_raw(self) -> NonNull<Slot<V>> {
        self.0
    }
}

/// Go's `entry`.
pub(crate) struct Entry<V> {
    p: AtomicPtr<Slot<V>>,
    /// The entry owns the value `p` points at (for `Send`/`Sync`/drop check).
    _owns: PhantomData<V>,
}

/// Result of [`Entry::try_load_or_store`].
pub(crate) enum LoadOrStore<'g, V> {
    /// A value was present; the offered one is handed back.
    Loaded(&'g V, V),
    /// The offered value was stored; here it is.
    Stored(&'g V),
    /// The entry is expunged; the offered value is handed back.
    Expunged(V),
}

/// Reads a value pointer that is neither null nor expunged.
///
/// # Safety
/// `p` was loaded from an entry by a caller pinned for `'g` (and holding the
/// entry alive while it loaded it).
#[inline(always)]
unsafe fn value_at<'g, V>(p: *mut Slot<V>, _pin: Pinned<'g>) -> &'g V {
    // SAFETY: per the caller's contract: a linked slot stays alive while its
    // entry does, and once unlinked it is retired onto a read map no older
    // than the pin (reclaim.rs), so it outlives `'g`.
    unsafe { &*(*p).value.get() }
}

/// Whether `p` is a value (neither deleted nor expunged).
#[inline(always)]
fn is_value<V>(p: *mut Slot<V>) -> bool {
    !p.is_null() && p != expunged()
}

impl<V> Entry<V> {
    /// A deleted entry: a new key's entry before its first value is stored
    /// into it under the map's mutex (Go's `newEntry` with the store split
    /// off, so the locked paths share one store step).
    pub(crate) fn deleted() -> Self {
        Self {
            p: AtomicPtr::new(ptr::null_mut()),
            _owns: PhantomData,
        }
    }

    /// Port of `entry.load` (sync/map.go).
    #[inline(always)]
    pub(crate) fn load<'g>(&'g self, pin: Pinned<'g>) -> Option<&'g V> {
        let p = self.p.load(SeqCst);
        // SAFETY: loaded from this entry while pinned.
        is_value(p).then(|| unsafe { value_at(p, pin) })
    }

    /// Whether the entry is expunged. Stable while the map's mutex is held.
    pub(crate) fn is_expunged_locked(&self) -> bool {
        self.p.load(SeqCst) == expunged()
    }

    /// Port of `entry.tryCompareAndSwap` (sync/map.go): replaces the value
    /// with `new` if it equals `old` and the entry is not expunged. Boxes
    /// `new` only once the first comparison succeeded.
    pub(crate) fn try_compare_and_swap(
        &self,
        old: &V,
        new: V,
        pin: Pinned<'_>,
    ) -> Option<Unlinked<V>>
    where
        V: PartialEq,
    {
        let mut p = self.p.load(SeqCst);
        // SAFETY: loaded from this entry while pinned.
        if !is_value(p) || unsafe { value_at(p, pin) } != old {
            return None;
        }
        let new = Boxed::new(new);
        loop {
            match self.p.compare_exchange(p, new.0.as_ptr(), SeqCst, SeqCst) {
                Ok(_) => {
                    let _published = new.into_raw();
                    // SAFETY: `p` was a value (checked above) and we unlinked it.
                    return Some(Unlinked(unsafe { NonNull::new_unchecked(p) }));
                }
                Err(now) => p = now,
            }
            // SAFETY: loaded from this entry while pinned.
            if !is_value(p) || unsafe { value_at(p, pin) } != old {
                return None;
            }
        }
    }

    /// Port of `entry.unexpungeLocked` (sync/map.go): expunged → deleted.
    /// Returns whether the entry was expunged. The caller holds the mutex and
    /// must have put the entry into the dirty map (see `SyncMap::revive_locked`).
    pub(crate) fn unexpunge_locked(&self) -> bool {
        self.p
            .compare_exchange(expunged(), ptr::null_mut(), SeqCst, SeqCst)
            .is_ok()
    }

    /// Port of `entry.swapLocked` (sync/map.go). The entry must not be
    /// expunged. Returns the previous value, if there was one.
    pub(crate) fn swap_locked(&self, new: Boxed<V>) -> Option<Unlinked<V>> {
        let old = self.p.swap(new.into_raw(), SeqCst);
        debug_assert!(old != expunged(), "swap_locked on an expunged entry");
        NonNull::new(old).map(Unlinked)
    }

    /// Port of `entry.tryLoadOrStore` (sync/map.go). Boxes `value` only when
    /// the entry is deleted.
    pub(crate) fn try_load_or_store<'g>(&'g self, value: V, pin: Pinned<'g>) -> LoadOrStore<'g, V> {
        let mut p = self.p.load(SeqCst);
        if p == expunged() {
            return LoadOrStore::Expunged(value);
        }
        if !p.is_null() {
            // SAFETY: loaded from this entry while pinned.
            return LoadOrStore::Loaded(unsafe { value_at(p, pin) }, value);
        }
        let boxed = Boxed::new(value);
        loop {
            match self
                .p
                .compare_exchange(ptr::null_mut(), boxed.0.as_ptr(), SeqCst, SeqCst)
            {
                Ok(_) => {
                    let ours = boxed.into_raw();
                    // SAFETY: we just linked `ours` into this entry while pinned.
                    return LoadOrStore::Stored(unsafe { value_at(ours, pin) });
                }
                Err(now) => p = now,
            }
            if p == expunged() {
                return LoadOrStore::Expunged(boxed.into_inner());
            }
            if !p.is_null() {
                // SAFETY: loaded from this entry while pinned.
                let actual = unsafe { value_at(p, pin) };
                return LoadOrStore::Loaded(actual, boxed.into_inner());
            }
        }
    }

    /// Port of `entry.delete` (sync/map.go): value → deleted.
    pub(crate) fn delete(&self) -> Option<Unlinked<V>> {
        let mut p = self.p.load(SeqCst);
        loop {
            if !is_value(p) {
                return None;
            }
            match self.p.compare_exchange(p, ptr::null_mut(), SeqCst, SeqCst) {
                // SAFETY: `p` is a value (checked above) and we unlinked it.
                Ok(_) => return Some(Unlinked(unsafe { NonNull::new_unchecked(p) })),
                Err(now) => p = now,
            }
        }
    }

    /// The deleting loop of Go's `CompareAndDelete` (sync/map.go): value →
    /// deleted if the value equals `old`.
    pub(crate) fn compare_and_delete(&self, old: &V, pin: Pinned<'_>) -> Option<Unlinked<V>>
    where
        V: PartialEq,
    {
        let mut p = self.p.load(SeqCst);
        loop {
            // SAFETY: loaded from this entry while pinned.
            if !is_value(p) || unsafe { value_at(p, pin) } != old {
                return None;
            }
            match self.p.compare_exchange(p, ptr::null_mut(), SeqCst, SeqCst) {
                // SAFETY: `p` is a value (checked above) and we unlinked it.
                Ok(_) => return Some(Unlinked(unsafe { NonNull::new_unchecked(p) })),
                Err(now) => p = now,
            }
        }
    }

    /// Port of `entry.trySwap` (sync/map.go): stores `new` unless the entry
    /// is expunged (then `new` is handed back). `Ok(None)` means the entry was
    /// deleted (Go's "not loaded").
    pub(crate) fn try_swap(&self, new: Boxed<V>) -> Result<Option<Unlinked<V>>, Boxed<V>> {
        let mut p = self.p.load(SeqCst);
        loop {
            if p == expunged() {
                return Err(new);
            }
            match self.p.compare_exchange(p, new.0.as_ptr(), SeqCst, SeqCst) {
                Ok(_) => {
                    let _published = new.into_raw();
                    return Ok(NonNull::new(p).map(Unlinked));
                }
                Err(now) => p = now,
            }
        }
    }

    /// Port of `entry.tryExpungeLocked` (sync/map.go): deleted → expunged.
    /// Returns whether the entry is now expunged.
    pub(crate) fn try_expunge_locked(&self) -> bool {
        let mut p = self.p.load(SeqCst);
        while p.is_null() {
            match self
                .p
                .compare_exchange(ptr::null_mut(), expunged(), SeqCst, SeqCst)
            {
                Ok(_) => return true,
                Err(now) => p = now,
            }
        }
        p == expunged()
    }
}

impl<V> Drop for Entry<V> {
    fn drop(&mut self) {
        let p = self.p.load(SeqCst);
        if is_value(p) {
            // SAFETY: the entry owns its linked slot, and with the entry gone
            // no reader can reach it (module docs).
            unsafe { Slot::free(p) };
        }
    }
}
