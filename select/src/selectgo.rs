//! Go's `selectgo` (runtime/select.go, go1.23), pass by pass.
//!
//! 0. Poll order: a fresh random permutation of the arms (inside-out
//!    Fisher–Yates with `cheaprandn`), leaving out arms on `never()`
//!    channels; timer channels get their `maybeRunChan`.
//! 0. Lock order: a heap sort of the poll order by channel address, so arms
//!    on the same channel keep their random relative order.
//! 1. With every channel locked once, in lock order: poll the arms in poll
//!    order; the first that can proceed wins.
//! 2. Nothing ready and no default: queue one sudog per arm, in lock order,
//!    all sharing one claim (Go's `selectDone`), then unlock and wait.
//! 3. Woken: lock again, take every losing sudog out of its queue, and read
//!    the winner's outcome.
//!
//! Deviations from Go, and why:
//! - A send arm on a closed channel yields `Err(value)` where Go panics.
//! - The waiting party may be a task: an async select registers its waker in
//!   pass 2 and, when re-polled, only checks its claim (re-running pass 1
//!   with its own sudogs queued could pair its own send with its own
//!   receive). A dropped select runs pass 3 itself and gives a value a
//!   receive arm already got back to its channel.
//! - Go's `gp.waiting` list is the lock order itself.

use crate::case::{Cases, ChanLock, sortkey};
use crate::rand::cheaprandn;
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::task::Waker;
use gort_park::Claim;
use gort_park::MutexGuard;
use std::time::Instant;

/// Arms up to this many keep their orders inline (no allocation).
const INLINE: usize = 16;

/// Go's `pollorder` and `lockorder` (one `[u16; 2*ncases]` in Go).
pub(crate) struct Order {
    buf: OrderBuf,
    /// Each arm's lock-order key, by arm index (read once per select).
    keys: KeyBuf,
    /// Arms in the orders: those not on a `never()` channel.
    n: usize,
    /// Capacity of each half.
    cap: usize,
}

enum OrderBuf {
    Inline([u16; 2 * INLINE]),
    Heap(Vec<u16>),
}

enum KeyBuf {
    Inline([usize; INLINE]),
    Heap(Vec<usize>),
}

impl Order {
    pub(crate) fn new(ncases: usize) -> Self {
        assert!(ncases <= 1 << 16, "select: too many cases (max 65536)");
        let (buf, keys, cap) = if ncases <= INLINE {
            (
                OrderBuf::Inline([0; 2 * INLINE]),
                KeyBuf::Inline([0; INLINE]),
                INLINE,
            )
        } else {
            (
                OrderBuf::Heap(vec![0; 2 * ncases]),
                KeyBuf::Heap(vec![0; ncases]),
                ncases,
            )
        };
        Self {
            buf,
            keys,
            n: 0,
            cap,
        }
    }

    fn poll(&self) -> &[u16] {
        let buf: &[u16] = match &self.buf {
            OrderBuf::Inline(a) => a,
            OrderBuf::Heap(v) => v,
        };
        &buf[..self.n]
    }

    fn lock(&self) -> &[u16] {
        let buf: &[u16] = match &self.buf {
            OrderBuf::Inline(a) => a,
            OrderBuf::Heap(v) => v,
        };
        &buf[self.cap..self.cap + self.n]
    }

