//! The channel internals that gort-select and gort-time need (Go lets
//! `selectgo` and the timer code reach into `hchan` directly). Unstable:
//! crates of this workspace that use it are released together.

use crate::handles::{Receiver, Sender};
use crate::hchan::wake;
pub use crate::hchan::{Chan, Received, Sent, State};
use std::sync::{Arc, Weak};

/// The timer feeding a timer channel (Go: `hchan.timer`, go1.23). The
/// channel calls it on the receive paths; gort-time implements it.
///
/// Lock order: a channel's lock may be held while `block` and `unblock` run,
/// so they may take the timer's own locks but never a channel lock. The
/// timer takes a channel lock (to send or drain) only while holding no timer
/// lock that `block`/`unblock` take.
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
    /// A value the timer sent was handed to a receive future (or a select's
    /// receive arm) that was dropped before returning it: may the channel
    /// keep it for the next receive (gort-chan's cancel-safety rule)? False
    /// once `stop` or `reset` ran after that send, so that no value of an
    /// earlier schedule is received after they return. Called with the
    /// channel's lock held. (Go has no such case: a goroutine's receive
    /// cannot be abandoned half-way.)
    fn keep_returned(&self) -> bool {
        true
    }
}

/// A reference to a timer channel that does not keep it alive (the channel
/// owns its timer, so the timer must not own the channel).
#[derive(Debug)]
pub struct WeakChan<T>(Weak<Chan<T>>);

impl<T> WeakChan<T> {
    /// The channel, if a receiver still has it.
    pub fn upgrade(&self) -> Option<Arc<Chan<T>>> {
        self.0.upgrade()
    }
}

impl<T> Clone for WeakChan<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

/// Makes a timer channel (Go: `newTimer` with `c != nil`): buffered with
/// `cap` slots inside, presented as unbuffered (`len` and `capacity` report
/// 0), fed only by its timer through [`Chan::send_nonblocking`]. `hook`
/// builds the timer from a weak reference to the channel.
pub fn timer_channel<T>(
    cap: usize,
    hook: impl FnOnce(WeakChan<T>) -> Arc<dyn TimerHook>,
) -> Receiver<T> {
    let chan = Arc::new_cyclic(|weak| Chan::new(cap, Some(hook(WeakChan(weak.clone())))));
    Receiver { chan: Some(chan) }
}

impl<T> Chan<T> {
    /// Go's `selectnbsend`, for a timer's send: buffers `value` or hands it
    /// to a waiting receiver; false if the buffer is full or the channel is
    /// closed (the value is dropped, as Go drops a tick nobody took).
    pub fn send_nonblocking(&self, value: T) -> bool {
        let mut st = self.lock();
        let (sent, waker, dropped) = match st.send(self.cap(), value) {
            Sent::Done(waker) => (true, waker, None),
            Sent::Closed(v) | Sent::Blocked(v) => (false, None, Some(v)),
        };
        drop(st);
        wake(waker);
        drop(dropped);
        sent
    }

    /// Go's `timerchandrain`: removes every value waiting in the channel
    /// (the ring and values given back by dropped receive futures); true if
    /// there was any. Lock-free when the channel is empty (Go checks
    /// `qcount` first). Values with a destructor are dropped after
    /// unlocking; the ring keeps its allocation.
    pub fn drain(&self) -> bool {
        if self.len_raw() == 0 {
            return false;
        }
        let mut st = self.lock();
        let any = !st.buf.is_empty() || !st.returned.is_empty();
        if core::mem::needs_drop::<T>() {
            let values: Vec<T> = {
                let st = &mut *st;
                st.returned.drain(..).chain(st.buf.drain(..)).collect()
            };
            drop(st);
            drop(values);
        } else {
            st.returned.clear();
            st.buf.clear();
        }
        any
    }
}

/// The channel of a sender.
pub fn sender_chan<T>(tx: &Sender<T>) -> &Chan<T> {
    &tx.chan
}

/// The channel of a receiver; `None` for [`never`](crate::never).
pub fn receiver_chan<T>(rx: &Receiver<T>) -> Option<&Chan<T>> {
    rx.chan.as_deref()
}
