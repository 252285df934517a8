//! Keys stored with their hash, so the map's tables never run user `Hash`
//! code.
//!
//! Each operation hashes its key once with the map's `BuildHasher`, before it
//! takes any lock. The read and dirty tables are std `HashMap`s keyed by
//! [`Hashed<K>`], whose `Hash` feeds the stored hash to [`PassThrough`]. So a
//! table that grows or rehashes (under the map's mutex, in `dirtyLocked` and
//! stores of new keys) cannot panic in user code and cannot lose entries
//! (hashbrown drops the entries it was moving when a hasher panics during an
//! in-place rehash).
//!
//! Lookups by a borrowed form `Q` of `K` go through the trait object
//! [`Lookup<Q>`]: both a stored `Hashed<K>` and a [`Probe`] (hash plus `&Q`)
//! view as `dyn Lookup<Q>`, which std's `HashMap::get` accepts through
//! `Borrow`.

use core::borrow::Borrow;
use core::hash::{BuildHasher, Hash, Hasher};
use std::collections::HashMap;

/// A key and its hash under the map's `BuildHasher`.
pub(crate) struct Hashed<K> {
    pub(crate) hash: u64,
    pub(crate) key: K,
}

impl<K> Hash for Hashed<K> {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl<K: Eq> PartialEq for Hashed<K> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.key == other.key
    }
}

impl<K: Eq> Eq for Hashed<K> {}

/// A hash plus a borrowed key: what an operation looks up.
pub(crate) struct Probe<'a, Q: ?Sized> {
    pub(crate) hash: u64,
    pub(crate) key: &'a Q,
}

impl<'a, Q: ?Sized> Probe<'a, Q> {
    /// Hashes `key` with `hasher` (the one call of user `Hash` code per
    /// operation).
    #[inline]
    pub(crate) fn new<S: BuildHasher>(hasher: &S, key: &'a Q) -> Self
    where
        Q: Hash,
    {
        Self {
            hash: hasher.hash_one(key),
            key,
        }
    }

    /// The probe as the lookup key std's `HashMap::get` takes.
    #[inline]
    pub(crate) fn as_lookup(&self) -> &(dyn Lookup<Q> + 'a) {
        self
    }
}

/// A key viewed as its hash and a `&Q`.
pub(crate) trait Lookup<Q: ?Sized> {
    fn hash(&self) -> u64;
    fn key(&self) -> &Q;
}

impl<K: Borrow<Q>, Q: ?Sized> Lookup<Q> for Hashed<K> {
    #[inline]
    fn hash(&self) -> u64 {
        self.hash
    }
    #[inline]
    fn key(&self) -> &Q {
        self.key.borrow()
    }
}

impl<Q: ?Sized> Lookup<Q> for Probe<'_, Q> {
    #[inline]
    fn hash(&self) -> u64 {
        self.hash
    }
    #[inline]
    fn key(&self) -> &Q {
        self.key
    }
}

impl<'a, K: Borrow<Q> + 'a, Q: ?Sized + 'a> Borrow<dyn Lookup<Q> + 'a> for Hashed<K> {
    #[inline]
    fn borrow(&self) -> &(dyn Lookup<Q> + 'a) {
        self
    }
}

impl<Q: ?Sized + Eq> PartialEq for dyn Lookup<Q> + '_ {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl<Q: ?Sized + Eq> Eq for dyn Lookup<Q> + '_ {}

impl<Q: ?Sized> Hash for dyn Lookup<Q> + '_ {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(Lookup::hash(self));
    }
}

/// A hasher that returns the `u64` it was fed: the stored hash.
#[derive(Default)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is ever called (by the two `Hash` impls above);
        // fold anything else in rather than dropping it.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
}

/// The `BuildHasher` of the internal tables.
#[derive(Clone, Copy, Default)]
pub(crate) struct BuildPassThrough;

impl BuildHasher for BuildPassThrough {
    type Hasher = PassThrough;
    #[inline]
    fn build_hasher(&self) -> PassThrough {
        PassThrough(0)
    }
}

/// A table of the map: the read map's and the dirty map's type (Go's
/// `map[any]*entry`).
pub(crate) type Table<K, E> = HashMap<Hashed<K>, E, BuildPassThrough>;
