//! The Alerts page: every alert the rules raised, newest first, filtered by rule, severity,
//! status, owner and segment (in the URL), with bulk acknowledge for people who handle alerts.
//! It follows the live stream: an alert opened, acknowledged or resolved anywhere shows here
//! without a reload.

pub mod act;
mod filters;
pub mod parts;
mod table;

use crate::api::alerts::alerts_page;
use crate::components::layout::use_me;
use crate::components::live::listen_to;
use crate::error::AppError;
use crate::model::alert::AlertPage;
use crate::model::Permission;
use filters::{AlertQuery, FilterBar};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The filters in the address bar.
fn use_alert_query() -> Memo<AlertQuery> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.get();
        let keys = ["rule", "severity", "status", "owner", "segment", "pages"];
        let pairs: Vec<(&str, String)> =
            keys.iter().filter_map(|k| q.get(k).map(|v| (*k, v))).collect();
        AlertQuery::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
    })
}

/// The alerts `q` shows: its pages one after another, each continuing the last one's cursor.
/// Re-read as a whole (live changes, "Load more"), so what is on screen is never stale.
async fn load(q: AlertQuery, me: String) -> Result<AlertPage, AppError> {
    let mut f = q.filter(&me);
    let mut alerts = Vec::new();
    for _ in 0..q.pages {
        let page = alerts_page(f.clone()).await?;
        alerts.extend(page.alerts);
        f.cursor = page.next_cursor;
        if f.cursor.is_none() {
            break;
        }
    }
    Ok(AlertPage { alerts, next_cursor: f.cursor })
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let me = use_me();
    let can_act = me.role.may(Permission::HandleAlerts);
    let query = use_alert_query();
    let tick = RwSignal::new(0u32);
    listen_to(Signal::derive(|| "/live/alerts".to_string()), tick);
    let me_id = me.id.to_string();
    let list =
        Resource::new(move || (query.get(), tick.get()), move |(q, _)| load(q, me_id.clone()));
    let staff = Resource::new(|| (), |_| crate::api::users::list_staff());
    let segments = Resource::new(|| (), |_| crate::api::segments::list_segments());
    view! {
        <Title text="Alerts"/>
        <div class="page-head">
            <div>
                <h1>"Alerts"</h1>
                <p class="muted">"What the early-warning rules found, with the numbers that tripped them. One alert per account and rule: a re-trip updates it."</p>
                {(!can_act).then(|| view! { <p class="muted small read-only">{format!("Read only: {}.", Permission::HandleAlerts.refusal())}</p> })}
            </div>
        </div>
        <FilterBar query staff segments/>
        <table::AlertsTable query list can_act tick/>
    }
}
