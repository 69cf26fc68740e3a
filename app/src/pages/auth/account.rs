//! Your account: change your password, sign out on every device.

use crate::api::auth::{ChangePassword, LogoutEverywhere};
use crate::components::action::refusal;
use crate::components::field::TextField;
use crate::components::layout::Card;
use crate::components::notice::ErrorBanner;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountSettingsPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let change_errors = refusal(change.value());
    let changed = move || matches!(change.value().get(), Some(Ok(())));
    let everywhere = ServerAction::<LogoutEverywhere>::new();
    let everywhere_errors = refusal(everywhere.value());
    Effect::new(move |_| {
        if let Some(Ok(_)) = everywhere.value().get() {
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_href("/login");
            }
        }
    });
    view! {
        <Title text="Your account"/>
        <div class="page-head"><div><h1>"Your account"</h1><p class="muted">"Your password and where you are signed in."</p></div></div>
        <div class="account-settings">
            <Card id="pw-h" title="Change your password">
                <p class="muted small">"Every other device signed in as you is signed out; this one stays signed in."</p>
                <ErrorBanner error=change_errors/>
                <Show when=changed>
                    <p class="banner-ok" role="status">"Password changed. Your other sessions have ended."</p>
                </Show>
                <ActionForm action=change attr:novalidate="true">
                    <TextField label="Current password" name="current" field="current" kind="password" errors=change_errors required=true
                        autocomplete="current-password"/>
                    <TextField label="New password" name="new_password" field="new_password" kind="password" errors=change_errors required=true
                        autocomplete="new-password" hint="At least 10 characters."/>
                    <button type="submit" class="button primary" disabled=move || change.pending().get()>
                        {move || if change.pending().get() { "Changing…" } else { "Change password" }}
                    </button>
                </ActionForm>
            </Card>
            <Card id="sessions-h" title="Sessions">
                <p class="muted small">"A session ends after 14 days, or sooner when it goes unused for the idle timeout (12 hours unless your admin \
                    set another). Lost a laptop, or signed in on a shared computer? Sign out everywhere."</p>
                <ErrorBanner error=everywhere_errors/>
                <ActionForm action=everywhere>
                    <button type="submit" class="button danger" disabled=move || everywhere.pending().get()>"Sign out everywhere"</button>
                </ActionForm>
            </Card>
        </div>
    }
}
