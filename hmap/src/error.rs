//! The error of [`HMap::try_reserve`](crate::HMap::try_reserve).

use core::fmt;
use std::alloc::Layout;

/// Why [`HMap::try_reserve`](crate::HMap::try_reserve) or
/// [`HSet::try_reserve`](crate::HSet::try_reserve) failed (std's
/// `TryReserveError` cannot be built outside std, so this is its twin).
///
/// ```
/// use gort_hmap::{HMap, TryReserveError};
///
/// let mut m: HMap<u64, u64> = HMap::new();
/// assert_eq!(m.try_reserve(usize::MAX), Err(TryReserveError::CapacityOverflow));
/// assert!(m.try_reserve(100).is_ok());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TryReserveError {
    /// The capacity asked for does not fit in the address space.
    CapacityOverflow,
    /// The allocator refused the bucket array.
    AllocError {
        /// The layout that could not be allocated.
        layout: Layout,
    },
}

impl TryReserveError {
    /// Reports the error the way an infallible `reserve` does.
    pub(crate) fn fail(self) -> ! {
        match self {
            TryReserveError::CapacityOverflow => panic!("capacity overflow"),
            TryReserveError::AllocError { layout } => std::alloc::handle_alloc_error(layout),
        }
    }
}

impl fmt::Display for TryReserveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryReserveError::CapacityOverflow => {
                f.write_str("memory allocation failed because the computed capacity exceeded the collection's maximum")
            }
            TryReserveError::AllocError { layout } => write!(
                f,
                "memory allocation of {} bytes failed",
                layout.size()
            ),
        }
    }
}

impl std::error::Error for TryReserveError {}
