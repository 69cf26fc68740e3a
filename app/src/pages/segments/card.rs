//! One segment on the Segments page: its size, ARR, health, movement and the moves themselves.

use crate::model::money::format_minor;
use crate::model::{BandChoice, SegmentMove, SegmentOverview};
use crate::pages::format_time;
use leptos::prelude::*;

#[component]
pub fn SegmentCard(o: SegmentOverview) -> impl IntoView {
    let SegmentOverview {
        segment,
        description,
        accounts,
        arr,
        bands,
        entered_7d,
        left_7d,
        entered_30d,
        left_30d,
        moves,
        query,
    } = o;
    let heading = format!("seg-{}", segment.id);
    let heading_ref = heading.clone();
    let (entered, left): (Vec<SegmentMove>, Vec<SegmentMove>) =
        moves.into_iter().partition(|m| m.entered);
    let arr_text = match arr.as_slice() {
        [] => "—".to_string(),
        [(cur, a)] => format_minor(*a, cur),
        [(cur, a), rest @ ..] => {
            format!("{} + {} more currencies", format_minor(*a, cur), rest.len())
        }
    };
    let total = bands.iter().sum::<u64>().max(1);
    view! {
        <section class="card segment-card" aria-labelledby=heading_ref data-testid="segment-card" data-segment=segment.name.clone()>
            <header class="segment-head">
                <h2 id=heading>{segment.name.clone()}</h2>
                <p class="muted small">{description}</p>
            </header>
            <dl class="segment-figures">
                <div><dt>"Accounts"</dt><dd data-testid="segment-accounts">{accounts}</dd></div>
                <div><dt>"ARR"</dt><dd>{arr_text}</dd></div>
                <div><dt>"7 days"</dt><dd><Moves entered=entered_7d left=left_7d/></dd></div>
                <div><dt>"30 days"</dt><dd data-testid="segment-moves-30d"><Moves entered=entered_30d left=left_30d/></dd></div>
            </dl>
            <div class="band-bar" role="img" aria-label=band_words(&bands)>
                {BandChoice::ALL.iter().zip(bands).filter(|(_, n)| *n > 0).map(|(b, n)| view! {
                    <span class=format!("band-part {}", b.key()) style=format!("flex-grow:{}", n * 1000 / total)>{n}</span>
                }).collect_view()}
            </div>
            <div class="segment-moves">
                <MoveList title="Entered (30 days)" moves=entered empty="Nobody entered."/>
                <MoveList title="Left (30 days)" moves=left empty="Nobody left."/>
            </div>
            <a class="button ghost small" href=format!("/?{query}")>"Show the accounts"</a>
        </section>
    }
}

/// "+2 in −1 out"
#[component]
fn Moves(entered: u64, left: u64) -> impl IntoView {
    view! {
        <span class="in">"+"{entered}<small>" in"</small></span>" "
        <span class="out">"−"{left}<small>" out"</small></span>
    }
}

/// "12 red, 30 yellow, 50 green, 3 unscored"
fn band_words(bands: &[u64; 4]) -> String {
    BandChoice::ALL
        .iter()
        .zip(bands)
        .map(|(b, n)| format!("{n} {}", b.label().to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
fn MoveList(title: &'static str, moves: Vec<SegmentMove>, empty: &'static str) -> impl IntoView {
    view! {
        <div class="move-list">
            <h3>{title}</h3>
            {if moves.is_empty() {
                view! { <p class="muted small">{empty}</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {moves.into_iter().map(|m| view! {
                            <li>
                                <a href=format!("/accounts/{}", m.account_id)>{m.account_name.clone()}</a>
                                <time class="muted small" datetime=m.at.to_rfc3339()>{format_time(&m.at, "%d %b %H:%M")}</time>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </div>
    }
}
