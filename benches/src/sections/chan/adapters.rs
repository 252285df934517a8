//! One face per channel implementation, so every workload shape runs the
//! same code against gort and each peer.

use std::future::Future;

/// A channel used from OS threads.
pub trait Blocking: 'static {
    /// The name in the report.
    const NAME: &'static str;
    /// The smallest capacity it supports (async-channel has no rendezvous).
    const MIN_CAP: usize = 0;
    /// Whether receivers can be cloned (std's cannot).
    const MPMC: bool = true;
    /// The sending half.
    type Tx: Clone + Send + 'static;
    /// The receiving half.
    type Rx: Send + 'static;
    /// A channel with `cap` slots.
    fn channel(cap: usize) -> (Self::Tx, Self::Rx);
    /// Another receiver of the same channel (only called when `MPMC`).
    fn clone_rx(rx: &Self::Rx) -> Self::Rx;
    /// Blocking send; the channel stays open for the whole workload.
    fn send(tx: &Self::Tx, v: usize);
    /// Blocking receive.
    fn recv(rx: &mut Self::Rx) -> usize;
    /// Non-blocking receive.
    fn try_recv(rx: &mut Self::Rx) -> Option<usize>;
}

/// A channel used from async tasks.
pub trait Async: 'static {
    /// The name in the report.
    const NAME: &'static str;
    /// The smallest capacity it supports.
    const MIN_CAP: usize = 0;
    /// Whether receivers can be cloned (tokio's mpsc cannot).
    const MPMC: bool = true;
    /// The sending half.
    type Tx: Clone + Send + Sync + 'static;
    /// The receiving half.
    type Rx: Send + Sync + 'static;
    /// A channel with `cap` slots.
    fn channel(cap: usize) -> (Self::Tx, Self::Rx);
    /// Another receiver of the same channel (only called when `MPMC`).
    fn clone_rx(rx: &Self::Rx) -> Self::Rx;
    /// Sends `v`.
    fn send(tx: &Self::Tx, v: usize) -> impl Future<Output = ()> + Send + '_;
    /// Receives a value.
    fn recv(rx: &mut Self::Rx) -> impl Future<Output = usize> + Send + '_;
}

const OPEN: &str = "the channel stays open during a workload";

/// gort-chan.
#[derive(Debug)]
pub struct Gort;
/// `std::sync::mpsc::sync_channel`.
#[derive(Debug)]
pub struct Std;
/// crossbeam-channel.
#[derive(Debug)]
pub struct Crossbeam;
/// flume.
#[derive(Debug)]
pub struct Flume;
/// kanal.
#[derive(Debug)]
pub struct Kanal;
/// async-channel.
#[derive(Debug)]
pub struct AsyncChannel;
/// `tokio::sync::mpsc`.
#[derive(Debug)]
pub struct Tokio;

impl Blocking for Std {
    const NAME: &'static str = "std";
    const MPMC: bool = false;
    type Tx = std::sync::mpsc::SyncSender<usize>;
    type Rx = std::sync::mpsc::Receiver<usize>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        std::sync::mpsc::sync_channel(cap)
    }
    fn clone_rx(_: &Self::Rx) -> Self::Rx {
        unreachable!("std's receiver is single-consumer")
    }
    fn send(tx: &Self::Tx, v: usize) {
        tx.send(v).expect(OPEN)
    }
    fn recv(rx: &mut Self::Rx) -> usize {
        rx.recv().expect(OPEN)
    }
    fn try_recv(rx: &mut Self::Rx) -> Option<usize> {
        rx.try_recv().ok()
    }
}

/// `Blocking` for a multi-consumer channel: `channel` builds it, the halves
/// `send`/`recv` methods return a `Result`, and `try_recv(rx)` is given.
macro_rules! blocking {
    ($impl:ident {
        name: $name:literal,
        $(min_cap: $min:literal,)?
        halves: $tx:ty, $rx:ty,
        channel: $channel:path,
        send: $send:ident,
        recv: $recv:ident,
        try_recv($r:ident) => $try_recv:expr $(,)?
    }) => {
        impl Blocking for $impl {
            const NAME: &'static str = $name;
            $(const MIN_CAP: usize = $min;)?
            type Tx = $tx;
            type Rx = $rx;
            fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
                $channel(cap)
            }
            fn clone_rx(rx: &Self::Rx) -> Self::Rx {
                rx.clone()
            }
            fn send(tx: &Self::Tx, v: usize) {
                tx.$send(v).expect(OPEN)
            }
            fn recv(rx: &mut Self::Rx) -> usize {
                rx.$recv().expect(OPEN)
            }
            fn try_recv($r: &mut Self::Rx) -> Option<usize> {
                $try_recv
            }
        }
    };
}

