//! The browser layer: the only code that touches the DOM, cookies and
//! storage. It turns the core's decisions into effects and the page's events
//! into core calls.
//!
//! Two parts share it (docs/architecture.md): the gate (`app` and what it
//! owns: `blocker`, `frame`, `gtag`, `jar`, `sync`) runs on every page; the
//! ask part (`ask`, `dialog`) is fetched only when the visitor is asked.

#[cfg(feature = "gate")]
pub mod adopt;
#[cfg(feature = "gate")]
pub mod app;
#[cfg(feature = "ask")]
pub mod ask;
#[cfg(feature = "gate")]
pub mod blocker;
#[cfg(feature = "ask")]
pub mod dialog;
pub mod dom;
#[cfg(feature = "gate")]
pub mod frame;
#[cfg(feature = "gate")]
pub mod gtag;
pub mod jar;
pub mod listen;
#[cfg(feature = "gate")]
pub mod sync;
