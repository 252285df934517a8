//! What the loom models of the run queue need from inside the crate: a P's
//! run queue filled with real Gs. Built only with `--cfg gort_loom`.

use crate::runq::{Overflow, RunQ};
use crate::runtime::Runtime;
use crate::task::Notified;
use gort_sync::Mutex;

/// One P's run queue (Go: `runq` + `runnext`) and what overflowed from it.
pub struct Queue {
    rt: Runtime,
    q: RunQ,
    global: Global,
}

struct Global(Mutex<Vec<u64>>);

impl Overflow for Global {
    fn put_batch(&self, batch: Vec<Notified>) {
        gort_sync::lock(&self.0).extend(batch.iter().map(|g| g.header().id));
    }
}

impl Queue {
    /// An empty queue, with Gs made on a runtime of one P (no thread runs).
    pub fn new() -> Self {
        Queue {
            rt: Runtime::builder().procs(1).build().unwrap(),
            q: RunQ::new(),
            global: Global(Mutex::new(Vec::new())),
        }
    }

    /// Makes a G and `runqput`s it; returns its id. Owner only.
    pub fn put(&self, next: bool) -> u64 {
        let (_handle, g) = crate::ready::newproc1(&self.rt.handle().shared, None, async {});
        let Ok(g) = g else {
            panic!("the runtime is shut down")
        };
        let id = g.header().id;
        self.q.put(g, next, &self.global);
        id
    }

    /// `runqget`. Owner only.
    pub fn get(&self) -> Option<u64> {
        self.q.get().map(|(g, _)| g.header().id)
    }

    /// `runqsteal` from `victim` into this queue; the G to run now.
    pub fn steal_from(&self, victim: &Queue, steal_next: bool) -> Option<u64> {
        self.q
            .steal_from(&victim.q, steal_next, false)
            .map(|g| g.header().id)
    }

    /// `runqempty`.
    pub fn is_empty(&self) -> bool {
        self.q.is_empty()
    }

    /// Everything left, then what overflowed to the global queue.
    pub fn drain(&self) -> (Vec<u64>, Vec<u64>) {
        let (ring, next) = self.q.drain();
        let left = ring
            .iter()
            .chain(next.iter())
            .map(|g| g.header().id)
            .collect();
        (left, std::mem::take(&mut *gort_sync::lock(&self.global.0)))
    }
}

impl Default for Queue {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Queue")
    }
}

/// sysmon's `retake` of P `id` (`take_p` + `handoffp`), as
/// sysmon would do it when it finds a poll that lasts: true if taken.
pub fn retake(h: &crate::Handle, id: usize) -> bool {
    crate::sysmon::retake_p(&h.shared, id, None)
}

/// sysmon's `preemptone` on P `id`.
pub fn preempt(h: &crate::Handle, id: usize) {
    crate::preempt::preemptone(h.shared.p(id));
}
