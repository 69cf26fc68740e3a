//! The account's health panel: score, band and trend; the score over time with model changes
//! marked; why the score is what it is (each measure's contribution); what changed since last
//! week; and the CSM's sentiment, flagged when it disagrees with the data.

use crate::api::health::{SetSentiment, RANGES};
use crate::components::action::refusal;
use crate::components::notice::{ErrorBanner, Loaded};
use crate::components::trend_chart::{TrendChart, TrendPoint};
use crate::error::AppError;
use crate::metrics::health::{changes, trend, Change, Trend};
use crate::model::health::*;
use crate::model::AccountId;
use leptos::prelude::*;

#[component]
pub fn HealthCard(
    /// Created by the page outside its `Transition` (hydration needs it there).
    data: Resource<Result<AccountHealth, AppError>>,
    range: RwSignal<u32>, account_id: AccountId, save: ServerAction<SetSentiment>,
) -> impl IntoView {
    view! {
        <section class="card health-card" aria-labelledby="health-h">
            <div class="card-head">
                <h2 id="health-h">"Health"</h2>
                <div class="segmented" role="group" aria-label="Period">
                    {RANGES.iter().map(|&d| view! {
                        <button type="button" class="button small" class:active=move || range.get() == d
                            aria-pressed=move || (range.get() == d).to_string()
                            on:click=move |_| range.set(d)>{format!("{d} days")}</button>
                    }).collect_view()}
                </div>
            </div>
            <Loaded resource=data inline=true let:h>
                <Panel h=h days=range.get_untracked() account_id=account_id.clone() save/>
            </Loaded>
        </section>
    }
}

fn band_word(b: Option<Band>) -> &'static str {
    b.map(|b| b.label()).unwrap_or("Not scored")
}

#[component]
fn Panel(
    h: AccountHealth, days: u32, account_id: AccountId, save: ServerAction<SetSentiment>,
) -> impl IntoView {
    let today = chrono::Utc::now().date_naive();
    let from = today - chrono::Duration::days(days as i64);
    let current = h.current.clone();
    let score = current.as_ref().and_then(|c| c.score);
    let band = current.as_ref().and_then(|c| c.band);
    let before = h.week_ago.as_ref().and_then(|w| w.score);
    let arrow = match trend(score, before) {
        Some(Trend::Up) => ("↑", "up"),
        Some(Trend::Down) => ("↓", "down"),
        Some(Trend::Flat) => ("→", "flat"),
        None => ("", "flat"),
    };
    let delta = match (score, before) {
        (Some(s), Some(b)) => format!("{:+} since last week", s as i32 - b as i32),
        _ => "no score a week ago".into(),
    };
    let points: Vec<TrendPoint> = h
        .history
        .iter()
        .map(|s| TrendPoint {
            day: s.day,
            score: s.score,
            band: s.band,
            version: format!("v{}", s.version),
        })
        .collect();
    let moved = match (&h.week_ago, &current) {
        (Some(w), Some(c)) => changes(&w.measures, &c.measures),
        _ => vec![],
    };
    let had_week = h.week_ago.is_some();
    let measures = current.map(|c| c.measures).unwrap_or_default();
    let caption = format!(
        "Health score per day, last {days} days. Bands: red below {}, green from {}.",
        h.bands.yellow_from, h.bands.green_from
    );
    view! {
        <div class="health-head">
            <div class=format!("score-big {}", band.map(|b| b.key()).unwrap_or("none")) data-testid="health-score">
                {score.map(|s| s.to_string()).unwrap_or_else(|| "–".into())}
            </div>
            <div>
                <p class="health-band"><strong>{band_word(band)}</strong>" "
                    <span class=format!("trend {}", arrow.1) aria-hidden="true">{arrow.0}</span>" "
                    <span class="muted">{delta}</span></p>
                <p class="muted small">{format!("Scored with the {} model", h.model_name)}</p>
            </div>
        </div>
        {h.disagreement.map(|(said, data)| view! {
            <p class="flag" role="status">
                <strong>"Sentiment disagrees with the data: "</strong>
                {format!("the CSM says {}, the data alone says {}.", said.label().to_lowercase(), data.label().to_lowercase())}
            </p>
        })}
        <TrendChart points bands=h.bands from to=today caption/>
        <div class="columns health-columns">
            <div>
                <h3>"Why this score"</h3>
                <Breakdown measures/>
            </div>
            <div>
                <h3>"What changed since last week"</h3>
                <Changes moved had_week/>
                <h3>"CSM sentiment"</h3>
                <Sentiment entry=h.sentiment can_edit=h.can_edit account_id save/>
            </div>
        </div>
    }
}

