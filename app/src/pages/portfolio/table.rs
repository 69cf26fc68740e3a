//! The accounts table with sortable headers and a pager.

use crate::components::badges::{StageBadge, TierBadge};
use crate::components::notice::LoadError;
use crate::error::AppError;
use crate::model::money::format_minor;
use crate::model::{PortfolioFilter, PortfolioPage, SortKey};
use leptos::prelude::*;

#[component]
pub fn AccountsTable(
    filter: Memo<PortfolioFilter>, page: Resource<Result<PortfolioPage, AppError>>,
) -> impl IntoView {
    let header = move |key: SortKey, label: &'static str, class: &'static str| {
        let sort_state = move || {
            let f = filter.get();
            if f.sort == key {
                if f.desc {
                    "descending"
                } else {
                    "ascending"
                }
            } else {
                "none"
            }
        };
        view! {
            <th scope="col" class=class aria-sort=sort_state>
                <a href=move || format!("/?{}", filter.get().sorted_by(key).to_query())>
                    {label}
                    <span class="sort-mark" aria-hidden="true">{move || match sort_state() { "ascending" => "▲", "descending" => "▼", _ => "" }}</span>
                </a>
            </th>
        }
    };
    view! {
        <Transition fallback=|| view! { <div class="table-skeleton">"Loading accounts…"</div> }>
            {move || page.get().map(|r| match r {
                Err(e) => view! { <LoadError error=e/> }.into_any(),
                Ok(p) if p.rows.is_empty() => view! {
                    <section class="empty-state">
                        <h2>"No accounts match"</h2>
                        <p>"Try fewer filters, or add an account."</p>
                    </section>
                }.into_any(),
                Ok(p) => {
                    let today = chrono::Utc::now().date_naive();
                    let pages = p.page_count();
                    let current = p.page;
                    view! {
                        <div class="table-wrap">
                            <table class="accounts">
                                <caption class="sr-only">"Accounts, " {p.range_label()}</caption>
                                <thead>
                                    <tr>
                                        {header(SortKey::Name, "Account", "")}
                                        {header(SortKey::Tier, "Tier", "hide-sm")}
                                        {header(SortKey::Industry, "Industry", "hide-sm hide-md")}
                                        {header(SortKey::Stage, "Stage", "")}
                                        {header(SortKey::Health, "Health", "num")}
                                        {header(SortKey::Adoption, "Adoption", "num hide-sm")}
                                        {header(SortKey::Engagement, "Engagement", "hide-sm")}
                                        {header(SortKey::LastActive, "Last active", "hide-sm")}
                                        {header(SortKey::Arr, "ARR", "num")}
                                        {header(SortKey::Renewal, "Renewal", "hide-sm")}
                                        {header(SortKey::Owner, "Owner", "hide-sm")}
                                    </tr>
                                </thead>
                                <tbody>
                                    {p.rows.into_iter().map(|row| view! {
                                        <tr>
                                            <th scope="row"><a href=format!("/accounts/{}", row.id)>{row.name}</a></th>
                                            <td class="hide-sm"><TierBadge tier=row.tier/></td>
                                            <td class="hide-sm hide-md">{row.industry}</td>
                                            <td><StageBadge stage=row.stage/></td>
                                            <td class="num" data-testid="health-cell">
                                                <span class="health-cell" title=row.health_band.map(|b| b.label()).unwrap_or("Not scored")>
                                                    <span class=format!("health-dot {}", row.health_band.map(|b| b.key()).unwrap_or(""))></span>
                                                    {row.health_score.map(|s| s.to_string()).unwrap_or_else(|| "—".into())}
                                                </span>
                                            </td>
                                            <td class="num hide-sm" data-testid="adoption-cell">{row.usage.adoption.map(|a| format!("{a:.0} %")).unwrap_or_else(|| "—".into())}</td>
                                            <td class="hide-sm">{row.usage.engagement.map(|e| view! {
                                                <span class=format!("level l-{}", e.key())>{e.label()}</span> }.into_any()).unwrap_or_else(|| "—".into_any())}</td>
                                            <td class="hide-sm" data-testid="active-cell">{last_active(row.usage.last_active_on, today)}</td>
                                            <td class="num">{format_minor(row.arr_minor, &row.currency)}</td>
                                            <td class="hide-sm">{crate::model::dates::day_month_year(row.renewal_date)}</td>
                                            <td class="hide-sm">{row.owner_name.unwrap_or_else(|| "—".into())}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <nav class="pager" aria-label="Pages">
                            {(current > 0).then(|| view! { <a class="button ghost small" rel="prev" href=move || format!("/?{}",
                                filter.get().with_page(current - 1).to_query())>"← Previous"</a> })}
                            <span class="muted">{format!("Page {} of {}", current + 1, pages)}</span>
                            {(current + 1 < pages).then(|| view! { <a class="button ghost small" rel="next" href=move || format!("/?{}",
                                filter.get().with_page(current + 1).to_query())>"Next →"</a> })}
                        </nav>
                    }.into_any()
                }
            })}
        </Transition>
    }
}

/// "today", "3 days ago", "12 Mar 2026" (past a month), or "never".
fn last_active(day: Option<chrono::NaiveDate>, today: chrono::NaiveDate) -> String {
    match day.map(|d| (today - d).num_days()) {
        None => "never".into(),
        Some(n) if n <= 0 => "today".into(),
        Some(1) => "yesterday".into(),
        Some(n) if n <= 31 => format!("{n} days ago"),
        Some(_) => day.map(crate::model::dates::day_month_year).unwrap_or_default(),
    }
}
