//! Where `after_func` functions run (Go's `goFunc`: `go f()`): each call gets
//! a thread that runs nothing else meanwhile, never the timer thread. Threads
//! are kept for reuse a while after their call returns (as Go keeps idle Ms),
//! so a burst of calls does not pay for a thread spawn each.
//!
//! Also where timers leaving the heap under a channel lock are dropped, when
//! dropping them could drop a user's closure (see [`Holder::Hook`]).

use crate::runtime_timer::{Action, RuntimeTimer};
use std::sync::Arc;

/// Who holds the heap lock, which decides where removed timers are dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Holder {
    /// A caller that holds no channel lock: drop them right after unlocking.
    Free,
    /// A caller that may hold channel locks (the channel hooks, a dropped
    /// `Sleep`): an `after_func` timer's closure must not be dropped there
    /// (it may use the channel), so such timers go to a runner thread to be
    /// dropped.
    Hook,
}

/// Runs `t`'s function on a runner thread.
pub(crate) fn spawn_call(t: Arc<RuntimeTimer>) {
    imp::submit(imp::Job::Call(t));
}

/// Drops timers taken out of the heap by a holder of the heap lock, who has
/// just released it. Under channel locks (`Holder::Hook`), `after_func`
/// timers are handed to a runner thread instead, since dropping the last
/// reference drops the user's closure.
pub(crate) fn dispose(dead: Vec<Arc<RuntimeTimer>>, holder: Holder) {
    if holder == Holder::Hook && dead.iter().any(|t| matches!(t.action, Action::Call(_))) {
        let (calls, rest): (Vec<_>, Vec<_>) = dead
            .into_iter()
            .partition(|t| matches!(t.action, Action::Call(_)));
        imp::submit(imp::Job::Drop(calls));
        drop(rest);
    } else {
        drop(dead);
    }
}

/// How many runner threads were started so far.
pub(crate) fn threads_started() -> usize {
    imp::threads_started()
}

#[cfg(not(gort_loom))]
mod imp {
    use crate::runtime_timer::RuntimeTimer;
    use std::collections::VecDeque;
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Condvar, Mutex, MutexGuard};
    use std::time::Duration;

    /// How long an idle runner thread waits for work before it exits.
    const KEEP_ALIVE: Duration = Duration::from_secs(10);

    pub(crate) enum Job {
        Call(Arc<RuntimeTimer>),
        Drop(Vec<Arc<RuntimeTimer>>),
    }

    struct Pool {
        state: Mutex<State>,
        cv: Condvar,
    }

    /// Invariant: while jobs are queued, a thread is on its way to them
    /// (`searching > 0`) or a running thread will pop one when its job
    /// returns and then, if more are queued, sends another on its way. So
    /// every job is taken by a free thread, never left behind a busy one.
    struct State {
        jobs: VecDeque<Job>,
        /// Threads waiting for work and not yet notified.
        idle: usize,
        /// Notifications posted to waiting threads, not yet consumed.
        notified: usize,
        /// Threads woken or started for queued jobs that have not taken one
        /// yet (Go: a spinning M). One in flight is enough: it sends on the
        /// next when it finds more work queued than it takes.
        searching: usize,
    }

    static POOL: Pool = Pool {
        state: Mutex::new(State {
            jobs: VecDeque::new(),
            idle: 0,
            notified: 0,
            searching: 0,
        }),
        cv: Condvar::new(),
    };
    static STARTED: AtomicUsize = AtomicUsize::new(0);

    fn lock() -> MutexGuard<'static, State> {
        POOL.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `job`, and sends a thread for it unless one is on its way.
    pub(crate) fn submit(job: Job) {
        let mut s = lock();
        s.jobs.push_back(job);
        if s.searching == 0 {
            search(s);
        }
    }

    /// Sends a thread for the queued jobs: wakes an idle one, or starts one
    /// (Go: `wakep`).
    fn search(mut s: MutexGuard<'static, State>) {
        s.searching += 1;
        if s.idle > 0 {
            s.idle -= 1;
            s.notified += 1;
            drop(s);
            POOL.cv.notify_one();
            return;
        }
        drop(s);
        STARTED.fetch_add(1, Ordering::Relaxed);
        std::thread::Builder::new()
            .name("gort-after-func".into())
            .spawn(work)
            .expect("failed to spawn an after_func thread");
    }

    pub(crate) fn threads_started() -> usize {
        STARTED.load(Ordering::Relaxed)
    }

    /// A runner thread: takes jobs while there are any, waits up to
    /// [`KEEP_ALIVE`] for more, then exits. It starts out searching.
    fn work() {
        let mut searching = true;
        let mut s = lock();
        loop {
            if searching {
                s.searching -= 1;
                searching = false;
            }
            if let Some(job) = s.jobs.pop_front() {
                // A drained queue gives its buffer back, so a burst of jobs
                // leaves no memory behind (it is freed after unlocking).
                let spent = if s.jobs.is_empty() {
                    std::mem::take(&mut s.jobs)
                } else {
                    VecDeque::new()
                };
                if !s.jobs.is_empty() && s.searching == 0 {
                    search(s);
                } else {
                    drop(s);
                }
                drop(spent);
                run(job);
                s = lock();
                continue;
            }
            s.idle += 1;
            loop {
                let (next, timeout) = POOL
                    .cv
                    .wait_timeout(s, KEEP_ALIVE)
                    .unwrap_or_else(|e| e.into_inner());
                s = next;
                if s.notified > 0 {
                    // Sent for work by `search` (which already took us off
                    // `idle`).
                    s.notified -= 1;
                    searching = true;
                    break;
                }
                if timeout.timed_out() {
                    s.idle -= 1;
                    return;
                }
            }
        }
    }

    fn run(job: Job) {
        match job {
            Job::Call(t) => {
                // A panic in `f` is reported by the panic hook, as on any
                // thread; the runner survives it.
                let _ = catch_unwind(AssertUnwindSafe(|| t.call()));
            }
            Job::Drop(timers) => {
                let _ = catch_unwind(AssertUnwindSafe(|| drop(timers)));
            }
        }
    }
}

/// Under loom, jobs run inline (models do not cover the runner threads).
#[cfg(gort_loom)]
mod imp {
    use crate::runtime_timer::RuntimeTimer;
    use std::sync::Arc;

    pub(crate) enum Job {
        Call(Arc<RuntimeTimer>),
        Drop(Vec<Arc<RuntimeTimer>>),
    }

    pub(crate) fn submit(job: Job) {
        match job {
            Job::Call(t) => t.call(),
            Job::Drop(timers) => drop(timers),
        }
    }

    pub(crate) fn threads_started() -> usize {
        0
    }
}
