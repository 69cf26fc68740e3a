//! Settings → Engagement (admins): cadence rules per saved segment — "Enterprise: a weekly
//! status update and a QBR". Accounts get their next touchpoints scheduled from them; late
//! ones are flagged on the account and in My work.

use super::SettingsNav;
use crate::api::engagement::{list_cadence_rules, AddCadenceRule, RemoveCadenceRule};
use crate::api::segments::list_segments;
use crate::components::field::{SelectField, TextField};
use crate::components::layout::use_me;
use crate::components::notice::{confirmed, ErrorBanner, LoadError};
use crate::error::AppError;
use crate::model::engagement::TouchpointKind;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn EngagementSettingsPage() -> impl IntoView {
    let me = use_me();
    if !me.role.can_manage_users() {
        return view! { <LoadError error=AppError::Forbidden("only admins set cadence rules".into())/> }
            .into_any();
    }
    let add = ServerAction::<AddCadenceRule>::new();
    let remove = ServerAction::<RemoveCadenceRule>::new();
    let rules = Resource::new(
        move || (add.version().get(), remove.version().get()),
        |_| list_cadence_rules(),
    );
    let segments = Resource::new(|| (), |_| list_segments());
    let errors = Signal::derive(move || add.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Engagement"/>
        <div class="page-head"><div><h1>"Settings"</h1><p class="muted">"How often each segment should hear from us."</p></div></div>
        <SettingsNav current="engagement"/>
        <div class="columns wide-left">
            <section class="card" aria-labelledby="rules-h">
                <h2 id="rules-h">"Cadence rules"</h2>
                <Transition fallback=|| view! { <p>"Loading…"</p> }>
                    {move || rules.get().map(|r| match r {
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No rules yet. Add one: accounts in the segment then show when their next touchpoint is due."</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap"><table class="users">
                                <thead><tr><th scope="col">"Segment"</th><th scope="col">"Touchpoint"</th><th scope="col">"Every"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|r| {
                                        let id = r.id.clone();
                                        let text = format!("Remove the rule “{} every {} days” for {}?", r.kind.label(), r.every_days, r.segment_name);
                                        view! {
                                            <tr data-testid="rule">
                                                <th scope="row">{r.segment_name.clone()}</th>
                                                <td>{r.kind.label()}</td>
                                                <td>{format!("{} days", r.every_days)}</td>
                                                <td class="num"><button type="button" class="button ghost small" on:click=move |_| if confirmed(&text) { remove.dispatch(RemoveCadenceRule { id: id.clone() }); }>"Remove"</button></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                        }.into_any(),
                    })}
                </Transition>
                <p class="muted small">"When two segments ask for the same kind of touchpoint, the shorter interval wins. The next one is due that many days after the last touchpoint of its kind (or after the contract start when there has been none)."</p>
            </section>
            <section class="card" aria-labelledby="rule-new-h">
                <h2 id="rule-new-h">"Add a rule"</h2>
                <ErrorBanner error=errors fields_only_inline=true/>
                <Transition fallback=|| view! { <p>"Loading…"</p> }>
                    {move || segments.get().map(|r| {
                        let segs: Vec<(String, String)> = r.unwrap_or_default().into_iter().map(|s| (s.id, s.name)).collect();
                        if segs.is_empty() {
                            view! { <p class="muted">"Save a segment on the portfolio first (filter, then “Save as segment”)."</p> }.into_any()
                        } else {
                            view! {
                                <ActionForm action=add attr:class="stack" attr:novalidate="true">
                                    <SelectField label="Segment" name="input[segment_id]" field="segment_id" errors options=segs/>
                                    <SelectField label="Touchpoint" name="input[kind]" field="kind" errors
                                        options=TouchpointKind::ALL.iter().map(|k| (k.key().to_string(), k.label().to_string())).collect()
                                        selected="weekly_status"/>
                                    <TextField label="Every (days)" name="input[every_days]" field="every_days" errors kind="number" value="7" required=true hint="7 weekly, 30 monthly, 91 quarterly, 365 yearly"/>
                                    <button type="submit" class="button primary">"Add rule"</button>
                                </ActionForm>
                            }.into_any()
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
    .into_any()
}
