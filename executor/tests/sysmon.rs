//! sysmon, hand-off and preemption (Go: `sysmon`, `retake`,
//! `entersyscallblock`, `preemptone`): a task that blocks its thread, or
//! never awaits, stalls nothing but its own thread.
//!
//! Every test waits on events only: a blocked task is released by the tasks
//! it would stall, once they have all finished, so an executor that did not
//! hand the blocked task's P to another thread would never finish the test
//! (the watchdog then fails it).
#![cfg(not(gort_loom))]

mod watchdog;
use watchdog::watchdog;

use gort_executor::{Runtime, go, yield_now};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::*};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// How the blocked task blocks its thread until `release` is called.
trait Blocker: Send + Sync + 'static {
    fn block(&self);
    fn release(&self);
}

/// `std::thread::sleep` in a loop, until a flag is set.
struct Sleep(AtomicBool);
impl Blocker for Sleep {
    fn block(&self) {
        while !self.0.load(Acquire) {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    fn release(&self) {
        self.0.store(true, Release);
    }
}

/// A `std::sync::Mutex` held by another thread until released.
struct StdMutex {
    lock: Arc<Mutex<()>>,
    holder: Mutex<Option<mpsc::Sender<()>>>,
}
impl StdMutex {
    fn new() -> Self {
        let lock = Arc::new(Mutex::new(()));
        let (locked_tx, locked_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let l = lock.clone();
        std::thread::spawn(move || {
            let _g = l.lock().unwrap();
            locked_tx.send(()).unwrap();
            let _ = release_rx.recv();
        });
        locked_rx.recv().unwrap();
        StdMutex {
            lock,
            holder: Mutex::new(Some(release_tx)),
        }
    }
}
impl Blocker for StdMutex {
    fn block(&self) {
        drop(self.lock.lock().unwrap());
    }
    fn release(&self) {
        drop(self.holder.lock().unwrap().take());
    }
}

/// gort-chan's `recv_blocking` (handed off at once, through gort-park's
/// hook), until the channel is closed.
struct RecvBlocking(gort_chan::Sender<()>, gort_chan::Receiver<()>);
impl Blocker for RecvBlocking {
    fn block(&self) {
        assert!(self.1.recv_blocking().is_err());
    }
    fn release(&self) {
        self.0.close();
    }
}

/// A loop that never awaits, until a flag is set.
struct Spin(AtomicBool);
impl Blocker for Spin {
    fn block(&self) {
        while !self.0.load(Acquire) {
            std::hint::spin_loop();
        }
    }
    fn release(&self) {
        self.0.store(true, Release);
    }
}

/// `procs` tasks each spawn `N` others onto their own P, then block (so
/// every P is blocked); the others finish, and the last of them releases
/// the blocked tasks.
fn blocked_task_stalls_nobody(procs: usize, blocker: impl Blocker) {
    const N: usize = 50;
    let rt = Runtime::builder().procs(procs).build().unwrap();
    let blocker = Arc::new(blocker);
    let finished = Arc::new(AtomicUsize::new(0));
    let blocked: Vec<_> = (0..procs)
        .map(|_| {
            let (b, f) = (blocker.clone(), finished.clone());
            rt.spawn(async move {
                for _ in 0..N {
                    let (b, f) = (b.clone(), f.clone());
                    go(async move {
                        yield_now().await;
                        if f.fetch_add(1, AcqRel) + 1 == N * procs {
                            b.release();
                        }
                    });
                }
                b.block();
                f.load(Acquire)
            })
        })
        .collect();
    for h in blocked {
        assert_eq!(h.join_blocking().unwrap(), N * procs);
    }
}

macro_rules! blocked_tests {
    ($($name:ident: $procs:expr, $blocker:expr;)*) => {$(
        #[test]
        fn $name() {
            watchdog(stringify!($name), || blocked_task_stalls_nobody($procs, $blocker));
        }
    )*};
}

blocked_tests! {
    thread_sleep_procs1: 1, Sleep(AtomicBool::new(false));
    thread_sleep_procs2: 2, Sleep(AtomicBool::new(false));
    std_mutex_procs1: 1, StdMutex::new();
    std_mutex_procs2: 2, StdMutex::new();
    recv_blocking_procs1: 1, { let (tx, rx) = gort_chan::bounded(1); RecvBlocking(tx, rx) };
    recv_blocking_procs2: 2, { let (tx, rx) = gort_chan::bounded(1); RecvBlocking(tx, rx) };
    cpu_loop_procs1: 1, Spin(AtomicBool::new(false));
    cpu_loop_procs2: 2, Spin(AtomicBool::new(false));
}

/// `blocking(f)` hands the P off before `f` runs (Go:
/// `entersyscallblock`), without waiting for sysmon.
#[test]
fn blocking_hands_the_p_off_at_once() {
    watchdog("blocking", || {
        let rt = Runtime::builder().procs(1).build().unwrap();
        let (tx, rx) = mpsc::channel::<u32>();
        let blocked = rt.spawn(async move { gort_executor::blocking(|| rx.recv().unwrap()) });
        let other = rt.spawn(async { 2 });
        assert_eq!(other.join_blocking().unwrap(), 2);
        tx.send(5).unwrap();
        assert_eq!(blocked.join_blocking().unwrap(), 5);
        assert!(rt.metrics().handoffs >= 1);
    });
}

/// Go's TestPreemption idea, with await points: at procs = 1, two tasks
/// each loop on a channel that is always ready, so neither ever parks; each
/// waits for the other to make progress. Without preemption the first one
/// to run would spin forever on a P the second never gets... unless sysmon
/// hands the P off; either way both must progress.
#[test]
fn two_tasks_that_never_park_both_progress() {
    watchdog("preemption", || {
        let rt = Runtime::builder().procs(1).build().unwrap();
        let turn = Arc::new(AtomicUsize::new(0));
        let mut hs = Vec::new();
        for me in 0..2usize {
            let turn = turn.clone();
            let (tx, rx) = gort_chan::bounded::<()>(1);
            hs.push(rt.spawn(async move {
                let mut rounds = 0;
                while rounds < 20 {
                    // Always ready: the task never parks here.
                    tx.send(()).await.unwrap();
                    rx.recv().await.unwrap();
                    if turn.load(Acquire) % 2 == me {
                        turn.fetch_add(1, AcqRel);
                        rounds += 1;
                    }
                }
            }));
        }
        for h in hs {
            h.join_blocking().unwrap();
        }
        assert_eq!(turn.load(Acquire), 40);
    });
}

/// A task that loops on `try_recv` (no await at all) for a value only a
/// second task can send: the second runs once sysmon retakes the P.
#[test]
fn a_loop_without_awaits_does_not_stall_its_p() {
    watchdog("try_recv loop", || {
        let rt = Runtime::builder().procs(1).build().unwrap();
        let (tx, rx) = gort_chan::bounded::<u32>(1);
        let looping = rt.spawn(async move {
            loop {
                if let Ok(v) = rx.try_recv() {
                    return v;
                }
                std::hint::spin_loop();
            }
        });
        // Queued behind the loop on the only P.
        rt.spawn(async move { tx.send(9).await.unwrap() });
        assert_eq!(looping.join_blocking().unwrap(), 9);
        assert!(rt.metrics().handoffs >= 1);
    });
}

/// The preempt flag, as another library sees it: a task looping over an
/// await point that is always ready eventually yields to a queued task.
#[test]
fn preempt_check_yields_to_queued_tasks() {
    watchdog("preempt_check", || {
        let rt = Runtime::builder().procs(1).build().unwrap();
        let other_ran = Arc::new(AtomicBool::new(false));
        let o = other_ran.clone();
        let yields = rt.block_on(async move {
            go(async move { o.store(true, Release) });
            let mut yields = 0u64;
            while !other_ran.load(Acquire) {
                std::future::poll_fn(|cx| {
                    if gort_executor::preempt_check(cx) {
                        yields += 1;
                        return std::task::Poll::Pending;
                    }
                    std::task::Poll::Ready(())
                })
                .await;
            }
            yields
        });
        // The queued task ran through preemption or through a retake of
        // the P: either way the loop ended.
        let m = rt.metrics();
        assert!(yields > 0 || m.handoffs > 0, "{m:?}");
    });
}

/// Blocking, CPU-bound and async tasks mixed, over `set_procs` changes:
/// every task completes and the thread count stays bounded.
#[test]
fn mixed_blocking_cpu_and_async_over_set_procs() {
    watchdog("mixed", || {
        const MAX_THREADS: usize = 16;
        let rt = Runtime::builder()
            .procs(2)
            .max_threads(MAX_THREADS)
            .build()
            .unwrap();
        let done = Arc::new(AtomicUsize::new(0));
        let n = rt.block_on({
            let done = done.clone();
            async move {
                let mut hs = Vec::new();
                for i in 0..300u64 {
                    let done = done.clone();
                    hs.push(go(async move {
                        match i % 4 {
                            0 => gort_executor::blocking(|| {
                                std::thread::sleep(Duration::from_micros(200))
                            }),
                            1 => {
                                let mut x = i;
                                for _ in 0..200_000 {
                                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                                }
                                std::hint::black_box(x);
                            }
                            2 => {
                                let (tx, rx) = gort_chan::bounded(0);
                                go(async move { tx.send(i).await.unwrap() });
                                assert_eq!(rx.recv().await.unwrap(), i);
                            }
                            _ => std::thread::sleep(Duration::from_micros(300)),
                        }
                        done.fetch_add(1, AcqRel);
                    }));
                    if i % 50 == 0 {
                        gort_executor::set_procs(1 + (i as usize / 50) % 3);
                    }
                }
                for h in hs {
                    h.await.unwrap();
                }
                done.load(Acquire)
            }
        });
        assert_eq!(n, 300);
        let m = rt.metrics();
        assert!(m.threads <= MAX_THREADS, "{m:?}");
    });
}

/// Go's TestPingPongHog, re-expressed without timing: at procs = 1, two
/// "hog" tasks hand a token back and forth through `runnext` (so they share
/// one time slice forever and never let the queue run, without
/// preemption), doing long work per round, while two "light" tasks do the
/// same with short rounds. The light pair must complete its rounds while
/// the hogs run. (Go then checks that the two counts are within a factor
/// of 20 after 100 ms; a ratio of work over a time window is not a stable
/// test on a shared machine, so this one checks progress only.)
#[test]
fn ping_pong_hog_does_not_starve_a_light_pair() {
    use gort_select::select;
    watchdog("PingPongHog", || {
        let rt = Runtime::builder().procs(1).build().unwrap();
        let (done_tx, done_rx) = gort_chan::bounded::<()>(0);
        let (hog_tx, hog_rx) = gort_chan::bounded::<()>(0);
        let (light_tx, light_rx) = gort_chan::bounded::<()>(0);
        let hog_rounds = Arc::new(AtomicUsize::new(0));
        let light_rounds = Arc::new(AtomicUsize::new(0));
        let pairs = [
            (100_000u64, &hog_rounds, &hog_tx, &hog_rx),
            (100, &light_rounds, &light_tx, &light_rx),
        ];
        let mut hs = Vec::new();
        for (limit, rounds, tx, rx) in pairs {
            for _ in 0..2 {
                let (rounds, tx, rx, done) =
                    (rounds.clone(), tx.clone(), rx.clone(), done_rx.clone());
                hs.push(rt.spawn(async move {
                    loop {
                        select! {
                            recv(done) -> _ => return,
                            recv(rx) -> _ => {
                                let mut x = 0u64;
                                for i in 0..limit {
                                    x = std::hint::black_box(x.wrapping_add(i));
                                }
                                rounds.fetch_add(1, AcqRel);
                                let _ = tx.send(()).await;
                            },
                        }
                    }
                }));
            }
        }
        hog_tx.send_blocking(()).unwrap();
        light_tx.send_blocking(()).unwrap();
        while light_rounds.load(Acquire) < 200 {
            std::thread::yield_now();
        }
        drop(done_tx); // Go: close(done)
        hog_rx.recv_blocking().unwrap();
        light_rx.recv_blocking().unwrap();
        for h in hs {
            h.join_blocking().unwrap();
        }
        assert!(hog_rounds.load(Acquire) > 0);
    });
}

/// `set_procs` stops the world although a task keeps using its P inside one
/// endless poll (it spawns in a loop and never awaits): a take that finds
/// the M using its P is retried (Go's stop-the-world re-preempts every
/// 100 µs), and succeeds once the M is back in its system-call phase.
#[test]
fn set_procs_while_a_poll_keeps_using_its_p() {
    watchdog("set_procs_while_a_poll_keeps_using_its_p", || {
        let rt = Runtime::builder().procs(2).build().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let started = Arc::new(AtomicBool::new(false));
        let (s2, st2) = (stop.clone(), started.clone());
        let spinner = rt.spawn(async move {
            st2.store(true, Release);
            while !s2.load(Acquire) {
                drop(go(async {}));
            }
        });
        while !started.load(Acquire) {
            std::thread::yield_now();
        }
        for n in [1, 2, 1, 2] {
            rt.handle().set_procs(n);
        }
        stop.store(true, Release);
        spinner.join_blocking().unwrap();
    });
}
