//! A panicking `Waker::wake` during a wake-up of several waiters (a close)
//! never leaves the others marked done but asleep: every waiter is woken,
//! then the panic resumes in the closing thread.
#![cfg(not(gort_loom))]

mod common;

use common::{counting_waker, poll_once};
use gort_chan::{RecvError, bounded};
use std::pin::pin;
use std::sync::Arc;
use std::task::{Poll, Wake, Waker};

struct Bomb;

impl Wake for Bomb {
    fn wake(self: Arc<Self>) {
        panic!("a waker that panics");
    }
}

#[test]
fn close_wakes_every_waiter_even_if_one_waker_panics() {
    for bomb_first in [true, false] {
        let (tx, rx) = bounded::<u32>(0);
        let bomb = Waker::from(Arc::new(Bomb));
        let (good, count) = counting_waker();
        let mut first = pin!(rx.recv());
        let mut second = pin!(rx.recv());
        let (w1, w2) = if bomb_first {
            (&bomb, &good)
        } else {
            (&good, &bomb)
        };
        assert!(poll_once(first.as_mut(), w1).is_pending());
        assert!(poll_once(second.as_mut(), w2).is_pending());
        let closed = std::panic::catch_unwind(|| tx.close());
        assert!(closed.is_err(), "the waker's panic reaches the closer");
        assert!(tx.is_closed());
        assert_eq!(count.count(), 1, "the other waiter was woken");
        assert_eq!(
            poll_once(first.as_mut(), &good),
            Poll::Ready(Err(RecvError))
        );
        assert_eq!(
            poll_once(second.as_mut(), &good),
            Poll::Ready(Err(RecvError))
        );
    }
}
