//! The whole program runs on `GoAlloc`: every size and alignment, then
//! threads that allocate, reallocate, free their own and each other's
//! blocks (canary bytes checked in every block before it is freed), and
//! thread churn; at the end every block is freed and `stats()` balances.
//!
//! A plain `main` (no test harness), so that no other test allocates
//! between the two `stats()` readings.

use gort_alloc::{GoAlloc, stats};
use std::alloc::{GlobalAlloc, Layout};
use std::sync::mpsc;
use std::thread;

#[global_allocator]
static ALLOC: GoAlloc = GoAlloc::new();

/// A block under test: its address, layout, and the seed of its canary.
struct Block {
    p: usize,
    layout: Layout,
    seed: u8,
}

impl Block {
    fn new(layout: Layout, seed: u8) -> Block {
        // SAFETY: every layout made here has a non-zero size.
        let p = unsafe { ALLOC.alloc(layout) };
        assert!(!p.is_null(), "allocation of {layout:?} failed");
        assert_eq!(
            p as usize % layout.align(),
            0,
            "{layout:?} misaligned at {p:p}"
        );
        let b = Block {
            p: p as usize,
            layout,
            seed,
        };
        b.fill(0, layout.size());
        b
    }

    fn byte(&self, i: usize) -> u8 {
        self.seed ^ (i as u8).wrapping_mul(31) ^ (i >> 8) as u8
    }

    fn fill(&self, from: usize, to: usize) {
        for i in from..to {
            // SAFETY: `i` is inside the live block.
            unsafe { *(self.p as *mut u8).add(i) = self.byte(i) };
        }
    }

    fn check(&self) {
        for i in 0..self.layout.size() {
            // SAFETY: `i` is inside the live block.
            let got = unsafe { *(self.p as *const u8).add(i) };
            assert_eq!(
                got,
                self.byte(i),
                "canary broken at byte {i} of {:?} at {:#x}",
                self.layout,
                self.p
            );
        }
    }

    fn realloc(&mut self, new_size: usize) {
        self.check();
        // SAFETY: the block is live with this layout; new_size > 0.
        let q = unsafe { ALLOC.realloc(self.p as *mut u8, self.layout, new_size) };
        assert!(!q.is_null());
        let old = self.layout.size();
        self.p = q as usize;
        self.layout = Layout::from_size_align(new_size, self.layout.align()).unwrap();
        for i in 0..old.min(new_size) {
            // SAFETY: inside the live block.
            assert_eq!(unsafe { *q.add(i) }, self.byte(i), "realloc lost byte {i}");
        }
        self.fill(old.min(new_size), new_size);
    }

    fn free(self) {
        self.check();
        // SAFETY: allocated by ALLOC with this layout, freed once.
        unsafe { ALLOC.dealloc(self.p as *mut u8, self.layout) };
    }
}

// SAFETY: a block is owned by one thread at a time; moving it moves the
// right to free it.
unsafe impl Send for Block {}

/// xorshift: a reproducible stream per thread.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> usize {
        (self.next() % n) as usize
    }

    /// Mostly small sizes, sometimes medium, rarely large.
    fn layout(&mut self) -> Layout {
        let size = match self.below(100) {
            0..=79 => 1 + self.below(256),
            80..=97 => 1 + self.below(32 << 10),
            _ => 1 + self.below(1 << 20),
        };
        let shifts = if self.below(10) == 0 { 15 } else { 4 };
        let align = 1usize << self.below(shifts);
        Layout::from_size_align(size, align).unwrap()
    }
}

/// Every size up to 40 KiB at every alignment up to 16 KiB, and some large
/// ones: aligned, writable, distinct while live.
fn every_size_and_alignment() {
    for align_shift in 0..=14 {
        let align = 1usize << align_shift;
        let mut live = Vec::new();
        for size in (1..=40 << 10).step_by(if align_shift < 4 { 1 } else { 97 }) {
            let b = Block::new(Layout::from_size_align(size, align).unwrap(), size as u8);
            live.push(b);
            if live.len() == 64 {
                live.drain(..).for_each(Block::free);
            }
        }
        live.drain(..).for_each(Block::free);
    }
    for size in [1 << 20, 3 << 20, 64 << 20] {
        Block::new(Layout::from_size_align(size, 1 << 16).unwrap(), 7).free();
    }
}

const THREADS: usize = 4;
const OPS: usize = 40_000;

/// Threads in a ring: each allocates, reallocates and frees at random, and
/// hands some blocks to the next thread, which frees them.
fn ring_of_threads() {
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..THREADS).map(|_| mpsc::channel::<Block>()).unzip();
    let mut rxs: Vec<_> = rxs.into_iter().map(Some).collect();
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let rx = rxs[t].take().unwrap();
            let tx = txs[(t + 1) % THREADS].clone();
            thread::spawn(move || {
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (t as u64 + 1));
                let mut mine: Vec<Block> = Vec::new();
                for op in 0..OPS {
                    match rng.below(10) {
                        0..=4 => mine.push(Block::new(rng.layout(), op as u8)),
                        5 | 6 if !mine.is_empty() => {
                            let i = rng.below(mine.len() as u64);
                            mine.swap_remove(i).free();
                        }
                        7 if !mine.is_empty() => {
                            let i = rng.below(mine.len() as u64);
                            let size = rng.layout().size();
                            mine[i].realloc(size);
                        }
                        8 if !mine.is_empty() => {
                            let i = rng.below(mine.len() as u64);
                            tx.send(mine.swap_remove(i)).unwrap();
                        }
                        _ => {
                            while let Ok(b) = rx.try_recv() {
                                b.free();
                            }
                        }
                    }
                    if mine.len() > 2000 {
                        mine.drain(..1000).for_each(Block::free);
                    }
                }
                mine.into_iter().for_each(Block::free);
                drop(tx);
                rx
            })
        })
        .collect();
    drop(txs);
    let rxs: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for rx in rxs {
        rx.into_iter().for_each(Block::free);
    }
}

/// Short-lived threads that exit holding cached spans, leaving blocks to
/// be freed by the main thread after they are gone.
fn thread_churn() {
    let mut left = Vec::new();
    for round in 0..200 {
        let h = thread::spawn(move || {
            let mut rng = Rng(round as u64 * 7919 + 1);
            let mut keep = Vec::new();
            for i in 0..200 {
                let b = Block::new(rng.layout(), i as u8);
                if i % 3 == 0 { keep.push(b) } else { b.free() }
            }
            keep
        });
        left.extend(h.join().unwrap());
    }
    left.into_iter().for_each(Block::free);
}

fn main() {
    // Whatever std allocates once (stdout's buffer, the main thread's
    // handle) is made before the first reading.
    println!("gort-alloc stress");
    let _ = thread::current();
    let before = stats();
    every_size_and_alignment();
    ring_of_threads();
    thread_churn();
    let after = stats();
    let mallocs = after.mallocs - before.mallocs;
    let frees = after.frees - before.frees;
    assert!(
        mallocs > (THREADS * OPS / 2) as u64,
        "only {mallocs} allocations counted"
    );
    assert_eq!(
        mallocs, frees,
        "allocations and frees do not balance: {before:?} → {after:?}"
    );
    assert_eq!(
        after.heap_alloc, before.heap_alloc,
        "live bytes changed: {before:?} → {after:?}"
    );
    assert_eq!(after.heap_idle + after.heap_inuse, after.heap_sys);
    assert!(after.heap_released <= after.heap_idle);
    println!("ok: {mallocs} allocations, {frees} frees; {after:?}");
}
