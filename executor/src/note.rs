//! Go's `note`: a one-shot sleep and wake-up for one thread (runtime/lock_futex.go:
//! `notesleep`, `notewakeup`, `noteclear`). *Rust*: std's thread parker,
//! which is a futex on Linux, as Go's note is.

use gort_sync::{AtomicBool, Ordering::*, thread};

/// Sleeps the thread that made it until some other thread wakes it.
#[derive(Debug)]
pub(crate) struct Note {
    woken: AtomicBool,
    sleeper: thread::Thread,
}

impl Note {
    /// A cleared note for the calling thread.
    pub(crate) fn new() -> Self {
        Note {
            woken: AtomicBool::new(false),
            sleeper: thread::current(),
        }
    }

    /// Go: `notewakeup`.
    pub(crate) fn wakeup(&self) {
        if !self.woken.swap(true, Release) {
            self.sleeper.unpark();
        }
    }

    /// Go: `notesleep`: returns once woken (at once if already woken).
    pub(crate) fn sleep(&self) {
        while !self.woken.load(Acquire) {
            thread::park();
        }
    }

    /// Go: `notetsleep`: returns once woken or after `d`, whichever comes
    /// first. True if woken. (Under loom, which has no time, only woken.)
    pub(crate) fn sleep_for(&self, d: std::time::Duration) -> bool {
        #[cfg(not(gort_loom))]
        {
            let deadline = std::time::Instant::now() + d;
            while !self.woken.load(Acquire) {
                let now = std::time::Instant::now();
                if now >= deadline {
                    return false;
                }
                thread::park_timeout(deadline - now);
            }
            true
        }
        #[cfg(gort_loom)]
        {
            let _ = d;
            self.sleep();
            true
        }
    }

    /// Go: `noteclear`, reporting whether it had been woken.
    pub(crate) fn clear(&self) -> bool {
        self.woken.swap(false, Acquire)
    }
}

impl std::task::Wake for Note {
    fn wake(self: std::sync::Arc<Self>) {
        self.wakeup();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.wakeup();
    }
}
