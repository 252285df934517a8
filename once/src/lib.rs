//! Go's `sync.Once`, `OnceFunc`, `OnceValue` and `OnceValues`, ported from
//! go1.23 (sync/once.go, sync/oncefunc.go).
//!
//! | Go | gort-once |
//! |---|---|
//! | `var once sync.Once; once.Do(f)` | `static ONCE: Once = Once::new(); ONCE.call_once(f)` |
//! | the same in async code | `ONCE.call_once_async(\|\| async { .. }).await` |
//! | `sync.OnceFunc(f)` | `OnceFunc::new(f)`, then `.call()` |
//! | `sync.OnceValue(f)` | `OnceValue::new(f)`, then `.get()` |
//! | `sync.OnceValues(f)` | `OnceValues::new(f)`, then `.get()`: `Result<&T, &E>` |
//!
//! - [`Once`]: runs one initialiser exactly once; callers block
//!   ([`Once::call_once`]) or await ([`Once::call_once_async`], whose
//!   initialiser may itself await) until it has finished. Once done, a call
//!   is one atomic load, inlined at the call site.
//! - [`OnceFunc`], [`OnceValue`], [`OnceValues`]: a function, a value, and a
//!   fallible value computed on first use; a panic in the function is raised
//!   again on every call.
//!
//! # Go's rules, kept
//!
//! - Every call returns only after an initialiser has finished, and sees what
//!   it wrote.
//! - A panicking initialiser counts as done: later calls do not run theirs.
//!   (std's `Once` poisons instead; `OnceLock::get_or_init` retries.)
//! - A re-entrant call from inside the initialiser deadlocks.
//!
//! # Deviations from Go, and why
//!
//! - The slow path is a small state machine with a wait queue (gort-park
//!   sudogs), not a mutex held while `f` runs: an async initialiser cannot
//!   hold a mutex across `.await`. The observable behaviour is Go's.
//! - An async initialiser can be abandoned (its future dropped before it
//!   finishes, without panicking); Go's `f` cannot. Then the Once stays not
//!   done and the running role passes, first come first served, to a waiting
//!   caller (or the next one), which runs its own initialiser.
//! - A panic message is kept, not the payload (payloads cannot be cloned):
//!   the first call panics with `f`'s payload, later ones with a `String`
//!   holding the same message. `f` is dropped after it runs whether or not
//!   it panicked (Go keeps it after a panic).
//!
//! # Example
//!
//! ```
//! use gort_once::{Once, OnceValue};
//!
//! static CONFIG: OnceValue<String> = OnceValue::new(|| "port=8080".to_string());
//! static LOGGER: Once = Once::new();
//!
//! LOGGER.call_once(|| println!("logger ready"));
//! assert_eq!(CONFIG.get(), "port=8080");
//! ```
#![deny(unsafe_op_in_unsafe_fn)]

#[macro_use]
mod macros;
mod call_async;
mod once;
mod once_func;
mod once_value;
mod once_values;

pub use call_async::CallOnceAsync;
pub use once::Once;
pub use once_func::OnceFunc;
pub use once_value::OnceValue;
pub use once_values::OnceValues;
