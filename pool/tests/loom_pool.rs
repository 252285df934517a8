//! loom models of `clear` racing the rest of the pool: puts (the owner's
//! private slot and chain head), gets (own cache, steals, the victim cache),
//! a thread's exit flush, and a second `clear`. Each model checks that every
//! value is taken or dropped exactly once, and the generations' liveness
//! cells turn any free that does not wait for a user into a loom failure.
//!
//! Not covered here: more than three threads, chains longer than two rings,
//! the spinning of `clear`'s wait (a yield under loom), and the pool on the
//! model's main thread (loom drops statics before the main thread's
//! thread-locals, so only spawned threads use pools here).
#![cfg(gort_loom)]

use gort_pool::Pool;
use gort_testkit::{Tracked, Tracker};
use loom::thread;
use std::sync::Arc;

fn pool() -> Arc<Pool<Tracked>> {
    Arc::new(Pool::new(|| unreachable!("the models never construct")))
}

/// A put (allocating the primary and a chain ring) and a get racing a
/// `clear` that rotates the primary away.
#[test]
fn clear_races_put_and_get() {
    loom::model(|| {
        let ledger = Tracker::new();
        let p = pool();
        let (q, l) = (p.clone(), ledger.clone());
        let user = thread::spawn(move || {
            q.put(l.make(0));
            q.put(l.make(1));
            drop(q.try_get());
        });
        let q = p.clone();
        let clearer = thread::spawn(move || q.clear());
        user.join().unwrap();
        clearer.join().unwrap();
        drop(p);
        ledger.assert_each_dropped_once(0..2);
    });
}

/// One thread puts two values (private slot and chain) and exits (flushing
/// its private value into its chain); another clears, then steals. The
/// steal may hit the primary, the victim, or a ring being unlinked.
#[test]
fn clear_and_steal_race_put_and_exit_flush() {
    loom::model(|| {
        let ledger = Tracker::new();
        let p = pool();
        let (q, l) = (p.clone(), ledger.clone());
        let owner = thread::spawn(move || {
            q.put(l.make(0));
            q.put(l.make(1));
        });
        let q = p.clone();
        let thief = thread::spawn(move || {
            q.clear();
            drop(q.try_get());
        });
        owner.join().unwrap();
        thief.join().unwrap();
        drop(p);
        ledger.assert_each_dropped_once(0..2);
    });
}

/// Values already in the victim cache: one thread takes from the victim
/// while another `clear` frees it.
#[test]
fn clear_frees_the_victim_while_it_is_read() {
    loom::model(|| {
        let ledger = Tracker::new();
        let p = pool();
        let (q, l) = (p.clone(), ledger.clone());
        let reader = thread::spawn(move || {
            q.put(l.make(0));
            q.put(l.make(1));
            q.clear();
            drop(q.try_get());
            drop(q.try_get());
        });
        let q = p.clone();
        let clearer = thread::spawn(move || q.clear());
        reader.join().unwrap();
        clearer.join().unwrap();
        drop(p);
        ledger.assert_each_dropped_once(0..2);
    });
}

/// Three threads: an owner whose chain grows past its first ring while it
/// also takes values back, a thief stealing from that chain, and a clearer.
#[test]
fn put_steal_and_clear_on_three_threads() {
    loom::model(|| {
        let ledger = Tracker::new();
        let p = pool();
        let (q, l) = (p.clone(), ledger.clone());
        let owner = thread::spawn(move || {
            for i in 0..4 {
                q.put(l.make(i as u64));
            }
            drop(q.try_get());
        });
        let q = p.clone();
        let thief = thread::spawn(move || {
            drop(q.try_get());
            drop(q.try_get());
        });
        let q = p.clone();
        let clearer = thread::spawn(move || q.clear());
        owner.join().unwrap();
        thief.join().unwrap();
        clearer.join().unwrap();
        drop(p);
        ledger.assert_each_dropped_once(0..4);
    });
}

/// Two clears at once, against a put.
#[test]
fn two_clears_race_a_put() {
    loom::model(|| {
        let ledger = Tracker::new();
        let p = pool();
        let (q, l) = (p.clone(), ledger.clone());
        let user = thread::spawn(move || {
            q.put(l.make(0));
            q.clear();
        });
        let q = p.clone();
        let clearer = thread::spawn(move || q.clear());
        user.join().unwrap();
        clearer.join().unwrap();
        drop(p);
        ledger.assert_each_dropped_once(0..1);
    });
}
