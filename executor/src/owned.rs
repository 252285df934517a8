//! Every live G of a runtime (Go: `allgs`), so that dropping the runtime
//! can drop every unfinished future. Sharded by goid; each shard is an
//! intrusive list through the G headers, guarded by its mutex.
//!
//! *Deviation*: Go's `allgs` only grows (dead Gs stay, for reuse); here a G
//! leaves when it completes, and its memory is reused through the free
//! lists instead (`gfree`).

use crate::task::{Links, TaskPtr};
use gort_sync::{Mutex, lock};

pub(crate) struct Owned {
    shards: Box<[Mutex<Shard>]>,
}

#[derive(Default)]
struct Shard {
    head: Option<TaskPtr>,
    len: usize,
    closed: bool,
}

fn links<R>(t: TaskPtr, f: impl FnOnce(&mut Links) -> R) -> R {
    // SAFETY: the links are only touched under the shard lock, which the
    // caller holds.
    t.header().owned.with_mut(|l| f(unsafe { &mut *l }))
}

impl Owned {
    pub(crate) fn new(procs: usize) -> Self {
        let n = (procs * 4).next_power_of_two().clamp(4, 256);
        Owned {
            shards: (0..n).map(|_| Mutex::new(Shard::default())).collect(),
        }
    }

    fn shard(&self, t: TaskPtr) -> &Mutex<Shard> {
        &self.shards[t.header().id as usize % self.shards.len()]
    }

    /// Adds a new G (with the list's reference); false once the runtime is
    /// shut down.
    pub(crate) fn insert(&self, t: TaskPtr) -> bool {
        let mut s = lock(self.shard(t));
        if s.closed {
            return false;
        }
        let old = s.head.replace(t);
        links(t, |l| {
            *l = Links {
                prev: None,
                next: old,
                linked: true,
            }
        });
        if let Some(o) = old {
            links(o, |l| l.prev = Some(t));
        }
        s.len += 1;
        true
    }

    /// Removes a finished G; true if it was listed (its reference is then
    /// the caller's to drop).
    pub(crate) fn remove(&self, t: TaskPtr) -> bool {
        let mut s = lock(self.shard(t));
        let Links { prev, next, linked } = links(t, core::mem::take);
        if !linked {
            return false;
        }
        match prev {
            Some(p) => links(p, |l| l.next = next),
            None => s.head = next,
        }
        if let Some(n) = next {
            links(n, |l| l.prev = prev);
        }
        s.len -= 1;
        true
    }

    /// Closes every shard and takes every G out, with its reference.
    pub(crate) fn close_and_drain(&self) -> Vec<TaskPtr> {
        let mut all = Vec::new();
        for shard in self.shards.iter() {
            let mut s = lock(shard);
            s.closed = true;
            let mut cur = s.head.take();
            while let Some(t) = cur {
                cur = links(t, core::mem::take).next;
                all.push(t);
            }
            s.len = 0;
        }
        all
    }

    /// Live Gs (Go: `gcount`).
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).len).sum()
    }
}
