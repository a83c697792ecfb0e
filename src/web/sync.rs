//! Several tabs of one site: a decision (or withdrawal) in one applies in
//! the others without a reload; pages of other origins that share the
//! cookie, and pages back from the back/forward cache, catch up when shown.
//!
//! The cookie stays the only truth. After a decision a tab posts a
//! content-free nudge on `BroadcastChannel("consentry")`; every tab that
//! hears it re-reads the cookie with the same codec as at start-up and, if
//! what it holds differs, takes it up through the same pipeline as a
//! decision made here (`App::apply`): clean-up, dialog, `consentry:change`
//! (or `consentry:reset`), Consent Mode, `reload_on_withdraw`, gated
//! markup. A forged nudge can therefore only make a tab re-read what is
//! already in the jar. A tab posts and listens on one channel object, which
//! by the BroadcastChannel spec never hears its own messages: a page script
//! that rewrites the cookie right after a decision cannot ride on this
//! tab's own nudge.

use alloc::rc::Rc;

use super::listen::Listener;
use web_sys::BroadcastChannel;

use super::app::{App, Origin};
use super::dom::Shared;
use super::{dom, jar};

const CHANNEL: &str = "consentry";
const NUDGE: &str = "changed";

/// Starts listening for other tabs. The listeners (and through them the
/// channel) live as long as the app's other listeners.
///
/// The channel reaches only this origin. Sites that share the cookie
/// (`cookie.domain`), and a page the back/forward cache kept while the
/// visitor changed their mind elsewhere, hear nothing; so the page also
/// re-reads the jar whenever it is shown again (`pageshow`, and
/// `visibilitychange` when its tab comes back). Browsers without
/// BroadcastChannel get only that.
pub fn listen(app: &Rc<App>) {
    if let Some(channel) = &app.channel {
        let l = Listener::new(channel, "message", reread(app));
        app.listeners.write().push(l);
    }
    if let Ok(w) = dom::window() {
        let l = Listener::new(&w, "pageshow", reread(app));
        app.listeners.write().push(l);
    }
    if let Ok(d) = dom::document() {
        let l = Listener::new(&d, "visibilitychange", reread(app));
        app.listeners.write().push(l);
    }
}

fn reread(app: &Rc<App>) -> impl FnMut(&web_sys::Event) + 'static {
    let weak = Rc::downgrade(app);
    move |_| {
        if let Some(app) = weak.upgrade() {
            take_up(&app);
        }
    }
}

/// Tells the other tabs that the stored decision changed. Nothing is shared
/// when the cookie could not be stored.
pub fn announce(app: &App) {
    if !app.can_store.get() {
        return;
    }
    if let Some(channel) = &app.channel {
        dom::swallow!(
            "consentry: other tabs not told",
            channel.post_message(&NUDGE.into()),
        );
    }
}

/// This tab's one channel object, made with the app (a decision may come
/// before `listen`).
pub fn open() -> Option<BroadcastChannel> {
    BroadcastChannel::new(CHANNEL).ok()
}

fn take_up(app: &Rc<App>) {
    if !app.can_store.get() {
        return;
    }
    app.apply(jar::load(&app.config, app.gpc), Origin::Tab);
}
