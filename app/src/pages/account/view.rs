//! The account page: its head, and the resources its cards (`cards.rs`) read.

use super::cards::{account_attention, account_work, Attention, Work};
use crate::api::accounts::{
    get_account, AddContact, AddTeamMember, RemoveContact, RemoveTeamMember, UpdateContact,
};
use crate::components::badges::{StageBadge, TierBadge};
use crate::components::layout::use_me;
use crate::components::notice::LoadError;
use crate::model::money::format_minor;
use crate::model::{AccountId, Permission};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn AccountPage() -> impl IntoView {
    let me = use_me();
    let params = use_params_map();
    let id = Signal::derive(move || AccountId::from(params.get().get("id").unwrap_or_default()));
    let add_contact = ServerAction::<AddContact>::new();
    let remove_contact = ServerAction::<RemoveContact>::new();
    let update_contact = ServerAction::<UpdateContact>::new();
    let editing_contact = RwSignal::new(None::<crate::model::ContactId>);
    // Reload after a *saved* edit only: reloading after a refused one would rebuild the form
    // and throw away what the person typed.
    let contact_saves = RwSignal::new(0u32);
    // A saved edit closes the form; a refused one keeps it open with the messages.
    Effect::new(move |_| {
        if let Some(Ok(_)) = update_contact.value().get() {
            editing_contact.set(None);
            contact_saves.update(|n| *n += 1);
        }
    });
    let add_member = ServerAction::<AddTeamMember>::new();
    let remove_member = ServerAction::<RemoveTeamMember>::new();
    let detail = Resource::new(
        move || {
            (
                id.get(),
                add_contact.version().get()
                    + remove_contact.version().get()
                    + add_member.version().get()
                    + remove_member.version().get()
                    + contact_saves.get() as usize,
            )
        },
        |(id, _)| get_account(id),
    );
    // Health: re-read when the period changes, when sentiment is saved, and whenever the
    // server says this account changed (a new score from events arriving, on any node).
    let range = RwSignal::new(90u32);
    let live = RwSignal::new(0u32);
    let sentiment = ServerAction::<crate::api::health::SetSentiment>::new();
    let health = Resource::new(
        move || (id.get(), range.get(), live.get(), sentiment.version().get()),
        |(id, days, _, _)| crate::api::health::get_account_health(id, days),
    );
    crate::components::live::listen_for_changes(id, live);
    // Its plan links open the plan builder, a lazily loaded route.
    crate::lazy::warm_up::<crate::lazy::PlanRoute>();
    // ARR movements: re-read on the live stream and after each change recorded on the card.
    let record = ServerAction::<crate::api::revenue::RecordMovement>::new();
    let revenue = super::revenue::reads(id, live, record);
    let log = ServerAction::<crate::api::engagement::LogTouchpoint>::new();
    let timeline_kind = RwSignal::new(String::new());
    let (plans, engagement, timeline) = engagement_reads(id, live, log, timeline_kind);
    // Only editors see the team picker: made (and read) for them alone, so the server never
    // holds a resource its render did not read.
    let staff = me
        .role
        .may(Permission::EditAccounts)
        .then(|| Resource::new(|| (), |_| crate::api::users::list_staff()));
    let voice = Resource::new(move || id.get(), crate::api::surveys::get_account_surveys);
    let alerts = super::alerts::reads(id);
    let escalations = super::escalations::reads(id, me.role.may(Permission::HandleEscalations));
    let can_edit = me.role.may(Permission::EditAccounts);
    let can_import = me.role.may(Permission::ManageSettings);
    let attention = Attention {
        alerts,
        escalations,
        health,
        range,
        sentiment,
        revenue,
        record,
        can_edit,
        can_import,
    };
    let work = Work {
        can_edit,
        plans,
        engagement,
        log,
        add_contact,
        remove_contact,
        update_contact,
        editing_contact,
        add_member,
        remove_member,
        staff,
        voice,
        timeline_kind,
        timeline,
    };
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || detail.get().map(|r| match r {
                Err(e) => view! { <LoadError error=e/> }.into_any(),
                // The cards come in two lazily loaded groups (cards.rs). The route waits for
                // both packs before it renders (lazy.rs), so each `Suspend` is ready when it
                // is polled: hydration finds the cards the server sent, not an empty slot.
                Ok(d) => view! {
                    <AccountHead account=d.account.clone() can_edit revenue/>
                    {Suspend::new(account_attention(attention, d.account.id.clone()))}
                    {Suspend::new(account_work(work, d))}
                }.into_any(),
            })}
        </Transition>
    }
}

