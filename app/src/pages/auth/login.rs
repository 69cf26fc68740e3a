//! Sign in.

use crate::api::auth::Login;
use crate::components::action::refusal;
use crate::components::field::TextField;
use crate::components::notice::ErrorBanner;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let action = ServerAction::<Login>::new();
    let errors = refusal(action.value());
    // The server checks `next` and answers where to go (only a path on this site).
    Effect::new(move |_| {
        if let Some(Ok(_signed_in)) = action.value().get() {
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_href(&_signed_in.next);
            }
        }
    });
    let next = move || query.get().get("next").unwrap_or_default();
    view! {
        <Title text="Sign in"/>
        <main class="auth-page">
            <section class="auth-card">
                <h1>"Sign in to Bellwether"</h1>
                <ErrorBanner error=errors fields_only_inline=true/>
                <ActionForm action=action attr:novalidate="true">
                    <TextField label="Email" name="email" field="email" kind="email" errors=errors required=true autocomplete="username"/>
                    <TextField label="Password" name="password" field="password" kind="password" errors=errors required=true autocomplete="current-password"/>
                    <input type="hidden" name="next" prop:value=next/>
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
    use crate::model::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/accounts/1?tab=plans")), "/accounts/1?tab=plans");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        // Browsers drop tab/newline and read a backslash as a slash.
        for bad in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            " /evil",
            "/ /evil.example",
            "/\u{0}/evil.example",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
    }
}
