//! The KPI tiles: this period's figure, the previous period's, and the change (coloured by
//! whether higher is better); "not meaningful" with the reason instead of a misleading number.
//! Each tile is focusable and shows its formula and inputs in a popover on hover and on
//! keyboard focus (a real element, not a `title`, so keyboards and touch get it too), and
//! links to the accounts behind it.

use super::filters::href;
use crate::metrics::survey::format_score;
use crate::model::dashboard::{DashboardFilter, Drill, Tile, Unit};
use crate::model::money::format_compact;
use crate::model::SurveyKind;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

/// A tile's figure as it reads.
pub fn format_value(t: &Tile, v: f64, currency: &str) -> String {
    match t.unit {
        Unit::Ratio => format!("{:.1} %", v * 100.0),
        Unit::Money => format_compact(v.round() as i64, currency),
        Unit::Days => format!("{v:.0} days"),
        Unit::Score => match t.key.as_str() {
            "nps" => format_score(SurveyKind::Nps, Some(v)),
            "csat" => format_score(SurveyKind::Csat, Some(v)),
            "ces" => format_score(SurveyKind::Ces, Some(v)),
            _ => format!("{v:.1}"),
        },
    }
}

/// The change from the previous period: arrow, text and whether it is good news.
pub fn change(t: &Tile, currency: &str) -> Option<(&'static str, String, &'static str)> {
    let (now, before) = (t.now?, t.before?);
    let d = now - before;
    let text = match t.unit {
        Unit::Ratio => format!("{:.1} pts", (d * 100.0).abs()),
        Unit::Money => format_compact(d.abs().round() as i64, currency),
        Unit::Days => format!("{:.0} days", d.abs()),
        Unit::Score if t.key == "ces" => format!("{:.1}", d.abs()),
        Unit::Score => format!("{:.0}", d.abs()),
    };
    let flat = match t.unit {
        Unit::Ratio => d.abs() < 0.0005,
        Unit::Money => d.abs() < 1.0,
        _ => d.abs() < 0.05,
    };
    if flat {
        return Some(("▶", "no change".into(), "flat"));
    }
    let good = (d > 0.0) == t.higher_is_better;
    Some((if d > 0.0 { "▲" } else { "▼" }, text, if good { "good" } else { "bad" }))
}

/// Why a figure is missing, without repeating the "Not meaningful" the tile already shows.
pub fn reason_text(reason: Option<&str>) -> String {
    let r = reason.unwrap_or_default().trim();
    let r = ["Not meaningful:", "not meaningful:", "Not meaningful", "not meaningful"]
        .iter()
        .find_map(|p| r.strip_prefix(p))
        .unwrap_or(r)
        .trim_start_matches([' ', '—', '-', ':']);
    let mut c = r.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// The grid of tiles. `open` is the drill-down on screen (its tile is marked).
#[component]
pub fn Tiles(
    tiles: Vec<Tile>, currency: String, filter: DashboardFilter, open: Option<Drill>,
) -> impl IntoView {
    view! {
        <div class="tiles" data-testid="tiles">
            {tiles.into_iter().map(|t| view! { <TileView t currency=currency.clone() filter=filter.clone() open/> }).collect_view()}
        </div>
    }
}

#[component]
fn TileView(
    t: Tile, currency: String, filter: DashboardFilter, open: Option<Drill>,
) -> impl IntoView {
    let key = t.key.clone();
    let tip_id = format!("tip-{key}");
    let label_id = format!("tile-{key}");
    let value = t.now.map(|v| format_value(&t, v, &currency));
    let before = t.before.map(|v| format_value(&t, v, &currency)).unwrap_or_else(|| "—".into());
    let delta = change(&t, &currency);
    let active = t.drill.is_some() && t.drill == open;
    let drill_label = format!("See the accounts behind {}", t.label);
    let drill = t.drill.map(|d| {
        let target = href(&filter, Some(d));
        let navigate = use_navigate();
        let to = target.clone();
        view! {
            <a class="tile-drill" href=target data-testid="drill-link" aria-label=drill_label on:click=move |ev| {
                ev.prevent_default();
                navigate(&to, NavigateOptions { scroll: false, ..Default::default() });
            }>"See the accounts"</a>
        }
    });
    let inputs = t.inputs.clone();
    let nm = value.is_none();
    let described = tip_id.clone();
    view! {
        <div class="tile" class:open=active class:nm=nm tabindex="0" role="group" aria-labelledby=label_id.clone()
            aria-describedby=described data-testid="tile" data-key=key>
            <span class="kpi-label" id=label_id.clone()>{t.label.clone()}</span>
            {match value {
                Some(v) => view! { <span class="kpi-value" data-testid="tile-value">{v}</span> }.into_any(),
                None => view! {
                    <span class="kpi-value nm" data-testid="tile-value">"Not meaningful"</span>
                    <span class="tile-reason">{reason_text(t.reason.as_deref())}</span>
                }.into_any(),
            }}
            <span class="tile-prev">"Previous period: " {before}
                {delta.map(|(arrow, text, class)| view! {
                    " " <span class=format!("tile-change {class}") data-testid="tile-change">{format!("{arrow} {text}")}</span>
                })}
            </span>
            {drill}
            <div class="tile-tip" role="tooltip" id=tip_id data-testid="tile-tip">
                <p class="tile-formula"><strong>"Formula: "</strong>{t.formula.clone()}</p>
                {(!inputs.is_empty()).then(|| view! {
                    <dl class="tile-inputs">
                        {inputs.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                    </dl>
                })}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tile(
        key: &str, unit: Unit, now: Option<f64>, before: Option<f64>, higher_is_better: bool,
    ) -> Tile {
        Tile {
            key: key.into(),
            label: key.into(),
            unit,
            now,
            before,
            reason: None,
            higher_is_better,
            formula: String::new(),
            inputs: vec![],
            drill: None,
        }
    }

    #[test]
    fn figures_read_in_their_unit() {
        assert_eq!(
            format_value(&tile("nrr", Unit::Ratio, None, None, true), 1.0345, "USD"),
            "103.5 %"
        );
        assert_eq!(format_value(&tile("nps", Unit::Score, None, None, true), 32.0, "USD"), "+32");
        assert_eq!(
            format_value(&tile("ttv", Unit::Days, None, None, false), 41.4, "USD"),
            "41 days"
        );
    }

    #[test]
    fn a_change_is_good_or_bad_by_the_tile_not_by_its_sign() {
        let churn = tile("logo_churn", Unit::Ratio, Some(0.08), Some(0.05), false);
        assert_eq!(change(&churn, "USD"), Some(("▲", "3.0 pts".to_string(), "bad")));
        let nrr = tile("nrr", Unit::Ratio, Some(1.02), Some(1.05), true);
        assert_eq!(change(&nrr, "USD"), Some(("▼", "3.0 pts".to_string(), "bad")));
        let same = tile("nps", Unit::Score, Some(30.0), Some(30.0), true);
        assert_eq!(change(&same, "USD").map(|c| c.2), Some("flat"));
        assert_eq!(change(&tile("clv", Unit::Money, None, Some(1.0), true), "USD"), None);
    }

    #[test]
    fn a_reason_does_not_repeat_not_meaningful() {
        assert_eq!(reason_text(Some("not meaningful: no account had ARR")), "No account had ARR");
        assert_eq!(
            reason_text(Some("No CSAT answers in the period")),
            "No CSAT answers in the period"
        );
        assert_eq!(reason_text(None), "");
    }
}
