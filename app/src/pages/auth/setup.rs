//! First run: create the first admin.

use crate::api::auth::{needs_setup, SetupAdmin};
use crate::components::action::refusal;
use crate::components::field::TextField;
use crate::components::notice::ErrorBanner;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

#[component]
pub fn SetupPage() -> impl IntoView {
    let needed = Resource::new(|| (), |_| needs_setup());
    let action = ServerAction::<SetupAdmin>::new();
    let errors = refusal(action.value());
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_href("/");
            }
        }
    });
    view! {
        <Title text="Set up"/>
        <main class="auth-page">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match needed.await {
                        Ok(false) => view! { <Redirect path="/login"/> }.into_any(),
                        _ => view! {
                            <section class="auth-card">
                                <h1>"Welcome to Bellwether"</h1>
                                <p class="lead">"Create the first administrator. You can invite your team afterwards."</p>
                                <p class="muted small">"To prove you run this server, enter the set-up code it printed to its log when it started (or \
                                    run "<code>"bellwether setup-code"</code>" on the server for a new one)."</p>
                                <ErrorBanner error=errors/>
                                <ActionForm action=action attr:novalidate="true">
                                    <TextField label="Set-up code" name="setup_code" field="setup_code" errors=errors required=true autocomplete="off"
                                        hint="Like ABCD-EFGH-JKLM-NPQR, from the server's log."/>
                                    <TextField label="Your name" name="name" field="name" errors=errors required=true autocomplete="name"/>
                                    <TextField label="Work email" name="email" field="email" kind="email" errors=errors required=true autocomplete="email"/>
                                    <TextField label="Password" name="password" field="password" kind="password" errors=errors required=true
                                        autocomplete="new-password" hint="At least 10 characters."/>
                                    <button type="submit" class="button primary wide" disabled=move || action.pending().get()>
                                        {move || if action.pending().get() { "Creating…" } else { "Create admin and sign in" }}
                                    </button>
                                </ActionForm>
                            </section>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
