//! Small declaration helpers.

/// Declares a constructor that is a `const fn` in normal builds and a plain
/// `fn` under `cfg(gort_loom)`, whose types have no const constructors.
macro_rules! const_unless_loom {
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$attr])*
        #[cfg(not(gort_loom))]
        $vis const fn $name($($arg: $ty),*) -> $ret $body

        $(#[$attr])*
        #[cfg(gort_loom)]
        $vis fn $name($($arg: $ty),*) -> $ret $body
    };
}
