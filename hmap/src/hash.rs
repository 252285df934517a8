//! Hashing a key: the map's `BuildHasher`, then the per-map seed.
//!
//! Go passes the seed `hash0` into its hash function. A generic
//! `BuildHasher` cannot be re-keyed, so the seed is mixed into its output
//! with one folded multiply (the 128-bit product of `hash ^ seed` and an odd
//! constant, high half xor low half). That spreads every bit of the hash into
//! the low bits that choose the bucket and the high bits that make the
//! tophash, so a new seed (Go reseeds on `clear` and when a delete empties
//! the map) moves entries to new buckets even under a weak or unkeyed
//! hasher.

use core::hash::{BuildHasher, Hash};

/// An odd constant with no structure (the fractional digits of pi).
const MIX: u64 = 0x243f_6a88_85a3_08d3;

/// The hash the map uses for `key`.
#[inline]
pub(crate) fn make_hash<Q: Hash + ?Sized, S: BuildHasher>(s: &S, seed: u64, key: &Q) -> u64 {
    let m = u128::from(s.hash_one(key) ^ seed) * u128::from(MIX);
    (m as u64) ^ ((m >> 64) as u64)
}
