//! One survey: send it, see who it reaches (and who the cap holds back), read the results.

use super::results::Results;
use crate::api::surveys::{get_survey_results, preview_audience, SendSurvey, SetSurveyActive};
use crate::components::action::refusal;
use crate::components::layout::use_me;
use crate::components::layout::Card;
use crate::components::notice::{ErrorBanner, LoadError};
use crate::model::VerbatimFilter;
use crate::model::{Permission, SurveyId};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn SurveyPage() -> impl IntoView {
    let me = use_me();
    let can_edit = me.role.may(Permission::RunSurveys);
    let params = use_params_map();
    let id = move || params.with(|p| SurveyId::from(p.get("id").unwrap_or_default()));
    let send = ServerAction::<SendSurvey>::new();
    let toggle = ServerAction::<SetSurveyActive>::new();
    let filter = RwSignal::new(VerbatimFilter::default());
    let results = Resource::new(
        move || (id(), filter.get(), send.version().get(), toggle.version().get()),
        |(id, filter, _, _)| get_survey_results(id, filter),
    );
    let preview =
        Resource::new(move || (id(), send.version().get()), |(id, _)| preview_audience(id));
    let segments = Resource::new(|| (), |_| crate::api::segments::list_segments());
    let send_error = refusal(send.value());
    let toggle_error = refusal(toggle.value());
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match results.await {
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                    Ok(r) => {
                        let s = r.survey.clone();
                        let sid = s.id.clone();
                        let sid2 = s.id.clone();
                        let active = s.active;
                        view! {
                            <Title text=s.name.clone()/>
                            <nav class="crumbs" aria-label="Breadcrumb"><a href="/surveys">"Surveys"</a>" › "</nav>
                            <div class="page-head">
                                <div>
                                    <h1>{s.name.clone()} " " <span class=format!("badge kind-{}", s.kind.key())>{s.kind.label()}</span>
                                        {(!active).then(|| view! { " " <span class="badge off">"Closed"</span> })}</h1>
                                    <p class="muted">{format!("“{}”", s.question)}</p>
                                    <p class="muted small">{s.audience_label.clone()} " · "
                                        {match s.recurrence_months { Some(m) => format!("every {m} months per contact"), None => "one-off".to_string() }}</p>
                                </div>
                                <div class="row-actions">
                                    <a class="button" href=format!("/surveys/{}/responses.csv", s.id) download="" rel="external">"Export CSV"</a>
                                    {can_edit.then(|| view! {
                                        <button type="button" class="button" on:click=move |_| { toggle.dispatch(SetSurveyActive { id: sid2.clone(),
                                            active: !active }); }>
                                            {if active { "Close survey" } else { "Reopen survey" }}
                                        </button>
                                        {active.then(|| view! {
                                            <button type="button" class="button primary" disabled=move || send.pending().get()
                                                on:click=move |_| { send.dispatch(SendSurvey { id: sid.clone() }); }>
                                                {move || if send.pending().get() { "Sending…" } else { "Send invitations" }}
                                            </button>
                                        })}
                                    })}
                                </div>
                            </div>
                            <ErrorBanner error=send_error/>
                            <ErrorBanner error=toggle_error/>
                            {move || send.value().get().and_then(|r| r.ok()).map(|o| view! {
                                <div class="banner banner-ok" role="status">
                                    {if o.queued == 0 { "Nobody new to invite".to_string() } else { format!("{} invitation{} on the way", o.queued, if
                                        o.queued == 1 { "" } else { "s" }) }}
                                    {(o.suppressed > 0).then(|| format!("; {} held back (see the audience below).", o.suppressed))}
                                </div>
                            })}
                            {active.then(|| view! {
                                <p class="share small">
                                    <label for="share-url">"Anonymous link for channels without known contacts: "</label>
                                    <input id="share-url" type="text" readonly=true value=s.share_url.clone()/>
                                </p>
                            })}
                            <Results r filter segments/>
                            <AudienceCard preview/>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn AudienceCard(
    preview: Resource<Result<crate::model::AudiencePreview, crate::error::AppError>>,
) -> impl IntoView {
    view! {
        <Card id="aud-h" title="Audience if sent now">
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || preview.get().map(|p| match p {
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    Ok(p) => view! {
                        <p>
                            <strong>{p.to_invite}</strong>" of "{p.total}" contacts would be invited"
                            {(p.suppressed > 0).then(|| view! { "; " <strong>{p.suppressed}
                                </strong> " held back by the frequency cap or because they were already asked." })}
                        </p>
                        {(!p.rows.is_empty()).then(|| view! {
                            <details class="audience-list" open=p.total <= 10>
                            <summary>{if p.rows.len() as u64 == p.total { format!("Show all {} contacts", p.total) } else {
                                format!("Show the first {} of {} contacts (those held back first)", p.rows.len(), p.total) }}</summary>
                            <div class="table-wrap">
                            <table class="preview">
                                <thead><tr><th scope="col">"Contact"</th><th scope="col">"Account"</th><th scope="col">"Status"</th></tr></thead>
                                <tbody>
                                    {p.rows.into_iter().map(|row| { let held = row.suppressed.is_some(); view! {
                                        <tr class:suppressed=held>
                                            <th scope="row">{row.contact_name}<div class="muted small">{row.email}</div></th>
                                            <td><a href=format!("/accounts/{}", row.account_id)>{row.account_name}</a></td>
                                            <td>{match row.suppressed {
                                                None => view! { <span class="badge ok">"Will be invited"</span> }.into_any(),
                                                Some(why) => view! { <span class="badge off">"Held back"</span> <div class="small muted">{why}
                                                    </div> }.into_any(),
                                            }}</td>
                                        </tr>
                                    }}).collect_view()}
                                </tbody>
                            </table>
                            </div>
                            </details>
                        })}
                    }.into_any(),
                })}
            </Transition>
        </Card>
    }
}
