//! A G's status word: Go's `g.atomicstatus` plus the reference count and
//! the join-handle bits a Rust task needs.
//!
//! Go's statuses map onto the bits as follows: `_Grunnable` = NOTIFIED
//! without RUNNING (the G sits in a run queue, or is about to), `_Grunning` =
//! RUNNING, `_Gwaiting` = neither (some waker will ready it), `_Gdead` =
//! COMPLETE. A wake that arrives while the G runs only sets NOTIFIED; the M
//! that runs it queues it again after the poll ([`State::to_idle`]), so a G
//! is never in a run queue while it runs and a wake is never lost.

use gort_sync::{AtomicUsize, Ordering::*};

/// Being polled by an M (Go: `_Grunning`).
const RUNNING: usize = 1;
/// Finished: the output (or the error) is in the stage (Go: `_Gdead`).
const COMPLETE: usize = 1 << 1;
/// In a run queue, or to be queued again after the current poll.
const NOTIFIED: usize = 1 << 2;
/// A `JoinHandle` exists and will read the output.
const JOIN_INTEREST: usize = 1 << 3;
/// The join waker slot holds a waker the runner may read.
const JOIN_WAKER: usize = 1 << 4;
/// `abort` was called: drop the future instead of polling it.
const CANCELLED: usize = 1 << 5;
/// One reference: the owned-task list, a run queue, a waker or the handle.
const REF_ONE: usize = 1 << 6;

/// What the M does with a G it took from a run queue.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Run {
    Poll,
    Cancel,
    /// The runtime's shutdown took the G first: drop the queue's reference.
    Skip,
}

/// What the M does with a G whose poll returned `Pending`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum AfterPoll {
    /// Waiting (Go: `_Gwaiting`): drop the run queue's reference.
    Idle,
    /// Woken during its own poll: queue it again (the reference moves).
    Requeue,
    /// Aborted during its poll: drop the future now.
    Cancel,
}

/// The status word.
#[derive(Debug)]
pub(crate) struct State(AtomicUsize);

impl State {
    /// A new G: queued, with a handle, and three references (the owned-task
    /// list, the run queue and the handle).
    pub(crate) fn new() -> Self {
        State(AtomicUsize::new(NOTIFIED | JOIN_INTEREST | (3 * REF_ONE)))
    }

    fn update<R>(&self, mut f: impl FnMut(usize) -> (Option<usize>, R)) -> R {
        let mut cur = self.0.load(Acquire);
        loop {
            let (next, r) = f(cur);
            let Some(next) = next else { return r };
            match self.0.compare_exchange_weak(cur, next, AcqRel, Acquire) {
                Ok(_) => return r,
                Err(actual) => cur = actual,
            }
        }
    }

    /// `_Grunnable` → `_Grunning` (Go: `casgstatus` in `execute`). The
    /// caller took the G from a run queue, so it is NOTIFIED; it is not
    /// running unless the shutdown took it (then `Skip`).
    pub(crate) fn to_running(&self) -> Run {
        self.update(|s| {
            debug_assert!(s & NOTIFIED != 0);
            if s & (RUNNING | COMPLETE) != 0 {
                (None, Run::Skip)
            } else if s & CANCELLED != 0 {
                (Some((s & !NOTIFIED) | RUNNING), Run::Cancel)
            } else {
                (Some((s & !NOTIFIED) | RUNNING), Run::Poll)
            }
        })
    }

    /// The poll returned `Pending`.
    pub(crate) fn to_idle(&self) -> AfterPoll {
        self.update(|s| {
            debug_assert!(s & RUNNING != 0);
            if s & CANCELLED != 0 {
                (None, AfterPoll::Cancel)
            } else if s & NOTIFIED != 0 {
                (Some(s & !RUNNING), AfterPoll::Requeue)
            } else {
                (Some(s & !RUNNING), AfterPoll::Idle)
            }
        })
    }

    /// `_Grunning` → `_Gdead`; returns the bits before, so the runner knows
    /// whether a handle waits (JOIN_INTEREST) and has a waker (JOIN_WAKER).
    pub(crate) fn to_complete(&self) -> usize {
        let prev = self.0.fetch_xor(RUNNING | COMPLETE, AcqRel);
        debug_assert!(prev & RUNNING != 0 && prev & COMPLETE == 0);
        prev
    }

