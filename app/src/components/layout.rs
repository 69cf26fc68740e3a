//! The signed-in frame: top navigation (with the count of the person's open alerts, live), the
//! signed-in user in context, and the page below. Signed-out visitors are sent to sign in (or
//! to set-up on a brand-new install).

use crate::api::alerts::alert_open_count;
use crate::api::auth::needs_setup;
use crate::components::live::listen_to;
use crate::components::notice::LoadError;
use crate::components::post_form::PostForm;
use crate::error::AppError;
use crate::model::Me;
use crate::model::Permission;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_location;

/// The signed-in user, available to every page under the layout.
pub fn use_me() -> Me {
    expect_context::<Me>()
}

/// Who is signed in, as the server found it before rendering the page (the middleware puts it
/// in the request, `service::session::PageVisitor`). `None` only in the browser when the frame
/// is built outside hydration.
type Known = Option<Result<Option<Me>, AppError>>;

#[cfg(feature = "ssr")]
fn known_on_server() -> Known {
    let parts = use_context::<http::request::Parts>();
    let visitor = parts
        .as_ref()
        .and_then(|p| p.extensions.get::<crate::service::session::PageVisitor>().cloned());
    // Without the middleware nobody is known to be signed in: they are sent to sign in.
    Some(visitor.map_or(Ok(None), |v| v.0))
}

#[cfg(not(feature = "ssr"))]
fn known_on_server() -> Known {
    None
}

/// The frame around every signed-in page.
///
/// The person is known synchronously — handed over from the server's render with the page's
/// data — so no `Suspense` wraps the page. One did (waiting for a `me` resource), and a
/// server-side `Suspense` walks its children more than once while resources load: the whole
/// page, its resources included, was now and then built twice. The first build's data went to
/// the browser and the second's HTML, so a page served while its data changed (an account
/// re-scored meanwhile) failed to hydrate.
#[component]
pub fn Layout() -> impl IntoView {
    match SharedValue::new(known_on_server).into_inner() {
        Some(Ok(Some(me))) => signed_in(me),
        Some(Ok(None)) => signed_out(),
        Some(Err(e)) => view! { <main class="page"><LoadError error=e/></main> }.into_any(),
        // Built in the browser rather than hydrated (a client-side step into the frame from a
        // page outside it): load the page afresh so the server says who this is.
        None => {
            #[cfg(feature = "hydrate")]
            if let Some(l) = web_sys::window().map(|w| w.location()) {
                let _ = l.reload();
            }
            view! { <div class="boot">"Loading…"</div> }.into_any()
        }
    }
}

fn signed_in(me: Me) -> AnyView {
    provide_context(me.clone());
    // The header's alert count, re-read whenever one of the person's alerts changes.
    let alert_tick = RwSignal::new(0u32);
    let open_alerts = Resource::new(move || alert_tick.get(), |_| alert_open_count());
    listen_to(Signal::derive(|| "/live/alerts?mine=1".to_string()), alert_tick);
    view! {
        <Nav me open_alerts/>
        <main id="main" class="page">
            <Outlet/>
        </main>
    }
    .into_any()
}

/// To sign-in (with where they were going), or to set-up on a brand-new install.
fn signed_out() -> AnyView {
    let location = use_location();
    view! {
        <Suspense fallback=|| view! { <div class="boot">"Loading…"</div> }>
            {move || Suspend::new(async move {
                let setup = needs_setup().await.unwrap_or(false);
                let path = location.pathname.get_untracked();
                let target = if setup {
                    "/setup".to_string()
                } else if path == "/" {
                    "/login".to_string()
                } else {
                    format!("/login?next={}", crate::model::portfolio::encode(&path))
                };
                view! { <Redirect path=target/> }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Nav(me: Me, open_alerts: Resource<Result<u32, AppError>>) -> impl IntoView {
    let signout = ServerAction::<crate::api::auth::Logout>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = signout.value().get() {
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_href("/login");
            }
        }
    });
    let can_edit = me.role.may(Permission::EditAccounts);
    let admin = me.role.may(Permission::ManageSettings);
    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/" aria-label="Bellwether home">
                <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
                    <path d="M12 2a6 6 0 0 0-6 6v5l-2 4h16l-2-4V8a6 6 0 0 0-6-6zm0 20a3 3 0 0 0 3-3H9a3 3 0 0 0 3 3z" fill="currentColor"/>
                </svg>
                <span>"Bellwether"</span>
            </a>
            <nav aria-label="Main">
                <A href="/" exact=true>"Portfolio"</A>
                <A href="/segments">"Segments"</A>
                <A href="/my-work">"My work"</A>
                <A href="/alerts">"Alerts"</A>
                <A href="/escalations">"Escalations"</A>
                <A href="/surveys">"Surveys"</A>
                <A href="/follow-ups">"Follow-ups"</A>
                <A href="/feedback">"Feedback"</A>
                <A href="/dashboard">"Dashboard"</A>
                {admin.then(|| view! { <A href="/settings">"Settings"</A> })}
            </nav>
            <div class="topbar-right">
                // Its own Transition: a live re-read keeps the old count on screen instead of
                // suspending the whole frame.
                <Transition fallback=|| ()>
                    {move || open_alerts.get().map(|r| view! { <AlertBell count=r.unwrap_or(0)/> })}
                </Transition>
                {can_edit.then(|| view! { <a class="button primary small" href="/accounts/new">"+ New"<span class="hide-sm">" account"</span></a> })}
                <a class="who" href="/account" title=format!("{} — your account: password, sessions", me.email)>
                    <span class="avatar" aria-hidden="true">{initials(&me.name)}</span>
                    <span class="who-text">
                        <span class="who-name">{me.name.clone()}</span>
                        <span class="who-role">{me.role.label()}</span>
                    </span>
                </a>
                <PostForm action=signout args=|_| crate::api::auth::Logout {}>
                    <button type="submit" class="button ghost small">"Sign out"</button>
                </PostForm>
            </div>
        </header>
    }
}

/// The bell: how many open (not yet acknowledged) alerts the person owns, linking to them.
#[component]
fn AlertBell(count: u32) -> impl IntoView {
    let label = match count {
        0 => "No open alerts".to_string(),
        1 => "1 open alert".to_string(),
        n => format!("{n} open alerts"),
    };
    view! {
        <a class="alert-bell" class:has-alerts={count > 0} href="/alerts?owner=me" aria-label=label.clone() title=label
            data-testid="alert-count">
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                <path d="M18 16v-5a6 6 0 0 0-12 0v5l-2 2v1h16v-1zM10 21a2 2 0 0 0 4 0" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"/>
            </svg>
            {(count > 0).then(|| view! { <span class="bell-count" aria-hidden="true">{if count > 99 { "99+".to_string() } else { count.to_string() }}</span> })}
        </a>
    }
}

fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

/// A card: a section titled by its `<h2>`, which also names it for screen readers
/// (`aria-labelledby`). `class` adds to `card` (e.g. `form-card`).
#[component]
pub fn Card(
    /// The heading's id.
    id: &'static str, title: &'static str,
    #[prop(optional)] class: &'static str, children: Children,
) -> impl IntoView {
    let class = if class.is_empty() { "card".to_string() } else { format!("card {class}") };
    view! {
        <section class=class aria-labelledby=id>
            <h2 id=id>{title}</h2>
            {children()}
        </section>
    }
}
