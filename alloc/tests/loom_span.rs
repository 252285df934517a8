//! Loom models of the explicit-free protocol (span.rs, central.rs): the
//! span hand-off between a holder (a thread cache) and the central lists,
//! frees from other threads racing it, and a free racing the holder's own
//! allocation from the same span. Spans of a class with two objects each
//! (4096-byte objects in one 8 KiB page) keep the state space small.
//!
//! Run with `RUSTFLAGS="--cfg gort_loom" cargo test -p gort-alloc --test
//! loom_span --release`. Not covered: the page heap (modelled: a released
//! span is recorded, a new one is a fresh structure at a made-up address,
//! so the reuse of span structures by stale freers is not modelled), the
//! arena's span map, the thread-local cache slot and its thread-exit
//! release; loom runs model threads on one OS thread.
#![cfg(gort_loom)]

use gort_alloc::loom_api::{MCentral, MSpan, class_for};
use loom::sync::Arc;
use loom::thread;

/// A span or object address that crosses model threads.
type Addr = usize;

/// The two-object class.
fn class() -> u8 {
    class_for(4096, 8).expect("4096 bytes is a small class")
}

fn span(s: Addr) -> &'static MSpan {
    // SAFETY: model spans are leaked structures (the modelled heap never
    // frees them).
    unsafe { &*(s as *const MSpan) }
}

/// A thread cache's slot for one class: what `MCache::next_free` and
/// `refill` do, over one central.
struct Holder {
    c: Arc<MCentral>,
    span: Addr,
}

impl Holder {
    fn new(c: &Arc<MCentral>) -> Holder {
        let span = c.cache_span() as Addr;
        Holder { c: c.clone(), span }
    }

    /// One object: the next free slot, then the holder's own reclaim, then
    /// a span from the central.
    fn alloc(&mut self) -> Addr {
        loop {
            let s = span(self.span);
            // SAFETY: this holder holds its span.
            let o = unsafe { s.owned() };
            let i = o.next_free_index(s.nelems());
            if i < s.nelems() {
                o.alloc_count += 1;
                return s.start() + i * s.elemsize();
            }
            // SAFETY: held, and every reserved slot was used.
            if unsafe { s.reclaim() } {
                continue;
            }
            // SAFETY: held; the holder forgets it.
            unsafe { self.c.uncache_span(self.span as *mut MSpan) };
            self.span = self.c.cache_span() as Addr;
        }
    }

    /// A free by the holder's thread of object `p` of span `s`.
    fn free(&self, s: Addr, p: Addr) {
        if s == self.span {
            // SAFETY: held by this holder; `p` is live in it.
            unsafe { span(s).free_local(span(s).obj_index(p)) };
        } else {
            // SAFETY: `p` is a live object of this class in `s`.
            unsafe { self.c.free(s as *const MSpan, p) };
        }
    }

    fn release(self) {
        // SAFETY: held; the holder gives it back.
        unsafe { self.c.uncache_span(self.span as *mut MSpan) };
    }
}

/// A holder of a new span whose two objects it allocated:
/// `(holder, span, first object, second object)`.
fn full_span(c: &Arc<MCentral>) -> (Holder, Addr, Addr, Addr) {
    let mut h = Holder::new(c);
    let (p0, p1) = (h.alloc(), h.alloc());
    let s = h.span;
    (h, s, p0, p1)
}

/// Frees object `p` of span `s` on a new model thread.
fn free_on_thread(c: &Arc<MCentral>, s: Addr, p: Addr) -> thread::JoinHandle<()> {
    let c = c.clone();
    // SAFETY: the caller passes a live object `p` of `s`, freed once.
    thread::spawn(move || unsafe { c.free(s as *const MSpan, p) })
}

/// The end state every model must reach once all objects are freed and
/// no holder is left: every span released exactly once, no list holding
/// anything.
fn all_released(c: &MCentral, spans: &[Addr]) {
    let mut released = c.released();
    released.sort_unstable();
    let mut expected = spans.to_vec();
    expected.sort_unstable();
    expected.dedup();
    assert_eq!(released, expected, "each empty span released exactly once");
    assert_eq!(
        c.listed(),
        (vec![], vec![]),
        "a released span stayed listed"
    );
}

/// The holder gives back a full span while another thread frees one of its
/// objects: whatever the order (the free sees the span held, or unheld on
/// the full list), the span ends on the partial list with the freed slot
/// as its only free one, and goes back to the heap once its last object
/// is freed.
#[test]
fn uncache_racing_a_cross_thread_free() {
    loom::model(|| {
        let c = Arc::new(MCentral::new(class()));
        let (h, s, p0, p1) = full_span(&c);
        let freer = free_on_thread(&c, s, p1);
        h.release();
        freer.join().unwrap();
        assert_eq!(c.listed(), (vec![s], vec![]), "one live object: partial");
        assert!(c.released().is_empty());
        let mut h2 = Holder::new(&c);
        assert_eq!(h2.span, s, "the partial span is taken again");
        assert_eq!(h2.alloc(), p1, "its free slot is the freed object's");
        h2.free(s, p0);
        h2.free(s, p1);
        h2.release();
        all_released(&c, &[s]);
    });
}

/// Another thread frees an object of the holder's full span while the
/// holder allocates: the holder either reclaims that very slot (only once
/// the free marked it) or moves on to a new span; never a live object.
#[test]
fn cross_thread_free_racing_the_holders_allocation() {
    loom::model(|| {
        let c = Arc::new(MCentral::new(class()));
        let (mut h, s, p0, p1) = full_span(&c);
        let freer = free_on_thread(&c, s, p0);
        let q = h.alloc();
        let q_span = h.span;
        freer.join().unwrap();
        assert_ne!(q, p1, "a live object was handed out again");
        if q_span == s {
            assert_eq!(q, p0, "the reclaimed slot is the freed one");
        }
        h.free(q_span, q);
        h.free(s, p1);
        h.release();
        all_released(&c, &[s, q_span]);
    });
}

/// Two threads free the two objects of an unheld full span while a third
/// takes a span from the central: the first free moves the span to the
/// partial list, the last releases it (unless a holder took it meanwhile),
/// and a holder only ever gets freed slots.
#[test]
fn two_frees_racing_a_cache_span() {
    loom::model(|| {
        let c = Arc::new(MCentral::new(class()));
        let (h, s, p0, p1) = full_span(&c);
        h.release();
        assert_eq!(
            c.listed(),
            (vec![], vec![s]),
            "a full span: on the full list"
        );
        let freers = [free_on_thread(&c, s, p0), free_on_thread(&c, s, p1)];
        let mut h2 = Holder::new(&c);
        let q = h2.alloc();
        let q_span = h2.span;
        for f in freers {
            f.join().unwrap();
        }
        if q_span == s {
            assert!(
                q == p0 || q == p1,
                "a holder of the old span gets a freed slot"
            );
        }
        h2.free(q_span, q);
        h2.release();
        all_released(&c, &[s, q_span]);
    });
}
