//! The channel locks a select holds, whatever the channels' element types:
//! Go's `sellock` and `selunlock` (runtime/select.go).

use crate::hchan::{Chan, Guard, State};
use crate::select::order::Order;
use crate::timer::TimerHook;
use gort_park::MutexGuard;

/// A channel as `selectgo` sees it, its element type erased (Go: the
/// `*hchan` of an `scase`). Public only in name (the module is private): it
/// appears in the sealed case traits.
pub trait AnyChan {
    /// Go's `hchan.sortkey`: the lock order.
    fn sortkey(&self) -> usize;
    /// The channel's identity (its address).
    fn addr(&self) -> usize;
    /// The timer feeding the channel, if it is a timer channel.
    fn timer(&self) -> Option<&dyn TimerHook>;
    /// Takes the channel's lock.
    fn lock_held(&self) -> Held<'_>;
    /// Refreshes the channel's lock-free mirrors ([`Chan::publish`]).
    ///
    /// # Safety
    /// The caller holds the channel's lock.
    unsafe fn publish_locked(&self);
}

impl<T> AnyChan for Chan<T> {
    fn sortkey(&self) -> usize {
        Chan::sortkey(self)
    }

    fn addr(&self) -> usize {
        Chan::addr(self)
    }

    fn timer(&self) -> Option<&dyn TimerHook> {
        Chan::timer(self)
    }

    fn lock_held(&self) -> Held<'_> {
        Held {
            chan: self,
            _guard: self.lock_raw(),
        }
    }

    unsafe fn publish_locked(&self) {
        // SAFETY: the caller holds the lock, and this is the only reference
        // to the state for the duration of the call.
        self.publish(unsafe { self.state_mut() });
    }
}

/// One channel's lock, held by a select; publishes the channel's mirrors
/// when released, like chan's own `Locked`.
pub struct Held<'a> {
    chan: &'a dyn AnyChan,
    _guard: MutexGuard<'a>,
}

impl<T> Guard<T> for Held<'_> {
    #[inline]
    fn state_of<'s>(&'s mut self, chan: &'s Chan<T>) -> &'s mut State<T> {
        // Compares addresses only: no call through the vtable.
        assert!(
            core::ptr::addr_eq(self.chan, chan),
            "select: an operation on a channel whose lock is not this one"
        );
        // SAFETY: this guard holds `chan`'s lock (checked just above), and
        // `&mut self` makes the returned reference the only one to its state.
        unsafe { chan.state_mut() }
    }
}

impl core::fmt::Debug for Held<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Held")
            .field("chan", &self.chan.addr())
            .finish()
    }
}

impl Drop for Held<'_> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `_guard` holds the lock until after this runs.
        unsafe { self.chan.publish_locked() };
    }
}

/// The locks of every distinct channel of a select, taken in lock order
/// (Go: `sellock`); dropping the set releases them (Go: `selunlock`).
pub(crate) struct LockSet<'a> {
    inline: [Option<Held<'a>>; 8],
    spill: Vec<Held<'a>>,
}

impl<'a> LockSet<'a> {
    /// Locks each distinct channel once, in lock order; `chan(i)` is arm
    /// `i`'s channel. The lock of arm `i` is then
    /// [`get`](Self::get)`(order.slot(i))`.
    #[inline]
    pub(crate) fn lock(order: &Order, chan: impl Fn(usize) -> &'a dyn AnyChan) -> Self {
        let mut set = LockSet {
            inline: Default::default(),
            spill: Vec::new(),
        };
        let mut last = None;
        let mut n = 0;
        for &i in order.lock() {
            let c = chan(usize::from(i));
            if last == Some(c.sortkey()) {
                continue;
            }
            last = Some(c.sortkey());
            let held = c.lock_held();
            match set.inline.get_mut(n) {
                Some(slot) => *slot = Some(held),
                None => set.spill.push(held),
            }
            n += 1;
        }
        set
    }

    /// The lock in `slot` (see [`Order::slot`]).
    #[inline]
    pub(crate) fn get(&mut self, slot: usize) -> &mut Held<'a> {
        let inline = self.inline.len();
        if slot < inline {
            self.inline[slot].as_mut().expect("a lock for every slot")
        } else {
            &mut self.spill[slot - inline]
        }
    }
}
