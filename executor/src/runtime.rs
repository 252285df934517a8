//! `Runtime`, its `Builder` and `Handle`: creating, using and shutting down
//! a scheduler (Go: `schedinit`, `main`, and process exit).

use crate::m::{M, handoffp};
use crate::note::Note;
use crate::shared::{Config, MAX_PROCS, Shared};
use crate::syscall::{enter_poll, exit_poll};
use crate::task::{self, JoinHandle};
use crate::worker::{self, Worker};
use core::fmt;
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use gort_sync::{Arc, Ordering::*, lock};

/// A Go scheduler: Ps, the Ms that run them, and the Gs they run.
///
/// Ms (threads) start when there is work for an idle P and sleep when there
/// is none; an idle runtime uses no CPU. Dropping the runtime drops every
/// unfinished task's future and joins every thread it started.
///
/// ```
/// use gort_executor::Runtime;
///
/// let rt = Runtime::new();
/// let (tx, rx) = gort_chan::bounded(0);
/// rt.spawn(async move { tx.send("ping").await.unwrap() });
/// assert_eq!(rt.block_on(async { rx.recv().await }), Ok("ping"));
/// ```
pub struct Runtime {
    handle: Handle,
}

/// Configures a [`Runtime`] (tokio's builder style).
///
/// ```
/// let rt = gort_executor::Runtime::builder()
///     .procs(2)
///     .thread_name("my-worker")
///     .build()
///     .unwrap();
/// assert_eq!(rt.handle().set_procs(0), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    procs: Option<usize>,
    max_threads: usize,
    thread_name: String,
}

/// A cheap, clonable reference to a runtime, for spawning from anywhere.
#[derive(Clone)]
pub struct Handle {
    pub(crate) shared: Arc<Shared>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            procs: None,
            max_threads: 10_000,
            thread_name: "gort-m".to_string(),
        }
    }
}

impl Builder {
    /// A builder with Go's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of Ps (Go: `GOMAXPROCS`); at least 1, at most 1024.
    /// Default: `$GOMAXPROCS` if set to a positive number, else
    /// [`std::thread::available_parallelism`].
    pub fn procs(&mut self, n: usize) -> &mut Self {
        self.procs = Some(n);
        self
    }

    /// The most threads (Ms) the runtime starts (Go: `SetMaxThreads`,
    /// default 10000). Work waits for a running M once the limit is reached
    /// (Go crashes instead).
    pub fn max_threads(&mut self, n: usize) -> &mut Self {
        self.max_threads = n;
        self
    }

    /// The name of the runtime's threads.
    pub fn thread_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.thread_name = name.into();
        self
    }

    /// Builds the runtime. Only its sysmon thread starts now (it sleeps
    /// while every P is idle); Ms start when there is work.
    ///
    /// Errors with `InvalidInput` if `procs` is 0 or above 1024, or
    /// `max_threads` is 0, and with the OS error if sysmon's thread cannot
    /// start.
    pub fn build(&mut self) -> std::io::Result<Runtime> {
        let procs = self.procs.unwrap_or_else(default_procs);
        if procs == 0 || procs > MAX_PROCS || self.max_threads == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "gort-executor: procs must be in 1..={MAX_PROCS} (got {procs}) and max_threads at least 1 (got {})",
                    self.max_threads
                ),
            ));
        }
        let shared = Shared::new(
            procs,
            Config {
                max_threads: self.max_threads,
                thread_name: self.thread_name.clone(),
                gortdebug: std::env::var("GORTDEBUG").ok(),
            },
        );
        // Choose the fence mode now, while it is cheap: the first
        // stop-the-world would otherwise pay for it under the lock.
        gort_park::barrier::init();
        crate::procresize::procresize(&shared, &mut shared.lock(), None, procs);
        #[cfg(not(gort_loom))]
        crate::sysmon::start(&shared)?;
        Ok(Runtime {
            handle: Handle { shared },
        })
    }
}

