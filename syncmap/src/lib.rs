//! Go's `sync.Map`, ported from go1.23's `sync/map.go` (the read/dirty design
//! of Go 1.9 to 1.23; Go 1.24 replaced it with a hash trie).
//!
//! | Go (`sync.Map`) | gort-syncmap |
//! |---|---|
//! | `var m sync.Map` | `let m = SyncMap::new();` |
//! | `m.Load(k)` | `m.load(&k)` (`load_with(&k, f)` borrows instead of cloning) |
//! | `m.Store(k, v)`, `m.Swap(k, v)` | `m.store(k, v)`, `m.swap(k, v)` |
//! | `m.LoadOrStore(k, v)` | `m.load_or_store(k, v)`: `(value, loaded)` |
//! | `m.LoadAndDelete(k)`, `m.Delete(k)` | `m.load_and_delete(&k)`, `m.delete(&k)` |
//! | `m.CompareAndSwap(k, old, new)`, `m.CompareAndDelete(k, old)` | `m.compare_and_swap(&k, &old, new)`, `m.compare_and_delete(&k, &old)` |
//! | `m.Range(f)`, `m.Clear()` | `m.range(\|k, v\| ..)`, `m.clear()` |
//!
//! ```
//! use gort_syncmap::SyncMap;
//!
//! let cache: SyncMap<String, u64> = SyncMap::new();
//! std::thread::scope(|s| {
//!     for t in 0..2 {
//!         let cache = &cache;
//!         s.spawn(move || {
//!             for i in 0..100 {
//!                 // Go: cache.LoadOrStore(key, value)
//!                 let (v, _loaded) = cache.load_or_store(format!("k{i}"), i);
//!                 assert_eq!(v, i);
//!                 assert_eq!(cache.load(&format!("k{i}")), Some(i));
//!             }
//!             let _ = t;
//!         });
//!     }
//! });
//! let mut n = 0;
//! cache.range(|_, _| {
//!     n += 1;
//!     true
//! });
//! assert_eq!(n, 100);
//! ```
//!
//! # The design (Go's)
//!
//! A [`SyncMap`] is built for two uses, as Go's is: keys written once and
//! read many times (caches that only grow), and threads that read and write
//! disjoint sets of keys. It keeps two tables:
//!
//! - the **read map**, published atomically and never modified once
//!   published: loads of its keys take no lock;
//! - the **dirty map**, behind a mutex: it holds every live entry of the read
//!   map plus the keys stored since, and `amended` in the read map says
//!   whether it has such new keys.
//!
//! Both tables point to the same per-key *entries*. An entry's value pointer
//! is null (deleted), `expunged` (deleted and left out of the dirty map) or a
//! value, all in one atomic, so stores and deletes of keys already in the
//! read map are lock-free too. Lookups that miss the read map while it is
//! amended take the mutex and count a miss; once the misses reach the dirty
//! map's length, the dirty map becomes the read map (`missLocked`). The next
//! new key copies the read map into a fresh dirty map, expunging deleted
//! entries (`dirtyLocked`). `range` promotes first if the read map is amended.
//! Each method's docs name the Go function it ports.
//!
//! # Memory reclamation
//!
//! Go leaves replaced values and read maps to its garbage collector. Here:
//!
//! - **Pinning.** Each operation pins the read map it starts from and keeps
//!   the pin until it returns (never longer: no guard escapes a call). The
//!   fast path pins with a *hazard slot* (one SeqCst store into a slot only
//!   the calling thread writes, one plain store to clear it); a thread nested
//!   deeper than 8 operations, and the locked paths, use an `arc-swap` guard
//!   instead. An arc-swap guard costs two atomic read-modify-writes (taking and
//!   paying back a debt slot); on the reference machine (2 cores, an `xchg`
//!   costs about 5 ns) that is 12 ns, against 2 ns for the hash lookup it
//!   protects, which is why the hot path has its own slots. Neither writes a
//!   cache line another thread writes.
//! - **Read maps** are published through `arc-swap` under the mutex. A
//!   replaced one waits in a limbo list (under the mutex) until no hazard slot
//!   holds it, then is dropped; arc-swap guards keep theirs alive as `Arc`s.
//! - **Values** are boxed. A value unlinked from its entry (store, swap,
//!   delete, compare-and-swap) may still be read by a pinned reader, so it is
//!   *retired*: pushed onto the published read map (checked to be published
//!   *after* the unlink, in the SeqCst order), and dropped when that read map
//!   is. Each published read map holds a strong link to the one published
//!   after it, so a read map outlives every older one, and with them every
//!   pin that could have seen its retired values. A read map keeps 4 stacks
//!   of retired values (threads spread over them, so concurrent writers do
//!   not share a cache line); when one reaches 64 values the retirer
//!   republishes the read map (same table), so garbage stays bounded when
//!   only values change. A value still in its entry is dropped with the
//!   entry.
//!
//! Nothing is dropped with the mutex held: replaced read maps, entries taken
//! out of the dirty map, unused keys and values are kept until after
//! unlocking, so a value's `Drop` may call back into the map.
//!
//! # Bounds, and why
//!
//! | bound | needed by | because |
//! |---|---|---|
//! | `K: Eq + Hash` | every lookup | it is a hash map |
//! | `K: Clone` | `store`, `swap`, `load_or_store` (and `SyncSet::insert`) | a new key may need a new dirty map, a copy of the read map's keys (Go copies its `map[any]*entry`; the read map is immutable, so the keys are cloned) |
//! | `V: Clone` | `load`, `swap`, `load_and_delete`, `load_or_store` | a value is shared with lock-free readers that may still be reading it, so it cannot be moved out; `load_with` and `load_or_store_with` borrow instead |
//! | `V: PartialEq` | `compare_and_swap`, `compare_and_delete` | Go requires a comparable old value |
//! | `S: BuildHasher` | every method with a key | the key is hashed once per call |
//! | `K, V, S: Send + Sync` | `SyncMap: Send + Sync` | values are read by reference from any thread and dropped on any thread |
//!
//! # Hostile user code
//!
//! - A key's `Hash` runs once per call, before the map takes its mutex
//!   (the tables store each key's hash and never rehash user keys). `Eq` and
//!   `Clone` of keys run under the mutex only before a change they could
//!   interrupt, or (`dirtyLocked`'s copy) behind a guard that undoes it. So a
//!   panic there leaves the map as if the call never happened, and the mutex
//!   is never left poisoned in a way that matters.
//! - Values are compared, cloned and dropped only outside the mutex; a
//!   value's `Drop`, and `range` and `load_with` callbacks, may call any
//!   method of the same map.
//! - `Hash`, `Eq`, `Clone` or `Drop` of *keys* calling back into the same map
//!   is not supported (as in Go).
//!
//! # Deviations from Go
//!
//! - Values are returned as clones (or borrowed through `load_with`) and the
//!   key is hashed once per call (Go hashes at each table access).
//! - `Clear` replaces the dirty map by an empty one instead of clearing it in
//!   place (the old entries are dropped after unlocking).
//! - A new key's entry is created deleted and filled by the shared store step
//!   (Go creates it filled); nobody can see it in between (it is reachable
//!   only under the mutex).
//! - `unexpungeLocked` is followed by the dirty-map insertion in the other
//!   order (insert, then unexpunge), so a panicking `Eq` cannot leave an
//!   unexpunged entry outside the dirty map; nobody sees the difference.
//! - The locked halves of `CompareAndSwap` and `CompareAndDelete` compare
//!   the value after unlocking (the entry CAS decides, as in Go), so user
//!   `PartialEq` never runs under the mutex.
//! - Replaced values and read maps are reclaimed as described above instead
//!   of by a garbage collector.
#![deny(unsafe_op_in_unsafe_fn)]

mod arc_cell;
mod entry;
mod hashed;
mod hazard;
mod locked;
mod map;
mod reclaim;
mod set;
use gort_sync as sync;
mod traits;

pub use map::SyncMap;
pub use set::SyncSet;
