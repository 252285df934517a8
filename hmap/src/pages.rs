//! How the memory of a large bucket array is faulted in and given back, a
//! bounded step at a time.
//!
//! Go's growth frees the old array through its garbage collector, in the
//! background, and takes a page fault wherever an insert first touches the
//! new one. A Rust map has no background: freeing an 80 MB array that was
//! written all over costs milliseconds in the one insert that ends the
//! growth, and first-touch faults land on random inserts (about 2 µs each
//! on the development VM, on one insert in fifty during a growth). So an
//! array of at least [`PAGED_MIN`] bytes (a *paged* array), still allocated
//! zeroed by the global allocator, is also seen as a row of [`Steps`]:
//!
//! - *populated* ahead of use one step of [`POPULATE_STEP`] bytes at a time
//!   ([`populate`]: `MADV_POPULATE_WRITE`, Linux 5.14+; elsewhere, or when
//!   it fails, by touching every page of the step);
//! - *released* one step of [`RELEASE_STEP`] bytes at a time once no bucket
//!   in it can be read again ([`release`]: `MADV_DONTNEED`, only on whole
//!   pages inside the array, as the first and last may hold the allocator's
//!   bookkeeping; a no-op outside Linux). The array goes back to the
//!   allocator whole when every step is done.
//!
//! Step sizes, measured (`gort-bench` hmap latency table, growing to 4M
//! entries on the 2-vCPU development VM, where a populated page costs about
//! 2 µs and a released one 0.25 µs): every step is one slow insert, so
//! smaller steps put more of them above the 99.99th percentile (1 MiB
//! populate steps raised it from 25–30 to 70–80 µs) and larger ones raise
//! the worst insert (2 MiB: 1.0–1.2 ms; 1.5 MiB: 0.85–0.9 ms; 1.25 MiB:
//! 0.76–0.79 ms).
//!
//! Not done: huge pages. `MADV_HUGEPAGE` on the arrays made a populate step
//! cost 5 ms on the development VM, whose balloon hands freed 2 MiB blocks
//! back to the host (free page reporting), so every huge page was new
//! memory to the host.
//!
//! madvise errors are ignored: the calls are hints or have a fallback.
//! Under Miri every call takes the portable path.

/// Arrays of at least this many bytes are paged.
pub(crate) const PAGED_MIN: usize = 2 << 20;

/// Bytes populated per step: 1.25 MiB.
pub(crate) const POPULATE_STEP: usize = 5 << 18;

/// Bytes released per step: 4 MiB.
pub(crate) const RELEASE_STEP: usize = 4 << 20;

/// Whether an array of `bytes` is paged.
pub(crate) const fn is_paged(bytes: usize) -> bool {
    bytes >= PAGED_MIN
}

/// The system's page size (a power of two that divides both step sizes on
/// every system with pages up to 512 KiB).
fn page_size() -> usize {
    #[cfg(all(target_os = "linux", not(miri)))]
    {
        use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
        static PAGE: AtomicUsize = AtomicUsize::new(0);
        let mut page = PAGE.load(Relaxed);
        if page == 0 {
            // SAFETY: sysconf has no preconditions.
            page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
                .ok()
                .filter(|p| p.is_power_of_two())
                .unwrap_or(4096);
            PAGE.store(page, Relaxed);
        }
        page
    }
    #[cfg(not(all(target_os = "linux", not(miri))))]
    4096
}

/// An array's bytes `[start, end)` as steps of `step` bytes, counted from
/// the page that holds `start`, so that steps meet on page boundaries.
#[derive(Clone, Copy)]
pub(crate) struct Steps {
    base: *mut u8,
    start: usize,
    end: usize,
    origin: usize,
    step: usize,
}

impl Steps {
    /// The steps of `step` bytes of the array of `bytes` at `base`.
    pub(crate) fn of(base: *mut u8, bytes: usize, step: usize) -> Steps {
        let start = base as usize;
        Steps {
            base,
            start,
            end: start + bytes,
            origin: start & !(page_size() - 1),
            step,
        }
    }

    /// How many steps the array spans.
    pub(crate) fn count(self) -> usize {
        (self.end - self.origin).div_ceil(self.step)
    }

    /// The addresses of step `i` inside the array.
    fn range(self, i: usize) -> (usize, usize) {
        let lo = (self.origin + i * self.step).max(self.start);
        let hi = (self.origin + (i + 1) * self.step).min(self.end);
        (lo, hi)
    }

    /// The offset from the array's start at which step `i` ends.
    pub(crate) fn end_of(self, i: usize) -> usize {
        self.range(i).1 - self.start
    }
}

/// Maps the pages of step `i` into memory, so that writing to them takes
/// no page fault. Changes no byte.
///
/// # Safety
/// `steps` describes a live allocation to which nothing else holds a
/// reference, and `i < steps.count()`.
pub(crate) unsafe fn populate(steps: Steps, i: usize) {
    let (lo, hi) = steps.range(i);
    let page = page_size();
    #[cfg(all(target_os = "linux", not(miri)))]
    {
        let from = lo & !(page - 1);
        // SAFETY: mapped pages that hold bytes of the caller's allocation;
        // populating changes no byte, so the pages' other bytes (if the
        // allocator's) are unaffected.
        let done = unsafe {
            libc::madvise(
                from as *mut libc::c_void,
                hi - from,
                libc::MADV_POPULATE_WRITE,
            )
        };
        if done == 0 {
            return;
        }
    }
    let mut at = lo;
    while at < hi {
        // SAFETY: a byte of the allocation that nothing references (the
        // caller's); writing back the byte just read changes nothing.
        unsafe {
            let p = steps.base.add(at - steps.start);
            p.write_volatile(p.read_volatile());
        }
        at = (at & !(page - 1)) + page;
    }
}

