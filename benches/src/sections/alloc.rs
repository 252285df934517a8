//! gort-alloc (Go's allocator) against glibc's malloc (std's `System`),
//! mimalloc and jemalloc (tikv-jemallocator), each called through its
//! `GlobalAlloc` implementation in the same process (none of them is this
//! binary's global allocator, so they get the same dispatch):
//!
//! - `class/<size>`: 256 blocks of one size allocated, then freed in the
//!   same order, on one thread (the thread cache's fast paths; one size per
//!   few of Go's size classes, and the large-object path at 64 KiB);
//! - `random/1t`: a working set of 1000 blocks of random sizes (mostly
//!   under 1 KiB, some up to 32 KiB, a few up to 256 KiB), one replaced at
//!   random per operation;
//! - `larson/2t`: blocks allocated on one thread and freed on another
//!   (batches of 256 through a channel), larson's producer/consumer shape;
//! - `churn`: a thread that allocates and frees 1000 small blocks and exits
//!   (the per-thread cache's creation and release).

use crate::{Measurement, Workload, measure};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::mpsc;

const SECTION: &str = "alloc";

static GO: gort_alloc::GoAlloc = gort_alloc::GoAlloc::new();
static MI: mimalloc::MiMalloc = mimalloc::MiMalloc;
static JE: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// The allocators compared, gort's first.
fn allocators() -> [(&'static str, &'static (dyn GlobalAlloc + Sync)); 4] {
    [
        ("gort GoAlloc", &GO),
        ("glibc (System)", &System),
        ("mimalloc", &MI),
        ("jemalloc", &JE),
    ]
}

/// Adds one row per allocator, each running `body(allocator, iters)`.
fn rows(
    mut w: Workload,
    body: impl Fn(&'static (dyn GlobalAlloc + Sync), u64) -> Measurement + Copy + 'static,
) -> Workload {
    for (i, (name, a)) in allocators().into_iter().enumerate() {
        let run = move |iters| body(a, iters);
        w = if i == 0 {
            w.gort(name, run)
        } else {
            w.peer(name, run)
        };
    }
    w
}

/// Allocates with `a`, touching the first byte (as a user would).
fn alloc(a: &dyn GlobalAlloc, l: Layout) -> *mut u8 {
    // SAFETY: every layout here has a non-zero size.
    let p = unsafe { a.alloc(l) };
    assert!(!p.is_null(), "allocation of {l:?} failed");
    // SAFETY: the block holds at least one byte.
    unsafe { p.write_volatile(1) };
    p
}

/// Frees a block of `a`.
fn free(a: &dyn GlobalAlloc, p: *mut u8, l: Layout) {
    // SAFETY: `p` came from `a.alloc(l)` and is freed once.
    unsafe { a.dealloc(p, l) }
}

const BATCH: usize = 256;

/// `class/<size>`: rounds of BATCH blocks; one iteration is one block.
fn class_rows(size: usize) -> Workload {
    let w = Workload::new(SECTION, format!("class/{size}"), "alloc+free");
    rows(w, move |a, iters| batches(a, size, iters))
}

fn batches(a: &'static (dyn GlobalAlloc + Sync), size: usize, iters: u64) -> Measurement {
    let l = Layout::from_size_align(size, 8).unwrap();
    let mut v = Vec::with_capacity(BATCH);
    measure(|| {
        for _ in 0..iters.div_ceil(BATCH as u64) {
            for _ in 0..BATCH {
                v.push(alloc(a, l));
            }
            for p in v.drain(..) {
                free(a, p, l);
            }
        }
    })
}

/// xorshift64: the same stream for every allocator.
fn next(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

fn random_layout(x: &mut u64) -> Layout {
    let r = next(x);
    let size = match r % 100 {
        0..=79 => 1 + (r >> 8) % 1024,
        80..=97 => 1 + (r >> 8) % (32 << 10),
        _ => 1 + (r >> 8) % (256 << 10),
    };
    Layout::from_size_align(size as usize, 8).unwrap()
}

const WORKING_SET: usize = 1000;

fn random(a: &'static (dyn GlobalAlloc + Sync), iters: u64) -> Measurement {
    let mut x = 0x2545_f491_4f6c_dd1d;
    let mut live: Vec<(*mut u8, Layout)> = (0..WORKING_SET)
        .map(|_| {
            let l = random_layout(&mut x);
            (alloc(a, l), l)
        })
        .collect();
    let m = measure(|| {
        for _ in 0..iters {
            let i = (next(&mut x) % WORKING_SET as u64) as usize;
            let (p, l) = live[i];
            free(a, p, l);
            let l = random_layout(&mut x);
            live[i] = (alloc(a, l), l);
        }
    });
    for (p, l) in live {
        free(a, p, l);
    }
    m
}

/// A block address that may cross threads.
struct Block(usize);

fn larson(a: &'static (dyn GlobalAlloc + Sync), iters: u64) -> Measurement {
    let (tx, rx) = mpsc::sync_channel::<Vec<Block>>(8);
    let l = Layout::from_size_align(128, 8).unwrap();
    measure(|| {
        let consumer = std::thread::spawn(move || {
            for batch in rx {
                for b in batch {
                    free(a, b.0 as *mut u8, l);
                }
            }
        });
        let mut batch = Vec::with_capacity(BATCH);
        for _ in 0..iters {
            batch.push(Block(alloc(a, l) as usize));
            if batch.len() == BATCH {
                tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                    .unwrap();
            }
        }
        tx.send(batch).unwrap();
        drop(tx);
        consumer.join().unwrap();
    })
}

fn churn(a: &'static (dyn GlobalAlloc + Sync), iters: u64) -> Measurement {
    measure(|| {
        for _ in 0..iters {
            std::thread::spawn(move || {
                let l = Layout::from_size_align(48, 8).unwrap();
                let v: Vec<_> = (0..1000).map(|_| alloc(a, l) as usize).collect();
                for p in v {
                    free(a, p as *mut u8, l);
                }
            })
            .join()
            .unwrap();
        }
        black_box(())
    })
}

/// The section's workloads.
pub fn workloads() -> Vec<Workload> {
    let mut out: Vec<Workload> = [16, 64, 256, 1024, 4096, 32768, 65536]
        .into_iter()
        .map(class_rows)
        .collect();
    out.push(rows(Workload::new(SECTION, "random/1t", "op"), random));
    out.push(rows(Workload::new(SECTION, "larson/2t", "block"), larson));
    out.push(rows(Workload::new(SECTION, "churn", "thread"), churn));
    out
}
