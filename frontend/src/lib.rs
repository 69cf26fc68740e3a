//! The browser entry point: hydrate the server-rendered page with the same `App`.
//!
//! Hydration is asynchronous: a page whose route lives in a lazily loaded chunk (`app::lazy`)
//! hydrates once that chunk is in. `<body data-hydrated>` is set when all of it is live — what
//! the end-to-end tests (and a curious person) wait for before clicking.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_broken_notice();
    }));
    remember_link_targets();
    // Drives the reactive system's futures; an error only means it was already set up.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let body = leptos::prelude::document().body().expect("a <body>");
        let app = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        app.forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}

/// After a panic the WASM is stopped for good (panic = abort): most often a page's chunk did
/// not download (the connection dropped, or a new version was deployed meanwhile). The page is
/// left as the server rendered it, with a notice whose "Try again" is a plain link to where the
/// person was going — a fresh load, which needs none of the stopped code.
fn show_broken_notice() {
    let document = leptos::prelude::document();
    let (Some(body), Ok(notice), Ok(retry)) =
        (document.body(), document.create_element("div"), document.create_element("a"))
    else {
        return;
    };
    if document.get_element_by_id("app-broken").is_some() {
        return;
    }
    // Where the person was going: the router changes the address only once the page's chunk
    // is in, so a failed chunk leaves the old one in the address bar.
    let here = GOING_TO
        .with_borrow(|to| to.clone())
        .or_else(|| document.location().and_then(|l| l.href().ok()))
        .unwrap_or_else(|| "/".into());
    let _ = notice.set_attribute("id", "app-broken");
    let _ = notice.set_attribute("role", "alert");
    let _ = notice.set_attribute("class", "app-broken");
    notice.set_text_content(Some(
        "Part of this page could not be loaded — the connection may have dropped. ",
    ));
    let _ = retry.set_attribute("href", &here);
    // A full load: the router (stopped with the rest) must not take the click.
    let _ = retry.set_attribute("rel", "external");
    let _ = retry.set_attribute("class", "button small");
    retry.set_text_content(Some("Try again"));
    let _ = notice.append_child(&retry);
    let _ = body.append_child(&notice);
}

thread_local! {
    /// The address of the link last clicked: where a navigation that failed was going.
    static GOING_TO: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Notes the `href` of every link clicked (capture phase, before the router takes the click).
fn remember_link_targets() {
    use leptos::wasm_bindgen::{closure::Closure, JsCast};
    use leptos::web_sys::{Element, Event};
    let noted = Closure::<dyn FnMut(Event)>::new(|ev: Event| {
        let link = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten());
        if let Some(href) = link.and_then(|a| a.get_attribute("href")) {
            GOING_TO.set(Some(href));
        }
    });
    let _ = leptos::prelude::document().add_event_listener_with_callback_and_bool(
        "click",
        noted.as_ref().unchecked_ref(),
        true,
    );
    noted.forget();
}
