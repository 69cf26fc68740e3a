//! A survey's figures: score, response rate, distribution, trend, segments, closing the loop,
//! and the verbatims with their filters.

use super::{band_class, day, hours, pct, Verbatim};
use crate::components::charts::{Column, ColumnChart};
use crate::components::layout::Card;
use crate::metrics::survey::format_score as score_text;
use crate::model::{Band, ResponseRow, ScorePoint, SurveyKind, SurveyResults, VerbatimFilter};
use leptos::prelude::*;

#[component]
pub fn Results(
    r: SurveyResults, filter: RwSignal<VerbatimFilter>,
    /// Created by the page, outside any `Suspend`: a resource created inside one is not in
    /// the server's serialized data, so the browser refetches it and hydration can mismatch.
    segments: Resource<Result<Vec<crate::model::Segment>, crate::error::AppError>>,
) -> impl IntoView {
    let kind = r.survey.kind;
    view! {
        <ResultKpis r=r.clone()/>
        <ResultCharts kind distribution=r.distribution.clone() by_month=r.by_month.clone()/>
        <SegmentsCard kind by_segment=r.by_segment.clone()/>
        <VerbatimsCard kind verbatims=r.verbatims filter segments/>
    }
}

/// The headline figures: score, response rate, closed-loop rate, time to close.
#[component]
fn ResultKpis(r: SurveyResults) -> impl IntoView {
    let kind = r.survey.kind;
    let fu = r.follow_ups.clone();
    view! {
        <div class="kpis">
            <div class="kpi" title=kind.formula()>
                <span class="kpi-label">{kind.label()}</span>
                <span class="kpi-value score">{score_text(kind, r.score.value)}</span>
                <span class="kpi-note">{format!("{} response{}", r.score.n, if r.score.n == 1 { "" } else { "s" })}<span class="sr-only">
                    {format!(". {}", kind.formula())}</span></span>
            </div>
            <div class="kpi" title="Invited contacts who answered ÷ invitations delivered">
                <span class="kpi-label">"Response rate"</span>
                <span class="kpi-value">{pct(r.response_rate)}</span>
                <span class="kpi-note">{format!("{} of {} invited", r.invited_responded, r.invited)}
                    {(r.mail_queued > 0).then(|| format!(" · {} queued", r.mail_queued))}
                    {(r.mail_failed > 0).then(|| format!(" · {} undeliverable", r.mail_failed))}</span>
            </div>
            <div class="kpi" title="Follow-ups closed ÷ follow-ups opened by low scores">
                <span class="kpi-label">"Closed-loop rate"</span>
                <span class="kpi-value">{pct(fu.closed_rate)}</span>
                <span class="kpi-note">{format!("{} opened · {} overdue", fu.opened, fu.overdue)}</span>
            </div>
            <div class="kpi" title="Median time from a low score to its follow-up being closed">
                <span class="kpi-label">"Median time to close"</span>
                <span class="kpi-value">{hours(fu.median_hours_to_close)}</span>
                <span class="kpi-note">{format!("{} anonymous answer{}", r.anonymous_responses, if r.anonymous_responses == 1 { "" } else { "s" })}</span>
            </div>
        </div>
    }
}

/// How the scores spread over the scale, and the score month by month.
#[component]
fn ResultCharts(
    kind: SurveyKind, distribution: Vec<(i64, u64)>, by_month: Vec<ScorePoint>,
) -> impl IntoView {
    let (lo, hi) = kind.range();
    let dist_cols: Vec<Column> = distribution
        .iter()
        .map(|(s, n)| Column {
            label: s.to_string(),
            value: *n as f64,
            class: band_class(kind.band(*s)),
            tip: format!("Score {s}: {n} response{}", if *n == 1 { "" } else { "s" }),
        })
        .collect();
    let (axis_min, axis_max) = match kind {
        crate::model::SurveyKind::Nps => (Some(-100.0), Some(100.0)),
        crate::model::SurveyKind::Csat => (Some(0.0), Some(100.0)),
        crate::model::SurveyKind::Ces => (Some(0.0), Some(7.0)),
    };
    let month_cols: Vec<Column> = by_month
        .iter()
        .map(|p| Column {
            label: p.label.clone(),
            value: p.value.unwrap_or(0.0),
            class: "trend",
            tip: format!("{}: {} ({} responses)", p.label, score_text(kind, p.value), p.n),
        })
        .collect();
    view! {
        <div class="columns">
            <Card id="dist-h" title="Distribution">
                <ColumnChart columns=dist_cols caption=format!("Responses per score, {lo} to {hi}") value_name="Responses" whole=true/>
                <ul class="legend small">
                    {Band::ALL.iter().map(|b| view! { <li><span class=format!("swatch {}", band_class(*b))></span>{kind.band_label(*b)}</li> }).collect_view()}
                </ul>
            </Card>
            <section class="card" aria-labelledby="trend-h">
                <h2 id="trend-h">{format!("{} by month", kind.label())}</h2>
                <ColumnChart columns=month_cols caption=format!("{} per calendar month (UTC)", kind.label()) value_name=kind.label()
                    min=axis_min.unwrap_or(0.0) max=axis_max.unwrap_or(1.0)/>
            </section>
        </div>
    }
}

