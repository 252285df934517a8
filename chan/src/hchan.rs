//! The channel itself: Go's `hchan` and the locked halves of `chansend`,
//! `chanrecv` and `closechan` (runtime/chan.go, go1.23).
//!
//! # Invariants (Go's, plus the returned-values rule)
//!
//! Under `lock`:
//! - at least one of `sendq` and `recvq` is empty, except on an unbuffered
//!   channel where one select waits to send and to receive;
//! - on a buffered channel, a non-empty buffer implies an empty `recvq`, and a
//!   buffer with room implies an empty `sendq`;
//! - once `closed`, both queues are empty and stay empty;
//! - `returned` holds values that a receive future was handed and dropped
//!   before returning (the cancel-safety rule in the crate docs), in the
//!   order they were handed over (by hand-off number). They are older than
//!   everything in `buf`, so they are received first; a non-empty `returned`
//!   implies an empty `recvq` (a return goes straight to a waiting
//!   receiver).
//!
//! The atomic mirrors (`closed`, `count`, `ready`) are written only under the
//! lock, by the guards ([`Locked`], and select's `Held`) just before they
//! release it, `closed` first (see [`Chan::publish`]); the lock-free fast
//! paths of `try_send`/`try_recv` read them with acquire ordering (Go reads
//! `closed`, `qcount` and `recvq.first`/`sendq.first` atomically).

use crate::hook::TimerHook;
use crate::sync::{AtomicBool, AtomicUsize, Ordering, UnsafeCell};
use core::task::Waker;
use gort_park::WaitQ;
use gort_park::{Mutex, MutexGuard};
use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// Go's `hchan`.
///
/// Layout: the first cache line holds what every operation writes (the
/// lock, the mirrors, and the ring's indices at the start of `state`), so an
/// operation moves one line between cores; the rest is read-mostly.
#[repr(C, align(64))]
pub struct Chan<T> {
    /// Guards `state` (Go: `hchan.lock`, the runtime mutex).
    lock: Mutex,
    /// Mirror of `state.closed` (Go: `closed`, read by the fast paths).
    closed: AtomicBool,
    /// Mirror: `(values in buf and returned) << 1 | sendq non-empty`.
    /// `count == 0` is Go's `empty(c)`; `count >> 1` is `len()`.
    count: AtomicUsize,
    /// Mirror for Go's `full(c)`: buffered, the number of values in `buf`;
    /// unbuffered, 1 if `recvq` is non-empty. Full when `ready == cap`
    /// (buffered) or `ready == 0` (unbuffered).
    ready: AtomicUsize,
    state: UnsafeCell<State<T>>,
    /// Buffer capacity, 0 for unbuffered (Go: `dataqsiz`). Immutable.
    cap: usize,
    /// Live `Sender`s; the last one to go closes the channel.
    pub(crate) senders: AtomicUsize,
    /// Live `Receiver`s; the last one to go closes and drains the channel.
    pub(crate) receivers: AtomicUsize,
    /// The timer feeding this channel, if it is a timer channel (Go:
    /// `hchan.timer`, go1.23). Immutable.
    timer: Option<Arc<dyn TimerHook>>,
    /// Under loom, the lock-order key: creation order. Addresses may differ
    /// between the executions of one model, and loom must replay them.
    #[cfg(gort_loom)]
    seq: usize,
}

/// Everything `lock` guards; `buf` first (see `Chan`'s layout).
#[repr(C)]
pub(crate) struct State<T> {
    /// The ring (Go: `buf`, `sendx`, `recvx`, `qcount`); never holds more
    /// than `cap` values and never reallocates.
    pub(crate) buf: VecDeque<T>,
    /// Values given back by dropped receive futures, with their hand-off
    /// numbers, in that order; received before `buf`.
    pub(crate) returned: VecDeque<(u64, T)>,
    /// Direct hand-offs to waiting receivers so far: the last one's number.
    pub(crate) handoffs: u64,
    /// Hand-offs numbered below this belong to a timer schedule that
    /// `stop`/`reset` ended (set by the timer's drain; 0 for other
    /// channels): such a value is never given back.
    pub(crate) stale_before: u64,
    /// Waiting receivers (Go: `recvq`).
    pub(crate) recvq: WaitQ<T>,
    /// Waiting senders (Go: `sendq`).
    pub(crate) sendq: WaitQ<T>,
    /// Go: `closed != 0`.
    pub(crate) closed: bool,
}