/// Go's `schedinit`: `$GOMAXPROCS` when positive, else the CPU count.
fn default_procs() -> usize {
    std::env::var("GOMAXPROCS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(MAX_PROCS)
}

impl Default for Runtime {
    fn default() -> Self {
        Self::new()
    }
}

impl Runtime {
    /// A runtime with the default [`Builder`] settings. It starts only
    /// sysmon's thread: Ms start when there is work for them (a thread that
    /// cannot start leaves its work to the running ones).
    ///
    /// # Panics
    /// If sysmon's thread cannot start (use [`Builder::build`] to get the
    /// error instead).
    pub fn new() -> Runtime {
        Builder::new().build().unwrap_or_else(|e| {
            panic!("gort-executor: cannot start the runtime's sysmon thread: {e}")
        })
    }

    /// A [`Builder`].
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// Spawns a task (a G); see [`Handle::spawn`].
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// A snapshot of the scheduler; see [`Handle::metrics`].
    pub fn metrics(&self) -> crate::Metrics {
        self.handle.metrics()
    }

    /// A handle to this runtime.
    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }

    /// Runs `future` to completion as the main goroutine, on the calling
    /// thread, and returns its output.
    ///
    /// The calling thread becomes an M of the runtime (Go's `m0`): while the
    /// future waits, it takes a P and runs other tasks, so a task that the
    /// future wakes runs next on this thread (its P's `runnext`), as in Go;
    /// when there is nothing to run it gives the P back and sleeps until
    /// the future is woken. A panic in `future` unwinds out of `block_on`.
    ///
    /// # Panics
    /// When called from a thread that already runs a gort runtime (inside a
    /// task, or inside another `block_on`): await the future instead.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        block_on(&self.handle.shared, future)
    }
}

fn block_on<F: Future>(shared: &Arc<Shared>, future: F) -> F::Output {
    assert!(
        worker::with(|w| w.is_none()),
        "gort-executor: block_on was called from a thread that is already running a gort \
         runtime (inside a task or another block_on); await the future instead"
    );
    let note = std::sync::Arc::new(Note::new());
    note.wakeup();
    let waker = Waker::from(note.clone());
    let mut cx = Context::from_waker(&waker);
    let w = Worker::new(shared.clone(), M::new(), true);
    let _main = MainG::enter(&w);
    let mut future = pin!(future);
    loop {
        if note.clear() {
            if w.p().is_none() {
                w.acquire_idle_p();
            }
            // The poll runs as a system call, as a G's does (`execute`).
            enter_poll(&w, w.p());
            let polled = future.as_mut().poll(&mut cx);
            exit_poll(&w);
            if let Poll::Ready(out) = polled {
                return out;
            }
            w.yielded.set(false);
        }
        if w.p().is_some() {
            if let Some((g, inherit_time)) = crate::schedule::find_runnable(&w) {
                if w.spinning.get() {
                    crate::m::resetspinning(&w);
                }
                crate::schedule::execute(&w, g, inherit_time);
                continue;
            }
        }
        // No P and nothing to run: sleep until the future is woken.
        note.sleep();
    }
}

/// `block_on`'s time as an M: entered on the calling thread, counted as a
/// goroutine, and on the way out (also when unwinding) its P handed off.
struct MainG<'a> {
    w: &'a Worker,
    _entered: worker::Entered,
}

impl<'a> MainG<'a> {
    fn enter(w: &'a Worker) -> Self {
        w.shared.main_gs.fetch_add(1, Relaxed);
        MainG {
            w,
            _entered: w.enter(),
        }
    }
}

impl Drop for MainG<'_> {
    fn drop(&mut self) {
        let w = self.w;
        if w.in_poll.get() {
            exit_poll(w); // unwinding out of the future's poll
        }
        if w.spinning.get() {
            crate::m::drop_spinning(w);
        }
        if w.p().is_some() {
            let id = w.releasep();
            handoffp(&w.shared, id);
        }
        w.shared.main_gs.fetch_sub(1, Relaxed);
    }
}

