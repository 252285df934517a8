//! Port of `throw` (runtime/panic.go): a broken invariant inside the
//! allocator ends the process with a message, as Go's runtime does.
//!
//! A Rust panic is no option here: unwinding out of a `GlobalAlloc`
//! method is undefined behaviour, and the panic machinery allocates (its
//! payload box), which would re-enter this allocator, possibly with the
//! heap lock held. So the message is formatted into a stack buffer,
//! written to stderr with one `write`, and the process aborts. Unit tests
//! (which do not run on this allocator) panic instead, so that tests can
//! check that an invariant is enforced.

use core::fmt;
#[cfg(not(test))]
use core::fmt::Write;

/// Ends the process with `msg` (see the module docs).
#[cold]
#[inline(never)]
pub(crate) fn fatal(msg: fmt::Arguments<'_>) -> ! {
    #[cfg(test)]
    panic!("{msg}");
    #[cfg(not(test))]
    {
        let mut buf = Buf {
            bytes: [0; 512],
            len: 0,
        };
        let _ = writeln!(buf, "fatal error: gort-alloc: {msg}");
        // SAFETY: writes `len` initialised bytes from the buffer to stderr.
        unsafe { libc::write(2, buf.bytes.as_ptr().cast(), buf.len) };
        std::process::abort()
    }
}

/// A fixed buffer that keeps what fits and drops the rest.
#[cfg(not(test))]
struct Buf {
    bytes: [u8; 512],
    len: usize,
}

#[cfg(not(test))]
impl Write for Buf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let n = s.len().min(self.bytes.len() - self.len);
        self.bytes[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// `throw!(fmt, args..)`: [`fatal`] with a formatted message.
macro_rules! throw {
    ($($arg:tt)*) => {
        $crate::throw::fatal(format_args!($($arg)*))
    };
}

/// `check!(cond, fmt, args..)`: [`fatal`] unless `cond` holds (unused in
/// loom builds, which leave out the heap).
#[cfg_attr(gort_loom, allow(unused_macros))]
macro_rules! check {
    ($cond:expr, $($arg:tt)*) => {
        if !$cond {
            $crate::throw::fatal(format_args!($($arg)*))
        }
    };
}

#[cfg_attr(gort_loom, allow(unused_imports))]
pub(crate) use {check, throw};
