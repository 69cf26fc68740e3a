//! The account's ARR movements card (`#revenue`): the ARR now, a sparkline of it over time (a
//! step line, as ARR changes on the day a movement records and stays until the next), the
//! ledger newest first, and — for admins and CSMs — "Record a change" ([`super::revenue_form`]).
//!
//! The card's resource and the record action are the page's (hydration needs them created
//! outside any `Transition`); the resource re-reads on the account's live stream, so a change
//! recorded elsewhere (the account form, the API, an import, another node) shows here too.

use super::revenue_form::RecordForm;
use crate::api::revenue::{get_account_revenue, RecordMovement};
use crate::components::notice::Loaded;
use crate::error::AppError;
use crate::model::money::{format_compact, format_minor};
use crate::model::revenue::{AccountRevenue, MovementKind, MovementRecord};
use crate::model::AccountId;
use chrono::NaiveDate;
use leptos::prelude::*;

/// The card's data: the account's ARR and ledger.
pub type RevenueRead = Resource<Result<AccountRevenue, AppError>>;

/// Movements the history shows before "Show all".
const FIRST_ROWS: usize = 8;

/// The card's resource, for the page to make: re-read whenever the account changes (`live`)
/// and after each change recorded from the card (`record`).
pub fn reads(
    id: Signal<AccountId>, live: RwSignal<u32>, record: ServerAction<RecordMovement>,
) -> RevenueRead {
    Resource::new(
        move || (id.get(), live.get(), record.version().get()),
        |(id, _, _)| get_account_revenue(id),
    )
}

#[component]
pub fn RevenueCard(
    data: RevenueRead, record: ServerAction<RecordMovement>, account_id: AccountId,
    /// Admins and CSMs record changes; executives read.
    can_edit: bool,
    /// Admins import movements from a CSV.
    can_import: bool,
) -> impl IntoView {
    view! {
        <section class="card rev-card" id="revenue" aria-labelledby="rev-h" data-testid="revenue-card">
            <div class="card-head">
                <h2 id="rev-h">"ARR movements"</h2>
                {can_import.then(|| view! { <a class="button ghost small" href="/revenue/import" data-testid="rev-import-link">"Import from CSV"</a> })}
            </div>
            <div class="rev-layout">
                <div class="rev-side">
                    <Loaded resource=data inline=true let:r>
                        <Summary r/>
                    </Loaded>
                    {can_edit.then(|| view! { <RecordForm account_id=account_id.clone() data record/> })}
                </div>
                <div class="rev-main">
                    <Loaded resource=data inline=true let:r>
                        <History r/>
                    </Loaded>
                </div>
            </div>
        </section>
    }
}

/// The ARR now, big, and the sparkline.
#[component]
fn Summary(r: AccountRevenue) -> impl IntoView {
    let today = chrono::Utc::now().date_naive();
    let n = r.movements.len();
    let since = r.movements.first().map(|m| m.on).unwrap_or(r.contract_start);
    view! {
        <div class="rev-now">
            <span class="kpi-label">"ARR now"</span>
            <span class="rev-arr" data-testid="rev-arr">{format_minor(r.arr, &r.currency)}</span>
            <span class="muted small">{match n {
                0 => "No ARR recorded yet".to_string(),
                1 => format!("1 movement since {}", short(since)),
                n => format!("{n} movements since {}", short(since)),
            }}</span>
        </div>
        <Sparkline movements=r.movements currency=r.currency today/>
    }
}