/// Gives the whole pages of step `i` back to the kernel; their contents
/// are unspecified afterwards (zero on Linux), until the array is freed.
///
/// # Safety
/// `steps` describes a live allocation, `i < steps.count()`, and nothing
/// reads step `i` before the allocation is freed or holds a reference to it.
pub(crate) unsafe fn release(steps: Steps, i: usize) {
    let (lo, hi) = steps.range(i);
    let page = page_size();
    let (lo, hi) = (lo.next_multiple_of(page), hi & !(page - 1));
    #[cfg(all(target_os = "linux", not(miri)))]
    if lo < hi {
        // SAFETY: whole pages inside the caller's allocation that nothing
        // will read again.
        unsafe {
            libc::madvise(lo as *mut libc::c_void, hi - lo, libc::MADV_DONTNEED);
        }
    }
    #[cfg(not(all(target_os = "linux", not(miri))))]
    let _ = (lo, hi);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A buffer of `len` bytes filled with a pattern, and an array inside
    /// it that starts `offset` bytes in and ends `tail` bytes before its end.
    struct Buf {
        bytes: Vec<u8>,
        offset: usize,
        tail: usize,
    }

    impl Buf {
        fn new(len: usize, offset: usize, tail: usize) -> Buf {
            let bytes = (0..len).map(|i| (i % 251) as u8 | 1).collect();
            Buf {
                bytes,
                offset,
                tail,
            }
        }

        fn steps(&mut self, step: usize) -> Steps {
            let len = self.bytes.len() - self.offset - self.tail;
            // SAFETY: `offset` is inside the buffer.
            Steps::of(
                unsafe { self.bytes.as_mut_ptr().add(self.offset) },
                len,
                step,
            )
        }

        /// Whether byte `i` of the buffer still holds the pattern.
        fn intact(&self, i: usize) -> bool {
            self.bytes[i] == (i % 251) as u8 | 1
        }
    }

    #[test]
    fn steps_tile_the_array_on_page_boundaries() {
        for offset in [0, 16, 4095, 4104] {
            for len in [PAGED_MIN, 5 * PAGED_MIN + 144] {
                for step in [POPULATE_STEP, RELEASE_STEP] {
                    let base = (1usize << 30) + offset;
                    let s = Steps::of(core::ptr::without_provenance_mut(base), len, step);
                    let mut at = base;
                    for i in 0..s.count() {
                        let (lo, hi) = s.range(i);
                        assert_eq!(lo, at, "steps are contiguous");
                        assert!(hi > lo, "no step is empty");
                        assert!(hi - lo <= step);
                        if i + 1 < s.count() {
                            assert_eq!(hi % page_size(), 0, "inner ends on a page");
                        }
                        assert_eq!(s.end_of(i), hi - base);
                        at = hi;
                    }
                    assert_eq!(at, base + len, "the steps cover the array");
                }
            }
        }
    }

    /// Step sizes for the buffer tests: the real ones, or a few pages under
    /// Miri (which runs the portable paths and is slow on megabytes).
    fn test_step(real: usize) -> usize {
        if cfg!(miri) { 2 * page_size() } else { real }
    }

    #[test]
    fn populate_changes_no_byte() {
        let step = test_step(POPULATE_STEP);
        let mut buf = Buf::new(3 * step, 100, 7);
        let steps = buf.steps(step);
        for i in 0..steps.count() {
            // SAFETY: the buffer is live and not referenced.
            unsafe { populate(steps, i) };
        }
        assert!((0..buf.bytes.len()).step_by(509).all(|i| buf.intact(i)));
        assert!(buf.intact(buf.bytes.len() - 1));
    }

    #[test]
    fn release_touches_only_whole_pages_of_its_step() {
        let page = page_size();
        let step = test_step(RELEASE_STEP);
        let mut buf = Buf::new(2 * step + 3 * page, 13, 100);
        let steps = buf.steps(step);
        let start = buf.bytes.as_ptr() as usize + buf.offset;
        // SAFETY: the buffer is live; the test reads step 0 again only to
        // see what the kernel did to it.
        unsafe { release(steps, 0) };
        let (lo, hi) = steps.range(0);
        let (lo, hi) = (lo.next_multiple_of(page), hi & !(page - 1));
        let cut = |i: usize| (lo..hi).contains(&(buf.bytes.as_ptr() as usize + i));
        for i in (0..buf.bytes.len())
            .step_by(61)
            .chain([lo - start + buf.offset - 1])
        {
            if !cut(i) {
                assert!(buf.intact(i), "byte {i} outside the released pages changed");
            } else if cfg!(all(target_os = "linux", not(miri))) {
                assert_eq!(buf.bytes[i], 0, "byte {i} of a released page");
            }
        }
    }
}
