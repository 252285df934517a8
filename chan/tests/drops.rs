//! Every value is dropped exactly once, wherever it ends up; user code that
//! re-enters the channel from `Drop` or from a waker neither deadlocks nor
//! corrupts it (no user code runs under the channel lock).
#![cfg(not(gort_loom))]

mod common;

use common::{Tracked, Tracker, counting_waker, poll_once};
use gort_chan::{Receiver, Sender, TryRecvError, bounded};
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::{Wake, Waker};

#[test]
fn buffered_values_are_dropped_when_the_channel_is_freed() {
    for cap in [1, 8, 64] {
        let tracker = Tracker::new();
        let (tx, rx) = bounded(cap);
        for i in 0..cap as u64 {
            tx.send_blocking(tracker.make(i)).unwrap();
        }
        let tx2 = tx.clone();
        drop(tx);
        assert_eq!(tracker.live(), cap as isize);
        drop(rx); // last receiver: the buffer is dropped at once
        assert_eq!(tracker.live(), 0);
        assert!(tx2.is_closed());
        let back = tx2.try_send(tracker.make(100)).unwrap_err();
        assert!(back.is_closed());
        assert_eq!(back.into_inner().id, 100, "a failed send returns the value");
        assert_eq!(tracker.live(), 0);
        assert_eq!(tracker.created(), tracker.dropped());
    }
}

#[test]
fn dropping_all_senders_keeps_the_buffer_for_receivers() {
    let tracker = Tracker::new();
    let (tx, rx) = bounded(4);
    for i in 0..4 {
        tx.send_blocking(tracker.make(i)).unwrap();
    }
    drop(tx);
    assert_eq!(tracker.live(), 4);
    assert_eq!(rx.iter().map(|t| t.id).collect::<Vec<_>>(), [0, 1, 2, 3]);
    assert_eq!(tracker.live(), 0);
}

#[test]
fn blocked_senders_get_their_values_back_when_the_last_receiver_goes() {
    let tracker = Tracker::new();
    let (tx, rx) = bounded(0);
    let senders: Vec<_> = (0..4)
        .map(|i| {
            let tx = tx.clone();
            let t = tracker.make(i);
            std::thread::spawn(move || tx.send_blocking(t).unwrap_err().0.id)
        })
        .collect();
    // Senders already blocked are woken by the close; the others find the
    // channel closed. Either way each gets its own value back.
    drop(rx);
    let mut back: Vec<u64> = senders.into_iter().map(|s| s.join().unwrap()).collect();
    back.sort();
    assert_eq!(back, [0, 1, 2, 3]);
    assert_eq!(tracker.live(), 0);
    drop(tx);
}

#[test]
fn values_of_a_dropped_pending_send_are_dropped_once() {
    let tracker = Tracker::new();
    let (tx, _rx) = bounded(0);
    let (waker, _) = counting_waker();
    for i in 0..10 {
        let mut s = pin!(tx.send(tracker.make(i)));
        assert!(poll_once(s.as_mut(), &waker).is_pending());
    }
    assert_eq!(tracker.live(), 0);
    assert_eq!(tracker.dropped(), 10);
}

/// A value whose `Drop` sends on and closes the very channel that drops it.
struct Reentrant {
    tx: Option<Sender<Reentrant>>,
    tracker: Arc<Tracker>,
    _t: Tracked,
}

impl Reentrant {
    fn new(tx: Option<Sender<Reentrant>>, tracker: &Arc<Tracker>) -> Self {
        Self {
            tx,
            tracker: tracker.clone(),
            _t: tracker.make(0),
        }
    }
}

impl Drop for Reentrant {
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take() {
            // The channel is closed by now (it is dropping its buffer).
            assert!(tx.try_send(Reentrant::new(None, &self.tracker)).is_err());
            assert!(
                tx.send_blocking(Reentrant::new(None, &self.tracker))
                    .is_err()
            );
            assert!(!tx.close());
        }
    }
}

#[test]
fn drop_of_a_buffered_value_re_enters_the_channel() {
    let tracker = Tracker::new();
    let (tx, rx) = bounded::<Reentrant>(4);
    for _ in 0..4 {
        tx.send_blocking(Reentrant::new(Some(tx.clone()), &tracker))
            .unwrap();
    }
    drop(rx); // drops the buffer, whose values send on and close the channel
    assert!(tx.is_closed());
    drop(tx);
    assert_eq!(tracker.live(), 0);
    assert_eq!(tracker.created(), 12);
}

/// A waker that receives from the channel it is woken by.
struct Greedy {
    rx: Receiver<u32>,
    got: Mutex<Vec<Result<u32, TryRecvError>>>,
}

impl Wake for Greedy {
    fn wake(self: Arc<Self>) {
        let r = self.rx.try_recv();
        self.got.lock().unwrap().push(r);
    }
}

#[test]
fn a_waker_may_call_back_into_the_channel() {
    let (tx, rx) = bounded::<u32>(1);
    let greedy = Arc::new(Greedy {
        rx: rx.clone(),
        got: Mutex::new(Vec::new()),
    });
    let waker = Waker::from(greedy.clone());
    let mut r = pin!(rx.recv());
    assert!(poll_once(r.as_mut(), &waker).is_pending());
    tx.send_blocking(1).unwrap(); // handed to `r`; wake runs try_recv: empty
    tx.send_blocking(2).unwrap(); // buffered
    assert_eq!(*greedy.got.lock().unwrap(), [Err(TryRecvError::Empty)]);
    assert_eq!(poll_once(r.as_mut(), &waker), std::task::Poll::Ready(Ok(1)));
    // A close wakes pending receivers; their wakers drain the channel.
    let mut r2 = pin!(rx.recv());
    assert_eq!(
        poll_once(r2.as_mut(), &waker),
        std::task::Poll::Ready(Ok(2))
    );
    let mut r3 = pin!(rx.recv());
    assert!(poll_once(r3.as_mut(), &waker).is_pending());
    tx.close();
    assert_eq!(
        greedy.got.lock().unwrap().last(),
        Some(&Err(TryRecvError::Closed))
    );
}
