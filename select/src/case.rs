//! One arm of a select (Go: `scase`), type-erased so that one `selectgo`
//! serves arms on channels of different element types.

use core::pin::Pin;
use core::task::Waker;
use gort_chan::raw::{Chan, TimerHook};
use gort_park::Claim;
use gort_park::MutexGuard;

/// A channel as `selectgo` sees it: a lock to take in address order.
pub trait ChanLock {
    /// Takes the channel's lock.
    fn lock_raw(&self) -> MutexGuard<'_>;
    /// Refreshes the channel's lock-free mirrors before its lock is released.
    ///
    /// # Safety
    /// The caller holds the channel's lock.
    unsafe fn publish(&self);
    /// The timer feeding the channel, if it is a timer channel.
    fn timer(&self) -> Option<&dyn TimerHook>;
    /// The key that orders channel locks (Go: `hchan.sortkey`).
    fn sortkey(&self) -> usize;
}

impl<T> ChanLock for Chan<T> {
    fn lock_raw(&self) -> MutexGuard<'_> {
        Chan::lock_raw(self)
    }

    unsafe fn publish(&self) {
        // SAFETY: forwarded.
        unsafe { Chan::publish(self) }
    }

    fn timer(&self) -> Option<&dyn TimerHook> {
        Chan::timer(self)
    }

    fn sortkey(&self) -> usize {
        Chan::sortkey(self)
    }
}

/// The key that orders channel locks (Go: `hchan.sortkey`).
pub(crate) fn sortkey(c: &dyn ChanLock) -> usize {
    c.sortkey()
}

mod sealed {
    pub trait Sealed {}
}

/// One arm of a select: a receive or a send on one channel.
///
/// Every `unsafe` method requires that the caller holds the lock of the
/// arm's channel ([`chan`](Case::chan)).
pub trait Case<'a>: sealed::Sealed {
    /// The arm's channel; `None` for a [`never`](gort_chan::never) receiver,
    /// which is never ready and never queued (Go drops nil channels from the
    /// poll and lock orders).
    fn chan(&self) -> Option<&'a dyn ChanLock>;

    /// Whether this is a receive arm (else a send arm).
    fn is_recv(&self) -> bool;

    /// Pass 1: completes the operation now if it can (Go: the `recv`,
    /// `bufrecv`, `rclose`, `send`, `bufsend` and `sclose` exits). Returns
    /// the peer's waker to wake after unlocking, or `None` if it would block.
    ///
    /// # Safety
    /// The caller holds the channel's lock.
    unsafe fn poll(self: Pin<&mut Self>) -> Option<Option<Waker>>;

    /// Pass 2: queues the arm's sudog as case `index` of the select whose
    /// claim is `claim`.
    ///
    /// # Safety
    /// The caller holds the channel's lock, and keeps `claim` alive and in
    /// place until it has called [`dequeue`](Case::dequeue).
    unsafe fn enqueue(self: Pin<&mut Self>, claim: &Claim, index: usize);

    /// Pass 3: takes the sudog out of its queue if it is still there (Go:
    /// `dequeueSudoG`).
    ///
    /// # Safety
    /// The caller holds the channel's lock.
    unsafe fn dequeue(self: Pin<&mut Self>);

    /// Pass 3, for the arm whose sudog won the claim: records the outcome the
    /// peer left in the sudog.
    ///
    /// # Safety
    /// The caller holds the channel's lock, and the claim is done with this
    /// arm's index.
    unsafe fn finish(self: Pin<&mut Self>);

    /// The select is dropped after this arm completed but before it reported
    /// it: a received value goes back to the channel (DESIGN.md's
    /// cancel-safety rule). Returns a waker to wake after unlocking.
    ///
    /// # Safety
    /// The caller holds the channel's lock.
    unsafe fn give_back(self: Pin<&mut Self>) -> Option<Waker>;
}

/// The arms of one select, in source order, reachable by index.
pub trait Cases<'a> {
    /// How many arms.
    fn len(&self) -> usize;
    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Arm `i`.
    fn case(&mut self, i: usize) -> Pin<&mut dyn Case<'a>>;
    /// Arm `i`'s channel.
    fn chan(&self, i: usize) -> Option<&'a dyn ChanLock>;
}

/// The arms of a `select!`: a list of pinned arms, `(first, (second, ...()))`.
impl<'a> Cases<'a> for () {
    fn len(&self) -> usize {
        0
    }

    fn case(&mut self, i: usize) -> Pin<&mut dyn Case<'a>> {
        unreachable!("select arm {i} out of range")
    }

    fn chan(&self, i: usize) -> Option<&'a dyn ChanLock> {
        unreachable!("select arm {i} out of range")
    }
}

impl<'a, H: Case<'a>, T: Cases<'a>> Cases<'a> for (Pin<&mut H>, T) {
    fn len(&self) -> usize {
        1 + self.1.len()
    }

    fn case(&mut self, i: usize) -> Pin<&mut dyn Case<'a>> {
        if i == 0 {
            self.0.as_mut()
        } else {
            self.1.case(i - 1)
        }
    }

    fn chan(&self, i: usize) -> Option<&'a dyn ChanLock> {
        if i == 0 {
            self.0.chan()
        } else {
            self.1.chan(i - 1)
        }
    }
}

/// The arms of a dynamic [`Select`](crate::Select).
impl<'a> Cases<'a> for Vec<Pin<Box<dyn Case<'a> + Send + 'a>>> {
    fn len(&self) -> usize {
        <[_]>::len(self)
    }

    fn case(&mut self, i: usize) -> Pin<&mut dyn Case<'a>> {
        self[i].as_mut()
    }

    fn chan(&self, i: usize) -> Option<&'a dyn ChanLock> {
        self[i].chan()
    }
}

pub(crate) use sealed::Sealed;
