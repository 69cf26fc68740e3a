//! The shared plan's markup, as maud templates (see [`super`] for why maud): the summary, the
//! objectives (with the value form where the team allowed it), the milestones and their tasks
//! (with the tick form on the customer's own), and the comments and activity.

use app::model::plan::{
    fmt_num, milestone_status, plan_status, progress, Milestone, Objective, OwnerRole, Plan,
    PlanEvent, PlanEventKind, Task, TaskStatus,
};
use app::store::plan_shares::Opened;
use chrono::NaiveDate;
use maud::{html, Markup};

/// What the page shows, and for whom.
pub(super) struct PlanView<'a> {
    /// Our company's name, at the top of the page.
    pub company: &'a str,
    /// The link's token: every form posts under it.
    pub token: &'a str,
    pub opened: &'a Opened,
    pub plan: &'a Plan,
    /// The latest activity, newest first.
    pub events: &'a [PlanEvent],
    /// Statuses and lateness are as of this day.
    pub today: NaiveDate,
}

/// The whole page's content, with an error (a refused change) or a notice (a saved one) at the
/// top.
pub(super) fn plan(v: &PlanView, notice: Option<&str>, error: Option<&str>) -> Markup {
    let p = v.plan;
    html! {
        header.brand { strong { (v.company) } span { "Success plan for " (p.account_name) } }
        (summary(v))
        @if let Some(e) = error { div.errors role="alert" { p { (e) } } }
        @if let Some(n) = notice { p.notice role="status" { (n) } }
        @if !p.objectives.is_empty() {
            section.card {
                h2 { "Objectives" }
                @for ob in &p.objectives { (objective(v, ob)) }
            }
        }
        section.card {
            h2 { "Milestones" }
            @for m in &p.milestones { (milestone(v, m)) }
            @if p.milestones.is_empty() { p.muted { "No milestones yet." } }
        }
        (comments(v))
    }
}

/// Greeting, title, derived status with its reason, and the progress bar.
fn summary(v: &PlanView) -> Markup {
    let (p, o) = (v.plan, v.opened);
    let derived = plan_status(p, v.today);
    let (done, total) = progress(p);
    let pct = (done * 100).checked_div(total).unwrap_or(0);
    let first = o.contact_name.split_whitespace().next().unwrap_or(&o.contact_name);
    html! {
        div.card {
            p.hello { "Hi " (first) "," }
            h1 { (p.title) }
            p { span class={ "pill s-" (derived.status.key()) } { (derived.status.label()) } " " (derived.reason) }
            div.bar role="img" aria-label={ (pct) "% complete" } { span style={ "width:" (pct) "%" } {} }
            p.muted { (done) " of " (total) " steps done · started " (p.start.format("%d %b %Y")) }
        }
    }
}

fn objective(v: &PlanView, ob: &Objective) -> Markup {
    let pct = (ob.spec.progress() * 100.0).round() as u32;
    let target = if ob.spec.has_target() {
        fmt_num(ob.spec.target)
    } else {
        "target to be agreed".to_string()
    };
    html! {
        div class="obj" id={ "o-" (ob.id) } {
            div.row { strong { (ob.spec.metric) } span { (fmt_num(ob.spec.current)) " → " (target) " " (ob.spec.unit) } }
            div.bar role="img" aria-label={ (pct) "% of the way to the target" } { span style={ "width:" (pct) "%" } {} }
            p.muted {
                "Started at " (fmt_num(ob.spec.baseline))
                @if let Some(u) = &ob.updated_by { " · last updated by " (u) }
            }
            @if ob.spec.customer_can_update {
                form method="post" action={ "/p/" (v.token) "/objectives/" (ob.id) } class="inline" {
                    label for={ "v-" (ob.id) } { "Current value" }
                    input id={ "v-" (ob.id) } name="value" inputmode="decimal" value=(fmt_num(ob.spec.current)) required;
                    button type="submit" { "Update" }
                }
            }
        }
    }
}

fn milestone(v: &PlanView, m: &Milestone) -> Markup {
    let d = milestone_status(m, v.today);
    html! {
        div class="ms" id={ "m-" (m.id) } {
            h3 { (m.title) @if m.first_value { " " span.tag { "First value" } } }
            p.muted {
                "Due " (m.due.format("%a %d %b %Y")) " · "
                span class={ "pill s-" (d.status.key()) } { (d.status.label()) }
            }
            ul.tasks { @for t in &m.tasks { (task(v, t)) } }
        }
    }
}

/// Who a task is with, as the customer should read it: "You", their colleague, or our person.
fn owner_words(v: &PlanView, t: &Task, theirs: bool) -> String {
    if theirs && t.owner_id.is_some() {
        "You".to_string()
    } else if t.owner_role == OwnerRole::Customer {
        t.owner_name.clone().unwrap_or_else(|| "Your team".to_string())
    } else {
        format!("{} ({})", t.owner_name.as_deref().unwrap_or(v.company), t.owner_role.label())
    }
}

/// One task: done or not, who has it, when it is due, its resources, and the tick form when it
/// is the customer's.
fn task(v: &PlanView, t: &Task) -> Markup {
    let theirs = v.opened.may_tick(t);
    let done = t.status == TaskStatus::Done;
    let late = t.is_overdue(v.today);
    html! {
        li id={ "t-" (t.id) } class={ "task" @if done { " done" } @if late { " late" } } {
            div.what {
                span.check aria-hidden="true" { @if done { "✓" } @else { "○" } }
                div {
                    strong { (t.title) }
                    br;
                    span.muted {
                        (owner_words(v, t, theirs)) " · due " (t.due.format("%d %b"))
                        @if late { " · overdue" }
                        @if done { @if let Some(x) = &t.done_by { " · done by " (x) } }
                    }
                    @if !t.resources.is_empty() {
                        ul.res {
                            @for r in &t.resources {
                                li {
                                    a href=(r.url) rel="noopener noreferrer" target="_blank" { (r.title) }
                                    " " span.muted { "(" (r.kind.label()) ")" }
                                }
                            }
                        }
                    }
                }
            }
            @if theirs {
                form method="post" action={ "/p/" (v.token) "/tasks/" (t.id) } {
                    input type="hidden" name="done" value=(if done { "0" } else { "1" });
                    button type="submit" class=(if done { "secondary" } else { "" }) {
                        (if done { "Mark as not done" } else { "Mark as done" })
                    }
                }
            }
        }
    }
}

/// The comment form and the activity the customer needs to see.
fn comments(v: &PlanView) -> Markup {
    html! {
        section.card {
            h2 { "Comments and activity" }
            form method="post" action={ "/p/" (v.token) "/comments" } {
                label for="text" { "Add a comment for your team" }
                textarea id="text" name="text" rows="3" maxlength="2000" required {}
                button type="submit" { "Post comment" }
            }
            ul.activity { @for e in v.events { @if let Some(entry) = activity_entry(e) { (entry) } } }
        }
    }
}

/// One entry of the activity list, or `None` for the team's housekeeping, which the customer
/// does not see: comments with their text, progress as a sentence.
fn activity_entry(e: &PlanEvent) -> Option<Markup> {
    if !e.kind.shown_to_customer() {
        return None;
    }
    let when = e.at.format("%d %b, %H:%M").to_string();
    Some(if e.kind == PlanEventKind::Comment {
        html! { li.comment { strong { (e.actor) } " " time { (when) } p { (e.describe()) } } }
    } else {
        html! { li { strong { (e.actor) } " " (e.describe()) " " time { (when) } } }
    })
}
