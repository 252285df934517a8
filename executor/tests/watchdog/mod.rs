//! The watchdog of the executor's event-driven tests.

use std::sync::mpsc;
use std::time::Duration;

/// Runs `f` on a thread of its own and fails the test if it has not
/// returned within a minute (a stalled scheduler or a lost timer would
/// hang forever). A panic in `f` is re-raised.
pub fn watchdog(name: &str, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    let t = std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(()) => t.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(e) = t.join() {
                std::panic::resume_unwind(e)
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: the scheduler stalled"),
    }
}
