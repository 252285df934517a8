//! `#[gort::main]`, the attribute that runs `async fn main` on a gort
//! runtime. Use it through the `gort` crate (`gort::main`): the expansion
//! names `::gort::executor`.
//!
//! Written against `proc_macro` alone: the attribute only has to drop one
//! `async` keyword and wrap one block, which needs no parser crate.

use proc_macro::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};

/// Runs `async fn main` as the main goroutine of a new gort runtime
/// (`gort::executor::Runtime::new()`, which sizes itself from
/// `$GOMAXPROCS` or the available CPUs, and `block_on`). Go's `main`
/// is the main goroutine; this is its twin.
///
/// ```text
/// #[gort::main]
/// async fn main() {
///     let h = gort::go!(async { 6 * 7 });
///     assert_eq!(h.await.unwrap(), 42);
/// }
/// ```
///
/// (The examples run as doc tests of the `gort` crate, which re-exports
/// this attribute: this crate cannot depend on `gort`.)
///
/// `main` may return a value (e.g. a `Result`), which `block_on` returns.
/// The attribute takes no arguments; build a `Runtime` by hand to choose
/// `procs`, `max_threads` or a thread name.
#[proc_macro_attribute]
pub fn main(attr: TokenStream, item: TokenStream) -> TokenStream {
    // Each error keeps an item that compiles otherwise, so that it is the
    // only one reported.
    let mut out = match expand(item.clone()) {
        Ok(ts) => ts,
        Err((span, msg)) => {
            let mut ts = compile_error(span, &msg);
            ts.extend(item);
            ts
        }
    };
    if let Some(t) = attr.into_iter().next() {
        let mut ts = compile_error(
            t.span(),
            "#[gort::main] takes no arguments: build a gort::executor::Runtime by hand to configure it",
        );
        ts.extend(out);
        out = ts;
    }
    out
}

type Error = (Span, String);

/// `async fn main() BODY` → `fn main() { ::gort::executor::Runtime::new()
/// .block_on(async move BODY) }`, keeping attributes, visibility and the
/// return type.
fn expand(item: TokenStream) -> Result<TokenStream, Error> {
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    let body = match tokens.pop() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => g,
        other => {
            let span = other.map_or_else(Span::call_site, |t| t.span());
            return Err((
                span,
                "#[gort::main] goes on `async fn main() { .. }`".into(),
            ));
        }
    };
    let is_ident =
        |t: &TokenTree, name: &str| matches!(t, TokenTree::Ident(i) if i.to_string() == name);
    let fn_at = tokens
        .iter()
        .position(|t| is_ident(t, "fn"))
        .ok_or_else(|| {
            (
                body.span(),
                "#[gort::main] goes on `async fn main() { .. }`".to_string(),
            )
        })?;
    match tokens.get(fn_at + 1) {
        Some(t) if is_ident(t, "main") => {}
        Some(t) => return Err((t.span(), "#[gort::main] goes on `fn main`".into())),
        None => return Err((body.span(), "#[gort::main] goes on `fn main`".into())),
    }
    let Some(async_at) = tokens[..fn_at].iter().position(|t| is_ident(t, "async")) else {
        return Err((
            tokens[fn_at].span(),
            "#[gort::main] needs `async fn main`: the attribute runs the async body on a gort runtime".into(),
        ));
    };
    tokens.remove(async_at);
    // `{ ::gort::executor::Runtime::new().block_on(async move BODY) }`
    let span = body.span();
    let mut call = TokenStream::new();
    call.extend(path(&["gort", "executor", "Runtime", "new"], span));
    call.extend([
        TokenTree::Group(Group::new(Delimiter::Parenthesis, TokenStream::new())),
        TokenTree::Punct(Punct::new('.', Spacing::Alone)),
        TokenTree::Ident(Ident::new("block_on", span)),
    ]);
    let arg: TokenStream = [
        TokenTree::Ident(Ident::new("async", span)),
        TokenTree::Ident(Ident::new("move", span)),
        TokenTree::Group(body),
    ]
    .into_iter()
    .collect();
    call.extend([TokenTree::Group(Group::new(Delimiter::Parenthesis, arg))]);
    let mut out: TokenStream = tokens.into_iter().collect();
    out.extend([TokenTree::Group(Group::new(Delimiter::Brace, call))]);
    Ok(out)
}

/// `::a::b::c` as tokens.
fn path(segments: &[&str], span: Span) -> TokenStream {
    let mut ts = TokenStream::new();
    for s in segments {
        ts.extend([
            TokenTree::Punct(Punct::new(':', Spacing::Joint)),
            TokenTree::Punct(Punct::new(':', Spacing::Alone)),
            TokenTree::Ident(Ident::new(s, span)),
        ]);
    }
    ts
}

/// `compile_error!("msg")` at `span`.
fn compile_error(span: Span, msg: &str) -> TokenStream {
    let mut lit = proc_macro::Literal::string(msg);
    lit.set_span(span);
    let mut ts = path(&["core", "compile_error"], span);
    ts.extend([
        TokenTree::Punct(Punct::new('!', Spacing::Alone)),
        TokenTree::Group(Group::new(
            Delimiter::Parenthesis,
            TokenStream::from(TokenTree::Literal(lit)),
        )),
        TokenTree::Punct(Punct::new(';', Spacing::Alone)),
    ]);
    ts
}
