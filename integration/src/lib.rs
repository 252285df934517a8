//! Tests that span gort crates; see `tests/`. gort-time's tests that use
//! gort-select (Go's sleep_test.go and tick_test.go among them) live here:
//! as gort-time's own tests they would need gort-select as a
//! dev-dependency, and gort-select depends on gort-time, a cycle that
//! `cargo package` refuses. Nothing here is published.
