//! Go's pool tests (sync/pool_test.go) re-expressed, and the Rust-specific
//! rules: drop accounting, thread exit, re-entrance, `clear` racing the rest.
#![cfg(not(gort_loom))]

use gort_pool::Pool;
use gort_testkit::{Tracked, Tracker};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, LazyLock};
use std::thread;

/// Go's `testing.Short()`: debug builds (the CI's `cargo test`) run the
/// smaller sizes.
const SHORT: bool = cfg!(debug_assertions);

/// TestPool: the private slot, then the shared head; one clear keeps values
/// in the victim cache, a second drops them.
#[test]
fn go_test_pool() {
    let p: Pool<&str> = Pool::new(|| "new");
    assert_eq!(p.try_get(), None);
    // Go pins the goroutine to its P here; a Rust thread keeps its cache.
    p.put("a");
    p.put("b");
    assert_eq!(p.try_get(), Some("a"));
    assert_eq!(p.try_get(), Some("b"));
    assert_eq!(p.try_get(), None);

    // Enough to spill into the stealable chain.
    for _ in 0..100 {
        p.put("c");
    }
    p.clear();
    assert_eq!(p.try_get(), Some("c"), "after one clear");
    p.clear();
    assert_eq!(p.try_get(), None, "after a second clear");
}

/// TestPoolNew: the constructor fills misses, pooled values come first.
#[test]
fn go_test_pool_new() {
    let made = AtomicUsize::new(0);
    let made = Arc::new(made);
    let m = made.clone();
    let p = Pool::new(move || m.fetch_add(1, Ordering::SeqCst) + 1);
    assert_eq!(p.get(), 1);
    assert_eq!(p.get(), 2);
    p.put(42);
    assert_eq!(p.get(), 42);
    assert_eq!(p.get(), 3);
    assert_eq!(made.load(Ordering::SeqCst), 3);
}

/// TestPoolGC and TestPoolRelease: with Go's finalizers replaced by counted
/// drops. Go tolerates one survivor (a pointer left on a stack); here every
/// value must be dropped exactly once.
fn test_pool(drain: bool) {
    const N: usize = 100;
    let p = Pool::new(|| unreachable!("never constructs"));
    for attempt in 0..3 {
        let ledger = Tracker::new();
        for i in 0..N {
            p.put(ledger.make(i as u64));
        }
        if drain {
            for _ in 0..N {
                drop(p.try_get().expect("a value"));
            }
            assert_eq!(
                ledger.ids_dropped(),
                N,
                "try {attempt}: drained values are dropped"
            );
            assert!(
                p.try_get().is_none(),
                "the pool holds nothing after a drain"
            );
        } else {
            p.clear();
            assert_eq!(
                ledger.ids_dropped(),
                0,
                "try {attempt}: the victim keeps them"
            );
            p.clear();
        }
        ledger.assert_each_dropped_once(0..N as u64);
    }
}

#[test]
fn go_test_pool_gc() {
    test_pool(true);
}

#[test]
fn go_test_pool_release() {
    test_pool(false);
}

/// TestPoolStress: 10 threads, each putting a 0 and getting a value back.
#[test]
fn go_test_pool_stress() {
    const P: usize = 10;
    let n = if SHORT { 10_000 } else { 1_000_000 };
    let p: Pool<i32> = Pool::new(|| 0);
    thread::scope(|s| {
        for _ in 0..P {
            s.spawn(|| {
                let mut v = Some(0);
                for _ in 0..n {
                    p.put(v.take().unwrap_or(0));
                    v = p.try_get();
                    if let Some(x) = v {
                        assert_eq!(x, 0);
                    }
                }
            });
        }
    });
}

/// A thread's private value is flushed to its shared chain when it exits,
/// where another thread can steal it.
#[test]
fn exiting_thread_flushes_its_private_value() {
    let p = Arc::new(Pool::new(|| 0));
    let q = p.clone();
    // `join` returns after the thread's thread-local destructors ran.
    thread::spawn(move || q.put(7)).join().unwrap();
    assert_eq!(p.try_get(), Some(7));
}

/// Everything an exited thread put (private and chain) can be taken by
/// others, once each.
#[test]
fn exited_threads_values_are_stolen_once_each() {
    const N: usize = 50;
    let ledger = Tracker::new();
    let p = Arc::new(Pool::new(|| unreachable!()));
    let (q, l) = (p.clone(), ledger.clone());
    thread::spawn(move || (0..N).for_each(|i| q.put(l.make(i as u64))))
        .join()
        .unwrap();
    let mut seen = [false; N];
    for _ in 0..N {
        let v: Tracked = p.try_get().expect("a stolen value");
        assert!(
            !std::mem::replace(&mut seen[v.id as usize], true),
            "{} twice",
            v.id
        );
    }
    assert!(p.try_get().is_none());
    ledger.assert_each_dropped_once(0..N as u64);
}