/// `Async` for a multi-consumer channel whose halves' `send`/`recv` methods
/// return futures of a `Result`.
macro_rules! asynchronous {
    ($impl:ident {
        name: $name:literal,
        $(min_cap: $min:literal,)?
        halves: $tx:ty, $rx:ty,
        channel: $channel:path,
        send: $send:ident,
        recv: $recv:ident $(,)?
    }) => {
        impl Async for $impl {
            const NAME: &'static str = $name;
            $(const MIN_CAP: usize = $min;)?
            type Tx = $tx;
            type Rx = $rx;
            fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
                $channel(cap)
            }
            fn clone_rx(rx: &Self::Rx) -> Self::Rx {
                rx.clone()
            }
            async fn send(tx: &Self::Tx, v: usize) {
                tx.$send(v).await.expect(OPEN)
            }
            async fn recv(rx: &mut Self::Rx) -> usize {
                rx.$recv().await.expect(OPEN)
            }
        }
    };
}

blocking!(Gort {
    name: "gort",
    halves: gort_chan::Sender<usize>, gort_chan::Receiver<usize>,
    channel: gort_chan::bounded,
    send: send_blocking,
    recv: recv_blocking,
    try_recv(rx) => rx.try_recv().ok(),
});

blocking!(Crossbeam {
    name: "crossbeam",
    halves: crossbeam_channel::Sender<usize>, crossbeam_channel::Receiver<usize>,
    channel: crossbeam_channel::bounded,
    send: send,
    recv: recv,
    try_recv(rx) => rx.try_recv().ok(),
});

blocking!(Flume {
    name: "flume",
    halves: flume::Sender<usize>, flume::Receiver<usize>,
    channel: flume::bounded,
    send: send,
    recv: recv,
    try_recv(rx) => rx.try_recv().ok(),
});

blocking!(Kanal {
    name: "kanal",
    halves: kanal::Sender<usize>, kanal::Receiver<usize>,
    channel: kanal::bounded,
    send: send,
    recv: recv,
    try_recv(rx) => rx.try_recv().ok().flatten(),
});

blocking!(AsyncChannel {
    name: "async-channel",
    min_cap: 1,
    halves: async_channel::Sender<usize>, async_channel::Receiver<usize>,
    channel: async_channel::bounded,
    send: send_blocking,
    recv: recv_blocking,
    try_recv(rx) => rx.try_recv().ok(),
});

asynchronous!(Gort {
    name: "gort",
    halves: gort_chan::Sender<usize>, gort_chan::Receiver<usize>,
    channel: gort_chan::bounded,
    send: send,
    recv: recv,
});

asynchronous!(Flume {
    name: "flume",
    halves: flume::Sender<usize>, flume::Receiver<usize>,
    channel: flume::bounded,
    send: send_async,
    recv: recv_async,
});

asynchronous!(Kanal {
    name: "kanal",
    halves: kanal::AsyncSender<usize>, kanal::AsyncReceiver<usize>,
    channel: kanal::bounded_async,
    send: send,
    recv: recv,
});

asynchronous!(AsyncChannel {
    name: "async-channel",
    min_cap: 1,
    halves: async_channel::Sender<usize>, async_channel::Receiver<usize>,
    channel: async_channel::bounded,
    send: send,
    recv: recv,
});

impl Async for Tokio {
    const NAME: &'static str = "tokio";
    const MIN_CAP: usize = 1;
    const MPMC: bool = false;
    type Tx = tokio::sync::mpsc::Sender<usize>;
    type Rx = tokio::sync::mpsc::Receiver<usize>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        tokio::sync::mpsc::channel(cap)
    }
    fn clone_rx(_: &Self::Rx) -> Self::Rx {
        unreachable!("tokio's mpsc receiver is single-consumer")
    }
    async fn send(tx: &Self::Tx, v: usize) {
        tx.send(v).await.expect(OPEN)
    }
    async fn recv(rx: &mut Self::Rx) -> usize {
        rx.recv().await.expect(OPEN)
    }
}
