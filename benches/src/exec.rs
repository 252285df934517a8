//! The executors the async rows run on: tokio's multi-thread runtime and
//! gort's own (gort-executor), both with 2 workers (Ps), shared by every
//! section and built on first use.

use std::future::Future;
use std::sync::OnceLock;

/// Which runtime an async implementation runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exec {
    /// tokio's multi-thread runtime, 2 workers.
    Tokio,
    /// gort-executor, 2 Ps.
    Gort,
}

/// A spawned task of either runtime.
#[derive(Debug)]
pub enum Join<T> {
    /// On tokio.
    Tokio(tokio::task::JoinHandle<T>),
    /// On gort.
    Gort(gort_executor::JoinHandle<T>),
}

impl Exec {
    /// Runs `f` to completion on this runtime, from the calling thread.
    pub fn block_on<F: Future>(self, f: F) -> F::Output {
        match self {
            Exec::Tokio => tokio_runtime().block_on(f),
            Exec::Gort => gort_runtime().block_on(f),
        }
    }

    /// Spawns `f`; call only inside [`Exec::block_on`] of the same runtime.
    pub fn spawn<F>(self, f: F) -> Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Exec::Tokio => Join::Tokio(tokio::spawn(f)),
            Exec::Gort => Join::Gort(gort_executor::go(f)),
        }
    }

    /// The name suffix of an implementation on this runtime: the rows on
    /// tokio keep their plain names.
    pub fn suffix(self) -> &'static str {
        match self {
            Exec::Tokio => "",
            Exec::Gort => " (gort rt)",
        }
    }
}

impl<T> Join<T> {
    /// Waits for the task; a panic in it is re-raised.
    pub async fn join(self) -> T {
        match self {
            Join::Tokio(h) => h.await.expect("benchmark task panicked"),
            Join::Gort(h) => h.await.expect("benchmark task panicked"),
        }
    }
}

/// The shared 2-worker tokio runtime of the async workloads.
pub fn tokio_runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

/// The shared 2-P gort runtime of the async workloads.
pub fn gort_runtime() -> &'static gort_executor::Runtime {
    static RT: OnceLock<gort_executor::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        gort_executor::Runtime::builder()
            .procs(2)
            .build()
            .expect("gort runtime")
    })
}

/// A runtime of its own with one worker: tokio's current-thread runtime, or
/// gort's with one P (for rows where two tasks share one thread, as two
/// goroutines on `GOMAXPROCS(1)`).
#[derive(Debug)]
pub enum OneWorker {
    /// tokio's current-thread runtime.
    Tokio(tokio::runtime::Runtime),
    /// gort-executor with one P.
    Gort(gort_executor::Runtime),
}

impl OneWorker {
    /// A new runtime of that kind.
    pub fn new(exec: Exec) -> Self {
        match exec {
            Exec::Tokio => OneWorker::Tokio(
                tokio::runtime::Builder::new_current_thread()
                    .build()
                    .expect("a current-thread runtime"),
            ),
            Exec::Gort => OneWorker::Gort(
                gort_executor::Runtime::builder()
                    .procs(1)
                    .build()
                    .expect("a one-P gort runtime"),
            ),
        }
    }

    /// Spawns `f` (it runs while the thread is inside `block_on`).
    pub fn spawn<F>(&self, f: F) -> Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            OneWorker::Tokio(rt) => Join::Tokio(rt.spawn(f)),
            OneWorker::Gort(rt) => Join::Gort(rt.spawn(f)),
        }
    }

    /// Runs `f` to completion on the calling thread.
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        match self {
            OneWorker::Tokio(rt) => rt.block_on(f),
            OneWorker::Gort(rt) => rt.block_on(f),
        }
    }
}