/// Dropping the pool drops every value cached by any thread, in any cache.
#[test]
fn dropping_the_pool_drops_every_value_once() {
    const N: usize = 400;
    let ledger = Tracker::new();
    let p = Pool::new(|| unreachable!());
    let barrier = Barrier::new(4);
    thread::scope(|s| {
        for t in 0..4 {
            let (p, ledger, barrier) = (&p, &ledger, &barrier);
            s.spawn(move || {
                for i in (t * 100)..(t * 100 + 100) {
                    p.put(ledger.make(i as u64));
                    if i % 50 == 0 {
                        p.clear();
                    }
                }
                // Keep every thread alive until all have put: each pid
                // keeps its own cache.
                barrier.wait();
            });
        }
    });
    ledger.assert_none_dropped_twice();
    drop(p);
    ledger.assert_each_dropped_once(0..N as u64);
}

/// `clear` racing puts, gets and steals on other threads: every value is
/// taken or dropped exactly once, never lost, never duplicated.
#[test]
fn clear_races_put_get_and_steal() {
    const THREADS: usize = 3;
    let per_thread = if SHORT { 2_000 } else { 50_000 };
    let ledger = Tracker::new();
    let p: Pool<Tracked> = Pool::new(|| unreachable!());
    let done = AtomicUsize::new(0);
    thread::scope(|s| {
        for t in 0..THREADS {
            let (p, ledger, done) = (&p, &ledger, &done);
            s.spawn(move || {
                let mut held = Vec::new();
                for i in 0..per_thread {
                    p.put(ledger.make((t * per_thread + i) as u64));
                    // Uneven: this thread puts twice as often as it gets on
                    // even steps, so others' chains fill and get stolen.
                    if i % 3 != 0 {
                        if let Some(v) = p.try_get() {
                            held.push(v);
                        }
                    }
                    if held.len() > 8 {
                        held.clear();
                    }
                }
                done.fetch_add(1, Ordering::SeqCst);
            });
        }
        s.spawn(|| {
            while done.load(Ordering::SeqCst) < THREADS {
                p.clear();
                thread::yield_now();
            }
        });
    });
    ledger.assert_none_dropped_twice();
    drop(p);
    ledger.assert_each_dropped_once(0..(THREADS * per_thread) as u64);
}

/// The constructor and `T::drop` may use the pool again: neither runs while
/// the pool's state is borrowed (and `clear` holds no lock while dropping).
#[test]
fn constructor_and_drop_may_reenter_the_pool() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    static POOL: LazyLock<Pool<Node>> = LazyLock::new(|| {
        Pool::new(|| {
            // A constructor that uses the pool it fills.
            POOL.put(Node { depth: 0 });
            let inner = POOL.try_get();
            assert!(inner.is_some());
            Node { depth: 0 }
        })
    });
    struct Node {
        depth: u32,
    }
    impl Drop for Node {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::SeqCst);
            if self.depth > 0 {
                // Re-enters the pool from inside `clear`.
                POOL.put(Node {
                    depth: self.depth - 1,
                });
                POOL.clear();
            }
        }
    }

    drop(POOL.get()); // the constructor's inner value and the result
    assert_eq!(DROPS.load(Ordering::SeqCst), 2);
    POOL.put(Node { depth: 2 });
    POOL.clear();
    POOL.clear(); // drops depth 2, whose drop puts depth 1 and clears ...
    POOL.clear();
    POOL.clear();
    POOL.clear();
    assert!(POOL.try_get().is_none());
    assert_eq!(DROPS.load(Ordering::SeqCst), 5);
}

/// A put from a thread-local destructor that runs after the pool's own
/// thread-local is gone borrows a pid for the call: the value is not lost.
#[test]
fn put_from_a_thread_local_destructor_is_not_lost() {
    static POOL: LazyLock<Pool<u32>> = LazyLock::new(|| Pool::new(|| 0));
    struct PutOnExit;
    impl Drop for PutOnExit {
        fn drop(&mut self) {
            POOL.put(99);
        }
    }
    thread_local! {
        static GUARD: PutOnExit = const { PutOnExit };
    }
    thread::spawn(|| {
        // Registered before the pool's thread-local, so (destructors run in
        // reverse order on Linux) destroyed after it.
        GUARD.with(|_| ());
        POOL.put(1);
    })
    .join()
    .unwrap();
    let mut got = [POOL.try_get(), POOL.try_get()];
    got.sort();
    assert_eq!(got, [Some(1), Some(99)]);
    assert_eq!(POOL.try_get(), None);
}

#[test]
fn zero_sized_and_large_values() {
    let units: Pool<()> = Pool::new(|| ());
    for _ in 0..20 {
        units.put(());
    }
    assert_eq!((0..20).filter_map(|_| units.try_get()).count(), 20);
    assert_eq!(units.try_get(), None);

    let pages: Pool<[u64; 1024]> = Pool::new(|| [0; 1024]);
    let mut page = pages.get();
    page[1023] = 5;
    pages.put(page);
    pages.put([1; 1024]);
    assert_eq!(pages.get()[1023], 5);
    assert_eq!(pages.get()[0], 1);
}

#[test]
fn pool_is_send_and_sync_for_send_values() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Pool<Vec<u8>>>();
    assert_send_sync::<Pool<std::cell::Cell<u8>>>();
}
