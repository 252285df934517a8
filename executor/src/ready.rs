//! Making a G runnable: a new one (Go: `newproc`) or a woken one (Go:
//! `ready`).

use crate::gfree;
use crate::m::wakep;
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
    let Some(w) = w.filter(|w| core::ptr::eq(&*w.shared, &**g.header().shared)) else {
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
/// `wakep`.
pub(crate) fn spawn<F>(shared: &Arc<Shared>, future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (handle, g) = newproc1(shared, future);
    if let Some(g) = g.and_then(|g| worker::with(|w| put_local(w, g))) {
        shared.globrunqput([g]);
        wakep(shared);
    }
    handle
}

/// Port of `newproc1`: makes the G (memory from the free lists, `gfget`;
/// an id from the P's goid cache) and registers it among the live Gs.
/// The G comes back runnable, for the caller to queue; `None` if the
/// runtime is shut down (the G then completes as aborted, never run).
pub(crate) fn newproc1<F>(
    shared: &Arc<Shared>,
    future: F,
) -> (JoinHandle<F::Output>, Option<Notified>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let vtable = task::vtable_of::<F>();
    let on_p = worker::with_own_p(shared, |p| {
        let mem = gfree::get(shared, Some(p), vtable);
        // SAFETY: this M holds `p`; the closure does not re-enter.
        let id = unsafe { p.with_local(|l| goid(shared, &mut l.goidcache, &mut l.goidcacheend)) };
        (mem, id)
    });
    let (mem, id) = on_p.unwrap_or_else(|| {
        (
            gfree::get(shared, None, vtable),
            shared.goidgen.fetch_add(1, Relaxed) + 1,
        )
    });
    // SAFETY: `mem` has the layout of `vtable`, which is `F`'s.
    let t = unsafe { task::init(mem, future, shared.clone(), id) };
    let handle = JoinHandle::new(t);
    // SAFETY: a new G is NOTIFIED and holds the run queue's reference.
    let g = unsafe { Notified::from_raw(t) };
    if !shared.owned.insert(t) {
        refuse(t, g);
        return (handle, None);
    }
    (handle, Some(g))
}

/// A G spawned on a runtime that is shut down never runs: it completes as
/// aborted. The owned list's reference (never taken) and the queue's go.
fn refuse(t: TaskPtr, g: Notified) {
    core::mem::forget(g);
    task::shutdown(t);
    task::release(t, 1);
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
