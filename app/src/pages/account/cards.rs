//! The account page's cards, in two lazily loaded groups: what needs attention (alerts,
//! escalations, health, revenue) and the work with the customer (plans, engagement, contacts,
//! team, survey answers, timeline).
//!
//! Why: with its cards the account page's own pack was 259 KB brotli, over the 150 KB a route
//! may add; the page itself (its head and the resources every card reads) is under 100 KB.
//! Each group comes in its own pack (scripts/pack-routes.mjs: a split point named
//! `account_route_part_…` is a part of the account route, so its pack leaves out what the
//! route's pack holds). The
//! server names all three in preload hints on a direct load, and the portfolio warms all three
//! up ([`crate::lazy::warm_up`]); each group hydrates as soon as its pack is in.
//!
//! The resources stay the page's: hydration needs them made by the page component, never
//! under a `Suspense` (see `view.rs`). A group only reads them.

use super::alerts::{AlertReads, AlertsCard};
use super::contacts::ContactsCard;
use super::escalations::{EscalationReads, EscalationsCard};
use super::health::HealthCard;
use super::plans::PlansCard;
use super::revenue::{RevenueCard, RevenueRead};
use super::surveys::SurveysCard;
use super::team::TeamCard;
use super::timeline::TimelineCard;
use crate::api::accounts::{
    AddContact, AddTeamMember, RemoveContact, RemoveTeamMember, UpdateContact,
};
use crate::error::AppError;
use crate::model::engagement::{Engagement, TimelineItem};
use crate::model::health::AccountHealth;
use crate::model::plan::PlanSummary;
use crate::model::{AccountDetail, AccountId, AccountSurveys, ContactId, User};
use leptos::prelude::*;

type Read<T> = Resource<Result<T, AppError>>;

/// What the attention group reads and acts through.
#[derive(Clone, Copy)]
pub struct Attention {
    pub alerts: AlertReads,
    pub escalations: EscalationReads,
    pub health: Read<AccountHealth>,
    pub range: RwSignal<u32>,
    pub sentiment: ServerAction<crate::api::health::SetSentiment>,
    pub revenue: RevenueRead,
    pub record: ServerAction<crate::api::revenue::RecordMovement>,
    pub can_edit: bool,
    pub can_import: bool,
}

/// Alerts, escalations, health and revenue.
// Named `<route>_part_…`: scripts/pack-routes.mjs packs it as a part of that route.
#[leptos::lazy(account_route_part_attention)]
pub fn account_attention(p: Attention, id: AccountId) -> AnyView {
    view! {
        <AlertsCard reads=p.alerts/>
        <EscalationsCard reads=p.escalations account_id=id.clone()/>
        <HealthCard data=p.health range=p.range account_id=id.clone() save=p.sentiment/>
        <RevenueCard data=p.revenue record=p.record account_id=id can_edit=p.can_edit
            can_import=p.can_import/>
    }
    .into_any()
}

/// What the work group reads and acts through.
#[derive(Clone, Copy)]
pub struct Work {
    pub can_edit: bool,
    pub plans: Read<Vec<PlanSummary>>,
    pub engagement: Read<Engagement>,
    pub log: ServerAction<crate::api::engagement::LogTouchpoint>,
    pub add_contact: ServerAction<AddContact>,
    pub remove_contact: ServerAction<RemoveContact>,
    pub update_contact: ServerAction<UpdateContact>,
    pub editing_contact: RwSignal<Option<ContactId>>,
    pub add_member: ServerAction<AddTeamMember>,
    pub remove_member: ServerAction<RemoveTeamMember>,
    pub staff: Option<Read<Vec<User>>>,
    pub voice: Read<AccountSurveys>,
    pub timeline_kind: RwSignal<String>,
    pub timeline: Read<Vec<TimelineItem>>,
}

/// Plans, engagement, contacts, team, survey answers and the timeline.
#[leptos::lazy(account_route_part_work)]
pub fn account_work(p: Work, d: AccountDetail) -> AnyView {
    let can_edit = p.can_edit;
    let a = d.account;
    view! {
        <div class="columns">
            <PlansCard account_id=a.id.clone() contract_start=a.contract_start can_edit plans=p.plans/>
            <super::engagement::EngagementCard account_id=a.id.clone() can_edit data=p.engagement
                log=p.log/>
        </div>
        <div class="columns">
            <ContactsCard account_id=a.id.clone() contacts=d.contacts can_edit add=p.add_contact
                remove=p.remove_contact update=p.update_contact editing=p.editing_contact/>
            <TeamCard account_id=a.id.clone() team=d.team can_edit add=p.add_member
                remove=p.remove_member staff=p.staff/>
        </div>
        <SurveysCard data=p.voice/>
        <TimelineCard kind=p.timeline_kind data=p.timeline/>
    }
    .into_any()
}

/// Loads both groups' packs (at once, each at most once; on the server there is nothing to
/// load). The account route waits for this in its view and in its preload
/// (`lazy::AccountRoute`), so warming the route up warms the cards up too.
pub async fn load() {
    #[cfg(feature = "hydrate")]
    futures::join!(__preload_account_attention(), __preload_account_work());
}