    /// Pass 0: the poll order and the lock order (Go's first two loops).
    fn build<'a>(&mut self, cases: &mut (impl Cases<'a> + ?Sized)) {
        self.n = cases.len();
        let mut norder = 0;
        {
            let keys: &mut [usize] = match &mut self.keys {
                KeyBuf::Inline(a) => a,
                KeyBuf::Heap(v) => v,
            };
            let buf: &mut [u16] = match &mut self.buf {
                OrderBuf::Inline(a) => a,
                OrderBuf::Heap(v) => v,
            };
            let poll = &mut buf[..self.cap];
            for (i, key) in keys.iter_mut().enumerate().take(cases.len()) {
                let Some(c) = cases.chan(i) else { continue };
                if let Some(t) = c.timer() {
                    t.maybe_run();
                }
                *key = sortkey(c);
                let j = cheaprandn(norder as u32 + 1) as usize;
                poll[norder] = poll[j];
                poll[j] = i as u16;
                norder += 1;
            }
        }
        self.n = norder;
        let keys: &[usize] = match &self.keys {
            KeyBuf::Inline(a) => a,
            KeyBuf::Heap(v) => v,
        };
        let key = |i: u16| keys[usize::from(i)];
        let buf: &mut [u16] = match &mut self.buf {
            OrderBuf::Inline(a) => a,
            OrderBuf::Heap(v) => v,
        };
        let (poll, lock) = buf.split_at_mut(self.cap);
        let (poll, lock) = (&poll[..norder], &mut lock[..norder]);
        // Heap sort by address, guaranteed n log n with no extra memory;
        // built from the poll order so arms on one channel keep their
        // random order (Go's comment on the same loop).
        for (i, &p) in poll.iter().enumerate() {
            let mut j = i;
            let c = key(p);
            while j > 0 && key(lock[(j - 1) / 2]) < c {
                let k = (j - 1) / 2;
                lock[j] = lock[k];
                j = k;
            }
            lock[j] = p;
        }
        for i in (0..norder).rev() {
            let o = lock[i];
            let c = key(o);
            lock[i] = lock[0];
            let mut j = 0;
            loop {
                let mut k = j * 2 + 1;
                if k >= i {
                    break;
                }
                if k + 1 < i && key(lock[k]) < key(lock[k + 1]) {
                    k += 1;
                }
                if c < key(lock[k]) {
                    lock[j] = lock[k];
                    j = k;
                    continue;
                }
                break;
            }
            lock[j] = o;
        }
        debug_assert!(
            lock.windows(2).all(|w| key(w[0]) <= key(w[1])),
            "select: broken sort"
        );
    }
}

/// One channel lock held by a select; publishes the channel's mirrors
/// before the guard is released.
struct Held<'a> {
    chan: &'a dyn ChanLock,
    _guard: MutexGuard<'a>,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        // SAFETY: `_guard` holds the lock until after this runs.
        unsafe { self.chan.publish() };
    }
}

/// The locks of every distinct channel of a select (Go: `sellock`; the
/// drop is `selunlock`).
struct LockSet<'a> {
    inline: [Option<Held<'a>>; 8],
    spill: Vec<Held<'a>>,
    len: usize,
}

impl<'a> LockSet<'a> {
    /// Locks each distinct channel once, in lock order.
    fn lock(cases: &(impl Cases<'a> + ?Sized), order: &Order) -> Self {
        let mut set = LockSet {
            inline: Default::default(),
            spill: Vec::new(),
            len: 0,
        };
        let mut last = None;
        for &i in order.lock() {
            let c = cases
                .chan(usize::from(i))
                .expect("only arms with channels are ordered");
            if last == Some(sortkey(c)) {
                continue;
            }
            last = Some(sortkey(c));
            let held = Held {
                chan: c,
                _guard: c.lock_raw(),
            };
            match set.inline.get_mut(set.len) {
                Some(slot) => *slot = Some(held),
                None => set.spill.push(held),
            }
            set.len += 1;
        }
        set
    }
}

/// What the first poll of a select found.
pub(crate) enum Begin {
    /// Arm `i` completed in pass 1.
    Ready(usize),
    /// Nothing was ready and the select has a default.
    Default,
    /// Nothing was ready; every arm is queued.
    Queued,
    /// No arm has a channel and there is no default: never completes.
    Never,
}

/// The state one select keeps between its passes; pinned, because its
/// sudogs point at its claim.
pub(crate) struct Selector {
    order: Order,
    claim: Claim,
    /// Whether pass 2 ran and pass 3 has not yet.
    queued: bool,
    _pin: PhantomPinned,
}

impl Selector {
    pub(crate) fn new(ncases: usize) -> Self {
        Self {
            order: Order::new(ncases),
            claim: Claim::new(),
            queued: false,
            _pin: PhantomPinned,
        }
    }

    fn fields(self: Pin<&mut Self>) -> (&mut Order, &Claim, &mut bool) {
        // SAFETY: only `claim` is structurally pinned, and it is handed out
        // by shared reference.
        let this = unsafe { self.get_unchecked_mut() };
        (&mut this.order, &this.claim, &mut this.queued)
    }

    pub(crate) fn is_queued(&self) -> bool {
        self.queued
    }

