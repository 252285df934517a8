//! Drop accounting shared by the tests and loom models: a `Ledger` hands out
//! `Tracked` values with ids and counts how often each one is dropped.
#![allow(dead_code)] // each test file uses a part

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// Drop counts for values `0..n`.
pub struct Ledger {
    drops: Vec<AtomicU32>,
}

impl Ledger {
    pub fn new(n: usize) -> Arc<Self> {
        Arc::new(Self {
            drops: (0..n).map(|_| AtomicU32::new(0)).collect(),
        })
    }

    /// The value with id `id`.
    pub fn value(self: &Arc<Self>, id: usize) -> Tracked {
        Tracked {
            id,
            ledger: self.clone(),
        }
    }

    /// How often value `id` has been dropped.
    pub fn drops(&self, id: usize) -> u32 {
        self.drops[id].load(Ordering::SeqCst)
    }

    /// How many values have been dropped (each counted once).
    pub fn dropped(&self) -> usize {
        (0..self.drops.len()).filter(|&i| self.drops(i) > 0).count()
    }

    /// Every value was dropped exactly once.
    pub fn assert_each_dropped_once(&self) {
        for id in 0..self.drops.len() {
            assert_eq!(
                self.drops(id),
                1,
                "value {id} dropped {} times",
                self.drops(id)
            );
        }
    }

    /// No value was dropped more than once.
    pub fn assert_none_dropped_twice(&self) {
        for id in 0..self.drops.len() {
            assert!(
                self.drops(id) <= 1,
                "value {id} dropped {} times",
                self.drops(id)
            );
        }
    }
}

/// A value whose drops are counted in its ledger.
#[derive(Debug)]
pub struct Tracked {
    pub id: usize,
    ledger: Arc<Ledger>,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("values", &self.drops.len())
            .finish()
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.ledger.drops[self.id].fetch_add(1, Ordering::SeqCst);
    }
}
