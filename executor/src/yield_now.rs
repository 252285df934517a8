//! `yield_now`: Go's `runtime.Gosched`.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// Go: `runtime.Gosched`: lets other tasks run; the task continues later.
///
/// On a gort runtime the task goes to the tail of the global run queue, as
/// Go's `goschedImpl` puts the goroutine (so every P's queue gets a turn
/// before it runs again); elsewhere it wakes itself and returns `Pending`
/// once.
///
/// ```
/// let rt = gort_executor::Runtime::new();
/// rt.block_on(async {
///     gort_executor::yield_now().await;
/// });
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future of [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        crate::worker::with(|w| {
            if let Some(w) = w {
                w.yielded.set(true);
            }
        });
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
