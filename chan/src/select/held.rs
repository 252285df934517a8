//! A channel as a select sees it, whatever its element type, and one
//! channel lock a select holds.

use crate::hchan::{Chan, Guard, State};
use crate::hook::TimerHook;
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
    /// Takes the channel's lock; [`Held::lock`] wraps it. (Only the
    /// mutex guard crosses the virtual call: it comes back in a register,
    /// where a whole `Held` would be written to memory and read back at
    /// once, a store-forwarding stall on every lock.)
    fn lock_raw(&self) -> MutexGuard<'_>;
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

    fn lock_raw(&self) -> MutexGuard<'_> {
        Chan::lock_raw(self)
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

impl<'a> Held<'a> {
    /// Takes `chan`'s lock.
    #[inline]
    pub(crate) fn lock(chan: &'a dyn AnyChan) -> Self {
        Held {
            chan,
            _guard: chan.lock_raw(),
        }
    }
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
