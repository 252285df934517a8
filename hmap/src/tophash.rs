//! Go's tophash byte (runtime/map.go) and word-at-a-time matching of the 8
//! tophash bytes of a bucket.
//!
//! Every slot of a bucket has one tophash byte. Values below [`MIN_TOP_HASH`]
//! are states; a live entry stores the top 8 bits of its hash, lifted to at
//! least `MIN_TOP_HASH`. Go tests the bytes one at a time; here the 8 bytes of
//! a bucket are loaded as one little-endian `u64` (a [`Group`]) and each query
//! answers for all 8 slots at once with exact per-byte arithmetic (no false
//! positives: no carry ever crosses a byte).

/// Slots per bucket. Port of `abi.MapBucketCount`.
pub(crate) const BUCKET_CNT: usize = 8;

/// This slot is empty, and so is every later slot of this bucket and of its
/// overflow chain. Zero, so a zeroed bucket array is empty. Port of `emptyRest`.
pub(crate) const EMPTY_REST: u8 = 0;
/// This slot is empty. Port of `emptyOne`.
pub(crate) const EMPTY_ONE: u8 = 1;
/// The entry moved to the low half (X) of the new table. Port of `evacuatedX`.
pub(crate) const EVACUATED_X: u8 = 2;
/// The entry moved to the high half (Y); `EVACUATED_X + 1`. Port of `evacuatedY`.
pub(crate) const EVACUATED_Y: u8 = 3;
/// The slot was empty when its bucket was evacuated. Port of `evacuatedEmpty`.
pub(crate) const EVACUATED_EMPTY: u8 = 4;
/// The smallest tophash of a live entry. Port of `minTopHash`.
pub(crate) const MIN_TOP_HASH: u8 = 5;

/// The tophash of `hash`: its top 8 bits, moved out of the state range.
/// Port of `tophash`.
#[inline]
pub(crate) fn tophash(hash: u64) -> u8 {
    let top = (hash >> 56) as u8;
    if top < MIN_TOP_HASH {
        top + MIN_TOP_HASH
    } else {
        top
    }
}

/// Whether a bucket whose slot 0 has this tophash has been evacuated (Go
/// decides it from the first slot alone). Port of `evacuated`.
#[inline]
pub(crate) fn evacuated(top0: u8) -> bool {
    top0 > EMPTY_ONE && top0 < MIN_TOP_HASH
}

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGH: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// The 8 tophash bytes of one bucket, slot `i` in byte `i` (little-endian).
#[derive(Clone, Copy)]
pub(crate) struct Group(pub(crate) u64);

impl Group {
    /// Every slot `evacuatedEmpty`: an evacuated bucket that held nothing.
    pub(crate) const ALL_EVACUATED_EMPTY: Group = Group(ONES * EVACUATED_EMPTY as u64);

    /// High bit of each byte whose value is below `n` (`1 <= n <= 0x80`).
    /// `(b & 0x7f) + (0x80 - n)` stays below 0x100, so no carry leaves a byte.
    #[inline]
    fn below(self, n: u8) -> BitMask {
        let add = ONES * u64::from(0x80 - n);
        BitMask(!(((self.0 & LOW7) + add) | self.0) & HIGH)
    }

    /// Slots whose tophash equals `top` (at least `minTopHash`), plus rare
    /// false hits: the classic zero-byte test (3 operations instead of the
    /// exact test's 5) lets a borrow from a true match flag the next byte
    /// when that byte equals `top ^ 1`. Such a byte is at least
    /// `evacuatedEmpty`, which never occurs in a chain that is searched
    /// (marks exist only in evacuated old buckets), so a false hit is a live
    /// slot: the caller compares its key, which costs a comparison and is
    /// never wrong.
    #[inline]
    pub(crate) fn match_top(self, top: u8) -> BitMask {
        let x = self.0 ^ (ONES * u64::from(top));
        BitMask(x.wrapping_sub(ONES) & !x & HIGH)
    }

    /// Empty slots (`emptyRest` or `emptyOne`). Port of `isEmpty`.
    #[inline]
    pub(crate) fn match_empty(self) -> BitMask {
        self.below(EMPTY_ONE + 1)
    }

