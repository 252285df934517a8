//! One topic: a bounded queue shared by its competing consumers and one
//! bounded channel per live subscription (the seed's "channels are the
//! queues"), and the rules that decide where a message goes.
//!
//! Invariants:
//! - A subscription's channel is sent to only under `subs`' lock, so while a
//!   publisher holds it a channel it found with room keeps its room (the
//!   subscriber only takes values out). This is what makes a fan-out publish
//!   all or nothing: it checks every target, then sends to each.
//! - The queue may also be sent to without the lock (a topic without
//!   subscriptions is a plain channel), so a fan-out publish sends to it
//!   first, before any subscription: if the queue refuses, nothing was sent.
//! - `closed` is set under `subs`' lock, before the channels close.
//! - Waiting for room: a fan-out publisher that finds a channel full marks
//!   that channel wanted, then confirms it full under the channel's lock,
//!   and waits (counted in `waiting`) for the topic's wake-up token. A
//!   receive reads `waiting` and the flag of its channel after unlocking
//!   it, so it sees both (the lock orders it after the confirmation), and
//!   the receive that clears the flag sends the token. A publisher woken
//!   by it that still finds a channel full marks that one and waits again.

use gort_chan::{Receiver, Sender, TrySendError, bounded};
use gort_sync::{Arc, Mutex, MutexGuard};
use gort_sync::{AtomicBool, AtomicUsize, Ordering};

/// Aligned to a cache line pair so that the `Arc`'s counts (written by
/// every clone and drop of a handle) share no line with the fields every
/// publish and receive reads.
#[repr(align(128))]
pub(crate) struct Topic<M> {
    /// The competing consumers' queue. The topic keeps a receiver so that
    /// messages wait for consumers that come later.
    pub(crate) queue: Sender<M>,
    pub(crate) queue_rx: Receiver<M>,
    /// True while the topic has a live subscription: publishers then take
    /// the fan-out path (under `subs`' lock). Stored under that lock.
    fanout: AtomicBool,
    /// Live consumers (each `Consumer` handle, clones included).
    consumers: AtomicUsize,
    /// Fan-out publishers waiting for room (see the module's invariants).
    waiting: AtomicUsize,
    /// The queue's wanted flag: a fan-out publisher found it full.
    queue_wanted: AtomicBool,
    /// The wake-up token for waiting fan-out publishers (capacity 1: wakes
    /// coalesce; a woken publisher that succeeds passes it on).
    room: Sender<()>,
    pub(crate) room_rx: Receiver<()>,
    closed: AtomicBool,
    subs: Mutex<Subs<M>>,
}

struct Subs<M> {
    list: Vec<Sub<M>>,
    next_id: u64,
    /// `M`'s `Clone::clone`, recorded by the first `subscribe` (which
    /// requires `M: Clone`; a publish does not).
    clone: Option<fn(&M) -> M>,
    /// A fan-out publish's clones, made before any send; kept between
    /// publishes so that its allocation is reused (a publish the queue
    /// refuses takes it, to drop the clones after the lock). Empty between
    /// publishes, but after a `Clone` that panicked.
    clones: Vec<M>,
}

/// A live subscription's sending side.
struct Sub<M> {
    id: u64,
    tx: Sender<M>,
    /// Its wanted flag, shared with the `Subscription`.
    wanted: Arc<AtomicBool>,
}

/// One attempt at a publish, without waiting.
pub(crate) enum Offer<M> {
    Sent,
    Closed(M),
    /// The queue is full: wait in its send queue (as a channel send does).
    QueueFull(M),
    /// A subscription (or the queue, on the fan-out path) is full: wait
    /// for room with [`Topic::room_rx`], registered in `waiting`.
    NoRoom(M),
}

impl<M> Offer<M> {
    /// The outcome of a `try_publish`.
    pub(crate) fn into_try(self) -> Result<(), crate::TryPublishError<M>> {
        match self {
            Offer::Sent => Ok(()),
            Offer::Closed(m) => Err(crate::TryPublishError::Closed(m)),
            Offer::QueueFull(m) | Offer::NoRoom(m) => Err(crate::TryPublishError::Full(m)),
        }
    }
}

