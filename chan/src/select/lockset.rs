//! The channel locks a select holds: Go's `sellock` and `selunlock`
//! (runtime/select.go).

use crate::select::held::{AnyChan, Held};
use crate::select::order::Order;

/// The locks of every distinct channel of a select, taken in lock order
/// (Go: `sellock`); dropping the set releases them (Go: `selunlock`).
pub(crate) struct LockSet<'a> {
    inline: [Option<Held<'a>>; 8],
    spill: Vec<Held<'a>>,
}

impl<'a> LockSet<'a> {
    /// Locks each distinct channel once, in lock order; `chan(i)` is arm
    /// `i`'s channel. The lock of arm `i` is then
    /// [`get`](Self::get)`(order.slot(i))`.
    #[inline]
    pub(crate) fn lock(order: &Order, chan: impl Fn(usize) -> &'a dyn AnyChan) -> Self {
        let mut set = LockSet {
            inline: Default::default(),
            spill: Vec::new(),
        };
        let mut last = None;
        let mut n = 0;
        for &i in order.lock() {
            let c = chan(usize::from(i));
            if last == Some(c.sortkey()) {
                continue;
            }
            last = Some(c.sortkey());
            let held = Held::lock(c);
            match set.inline.get_mut(n) {
                Some(slot) => *slot = Some(held),
                None => set.spill.push(held),
            }
            n += 1;
        }
        set
    }

    /// The lock in `slot` (see [`Order::slot`]).
    #[inline]
    pub(crate) fn get(&mut self, slot: usize) -> &mut Held<'a> {
        let inline = self.inline.len();
        if slot < inline {
            self.inline[slot].as_mut().expect("a lock for every slot")
        } else {
            &mut self.spill[slot - inline]
        }
    }
}
