//! `select!` and `select_blocking!`: parsing the arms, evaluating each
//! arm's operands once into locals and binding one pinned case per arm (a
//! hygienic name per recursion step), and dispatching on the winner's index
//! to its body inline, so `return`, `break` and `?` in a body act on the
//! enclosing function or loop.

/// Waits on several channel operations at once and runs the body of the one
/// that completes (Go's `select`, ported from go1.23's `selectgo`). Usable
/// only inside async code; [`select_blocking!`](crate::select_blocking!) blocks a thread instead.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use gort_select::select;
///
/// let (tx1, rx1) = gort_chan::bounded::<u32>(1);
/// let (tx2, rx2) = gort_chan::bounded::<&str>(1);
/// tx2.send("ready").await.unwrap();
/// let got = select! {
///     recv(rx1) -> v => format!("rx1: {v:?}"),
///     recv(rx2) -> v => format!("rx2: {v:?}"),
///     send(tx1, 5) -> res => format!("sent: {res:?}"),
/// };
/// // rx1 is empty; the receive from rx2 and the send to tx1 are both ready,
/// // and one of them is chosen uniformly at random.
/// assert!(got == r#"rx2: Ok("ready")"# || got == "sent: Ok(())");
/// # });
/// ```
///
/// # Arms
///
/// - `recv(rx) -> res => body`: `res` is a `Result<T, RecvError>`; `Err`
///   once the channel is closed and drained (a receive on a closed channel is
///   always ready).
/// - `send(tx, value) -> res => body`: `res` is a `Result<(), SendError<T>>`;
///   `Err` gives the value back when the channel is closed (Go panics).
/// - `default => body`: runs at once when no other arm is ready.
/// - `default(d) => body`: runs when no other arm is ready within the
///   `Duration` `d` (never earlier).
///
/// `res` must be an irrefutable pattern (a name, or `_`). A body is a block
/// or an expression followed by a comma. At most one `default` arm.
///
/// # Semantics (Go's)
///
/// - Every channel operand and every send value is evaluated exactly once,
///   in source order, before any arm is tried; operands are borrowed, and
///   may be temporaries (`recv(after(d))`, Go's `case <-time.After(d):`) or
///   method calls (`recv(timer.c())`). An operand's temporaries live until
///   an arm has won, a send value's only until the value is computed; the
///   winning arm's body runs after both are gone (a `MutexGuard` in an
///   operand is not held by the body).
/// - A random permutation decides the poll order, so a ready arm is chosen
///   uniformly at random; the channels are locked in address order, each
///   once; exactly one arm commits.
/// - The value of a send arm that loses is dropped.
/// - Arms on [`never`](gort_chan::never) receivers are never ready; a
///   select with no arms (or only such arms) and no default never completes.
/// - A select never matches its own send with its own receive.
///
/// # Cancel-safety
///
/// Dropping the future of a `select!` that has not completed leaves no
/// waiter behind, and no arm's body runs. What the select may have done by
/// then is what a waiting select lets peers do:
///
/// - a receive arm may have been handed a value: it goes back to its
///   channel, ahead of values sent later, so nothing is lost;
/// - a send arm may have had its value taken by a receiver (Go's direct
///   handoff completes a waiting send in the receiver's thread): that value
///   was delivered, although the select never reported it;
/// - every other send arm's value is dropped with the future.
#[macro_export]
macro_rules! select {
    ($($arms:tt)*) => {
        $crate::__select_parse!(async [] [] $($arms)*)
    };
}

