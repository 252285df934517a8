//! Go's test/chan/*.go, test/chancap.go and test/closedchan.go (go1.23),
//! re-expressed for plain channel operations (the select forms are in
//! gort-select's tests).
#![cfg(not(gort_loom))]

use gort_chan::{Receiver, RecvError, Sender, TryRecvError, TrySendError, bounded};

/// fifo.go AsynchFifo: a buffered channel is FIFO.
#[test]
fn asynch_fifo() {
    const N: i32 = 10;
    let (tx, rx) = bounded(N as usize);
    for i in 0..N {
        tx.send_blocking(i).unwrap();
    }
    for i in 0..N {
        assert_eq!(rx.recv_blocking(), Ok(i));
    }
}

/// fifo.go SynchFifo: a daisy chain of threads reads an unbuffered channel
/// in sequence; each link waits for the previous one.
#[test]
fn synch_fifo() {
    const N: i32 = 10;
    let (ch_tx, ch_rx) = bounded::<i32>(0);
    let (start_tx, mut input) = bounded::<i32>(0);
    let mut links = Vec::new();
    for i in 0..N {
        let (out_tx, out_rx) = bounded::<i32>(0);
        let ch = ch_rx.clone();
        links.push(std::thread::spawn(move || {
            input.recv_blocking().unwrap();
            assert_eq!(ch.recv_blocking(), Ok(i));
            out_tx.send_blocking(1).unwrap();
        }));
        input = out_rx;
    }
    start_tx.send_blocking(0).unwrap();
    for i in 0..N {
        ch_tx.send_blocking(i).unwrap();
    }
    input.recv_blocking().unwrap();
    links.into_iter().for_each(|l| l.join().unwrap());
}

/// goroutines.go: a relay chain of 10,000 links, each `left <- <-right`.
/// Threads for Go's goroutines would be 10,000 OS threads; the relay runs as
/// tasks on a 2-worker runtime instead, plus a thread-based chain of 200.
#[test]
fn goroutines_relay_chain() {
    fn chain<F>(n: usize, mut spawn: F) -> (Sender<i32>, Receiver<i32>)
    where
        F: FnMut(Sender<i32>, Receiver<i32>),
    {
        let (leftmost_tx, leftmost_rx) = bounded::<i32>(0);
        let mut left = leftmost_tx;
        for _ in 0..n {
            let (right_tx, right_rx) = bounded::<i32>(0);
            spawn(left, right_rx);
            left = right_tx;
        }
        (left, leftmost_rx)
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let (right, leftmost) = chain(10_000, |left, right| {
        rt.spawn(async move { left.send(right.recv().await.unwrap()).await.unwrap() });
    });
    rt.spawn(async move { right.send(1).await.unwrap() });
    assert_eq!(rt.block_on(leftmost.recv()), Ok(1));

    let mut threads = Vec::new();
    let (right, leftmost) = chain(200, |left, right| {
        threads.push(std::thread::spawn(move || {
            left.send_blocking(right.recv_blocking().unwrap()).unwrap()
        }));
    });
    std::thread::spawn(move || right.send_blocking(1).unwrap());
    assert_eq!(leftmost.recv_blocking(), Ok(1));
    threads.into_iter().for_each(|t| t.join().unwrap());
}

/// nonblock.go: non-blocking sends and receives on unbuffered and 1-buffered
/// channels of several element types find the blocked peer. Go retries with
/// short sleeps; here the retry loop yields, and terminates because the peer
/// eventually blocks.
#[test]
fn nonblock() {
    fn exchange<T: PartialEq + Clone + Send + std::fmt::Debug + 'static>(
        buffer: usize,
        to_peer: T,
        from_peer: T,
    ) {
        let (tx, rx) = bounded::<T>(buffer);
        let (strobe_tx, strobe_rx) = bounded::<bool>(0);
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty), "blocked sender");
        // receiver peer
        let (rx2, strobe) = (rx.clone(), strobe_tx.clone());
        let want = to_peer.clone();
        std::thread::spawn(move || {
            assert_eq!(rx2.recv_blocking(), Ok(want));
            strobe.send_blocking(true).unwrap();
        });
        let mut v = to_peer;
        loop {
            match tx.try_send(v) {
                Ok(()) => break,
                Err(TrySendError::Full(back)) => v = back,
                Err(e) => panic!("{e}"),
            }
            std::thread::yield_now();
        }
        strobe_rx.recv_blocking().unwrap();
        // sender peer
        let (tx2, strobe) = (tx.clone(), strobe_tx.clone());
        let send = from_peer.clone();
        std::thread::spawn(move || {
            tx2.send_blocking(send).unwrap();
            strobe.send_blocking(true).unwrap();
        });
        if buffer > 0 {
            strobe_rx.recv_blocking().unwrap();
        }
        let got = loop {
            match rx.try_recv() {
                Ok(v) => break v,
                Err(TryRecvError::Empty) => std::thread::yield_now(),
                Err(e) => panic!("{e}"),
            }
        };
        assert_eq!(got, from_peer);
        if buffer == 0 {
            strobe_rx.recv_blocking().unwrap();
        }
    }
    for buffer in 0..2 {
        exchange::<i32>(buffer, 123, 234);
        exchange::<i64>(buffer, 123456, 234567);
        exchange::<bool>(buffer, true, true);
        exchange::<String>(buffer, "hello".into(), "hello again".into());
    }
}

