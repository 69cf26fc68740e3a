//! All surveys with their reach and score.

use crate::api::surveys::list_surveys;
use crate::components::layout::use_me;
use crate::components::notice::LoadError;
use crate::metrics::survey::format_score as score_text;
use crate::model::Permission;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SurveysPage() -> impl IntoView {
    let me = use_me();
    let surveys = Resource::new(|| (), |_| list_surveys());
    view! {
        <Title text="Surveys"/>
        <div class="page-head">
            <div><h1>"Surveys"</h1><p class="muted">"NPS, CSAT and CES: who was asked, who answered, and what they said."</p></div>
            {me.role.may(Permission::RunSurveys).then(|| view! { <a class="button primary" href="/surveys/new">"+ New survey"</a> })}
        </div>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match surveys.await {
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <section class="empty-state">
                            <h2>"No surveys yet"</h2>
                            <p>"Ask a segment, a few accounts or chosen contacts how likely they are to recommend you, how satisfied they are, or how \
                                easy you are to work with."</p>
                        </section>
                    }.into_any(),
                    Ok(list) => view! {
                        <section class="card">
                        <div class="table-wrap">
                        <table class="surveys">
                            <thead><tr>
                                <th scope="col">"Survey"</th><th scope="col">"Type"</th><th scope="col" class="hide-sm">"Audience"</th>
                                <th scope="col" class="num">"Invited"</th><th scope="col" class="num">"Responses"</th><th scope="col" class="num">"Score"</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|s| view! {
                                    <tr>
                                        <th scope="row">
                                            <a href=format!("/surveys/{}", s.id)>{s.name.clone()}</a>
                                            {(!s.active).then(|| view! { " " <span class="badge off">"Closed"</span> })}
                                            {s.recurrence_months.map(|m| view! { <div class="muted small">{format!("Every {m} months")}</div> })}
                                        </th>
                                        <td><span class=format!("badge kind-{}", s.kind.key())>{s.kind.label()}</span></td>
                                        <td class="hide-sm">{s.audience_label.clone()}</td>
                                        <td class="num">{s.invited}</td>
                                        <td class="num">{s.responses}</td>
                                        <td class="num" title=s.kind.formula()><strong>{score_text(s.kind, s.score)}</strong></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
