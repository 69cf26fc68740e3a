//! Settings → Engagement (admins): cadence rules per saved segment — "Enterprise: a weekly
//! status update and a QBR". Accounts get their next touchpoints scheduled from them; late
//! ones are flagged on the account and in My work.

use super::{SettingsHead, Tab};
use crate::api::engagement::{list_cadence_rules, AddCadenceRule, RemoveCadenceRule};
use crate::api::segments::list_segments;
use crate::components::action::refusal;
use crate::components::field::{SelectField, TextField};
use crate::components::layout::Card;
use crate::components::notice::{confirmed, ErrorBanner, Loaded};
use crate::model::engagement::{CadenceRule, TouchpointKind};
use leptos::prelude::*;

#[component]
pub fn EngagementSettingsPage() -> impl IntoView {
    let add = ServerAction::<AddCadenceRule>::new();
    let remove = ServerAction::<RemoveCadenceRule>::new();
    let rules = Resource::new(
        move || (add.version().get(), remove.version().get()),
        |_| list_cadence_rules(),
    );
    let segments = Resource::new(|| (), |_| list_segments());
    view! {
        <SettingsHead current=Tab::Engagement intro="How often each segment should hear from us."/>
        <div class="columns wide-left">
            <Card id="rules-h" title="Cadence rules">
                <Loaded resource=rules inline=true let:list>
                    {if list.is_empty() {
                        view! { <p class="muted">"No rules yet. Add one: accounts in the segment then show when their next touchpoint is due."</p> }.into_any()
                    } else {
                        view! {
                            <div class="table-wrap"><table class="users">
                                <thead><tr><th scope="col">"Segment"</th><th scope="col">"Touchpoint"</th><th scope="col">"Every"</th><th scope="col">
                                    <span class="sr-only">"Actions"</span></th></tr></thead>
                                <tbody>{list.into_iter().map(|rule| view! { <RuleRow rule remove/> }).collect_view()}</tbody>
                            </table></div>
                        }.into_any()
                    }}
                </Loaded>
                <p class="muted small">"When two segments ask for the same kind of touchpoint, the shorter interval wins. The next one is due that \
                    many days after the last touchpoint of its kind (or after the contract start when there has been none)."</p>
            </Card>
            <Card id="rule-new-h" title="Add a rule">
                <ErrorBanner error=refusal(add.value()) fields_only_inline=true/>
                <Transition fallback=|| view! { <p>"Loading…"</p> }>
                    {move || segments.get().map(|r| {
                        let segs: Vec<(String, String)> = r.unwrap_or_default().into_iter().map(|s| (s.id, s.name)).collect();
                        if segs.is_empty() {
                            view! { <p class="muted">"Save a segment on the portfolio first (filter, then “Save as segment”)."</p> }.into_any()
                        } else {
                            view! { <RuleForm add segs/> }.into_any()
                        }
                    })}
                </Transition>
            </Card>
            <super::engagement_levels::EngagementLevelsCard/>
        </div>
    }
}

#[component]
fn RuleRow(rule: CadenceRule, remove: ServerAction<RemoveCadenceRule>) -> impl IntoView {
    let id = rule.id.clone();
    let text = format!(
        "Remove the rule “{} every {} days” for {}?",
        rule.kind.label(),
        rule.every_days,
        rule.segment_name
    );
    let remove_rule = move |_| {
        if confirmed(&text) {
            remove.dispatch(RemoveCadenceRule { id: id.clone() });
        }
    };
    view! {
        <tr data-testid="rule">
            <th scope="row">{rule.segment_name.clone()}</th>
            <td>{rule.kind.label()}</td>
            <td>{format!("{} days", rule.every_days)}</td>
            <td class="num"><button type="button" class="button ghost small" on:click=remove_rule>"Remove"</button></td>
        </tr>
    }
}

/// A new rule for one of the saved segments `segs` (id, name).
#[component]
fn RuleForm(add: ServerAction<AddCadenceRule>, segs: Vec<(String, String)>) -> impl IntoView {
    let errors = refusal(add.value());
    let kinds =
        TouchpointKind::ALL.iter().map(|k| (k.key().to_string(), k.label().to_string())).collect();
    view! {
        <ActionForm action=add attr:class="stack" attr:novalidate="true">
            <SelectField label="Segment" name="input[segment_id]" field="segment_id" errors options=segs/>
            <SelectField label="Touchpoint" name="input[kind]" field="kind" errors options=kinds selected="weekly_status"/>
            <TextField label="Every (days)" name="input[every_days]" field="every_days" errors kind="number" value="7" required=true
                hint="7 weekly, 30 monthly, 91 quarterly, 365 yearly"/>
            <button type="submit" class="button primary">"Add rule"</button>
        </ActionForm>
    }
}