/// The score per saved segment.
#[component]
fn SegmentsCard(kind: SurveyKind, by_segment: Vec<ScorePoint>) -> impl IntoView {
    view! {
        <Card id="seg-h" title="By segment">
            {if by_segment.is_empty() {
                view! { <p class="muted">"Save a segment in the portfolio to compare groups of accounts."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table>
                        <thead><tr><th scope="col">"Segment"</th><th scope="col" class="num">"Responses"</th>
                            <th scope="col" class="num" title=kind.formula()>{kind.label()}</th></tr></thead>
                        <tbody>{by_segment.iter().map(|p| view! {
                            <tr><th scope="row">{p.label.clone()}</th><td class="num">{p.n}</td><td class="num">{score_text(kind, p.value)}</td></tr>
                        }).collect_view()}</tbody>
                    </table></div>
                }.into_any()
            }}
        </Card>
    }
}

/// The comments, filtered by band, segment and dates, twenty at a time.
#[component]
fn VerbatimsCard(
    kind: SurveyKind, verbatims: Vec<ResponseRow>, filter: RwSignal<VerbatimFilter>,
    segments: Resource<Result<Vec<crate::model::Segment>, crate::error::AppError>>,
) -> impl IntoView {
    view! {
        <Card id="verb-h" title="What they said">
            <VerbatimFilters kind filter segments/>
            {if verbatims.is_empty() {
                view! { <p class="muted">"No comments match."</p> }.into_any()
            } else {
                let total = verbatims.len();
                let shown = RwSignal::new(PAGE.min(total));
                let all = StoredValue::new(verbatims);
                view! {
                    <p class="muted small">
                        {if total >= 200 { "The 200 newest comments that match.".to_string() } else { format!("{total} comment{} match.", if total ==
                            1 { "" } else { "s" }) }}</p>
                    <ul class="verbatims">
                        {move || all.with_value(|list| list.iter().take(shown.get()).cloned().collect::<Vec<_>>()).into_iter().map(|v| view! {
                            <Verbatim kind=v.response.kind score=v.response.score>
                                <blockquote>{v.response.comment.clone().unwrap_or_default()}</blockquote>
                                {v.answers.iter().map(|(q, a)| view! { <p class="small"><span class="muted">{q.clone()}": "</span>{a.clone()}
                                    </p> }).collect_view()}
                                <p class="muted small">
                                    {v.response.contact_name.clone().unwrap_or_else(|| "Anonymous".into())}
                                    {v.response.account_id.clone().map(|id| view! { " · " <a href=format!("/accounts/{id}")>
                                        {v.response.account_name.clone().unwrap_or_default()}</a> })}
                                    " · " {day(&v.at)}
                                </p>
                            </Verbatim>
                        }).collect_view()}
                    </ul>
                    {move || (shown.get() < total).then(|| view! {
                        <button type="button" class="button small more" on:click=move |_| shown.update(|n| *n = (*n + PAGE).min(total))>
                            {format!("Show {} more", PAGE.min(total - shown.get()))}
                        </button>
                    })}
                }.into_any()
            }}
        </Card>
    }
}

/// The verbatims' filters: score band, segment (`segments`, the page's), dates.
#[component]
fn VerbatimFilters(
    kind: SurveyKind, filter: RwSignal<VerbatimFilter>,
    segments: Resource<Result<Vec<crate::model::Segment>, crate::error::AppError>>,
) -> impl IntoView {
    let f = filter.get_untracked();
    // Effects run in the browser once this part has hydrated: the mark says the filters now
    // answer (tests wait for it rather than guessing).
    let filters_form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(form) = filters_form.get() {
            let _ = form.set_attribute("data-live", "true");
        }
    });
    view! {
        <form class="filters" node_ref=filters_form on:submit=|ev| ev.prevent_default() aria-label="Filter comments">
            <div class="filter">
                <label for="v-band">"Score band"</label>
                <select id="v-band" on:change=move |ev| { let v = event_target_value(&ev); filter.update(|f| f.band = Band::parse(&v)); }>
                    <option value="" selected=f.band.is_none()>"All"</option>
                    {Band::ALL.iter().map(|b| view! { <option value=b.key() selected=f.band == Some(*b)>{kind.band_label(*b)}</option> }).collect_view()}
                </select>
            </div>
            <div class="filter">
                <label for="v-seg">"Segment"</label>
                <Suspense fallback=|| view! { <select disabled=true><option>"…"</option></select> }>
                    {move || Suspend::new(async move {
                        let list = segments.await.unwrap_or_default();
                        let cur = filter.get_untracked().segment;
                        view! {
                            <select id="v-seg" on:change=move |ev| { let v = event_target_value(&ev); filter.update(|f| f.segment =
                                (!v.is_empty()).then_some(v)); }>
                                <option value="">"All accounts"</option>
                                {list.into_iter().map(|s| { let sel = cur.as_deref() == Some(s.id.as_str()); view! { <option value=s.id.clone()
                                    selected=sel>{s.name.clone()}</option> } }).collect_view()}
                            </select>
                        }
                    })}
                </Suspense>
            </div>
            <div class="filter">
                <label for="v-from">"From"</label>
                <input id="v-from" type="date" value=f.from.map(|d| d.to_string()).unwrap_or_default()
                    on:change=move |ev| { let v = event_target_value(&ev); filter.update(|f| f.from = v.parse().ok()); }/>
            </div>
            <div class="filter">
                <label for="v-to">"To"</label>
                <input id="v-to" type="date" value=f.to.map(|d| d.to_string()).unwrap_or_default()
                    on:change=move |ev| { let v = event_target_value(&ev); filter.update(|f| f.to = v.parse().ok()); }/>
            </div>
        </form>
    }
}

/// Comments shown at first, and added per "Show more".
const PAGE: usize = 20;