    /// A wake (Go: `ready`). True if the caller must queue the G, holding
    /// the new reference this added; false if it is queued, running (the
    /// runner re-queues it) or finished.
    pub(crate) fn to_notified(&self) -> bool {
        self.update(|s| {
            if s & (COMPLETE | NOTIFIED) != 0 {
                (None, false)
            } else if s & RUNNING != 0 {
                (Some(s | NOTIFIED), false)
            } else {
                (Some((s | NOTIFIED) + REF_ONE), true)
            }
        })
    }

    /// `abort`: true if the caller must queue the G (it was waiting) with
    /// the reference this added, so an M drops its future.
    pub(crate) fn to_cancelled(&self) -> bool {
        self.update(|s| {
            if s & (COMPLETE | CANCELLED) != 0 {
                (None, false)
            } else if s & (RUNNING | NOTIFIED) != 0 {
                (Some(s | CANCELLED), false)
            } else {
                (Some((s | CANCELLED | NOTIFIED) + REF_ONE), true)
            }
        })
    }

    /// The runtime shuts down: true if the caller took the G (it was not
    /// running) and must drop its future now; a running G is marked so its
    /// M drops the future after the poll; a finished one is left alone.
    pub(crate) fn to_shutdown(&self) -> bool {
        self.update(|s| {
            if s & COMPLETE != 0 {
                (None, false)
            } else if s & RUNNING != 0 {
                (Some(s | CANCELLED), false)
            } else {
                (Some(s | RUNNING | CANCELLED), true)
            }
        })
    }

    /// The handle goes away. Before completion it also takes the waker slot
    /// back (the runner will not read it). Returns what the handle must
    /// drop: `(output, waker)`. After completion the output is the
    /// handle's, and the slot too once the runner is done with it
    /// (JOIN_WAKER clear); otherwise the runner drops the waker.
    pub(crate) fn drop_join_interest(&self) -> (bool, bool) {
        self.update(|s| {
            if s & COMPLETE != 0 {
                (Some(s & !JOIN_INTEREST), (true, s & JOIN_WAKER == 0))
            } else {
                (Some(s & !(JOIN_INTEREST | JOIN_WAKER)), (false, true))
            }
        })
    }

    /// The runner is done with the woken join waker (after COMPLETE); true
    /// if the handle is already gone, leaving the waker to the runner.
    pub(crate) fn unset_waker_after_complete(&self) -> bool {
        let prev = self.0.fetch_and(!JOIN_WAKER, AcqRel);
        debug_assert!(prev & (COMPLETE | JOIN_WAKER) == COMPLETE | JOIN_WAKER);
        prev & JOIN_INTEREST == 0
    }

    /// Publishes the waker the handle wrote; `Err` if the G completed first.
    pub(crate) fn set_join_waker(&self) -> Result<(), ()> {
        self.flip_join_waker(true)
    }

    /// Takes the waker slot back from the runner; `Err` if the G completed.
    pub(crate) fn unset_join_waker(&self) -> Result<(), ()> {
        self.flip_join_waker(false)
    }

    fn flip_join_waker(&self, on: bool) -> Result<(), ()> {
        self.update(|s| {
            debug_assert!(s & JOIN_INTEREST != 0 && (s & JOIN_WAKER != 0) != on);
            if s & COMPLETE != 0 {
                (None, Err(()))
            } else {
                (Some(s ^ JOIN_WAKER), Ok(()))
            }
        })
    }

    pub(crate) fn is_complete(&self) -> bool {
        self.0.load(Acquire) & COMPLETE != 0
    }

    pub(crate) fn has_join_waker(&self) -> bool {
        self.0.load(Acquire) & JOIN_WAKER != 0
    }

    pub(crate) fn ref_inc(&self) {
        let prev = self.0.fetch_add(REF_ONE, Relaxed);
        assert!(
            prev <= isize::MAX as usize,
            "gort-executor: task reference count overflow"
        );
    }

    /// Drops `n` references; true if they were the last.
    pub(crate) fn ref_dec(&self, n: usize) -> bool {
        let prev = self.0.fetch_sub(n * REF_ONE, AcqRel);
        debug_assert!(prev >> 6 >= n);
        prev >> 6 == n
    }
}

/// What the bits returned by [`State::to_complete`] say.
pub(crate) fn joined(prev: usize) -> (bool, bool) {
    (prev & JOIN_INTEREST != 0, prev & JOIN_WAKER != 0)
}
