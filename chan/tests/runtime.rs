//! Blocking and async callers mixed on the same channels, on a real tokio
//! runtime.
#![cfg(not(gort_loom))]

mod common;

use gort_chan::bounded;
use std::time::Duration;

#[test]
fn blocked_thread_and_async_task_meet() {
    let rt = common::runtime();
    for cap in [0, 1, 16] {
        // A thread blocked in recv_blocking, a task awaiting send.
        let (tx, rx) = bounded::<u32>(cap);
        let receiver = std::thread::spawn(move || rx.iter().collect::<Vec<_>>());
        rt.block_on(async move {
            for i in 0..1000 {
                tx.send(i).await.unwrap();
            }
        });
        assert_eq!(receiver.join().unwrap(), (0..1000).collect::<Vec<_>>());
        // A thread blocked in send_blocking, a task awaiting recv.
        let (tx, rx) = bounded::<u32>(cap);
        let sender = std::thread::spawn(move || {
            for i in 0..1000 {
                tx.send_blocking(i).unwrap();
            }
        });
        let got = rt.block_on(async move {
            let mut got = Vec::new();
            while let Ok(v) = rx.recv().await {
                got.push(v);
            }
            got
        });
        sender.join().unwrap();
        assert_eq!(got, (0..1000).collect::<Vec<_>>());
    }
}

/// Receives cancelled by timeouts and by `tokio::select!` lose nothing.
#[test]
fn cancelled_receives_lose_nothing() {
    let rt = common::runtime();
    for cap in [0, 1, 8] {
        let (tx, rx) = bounded::<u64>(cap);
        let (tx2, rx2) = bounded::<u64>(cap);
        let n = 2000u64;
        rt.block_on(async move {
            let p1 = tokio::spawn(async move {
                for i in 0..n {
                    tx.send(i).await.unwrap();
                    if i % 7 == 0 {
                        tokio::task::yield_now().await;
                    }
                }
            });
            let p2 = tokio::spawn(async move {
                for i in 0..n {
                    tx2.send(i).await.unwrap();
                }
            });
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let (mut a_open, mut b_open) = (true, true);
            while a_open || b_open {
                tokio::select! {
                    r = rx.recv(), if a_open => match r {
                        Ok(v) => a.push(v),
                        Err(_) => a_open = false,
                    },
                    r = rx2.recv(), if b_open => match r {
                        Ok(v) => b.push(v),
                        Err(_) => b_open = false,
                    },
                }
                if a.len() % 5 == 0 {
                    // Occasionally race a receive against an instant timeout.
                    if let Ok(Ok(v)) = tokio::time::timeout(Duration::ZERO, rx.recv()).await {
                        a.push(v);
                    }
                }
            }
            p1.await.unwrap();
            p2.await.unwrap();
            assert_eq!(a, (0..n).collect::<Vec<_>>(), "cap {cap}");
            assert_eq!(b, (0..n).collect::<Vec<_>>(), "cap {cap}");
        });
    }
}

/// Go's ChanSync shape: two tasks ping-pong over two unbuffered channels.
#[test]
fn ping_pong_tasks() {
    let rt = common::runtime();
    let (ping_tx, ping_rx) = bounded::<u32>(0);
    let (pong_tx, pong_rx) = bounded::<u32>(0);
    rt.block_on(async move {
        let echo = tokio::spawn(async move {
            while let Ok(v) = ping_rx.recv().await {
                pong_tx.send(v + 1).await.unwrap();
            }
        });
        for i in 0..5000 {
            ping_tx.send(i).await.unwrap();
            assert_eq!(pong_rx.recv().await, Ok(i + 1));
        }
        drop(ping_tx);
        echo.await.unwrap();
    });
}

#[cfg(feature = "stream")]
#[test]
fn stream_yields_every_value_then_ends() {
    use futures_core::Stream;
    use std::pin::pin;
    let rt = common::runtime();
    rt.block_on(async {
        let (tx, rx) = bounded::<u32>(2);
        tokio::spawn(async move {
            for i in 0..100 {
                tx.send(i).await.unwrap();
            }
        });
        let mut s = pin!(rx.stream());
        let mut got = Vec::new();
        while let Some(v) = std::future::poll_fn(|cx| s.as_mut().poll_next(cx)).await {
            got.push(v);
        }
        assert_eq!(got, (0..100).collect::<Vec<_>>());
        assert!(futures_core::FusedStream::is_terminated(&*s));
    });
}
