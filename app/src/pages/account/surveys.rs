//! The account's voice: its NPS/CSAT/CES over the last year and its latest answers.

use crate::components::layout::Card;
use crate::error::AppError;
use crate::metrics::survey::format_score as score_text;
use crate::model::{AccountSurveys, ResponseRow};
use crate::pages::surveys::{day, Verbatim};
use leptos::prelude::*;

#[component]
pub fn SurveysCard(
    /// Created by the page outside its `Transition` (see `surveys::results::Results`).
    data: Resource<Result<AccountSurveys, AppError>>,
) -> impl IntoView {
    view! {
        <Card id="acc-surveys-h" title="Survey answers">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move { match data.await {
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    Ok(s) if s.recent.is_empty() => view! { <p class="muted">"No survey answers from this account yet."</p> }.into_any(),
                    Ok(s) => view! {
                        <div class="mini-kpis">
                            {s.figures.into_iter().map(|(k, p)| view! {
                                <div class="kpi" title=k.formula()>
                                    <span class="kpi-label">{format!("{} · 12 months", k.label())}</span>
                                    <span class="kpi-value">{score_text(k, p.value)}</span>
                                    <span class="kpi-note">{format!("{} answer{}", p.n, if p.n == 1 { "" } else { "s" })}</span>
                                </div>
                            }).collect_view()}
                        </div>
                        <ul class="verbatims">
                            {s.recent.into_iter().map(|ResponseRow { response: v, at, channel, .. }| view! {
                                <Verbatim kind=v.kind score=v.score>
                                    {v.comment.clone().map(|c| view! { <blockquote>{c}</blockquote> })}
                                    <p class="muted small">
                                        {v.contact_name.clone().unwrap_or_default()} " · "
                                        <a href=format!("/surveys/{}", v.survey_id)>{v.survey_name.clone()}</a>
                                        " · " {day(&at)}
                                        // Answered in another tool and imported through the API.
                                        {(channel == "import").then(|| view! { " · " <span class="tag">"imported"</span> })}
                                    </p>
                                </Verbatim>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }})}
            </Suspense>
        </Card>
    }
}
