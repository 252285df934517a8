//! A G's memory: one allocation holding the header (Go's `g` struct) and
//! the future, later its output (Go's stack, which a Rust future replaces).
//! Everything that depends on the future's type sits behind a [`Vtable`], so
//! the scheduler handles Gs as untyped [`TaskPtr`]s.

use super::join::JoinError;
use super::state::State;
use crate::gfree::Class;
use crate::shared::Shared;
use core::alloc::Layout;
use core::future::Future;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll, Waker};
use gort_sync::{Arc, UnsafeCell};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// A pointer to a G's header; owns nothing by itself (the owners are the
/// references counted in the state word).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct TaskPtr(pub(crate) NonNull<Header>);

// SAFETY: the header's shared fields are atomics or cells guarded by the
// protocols documented on them; the future is touched only by the M holding
// RUNNING, and `spawn` requires `F: Send` and `F::Output: Send`.
unsafe impl Send for TaskPtr {}
// SAFETY: as above.
unsafe impl Sync for TaskPtr {}

/// The type-dependent operations on a G.
pub(crate) struct Vtable {
    /// Polls the future (RUNNING held); on `Ready` or a panic the output is
    /// stored and `Ready` returned.
    poll: unsafe fn(TaskPtr, &Waker) -> Poll<()>,
    /// Drops the future (RUNNING held) and stores `Err(Aborted)`.
    cancel: unsafe fn(TaskPtr),
    /// Moves the output into `*mut Poll<Result<T, JoinError>>` (COMPLETE seen
    /// by the handle, which alone owns the output then).
    read_output: unsafe fn(TaskPtr, *mut ()),
    /// Drops the output nobody will read.
    drop_output: unsafe fn(TaskPtr),
    /// Drops everything but the runtime reference, which it returns.
    drop_cell: unsafe fn(TaskPtr) -> Arc<Shared>,
    /// The allocation's layout and its free-list class.
    pub(crate) layout: Layout,
    pub(crate) class: Option<Class>,
}

/// Go's `g`, minus the stack: what the scheduler needs of every G.
#[repr(C)]
pub(crate) struct Header {
    pub(crate) state: State,
    pub(crate) vtable: &'static Vtable,
    /// Go's `goid`.
    pub(crate) id: u64,
    /// The runtime this G belongs to (dropped by hand in `drop_cell`).
    pub(crate) shared: ManuallyDrop<Arc<Shared>>,
    /// Links of the owned-task list (Go: `allgs`), guarded by its shard lock.
    pub(crate) owned: UnsafeCell<Links>,
    /// The handle's waker: written by the handle while JOIN_WAKER is clear,
    /// read by the runner after it set COMPLETE with JOIN_WAKER set.
    pub(crate) join_waker: UnsafeCell<Option<Waker>>,
}

/// Neighbours in the owned-task list.
#[derive(Default)]
pub(crate) struct Links {
    pub(crate) prev: Option<TaskPtr>,
    pub(crate) next: Option<TaskPtr>,
    pub(crate) linked: bool,
}

#[repr(C)]
struct Cell<F: Future> {
    header: Header,
    stage: UnsafeCell<Stage<F>>,
}

enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, JoinError>),
    Consumed,
}

impl<F: Future> Cell<F> {
    const VTABLE: Vtable = Vtable {
        poll: poll::<F>,
        cancel: cancel::<F>,
        read_output: read_output::<F>,
        drop_output: drop_output::<F>,
        drop_cell: drop_cell::<F>,
        layout: Layout::new::<Cell<F>>(),
        class: Class::of(Layout::new::<Cell<F>>()),
    };
}

/// Builds a G for `future` in `mem`, which must be valid for
/// `vtable_of::<F>().layout` (Go: `newproc1`'s initialisation of a G taken
/// from `gfget` or `malg`).
///
/// # Safety
/// `mem` is unused memory of the vtable's layout.
pub(crate) unsafe fn init<F: Future + Send + 'static>(
    mem: NonNull<u8>,
    future: F,
    shared: Arc<Shared>,
    id: u64,
) -> TaskPtr
where
    F::Output: Send + 'static,
{
    let cell = mem.cast::<Cell<F>>();
    // SAFETY: the caller gives memory of `Cell<F>`'s layout, unused.
    unsafe {
        cell.as_ptr().write(Cell {
            header: Header {
                state: State::new(),
                vtable: &Cell::<F>::VTABLE,
                id,
                shared: ManuallyDrop::new(shared),
                owned: UnsafeCell::new(Links::default()),
                join_waker: UnsafeCell::new(None),
            },
            stage: UnsafeCell::new(Stage::Running(future)),
        })
    };
    TaskPtr(cell.cast())
}

/// The vtable of futures of type `F` (for the allocation's layout).
pub(crate) fn vtable_of<F: Future>() -> &'static Vtable {
    &Cell::<F>::VTABLE
}

impl Header {
    /// Drops the waker in the join slot, if any.
    ///
    /// # Safety
    /// The caller is the one of the handle and the runner that the state
    /// word made the slot's last user: the other no longer touches it.
    pub(crate) unsafe fn drop_join_waker(&self) {
        // SAFETY: per the contract this is the only access.
        let w = self.join_waker.with_mut(|w| unsafe { (*w).take() });
        let _ = catch_unwind(AssertUnwindSafe(move || drop(w)));
    }
}

