//! Sorted, coalesced address ranges: the part of runtime/mranges.go the
//! page allocator uses (`addrRange`, and `addrRanges` for `pageAlloc.inUse`).
//!
//! Deviations: offset addresses are plain addresses (see `layout`); the
//! backing array comes from [`crate::os::sys_alloc`] instead of
//! `persistentalloc`, so it is a whole number of OS pages (the first one
//! holds 256 ranges where Go starts with 16), and a replaced array is given
//! back to the OS where Go leaks it. Growing the array can fail: callers
//! first call [`AddrRanges::reserve_one`] so that [`AddrRanges::add`] never
//! has to allocate.

use crate::throw::{check, throw};
use core::{mem, ptr, slice};

use crate::os;

/// Port of `addrRange`: the addresses `[base, limit)`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(super) struct AddrRange {
    pub(super) base: usize,
    pub(super) limit: usize,
}

impl AddrRange {
    /// Port of `makeAddrRange` (the same-segment check is moot with a zero
    /// arena offset).
    #[inline]
    pub(super) const fn new(base: usize, limit: usize) -> AddrRange {
        AddrRange { base, limit }
    }

    /// Port of `addrRange.size`: bytes covered, 0 if empty.
    #[inline]
    pub(super) const fn size(self) -> usize {
        self.limit.saturating_sub(self.base)
    }

    /// Port of `addrRange.contains`.
    #[inline]
    pub(super) const fn contains(self, addr: usize) -> bool {
        self.base <= addr && addr < self.limit
    }

    /// Port of `addrRange.subtract`: `self` without its overlap with `b`.
    /// `b` may cover `self`, overlap one end of it, or miss it; `b` strictly
    /// inside `self` would split it, an invariant violation.
    pub(super) fn subtract(mut self, b: AddrRange) -> AddrRange {
        if b.base <= self.base && self.limit <= b.limit {
            return AddrRange::default();
        } else if self.base < b.base && b.limit < self.limit {
            throw!("pagealloc: bad prune: {b:x?} splits {self:x?}");
        } else if b.limit < self.limit && self.base < b.limit {
            self.base = b.limit;
        } else if self.base < b.base && b.base < self.limit {
            self.limit = b.base;
        }
        self
    }
}

/// Port of `addrRanges`: non-overlapping ranges sorted by base, merged
/// with their neighbours whenever they touch.
#[derive(Debug)]
pub(super) struct AddrRanges {
    ptr: *mut AddrRange,
    len: usize,
    cap: usize,
    /// Go's `totalBytes`.
    total_bytes: usize,
}

impl AddrRanges {
    /// An empty set with no backing array yet (Go's `init` allocates one;
    /// here that waits for the first [`AddrRanges::reserve_one`]).
    pub(super) const fn new() -> AddrRanges {
        AddrRanges {
            ptr: ptr::null_mut(),
            len: 0,
            cap: 0,
            total_bytes: 0,
        }
    }

    /// The ranges, sorted by base.
    #[inline]
    pub(super) fn ranges(&self) -> &[AddrRange] {
        if self.cap == 0 {
            return &[];
        }
        // SAFETY: `ptr` points to `cap` slots of a live mapping owned by
        // `self`, the first `len` of which are initialized.
        unsafe { slice::from_raw_parts(self.ptr, self.len) }
    }

    #[cfg(test)]
    /// Bytes covered by all ranges.
    #[inline]
    pub(super) fn total_bytes(&self) -> usize {
        self.total_bytes
    }

    /// Port of `addrRanges.findSucc`: the first index whose range has a
    /// base above `addr`.
    pub(super) fn find_succ(&self, addr: usize) -> usize {
        let r = self.ranges();
        // Binary search while many candidates are left, then scan.
        const ITER_MAX: usize = 8;
        let (mut bot, mut top) = (0, r.len());
        while top - bot > ITER_MAX {
            let i = (bot + top) / 2;
            if r[i].contains(addr) {
                return i + 1;
            }
            if addr < r[i].base {
                top = i;
            } else {
                bot = i + 1;
            }
        }
        (bot..top).find(|&i| addr < r[i].base).unwrap_or(top)
    }

    /// Port of `addrRanges.findAddrGreaterEqual`: the lowest covered
    /// address at or above `addr`, if any. The set must not be empty.
    pub(super) fn find_addr_greater_equal(&self, addr: usize) -> Option<usize> {
        let r = self.ranges();
        let i = self.find_succ(addr);
        if i == 0 {
            return Some(r[0].base);
        }
        if r[i - 1].contains(addr) {
            return Some(addr);
        }
        if i < r.len() {
            return Some(r[i].base);
        }
        None
    }

    #[cfg(test)]
    /// Port of `addrRanges.contains`.
    pub(super) fn contains(&self, addr: usize) -> bool {
        let i = self.find_succ(addr);
        i != 0 && self.ranges()[i - 1].contains(addr)
    }

