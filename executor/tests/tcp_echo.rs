//! Ordinary executor-agnostic async I/O (async-net, on async-io's reactor)
//! runs on the gort runtime: a TCP echo server and its clients, all tasks.
#![cfg(not(gort_loom))]

use async_net::{TcpListener, TcpStream};
use futures_lite::{AsyncReadExt, AsyncWriteExt};
use gort_executor::{Runtime, go};

#[test]
fn tcp_echo_between_tasks() {
    let rt = Runtime::builder().procs(2).build().unwrap();
    let total = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        const CLIENTS: usize = 8;
        let server = go(async move {
            let mut echoes = Vec::new();
            for _ in 0..CLIENTS {
                let (mut conn, _) = listener.accept().await.unwrap();
                echoes.push(go(async move {
                    let mut buf = [0u8; 1024];
                    loop {
                        let n = conn.read(&mut buf).await.unwrap();
                        if n == 0 {
                            return;
                        }
                        conn.write_all(&buf[..n]).await.unwrap();
                    }
                }));
            }
            for e in echoes {
                e.await.unwrap();
            }
        });
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                go(async move {
                    let mut s = TcpStream::connect(addr).await.unwrap();
                    let mut got = 0;
                    for round in 0..50u32 {
                        let msg = format!("client {c} round {round}\n");
                        s.write_all(msg.as_bytes()).await.unwrap();
                        let mut back = vec![0u8; msg.len()];
                        s.read_exact(&mut back).await.unwrap();
                        assert_eq!(back, msg.as_bytes());
                        got += back.len();
                    }
                    got
                })
            })
            .collect();
        let mut total = 0;
        for c in clients {
            total += c.await.unwrap();
        }
        server.await.unwrap();
        total
    });
    let want: usize = (0..8)
        .flat_map(|c| (0..50).map(move |r| format!("client {c} round {r}\n").len()))
        .sum();
    assert_eq!(total, want);
}
