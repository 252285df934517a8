//! Test hooks: the table's shape and a full invariant check (the `emptyRest`
//! rule of Go's `MapTombstoneCheck`, placement of every entry, evacuation
//! state, count). Reached through `HMap`'s hidden methods; the map never
//! calls them itself.

use super::{ChainCursor, RawTable};
use crate::bucket::BucketPtr;
use crate::tophash::{BUCKET_CNT, EMPTY_ONE, EMPTY_REST, MIN_TOP_HASH, evacuated, tophash};

/// The shape of a table, for tests (hidden from the docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stats {
    /// Live entries.
    pub count: usize,
    /// `log2` of the number of buckets (Go's `B`).
    pub b: u8,
    /// Whether the bucket array has been allocated.
    pub allocated: bool,
    /// Whether a growth is in progress.
    pub growing: bool,
    /// Whether the growth in progress keeps the size.
    pub same_size_grow: bool,
    /// Go's `nevacuate`.
    pub nevacuate: usize,
    /// Go's `noverflow`.
    pub noverflow: u16,
    /// Old buckets evacuated since the table was made.
    pub evacuations: u64,
    /// Steps of large arrays populated ahead of a doubling since the table
    /// was made (see `pages.rs`).
    pub populate_steps: u64,
    /// Steps of old arrays given back since the table was made (the last
    /// step of each array also frees it).
    pub release_steps: u64,
    /// The next doubling's array, if allocated: (steps populated, steps).
    pub reserve: Option<(usize, usize)>,
    /// The last growth's old array while it is given back: (steps
    /// released, steps).
    pub retiring: Option<(usize, usize)>,
    /// Steps of the old array given back during the growth in progress.
    pub old_released: usize,
}

impl<K, V> RawTable<K, V> {
    pub(crate) fn stats(&self) -> Stats {
        Stats {
            count: self.count,
            b: self.b,
            allocated: self.buckets.is_some(),
            growing: self.growing(),
            same_size_grow: self.same_size_grow,
            nevacuate: self.nevacuate,
            noverflow: self.noverflow,
            evacuations: self.evacuations(),
            populate_steps: self.paging.populate_steps,
            release_steps: self.paging.release_steps,
            reserve: self.reserve_progress(),
            retiring: self.retiring_progress(),
            old_released: self.paging.old_released,
        }
    }

    /// Checks every invariant of the table; `hasher` must be the map's.
    pub(crate) fn check(&self, hasher: impl Fn(&K) -> u64) -> Result<(), String> {
        let Some(base) = self.buckets else {
            return if self.count == 0 {
                Ok(())
            } else {
                Err("entries without buckets".into())
            };
        };
        let mut live = 0;
        if let Some(old) = self.oldbuckets {
            if self.nevacuate >= self.noldbuckets() {
                return Err(format!("nevacuate {} past the old array", self.nevacuate));
            }
            for ob in 0..self.noldbuckets() {
                if self.old_bucket_released(ob) {
                    continue;
                }
                // SAFETY: `ob` indexes the live old array, in a unit not
                // given back.
                let head = unsafe { old.add(ob) };
                // SAFETY: as above.
                let g = unsafe { head.group() }.0.to_le_bytes();
                if evacuated(g[0]) {
                    // SAFETY: as above.
                    if g.iter().any(|&t| !evacuated(t)) || unsafe { head.overflow() }.is_some() {
                        return Err(format!("old bucket {ob}: half-evacuated"));
                    }
                } else {
                    if ob < self.nevacuate {
                        return Err(format!(
                            "old bucket {ob} below nevacuate {} not evacuated",
                            self.nevacuate
                        ));
                    }
                    let x = ob;
                    let y = if self.same_size_grow {
                        ob
                    } else {
                        ob + self.noldbuckets()
                    };
                    for j in [x, y] {
                        // SAFETY: `j` indexes the live current array.
                        let nb = unsafe { base.add(j) };
                        // SAFETY: as above.
                        if unsafe { nb.group() }.0 != 0 || unsafe { nb.overflow() }.is_some() {
                            return Err(format!(
                                "new bucket {j} filled before old bucket {ob} was evacuated"
                            ));
                        }
                    }
                }
            }
        }
        let mut cursor = ChainCursor::default();
        while let Some(chain) = cursor.next(self) {
            let in_old = Some(chain.base) == self.oldbuckets;
            let mask = if in_old {
                self.oldbucketmask()
            } else {
                self.mask()
            };
            let index =
                (chain.head.addr() - chain.base.addr()) / crate::bucket::Shape::<K, V>::SIZE;
            live += check_chain(chain.head, |key, top| {
                let h = hasher(key);
                if h as usize & mask != index {
                    return Err(format!(
                        "entry in bucket {index} (old: {in_old}) hashes to {}",
                        h as usize & mask
                    ));
                }
                if tophash(h) != top {
                    return Err(format!(
                        "tophash {top} of an entry whose hash gives {}",
                        tophash(h)
                    ));
                }
                Ok(())
            })?;
        }
        if live != self.count {
            return Err(format!("count {} but {live} live slots", self.count));
        }
        Ok(())
    }
}

/// Checks one chain: Go's tombstone rule (live and `emptyOne` slots first,
/// then only `emptyRest`, the last non-`emptyRest` slot never `emptyOne`), no
/// evacuation mark, and `entry` on every live slot. Returns the live count.
fn check_chain<K, V>(
    head: BucketPtr<K, V>,
    mut entry: impl FnMut(&K, u8) -> Result<(), String>,
) -> Result<usize, String> {
    let mut tops = Vec::new();
    let mut b = Some(head);
    while let Some(c) = b {
        for i in 0..BUCKET_CNT {
            // SAFETY: live chain, `i < 8`; a live slot holds a key.
            unsafe {
                let top = c.top(i);
                if top >= MIN_TOP_HASH {
                    entry(&*c.key(i), top)?;
                }
                tops.push(top);
            }
        }
        if tops.len() > 1 << 24 {
            return Err("overflow chain loops".into());
        }
        // SAFETY: live chain.
        b = unsafe { c.overflow() };
    }
    let n = tops
        .iter()
        .rposition(|&t| t != EMPTY_REST)
        .map_or(0, |p| p + 1);
    if tops[..n].contains(&EMPTY_REST) {
        return Err(format!("early emptyRest in {tops:?}"));
    }
    if n > 0 && tops[n - 1] == EMPTY_ONE {
        return Err(format!("last non-emptyRest slot is emptyOne in {tops:?}"));
    }
    if tops.iter().any(|&t| evacuated(t)) {
        return Err(format!("evacuation mark in a live chain: {tops:?}"));
    }
    Ok(tops.iter().filter(|&&t| t >= MIN_TOP_HASH).count())
}
