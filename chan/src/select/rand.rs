//! Go's `cheaprandn` (runtime/rand.go): a uniform number in `[0, n)` from a
//! per-thread wyrand (fastrand's generator is the same wyrand Go uses on
//! 64-bit targets), reduced with Lemire's multiply-shift, not a modulo.

/// Go: `cheaprandn(n)`.
#[cfg(not(gort_loom))]
#[inline]
pub(crate) fn cheaprandn(n: u32) -> u32 {
    ((u64::from(fastrand::u32(..)) * u64::from(n)) >> 32) as u32
}

/// Under loom every execution must replay the same choices, so the poll
/// order is the source order (the models do not cover the shuffle).
#[cfg(gort_loom)]
#[inline]
pub(crate) fn cheaprandn(n: u32) -> u32 {
    n - 1
}
