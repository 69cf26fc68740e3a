//! Red / yellow / green: how many accounts and how much ARR sit in each health band, as tiles
//! and one stacked bar. With `before`, each tile also says how it would change (what-if).

use crate::model::health::{Band, BandTotal, Distribution};
use crate::model::money::format_minor;
use leptos::prelude::*;

fn arr_text(t: &BandTotal) -> String {
    if t.arr.is_empty() {
        return "no ARR".into();
    }
    t.arr.iter().map(|(c, v)| format_minor(*v, c)).collect::<Vec<_>>().join(" + ")
}

#[component]
pub fn DistributionView(
    dist: Distribution, #[prop(optional)] before: Option<Distribution>,
    /// What the figures cover, e.g. "accounts in this view".
    caption: String,
) -> impl IntoView {
    let scored = dist.red.accounts + dist.yellow.accounts + dist.green.accounts;
    let pct = move |n: u64| {
        if scored == 0 {
            0.0
        } else {
            100.0 * n as f64 / scored as f64
        }
    };
    let tiles: Vec<_> = Band::ALL
        .iter()
        .map(|&b| {
            let t = dist.get(Some(b)).clone();
            let delta = before
                .as_ref()
                .map(|d| t.accounts as i64 - d.get(Some(b)).accounts as i64);
            view! {
                <div class=format!("dist {}", b.key()) data-band=b.key()>
                    <div class="muted small">{b.label()}</div>
                    <div class="n">{t.accounts}" "<span class="muted small">{format!("({:.0} %)", pct(t.accounts))}</span></div>
                    <div class="arr">{arr_text(&t)}</div>
                    {delta.map(|d| view! {
                        <div class=format!("delta {}", match (b, d.signum()) { (_, 0) => "", (Band::Red, 1) | (Band::Yellow, 1) => "down",
                            (Band::Green, -1) => "down", _ => "up" })>
                            {if d == 0 { "no change".to_string() } else { format!("{d:+} accounts") }}
                        </div>
                    })}
                </div>
            }
        })
        .collect();
    let bar_label = format!(
        "{} red, {} yellow, {} green; {} not scored",
        dist.red.accounts, dist.yellow.accounts, dist.green.accounts, dist.unscored.accounts
    );
    view! {
        <figure class="chart distribution-figure">
            <div class="distribution">{tiles}</div>
            <div class="dist-bar" role="img" aria-label=bar_label.clone()>
                <span class="red" style=format!("width:{:.2}%", pct(dist.red.accounts))></span>
                <span class="yellow" style=format!("width:{:.2}%", pct(dist.yellow.accounts))></span>
                <span class="green" style=format!("width:{:.2}%", pct(dist.green.accounts))></span>
            </div>
            <figcaption class="muted small">
                {caption}
                {(dist.unscored.accounts > 0).then(|| format!(" · {} not scored yet (no data)", dist.unscored.accounts))}
            </figcaption>
        </figure>
    }
}
