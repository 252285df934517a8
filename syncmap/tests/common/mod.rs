//! Shared by the integration tests: a value that counts its live copies.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Counts how many [`Counted`] values of one test are alive.
#[derive(Clone, Debug, Default)]
pub struct Census(Arc<AtomicI64>);

impl Census {
    pub fn new() -> Self {
        Self::default()
    }

    /// A new counted value carrying `id`.
    pub fn make(&self, id: u64) -> Counted {
        self.0.fetch_add(1, Ordering::Relaxed);
        Counted {
            id,
            census: self.clone(),
        }
    }

    /// Values created (including clones) and not yet dropped.
    pub fn live(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A value whose creations, clones and drops are counted by its [`Census`].
#[derive(Debug)]
pub struct Counted {
    pub id: u64,
    census: Census,
}

impl Clone for Counted {
    fn clone(&self) -> Self {
        self.census.make(self.id)
    }
}

impl PartialEq for Counted {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let before = self.census.0.fetch_sub(1, Ordering::Relaxed);
        assert!(before > 0, "a value was dropped more often than made");
    }
}
