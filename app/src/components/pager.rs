//! The foot of a list that loads page by page: how many are shown, and "Load more" while the
//! server has more. The view's address carries how many pages are shown (`pages=N`), so a
//! longer view survives a reload and the link works before the page is live.

use leptos::prelude::*;

/// `path?k=v&…` with each value percent-encoded; just `path` without pairs.
pub fn href(path: &str, pairs: &[(&str, String)]) -> String {
    use crate::model::portfolio::encode;
    match pairs.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&") {
        q if q.is_empty() => path.to_string(),
        q => format!("{path}?{q}"),
    }
}

/// "12 alerts" and, when `next` is set (the view with one more page), "Load more".
#[component]
pub fn Pager(
    count: usize, one: &'static str, many: &'static str, label: &'static str, next: Option<String>,
) -> impl IntoView {
    view! {
        <nav class="pager" aria-label=label>
            <span class="muted">{format!("{count} {}", if count == 1 { one } else { many })}</span>
            {next.map(|href| view! { <LoadMore href/> })}
        </nav>
    }
}

/// "Load more": a link to the view with one more page (it works before the page is live);
/// once live it stays in place instead of jumping to the top.
#[component]
fn LoadMore(href: String) -> impl IntoView {
    let navigate = leptos_router::hooks::use_navigate();
    let target = href.clone();
    view! {
        <a class="button small" href=href data-testid="load-more" on:click=move |ev| {
            ev.prevent_default();
            let opts = leptos_router::NavigateOptions { scroll: false, ..Default::default() };
            navigate(&target, opts);
        }>"Load more"</a>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_encode_their_values() {
        assert_eq!(super::href("/alerts", &[]), "/alerts");
        let pairs = [("state", "all".to_string()), ("q", "a b&c".to_string())];
        assert_eq!(super::href("/escalations", &pairs), "/escalations?state=all&q=a%20b%26c");
    }
}