    /// Whether the search of a chain ends at this bucket: Go stops at the
    /// first `emptyRest` slot, and since every slot after an `emptyRest` one
    /// is `emptyRest` too (the invariant `mapdelete` maintains), a bucket has
    /// an `emptyRest` slot exactly when its last slot is one. One comparison
    /// instead of a scan.
    #[inline]
    pub(crate) fn ends_chain(self) -> bool {
        (self.0 >> (8 * (BUCKET_CNT - 1))) as u8 == EMPTY_REST
    }

    /// Slots that hold a live entry (tophash at least `minTopHash`).
    #[inline]
    pub(crate) fn match_full(self) -> BitMask {
        BitMask(!self.below(MIN_TOP_HASH).0 & HIGH)
    }
}

/// A set of slots: the high bit of byte `i` stands for slot `i`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct BitMask(pub(crate) u64);

impl BitMask {
    /// The lowest slot in the set.
    #[inline]
    pub(crate) fn first(self) -> Option<usize> {
        if self.0 == 0 {
            None
        } else {
            Some(self.0.trailing_zeros() as usize / 8)
        }
    }

    /// The set with its slots renumbered so that slot `offset` comes first
    /// (Go's iteration order `(i + offset) & 7`).
    #[inline]
    pub(crate) fn rotate(self, offset: u8) -> BitMask {
        BitMask(self.0.rotate_right(u32::from(offset) * 8))
    }
}

impl Iterator for BitMask {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        let i = self.first()?;
        self.0 &= self.0 - 1;
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow(bytes: [u8; 8], f: impl Fn(u8) -> bool) -> Vec<usize> {
        (0..8).filter(|&i| f(bytes[i])).collect()
    }

    #[test]
    fn group_queries_are_exact_for_every_byte_value() {
        // Every byte value at every position, next to neighbours that would
        // provoke a carry or a borrow in an inexact formula.
        for v in 0..=255u8 {
            for pos in 0..8 {
                for fill in [0u8, 1, 4, 5, 0x7f, 0x80, 0xff, v ^ 1] {
                    let mut bytes = [fill; 8];
                    bytes[pos] = v;
                    let g = Group(u64::from_le_bytes(bytes));
                    for top in [5u8, 6, 0x7f, 0x80, 0xfe, 0xff, v.max(5)] {
                        let want = slow(bytes, |b| b == top);
                        let got: Vec<usize> = g.match_top(top).collect();
                        // Every match is found; any extra hit is a byte equal
                        // to `top ^ 1` above a true match.
                        assert!(want.iter().all(|i| got.contains(i)));
                        for i in got.iter().filter(|i| !want.contains(i)) {
                            assert_eq!(bytes[*i], top ^ 1);
                            assert!(want.iter().any(|w| w < i));
                        }
                    }
                    assert_eq!(
                        g.match_empty().collect::<Vec<_>>(),
                        slow(bytes, |b| b <= EMPTY_ONE)
                    );
                    assert_eq!(g.ends_chain(), bytes[7] == EMPTY_REST);
                    assert_eq!(
                        g.match_full().collect::<Vec<_>>(),
                        slow(bytes, |b| b >= MIN_TOP_HASH)
                    );
                }
            }
        }
    }

    #[test]
    fn tophash_is_never_a_state() {
        for top in 0..=255u64 {
            let t = tophash(top << 56 | 0x1234);
            assert!(t >= MIN_TOP_HASH);
            assert_eq!(u64::from(t), if top < 5 { top + 5 } else { top });
        }
    }

    #[test]
    fn evacuated_states() {
        let states: Vec<u8> = (0..=255u8).filter(|&t| evacuated(t)).collect();
        assert_eq!(states, [EVACUATED_X, EVACUATED_Y, EVACUATED_EMPTY]);
        assert_eq!(EVACUATED_X + 1, EVACUATED_Y);
        assert_eq!(EVACUATED_X ^ 1, EVACUATED_Y);
    }

    #[test]
    fn rotation_gives_go_order() {
        let all = BitMask(HIGH);
        for offset in 0..8u8 {
            let order: Vec<usize> = all
                .rotate(offset)
                .map(|i| (i + offset as usize) & 7)
                .collect();
            let want: Vec<usize> = (0..8).map(|i| (i + offset as usize) & 7).collect();
            assert_eq!(order, want);
        }
    }
}
