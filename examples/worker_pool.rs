//! Worker pools (Go by Example): three workers take jobs from one channel
//! and send results to another.
//!
//! ```go
//! func worker(id int, jobs <-chan int, results chan<- int) {
//!     for j := range jobs {
//!         fmt.Println("worker", id, "started  job", j)
//!         time.Sleep(10 * time.Millisecond)
//!         fmt.Println("worker", id, "finished job", j)
//!         results <- j * 2
//!     }
//! }
//!
//! func main() {
//!     const numJobs = 5
//!     jobs := make(chan int, numJobs)
//!     results := make(chan int, numJobs)
//!     for w := 1; w <= 3; w++ {
//!         go worker(w, jobs, results)
//!     }
//!     for j := 1; j <= numJobs; j++ {
//!         jobs <- j
//!     }
//!     close(jobs)
//!     for a := 1; a <= numJobs; a++ {
//!         <-results
//!     }
//! }
//! ```

use gort::prelude::*;
use std::time::Duration;

async fn worker(id: u32, jobs: RecvOnly<u32>, results: Sender<u32>) {
    while let Ok(j) = jobs.recv().await {
        println!("worker {id} started  job {j}");
        sleep(Duration::from_millis(10)).await;
        println!("worker {id} finished job {j}");
        results
            .send(j * 2)
            .await
            .expect("main receives every result");
    }
}

#[gort::main]
async fn main() {
    const NUM_JOBS: u32 = 5;
    let (jobs_tx, jobs) = bounded(NUM_JOBS as usize);
    let (results_tx, results) = bounded(NUM_JOBS as usize);
    for w in 1..=3 {
        go!(worker(w, jobs.recv_only(), results_tx.clone()));
    }
    for j in 1..=NUM_JOBS {
        jobs_tx
            .send(j)
            .await
            .expect("the workers hold the receivers");
    }
    jobs_tx.close();
    let mut sum = 0;
    for _ in 1..=NUM_JOBS {
        sum += results.recv().await.expect("a result per job");
    }
    assert_eq!(sum, 30);
}
