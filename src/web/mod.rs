//! The browser layer: the only code that touches the DOM, cookies and
//! storage. It turns the core's decisions into effects and the page's events
//! into core calls.

pub mod adopt;
pub mod app;
pub mod blocker;
pub mod dialog;
pub mod dom;
pub mod gtag;
pub mod jar;
pub mod listen;
pub mod sync;