impl Drop for Runtime {
    /// Shuts the runtime down: every unfinished task's future is dropped
    /// (its handle yields `JoinError::Aborted`; a task being polled is
    /// dropped at the end of that poll), every M exits after its current
    /// poll, and every thread is joined. A task blocked inside a poll on
    /// something outside the runtime (a thread-blocking call) keeps the
    /// drop waiting until that call returns.
    ///
    /// # Panics
    /// When dropped from one of its own threads (a task or `block_on`):
    /// the thread would wait for itself.
    fn drop(&mut self) {
        let shared = &self.handle.shared;
        assert!(
            worker::with_own(shared, |_| ()).is_none(),
            "gort-executor: a Runtime was dropped from inside itself (a task or block_on); \
             it would wait for its own thread to exit"
        );
        {
            let mut s = shared.lock();
            shared.shutdown.store(true, SeqCst);
            let s = &mut *s;
            for m in s.midle.drain(..).chain(s.syscallwait.drain(..)) {
                m.park.wakeup();
            }
            shared.nsyscallwait.store(0, SeqCst);
            if let Some(note) = shared.sysmonnote.get() {
                note.wakeup();
            }
            shared.poller.brk();
            // A `set_procs` stopping the world would wait for Ms that exit.
            if let Some(note) = &s.stopnote {
                note.wakeup();
            }
        }
        // Cancel every unfinished G first (a running one at the end of its
        // poll), so a G blocked on another (`join_blocking`) is released.
        for t in shared.owned.close_and_drain() {
            task::shutdown(t);
        }
        loop {
            let threads = core::mem::take(&mut *lock(&shared.threads));
            if threads.is_empty() {
                if shared.lock().mcount == 0 {
                    break;
                }
                gort_sync::thread::yield_now();
            }
            for t in threads {
                let _ = t.join();
            }
        }
        let queued: Vec<_> = shared.lock().runq.drain(..).collect();
        drop(queued);
        shared.runqsize.store(0, Relaxed);
        for p in shared.made_ps() {
            drop(p.runq.drain());
            // Timers of threads outside the runtime may still be here.
            p.timers.retire_to_process();
        }
    }
}

impl Handle {
    /// The runtime the calling thread runs on (a task, or `block_on`).
    ///
    /// # Panics
    /// Outside a gort runtime, saying so; see [`Handle::try_current`].
    pub fn current() -> Handle {
        Self::try_current().expect(
            "gort-executor: Handle::current() called outside a gort runtime \
             (not inside a task or Runtime::block_on)",
        )
    }

    /// The runtime the calling thread runs on, if any.
    pub fn try_current() -> Option<Handle> {
        worker::with(|w| {
            w.map(|w| Handle {
                shared: w.shared.clone(),
            })
        })
    }

    /// Spawns `future` as a new G (Go: the `go` statement). From a thread
    /// of this runtime it goes to the current P's `runnext` (it runs next,
    /// as in Go); from elsewhere to the global run queue. Returns its
    /// handle; dropping the handle detaches the task. On a runtime that is
    /// shutting down the task never runs (its handle yields `Aborted`).
    ///
    /// ```
    /// let rt = gort_executor::Runtime::new();
    /// let h = rt.handle().spawn(async { 1 + 1 });
    /// assert_eq!(h.join_blocking().unwrap(), 2);
    /// ```
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        crate::ready::spawn(&self.shared, future)
    }

    /// Go: `runtime.GOMAXPROCS(n)`: sets the number of Ps and returns the
    /// previous one; `0` only queries. Values above 1024 are clamped.
    pub fn set_procs(&self, n: usize) -> usize {
        crate::procresize::set_procs(&self.shared, n)
    }

    /// Go: `runtime.NumGoroutine`: tasks that have not finished, plus the
    /// futures running in `block_on`.
    pub fn num_goroutine(&self) -> usize {
        self.shared.owned.len() + self.shared.main_gs.load(Relaxed)
    }

    /// A snapshot of the scheduler: tasks, Ps, threads, queue lengths, and
    /// counts of steals, hand-offs and preemptions.
    ///
    /// ```
    /// let rt = gort_executor::Runtime::builder().procs(2).build().unwrap();
    /// let m = rt.handle().metrics();
    /// assert_eq!((m.procs, m.goroutines, m.local_queues.len()), (2, 0, 2));
    /// ```
    pub fn metrics(&self) -> crate::Metrics {
        crate::Metrics::of(&self.shared, self.num_goroutine())
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("handle", &self.handle)
            .finish()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("procs", &self.shared.procs())
            .field("threads", &self.shared.lock().mcount)
            .field("global_runq", &self.shared.runqsize.load(Relaxed))
            .finish()
    }
}
