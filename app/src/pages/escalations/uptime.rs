//! An account's availability month by month against its SLA policy's uptime target, from the
//! incidents a status page or monitor reported. Shown only when some month fell short of
//! 100 %: a table of "100 %" rows says nothing a CSM needs.

use crate::model::escalation::MonthUptime;
use leptos::prelude::*;

/// "99.95 %": up to three decimals, since targets are written that finely (99.9 %, 99.95 %);
/// cut, not rounded, so a missed target never reads as met (the nudge absorbs float noise
/// such as 0.999 × 100 000 = 99 899.999…).
pub fn percent(x: f64) -> String {
    let s = format!("{:.3}", (x * 100_000.0 + 1e-6).floor() / 1000.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s} %")
}

/// Minutes as "1 h 10 min".
fn downtime(m: i64) -> String {
    super::parts::duration(m)
}

/// The table, or nothing when every month was fully available.
#[component]
pub fn UptimeTable(months: Vec<MonthUptime>) -> impl IntoView {
    if months.iter().all(|m| m.down_minutes == 0) {
        return ().into_any();
    }
    view! {
        <div class="esc-uptime" data-testid="esc-uptime">
            <h3 class="small-h">"Uptime, last 6 months"</h3>
            <table class="compact">
                <thead>
                    <tr><th scope="col">"Month"</th><th scope="col" class="num">"Availability"</th><th scope="col" class="num">"Target"</th>
                        <th scope="col" class="num">"Down"</th><th scope="col" class="num">"Incidents"</th></tr>
                </thead>
                <tbody>
                    {months.into_iter().map(|m| view! {
                        <tr class:missed=!m.met>
                            <th scope="row">{m.month.format("%b %Y").to_string()}</th>
                            <td class="num avail" class:late=!m.met>{percent(m.availability)}{(!m.met).then_some(" · missed")}</td>
                            <td class="num">{percent(m.target)}</td>
                            <td class="num">{downtime(m.down_minutes)}</td>
                            <td class="num">{m.incidents}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_keep_the_digits_targets_use() {
        assert_eq!(percent(0.999), "99.9 %");
        assert_eq!(percent(1.0), "100 %");
        assert_eq!(percent(0.99838), "99.838 %");
        // Never rounded up into meeting a target it missed.
        assert_eq!(percent(0.99899999), "99.899 %");
    }
}
