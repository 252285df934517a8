//! Rate limiting (Go by Example): one request per tick of a ticker, then a
//! bursty limiter that lets three requests through at once.
//!
//! ```go
//! func main() {
//!     requests := make(chan int, 5)
//!     for i := 1; i <= 5; i++ { requests <- i }
//!     close(requests)
//!     limiter := time.Tick(20 * time.Millisecond)
//!     for req := range requests {
//!         <-limiter
//!         fmt.Println("request", req, time.Now())
//!     }
//!
//!     burstyLimiter := make(chan time.Time, 3)
//!     for i := 0; i < 3; i++ { burstyLimiter <- time.Now() }
//!     go func() {
//!         for t := range time.Tick(20 * time.Millisecond) { burstyLimiter <- t }
//!     }()
//!     burstyRequests := make(chan int, 5)
//!     for i := 1; i <= 5; i++ { burstyRequests <- i }
//!     close(burstyRequests)
//!     for req := range burstyRequests {
//!         <-burstyLimiter
//!         fmt.Println("request", req, time.Now())
//!     }
//! }
//! ```

use gort::prelude::*;
use std::time::{Duration, Instant};

const EVERY: Duration = Duration::from_millis(20);

#[gort::main]
async fn main() {
    let start = Instant::now();
    let (tx, requests) = bounded(5);
    for i in 1..=5 {
        tx.send(i).await.expect("room for 5");
    }
    drop(tx); // Go: close(requests)
    let limiter = Ticker::new(EVERY);
    while let Ok(req) = requests.recv().await {
        limiter
            .c()
            .recv()
            .await
            .expect("a ticker's channel stays open");
        println!("request {req} at {:?}", start.elapsed());
    }
    // Five requests, one per tick: at least five ticks went by.
    assert!(start.elapsed() >= 5 * EVERY);
    limiter.stop();

    let (bursty_tx, bursty_limiter) = bounded(3);
    for _ in 0..3 {
        bursty_tx.send(Instant::now()).await.expect("room for 3");
    }
    // Taken before the refiller's ticker exists: its n-th tick comes no
    // earlier than n intervals after this (a deadline never fires early).
    let burst_start = Instant::now();
    go!(async move {
        let ticks = tick(EVERY);
        while let Ok(t) = ticks.recv().await {
            if bursty_tx.send(t).await.is_err() {
                break; // main is done: stop refilling
            }
        }
    });
    let (tx, bursty_requests) = bounded(5);
    for i in 1..=5 {
        tx.send(i).await.expect("room for 5");
    }
    drop(tx);
    let mut served = Vec::new();
    while let Ok(req) = bursty_requests.recv().await {
        bursty_limiter
            .recv()
            .await
            .expect("the refiller holds the sender");
        println!("request {req} at {:?}", start.elapsed());
        served.push(burst_start.elapsed());
    }
    // The first three went through at once; the last two waited for two
    // refills, so for the refiller's second tick at the earliest.
    assert!(served[4] >= 2 * EVERY);
}
