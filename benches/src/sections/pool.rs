//! gort-pool against a `Mutex<Vec<T>>` free list, object-pool and
//! lockfree-object-pool (and Go's `sync.Pool` through the twin in
//! `benches/go/pool/`), at 1 and 2 threads:
//!
//! - `pair`: get a small pooled buffer and put it back;
//! - `buf4k`: get a 4 KiB buffer, copy 512 bytes into it, put it back,
//!   against allocating a fresh `Vec` (or a zeroed `Box<[u8; 4096]>`) each
//!   time;
//! - Go's benchmarks (sync/pool_test.go): `Pool` (Put then Get),
//!   `PoolOverflow` (100 Puts then 100 Gets), `PoolStarvation` (67 Puts then
//!   100 Gets, so that threads steal and miss). lockfree-object-pool has no
//!   way to take in an outside value or report a miss, so it runs `Pool` and
//!   `PoolOverflow` as get-then-put rounds and sits out `PoolStarvation`.
//!
//! With 2 threads the iterations are split between them (Go's `RunParallel`).

pub mod impls;

use crate::{Workload, on_threads};
use impls::{
    Alloc, BenchPool, Gort, LockfreeLinear, LockfreeSpinLock, MutexVec, ObjectPool, PutGet,
};
use std::hint::black_box;

/// The thread counts every workload runs at.
pub const THREADS: [u64; 2] = [1, 2];

/// Go's `count` in BenchmarkPoolOverflow and BenchmarkPoolStarvation.
const COUNT: usize = 100;
/// Go's `countStarved`: 33% fewer puts than gets.
const COUNT_STARVED: usize = COUNT - (COUNT as f32 * 0.33) as usize;

fn small() -> Vec<u8> {
    Vec::with_capacity(64)
}

fn page() -> Vec<u8> {
    Vec::with_capacity(4096)
}

fn pair<P: BenchPool<Vec<u8>>>(pool: &P, iters: u64) {
    for _ in 0..iters {
        pool.round(|v| black_box(v.capacity()));
    }
}

/// What a round writes into a 4 KiB buffer.
static DATA: [u8; 512] = [7; 512];

/// "Use" a 4 KiB buffer: copy 512 bytes into it and stamp the first.
fn use_page(v: &mut Vec<u8>, i: u64) -> *const u8 {
    v.clear();
    v.extend_from_slice(&DATA);
    v[0] = i as u8;
    black_box(v.as_ptr())
}

fn buf4k<P: BenchPool<Vec<u8>>>(pool: &P, iters: u64) {
    for i in 0..iters {
        pool.round(|v| use_page(v, i));
    }
}

fn buf4k_box(iters: u64) {
    for i in 0..iters {
        let mut b = Box::new([0u8; 4096]);
        b[..512].copy_from_slice(&DATA);
        b[0] = i as u8;
        black_box(&b);
    }
}

fn go_pool<P: PutGet>(pool: &P, iters: u64) {
    for _ in 0..iters {
        pool.put(1);
        black_box(pool.try_get());
    }
}

fn go_overflow<P: PutGet>(pool: &P, iters: u64) {
    for _ in 0..iters {
        for _ in 0..COUNT {
            pool.put(1);
        }
        for _ in 0..COUNT {
            black_box(pool.try_get());
        }
    }
}

fn go_starvation<P: PutGet>(pool: &P, iters: u64) {
    for _ in 0..iters {
        for _ in 0..COUNT_STARVED {
            pool.put(1);
        }
        for _ in 0..COUNT {
            black_box(pool.try_get());
        }
    }
}

/// `Pool` for pools without put/get: a get-then-put round.
fn go_pool_rounds<P: BenchPool<u64>>(pool: &P, iters: u64) {
    for _ in 0..iters {
        pool.round(|v| black_box(*v));
    }
}

/// `PoolOverflow` for pools without put/get: hold 100 values (guards made by
/// `pull`), then give them all back.
fn overflow_guards<G>(iters: u64, pull: impl Fn() -> G) {
    let mut held = Vec::with_capacity(COUNT);
    for _ in 0..iters {
        held.extend((0..COUNT).map(|_| pull()));
        held.clear();
    }
}

