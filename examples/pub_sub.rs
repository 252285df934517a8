//! Publish/subscribe with competing consumers, the seed's message queue:
//! topics in a `sync.Map`, channels as queues. Two producers publish
//! orders; three workers share them (each order handled once); an audit
//! log and a metrics counter each see every order. Closing the topic lets
//! everyone drain what was published, then stop.
//!
//! ```go
//! type topic struct {
//!     queue chan int
//!     mu    sync.Mutex
//!     subs  []chan int
//! }
//!
//! var topics sync.Map
//!
//! func get(name string) *topic {
//!     v, _ := topics.LoadOrStore(name, &topic{queue: make(chan int, 16)})
//!     return v.(*topic)
//! }
//!
//! func publish(name string, order int) {
//!     t := get(name)
//!     t.mu.Lock()
//!     for _, s := range t.subs {
//!         s <- order
//!     }
//!     t.mu.Unlock()
//!     t.queue <- order
//! }
//!
//! func subscribe(name string) <-chan int {
//!     t := get(name)
//!     s := make(chan int, 16)
//!     t.mu.Lock()
//!     t.subs = append(t.subs, s)
//!     t.mu.Unlock()
//!     return s
//! }
//!
//! func main() {
//!     audit, metrics := subscribe("orders"), subscribe("orders")
//!     var producers, consumers sync.WaitGroup
//!     for p := 0; p < 2; p++ {
//!         producers.Add(1)
//!         go func(p int) {
//!             defer producers.Done()
//!             for i := 0; i < 10; i++ {
//!                 publish("orders", p*100+i)
//!             }
//!         }(p)
//!     }
//!     handled := make(chan int, 3)
//!     for w := 0; w < 3; w++ {
//!         consumers.Add(1)
//!         go func() {
//!             defer consumers.Done()
//!             n := 0
//!             for range get("orders").queue {
//!                 n++
//!             }
//!             handled <- n
//!         }()
//!     }
//!     var logged, counted int
//!     consumers.Add(2)
//!     go func() { defer consumers.Done(); for range audit { logged++ } }()
//!     go func() { defer consumers.Done(); for range metrics { counted++ } }()
//!     producers.Wait()
//!     t := get("orders")
//!     close(t.queue)
//!     for _, s := range t.subs {
//!         close(s)
//!     }
//!     topics.Delete("orders")
//!     consumers.Wait()
//!     close(handled)
//!     total := 0
//!     for n := range handled {
//!         total += n
//!     }
//!     fmt.Println("handled", total, "logged", logged, "counted", counted)
//! }
//! ```

use gort::mq::Subscription;
use gort::prelude::*;

/// Counts what a subscription receives until its topic closes and drains.
async fn count(s: Subscription<u32>) -> usize {
    let mut n = 0;
    while s.recv().await.is_ok() {
        n += 1;
    }
    n
}

#[gort::main]
async fn main() {
    let broker = Broker::new(16);
    // Subscribe before publishing: a subscription sees what is published
    // after it subscribed.
    let audit = go!(count(broker.subscribe("orders")));
    let metrics = go!(count(broker.subscribe("orders")));
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let orders = broker.consumer("orders");
            go!(async move {
                let mut n = 0;
                while orders.recv().await.is_ok() {
                    n += 1;
                }
                n
            })
        })
        .collect();

    let producers = WaitGroup::new();
    for p in 0..2 {
        let (broker, done) = (broker.clone(), producers.guard());
        go!(async move {
            let _done = done; // Go: defer producers.Done()
            for i in 0..10 {
                broker.publish("orders", p * 100 + i).await.unwrap();
            }
        });
    }
    producers.wait().await;
    broker.close_topic("orders"); // consumers and subscribers drain, then stop

    let mut handled = 0;
    for w in workers {
        handled += w.await.unwrap();
    }
    let (logged, counted) = (audit.await.unwrap(), metrics.await.unwrap());
    println!("handled {handled} logged {logged} counted {counted}");
    assert_eq!((handled, logged, counted), (20, 20, 20));
}