/// "12 Mar 2025".
pub(super) fn short(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

const W: f64 = 360.0;
const H: f64 = 96.0;
const PAD_X: f64 = 4.0;
/// Room after today, so a change made today shows as a step rather than the chart's edge.
const PAD_RIGHT: f64 = 14.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 18.0;

/// The step line's corners: the ARR before the first movement, then each movement's "after" from
/// its day on, held until `today`. Days are (day, ARR) pairs, oldest first.
fn steps(movements: &[MovementRecord], today: NaiveDate) -> Vec<(NaiveDate, i64)> {
    let Some(first) = movements.first() else { return Vec::new() };
    let mut out = vec![(first.on, first.arr_before)];
    for m in movements {
        out.push((m.on, out.last().map_or(0, |p| p.1)));
        out.push((m.on, m.arr_after));
    }
    let end = today.max(out.last().map_or(today, |p| p.0));
    out.push((end, out.last().map_or(0, |p| p.1)));
    out
}

#[component]
fn Sparkline(movements: Vec<MovementRecord>, currency: String, today: NaiveDate) -> impl IntoView {
    let corners = steps(&movements, today);
    let (Some(first), Some(last)) = (corners.first().copied(), corners.last().copied()) else {
        return ().into_any();
    };
    let top = corners.iter().map(|c| c.1).max().unwrap_or(0).max(1) as f64;
    let span = (last.0 - first.0).num_days().max(1) as f64;
    let x = move |d: NaiveDate| {
        PAD_X + (d - first.0).num_days() as f64 / span * (W - PAD_X - PAD_RIGHT)
    };
    let y = move |v: i64| TOP + (1.0 - v as f64 / top) * (H - TOP - BOTTOM);
    let line: String = corners
        .iter()
        .enumerate()
        .map(|(i, (d, v))| format!("{}{:.1},{:.1}", if i == 0 { 'M' } else { 'L' }, x(*d), y(*v)))
        .collect::<Vec<_>>()
        .join(" ");
    let line = format!("{line} L{:.1},{:.1}", W - PAD_X, y(last.1));
    let area = format!("{line} L{:.1},{:.1} L{:.1},{:.1} Z", W - PAD_X, y(0), x(first.0), y(0));
    let label = format!(
        "ARR over time: {} from {}, {} now, after {} movement{} (listed in the table)",
        format_compact(movements[0].arr_after, &currency),
        short(first.0),
        format_compact(last.1, &currency),
        movements.len(),
        if movements.len() == 1 { "" } else { "s" }
    );
    let peak = format_compact(top as i64, &currency);
    view! {
        <figure class="chart rev-spark">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=label preserveAspectRatio="xMidYMid meet">
                <line class="rev-base" x1=PAD_X x2=W - PAD_X y1=y(0) y2=y(0)/>
                <text x=PAD_X y=10.0>{format!("max {peak}")}</text>
                <path class="rev-area" d=area/>
                <path class="rev-line" d=line/>
                {movements.iter().map(|m| view! {
                    <circle class=format!("rev-dot mv-{}", m.kind.key()) cx=x(m.on) cy=y(m.arr_after) r=3.0>
                        <title>{format!("{} · {} · {} → {}", short(m.on), m.kind.label(), format_minor(m.arr_before, &m.currency),
                            format_minor(m.arr_after, &m.currency))}</title>
                    </circle>
                }).collect_view()}
                <text x=PAD_X y=H - 4.0>{short(first.0)}</text>
                <text x=W - PAD_X y=H - 4.0 text-anchor="end">{if last.0 == today { "today".to_string() } else { short(last.0) }}</text>
            </svg>
        </figure>
    }
    .into_any()
}

/// The kind as a small coloured label.
#[component]
pub fn KindBadge(kind: MovementKind) -> impl IntoView {
    view! { <span class=format!("badge mv mv-{}", kind.key())>{kind.label()}</span> }
}

/// Where a movement came from, for people.
fn source_label(source: &str) -> &str {
    match source {
        "form" => "Account page",
        "stage" => "Stage change",
        "api" => "API",
        "import" => "CSV import",
        "seed" => "Demo data",
        "opening" => "Opening balance",
        other => other,
    }
}

/// The change as a signed amount: "+$60,000", "−$20,000".
pub(super) fn signed(delta: i64, currency: &str) -> String {
    let sign = if delta < 0 { "−" } else { "+" };
    format!("{sign}{}", format_minor(delta.abs(), currency))
}

/// The ledger, newest first; the first few, then "Show all".
#[component]
fn History(r: AccountRevenue) -> impl IntoView {
    if r.movements.is_empty() {
        return view! { <p class="muted" data-testid="rev-empty">"No ARR movements yet. The first change of ARR starts the history."</p> }
            .into_any();
    }
    let all = RwSignal::new(false);
    let total = r.movements.len();
    let rows: Vec<MovementRecord> = r.movements.into_iter().rev().collect();
    view! {
        <div class="table-wrap rev-history">
            <table class="compact" data-testid="rev-history">
                <caption class="sr-only">"ARR movements, newest first"</caption>
                <thead><tr>
                    <th scope="col">"Date"</th><th scope="col">"Kind"</th><th scope="col">"ARR"</th>
                    <th scope="col" class="num">"Change"</th><th scope="col">"Reason"</th><th scope="col">"Recorded"</th>
                </tr></thead>
                <tbody>
                    {move || {
                        let n = if all.get() { total } else { FIRST_ROWS };
                        rows.iter().take(n).cloned().map(|m| view! { <Row m/> }).collect_view()
                    }}
                </tbody>
            </table>
        </div>
        {(total > FIRST_ROWS).then(|| view! {
            <button type="button" class="button ghost small rev-more" aria-expanded=move || all.get().to_string()
                on:click=move |_| all.update(|a| *a = !*a)>
                {move || if all.get() { "Show the latest only".to_string() } else { format!("Show all {total} movements") }}
            </button>
        })}
    }
    .into_any()
}

#[component]
fn Row(m: MovementRecord) -> impl IntoView {
    let delta = m.arr_after - m.arr_before;
    let who = m.recorded_by.clone().filter(|w| !w.is_empty());
    view! {
        <tr class=format!("mv-row mv-row-{}", m.kind.key()) data-testid="rev-row">
            <td><time datetime=m.on.to_string()>{short(m.on)}</time></td>
            <td><KindBadge kind=m.kind/></td>
            <td class="rev-amounts">
                <span class="muted">{format_minor(m.arr_before, &m.currency)}</span>" → "
                <strong>{format_minor(m.arr_after, &m.currency)}</strong>
            </td>
            <td class="num" class:up={delta > 0} class:down={delta < 0}>{signed(delta, &m.currency)}</td>
            <td class="wrap rev-reason">{m.reason.clone().unwrap_or_default()}</td>
            <td class="rev-source">
                <span>{source_label(&m.source).to_string()}</span>
                {who.map(|w| view! { <span class="muted small">{w}</span> })}
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn mv(on: NaiveDate, kind: MovementKind, before: i64, after: i64) -> MovementRecord {
        MovementRecord {
            on,
            kind,
            arr_before: before,
            arr_after: after,
            currency: "USD".into(),
            reason: None,
            source: "form".into(),
            recorded_by: None,
            recorded_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_sparkline_steps_on_each_movement_and_holds_until_today() {
        let list = [
            mv(d(2025, 1, 1), MovementKind::New, 0, 100),
            mv(d(2025, 3, 1), MovementKind::Expansion, 100, 150),
        ];
        assert_eq!(
            steps(&list, d(2025, 6, 1)),
            vec![
                (d(2025, 1, 1), 0),
                (d(2025, 1, 1), 0),
                (d(2025, 1, 1), 100),
                (d(2025, 3, 1), 100),
                (d(2025, 3, 1), 150),
                (d(2025, 6, 1), 150),
            ]
        );
        assert!(steps(&[], d(2025, 6, 1)).is_empty());
    }

    #[test]
    fn changes_carry_their_sign() {
        assert_eq!(signed(6_000_000, "USD"), "+$60,000");
        assert_eq!(signed(-2_000_000, "USD"), "−$20,000");
    }
}