impl<M> Topic<M> {
    pub(crate) fn new(capacity: usize) -> Self {
        let (queue, queue_rx) = bounded(capacity);
        let (room, room_rx) = bounded(1);
        Self {
            queue,
            queue_rx,
            fanout: AtomicBool::new(false),
            consumers: AtomicUsize::new(0),
            waiting: AtomicUsize::new(0),
            queue_wanted: AtomicBool::new(false),
            room,
            room_rx,
            closed: AtomicBool::new(false),
            subs: Mutex::new(Subs {
                list: Vec::new(),
                next_id: 0,
                clone: None,
                clones: Vec::new(),
            }),
        }
    }

    /// A topic that is closed from the start (what a closed broker hands
    /// out).
    pub(crate) fn new_closed(capacity: usize) -> Self {
        let t = Self::new(capacity);
        t.close();
        t
    }

    fn lock(&self) -> MutexGuard<'_, Subs<M>> {
        // No code panics while holding the lock, except an `M::clone`; the
        // lists stay consistent across such a panic.
        self.subs.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Tries to publish `m` once: to the queue alone while the topic has
    /// no subscription, else to every subscription and (if the topic has a
    /// consumer) the queue, all or nothing.
    pub(crate) fn offer(&self, m: M) -> Offer<M> {
        if !self.fanout.load(Ordering::Acquire) {
            return match self.queue.try_send(m) {
                Ok(()) => Offer::Sent,
                Err(TrySendError::Full(m)) => Offer::QueueFull(m),
                Err(TrySendError::Closed(m)) => Offer::Closed(m),
            };
        }
        let mut guard = self.lock();
        let subs = &mut *guard;
        if self.is_closed() {
            return Offer::Closed(m);
        }
        let Some(clone) = subs.clone.filter(|_| !subs.list.is_empty()) else {
            // The last subscription left after the flag was read.
            return match self.send_to_queue(m) {
                Ok(()) => Offer::Sent,
                Err(refused) => refused,
            };
        };
        if !subs.list.iter().all(|s| has_room(&s.tx, &s.wanted)) {
            return Offer::NoRoom(m);
        }
        // Every clone is made before any send: a panicking `Clone` then
        // leaves every target without the message.
        let to_queue = self.consumers.load(Ordering::Acquire) > 0;
        subs.clones.clear();
        let n = subs.list.len() - 1 + usize::from(to_queue);
        subs.clones.extend((0..n).map(|_| clone(&m)));
        if to_queue {
            let c = subs.clones.pop().expect("a clone for the queue");
            if let Err(refused) = self.send_to_queue(c) {
                let closed = matches!(refused, Offer::Closed(_));
                // The clones (user values) drop after the topic's lock; the
                // next publish allocates the buffer again.
                let spent = core::mem::take(&mut subs.clones);
                drop(guard);
                drop((refused, spent));
                return if closed {
                    Offer::Closed(m)
                } else {
                    Offer::NoRoom(m)
                };
            }
        }
        let (last, rest) = subs.list.split_last().expect("the list is not empty");
        for (s, c) in rest.iter().zip(subs.clones.drain(..)) {
            deliver(&s.tx, c);
        }
        deliver(&last.tx, m);
        Offer::Sent
    }

