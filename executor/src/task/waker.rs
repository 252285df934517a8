//! A G's `Waker`: waking it is Go's `ready(gp)`.

use super::{Notified, TaskPtr, release};
use core::mem::ManuallyDrop;
use core::ptr::NonNull;
use core::task::{RawWaker, RawWakerVTable, Waker};

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

fn task(data: *const ()) -> TaskPtr {
    // SAFETY: every waker of this vtable carries a non-null header pointer.
    TaskPtr(unsafe { NonNull::new_unchecked(data.cast_mut().cast()) })
}

unsafe fn clone(data: *const ()) -> RawWaker {
    task(data).header().state.ref_inc();
    RawWaker::new(data, &VTABLE)
}

unsafe fn wake(data: *const ()) {
    // SAFETY: this waker holds a reference until the end of the call.
    unsafe { wake_by_ref(data) };
    release(task(data), 1);
}

unsafe fn wake_by_ref(data: *const ()) {
    let t = task(data);
    if t.header().state.to_notified() {
        // SAFETY: `to_notified` set NOTIFIED and added the reference.
        crate::ready::ready(unsafe { Notified::from_raw(t) });
    }
}

unsafe fn drop_waker(data: *const ()) {
    release(task(data), 1);
}

/// A waker for the G being polled that borrows the run queue's reference
/// (cloning it adds one).
pub(super) fn borrowed(t: TaskPtr) -> ManuallyDrop<Waker> {
    // SAFETY: the vtable's contract holds for `t`'s header pointer; the
    // waker is never dropped (ManuallyDrop), so it releases nothing.
    ManuallyDrop::new(unsafe {
        Waker::from_raw(RawWaker::new(t.0.as_ptr().cast_const().cast(), &VTABLE))
    })
}
