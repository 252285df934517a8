//! `RecvOnly` (Go's `<-chan T`) is a receiver of its channel in every way
//! but closing: it keeps the channel open while it lives, and the last
//! receiver of either kind closes the channel when dropped.
#![cfg(not(gort_loom))]

use gort_chan::{RecvOnly, TryRecvError, TrySendError, bounded};

#[test]
fn a_view_keeps_the_channel_open_and_the_last_receiver_closes_it() {
    let (tx, rx) = bounded::<u32>(1);
    let view = rx.recv_only();
    drop(rx);
    assert!(!tx.is_closed(), "the view is still a receiver");
    tx.try_send(1).unwrap();
    let clone = view.clone();
    drop(view);
    assert_eq!(clone.try_recv(), Ok(1));
    drop(clone);
    assert!(tx.is_closed());
    assert_eq!(tx.try_send(2), Err(TrySendError::Closed(2)));
}

#[test]
fn a_view_drains_then_reports_closed() {
    let (tx, rx) = bounded::<u32>(3);
    let view = RecvOnly::from(rx);
    for i in 0..3 {
        tx.send_blocking(i).unwrap();
    }
    assert_eq!((view.len(), view.capacity(), view.is_full()), (3, 3, true));
    tx.close();
    assert!(view.is_closed());
    assert_eq!(view.iter().collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(view.try_recv(), Err(TryRecvError::Closed));
    assert!(view.recv_blocking().is_err());
    assert_eq!(
        format!("{view:?}"),
        "RecvOnly(Receiver { len: 0, capacity: 3, closed: true })"
    );
}

#[test]
fn views_are_send_sync_clone_and_unwind_safe() {
    fn check<T: Send + Sync + Clone + std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}
    check::<RecvOnly<String>>();
}

#[test]
fn a_view_receives_from_a_task_and_a_thread() {
    let (tx, rx) = bounded::<u32>(0);
    let view = rx.recv_only();
    let sender = std::thread::spawn(move || {
        tx.send_blocking(1).unwrap();
        tx.send_blocking(2).unwrap();
    });
    assert_eq!(view.recv_blocking(), Ok(1));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(rt.block_on(view.recv()), Ok(2));
    sender.join().unwrap();
    assert!(rt.block_on(view.recv()).is_err());
}
