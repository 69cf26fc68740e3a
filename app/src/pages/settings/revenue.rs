//! Settings → Revenue (admins): the gross margin customer lifetime value is computed with, and
//! where ARR movements come from (the account page, the CSV import, the API).

use super::{SettingsHead, Tab};
use crate::api::revenue::{get_revenue_settings, SaveFxRates, SaveRevenueSettings};
use crate::components::action::refusal;
use crate::components::field::{SelectField, TextField};
use crate::components::layout::Card;
use crate::components::notice::{ErrorBanner, Loaded};
use crate::model::CURRENCIES;
use leptos::prelude::*;

#[component]
pub fn RevenueSettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveRevenueSettings>::new();
    let save_rates = ServerAction::<SaveFxRates>::new();
    // Each form's successful saves: a refused save refetches nothing, so what was typed stays.
    let saves = Memo::new(move |before: Option<&(usize, usize)>| {
        let (margin, rates) = before.copied().unwrap_or_default();
        (
            if matches!(save.value().get(), Some(Ok(_))) { save.version().get() } else { margin },
            if matches!(save_rates.value().get(), Some(Ok(_))) {
                save_rates.version().get()
            } else {
                rates
            },
        )
    });
    let settings = Resource::new(move || saves.get(), |_| get_revenue_settings());
    let errors = refusal(save.value());
    let rate_errors = refusal(save_rates.value());
    let rates_error = move || rate_errors.get().and_then(|e| e.for_field("rates"));
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
                        <SelectField label="Reporting currency" name="reporting" field="reporting" errors
                            options=CURRENCIES.iter().map(|c| (c.to_string(), c.to_string())).collect()
                            selected=m.reporting.clone() required=true/>
                        <div class="field rev-rates" class:invalid=move || rates_error().is_some()>
                            <label for="fx-rates">"Rates into the reporting currency"</label>
                            <small class="hint" id="fx-rates-hint">"One per line: currency, value of one unit, from date (YYYY-MM-DD). \
                                Leave empty to keep currencies apart."</small>
                            <textarea id="fx-rates" name="rates" rows="5" spellcheck="false" autocomplete="off"
                                placeholder="EUR, 1.08, 2026-01-01\nGBP, 1.27, 2026-01-01"
                                aria-invalid=move || rates_error().is_some().then_some("true")
                                aria-describedby="fx-rates-hint fx-rates-err">{m.rates.clone()}</textarea>
                            <small class="error" id="fx-rates-err" aria-live="polite">{rates_error}</small>
                        </div>
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