// SAFETY: `state` is only touched under `lock`; values of type `T` move
// between threads through it, which `T: Send` permits.
unsafe impl<T: Send> Send for Chan<T> {}
// SAFETY: as above: all shared mutation goes through the lock or atomics.
unsafe impl<T: Send> Sync for Chan<T> {}

/// The outcome of the locked part of a send.
#[derive(Debug)]
pub(crate) enum Sent<T> {
    /// Buffered, or handed to a receiver whose waker is returned.
    Done(Option<Waker>),
    /// Closed; the value comes back.
    Closed(T),
    /// Would block; the value comes back.
    Blocked(T),
}

/// The outcome of the locked part of a receive.
#[derive(Debug)]
pub(crate) enum Received<T> {
    /// A value, plus the waker of a sender that was completed.
    Value(T, Option<Waker>),
    /// Closed and drained.
    Closed,
    /// Would block.
    Blocked,
}

impl<T> Chan<T> {
    /// Go's `makechan`: checks the size, then allocates the header and the
    /// ring in one go (Rust allocates the ring separately; the header is the
    /// `Arc`).
    pub(crate) fn new(cap: usize, timer: Option<Arc<dyn TimerHook>>) -> Self {
        // Go: "makechan: size out of range" when elemsize*size overflows or
        // exceeds what can be allocated; `try_reserve_exact` turns an
        // allocation failure into a panic instead of an abort.
        let mut buf = VecDeque::new();
        if cap > isize::MAX as usize || buf.try_reserve_exact(cap).is_err() {
            panic!("makechan: size out of range (capacity {cap})");
        }
        Self {
            lock: Mutex::new(()),
            state: UnsafeCell::new(State {
                buf,
                returned: VecDeque::new(),
                recvq: WaitQ::new(),
                sendq: WaitQ::new(),
                closed: false,
                handoffs: 0,
                stale_before: 0,
            }),
            cap,
            closed: AtomicBool::new(false),
            count: AtomicUsize::new(0),
            ready: AtomicUsize::new(0),
            senders: AtomicUsize::new(1),
            receivers: AtomicUsize::new(1),
            timer,
            #[cfg(gort_loom)]
            seq: {
                static NEXT: std::sync::atomic::AtomicUsize =
                    std::sync::atomic::AtomicUsize::new(0);
                NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            },
        }
    }

    /// The key that orders channel locks in a select (Go: `hchan.sortkey`,
    /// the channel's address; under loom its creation order, which every
    /// execution of a model replays).
    #[inline]
    pub(crate) fn sortkey(&self) -> usize {
        #[cfg(not(gort_loom))]
        {
            self.addr()
        }
        #[cfg(gort_loom)]
        {
            self.seq
        }
    }

    /// The channel's identity: its address.
    #[inline]
    pub(crate) fn addr(&self) -> usize {
        core::ptr::from_ref(self) as usize
    }

    /// The buffer capacity (Go: `dataqsiz`).
    #[inline]
    pub(crate) fn cap(&self) -> usize {
        self.cap
    }

    /// The timer feeding this channel, if any (Go: `c.timer`).
    #[inline]
    pub(crate) fn timer(&self) -> Option<&dyn TimerHook> {
        self.timer.as_deref()
    }

    /// Go's `t.maybeRunChan()` for a timer channel: call before a receive
    /// looks at the channel, without holding the channel lock.
    #[inline]
    pub(crate) fn maybe_run_timer(&self) {
        if let Some(t) = &self.timer {
            t.maybe_run();
        }
    }