fn go_overflow_linear(pool: &LockfreeLinear<u64>, iters: u64) {
    overflow_guards(iters, || pool.0.pull());
}

fn go_overflow_spin(pool: &LockfreeSpinLock<u64>, iters: u64) {
    overflow_guards(iters, || pool.0.pull());
}

fn zero() -> u64 {
    0
}

/// Adds `P`'s row running `body` on a fresh pool of values made by `make`.
fn row<T: Send + Sync + 'static, P: BenchPool<T> + 'static>(
    w: Workload,
    threads: u64,
    make: fn() -> T,
    body: fn(&P, u64),
) -> Workload {
    let run = move |iters| on_threads(P::new(make), threads, iters, body);
    if P::GORT {
        w.gort(P::NAME, run)
    } else {
        w.peer(P::NAME, run)
    }
}

/// The section's workloads.
pub fn workloads() -> Vec<Workload> {
    let mut out = Vec::new();
    for t in THREADS {
        let name = format!("pair/{t}t");
        let w = Workload::new("pool", name.clone(), "get+put");
        let w = row::<_, Gort<_>>(w, t, small, pair);
        let w = row::<_, MutexVec<_>>(w, t, small, pair);
        let w = row::<_, ObjectPool<_>>(w, t, small, pair);
        let w = row::<_, LockfreeLinear<_>>(w, t, small, pair);
        let w = row::<_, LockfreeSpinLock<_>>(w, t, small, pair);
        out.push(w.go(&name));
    }
    for t in THREADS {
        let name = format!("buf4k/{t}t");
        let w = Workload::new("pool", name.clone(), "get+use+put");
        let w = row::<_, Gort<_>>(w, t, page, buf4k);
        let w = row::<_, MutexVec<_>>(w, t, page, buf4k);
        let w = row::<_, ObjectPool<_>>(w, t, page, buf4k);
        let w = row::<_, LockfreeLinear<_>>(w, t, page, buf4k);
        let w = row::<_, LockfreeSpinLock<_>>(w, t, page, buf4k);
        let w = row::<_, Alloc<_>>(w, t, page, buf4k);
        let w = w.peer("alloc Box<[u8; 4096]>", move |iters| {
            on_threads((), t, iters, |_, n| buf4k_box(n))
        });
        out.push(w.go(&name));
    }
    for t in THREADS {
        let name = format!("Pool/{t}t");
        let w = Workload::new("pool", name.clone(), "put+get");
        let w = row::<_, Gort<_>>(w, t, zero, go_pool);
        let w = row::<_, MutexVec<_>>(w, t, zero, go_pool);
        let w = row::<_, ObjectPool<_>>(w, t, zero, go_pool);
        let w = row::<_, LockfreeLinear<_>>(w, t, zero, go_pool_rounds);
        let w = row::<_, LockfreeSpinLock<_>>(w, t, zero, go_pool_rounds);
        out.push(w.go(&name));
    }
    for t in THREADS {
        let name = format!("PoolOverflow/{t}t");
        let w = Workload::new("pool", name.clone(), "100 puts+100 gets");
        let w = row::<_, Gort<_>>(w, t, zero, go_overflow);
        let w = row::<_, MutexVec<_>>(w, t, zero, go_overflow);
        let w = row::<_, ObjectPool<_>>(w, t, zero, go_overflow);
        let w = row::<_, LockfreeLinear<_>>(w, t, zero, go_overflow_linear);
        let w = row::<_, LockfreeSpinLock<_>>(w, t, zero, go_overflow_spin);
        out.push(w.go(&name));
    }
    for t in THREADS {
        let name = format!("PoolStarvation/{t}t");
        let w = Workload::new("pool", name.clone(), "67 puts+100 gets");
        let w = row::<_, Gort<_>>(w, t, zero, go_starvation);
        let w = row::<_, MutexVec<_>>(w, t, zero, go_starvation);
        let w = row::<_, ObjectPool<_>>(w, t, zero, go_starvation);
        out.push(w.go(&name));
    }
    out
}
