//! Wakers for tests, and polling a future by hand.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};

/// A waker that counts its wake-ups.
#[derive(Debug, Default)]
pub struct CountingWaker {
    wakes: AtomicUsize,
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }
}

impl CountingWaker {
    /// Wake-ups so far.
    pub fn count(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }
}

/// A waker plus its counter.
///
/// ```
/// let (waker, count) = gort_testkit::counting_waker();
/// waker.wake_by_ref();
/// assert_eq!(count.count(), 1);
/// ```
pub fn counting_waker() -> (Waker, Arc<CountingWaker>) {
    let c = Arc::new(CountingWaker::default());
    (Waker::from(c.clone()), c)
}

/// A waker a thread can block on until it is woken (no sleeping to
/// synchronise).
///
/// ```
/// use std::sync::Arc;
/// let flag = Arc::new(gort_testkit::Flag::default());
/// let waker = std::task::Waker::from(flag.clone());
/// std::thread::spawn(move || waker.wake());
/// flag.wait();
/// assert!(flag.is_woken());
/// ```
#[derive(Debug, Default)]
pub struct Flag {
    woken: Mutex<bool>,
    cv: Condvar,
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        *self.woken.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.cv.notify_all();
    }
}

impl Flag {
    /// Blocks until the waker was woken (at least once).
    pub fn wait(&self) {
        let mut woken = self.woken.lock().unwrap_or_else(|e| e.into_inner());
        while !*woken {
            woken = self.cv.wait(woken).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Whether the waker was woken.
    pub fn is_woken(&self) -> bool {
        *self.woken.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Polls `f` once with `waker`.
pub fn poll_once<F: Future + ?Sized>(f: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(waker))
}

/// Polls `f` once with a waker that does nothing.
///
/// ```
/// let mut f = std::pin::pin!(async { 7 });
/// assert_eq!(gort_testkit::poll_noop(f.as_mut()), std::task::Poll::Ready(7));
/// ```
pub fn poll_noop<F: Future + ?Sized>(f: Pin<&mut F>) -> Poll<F::Output> {
    poll_once(f, Waker::noop())
}
