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

impl Blocking for Gort {
    const NAME: &'static str = "gort";
    type Tx = gort_chan::Sender<usize>;
    type Rx = gort_chan::Receiver<usize>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        gort_chan::bounded(cap)
    }
    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
    }
    fn send(tx: &Self::Tx, v: usize) {
        tx.send_blocking(v).expect(OPEN)
    }
    fn recv(rx: &mut Self::Rx) -> usize {
        rx.recv_blocking().expect(OPEN)
    }
    fn try_recv(rx: &mut Self::Rx) -> Option<usize> {
        rx.try_recv().ok()
    }
}

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

impl Blocking for Crossbeam {
    const NAME: &'static str = "crossbeam";
    type Tx = crossbeam_channel::Sender<usize>;
    type Rx = crossbeam_channel::Receiver<usize>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        crossbeam_channel::bounded(cap)
    }
    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
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

impl Blocking for Flume {
    const NAME: &'static str = "flume";
    type Tx = flume::Sender<usize>;
    type Rx = flume::Receiver<usize>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        flume::bounded(cap)
    }
    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
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

impl Blocking for Kanal {
    const NAME: &'static str = "kanal";
    type Tx = kanal::Sender<usize>;
    type Rx = kanal::Receiver<usize>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        kanal::bounded(cap)
    }
    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
    }
    fn send(tx: &Self::Tx, v: usize) {
        tx.send(v).expect(OPEN)
    }
    fn recv(rx: &mut Self::Rx) -> usize {
        rx.recv().expect(OPEN)
    }
    fn try_recv(rx: &mut Self::Rx) -> Option<usize> {
        rx.try_recv().ok().flatten()
    }
}

impl Blocking for AsyncChannel {
    const NAME: &'static str = "async-channel";
    const MIN_CAP: usize = 1;
    type Tx = async_channel::Sender<usize>;
    type Rx = async_channel::Receiver<usize>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        async_channel::bounded(cap)
    }
    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
    }
    fn send(tx: &Self::Tx, v: usize) {
        tx.send_blocking(v).expect(OPEN)
    }
    fn recv(rx: &mut Self::Rx) -> usize {
        rx.recv_blocking().expect(OPEN)
    }
    fn try_recv(rx: &mut Self::Rx) -> Option<usize> {
        rx.try_recv().ok()
    }
}

impl Async for Gort {
    const NAME: &'static str = "gort";
    type Tx = gort_chan::Sender<usize>;
    type Rx = gort_chan::Receiver<usize>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        gort_chan::bounded(cap)
    }
    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
    }
    async fn send(tx: &Self::Tx, v: usize) {
        tx.send(v).await.expect(OPEN)
    }
    async fn recv(rx: &mut Self::Rx) -> usize {
        rx.recv().await.expect(OPEN)
    }
}

impl Async for Flume {
    const NAME: &'static str = "flume";
    type Tx = flume::Sender<usize>;
    type Rx = flume::Receiver<usize>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        flume::bounded(cap)
    }
    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
    }
    async fn send(tx: &Self::Tx, v: usize) {
        tx.send_async(v).await.expect(OPEN)
    }
    async fn recv(rx: &mut Self::Rx) -> usize {
        rx.recv_async().await.expect(OPEN)
    }
}

impl Async for Kanal {
    const NAME: &'static str = "kanal";
    type Tx = kanal::AsyncSender<usize>;
    type Rx = kanal::AsyncReceiver<usize>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        kanal::bounded_async(cap)
    }
    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
    }
    async fn send(tx: &Self::Tx, v: usize) {
        tx.send(v).await.expect(OPEN)
    }
    async fn recv(rx: &mut Self::Rx) -> usize {
        rx.recv().await.expect(OPEN)
    }
}

impl Async for AsyncChannel {
    const NAME: &'static str = "async-channel";
    const MIN_CAP: usize = 1;
    type Tx = async_channel::Sender<usize>;
    type Rx = async_channel::Receiver<usize>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        async_channel::bounded(cap)
    }
    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
    }
    async fn send(tx: &Self::Tx, v: usize) {
        tx.send(v).await.expect(OPEN)
    }
    async fn recv(rx: &mut Self::Rx) -> usize {
        rx.recv().await.expect(OPEN)
    }
}

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