/// [`select!`] for a thread: blocks the calling thread until an arm
/// completes (or its `default(d)` is due). Do not use it in async code.
///
/// ```
/// use gort_select::select_blocking;
/// use std::time::Duration;
///
/// let (tx, rx) = gort_chan::bounded::<u32>(0);
/// std::thread::spawn(move || tx.send_blocking(1));
/// let got = select_blocking! {
///     recv(rx) -> v => v.ok(),
///     default(Duration::from_secs(10)) => None,
/// };
/// assert_eq!(got, Some(1));
/// ```
#[macro_export]
macro_rules! select_blocking {
    ($($arms:tt)*) => {
        $crate::__select_parse!(blocking [] [] $($arms)*)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_parse {
    // recv(rx) -> res => body
    ($mode:ident [$($a:tt)*] [$($d:tt)*] recv($rx:expr) -> $res:pat => $body:block, $($rest:tt)*) => {
        $crate::__select_parse!($mode [$($a)* (recv ($rx) ($res) $body)] [$($d)*] $($rest)*)
    };
    ($mode:ident [$($a:tt)*] [$($d:tt)*] recv($rx:expr) -> $res:pat => $body:block $($rest:tt)*) => {
        $crate::__select_parse!($mode [$($a)* (recv ($rx) ($res) $body)] [$($d)*] $($rest)*)
    };
    ($mode:ident [$($a:tt)*] [$($d:tt)*] recv($rx:expr) -> $res:pat => $body:expr, $($rest:tt)*) => {
        $crate::__select_parse!($mode [$($a)* (recv ($rx) ($res) { $body })] [$($d)*] $($rest)*)
    };
    ($mode:ident [$($a:tt)*] [$($d:tt)*] recv($rx:expr) -> $res:pat => $body:expr) => {
        $crate::__select_parse!($mode [$($a)* (recv ($rx) ($res) { $body })] [$($d)*])
    };
    // send(tx, value) -> res => body
    ($mode:ident [$($a:tt)*] [$($d:tt)*] send($tx:expr, $v:expr) -> $res:pat => $body:block, $($rest:tt)*) => {
        $crate::__select_parse!($mode [$($a)* (send ($tx, $v) ($res) $body)] [$($d)*] $($rest)*)
    };
    ($mode:ident [$($a:tt)*] [$($d:tt)*] send($tx:expr, $v:expr) -> $res:pat => $body:block $($rest:tt)*) => {
        $crate::__select_parse!($mode [$($a)* (send ($tx, $v) ($res) $body)] [$($d)*] $($rest)*)
    };
    ($mode:ident [$($a:tt)*] [$($d:tt)*] send($tx:expr, $v:expr) -> $res:pat => $body:expr, $($rest:tt)*) => {
        $crate::__select_parse!($mode [$($a)* (send ($tx, $v) ($res) { $body })] [$($d)*] $($rest)*)
    };
    ($mode:ident [$($a:tt)*] [$($d:tt)*] send($tx:expr, $v:expr) -> $res:pat => $body:expr) => {
        $crate::__select_parse!($mode [$($a)* (send ($tx, $v) ($res) { $body })] [$($d)*])
    };
    // a second default
    ($mode:ident [$($a:tt)*] [$($d:tt)+] default $($rest:tt)*) => {
        ::core::compile_error!("a select has at most one `default` arm")
    };
    // default => body, default(d) => body
    ($mode:ident [$($a:tt)*] [] default => $body:block, $($rest:tt)*) => {
        $crate::__select_parse!($mode [$($a)*] [(now $body)] $($rest)*)
    };
    ($mode:ident [$($a:tt)*] [] default => $body:block $($rest:tt)*) => {
        $crate::__select_parse!($mode [$($a)*] [(now $body)] $($rest)*)
    };
    ($mode:ident [$($a:tt)*] [] default => $body:expr, $($rest:tt)*) => {
        $crate::__select_parse!($mode [$($a)*] [(now { $body })] $($rest)*)
    };
    ($mode:ident [$($a:tt)*] [] default => $body:expr) => {
        $crate::__select_parse!($mode [$($a)*] [(now { $body })])
    };
    ($mode:ident [$($a:tt)*] [] default($dur:expr) => $body:block, $($rest:tt)*) => {
        $crate::__select_parse!($mode [$($a)*] [(after ($dur) $body)] $($rest)*)
    };
    ($mode:ident [$($a:tt)*] [] default($dur:expr) => $body:block $($rest:tt)*) => {
        $crate::__select_parse!($mode [$($a)*] [(after ($dur) $body)] $($rest)*)
    };
    ($mode:ident [$($a:tt)*] [] default($dur:expr) => $body:expr, $($rest:tt)*) => {
        $crate::__select_parse!($mode [$($a)*] [(after ($dur) { $body })] $($rest)*)
    };
    ($mode:ident [$($a:tt)*] [] default($dur:expr) => $body:expr) => {
        $crate::__select_parse!($mode [$($a)*] [(after ($dur) { $body })])
    };
    // all parsed
    ($mode:ident [$($a:tt)*] [$($d:tt)*]) => {
        $crate::__select_gen!($mode [$($a)*] [$($d)*])
    };
    ($mode:ident [$($a:tt)*] [$($d:tt)*] $($rest:tt)+) => {
        ::core::compile_error!(::core::concat!(
            "expected a select arm: `recv(rx) -> res => body`, `send(tx, value) -> res => body`, ",
            "`default => body` or `default(duration) => body`, found `",
            ::core::stringify!($($rest)+), "`"
        ))
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_gen {
    // No arms: never completes (Go: `select {}`), or runs the default.
    (async [] []) => {
        loop {
            ::core::future::pending::<()>().await
        }
    };
    (blocking [] []) => {
        $crate::__private::blocking(|| loop {
            ::std::thread::park()
        })
    };
    ($mode:ident [] [(now $body:block)]) => {
        $body
    };
    (blocking [] [(after ($dur:expr) $body:block)]) => {{
        $crate::__private::blocking(|| ::std::thread::sleep($dur));
        $body
    }};
    (async [] [(after ($dur:expr) $body:block)]) => {{
        $crate::__private::sleep($dur).await;
        $body
    }};
    // One arm and a default: Go's `selectnbrecv` / `selectnbsend`.
    // (Bound first: a bare `match` with a `break` arm in a user's `loop`
    // would trip clippy's `while_let_loop` in the user's code.)
    ($mode:ident [(recv ($rx:expr) ($res:pat) $body:block)] [(now $dbody:block)]) => {{
        let __selected = $crate::__private::try_recv(&$rx);
        match __selected {
            ::core::option::Option::Some(__out) => {
                let $res = __out;
                $body
            }
            ::core::option::Option::None => $dbody,
        }
    }};
    ($mode:ident [(send ($tx:expr, $v:expr) ($res:pat) $body:block)] [(now $dbody:block)]) => {{
        let __selected = $crate::__private::try_send(&$tx, $v);
        match __selected {
            ::core::option::Option::Some(__out) => {
                let $res = __out;
                $body
            }
            ::core::option::Option::None => $dbody,
        }
    }};
    // The general case: Go's `selectgo`.
    ($mode:ident [$($a:tt)+] [$($d:tt)*]) => {{
        let __outcomes = $crate::__select_bind! { $mode [$($a)+] [] [$($d)*] (0) };
        $crate::__select_dispatch!(__outcomes [$($a)+] [$($d)*])
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_bind {
    // One pinned case per arm, in source order, after its operands were
    // evaluated (Go evaluates every operand once, before the select). A
    // channel operand is the scrutinee of a `match`, whose temporaries live
    // to the end of the `match`: the rest of the select is expanded inside
    // it, so a temporary operand (`after(d)`) lives as long as the select.
    // A send value is bound by `let`, so its temporaries die at once. Each
    // recursion step's `__arm` is a distinct binding (macro hygiene); each
    // arm carries its index, `0 + 1 + ...`. The expansion's value is the
    // arms' outcomes, `(Option<outcome>, (..., ()))`, all `None` but the
    // winner's: the bodies run outside, after the operands are gone.
    ($mode:ident [(recv ($rx:expr) ($res:pat) $body:block) $($rest:tt)*] [$($b:tt)*] [$($d:tt)*] ($($i:tt)*)) => {
        match &$rx {
            __rx => {
                let mut __arm = ::core::pin::pin!($crate::__private::Case::recv(
                    $crate::__private::RecvOperand::receiver(__rx),
                ));
                $crate::__select_bind! { $mode [$($rest)*] [$($b)* (take_recv __arm __rx ($($i)*))] [$($d)*] ($($i)* + 1) }
            }
        }
    };
    ($mode:ident [(send ($tx:expr, $v:expr) ($res:pat) $body:block) $($rest:tt)*] [$($b:tt)*] [$($d:tt)*] ($($i:tt)*)) => {
        match &$tx {
            __tx => {
                let __value = $v;
                let mut __arm = ::core::pin::pin!($crate::__private::Case::send(
                    $crate::__private::SendOperand::sender(__tx),
                    __value,
                ));
                $crate::__select_bind! { $mode [$($rest)*] [$($b)* (take_sent __arm __tx ($($i)*))] [$($d)*] ($($i)* + 1) }
            }
        }
    };
    ($mode:ident [] [$(($take:ident $arm:ident $op:ident ($($i:tt)*)))+] [$($d:tt)*] ($($n:tt)*)) => {{
        let __winner: ::core::option::Option<usize> =
            $crate::__select_run!($mode ($crate::__select_cons!($($arm)+)) [$($d)*]);
        $crate::__select_outcomes!(__winner $(($take $arm $op ($($i)*)))+)
    }};
}

/// The arms' outcomes as a cons list: the winner's taken from its case.
#[doc(hidden)]
#[macro_export]
macro_rules! __select_outcomes {
    ($winner:ident) => {
        ()
    };
    ($winner:ident ($take:ident $arm:ident $op:ident ($($i:tt)*)) $($rest:tt)*) => {
        (
            if $winner == ::core::option::Option::Some($($i)*) {
                ::core::option::Option::Some($crate::__private::$take($arm.as_mut(), $op))
            } else {
                ::core::option::Option::None
            },
            $crate::__select_outcomes!($winner $($rest)*),
        )
    };
}

/// Runs the body of the arm whose outcome is there, or the default arm's.
#[doc(hidden)]
#[macro_export]
macro_rules! __select_dispatch {
    ($outs:ident [($kind:ident ($($op:tt)*) ($res:pat) $body:block) $($rest:tt)*] [$($d:tt)*]) => {{
        let (__out, __more) = $outs;
        match __out {
            ::core::option::Option::Some(__out) => {
                let $res = __out;
                $body
            }
            ::core::option::Option::None => $crate::__select_dispatch!(__more [$($rest)*] [$($d)*]),
        }
    }};
    ($outs:ident [] []) => {
        ::core::unreachable!("select: no arm completed")
    };
    ($outs:ident [] [($kind:ident $(($dur:expr))? $dbody:block)]) => {
        $dbody
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_cons {
    () => { () };
    ($h:ident $($t:ident)*) => { ($h.as_mut(), $crate::__select_cons!($($t)*)) };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_run {
    (async ($cases:expr) [$($d:tt)*]) => {
        $crate::__private::SelectFuture::new($cases, $crate::__select_default!($($d)*)).await
    };
    (blocking ($cases:expr) [$($d:tt)*]) => {{
        let mut __select =
            ::core::pin::pin!($crate::__private::SelectFuture::new($cases, $crate::__select_default!($($d)*)));
        __select.as_mut().run_blocking()
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_default {
    () => {
        $crate::__private::Default::None
    };
    ((now $body:block)) => {
        $crate::__private::Default::Now
    };
    ((after ($dur:expr) $body:block)) => {
        $crate::__private::Default::After($dur)
    };
}
