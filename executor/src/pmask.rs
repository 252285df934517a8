//! Go's `pMask`: one bit per P, read without the scheduler lock
//! (`idlepMask`: which Ps are idle).

use crate::shared::MAX_PROCS;
use gort_sync::{AtomicU32, Ordering::*};

pub(crate) struct PMask(Box<[AtomicU32]>);

impl PMask {
    pub(crate) fn new() -> Self {
        PMask(
            (0..MAX_PROCS.div_ceil(32))
                .map(|_| AtomicU32::new(0))
                .collect(),
        )
    }

    /// Go: `pMask.read`.
    pub(crate) fn read(&self, id: usize) -> bool {
        self.0[id / 32].load(Acquire) & (1 << (id % 32)) != 0
    }

    /// Go: `pMask.set`.
    pub(crate) fn set(&self, id: usize) {
        self.0[id / 32].fetch_or(1 << (id % 32), AcqRel);
    }

    /// Go: `pMask.clear`.
    pub(crate) fn clear(&self, id: usize) {
        self.0[id / 32].fetch_and(!(1 << (id % 32)), AcqRel);
    }
}