/// sieve1.go: the concurrent prime sieve; the first 25 primes.
#[test]
fn sieve1() {
    fn generate(ch: Sender<i32>) {
        let mut i = 2;
        while ch.send_blocking(i).is_ok() {
            i += 1;
        }
    }
    fn filter(input: Receiver<i32>, out: Sender<i32>, prime: i32) {
        for i in &input {
            if i % prime != 0 && out.send_blocking(i).is_err() {
                return;
            }
        }
    }
    let (tx, mut ch) = bounded::<i32>(0);
    std::thread::spawn(move || generate(tx));
    let mut primes = Vec::new();
    for _ in 0..25 {
        let prime = ch.recv_blocking().unwrap();
        primes.push(prime);
        let (tx, next) = bounded::<i32>(0);
        let input = std::mem::replace(&mut ch, next);
        std::thread::spawn(move || filter(input, tx, prime));
    }
    // Dropping the last receiver unwinds the chain: every stage's send fails.
    drop(ch);
    assert_eq!(
        primes,
        [
            2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83,
            89, 97
        ]
    );
}

/// zerosize.go: channels of zero-sized elements, buffered and unbuffered.
#[test]
fn zero_size() {
    for cap in [0, 1, 16] {
        let (tx, rx) = bounded::<()>(cap);
        let (tx2, rx2) = bounded::<[u8; 0]>(cap);
        let t = std::thread::spawn(move || {
            for _ in 0..100 {
                tx.send_blocking(()).unwrap();
                tx2.send_blocking([]).unwrap();
            }
        });
        for _ in 0..100 {
            assert_eq!(rx.recv_blocking(), Ok(()));
            assert_eq!(rx2.recv_blocking(), Ok([]));
        }
        t.join().unwrap();
    }
    // A huge capacity of a zero-sized type needs no memory.
    let (tx, rx) = bounded::<()>(1 << 40);
    tx.send_blocking(()).unwrap();
    assert_eq!((rx.len(), rx.capacity()), (1, 1 << 40));
}

/// A large element type.
#[test]
fn large_elements() {
    let (tx, rx) = bounded::<[u64; 512]>(2);
    let t = std::thread::spawn(move || {
        for i in 0..50u64 {
            tx.send_blocking([i; 512]).unwrap();
        }
    });
    for i in 0..50u64 {
        let v = rx.recv_blocking().unwrap();
        assert!(v.iter().all(|&x| x == i));
    }
    t.join().unwrap();
}

/// chancap.go: len and cap; impossible sizes panic with Go's message.
#[test]
fn chancap() {
    let (tx, _rx) = bounded::<i32>(10);
    assert_eq!((tx.len(), tx.capacity()), (0, 10));
    for i in 0..3 {
        tx.send_blocking(i).unwrap();
    }
    assert_eq!((tx.len(), tx.capacity()), (3, 10));
    let (tx, rx) = bounded::<i32>(0);
    assert_eq!((tx.len(), tx.capacity()), (0, 0));
    assert!(
        rx.is_empty() && rx.is_full(),
        "cap 0 is both empty and full"
    );
    for n in [usize::MAX, 1 << 59, (1usize << 63) - 1] {
        let err = std::panic::catch_unwind(|| bounded::<i64>(n)).unwrap_err();
        let msg = err.downcast_ref::<String>().unwrap();
        assert!(msg.contains("makechan: size out of range"), "{msg}");
    }
}

/// closedchan.go, direct operations: a closed channel receives its buffered
/// values then reports closed; non-blocking receives count as selected; sends
/// and a second close fail (Go panics).
#[test]
fn closed_chan() {
    for cap in [0, 1] {
        let (tx, rx) = bounded::<i32>(cap);
        if cap == 1 {
            tx.send_blocking(1).unwrap();
        }
        assert!(tx.close());
        if cap == 1 {
            assert_eq!(
                rx.recv_blocking(),
                Ok(1),
                "a closed chan with a value first gives it"
            );
        }
        assert_eq!(rx.recv_blocking(), Err(RecvError));
        assert_eq!(
            rx.try_recv(),
            Err(TryRecvError::Closed),
            "non-blocking receive is selected"
        );
        assert_eq!(
            rx.recv_timeout(std::time::Duration::ZERO),
            Err(gort_chan::RecvTimeoutError::Closed)
        );
        assert_eq!(tx.send_blocking(2).unwrap_err().0, 2);
        assert_eq!(tx.try_send(3), Err(TrySendError::Closed(3)));
        assert!(!tx.close(), "second close");
        assert!(!rx.close(), "second close");
        assert!(tx.is_closed() && rx.is_closed());
    }
}
