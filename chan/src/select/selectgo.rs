//! Go's `selectgo` (runtime/select.go, go1.23), pass by pass.
//!
//! 0. Poll order: a fresh random permutation of the cases, leaving out cases
//!    on `never()` channels; timer channels get their `maybeRunChan`. Lock
//!    order: the poll order heap-sorted by channel address (`order.rs`).
//! 1. With every channel locked once, in lock order: try the cases in poll
//!    order; the first that can proceed wins.
//! 2. Nothing ready and no default: queue one sudog per case, in lock order,
//!    all sharing one claim (Go's `selectDone`), then unlock and wait.
//! 3. Woken: lock again, take every sudog out of its queue, and read the
//!    winner's outcome.
//!
//! Deviations from Go, and why:
//! - A send case on a closed channel yields `Err(value)` where Go panics.
//! - The waiting party may be a task: an async select registers its waker in
//!   pass 2 and, when re-polled, only checks its claim (re-running pass 1
//!   with its own sudogs queued could pair its own send with its own
//!   receive). A select dropped while queued runs pass 3 itself and gives a
//!   value a receive case already got back to its channel.
//! - Go's `gp.waiting` list is the lock order itself.

use crate::select::case::Cases;
use crate::select::lockset::LockSet;
use crate::select::order::Order;
use crate::wake::wake;
use core::fmt;
use core::marker::{PhantomData, PhantomPinned};
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use gort_park::Claim;
use std::time::Instant;

/// One execution of a select statement over `cases` (Go: a call of
/// `selectgo`). gort-select's macros and dynamic `Select` drive it; its
/// outcome is the index of the case that won (read that case's outcome from
/// it), or `None` when the select's default runs.
///
/// Dropping it while it waits dequeues every case, and a value a receive
/// case was already handed goes back to its channel.
#[must_use = "a select does nothing unless run"]
pub struct SelectGo<'a, C: Cases<'a>> {
    cases: C,
    /// The orders, kept once the select waits (pass 3 needs the lock
    /// order). Built on `begin`'s stack: a select that completes at once
    /// never copies them.
    order: Option<Order>,
    /// Go's `gp.selectDone` and `gp.param`: shared by every queued sudog.
    claim: Claim,
    /// Pass 2 ran and pass 3 has not yet.
    queued: bool,
    started: bool,
    _pin: PhantomPinned,
    _cases: PhantomData<&'a ()>,
}

/// What passes 0 and 1 found.
enum Begin {
    /// Case `i` completed in pass 1.
    Ready(usize),
    /// Nothing was ready and the select does not block.
    Default,
    /// Nothing was ready; every case is queued (pass 2 ran).
    Queued,
    /// No case has a channel: a blocking select never completes.
    Never,
}

