//! Closing: Go's `closechan` (runtime/chan.go), and the Rust rules for the
//! last handle of each side.

use crate::hchan::Chan;
use crate::wake::wake_all;

impl<T> Chan<T> {
    /// Go's `closechan`: marks the channel closed and releases every waiter
    /// (receivers drain what is buffered, then see the close; senders get
    /// their value back). Wakes them all after unlocking, even if a waker
    /// panics (the first panic then resumes here).
    ///
    /// Deviation: a second close returns false where Go panics.
    pub(crate) fn close(&self) -> bool {
        let mut wakers = Vec::new();
        let mut st = self.lock();
        let closed = st.close(&mut wakers);
        drop(st);
        wake_all(wakers, || {});
        closed
    }

    /// The last `Receiver` is gone (Rust only: Go has no handles): close, and
    /// drop the buffered values now, after unlocking and waking, since
    /// nobody can receive them any more.
    pub(crate) fn close_and_drain(&self) {
        let mut wakers = Vec::new();
        let mut st = self.lock();
        st.close(&mut wakers);
        let values = st.take_values();
        drop(st);
        wake_all(wakers, || drop(values));
    }
}