type Read<T> = Resource<Result<T, crate::error::AppError>>;

/// The account's plans, engagement and timeline. They follow the live stream too (a customer
/// ticking a task on the shared plan shows here without a reload); a logged touchpoint re-reads
/// engagement and the timeline, a new filter the timeline. Called by the page itself, so the
/// resources are the page's (as hydration needs).
fn engagement_reads(
    id: Signal<AccountId>, live: RwSignal<u32>,
    log: ServerAction<crate::api::engagement::LogTouchpoint>, timeline_kind: RwSignal<String>,
) -> (
    Read<Vec<crate::model::plan::PlanSummary>>,
    Read<crate::model::engagement::Engagement>,
    Read<Vec<crate::model::engagement::TimelineItem>>,
) {
    let plans = Resource::new(
        move || (id.get(), live.get()),
        |(id, _)| crate::api::plans::account_plans(id),
    );
    let engagement = Resource::new(
        move || (id.get(), live.get(), log.version().get()),
        |(id, _, _)| crate::api::engagement::get_engagement(id),
    );
    let timeline = Resource::new(
        move || (id.get(), timeline_kind.get(), live.get(), log.version().get()),
        |(id, kind, _, _)| crate::api::engagement::get_timeline(id, kind),
    );
    (plans, engagement, timeline)
}

/// The account's name, badges and headline figures (ARR, renewal, customer since, owner). The
/// ARR follows the movements card's reading, so a change recorded there shows here at once.
#[component]
fn AccountHead(
    account: crate::model::Account, can_edit: bool, revenue: super::revenue::RevenueRead,
) -> impl IntoView {
    let a = account;
    let saved_arr = format_minor(a.arr_minor, &a.currency);
    let arr = move || {
        revenue
            .get()
            .and_then(Result::ok)
            .map_or(saved_arr.clone(), |r| format_minor(r.arr, &r.currency))
    };
    let days_to_renewal = (a.renewal_date - chrono::Utc::now().date_naive()).num_days();
    view! {
        <Title text=a.name.clone()/>
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/">"Portfolio"</a>" / "<span>{a.name.clone()}</span></nav>
        <div class="page-head">
            <div>
                <h1>{a.name.clone()}</h1>
                <p class="badges"><TierBadge tier=a.tier/>" "<StageBadge stage=a.stage/>" "<span class="muted">{a.industry.clone()}</span></p>
            </div>
            {can_edit.then(|| view! { <a class="button" href=format!("/accounts/{}/edit", a.id)>"Edit account"</a> })}
        </div>
        <div class="kpis">
            <div class="kpi"><span class="kpi-label">"ARR"</span><span class="kpi-value" data-testid="account-arr">{arr}</span></div>
            <div class="kpi">
                <span class="kpi-label">"Renewal"</span>
                <span class="kpi-value">{a.renewal_date.format("%d %b %Y").to_string()}</span>
                <span class="kpi-note" class:warn=(0..=90).contains(&days_to_renewal)>{renewal_note(days_to_renewal)}</span>
            </div>
            <div class="kpi"><span class="kpi-label">"Customer since"</span><span class="kpi-value">
                {a.contract_start.format("%d %b %Y").to_string()}</span></div>
            <div class="kpi"><span class="kpi-label">"Owner"</span><span class="kpi-value">
                {a.owner_name.clone().unwrap_or_else(|| "No owner".into())}</span></div>
        </div>
    }
}

fn renewal_note(days: i64) -> String {
    match days {
        d if d < 0 => format!("{} days overdue", -d),
        0 => "today".into(),
        1 => "tomorrow".into(),
        d => format!("in {d} days"),
    }
}
