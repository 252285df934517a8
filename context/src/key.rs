//! Typed keys for context values (Go: a private key type per package).

use core::fmt;
use core::marker::PhantomData;

/// A key for values stored with [`Context::with_value`](crate::Context::with_value).
/// Keys are compared by address, so declare each as a `static` (a `const`
/// may be copied to several addresses); the type parameter fixes the type
/// of the value, so a lookup never needs a downcast that could fail. Go's
/// advice to use an unexported key type becomes: keep the `static` private
/// and export accessors.
///
/// ```
/// use gort_context::{Context, Key};
/// static USER: Key<String> = Key::new("user");
/// let ctx = Context::background().with_value(&USER, "ann".to_string());
/// assert_eq!(ctx.value(&USER).map(String::as_str), Some("ann"));
/// ```
pub struct Key<T> {
    name: &'static str,
    _value: PhantomData<fn() -> T>,
}

impl<T> Key<T> {
    /// A key named `name` (the name is for `Debug` output only).
    pub const fn new(name: &'static str) -> Key<T> {
        Key {
            name,
            _value: PhantomData,
        }
    }

    /// The key's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The key's identity: its address.
    pub(crate) fn id(&'static self) -> usize {
        self as *const Key<T> as usize
    }
}

impl<T> fmt::Debug for Key<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Key").field(&self.name).finish()
    }
}
