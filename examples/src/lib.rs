//! Go by Example-style programs on gort; see the `*.rs` files beside this
//! crate's `Cargo.toml`, each with the Go program it mirrors. Run one with
//! `cargo run --example NAME` from the workspace root.
