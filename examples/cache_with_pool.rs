//! A concurrent cache in a `sync.Map`, rendering with buffers from a
//! `sync.Pool`: eight goroutines ask for pages; each page is rendered at
//! most a few times and stored once (`LoadOrStore` keeps the first).
//!
//! ```go
//! var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}
//! var cache sync.Map // page name -> rendered string
//!
//! func render(name string) string {
//!     buf := buffers.Get().(*bytes.Buffer)
//!     defer buffers.Put(buf)
//!     buf.Reset()
//!     fmt.Fprintf(buf, "<h1>%s</h1>", name)
//!     return buf.String()
//! }
//!
//! func page(name string) string {
//!     if v, ok := cache.Load(name); ok {
//!         return v.(string)
//!     }
//!     v, _ := cache.LoadOrStore(name, render(name))
//!     return v.(string)
//! }
//!
//! func main() {
//!     var wg sync.WaitGroup
//!     for g := 0; g < 8; g++ {
//!         wg.Add(1)
//!         go func(g int) {
//!             defer wg.Done()
//!             for i := 0; i < 100; i++ {
//!                 page(fmt.Sprintf("page-%d", (g+i)%10))
//!             }
//!         }(g)
//!     }
//!     wg.Wait()
//!     n := 0
//!     cache.Range(func(k, v any) bool { n++; return true })
//!     fmt.Println(n, "pages cached")
//! }
//! ```

use gort::prelude::*;
use std::fmt::Write;
use std::sync::{Arc, LazyLock};

static BUFFERS: LazyLock<Pool<String>> = LazyLock::new(|| Pool::new(String::new));

fn render(name: &str) -> Arc<str> {
    let mut buf = BUFFERS.get();
    buf.clear(); // Go: buf.Reset()
    write!(buf, "<h1>{name}</h1>").expect("writing to a String");
    let page = Arc::from(buf.as_str());
    BUFFERS.put(buf); // Go: defer buffers.Put(buf)
    page
}

fn page(cache: &SyncMap<String, Arc<str>>, name: String) -> Arc<str> {
    if let Some(v) = cache.load(&name) {
        return v;
    }
    let rendered = render(&name);
    cache.load_or_store(name, rendered).0
}

#[gort::main]
async fn main() {
    let cache = Arc::new(SyncMap::new());
    let wg = WaitGroup::new();
    for g in 0..8 {
        let (cache, done) = (Arc::clone(&cache), wg.guard());
        go!(async move {
            let _done = done; // Go: defer wg.Done()
            for i in 0..100 {
                let name = format!("page-{}", (g + i) % 10);
                let html = page(&cache, name.clone());
                assert_eq!(&*html, format!("<h1>{name}</h1>"));
            }
        });
    }
    wg.wait().await;
    let mut n = 0;
    cache.range(|_, _| {
        n += 1;
        true
    });
    println!("{n} pages cached");
    assert_eq!(n, 10);
}
