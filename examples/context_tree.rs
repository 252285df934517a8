//! Cancellation down a tree of goroutines (package context): a request
//! handler with a timeout starts workers; when the deadline passes, every
//! worker sees `Done` and stops, and the handler reports why.
//!
//! ```go
//! func worker(ctx context.Context, id int, out chan<- int) {
//!     for i := 0; ; i++ {
//!         select {
//!         case <-ctx.Done():
//!             return
//!         case out <- id*1000 + i:
//!             time.Sleep(5 * time.Millisecond)
//!         }
//!     }
//! }
//!
//! func handle(parent context.Context) error {
//!     ctx, cancel := context.WithTimeout(parent, 50*time.Millisecond)
//!     defer cancel()
//!     out := make(chan int)
//!     var wg sync.WaitGroup
//!     for id := 1; id <= 3; id++ {
//!         wg.Add(1)
//!         go func(id int) { defer wg.Done(); worker(ctx, id, out) }(id)
//!     }
//!     go func() { wg.Wait(); close(out) }()
//!     n := 0
//!     for range out { n++ }
//!     fmt.Println("received", n, "values")
//!     return ctx.Err()
//! }
//!
//! func main() {
//!     fmt.Println(handle(context.Background())) // context deadline exceeded
//! }
//! ```

use gort::context::ContextError;
use gort::prelude::*;
use std::time::Duration;

async fn worker(ctx: Context, id: u32, out: Sender<u32>) {
    for i in 0.. {
        let done = ctx.done();
        select! {
            recv(done) -> _ => return,
            send(out, id * 1000 + i) -> sent => {
                if sent.is_err() {
                    return;
                }
                sleep(Duration::from_millis(5)).await;
            },
        }
    }
}

async fn handle(parent: &Context) -> Option<ContextError> {
    let (ctx, cancel) = parent.with_timeout(Duration::from_millis(50));
    let (out, values) = bounded(0);
    let wg = WaitGroup::new();
    for id in 1..=3 {
        let (ctx, out, done) = (ctx.clone(), out.clone(), wg.guard());
        go!(async move {
            let _done = done; // Go: defer wg.Done()
            worker(ctx, id, out).await;
        });
    }
    drop(out); // the workers hold the senders: the channel closes after the last
    let mut n = 0;
    while values.recv().await.is_ok() {
        n += 1;
    }
    wg.wait().await;
    println!("received {n} values");
    let err = ctx.err();
    cancel.cancel(); // Go: defer cancel()
    err
}

#[gort::main]
async fn main() {
    let err = handle(&Context::background()).await;
    println!(
        "{}",
        err.map_or_else(|| "no error".to_string(), |e| e.to_string())
    );
    assert_eq!(err, Some(ContextError::DeadlineExceeded));
}