    /// Passes 0, 1 and (if `block`) 2. `waker` is registered before the
    /// sudogs are queued (a thread passes `None` and registers itself when it
    /// parks).
    pub(crate) fn begin<'a>(
        self: Pin<&mut Self>,
        cases: &mut (impl Cases<'a> + ?Sized),
        block: bool,
        waker: Option<&Waker>,
    ) -> Begin {
        let (order, claim, queued) = self.fields();
        debug_assert!(!*queued, "a select begins once");
        order.build(cases);
        if order.n == 0 {
            return if block { Begin::Never } else { Begin::Default };
        }
        let locks = LockSet::lock(cases, order);
        for &i in order.poll() {
            let i = usize::from(i);
            // SAFETY: `locks` holds every arm's channel lock.
            if let Some(waker) = unsafe { cases.case(i).poll() } {
                drop(locks);
                if let Some(w) = waker {
                    w.wake();
                }
                return Begin::Ready(i);
            }
        }
        if !block {
            return Begin::Default;
        }
        if let Some(w) = waker {
            claim.register(w);
        }
        for &i in order.lock() {
            let i = usize::from(i);
            // SAFETY: `locks` holds the lock; `claim` lives in this pinned
            // selector, whose owner runs pass 3 (or `cancel`) before
            // dropping it.
            unsafe { cases.case(i).enqueue(claim, i) };
        }
        *queued = true;
        drop(locks);
        Begin::Queued
    }

    /// Pass 3 with the locks held: dequeue every arm, then record the
    /// winner's outcome.
    fn dequeue_all<'a>(
        order: &Order,
        cases: &mut (impl Cases<'a> + ?Sized),
        winner: Option<usize>,
    ) {
        for &i in order.lock() {
            // SAFETY: the caller holds every arm's channel lock.
            unsafe { cases.case(usize::from(i)).dequeue() };
        }
        if let Some(w) = winner {
            // SAFETY: as above, and the claim is done with index `w`.
            unsafe { cases.case(w).finish() };
        }
    }

    /// Re-poll of a queued async select: registers `waker`, and once the
    /// claim is done runs pass 3 and returns the winner.
    pub(crate) fn poll_done<'a>(
        self: Pin<&mut Self>,
        cases: &mut (impl Cases<'a> + ?Sized),
        waker: &Waker,
    ) -> Option<usize> {
        let (order, claim, queued) = self.fields();
        debug_assert!(*queued);
        if claim.done().is_none() {
            claim.register(waker);
        }
        let winner = claim.settled()?;
        let locks = LockSet::lock(cases, order);
        Self::dequeue_all(order, cases, Some(winner));
        *queued = false;
        drop(locks);
        Some(winner)
    }

    /// Blocks the thread until an arm wins (then pass 3) or `deadline`
    /// passes (then every arm is dequeued, unless one won meanwhile).
    pub(crate) fn wait<'a>(
        self: Pin<&mut Self>,
        cases: &mut (impl Cases<'a> + ?Sized),
        deadline: Option<Instant>,
    ) -> Option<usize> {
        let (order, claim, queued) = self.fields();
        debug_assert!(*queued);
        let woken = claim.wait(deadline);
        let locks = LockSet::lock(cases, order);
        // With every lock held the claim is settled: a completer finishes
        // under the lock of the channel it dequeued from.
        let winner = woken.or_else(|| claim.done());
        Self::dequeue_all(order, cases, winner);
        *queued = false;
        drop(locks);
        winner
    }

    /// Gives up a queued select (dropped future, timeout of an async
    /// `default(d)`): pass 3, and if an arm won anyway, its outcome is kept
    /// (`keep`) or, for a receive, its value goes back to the channel.
    pub(crate) fn cancel<'a>(
        self: Pin<&mut Self>,
        cases: &mut (impl Cases<'a> + ?Sized),
        keep: bool,
    ) -> Option<usize> {
        let (order, claim, queued) = self.fields();
        if !*queued {
            return None;
        }
        let locks = LockSet::lock(cases, order);
        let winner = claim.done();
        Self::dequeue_all(order, cases, winner);
        *queued = false;
        let waker = match winner {
            // SAFETY: we hold every lock.
            Some(w) if !keep => unsafe { cases.case(w).give_back() },
            _ => None,
        };
        drop(locks);
        if let Some(w) = waker {
            w.wake();
        }
        winner
    }
}
