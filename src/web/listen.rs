//! Event listeners owned by a guard, after gloo-events: dropping the guard
//! removes the listener, so none outlives the node or state it serves. Our
//! own small version keeps the crate `no_std` (gloo needs std). Listeners
//! are registered as non-passive, so handlers may call `preventDefault`.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget};

#[cfg(not(feature = "dep-gloo-events"))]
pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    callback: Closure<dyn FnMut(Event)>,
}

#[cfg(not(feature = "dep-gloo-events"))]
impl Listener {
    /// Calls `f` for every `kind` event on `target` while the guard lives.
    pub fn new(
        target: &EventTarget,
        kind: &'static str,
        mut f: impl FnMut(&Event) + 'static,
    ) -> Self {
        let callback = Closure::<dyn FnMut(Event)>::new(move |e: Event| f(&e));
        super::dom::swallow!(
            "consentry: listener not added",
            target.add_event_listener_with_callback(kind, callback.as_ref().unchecked_ref())
        );
        Listener {
            target: target.clone(),
            kind,
            callback,
        }
    }

    /// A listener for an event that fires once (`load`, `error`); the guard
    /// still decides how long it stays registered.
    pub fn once(target: &EventTarget, kind: &'static str, f: impl FnMut(&Event) + 'static) -> Self {
        Self::new(target, kind, f)
    }
}

#[cfg(not(feature = "dep-gloo-events"))]
impl Drop for Listener {
    fn drop(&mut self) {
        super::dom::swallow!(
            "consentry: listener not removed",
            self.target.remove_event_listener_with_callback(
                self.kind,
                self.callback.as_ref().unchecked_ref()
            )
        );
    }
}

/// Measurement only (`npm run deps`): the same guard as gloo-events'
/// `EventListener`, non-passive so handlers may call `preventDefault`.
#[cfg(feature = "dep-gloo-events")]
pub struct Listener(#[allow(dead_code)] gloo_events::EventListener);

#[cfg(feature = "dep-gloo-events")]
impl Listener {
    pub fn new(
        target: &EventTarget,
        kind: &'static str,
        mut f: impl FnMut(&Event) + 'static,
    ) -> Self {
        let options = gloo_events::EventListenerOptions::enable_prevent_default();
        Listener(gloo_events::EventListener::new_with_options(
            target,
            kind,
            options,
            move |e| f(e),
        ))
    }

    pub fn once(target: &EventTarget, kind: &'static str, f: impl FnMut(&Event) + 'static) -> Self {
        Self::new(target, kind, f)
    }
}

/// A `ResizeObserver` on one element, owned like a `Listener`: dropping the
/// guard disconnects it. Its callback runs after layout and before paint,
/// so reading a box there forces no extra layout.
pub struct Resize {
    observer: web_sys::ResizeObserver,
    _callback: Closure<dyn FnMut()>,
}

impl Resize {
    /// Calls `f` once `target` has a box, and whenever that box changes size.
    pub fn new(target: &web_sys::Element, f: impl FnMut() + 'static) -> Option<Self> {
        let callback = Closure::<dyn FnMut()>::new(f);
        let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe(target);
        Some(Resize {
            observer,
            _callback: callback,
        })
    }
}

impl Drop for Resize {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}
