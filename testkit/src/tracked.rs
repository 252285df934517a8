//! Values whose creations and drops are counted, to prove that a container
//! loses, duplicates and leaks nothing.

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Counts the [`Tracked`] values of one test: made (clones included),
/// dropped, alive, and how often each id was dropped.
///
/// ```
/// let t = gort_testkit::Tracker::new();
/// let a = t.make(1);
/// let b = a.clone();
/// drop((a, b));
/// assert_eq!(t.live(), 0);
/// assert_eq!(t.drops_of(1), 2);
/// ```
#[derive(Default)]
pub struct Tracker {
    created: AtomicUsize,
    dropped: AtomicUsize,
    live: AtomicIsize,
    /// Drops per id.
    drops: Mutex<HashMap<u64, u32>>,
}

impl Tracker {
    /// A fresh tracker.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// A new value with id `id`.
    pub fn make(self: &Arc<Self>, id: u64) -> Tracked {
        self.created.fetch_add(1, Ordering::SeqCst);
        self.live.fetch_add(1, Ordering::SeqCst);
        Tracked {
            id,
            tracker: self.clone(),
        }
    }

    /// Values made and not yet dropped.
    pub fn live(&self) -> isize {
        self.live.load(Ordering::SeqCst)
    }

    /// Values made (clones included).
    pub fn created(&self) -> usize {
        self.created.load(Ordering::SeqCst)
    }

    /// Values dropped.
    pub fn dropped(&self) -> usize {
        self.dropped.load(Ordering::SeqCst)
    }

    /// How often values with id `id` were dropped.
    pub fn drops_of(&self, id: u64) -> u32 {
        let drops = self.drops.lock().unwrap_or_else(|e| e.into_inner());
        drops.get(&id).copied().unwrap_or(0)
    }

    /// How many distinct ids were dropped at least once.
    pub fn ids_dropped(&self) -> usize {
        self.drops.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Every id in `ids` was dropped exactly once.
    pub fn assert_each_dropped_once(&self, ids: impl IntoIterator<Item = u64>) {
        for id in ids {
            let n = self.drops_of(id);
            assert_eq!(n, 1, "value {id} dropped {n} times");
        }
    }

    /// No id was dropped more than once.
    pub fn assert_none_dropped_twice(&self) {
        let drops = self.drops.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((id, n)) = drops.iter().find(|&(_, &n)| n > 1) {
            panic!("value {id} dropped {n} times");
        }
    }
}

impl fmt::Debug for Tracker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tracker")
            .field("created", &self.created())
            .field("dropped", &self.dropped())
            .field("live", &self.live())
            .finish()
    }
}

/// A value whose drop is counted by its [`Tracker`]. Clones count as new
/// values with the same id; equality and hashing use the id.
pub struct Tracked {
    /// The id it was made with.
    pub id: u64,
    tracker: Arc<Tracker>,
}

impl Clone for Tracked {
    fn clone(&self) -> Self {
        self.tracker.make(self.id)
    }
}

impl PartialEq for Tracked {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Tracked {}

impl Hash for Tracked {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl fmt::Debug for Tracked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tracked({})", self.id)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let before = self.tracker.live.fetch_sub(1, Ordering::SeqCst);
        self.tracker.dropped.fetch_add(1, Ordering::SeqCst);
        *self
            .tracker
            .drops
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(self.id)
            .or_default() += 1;
        assert!(before > 0, "value {} dropped more often than made", self.id);
    }
}
