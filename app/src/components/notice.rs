//! Banners for errors and confirmations.

use crate::error::AppError;
use leptos::prelude::*;

/// Shows an error's banner line (validation errors say "fix the highlighted fields").
/// `fields_only_inline`: show nothing for validation errors, whose messages already sit beside
/// their fields (a short form such as sign-in needs no summary).
#[component]
pub fn ErrorBanner(
    #[prop(into)] error: Signal<Option<AppError>>, #[prop(optional)] fields_only_inline: bool,
) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| !(fields_only_inline && matches!(e, AppError::Validation(_))))
            .and_then(|e| e.banner())
            .map(|msg| view! { <div class="banner banner-error" role="alert">{msg}</div> })
    }
}

/// A full-width message for a page that could not load.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    let (title, body) = match &error {
        AppError::NotFound(what) => (
            format!("No such {what}"),
            "It may have been removed, or the link is wrong.".to_string(),
        ),
        AppError::Forbidden(why) => ("Not allowed".to_string(), capital(why)),
        AppError::Unauthenticated => {
            ("Please sign in".to_string(), "Your session has ended.".to_string())
        }
        other => ("Could not load this page".to_string(), other.to_string()),
    };
    view! {
        <section class="empty-state" role="alert">
            <h1>{title}</h1>
            <p>{body}</p>
            <a class="button" href="/">"Back to the portfolio"</a>
        </section>
    }
}

/// What `resource` holds, shown by `children` once loaded — inside a `<Transition>`, so the
/// last value stays on screen while a new one loads. A failure shows as the page's
/// [`LoadError`], or with `inline` as one line of error text (a card on a larger page).
/// The resource is the page's (created outside any `Suspense`, as hydration needs).
#[component]
pub fn Loaded<T, V, F>(
    resource: Resource<Result<T, AppError>>, #[prop(optional)] inline: bool, children: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || resource.get().map(|r| match r {
                Err(e) if inline => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                Err(e) => view! { <LoadError error=e/> }.into_any(),
                Ok(value) => children(value).into_any(),
            })}
        </Transition>
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// Asks the person to confirm a destructive action (the browser's own dialog: keyboard- and
/// screen-reader-friendly, and impossible to miss). Always true on the server, where nothing
/// is clicked.
pub fn confirmed(message: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().and_then(|w| w.confirm_with_message(message).ok()).unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = message;
        true
    }
}
