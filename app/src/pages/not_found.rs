use leptos::prelude::*;
use leptos_meta::Title;

/// The page for an unknown address; answers 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <main class="page">
            <section class="empty-state">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address. It may have moved, or the link is mistyped."</p>
                <a class="button" href="/">"Back to the portfolio"</a>
            </section>
        </main>
    }
}
