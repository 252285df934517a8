//! The surface gort-select and gort-time build on (Go lets `selectgo` and
//! the timer code reach into `hchan`): safe, type-checked calls only, no
//! channel state handed out. Unstable: the crates of this workspace that
//! use it are released together.

pub use crate::hook::TimerHook;
pub use crate::select::{AnyCase, Case, Cases, DynCases, SelectGo, as_recv, as_send};
pub use crate::timer::{WeakChan, timer_channel};

use crate::{Receiver, RecvOnly, Sender};

/// What a `select` receive arm takes: something with a channel's receiving
/// side, told when a receive through it took a value. A [`Receiver`] and a
/// [`RecvOnly`] view need no word back; a wrapper that keeps its own books
/// per received value (gort-mq's consumers: a receive makes room a waiting
/// publisher needs) does. The receiver is not a way to close a view's
/// channel: that is what a view withholds.
pub trait RecvSide<T> {
    /// The channel's receiving side. Receiving through it directly skips
    /// [`received`](Self::received): only select calls it.
    fn receiver(&self) -> &Receiver<T>;

    /// Called once after each receive through `self` that took a value
    /// (not after one that found the channel closed).
    fn received(&self) {}
}

impl<T, X: RecvSide<T> + ?Sized> RecvSide<T> for &X {
    fn receiver(&self) -> &Receiver<T> {
        (**self).receiver()
    }

    fn received(&self) {
        (**self).received()
    }
}

impl<T> RecvSide<T> for Receiver<T> {
    fn receiver(&self) -> &Receiver<T> {
        self
    }
}

impl<T> RecvSide<T> for RecvOnly<T> {
    fn receiver(&self) -> &Receiver<T> {
        RecvOnly::receiver(self)
    }
}

/// Go's `full(c)`, lock-free: a send on `tx` would block. A stale answer
/// is possible either way; `false` stays true for the caller's next send
/// unless someone else sends first (that send's fast path reads the same
/// mirror, and cannot see an older value).
pub fn full<T>(tx: &Sender<T>) -> bool {
    tx.chan.full()
}

/// Whether a send on `tx` would complete now (Go's `!full(c)`: a buffered
/// channel has a free slot, an unbuffered one a waiting receiver), decided
/// under the channel's lock (Go checks `full` only without it). So it is
/// ordered against every receive: a receive that made room is seen, and
/// one that comes later sees whatever the caller stored before asking
/// (gort-mq waits for room on that, without missing a wake-up).
pub fn has_room<T>(tx: &Sender<T>) -> bool {
    let chan = &tx.chan;
    let cap = chan.cap();
    let st = chan.lock();
    if cap == 0 {
        !st.recvq.is_empty()
    } else {
        st.buf.len() < cap
    }
}
