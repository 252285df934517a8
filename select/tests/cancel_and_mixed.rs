//! Async selects: cancel-safety (a dropped select loses nothing), blocking
//! and async selects on the same channels at once, bodies that return,
//! break and use `?`, and the dynamic `Select` handing values back.
#![cfg(not(gort_loom))]

use gort_chan::{RecvError, SendError, TryRecvError, bounded};
use gort_select::{Select, select, select_blocking};
use gort_testkit::poll_noop;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;

/// A queued select is dropped after a sender handed a value to one of its
/// receive arms: the value goes back to that channel; the other arms leave
/// their queues.
#[test]
fn dropped_select_returns_a_received_value() {
    for cap in [0, 1] {
        let (tx1, rx1) = bounded::<u32>(cap);
        let (tx2, rx2) = bounded::<u32>(cap);
        {
            let mut f = pin!(async {
                select! {
                    recv(rx1) -> v => v,
                    recv(rx2) -> v => v,
                }
            });
            assert!(poll_noop(f.as_mut()).is_pending());
            tx1.try_send(11).unwrap(); // handed to the select's arm
            // dropped without being polled again
        }
        assert_eq!(rx1.try_recv(), Ok(11), "the value went back");
        // No ghost waiter on rx2: an unbuffered send finds nobody.
        if cap == 0 {
            assert!(tx2.try_send(1).unwrap_err().is_full());
        } else {
            tx2.try_send(1).unwrap();
            assert_eq!(rx2.try_recv(), Ok(1));
        }
    }
}

