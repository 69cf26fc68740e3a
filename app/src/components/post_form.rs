//! A form posted to one server function, for the pages in the first-load bundle (the frame and
//! the portfolio).
//!
//! Leptos's `ActionForm` decodes the submitted fields into the server function's arguments
//! with `serde_qs`, and is compiled once per server function: that decoder and its copies
//! weighed about 40 KB (raw) of the bundle every visitor downloads before the portfolio is live
//! (BENCHMARKS.md, "Fourth step"). Here the page builds the arguments from the named fields
//! itself. Without JavaScript it is the same plain POST to the server function's URL.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys;

/// The submitted form's fields, by name.
pub struct Fields(web_sys::FormData);

impl Fields {
    /// The field's value; empty when the form has no such field (or it is a file).
    pub fn text(&self, name: &str) -> String {
        self.0.get(name).as_string().unwrap_or_default()
    }
}

/// A `<form method="post">` to `S`'s URL that, in the browser, dispatches `action` with the
/// arguments `args` builds from the fields instead of leaving the page. Attributes given as
/// `attr:class` or `attr:novalidate` go on the `<form>`.
#[component]
pub fn PostForm<S, A>(action: ServerAction<S>, args: A, children: Children) -> impl IntoView
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
    A: Fn(&Fields) -> S + 'static,
{
    let submit = move |ev: leptos::ev::SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        let form = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok());
        if let Some(data) = form.and_then(|f| web_sys::FormData::new_with_form(&f).ok()) {
            action.dispatch(args(&Fields(data)));
        }
    };
    view! {
        <form action=S::url() method="post" on:submit=submit>
            {children()}
        </form>
    }
}
