//! Timer channels: go1.23's `hchan.timer`. The channel calls its timer on
//! the receive paths ([`TimerHook`]); the timer sends and drains through a
//! [`WeakChan`]. gort-time implements the hook.

use crate::handles::Receiver;
use crate::hchan::{Chan, Sent};
use crate::wake::wake;
use std::sync::{Arc, Weak};

/// The timer feeding a timer channel (Go: `hchan.timer`, go1.23). The
/// channel calls it on the receive paths; gort-time implements it.
///
/// Lock order: a channel's lock may be held while `block`, `unblock` and
/// `keep_returned` run, so they may take the timer's own locks but never a
/// channel lock. The timer takes a channel lock (to send or drain) only
/// while holding no timer lock that those take.
pub trait TimerHook: Send + Sync + 'static {
    /// Go's `t.maybeRunChan()`: if the timer is due and not managed by the
    /// timer heap, send its value now. Called without the channel lock,
    /// before a receive (or a select's receive case) looks at the channel.
    fn maybe_run(&self);
    /// Go's `blockTimerChan(c)`: a receiver is about to wait on the channel;
    /// make sure the timer heap will fire the timer. Called with the
    /// channel's lock held.
    fn block(&self);
    /// Go's `unblockTimerChan(c)`: a receiver that `block` counted stopped
    /// waiting. Called with or without the channel's lock held.
    fn unblock(&self);
    /// A value the timer sent with `stamp` (see
    /// [`send_nonblocking`](WeakChan::send_nonblocking)) was handed to a
    /// receive that was dropped before returning it: may the channel keep
    /// it for the next receive (gort-chan's cancel-safety rule)? False once
    /// `stop` or `reset` ran after that send, so that no value of an earlier
    /// schedule is received after they return. Called with the channel's
    /// lock held. (Go has no such case: a goroutine's receive cannot be
    /// abandoned half-way.)
    fn keep_returned(&self, stamp: u64) -> bool;
}

/// A reference to a timer channel that does not keep it alive (the channel
/// owns its timer, so the timer must not own the channel).
pub struct WeakChan<T>(Weak<Chan<T>>);

/// Makes a timer channel (Go: `newTimer` with `c != nil`): buffered with
/// `cap` slots inside, presented as unbuffered (`len` and `capacity` report
/// 0), fed only by its timer through [`WeakChan::send_nonblocking`]. `make`
/// builds the timer from a weak reference to the channel; it is returned
/// with the channel's receiver.
pub fn timer_channel<T, H: TimerHook>(
    cap: usize,
    make: impl FnOnce(WeakChan<T>) -> Arc<H>,
) -> (Arc<H>, Receiver<T>) {
    let mut hook = None;
    let chan = Arc::new_cyclic(|weak| {
        let h = make(WeakChan(weak.clone()));
        hook = Some(h.clone());
        Chan::new(cap, Some(h))
    });
    let hook = hook.expect("`new_cyclic` runs its closure");
    (hook, Receiver { chan: Some(chan) })
}

impl<T> WeakChan<T> {
    /// Go's `selectnbsend`, for a timer's send: buffers `value` or hands it
    /// to a waiting receiver, with `stamp` (the schedule it belongs to, for
    /// [`TimerHook::keep_returned`]); false if the buffer is full, the
    /// channel is closed or gone (the value is dropped, as Go drops a tick
    /// nobody took). Wakes the receiver after unlocking; a panic of its
    /// waker propagates to the caller.
    pub fn send_nonblocking(&self, value: T, stamp: u64) -> bool {
        let Some(chan) = self.0.upgrade() else {
            return false;
        };
        let mut st = chan.lock();
        let (sent, waker, dropped) = match st.send(chan.cap(), value, stamp) {
            Sent::Done(waker) => (true, waker, None),
            Sent::Closed(v) | Sent::Blocked(v) => (false, None, Some(v)),
        };
        drop(st);
        drop(dropped);
        wake(waker);
        sent
    }

    /// Go's `timerchandrain`: removes every value waiting in the channel
    /// (the ring and values given back by dropped receives); true if there
    /// was any. Values are dropped after unlocking.
    ///
    /// Deviation: Go first checks `qcount` without the lock. Here a dropped
    /// receive can give a value back under the lock at any moment, and a
    /// `stop` that missed it that way could return false while the value is
    /// still received later; taking the lock orders the drain after every
    /// give-back that could still keep a value of the old schedule.
    pub fn drain(&self) -> bool {
        let Some(chan) = self.0.upgrade() else {
            return false;
        };
        let mut st = chan.lock();
        let any = !st.buf.is_empty() || !st.returned.is_empty();
        // The ring keeps its allocation (a timer channel is refilled soon).
        let values: Vec<T> = if core::mem::needs_drop::<T>() {
            let st = &mut *st;
            st.returned.drain(..).chain(st.buf.drain(..)).collect()
        } else {
            st.returned.clear();
            st.buf.clear();
            Vec::new()
        };
        drop(st);
        drop(values);
        any
    }
}

impl<T> Clone for WeakChan<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> core::fmt::Debug for WeakChan<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WeakChan")
            .field("alive", &(self.0.strong_count() > 0))
            .finish()
    }
}