impl<'a, C: Cases<'a>> SelectGo<'a, C> {
    /// A select over `cases`.
    pub fn new(cases: C) -> Self {
        Self {
            cases,
            order: None,
            claim: Claim::new(),
            queued: false,
            started: false,
            _pin: PhantomPinned,
            _cases: PhantomData,
        }
    }

    #[allow(clippy::type_complexity)]
    fn fields(self: Pin<&mut Self>) -> (&mut C, &mut Option<Order>, &Claim, &mut bool, &mut bool) {
        // SAFETY: only `claim` is structurally pinned (queued sudogs point
        // at it), and it is handed out by shared reference. The cases are
        // pinned where they live, not here.
        let this = unsafe { self.get_unchecked_mut() };
        (
            &mut this.cases,
            &mut this.order,
            &this.claim,
            &mut this.queued,
            &mut this.started,
        )
    }

    /// Whether the select waits with its cases queued.
    pub fn is_queued(&self) -> bool {
        self.queued
    }

    /// The cases, to read the winner's outcome (and the losers' unsent
    /// values) once the select is over.
    ///
    /// # Panics
    /// If the select is still waiting.
    pub fn cases(self: Pin<&mut Self>) -> &mut C {
        let (cases, _, _, queued, _) = self.fields();
        assert!(!*queued, "select: the cases of a waiting select");
        cases
    }

    /// Passes 0, 1 and (if `block`) 2. `waker` is registered before the
    /// sudogs are queued (a thread passes `None`: it registers itself when
    /// it parks).
    fn begin(self: Pin<&mut Self>, block: bool, waker: Option<&Waker>) -> Begin {
        let (cases, kept, claim, queued, started) = self.fields();
        assert!(!*started, "a select runs once");
        *started = true;
        let order = Order::new(cases.len(), |i| cases.chan(i));
        if order.is_empty() {
            return if block { Begin::Never } else { Begin::Default };
        }
        let mut locks = LockSet::lock(&order, |i| {
            cases.chan(i).expect("only cases with channels are ordered")
        });
        for &i in order.poll() {
            let i = usize::from(i);
            if let Some(peer) = cases.case(i).attempt(locks.get(order.slot(i))) {
                drop(locks);
                wake(peer);
                return Begin::Ready(i);
            }
        }
        if !block {
            return Begin::Default;
        }
        match waker {
            // SAFETY: a select runs once (`started`), so none of its sudogs
            // is queued yet; they are queued below, after the registration.
            Some(w) => unsafe { claim.rearm_with(w) },
            None => claim.rearm(),
        }
        // Queued from here on, before any case is (so that pass 3 runs even
        // if a timer hook unwinds half-way through pass 2).
        *queued = true;
        let order = kept.insert(order);
        for &i in order.lock() {
            let i = usize::from(i);
            // SAFETY: `claim` lives in this pinned select, which runs pass 3
            // before it is dropped; a case outliving a leaked select unlinks
            // itself in its own `Drop` while the leaked claim stays valid.
            unsafe { cases.case(i).enqueue(locks.get(order.slot(i)), claim, i) };
        }
        drop(locks);
        Begin::Queued
    }

    /// Pass 3, if the cases are queued: every case leaves its queue under
    /// the locks, and the winner, if the claim is done, records its
    /// outcome. With `give_back`, a received value of the winner goes back
    /// to its channel (the select is being dropped). Returns the winner.
    fn finish(self: Pin<&mut Self>, give_back: bool) -> Option<usize> {
        let (cases, order, claim, queued, _) = self.fields();
        if !*queued {
            return None;
        }
        let order = order.as_ref().expect("a queued select keeps its orders");
        let mut locks = LockSet::lock(order, |i| {
            cases.chan(i).expect("only cases with channels are ordered")
        });
        // With every lock held the claim is settled: a completer finishes
        // under the lock of the channel it dequeued from.
        let winner = claim.done();
        for &i in order.lock() {
            let i = usize::from(i);
            cases
                .case(i)
                .dequeue(locks.get(order.slot(i)), winner == Some(i));
        }
        *queued = false;
        let peer = match winner {
            Some(w) if give_back => cases.case(w).give_back(locks.get(order.slot(w))),
            _ => None,
        };
        drop(locks);
        wake(peer);
        winner
    }

    /// One poll of an async select. The first poll runs passes 0 to 2
    /// (registering the task's waker); later polls check the claim and, once
    /// it is done, run pass 3. `Ready(None)`: nothing was ready and `block`
    /// is false (Go's `default`). A select with no channels and `block`
    /// never completes.
    pub fn poll_select(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        block: bool,
    ) -> Poll<Option<usize>> {
        if !self.started {
            // Go: the preemption check in `selectgo`'s prologue.
            if gort_park::hook::preempt_check(cx) {
                return Poll::Pending;
            }
            return match self.as_mut().begin(block, Some(cx.waker())) {
                Begin::Ready(i) => Poll::Ready(Some(i)),
                Begin::Default => Poll::Ready(None),
                Begin::Queued | Begin::Never => Poll::Pending,
            };
        }
        if !self.queued {
            return Poll::Pending;
        }
        let claim = &self.claim;
        // Usually polled because a completer woke us: then the claim is
        // done and registering again would be wasted work.
        if claim.done().is_none() {
            claim.register(cx.waker());
        }
        if claim.settled().is_none() {
            return Poll::Pending;
        }
        Poll::Ready(self.finish(false))
    }

    /// Runs the select on this thread (Go's `selectgo` with a parked
    /// goroutine): the winner's index, or `None` if nothing was ready and
    /// `block` is false, or `deadline` passed first. A select with no
    /// channels blocks until `deadline`, or forever (Go's `block()`).
    pub fn select_blocking(
        mut self: Pin<&mut Self>,
        block: bool,
        deadline: Option<Instant>,
    ) -> Option<usize> {
        match self.as_mut().begin(block, None) {
            Begin::Ready(i) => return Some(i),
            Begin::Default => return None,
            Begin::Never => {
                return gort_park::hook::blocking(|| {
                    loop {
                        match deadline {
                            None => std::thread::park(),
                            Some(d) => match d.checked_duration_since(Instant::now()) {
                                Some(rest) if !rest.is_zero() => std::thread::park_timeout(rest),
                                _ => return None,
                            },
                        }
                    }
                });
            }
            Begin::Queued => {}
        }
        self.claim.wait(deadline);
        // A case that won meanwhile wins over the deadline.
        self.finish(false)
    }

    /// Gives up a waiting select (the deadline of an async `default(d)`):
    /// pass 3, keeping the outcome of a case that won meanwhile, which is
    /// returned.
    pub fn cancel(self: Pin<&mut Self>) -> Option<usize> {
        self.finish(false)
    }
}

impl<'a, C: Cases<'a>> Drop for SelectGo<'a, C> {
    fn drop(&mut self) {
        // SAFETY: `drop` runs on a pinned (or never pinned) value.
        unsafe { Pin::new_unchecked(self) }.finish(true);
    }
}

impl<'a, C: Cases<'a>> fmt::Debug for SelectGo<'a, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SelectGo")
            .field("cases", &self.cases.len())
            .field("started", &self.started)
            .field("queued", &self.queued)
            .finish()
    }
}
