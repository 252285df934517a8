//! Pipelines, fan-out and fan-in (the Go blog's "Go Concurrency Patterns:
//! Pipelines and cancellation"): a generator, two squarers reading from it,
//! and a merge of their outputs.
//!
//! ```go
//! func gen(nums ...int) <-chan int {
//!     out := make(chan int)
//!     go func() {
//!         for _, n := range nums { out <- n }
//!         close(out)
//!     }()
//!     return out
//! }
//!
//! func sq(in <-chan int) <-chan int {
//!     out := make(chan int)
//!     go func() {
//!         for n := range in { out <- n * n }
//!         close(out)
//!     }()
//!     return out
//! }
//!
//! func merge(cs ...<-chan int) <-chan int {
//!     var wg sync.WaitGroup
//!     out := make(chan int)
//!     output := func(c <-chan int) {
//!         for n := range c { out <- n }
//!         wg.Done()
//!     }
//!     wg.Add(len(cs))
//!     for _, c := range cs { go output(c) }
//!     go func() { wg.Wait(); close(out) }()
//!     return out
//! }
//!
//! func main() {
//!     in := gen(1, 2, 3, 4)
//!     c1, c2 := sq(in), sq(in) // fan-out
//!     for n := range merge(c1, c2) { fmt.Println(n) } // fan-in
//! }
//! ```

use gort::prelude::*;

fn gen_nums(nums: Vec<u64>) -> RecvOnly<u64> {
    let (out, rx) = bounded(0);
    go!(async move {
        for n in nums {
            out.send(n).await.expect("a reader is waiting");
        }
        // dropping `out` closes the channel (Go: close(out))
    });
    rx.into()
}

fn sq(input: RecvOnly<u64>) -> RecvOnly<u64> {
    let (out, rx) = bounded(0);
    go!(async move {
        while let Ok(n) = input.recv().await {
            out.send(n * n).await.expect("a reader is waiting");
        }
    });
    rx.into()
}

fn merge(cs: Vec<RecvOnly<u64>>) -> RecvOnly<u64> {
    let (out, rx) = bounded(0);
    let wg = WaitGroup::new();
    for c in cs {
        let (out, done) = (out.clone(), wg.guard());
        go!(async move {
            let _done = done; // Go: wg.Done()
            while let Ok(n) = c.recv().await {
                out.send(n).await.expect("a reader is waiting");
            }
        });
    }
    go!(async move {
        wg.wait().await;
        drop(out); // the last sender: closes the channel
    });
    rx.into()
}

#[gort::main]
async fn main() {
    let input = gen_nums(vec![1, 2, 3, 4]);
    let (c1, c2) = (sq(input.clone()), sq(input)); // fan-out
    let merged = merge(vec![c1, c2]); // fan-in
    let mut got = Vec::new();
    while let Ok(n) = merged.recv().await {
        println!("{n}");
        got.push(n);
    }
    got.sort_unstable();
    assert_eq!(got, [1, 4, 9, 16]);
}
