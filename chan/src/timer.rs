//! Timer channels: go1.23's `hchan.timer`. The channel calls its timer on
//! the receive paths ([`TimerHook`]); the timer sends and drains through a
//! [`WeakChan`]. gort-time implements the hook.

use crate::handles::Receiver;
use crate::hchan::{Chan, Sent};
use crate::hook::TimerHook;
use crate::wake::wake;
use std::sync::{Arc, Weak};

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
    /// to a waiting receiver; false if the buffer is full, the channel is
    /// closed or gone (the value is dropped, as Go drops a tick nobody
    /// took). Wakes the receiver after unlocking; a panic of its waker
    /// propagates to the caller.
    pub fn send_nonblocking(&self, value: T) -> bool {
        let Some(chan) = self.0.upgrade() else {
            return false;
        };
        let mut st = chan.lock();
        let (sent, waker, dropped) = match st.send(chan.cap(), value) {
            Sent::Done(waker) => (true, waker, None),
            Sent::Closed(v) | Sent::Blocked(v) => (false, None, Some(v)),
        };
        drop(st);
        drop(dropped);
        wake(waker);
        sent
    }

    /// Go's `timerchandrain`, for `stop` and `reset`: removes every value
    /// waiting in the channel (the ring and values given back by dropped
    /// receives); true if there was any. Values are dropped after
    /// unlocking. It also ends the schedule for values still held by
    /// receives that will be dropped: every hand-off so far is stale, and
    /// such a value is dropped rather than given back. The timer drains
    /// after changing its schedule, and before it sends a value of the new
    /// one.
    ///
    /// Deviation: Go first checks `qcount` without the lock. Here a dropped
    /// receive can give a value back under the lock at any moment, and a
    /// `stop` that missed it that way could return false while the value is
    /// still received later; taking the lock orders every give-back either
    /// before the drain (drained) or after it (refused).
    pub fn drain(&self) -> bool {
        let Some(chan) = self.0.upgrade() else {
            return false;
        };
        let mut st = chan.lock();
        st.stale_before = st.handoffs + 1;
        let any = !st.buf.is_empty() || !st.returned.is_empty();
        // The ring keeps its allocation (a timer channel is refilled soon).
        let values: Vec<T> = if core::mem::needs_drop::<T>() {
            let st = &mut *st;
            let returned = st.returned.drain(..).map(|(_, v)| v);
            returned.chain(st.buf.drain(..)).collect()
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
