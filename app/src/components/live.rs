//! Live updates from the server (Server-Sent Events).

use leptos::prelude::*;

/// Subscribes (in the browser) to `/live/accounts/{id}`: each `changed` event bumps `tick`.
/// The stream is closed when the account changes or the page goes away; each time it opens,
/// `tick` is bumped too.
///
/// Nothing is bumped during the first moments after the page loads: the server-rendered
/// sections are still being hydrated then, and re-reading their data mid-hydration (say a
/// score computed a moment after the render) makes the browser's view differ from the HTML it
/// is attaching to, which Leptos cannot recover from. Events in that window are remembered and
/// applied once, when it ends.
pub fn listen_for_changes(id: Signal<String>, tick: RwSignal<u32>) {
    #[cfg(feature = "hydrate")]
    {
        use send_wrapper::SendWrapper;
        use wasm_bindgen::prelude::*;
        let current: StoredValue<Option<SendWrapper<web_sys::EventSource>>> =
            StoredValue::new(None);
        let close = move || {
            if let Some(es) = current.try_update_value(|c| c.take()).flatten() {
                es.close();
            }
        };
        use std::cell::Cell;
        use std::rc::Rc;
        // (settled, an event arrived before it settled)
        let state = Rc::new((Cell::new(false), Cell::new(false)));
        {
            let state = state.clone();
            let settle = SendWrapper::new(move || {
                state.0.set(true);
                if state.1.replace(false) {
                    tick.try_update(|n| *n += 1);
                }
            });
            set_timeout(
                move || (settle.take())(),
                std::time::Duration::from_millis(1500),
            );
        }
        let state = SendWrapper::new(state);
        Effect::new(move |_| {
            let id = id.get();
            close();
            if id.is_empty() {
                return;
            }
            if let Ok(es) = web_sys::EventSource::new(&format!("/live/accounts/{id}")) {
                let state = (*state).clone();
                let cb = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                    if state.0.get() {
                        tick.try_update(|n| *n += 1);
                    } else {
                        state.1.set(true);
                    }
                });
                let _ = es.add_event_listener_with_callback("changed", cb.as_ref().unchecked_ref());
                // Changes between the server's render and this subscription (or during a
                // reconnect) were not heard: read once more whenever the stream (re)opens.
                let _ = es.add_event_listener_with_callback("open", cb.as_ref().unchecked_ref());
                cb.forget();
                current.set_value(Some(SendWrapper::new(es)));
            }
        });
        on_cleanup(close);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, tick);
}
