//! Go's runtime `timer` (runtime/time.go, go1.23): the state a `Timer`,
//! `Ticker`, `Sleep` or `after_func` shares with the timer heap.
//!
//! # Locks (one hierarchy for the whole crate; Go's)
//!
//! ```text
//! channel lock ─► heap lock (Timers::mu) ─► timer lock (RuntimeTimer::mu)
//! send lock (RuntimeTimer::send_lock) ─► timer lock
//! send lock ─► channel lock
//! driver and runner locks: leaves, taken with nothing above them needed later
//! ```
//!
//! - The channel hooks `block`/`unblock` run under one or more channel locks
//!   (a select holds several): they take the timer lock, then drop it before
//!   taking the heap lock (`maybe_add`, the zombie sweep), which then takes
//!   timer locks again. Nothing that holds a heap or timer lock ever takes a
//!   channel lock or a send lock, so any set of channel locks may be held.
//! - A channel timer's value is sent (a channel lock) only under its send
//!   lock, and never under the heap or timer lock: the heap is unlocked
//!   while a timer runs (Go's `unlockAndRun`). `stop`/`modify` drain the
//!   channel with no timer lock held.
//! - `maybe_run` (Go's `maybeRunChan`) is called with no channel lock held.
//! - No user code and no waker runs under any of these locks: values, wakers
//!   and timers leaving the heap are dropped after unlocking.

use crate::heap::Timers;
use crate::sync::{AtomicBool, AtomicI32, AtomicU8, AtomicU64, Ordering, WakerCell};
use gort_chan::raw::WeakChan;
use gort_park::{Mutex, MutexGuard};
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Weak};
use std::time::Instant;

/// Go's `timerHeaped`: the timer is in the heap.
pub(crate) const HEAPED: u8 = 1;
/// Go's `timerModified`: `when` changed and the heap entry's copy is stale.
/// Only set together with [`HEAPED`].
pub(crate) const MODIFIED: u8 = 2;
/// Go's `timerZombie`: stopped (or nobody waits on its channel) but still
/// in the heap, to be removed lazily. Only set together with [`HEAPED`].
pub(crate) const ZOMBIE: u8 = 4;

/// What running the timer does (Go: `t.f` and `t.arg`). Fixed at creation.
pub(crate) enum Action {
    /// Go's `sendTime`: a non-blocking send of the fire time on the timer's
    /// channel (held weakly: the channel owns the timer).
    Send(WeakChan<Instant>),
    /// Go's `goFunc`: run the function on a thread of its own. `FnMut`
    /// cannot run twice at once, so runs of one function are serialised.
    Call(Mutex<Box<dyn FnMut() + Send>>),
    /// Go's `goroutineReady` (for `Sleep`): wake the sleeping task.
    Wake(WakerCell),
}

/// The fields the timer lock guards (Go: the fields of `timer` under `mu`).
#[derive(Debug)]
pub(crate) struct Fields {
    /// State bits: [`HEAPED`], [`MODIFIED`], [`ZOMBIE`].
    pub(crate) state: u8,
    /// Receivers blocked on the timer's channel (Go: `blocked`).
    pub(crate) blocked: u32,
    /// When the timer fires, on the [`clock`](crate::clock); 0 = stopped.
    pub(crate) when: i64,
    /// Period of a ticker in nanoseconds; 0 for a one-shot timer.
    pub(crate) period: i64,
    /// The heap the timer is in while [`HEAPED`] (Go: `ts`).
    pub(crate) ts: Option<Arc<Timers>>,
}

/// Go's `timer`.
pub(crate) struct RuntimeTimer {
    /// The `Arc` this timer lives in, so `&self` methods can put it in the
    /// heap.
    me: Weak<RuntimeTimer>,
    /// Go: `mu`.
    mu: Mutex<Fields>,
    /// Copy of `state` published at every unlock (Go: `astate`), for the
    /// heap's lock-free fast paths and `maybe_run`'s.
    pub(crate) astate: AtomicU8,
    /// Held across a channel timer's send (Go: `sendLock`).
    pub(crate) send_lock: Mutex<()>,
    /// Sequence number of the schedule (Go: `seq`), bumped by `stop` and
    /// `modify` of a channel timer. Written with both `mu` and `send_lock`
    /// held, so reading it under either is exact: relaxed suffices.
    pub(crate) seq: AtomicU64,
    /// One-shot channel sends in flight (Go: `isSending`, the fix for Go
    /// issue 69312). Incremented under `mu`, decremented under
    /// `send_lock`, read with both held.
    pub(crate) is_sending: AtomicI32,
    /// A channel timer sent a value since its channel was last drained
    /// (set by `fire` under `send_lock`, cleared by `drain`). While it is
    /// false the channel holds no value of the timer and every value handed
    /// to a receiver is stale already, so `drain` has nothing to do.
    pub(crate) sent: AtomicBool,
    pub(crate) action: Action,
}