/// A dropped select whose send arm was still queued sends nothing.
#[test]
fn dropped_select_sends_nothing() {
    let (tx, rx) = bounded::<u32>(0);
    let (_idle_tx, idle) = bounded::<u32>(0);
    {
        let mut f = pin!(async {
            select! {
                send(tx, 5) -> r => r,
                recv(idle) -> _ => Ok(()),
            }
        });
        assert!(poll_noop(f.as_mut()).is_pending());
    }
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

/// Drop a select future at every poll count while a sender races it on
/// another thread: every value is received exactly once, in order.
#[test]
fn drop_select_at_every_point_with_a_racing_sender() {
    for cap in [0, 1, 4] {
        for polls in 0..3 {
            let (tx, rx) = bounded::<u64>(cap);
            let (_other_tx, other) = bounded::<u64>(0);
            let sender =
                std::thread::spawn(move || (0..300).for_each(|i| tx.send_blocking(i).unwrap()));
            let mut got = Vec::new();
            while got.len() < 300 {
                let mut f = Box::pin(async {
                    select! {
                        recv(rx) -> v => v,
                        recv(other) -> v => v,
                    }
                });
                for _ in 0..polls {
                    if let Poll::Ready(v) = poll_noop(f.as_mut()) {
                        got.push(v.unwrap());
                        break;
                    }
                }
                drop(f);
                if let Ok(v) = rx.try_recv() {
                    got.push(v);
                }
            }
            sender.join().unwrap();
            assert_eq!(got, (0..300).collect::<Vec<_>>(), "cap {cap} polls {polls}");
        }
    }
}

/// Blocking and async selects on the same channels at once: every value
/// sent is received exactly once.
#[test]
fn blocking_and_async_selects_together() {
    const PER: u64 = 5000;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let (a_tx, a) = bounded::<u64>(0);
    let (b_tx, b) = bounded::<u64>(3);
    let total = Arc::new(AtomicUsize::new(0));
    let sum = Arc::new(AtomicUsize::new(0));
    std::thread::scope(|s| {
        // Producers: a thread selecting between the two channels, and a task.
        let (a1, b1) = (a_tx.clone(), b_tx.clone());
        s.spawn(move || {
            for i in 0..PER {
                select_blocking! {
                    send(a1, i) -> r => r.unwrap(),
                    send(b1, i) -> r => r.unwrap(),
                }
            }
        });
        let (a2, b2) = (a_tx.clone(), b_tx.clone());
        let task = rt.spawn(async move {
            for i in PER..2 * PER {
                select! {
                    send(a2, i) -> r => r.unwrap(),
                    send(b2, i) -> r => r.unwrap(),
                }
            }
        });
        drop((a_tx, b_tx));
        // Consumers: a thread and a task, both selecting.
        let (ac, bc, t, su) = (a.clone(), b.clone(), total.clone(), sum.clone());
        s.spawn(move || {
            loop {
                let v = select_blocking! {
                    recv(ac) -> v => v,
                    recv(bc) -> v => v,
                };
                match v {
                    Ok(v) => {
                        t.fetch_add(1, Ordering::Relaxed);
                        su.fetch_add(v as usize, Ordering::Relaxed);
                    }
                    // one channel closed and drained: drain the other
                    Err(RecvError) => {
                        for v in ac.iter().chain(bc.iter()) {
                            t.fetch_add(1, Ordering::Relaxed);
                            su.fetch_add(v as usize, Ordering::Relaxed);
                        }
                        return;
                    }
                }
            }
        });
        let (t, su) = (total.clone(), sum.clone());
        let consumer = rt.spawn(async move {
            loop {
                let v = select! {
                    recv(a) -> v => v,
                    recv(b) -> v => v,
                };
                match v {
                    Ok(v) => {
                        t.fetch_add(1, Ordering::Relaxed);
                        su.fetch_add(v as usize, Ordering::Relaxed);
                    }
                    Err(RecvError) => {
                        while let Ok(v) = a.recv().await {
                            t.fetch_add(1, Ordering::Relaxed);
                            su.fetch_add(v as usize, Ordering::Relaxed);
                        }
                        while let Ok(v) = b.recv().await {
                            t.fetch_add(1, Ordering::Relaxed);
                            su.fetch_add(v as usize, Ordering::Relaxed);
                        }
                        return;
                    }
                }
            }
        });
        rt.block_on(async {
            task.await.unwrap();
            consumer.await.unwrap();
        });
    });
    assert_eq!(total.load(Ordering::Relaxed), 2 * PER as usize);
    let n = 2 * PER;
    assert_eq!(sum.load(Ordering::Relaxed), (n * (n - 1) / 2) as usize);
}

/// Bodies are inline: `return`, `break` and `?` act on the enclosing
/// function or loop.
#[test]
fn bodies_can_return_break_and_use_question_mark() {
    // `break` leaves the enclosing loop; `?` returns from the function.
    fn sum_until_empty(rx: &gort_chan::Receiver<u32>) -> Result<u32, RecvError> {
        let mut sum = 0;
        loop {
            select_blocking! {
                recv(rx) -> v => sum += v?,
                default => break,
            }
        }
        Ok(sum)
    }
    // `return` returns from the function.
    fn first(rx: &gort_chan::Receiver<u32>) -> Option<u32> {
        select_blocking! {
            recv(rx) -> v => return v.ok(),
            default => {}
        }
        None
    }
    let (tx, rx) = bounded::<u32>(3);
    assert_eq!(first(&rx), None);
    for i in 1..=3 {
        tx.send_blocking(i).unwrap();
    }
    assert_eq!(first(&rx), Some(1));
    assert_eq!(sum_until_empty(&rx), Ok(5), "the default breaks once empty");
    tx.close();
    assert_eq!(
        sum_until_empty(&rx),
        Err(RecvError),
        "closed: `?` returns the error"
    );
}

/// A select is usable in a `Send` future and on a multi-thread runtime.
#[test]
fn select_future_is_send() {
    fn assert_send<F: Future + Send>(f: F) -> F {
        f
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let (tx, rx) = bounded::<String>(0);
    let h = rt.spawn(assert_send(async move {
        select! {
            recv(rx) -> v => v.unwrap(),
        }
    }));
    rt.block_on(async {
        tx.send("hi".to_string()).await.unwrap();
        assert_eq!(h.await.unwrap(), "hi");
    });
}

/// The dynamic `Select` hands unsent values back, and `try_select` hands the
/// whole select back when nothing is ready.
#[test]
fn dynamic_select_hands_values_back() {
    let (tx1, rx1) = bounded::<String>(0);
    let (tx2, rx2) = bounded::<String>(1);
    let mut sel = Select::new();
    let a = sel.send(&tx1, "one".to_string());
    let b = sel.send(&tx2, "two".to_string());
    let mut sel = match sel.try_select() {
        Ok(mut done) => {
            // Only tx2 has room.
            assert_eq!(done.index(), b);
            assert_eq!(done.send(&tx2), Ok(()));
            assert_eq!(done.unsent(a, &tx1).as_deref(), Some("one"));
            assert_eq!(rx2.try_recv().as_deref(), Ok("two"));
            Select::new()
        }
        Err(_) => panic!("tx2 had room"),
    };
    let c = sel.recv(&rx1);
    let sel = sel.try_select().expect_err("rx1 is empty");
    assert_eq!(sel.len(), 1);
    let h = std::thread::spawn(move || tx1.send_blocking("three".to_string()));
    let mut done = sel.select_blocking();
    assert_eq!(done.index(), c);
    assert_eq!(done.recv(&rx1).as_deref(), Ok("three"));
    h.join().unwrap().unwrap();
    // A send arm on a closed channel yields Err with the value.
    drop(rx2);
    let mut sel = Select::new();
    sel.send(&tx2, "four".to_string());
    let mut done = sel.select_blocking();
    assert_eq!(done.send(&tx2), Err(SendError("four".to_string())));
}

#[test]
#[should_panic(expected = "is not a receive on this channel")]
fn selected_recv_on_the_wrong_channel_panics() {
    let (tx, rx) = bounded::<u8>(1);
    let (_tx2, rx2) = bounded::<u8>(1);
    tx.send_blocking(1).unwrap();
    let mut sel = Select::new();
    sel.recv(&rx);
    let mut done = sel.select_blocking();
    let _ = done.recv(&rx2);
}