impl TaskPtr {
    pub(crate) fn header(&self) -> &Header {
        // SAFETY: a TaskPtr is used only while some reference keeps the G
        // alive.
        unsafe { self.0.as_ref() }
    }

    /// # Safety
    /// RUNNING is held by the caller.
    pub(crate) unsafe fn poll(self, waker: &Waker) -> Poll<()> {
        // SAFETY: forwarded.
        unsafe { (self.header().vtable.poll)(self, waker) }
    }

    /// # Safety
    /// RUNNING is held by the caller.
    pub(crate) unsafe fn cancel(self) {
        // SAFETY: forwarded.
        unsafe { (self.header().vtable.cancel)(self) }
    }

    /// # Safety
    /// COMPLETE is set and the caller owns the output; `dst` points to a
    /// `Poll<Result<T, JoinError>>` of the G's output type.
    pub(crate) unsafe fn read_output(self, dst: *mut ()) {
        // SAFETY: forwarded.
        unsafe { (self.header().vtable.read_output)(self, dst) }
    }

    /// # Safety
    /// COMPLETE is set and the caller owns the output.
    pub(crate) unsafe fn drop_output(self) {
        // SAFETY: forwarded.
        unsafe { (self.header().vtable.drop_output)(self) }
    }

    /// Frees the G; its memory goes to the runtime's free lists.
    ///
    /// # Safety
    /// The last reference was dropped.
    pub(crate) unsafe fn dealloc(self) {
        let vtable = self.header().vtable;
        // SAFETY: no reference is left, so nothing else touches the G.
        let shared = unsafe { (vtable.drop_cell)(self) };
        crate::gfree::put(&shared, self.0.cast(), vtable);
    }
}

fn cell<F: Future>(task: TaskPtr) -> NonNull<Cell<F>> {
    task.0.cast()
}

/// The stage of a G whose future has type `F` (the vtable's type).
fn stage<'a, F: Future>(task: TaskPtr) -> &'a UnsafeCell<Stage<F>> {
    // SAFETY: the vtable that calls this was made for `F`, and a reference
    // keeps the G alive during the call.
    &unsafe { cell::<F>(task).as_ref() }.stage
}

unsafe fn poll<F: Future>(task: TaskPtr, waker: &Waker) -> Poll<()> {
    let stage = stage::<F>(task);
    let mut cx = Context::from_waker(waker);
    let polled = stage.with_mut(|s| {
        // SAFETY: RUNNING gives this M the stage.
        let s = unsafe { &mut *s };
        catch_unwind(AssertUnwindSafe(|| match s {
            // SAFETY: the future never moves: the G's memory stays put
            // until it is freed, and the stage is replaced only after the
            // future is done with.
            Stage::Running(f) => unsafe { Pin::new_unchecked(f) }.poll(&mut cx),
            _ => unreachable!("gort-executor: a finished task was polled"),
        }))
    });
    let out = match polled {
        Ok(Poll::Pending) => return Poll::Pending,
        Ok(Poll::Ready(v)) => Ok(v),
        Err(payload) => Err(JoinError::Panic(payload)),
    };
    set_stage(stage, Stage::Finished(out));
    Poll::Ready(())
}

unsafe fn cancel<F: Future>(task: TaskPtr) {
    let stage = stage::<F>(task);
    set_stage(stage, Stage::Finished(Err(JoinError::Aborted)));
}

/// Replaces the stage (RUNNING or output ownership held), catching a panic
/// in the old value's `Drop` (a future dropped by `abort` may panic).
fn set_stage<F: Future>(stage: &UnsafeCell<Stage<F>>, next: Stage<F>) {
    // SAFETY: the caller owns the stage.
    let old = stage.with_mut(|s| unsafe { core::ptr::replace(s, next) });
    let _ = catch_unwind(AssertUnwindSafe(move || drop(old)));
}

unsafe fn read_output<F: Future>(task: TaskPtr, dst: *mut ()) {
    let stage = stage::<F>(task);
    // SAFETY: the handle owns the output once COMPLETE is set.
    let taken = stage.with_mut(|s| unsafe { core::ptr::replace(s, Stage::Consumed) });
    let Stage::Finished(out) = taken else {
        panic!("gort-executor: a JoinHandle was polled after it returned its result");
    };
    // SAFETY: the caller's `dst` has this output type.
    unsafe { *dst.cast::<Poll<Result<F::Output, JoinError>>>() = Poll::Ready(out) };
}

unsafe fn drop_output<F: Future>(task: TaskPtr) {
    let stage = stage::<F>(task);
    set_stage(stage, Stage::Consumed);
}

unsafe fn drop_cell<F: Future>(task: TaskPtr) -> Arc<Shared> {
    let cell = cell::<F>(task).as_ptr();
    // The runtime reference is taken out before the rest is dropped in
    // place; a panicking `Drop` of the join waker (foreign code) is
    // contained so the memory is still returned.
    // SAFETY: the last reference is gone: this is the only access.
    unsafe {
        let shared = ManuallyDrop::take(&mut (*cell).header.shared);
        (*cell).header.join_waker.will_free();
        (*cell).stage.will_free();
        let _ = catch_unwind(AssertUnwindSafe(|| core::ptr::drop_in_place(cell)));
        shared
    }
}
