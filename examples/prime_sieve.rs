//! The concurrent prime sieve (Go's doc/play/sieve.go): a chain of filter
//! goroutines, one per prime found, connected by unbuffered channels.
//!
//! ```go
//! func Generate(ch chan<- int) {
//!     for i := 2; ; i++ { ch <- i }
//! }
//!
//! func Filter(in <-chan int, out chan<- int, prime int) {
//!     for {
//!         i := <-in
//!         if i%prime != 0 { out <- i }
//!     }
//! }
//!
//! func main() {
//!     ch := make(chan int)
//!     go Generate(ch)
//!     for i := 0; i < 10; i++ {
//!         prime := <-ch
//!         fmt.Println(prime)
//!         ch1 := make(chan int)
//!         go Filter(ch, ch1, prime)
//!         ch = ch1
//!     }
//! }
//! ```

use gort::prelude::*;

#[gort::main]
async fn main() {
    let (tx, mut ch) = bounded::<u64>(0);
    go!(async move {
        for i in 2.. {
            if tx.send(i).await.is_err() {
                return; // the sieve is done (Go's program just exits)
            }
        }
    });
    let mut primes = Vec::new();
    for _ in 0..10 {
        let prime = ch.recv().await.expect("the generator never stops first");
        println!("{prime}");
        primes.push(prime);
        let (out, ch1) = bounded(0);
        go!(async move {
            while let Ok(i) = ch.recv().await {
                if i % prime != 0 && out.send(i).await.is_err() {
                    return;
                }
            }
        });
        ch = ch1;
    }
    assert_eq!(primes, [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
}