/// The measures that moved the score most since last week (up to four).
#[component]
fn Changes(moved: Vec<Change>, had_week: bool) -> impl IntoView {
    view! {
        {if !had_week {
            view! { <p class="muted small">"No score a week ago to compare with."</p> }.into_any()
        } else if moved.is_empty() {
            view! { <p class="muted small">"Nothing moved the score by half a point or more."</p> }.into_any()
        } else {
            view! {
                <ul class="changes">
                    {moved.into_iter().take(4).map(|c| {
                        let from = c.before.map(|v| c.measure.format_raw(v)).unwrap_or_else(|| "no data".into());
                        let to = c.after.map(|v| c.measure.format_raw(v)).unwrap_or_else(|| "no data".into());
                        view! {
                            <li class={if c.points >= 0.0 { "up" } else { "down" }}>
                                <strong>{c.measure.label()}</strong>" "
                                <span class="points">{format!("{:+.1} points", c.points)}</span>
                                <div class="muted small">{format!("{from} → {to}")}</div>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
fn Breakdown(measures: Vec<MeasureScore>) -> impl IntoView {
    view! {
        <table class="breakdown">
            <thead><tr>
                <th scope="col">"Measure"</th><th scope="col">"Value"</th>
                <th scope="col" class="num">"Sub-score"</th><th scope="col" class="num">"Weight"</th>
                <th scope="col" class="num">"Points"</th>
            </tr></thead>
            <tbody>
                {measures.into_iter().filter(|m| m.weight > 0).map(|m| match (m.raw, m.sub_score) {
                    (Some(raw), Some(sub)) => view! {
                        <tr>
                            <th scope="row" title=m.measure.unit()>{m.measure.label()}</th>
                            <td class="bd-value">{m.measure.format_raw(raw)}</td>
                            <td class="num bd-sub" data-label="Sub-score">{format!("{sub:.0}")}</td>
                            <td class="num bd-weight" data-label="Weight" title=format!("set to {}; {:.0} % of this score after missing measures", m.weight, m.share * 100.0)>
                                {format!("{:.0} %", m.share * 100.0)}</td>
                            <td class="num bd-points"><span class="bar" style=format!("width:{:.0}px", m.contribution.clamp(0.0, 100.0) * 0.8)></span>
                                {format!("{:.1}", m.contribution)}</td>
                        </tr>
                    }.into_any(),
                    _ => view! {
                        <tr class="missing">
                            <th scope="row">{m.measure.label()}</th>
                            <td colspan="3" class="bd-missing">{format!("Missing: {}", m.measure.missing_reason())}</td>
                            <td class="num bd-points" title=format!("its weight ({}) is shared among the others", m.weight)>"—"</td>
                        </tr>
                    }.into_any(),
                }).collect_view()}
            </tbody>
        </table>
        <p class="muted small">"Score = Σ sub-score × weight ÷ Σ weight over the measures that have data; missing measures' weight is shared among the \
            others."</p>
    }
}

#[component]
fn Sentiment(
    entry: Option<SentimentEntry>, can_edit: bool, account_id: AccountId,
    save: ServerAction<SetSentiment>,
) -> impl IntoView {
    let errors = refusal(save.value());
    let now = entry.as_ref().map(|s| {
        let who = s.set_by.clone().unwrap_or_else(|| "someone".into());
        let when = s.set_at.format("%Y-%m-%d").to_string();
        let status = if s.expired {
            format!("expired {}", s.expires_on.format("%d %b"))
        } else {
            format!("counts until {}", s.expires_on.format("%d %b"))
        };
        view! {
            <p class="sentiment-now">
                <span class=format!("pill {}", s.colour.key())>{s.colour.label()}</span>" "
                <span class="muted small">{format!("by {who} on {when}; {status}")}</span>
            </p>
            {s.note.clone().map(|n| view! { <blockquote class="small">{n}</blockquote> })}
        }
    });
    view! {
        {match now {
            Some(v) => v.into_any(),
            None => view! { <p class="muted small">"No sentiment set."</p> }.into_any(),
        }}
        {can_edit.then(|| view! {
            <ActionForm action=save attr:class="stack sentiment-form" attr:novalidate="true">
                <ErrorBanner error=errors/>
                <input type="hidden" name="account_id" value=account_id.to_string()/>
                <fieldset class="choices">
                    <legend>"How does this account feel to you?"</legend>
                    {Band::ALL.iter().map(|b| view! {
                        <label class=format!("choice {}", b.key())>
                            <input type="radio" name="colour" value=b.key() required/>
                            <span>{b.label()}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
                <label>"Note (optional)"<input type="text" name="note" maxlength="1000" placeholder="e.g. Champion left; new VP unconvinced"/></label>
                <button type="submit" class="button primary small">"Set sentiment"</button>
            </ActionForm>
        })}
    }
}