    /// Makes sure one more range fits without allocating; false if the OS
    /// refused memory (then nothing changed).
    pub(super) fn reserve_one(&mut self) -> bool {
        if self.len < self.cap {
            return true;
        }
        let want = (self.cap * 2).max(16);
        let bytes = super::layout::align_up(want * mem::size_of::<AddrRange>(), os::PHYS_PAGE_SIZE);
        let p = os::sys_alloc(bytes).cast::<AddrRange>();
        if p.is_null() {
            return false;
        }
        if self.cap != 0 {
            // SAFETY: the old array holds `len` initialized ranges; the new
            // one is a fresh, larger mapping, so the two do not overlap.
            unsafe { ptr::copy_nonoverlapping(self.ptr, p, self.len) };
            // SAFETY: the old array came from `sys_alloc` with this size and
            // nothing refers to it any more.
            unsafe { os::sys_free(self.ptr.cast(), self.bytes()) };
        }
        self.ptr = p;
        self.cap = bytes / mem::size_of::<AddrRange>();
        true
    }

    fn bytes(&self) -> usize {
        self.cap * mem::size_of::<AddrRange>()
    }

    /// Port of `addrRanges.add`: inserts `r`, which must be non-empty and
    /// must not overlap the set, merging it with neighbours it touches.
    /// If it needs a new slot, [`AddrRanges::reserve_one`] must have made
    /// room (an invariant violation otherwise).
    pub(super) fn add(&mut self, r: AddrRange) {
        check!(
            r.size() != 0,
            "pagealloc: attempted to add zero-sized address range {r:x?}"
        );
        let i = self.find_succ(r.base);
        let len = self.len;
        let down = i > 0 && self.ranges()[i - 1].limit == r.base;
        let up = i < len && r.limit == self.ranges()[i].base;
        if down || up {
            // SAFETY: `ptr` holds `len` initialized ranges owned by `self`.
            let rs = unsafe { slice::from_raw_parts_mut(self.ptr, len) };
            if down && up {
                rs[i - 1].limit = rs[i].limit;
                rs.copy_within(i + 1.., i);
                self.len -= 1;
            } else if down {
                rs[i - 1].limit = r.limit;
            } else {
                rs[i].base = r.base;
            }
        } else {
            check!(
                len < self.cap,
                "pagealloc: addrRanges.add without reserve_one"
            );
            // SAFETY: `len < cap`, so slots `[0, len]` lie in the mapping;
            // shifting `[i, len)` up by one stays inside it.
            unsafe {
                ptr::copy(self.ptr.add(i), self.ptr.add(i + 1), len - i);
                self.ptr.add(i).write(r);
            }
            self.len += 1;
        }
        self.total_bytes += r.size();
    }
}

impl Drop for AddrRanges {
    fn drop(&mut self) {
        if self.cap != 0 {
            // SAFETY: the array came from `sys_alloc` with this size and is
            // dropped with its owner.
            unsafe { os::sys_free(self.ptr.cast(), self.bytes()) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(a: &mut AddrRanges, base: usize, limit: usize) {
        assert!(a.reserve_one());
        a.add(AddrRange::new(base, limit));
    }

    #[test]
    fn subtract() {
        let a = AddrRange::new(10, 20);
        assert_eq!(a.subtract(AddrRange::new(0, 30)).size(), 0);
        assert_eq!(a.subtract(AddrRange::new(5, 15)), AddrRange::new(15, 20));
        assert_eq!(a.subtract(AddrRange::new(15, 25)), AddrRange::new(10, 15));
        assert_eq!(a.subtract(AddrRange::new(30, 40)), a);
        assert_eq!(a.subtract(AddrRange::new(0, 0)), a);
    }

    #[test]
    #[should_panic(expected = "bad prune")]
    fn subtract_split_panics() {
        AddrRange::new(10, 20).subtract(AddrRange::new(12, 14));
    }

    #[test]
    fn add_coalesces_and_grows() {
        let mut a = AddrRanges::new();
        assert_eq!(a.find_succ(5), 0);
        add(&mut a, 100, 200);
        add(&mut a, 300, 400);
        add(&mut a, 200, 300); // joins both neighbours
        assert_eq!(a.ranges(), &[AddrRange::new(100, 400)]);
        add(&mut a, 50, 100); // joins upward
        add(&mut a, 400, 450); // joins downward
        add(&mut a, 10, 20);
        add(&mut a, 1000, 2000);
        assert_eq!(
            a.ranges(),
            &[
                AddrRange::new(10, 20),
                AddrRange::new(50, 450),
                AddrRange::new(1000, 2000)
            ]
        );
        assert_eq!(a.total_bytes(), 10 + 400 + 1000);
        assert_eq!(a.find_addr_greater_equal(0), Some(10));
        assert_eq!(a.find_addr_greater_equal(30), Some(50));
        assert_eq!(a.find_addr_greater_equal(60), Some(60));
        assert_eq!(a.find_addr_greater_equal(2000), None);
        assert!(a.contains(449) && !a.contains(450) && !a.contains(9));

        // Many disjoint ranges force the array to grow more than once.
        let mut b = AddrRanges::new();
        for k in (0..600).rev() {
            add(&mut b, 10 * k + 1, 10 * k + 5);
        }
        assert_eq!(b.ranges().len(), 600);
        assert!(b.ranges().windows(2).all(|w| w[0].limit < w[1].base));
        for k in 0..600 {
            assert_eq!(b.find_succ(10 * k + 2), k + 1);
            assert_eq!(
                b.find_addr_greater_equal(10 * k + 6),
                (k < 599).then(|| 10 * k + 11)
            );
        }
    }
}