    /// Takes the channel lock.
    #[inline]
    pub(crate) fn lock(&self) -> Locked<'_, T> {
        Locked {
            chan: self,
            _guard: self.lock.lock(),
        }
    }

    /// Takes the channel lock for a guard that publishes through
    /// [`publish`](Self::publish) itself (select's type-erased `Held`).
    #[inline]
    pub(crate) fn lock_raw(&self) -> MutexGuard<'_> {
        self.lock.lock()
    }

    /// The locked state.
    ///
    /// # Safety
    /// The caller holds this channel's lock for as long as it uses the
    /// reference, and holds no other reference to the state.
    #[allow(clippy::mut_from_ref)]
    #[inline]
    pub(crate) unsafe fn state_mut(&self) -> &mut State<T> {
        // SAFETY: the caller holds the lock and no other reference.
        self.state.with_mut(|s| unsafe { &mut *s })
    }

    /// Go's `empty(c)`: a receive would block. Lock-free.
    #[inline]
    pub(crate) fn empty(&self) -> bool {
        self.count.load(Ordering::Acquire) == 0
    }

    /// Go's `full(c)`: a send would block. Lock-free.
    #[inline]
    pub(crate) fn full(&self) -> bool {
        let ready = self.ready.load(Ordering::Acquire);
        if self.cap == 0 {
            ready == 0
        } else {
            ready == self.cap
        }
    }

    /// Values in the ring (Go: `qcount`), for a buffered channel. Lock-free.
    #[inline]
    pub(crate) fn buffered(&self) -> usize {
        debug_assert!(self.cap > 0);
        self.ready.load(Ordering::Acquire)
    }

    /// Whether the channel is closed. Lock-free.
    #[inline]
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Values buffered (and returned). Lock-free. A timer channel reports
    /// 0: Go presents timer channels as unbuffered.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        if self.timer.is_some() {
            return 0;
        }
        self.count.load(Ordering::Acquire) >> 1
    }

    /// The capacity users see: 0 for a timer channel (see `len`).
    #[inline]
    pub(crate) fn reported_cap(&self) -> usize {
        if self.timer.is_some() { 0 } else { self.cap }
    }

    /// Refreshes the mirrors from `st`; every guard calls it just before it
    /// releases the lock. Only lock holders store, so a relaxed load sees the
    /// latest value, and unchanged mirrors are not written again.
    ///
    /// `closed` is stored first, as Go sets `c.closed` before `closechan`
    /// empties the queues: a fast path that sees the effect of a close on
    /// `count` or `ready` (acquire) then sees `closed` too. So `try_recv`
    /// (reading `count`, then `closed`) never reports an open, empty channel
    /// that was closed with a sender waiting, and `try_send` (reading
    /// `ready`, then `closed`) never reports an open, full one that was
    /// closed with a receiver waiting.
    #[inline]
    pub(crate) fn publish(&self, st: &State<T>) {
        if st.closed && !self.closed.load(Ordering::Relaxed) {
            self.closed.store(true, Ordering::Release);
        }
        let count = ((st.buf.len() + st.returned.len()) << 1) | usize::from(!st.sendq.is_empty());
        if self.count.load(Ordering::Relaxed) != count {
            self.count.store(count, Ordering::Release);
        }
        let ready = if self.cap == 0 {
            usize::from(!st.recvq.is_empty())
        } else {
            st.buf.len()
        };
        if self.ready.load(Ordering::Relaxed) != ready {
            self.ready.store(ready, Ordering::Release);
        }
    }
}

impl<T> State<T> {
    /// The locked part of Go's `chansend` (steps 3 to 6): closed → fail;
    /// a waiting receiver → hand the value over directly (Go's `send`),
    /// numbered for its owner (see `returned`); room in the buffer → buffer
    /// it; else report that it would block.
    #[inline(always)]
    pub(crate) fn send(&mut self, cap: usize, value: T) -> Sent<T> {
        if self.closed {
            return Sent::Closed(value);
        }
        if let Some(mut receiver) = self.recvq.dequeue() {
            self.handoffs += 1;
            receiver.put_elem(value);
            receiver.set_stamp(self.handoffs);
            return Sent::Done(receiver.complete(true));
        }
        if self.buf.len() < cap {
            self.buf.push_back(value);
            return Sent::Done(None);
        }
        Sent::Blocked(value)
    }

