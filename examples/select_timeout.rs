//! Timeouts (Go by Example): `select` on a result and on `time.After`.
//!
//! ```go
//! func main() {
//!     c1 := make(chan string, 1)
//!     go func() {
//!         time.Sleep(200 * time.Millisecond)
//!         c1 <- "result 1"
//!     }()
//!     select {
//!     case res := <-c1:
//!         fmt.Println(res)
//!     case <-time.After(100 * time.Millisecond):
//!         fmt.Println("timeout 1")
//!     }
//!
//!     c2 := make(chan string, 1)
//!     go func() {
//!         time.Sleep(20 * time.Millisecond)
//!         c2 <- "result 2"
//!     }()
//!     select {
//!     case res := <-c2:
//!         fmt.Println(res)
//!     case <-time.After(1 * time.Second):
//!         fmt.Println("timeout 2")
//!     }
//! }
//! ```

use gort::prelude::*;
use std::time::Duration;

#[gort::main]
async fn main() {
    let (tx1, c1) = bounded::<&str>(1);
    go!(async move {
        sleep(Duration::from_millis(200)).await;
        let _ = tx1.send("result 1").await; // main may be gone: Go drops it too
    });
    let first = select! {
        recv(c1) -> res => res.expect("the sender is alive"),
        recv(after(Duration::from_millis(100))) -> _ => "timeout 1",
    };
    println!("{first}");
    assert_eq!(first, "timeout 1");

    let (tx2, c2) = bounded::<&str>(1);
    go!(async move {
        sleep(Duration::from_millis(20)).await;
        tx2.send("result 2").await.expect("buffered");
    });
    let second = select! {
        recv(c2) -> res => res.expect("the sender is alive"),
        // gort's own timeout arm: no timer channel is made for it
        default(Duration::from_secs(1)) => "timeout 2",
    };
    println!("{second}");
    assert_eq!(second, "result 2");
}