    /// A send to the queue by a fan-out publish (under `subs`' lock). The
    /// queue is also sent to without that lock, so a full queue is marked
    /// wanted and then confirmed full under its own lock; if it has room
    /// by then, the send is tried again.
    fn send_to_queue(&self, mut m: M) -> Result<(), Offer<M>> {
        loop {
            m = match self.queue.try_send(m) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Closed(m)) => return Err(Offer::Closed(m)),
                Err(TrySendError::Full(m)) => m,
            };
            self.queue_wanted.store(true, Ordering::Relaxed);
            if !gort_chan::raw::has_room(&self.queue) {
                return Err(Offer::NoRoom(m));
            }
        }
    }

    /// Adds a waiting fan-out publisher (before it offers again).
    pub(crate) fn wait_for_room(&self) {
        self.waiting.fetch_add(1, Ordering::Relaxed);
    }

    /// Removes a waiting publisher. One that leaves after an offer (it
    /// published, found the topic closed, or went to wait in the queue's
    /// send queue) may have used the wake-up meant for all: it passes it on
    /// to the next, as there may be room for that one too. One that is
    /// cancelled took no wake-up (an unpolled one goes back to the channel).
    pub(crate) fn stop_waiting(&self, pass_on: bool) {
        let left = self.waiting.fetch_sub(1, Ordering::Relaxed) - 1;
        if pass_on && left > 0 {
            let _ = self.room.try_send(());
        }
    }

    /// A value was taken from one of the topic's channels (the caller has
    /// unlocked it); `wanted` is that channel's flag (`None`: the queue's).
    /// Wakes a waiting fan-out publisher if one found this channel full.
    pub(crate) fn taken(&self, wanted: Option<&AtomicBool>) {
        if self.waiting.load(Ordering::Relaxed) == 0 {
            return;
        }
        let wanted = wanted.unwrap_or(&self.queue_wanted);
        if wanted.load(Ordering::Relaxed) && wanted.swap(false, Ordering::Relaxed) {
            let _ = self.room.try_send(());
        }
    }

    /// Wakes a waiting fan-out publisher, if any: a target went away.
    fn wake_waiter(&self) {
        if self.waiting.load(Ordering::Relaxed) > 0 {
            let _ = self.room.try_send(());
        }
    }

    /// Go: `close(c)` on every channel of the topic. True if this call
    /// closed it. Consumers and subscribers drain, then see it closed;
    /// blocked publishers get their message back.
    pub(crate) fn close(&self) -> bool {
        let subs = self.lock();
        if self.closed.swap(true, Ordering::AcqRel) {
            return false;
        }
        self.queue.close();
        for s in &subs.list {
            s.tx.close();
        }
        self.room.close();
        true
    }

    pub(crate) fn add_consumer(&self) {
        self.consumers.fetch_add(1, Ordering::AcqRel);
    }

    /// The last consumer leaving takes the queue out of fan-out publishes:
    /// a publisher waiting for queue room may go on.
    pub(crate) fn remove_consumer(&self) {
        if self.consumers.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.wake_waiter();
        }
    }

    /// A new subscription's id, channel and wanted flag (Go:
    /// `make(chan M, capacity)` added to the topic's list). On a closed
    /// topic the channel is closed at once.
    pub(crate) fn subscribe(&self, clone: fn(&M) -> M) -> (u64, Receiver<M>, Arc<AtomicBool>) {
        let (tx, rx) = bounded(self.queue.capacity());
        let wanted = Arc::new(AtomicBool::new(false));
        let mut subs = self.lock();
        let id = subs.next_id;
        subs.next_id += 1;
        if self.is_closed() {
            tx.close();
        } else {
            subs.clone = Some(clone);
            let wanted = wanted.clone();
            subs.list.push(Sub { id, tx, wanted });
            self.fanout.store(true, Ordering::Release);
        }
        (id, rx, wanted)
    }

    /// Takes a subscription out of the list (before its channel closes):
    /// publishers waiting on its room may go on.
    pub(crate) fn unsubscribe(&self, id: u64) {
        let mut subs = self.lock();
        subs.list.retain(|s| s.id != id);
        if subs.list.is_empty() {
            self.fanout.store(false, Ordering::Release);
        }
        drop(subs);
        self.wake_waiter();
    }
}

/// Whether a subscription's channel has room, for a publisher holding
/// `subs`' lock: Go's lock-free `full` first; a channel that looks full is
/// marked wanted, then checked under its lock (see the module's
/// invariants).
fn has_room<M>(tx: &Sender<M>, wanted: &AtomicBool) -> bool {
    if !gort_chan::raw::full(tx) {
        return true;
    }
    wanted.store(true, Ordering::Relaxed);
    gort_chan::raw::has_room(tx)
}

/// A send to a subscription checked to have room under `subs`' lock.
fn deliver<M>(tx: &Sender<M>, m: M) {
    match tx.try_send(m) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) => {
            unreachable!("a subscription checked to have room under the topic lock is full")
        }
        // The subscription closes only after it left the list (under the
        // lock we hold), or when the topic closes (checked under it).
        Err(TrySendError::Closed(_)) => {
            unreachable!("a listed subscription of an open topic is closed")
        }
    }
}