    /// The locked part of Go's `chanrecv` (steps 4 to 7), with returned
    /// values first: closed and drained → closed; a waiting sender → Go's
    /// `recv` (unbuffered: take its value; buffered, hence full: take the
    /// head and put the sender's value at the tail); a buffered value → take
    /// it; else report that it would block.
    #[inline(always)]
    pub(crate) fn recv(&mut self, cap: usize) -> Received<T> {
        if let Some((_, v)) = self.returned.pop_front() {
            return Received::Value(v, None);
        }
        if self.closed {
            if self.buf.is_empty() {
                return Received::Closed;
            }
        } else if let Some(mut sender) = self.sendq.dequeue() {
            let sent = sender
                .take_elem()
                .expect("a waiting sender carries its value");
            let v = if cap == 0 {
                sent
            } else {
                let head = self
                    .buf
                    .pop_front()
                    .expect("a waiting sender implies a full buffer");
                self.buf.push_back(sent);
                head
            };
            return Received::Value(v, sender.complete(true));
        }
        match self.buf.pop_front() {
            Some(v) => Received::Value(v, None),
            None => Received::Blocked,
        }
    }

    /// Gives back a value that a dropped receive had been handed with
    /// hand-off number `handoff`: to the first waiting receiver (keeping its
    /// number), or among the returned values at the head of the channel, in
    /// hand-off order (so values of one sender stay in the order sent). A
    /// value of an ended timer schedule is refused (`Err`): the caller drops
    /// it after unlocking.
    pub(crate) fn give_back(&mut self, value: T, handoff: u64) -> Result<Option<Waker>, T> {
        if handoff < self.stale_before {
            return Err(value);
        }
        if let Some(mut receiver) = self.recvq.dequeue() {
            receiver.put_elem(value);
            receiver.set_stamp(handoff);
            return Ok(receiver.complete(true));
        }
        let at = self.returned.partition_point(|&(n, _)| n < handoff);
        self.returned.insert(at, (handoff, value));
        Ok(None)
    }

    /// The locked part of Go's `closechan`: marks the channel closed and
    /// completes every waiter unsuccessfully (receivers get nothing, senders
    /// keep their value). Returns false if it was closed already.
    pub(crate) fn close(&mut self, wakers: &mut Vec<Waker>) -> bool {
        if self.closed {
            return false;
        }
        self.closed = true;
        while let Some(receiver) = self.recvq.dequeue() {
            wakers.extend(receiver.complete(false));
        }
        while let Some(sender) = self.sendq.dequeue() {
            wakers.extend(sender.complete(false));
        }
        true
    }

    /// Takes every value waiting in the channel (returned ones first).
    pub(crate) fn take_values(&mut self) -> (VecDeque<(u64, T)>, VecDeque<T>) {
        (
            core::mem::take(&mut self.returned),
            core::mem::take(&mut self.buf),
        )
    }
}

/// Access to the state of a channel whose lock the holder has: the typed
/// [`Locked`] of chan's own operations, or select's type-erased `Held`.
pub(crate) trait Guard<T> {
    /// The state of `chan`, which must be the channel this guard locks.
    fn state_of<'s>(&'s mut self, chan: &'s Chan<T>) -> &'s mut State<T>;
}

/// The channel lock, held; publishes the mirrors when released.
pub(crate) struct Locked<'a, T> {
    chan: &'a Chan<T>,
    _guard: MutexGuard<'a>,
}

impl<T> Deref for Locked<'_, T> {
    type Target = State<T>;

    #[inline]
    fn deref(&self) -> &State<T> {
        // SAFETY: we hold the channel lock, which guards `state`; the
        // reference cannot outlive the guard.
        self.chan.state.with(|s| unsafe { &*s })
    }
}

impl<T> DerefMut for Locked<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut State<T> {
        // SAFETY: as above, and `&mut self` makes this the only reference.
        self.chan.state.with_mut(|s| unsafe { &mut *s })
    }
}

impl<T> Guard<T> for Locked<'_, T> {
    #[inline]
    fn state_of<'s>(&'s mut self, chan: &'s Chan<T>) -> &'s mut State<T> {
        debug_assert!(core::ptr::eq(self.chan, chan), "a guard of another channel");
        self
    }
}

impl<T> Drop for Locked<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.chan.publish(self);
    }
}

impl<T> core::fmt::Debug for Chan<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Chan")
            .field("cap", &self.cap)
            .field("len", &(self.count.load(Ordering::Relaxed) >> 1))
            .field("closed", &self.is_closed())
            .field("timer", &self.timer.is_some())
            .finish_non_exhaustive()
    }
}

impl<T> core::fmt::Debug for State<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("State")
            .field("buffered", &self.buf.len())
            .field("returned", &self.returned.len())
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}
