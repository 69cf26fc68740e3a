//! Sign in.

use crate::api::auth::Login;
use crate::components::field::TextField;
use crate::components::notice::ErrorBanner;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Only local paths are followed after sign-in (no open redirect to another site).
pub fn safe_next(next: Option<String>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/".to_string(),
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let action = ServerAction::<Login>::new();
    let errors = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            let _next = safe_next(query.get_untracked().get("next"));
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_href(&_next);
            }
        }
    });
    view! {
        <Title text="Sign in"/>
        <main class="auth-page">
            <section class="auth-card">
                <h1>"Sign in to Bellwether"</h1>
                <ErrorBanner error=errors fields_only_inline=true/>
                <ActionForm action=action attr:novalidate="true">
                    <TextField label="Email" name="email" field="email" kind="email" errors=errors required=true autocomplete="username"/>
                    <TextField label="Password" name="password" field="password" kind="password" errors=errors required=true autocomplete="current-password"/>
                    <button type="submit" class="button primary wide" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
                <p class="muted small">"No account? Ask your Bellwether admin to invite you."</p>
            </section>
        </main>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(super::safe_next(Some("/accounts/1".into())), "/accounts/1");
        assert_eq!(super::safe_next(Some("//evil.example".into())), "/");
        assert_eq!(super::safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(super::safe_next(None), "/");
    }
}
