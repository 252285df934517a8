//! Making a G runnable: a new one (Go: `newproc`) or a woken one (Go:
//! `ready`).

use crate::gfree;
use crate::m::wakep;
use crate::p::P;
use crate::shared::Shared;
use crate::task::{self, JoinHandle, Notified, TaskPtr};
use crate::worker::{self, Worker};
use core::future::Future;
use gort_sync::{Arc, Ordering::*};

/// Port of `ready` (`goready`): from an M of the G's runtime holding a P,
/// the G goes to that P's `runnext` (it inherits the waker's time slice);
/// from any other thread, to the global queue. Then `wakep`.
pub(crate) fn ready(g: Notified) {
    let Some(g) = worker::with(|w| put_local(w, g)) else {
        return;
    };
    let shared = Arc::clone(&g.header().shared);
    shared.globrunqput([g]);
    wakep(&shared);
}

/// Queues `g` in the `runnext` of the P that `w` holds, if `w` is an M of
/// `g`'s runtime holding one, and calls `wakep`; otherwise gives `g` back.
fn put_local(w: Option<&Worker>, g: Notified) -> Option<Notified> {
    let Some(w) = w.filter(|w| w.runs(&g.header().shared)) else {
        return Some(g);
    };
    let mut g = Some(g);
    let put = w.with_p(|p| p.runq.put(g.take().expect("put once"), true, &*w.shared));
    if put.is_some() {
        wakep(&w.shared);
    }
    g
}

/// Port of `newproc`: a new G for `future`, queued in the current P's
/// `runnext` when spawned from one of this runtime's Ms (the spawner's
/// previous `runnext` moves to the tail), else on the global queue; then
/// `wakep`. From inside a poll the M uses its P once for both (the memory
/// and id of `newproc1`, then `runqput`).
pub(crate) fn spawn<F>(shared: &Arc<Shared>, future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    worker::with(|w| {
        let p = w.filter(|w| w.runs(shared)).and_then(Worker::use_p);
        let (handle, g) = newproc1(shared, p.as_deref(), future);
        match (g, p) {
            (Ok(g), Some(p)) => {
                p.runq.put(g, true, &**shared);
                drop(p);
                wakep(shared);
            }
            (Ok(g), None) => {
                shared.globrunqput([g]);
                wakep(shared);
            }
            (Err(refused), p) => {
                drop(p); // before the future's drop, which is user code
                drop(refused);
            }
        }
        handle
    })
}

/// Port of `newproc1`: makes the G (memory from the free lists, `gfget`;
/// an id from the goid cache of `p`, the caller's P if it holds one of this
/// runtime's) and registers it among the live Gs. The G comes back
/// runnable, for the caller to queue; refused if the runtime is shut down.
/// Runs no user code.
pub(crate) fn newproc1<F>(
    shared: &Arc<Shared>,
    p: Option<&P>,
    future: F,
) -> (JoinHandle<F::Output>, Result<Notified, Refused>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let vtable = task::vtable_of::<F>();
    let mem = gfree::get(shared, p, vtable);
    let id = match p {
        // SAFETY: the caller holds `p`; the closure does not re-enter.
        Some(p) => unsafe { p.with_local(|l| goid(shared, &mut l.goidcache, &mut l.goidcacheend)) },
        None => shared.goidgen.fetch_add(1, Relaxed) + 1,
    };
    // SAFETY: `mem` has the layout of `vtable`, which is `F`'s.
    let t = unsafe { task::init(mem, future, shared.clone(), id) };
    let handle = JoinHandle::new(t);
    // SAFETY: a new G is NOTIFIED and holds the run queue's reference.
    let g = unsafe { Notified::from_raw(t) };
    if !shared.owned.insert(t) {
        return (handle, Err(Refused(g.into_raw())));
    }
    (handle, Ok(g))
}

/// A G made on a runtime that is shut down: it never runs. Dropping this
/// completes it as aborted, which drops its future (user code: the caller
/// lets go of its P first). It holds the queue's reference; the owned
/// list's was never taken.
pub(crate) struct Refused(TaskPtr);

impl Drop for Refused {
    fn drop(&mut self) {
        task::shutdown(self.0);
        task::release(self.0, 1);
    }
}

/// Go: the goid cache of `newproc1`: ids are reserved from `sched.goidgen`
/// 16 at a time (`_GoidCacheBatch`).
fn goid(shared: &Shared, cache: &mut u64, end: &mut u64) -> u64 {
    const BATCH: u64 = 16;
    if *cache == *end {
        *cache = shared.goidgen.fetch_add(BATCH, Relaxed) + 1;
        *end = *cache + BATCH;
    }
    let id = *cache;
    *cache += 1;
    id
}
