//! Closing: Go's `closechan` (runtime/chan.go), and the Rust rules for the
//! last handle of each side.

use crate::hchan::Chan;
use std::collections::VecDeque;

impl<T> Chan<T> {
    /// Go's `closechan`: marks the channel closed and releases every waiter
    /// (receivers drain what is buffered, then see the close; senders get
    /// their value back). Wakes them after unlocking.
    ///
    /// Deviation: a second close returns false where Go panics.
    pub(crate) fn close(&self) -> bool {
        let mut wakers = Vec::new();
        let mut st = self.lock();
        let closed = st.close(&mut wakers);
        drop(st);
        wakers.into_iter().for_each(|w| w.wake());
        closed
    }

    /// The last `Receiver` is gone (Rust only: Go has no handles): close, and
    /// drop the buffered values now, after unlocking, since nobody can
    /// receive them any more.
    pub(crate) fn close_and_drain(&self) {
        let mut wakers = Vec::new();
        let mut st = self.lock();
        st.close(&mut wakers);
        let buf = std::mem::take(&mut st.buf);
        let returned = std::mem::take(&mut st.returned);
        drop(st);
        wakers.into_iter().for_each(|w| w.wake());
        drop::<(VecDeque<T>, VecDeque<T>)>((buf, returned));
    }
}