impl RuntimeTimer {
    /// Port of `timer.init` plus the field set-up of `newTimer`'s first
    /// `modify`: a fresh timer due at `when` (0 = not running), repeating
    /// every `period` nanoseconds if `period > 0`. It is not in the heap yet.
    pub(crate) fn new(action: Action, when: i64, period: i64) -> Arc<Self> {
        Arc::new_cyclic(|me| Self {
            me: me.clone(),
            mu: Mutex::new(Fields {
                state: 0,
                blocked: 0,
                when,
                period,
                ts: None,
            }),
            astate: AtomicU8::new(0),
            send_lock: Mutex::new(()),
            seq: AtomicU64::new(0),
            is_sending: AtomicI32::new(0),
            sent: AtomicBool::new(false),
            action,
        })
    }

    /// The `Arc` holding this timer.
    pub(crate) fn arc(&self) -> Arc<Self> {
        self.me
            .upgrade()
            .expect("a timer is only used while an `Arc` holds it")
    }

    /// Go's `t.isChan`.
    #[inline]
    pub(crate) fn is_chan(&self) -> bool {
        matches!(self.action, Action::Send(_))
    }

    /// Port of `timer.lock`.
    #[inline]
    pub(crate) fn lock(&self) -> Locked<'_> {
        Locked {
            t: self,
            fields: self.mu.lock(),
        }
    }

    /// The function of an `after_func` timer, run on a runner thread.
    pub(crate) fn call(&self) {
        if let Action::Call(f) = &self.action {
            (f.lock())();
        }
    }
}

/// A locked timer. Port of `timer.unlock`: dropping it publishes `state`
/// to `astate`, then unlocks. Deviation: Go stores `astate` at every
/// unlock; here only when `state` changed (see `drop`).
pub(crate) struct Locked<'a> {
    t: &'a RuntimeTimer,
    fields: MutexGuard<'a, Fields>,
}

impl Locked<'_> {
    /// The heap of a [`HEAPED`] timer (Go: `t.ts`).
    #[inline]
    pub(crate) fn heap(&self) -> &Arc<Timers> {
        self.fields
            .ts
            .as_ref()
            .unwrap_or_else(|| crate::heap::bad_timer())
    }

    /// Publishes `state` to `astate` now, while still locked (Go's
    /// `t.astate.Store(t.state)` in `modify`, before it lowers
    /// `minWhenModified`; see `Timers::adjust`).
    #[inline]
    pub(crate) fn publish(&self) {
        self.t.astate.store(self.fields.state, Ordering::SeqCst);
    }
}

impl Deref for Locked<'_> {
    type Target = Fields;

    #[inline]
    fn deref(&self) -> &Fields {
        &self.fields
    }
}

impl DerefMut for Locked<'_> {
    #[inline]
    fn deref_mut(&mut self) -> &mut Fields {
        &mut self.fields
    }
}

impl Drop for Locked<'_> {
    /// Publishes `state` unless `astate` already holds it. Only lock
    /// holders store `astate`, so under the lock it reads as the last
    /// published `state`; readers act on its bits alone, so an unchanged
    /// value needs no second store (which is a locked exchange on x86).
    #[inline]
    fn drop(&mut self) {
        if self.t.astate.load(Ordering::Relaxed) != self.fields.state {
            self.publish();
        }
    }
}

impl core::fmt::Debug for RuntimeTimer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let kind = match self.action {
            Action::Send(_) => "chan",
            Action::Call(_) => "func",
            Action::Wake(_) => "sleep",
        };
        let fields = self.lock();
        f.debug_struct("RuntimeTimer")
            .field("kind", &kind)
            .field("when", &fields.when)
            .field("period", &fields.period)
            .field("state", &fields.state)
            .field("blocked", &fields.blocked)
            .finish()
    }
}
