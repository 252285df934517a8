//! Gs: spawned futures with Go's `g` header (status word, id), their wakers
//! and their join handles.

pub(crate) mod join;
mod raw;
pub(crate) mod state;
mod waker;

pub(crate) use join::JoinHandle;
pub(crate) use raw::{Header, Links, TaskPtr, Vtable, init, vtable_of};
use state::{AfterPoll, Run, joined};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// A G in (or on its way to) a run queue: owns one reference (Go: a
/// `guintptr` in `runq`, `runnext` or `sched.runq`).
#[derive(Debug)]
pub(crate) struct Notified(TaskPtr);

impl Notified {
    /// Takes over one reference the caller owns.
    ///
    /// # Safety
    /// The caller owns a reference to a G whose NOTIFIED bit it set.
    pub(crate) unsafe fn from_raw(task: TaskPtr) -> Self {
        Notified(task)
    }

    /// Gives up the reference to the caller (a run queue slot keeps it).
    pub(crate) fn into_raw(self) -> TaskPtr {
        let task = self.0;
        core::mem::forget(self);
        task
    }

    pub(crate) fn header(&self) -> &Header {
        self.0.header()
    }

    /// Runs the G once (Go: `execute`, the G's run until it parks, then
    /// `park_m` or `goexit0`).
    pub(crate) fn run(self) -> Ran {
        let task = self.into_raw();
        let state = &task.header().state;
        match state.to_running() {
            Run::Skip => return Ran::Done(Refs(task)),
            Run::Cancel => {
                // SAFETY: `to_running` gave this M RUNNING.
                unsafe { task.cancel() }
            }
            Run::Poll => {
                let waker = waker::borrowed(task);
                // SAFETY: RUNNING held.
                if unsafe { task.poll(&waker) }.is_pending() {
                    match state.to_idle() {
                        AfterPoll::Idle => return Ran::Done(Refs(task)),
                        AfterPoll::Requeue => return Ran::Again(Notified(task)),
                        // SAFETY: RUNNING is still held.
                        AfterPoll::Cancel => unsafe { task.cancel() },
                    }
                }
            }
        }
        complete(task)
    }
}

/// How a G's run ended, for its M to act on once the poll's system call is
/// over. The references a run gives up are released only then, when the M
/// drops them, so that freeing a finished G (`gfput`) uses the P directly
/// rather than from inside the call. (Every variant is one pointer: the
/// value comes back in registers.)
pub(crate) enum Ran {
    /// Woken during its own poll: to be queued again.
    Again(Notified),
    /// Parked, or not polled: the run's reference.
    Done(Refs<1>),
    /// Finished: the run's reference and the owned list's.
    Finished(Refs<2>),
}

/// `N` references to a G, released when this drops.
#[must_use]
pub(crate) struct Refs<const N: usize>(TaskPtr);

impl<const N: usize> Drop for Refs<N> {
    fn drop(&mut self) {
        release(self.0, N);
    }
}

impl Drop for Notified {
    fn drop(&mut self) {
        release(self.0, 1);
    }
}

/// The end of a G (Go: `goexit0`): publishes COMPLETE, hands the output to
/// the handle or drops it, and leaves the owned list. Returns the caller's
/// reference and the list's, to release (the G's memory then goes to the
/// free lists once the handle and every waker are gone).
fn complete(task: TaskPtr) -> Ran {
    let header = task.header();
    // Leave the count of live Gs before the handle can see the end.
    let owned = header.shared.owned.remove(task);
    let (interest, has_waker) = joined(header.state.to_complete());
    if !interest {
        // SAFETY: COMPLETE is set and no handle will read the output.
        unsafe { task.drop_output() };
    } else if has_waker {
        header.join_waker.with(|w| {
            // SAFETY: JOIN_WAKER was set when COMPLETE was: the handle
            // wrote the slot before and only reads it until JOIN_WAKER
            // is cleared below.
            if let Some(w) = unsafe { &*w } {
                // A waker is foreign code: its panic must not unwind
                // through the M (it would strand the M's P).
                let _ = catch_unwind(AssertUnwindSafe(|| w.wake_by_ref()));
            }
        });
        // The waker goes now, not with the G's memory: a G kept alive only
        // by the waker in its child's slot would otherwise be freed from
        // inside the child's free, and a long chain of such Gs (a deep
        // spawn chain finishing) would recurse that deep.
        if header.state.unset_waker_after_complete() {
            // SAFETY: the handle is gone, and it cleared JOIN_INTEREST seeing
            // JOIN_WAKER set: the slot is the runner's.
            unsafe { header.drop_join_waker() };
        }
    }
    if owned {
        Ran::Finished(Refs(task))
    } else {
        Ran::Done(Refs(task))
    }
}

/// Cancels a G found in the owned list at shutdown (the caller took it out
/// of the list, with its reference): its future is dropped now, or by its M
/// after the current poll.
pub(crate) fn shutdown(task: TaskPtr) {
    if task.header().state.to_shutdown() {
        // SAFETY: RUNNING taken for shutdown.
        unsafe { task.cancel() };
        drop(complete(task));
    } else {
        release(task, 1);
    }
}

/// Drops `n` references; frees the G after the last.
pub(crate) fn release(task: TaskPtr, n: usize) {
    if task.header().state.ref_dec(n) {
        // SAFETY: those were the last references.
        unsafe { task.dealloc() }
    }
}
