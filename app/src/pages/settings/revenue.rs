//! Settings → Revenue (admins): the gross margin customer lifetime value is computed with, and
//! where ARR movements come from (the account page, the CSV import, the API).

use super::{SettingsHead, Tab};
use crate::api::revenue::{get_revenue_settings, SaveFxRates, SaveRevenueSettings};
use crate::components::action::refusal;
use crate::components::field::TextField;
use crate::components::layout::Card;
use crate::components::notice::{ErrorBanner, Loaded};
use leptos::prelude::*;

#[component]
pub fn RevenueSettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveRevenueSettings>::new();
    let save_rates = ServerAction::<SaveFxRates>::new();
    let settings = Resource::new(
        move || (save.version().get(), save_rates.version().get()),
        |_| get_revenue_settings(),
    );
    let errors = refusal(save.value());
    let rate_errors = refusal(save_rates.value());
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let rates_saved = move || matches!(save_rates.value().get(), Some(Ok(_)));
    view! {
        <SettingsHead current=Tab::Revenue intro="How revenue figures are computed, and where ARR changes come from."/>
        <div class="columns">
            <Card id="margin-h" title="Gross margin">
                <p class="muted small">"Customer lifetime value = ARPA × gross margin ÷ annual revenue churn. \
                    Use your finance team's figure for the last 12 months; it applies to every dashboard at once."</p>
                <Loaded resource=settings inline=true let:m>
                    <ActionForm action=save attr:class="stack margin-form">
                        <ErrorBanner error=errors fields_only_inline=true/>
                        <TextField label="Gross margin (%)" name="gross_margin" field="gross_margin" errors inputmode="decimal"
                            value=format!("{:.1}", m.gross_margin).trim_end_matches(".0").to_string() required=true
                            hint="More than 0, at most 100. 80 until you set it."/>
                        <button type="submit" class="button primary small">"Save gross margin"</button>
                        {move || saved().then(|| view! { <small class="ok" role="status">"Saved. Dashboards use it now."</small> })}
                    </ActionForm>
                </Loaded>
            </Card>
            <Card id="rates-h" title="Conversion rates">
                <p class="muted small">"Figures are per currency. To see them combined, give each currency's value in the reporting \
                    currency from a date on; a combined view converts every amount at the rate in effect at the period's end, and says so."</p>
                <Loaded resource=settings inline=true let:m>
                    <ActionForm action=save_rates attr:class="stack rates-form">
                        <ErrorBanner error=rate_errors fields_only_inline=true/>
                        <TextField label="Reporting currency" name="reporting" field="reporting" errors value=m.reporting.clone()
                            required=true hint="e.g. USD"/>
                        <label for="fx-rates">"Rates, one per line: currency, value of one unit, from date"</label>
                        <textarea id="fx-rates" name="rates" rows="5" class="mono" placeholder="EUR, 1.08, 2026-01-01\nGBP, 1.27, 2026-01-01"
                            aria-describedby="fx-rates-err">{m.rates.clone()}</textarea>
                        {move || rate_errors.get().and_then(|e| e.for_field("rates")).map(|m| view! {
                            <small id="fx-rates-err" class="field-error" role="alert">{m}</small>
                        })}
                        <button type="submit" class="button primary small">"Save rates"</button>
                        {move || rates_saved().then(|| view! { <small class="ok" role="status">"Saved. “All currencies” is offered on the dashboard."</small> })}
                    </ActionForm>
                </Loaded>
            </Card>
            <Card id="movements-h" title="ARR movements">
                <p class="small">"Every change of an account's ARR is a movement (new, expansion, contraction, churn, reactivation) \
                    with its date and reason; NRR, GRR, churn and CLV are computed from them."</p>
                <ul class="small">
                    <li>"One account: its page's " <strong>"ARR movements"</strong> " card, or the account form."</li>
                    <li>"Many at once: " <a href="/revenue/import">"import a CSV"</a> " (previewed, nothing imported until you confirm)."</li>
                    <li>"From your CRM or billing system: " <code>"POST /api/v1/arr-movements"</code>
                        " with a key that has the " <code>"revenue:write"</code> " scope (" <a href="/settings/api-keys">"API keys"</a> ")."</li>
                </ul>
            </Card>
        </div>
    }
}
