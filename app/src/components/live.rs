//! Live updates from the server (Server-Sent Events).

use leptos::prelude::*;

/// Subscribes (in the browser) to `/live/accounts/{id}`: each `changed` event bumps `tick`.
/// The stream is closed when the account changes or the page goes away; each time it opens,
/// `tick` is bumped too.
pub fn listen_for_changes(id: Signal<crate::model::AccountId>, tick: RwSignal<u32>) {
    listen_to(
        Signal::derive(move || {
            let id = id.get();
            if id.is_empty() {
                String::new()
            } else {
                format!("/live/accounts/{id}")
            }
        }),
        tick,
    );
}

/// Subscribes (in the browser) to a live stream at `url` (none while it is empty): each
/// `changed` event, and each (re)opening, bumps `tick`.
pub fn listen_to(url: Signal<String>, tick: RwSignal<u32>) {
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
        Effect::new(move |_| {
            let url = url.get();
            close();
            if url.is_empty() {
                return;
            }
            if let Ok(es) = web_sys::EventSource::new(&url) {
                let cb = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                    tick.try_update(|n| *n += 1);
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
    let _ = (url, tick);
}
