//! Live updates for pages that show one account: `GET /live/accounts/{id}` is a Server-Sent
//! Events stream that sends `changed` whenever that account changes on any node (its health
//! score, its details). The page then re-reads what it shows. The source is the portfolio
//! index's SurrealDB live query, so a score computed on another node arrives here too.
//!
//! A stream lives only as long as its session: it ends at once when the session is signed out
//! or its user deactivated on this node, and within `live_recheck` (30 s) when that happened on
//! another node or the session expired or went idle.

use app::model::Permission;
use app::service::session::{self, Caller};
use app::state::{AppState, Ended};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures::{Stream, StreamExt};
use tokio_stream::wrappers::BroadcastStream;

pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/live/accounts/{id}", get(account))
        .route("/live/segments", get(segments))
        .route("/live/alerts", get(alerts))
        .route("/live/escalations", get(escalations))
        .route("/live/dashboard", get(dashboard))
        .with_state(state)
}

async fn account(
    State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>,
) -> Response {
    // Only signed-in staff may listen; the stream keeps the session's hash to re-check it.
    let Ok(Caller { me, session: hash }) =
        session::authorise(&state, &headers, Permission::View).await
    else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let stream = BroadcastStream::new(state.portfolio.subscribe()).filter_map(move |m| {
        let id = id.clone();
        async move {
            match m {
                Ok(changed) if changed == id => Some(Ok::<_, std::convert::Infallible>(
                    Event::default().event("changed").data(changed),
                )),
                // Lagged: something may have been missed; tell the page to re-read.
                Err(_) => Some(Ok(Event::default().event("changed").data(id))),
                _ => None,
            }
        }
    });
    let ended = session_ended(state, me.id.into_inner(), hash);
    Sse::new(stream.take_until(ended)).keep_alive(KeepAlive::default()).into_response()
}

/// How long the segments stream gathers changes before telling the page: a scoring pass
/// changes many accounts at once, and one re-read after the burst shows them all.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(400);

/// `GET /live/segments`: `changed` after segment membership moved on this node, or any account
/// changed on any node (another node's moves follow its account writes), at most once per
/// burst — the last change of a burst is always followed by an event.
async fn segments(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Ok(Caller { me, session: hash }) =
        session::authorise(&state, &headers, Permission::View).await
    else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    // Ends when the page goes away (the receiver is dropped) or the index stops.
    let stream = settled(state.portfolio.subscribe(), |_| true, "segments", SETTLE);
    let ended = session_ended(state, me.id.to_string(), hash);
    Sse::new(stream.take_until(ended)).keep_alive(KeepAlive::default()).into_response()
}

/// Which alert changes a `/live/alerts` stream wants: `?mine=1` only the caller's own
/// alerts (the header count, My work), `?account=<id>` one account's (its page); neither: all
/// (the Alerts page).
#[derive(serde::Deserialize, Default)]
struct AlertScope {
    #[serde(default)]
    mine: Option<String>,
    #[serde(default)]
    account: Option<String>,
}

/// `GET /live/alerts`: `changed` after alerts or their steps changed on any node (opened by
/// the rules, acknowledged, ticked …), at most once per burst (a scoring pass may open many).
async fn alerts(
    State(state): State<AppState>, headers: HeaderMap,
    axum::extract::Query(scope): axum::extract::Query<AlertScope>,
) -> Response {
    let Ok(Caller { me, session: hash }) =
        session::authorise(&state, &headers, Permission::View).await
    else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let me_id = me.id.to_string();
    let mine = scope.mine.is_some_and(|m| m == "1" || m == "true");
    let account = scope.account.filter(|a| !a.is_empty());
    let wanted = move |c: &app::store::alerts::watch::AlertChange| {
        (!mine || c.owner.as_deref() == Some(me_id.as_str()))
            && account.as_ref().is_none_or(|a| *a == c.account)
    };
    let stream = settled(state.alerts.subscribe(), wanted, "alerts", ALERT_SETTLE);
    let ended = session_ended(state, me.id.to_string(), hash);
    Sse::new(stream.take_until(ended)).keep_alive(KeepAlive::default()).into_response()
}

/// `changed` (with `data`) after each burst of the changes `wanted` keeps: a change arms a
/// `settle` wait that swallows whatever else arrives in it, then one event goes out (so the
/// last change of a burst is always followed by an event).
/// A lagging receiver counts as a change (something was missed: re-read).
fn settled<C: Clone + Send + 'static>(
    mut changes: tokio::sync::broadcast::Receiver<C>, wanted: impl Fn(&C) -> bool + Send + 'static,
    data: &'static str, settle: std::time::Duration,
) -> impl Stream<Item = Result<Event, std::convert::Infallible>> {
    let (tx, rx) = tokio::sync::mpsc::channel::<()>(1);
    tokio::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match changes.recv().await {
                Ok(c) if !wanted(&c) => continue,
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
            let quiet = tokio::time::sleep(settle);
            tokio::pin!(quiet);
            loop {
                tokio::select! {
                    _ = &mut quiet => break,
                    m = changes.recv() => if matches!(m, Err(RecvError::Closed)) { return },
                }
            }
            if tx.send(()).await.is_err() {
                return;
            }
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
        .map(move |_| Ok(Event::default().event("changed").data(data)))
}

/// Forwards every change an executive dashboard shows into `state.dashboard_changes`: ARR
/// movements and survey responses (the revenue ledger's live queries), accounts (health, ARR,
/// stage: the portfolio index's live query) and alerts — each followed on every node, so a
/// write on any node reaches every open dashboard. One forwarder per source for the node,
/// however many dashboards are open.
pub fn feed_dashboards(state: &AppState) {
    fn forward<T: Clone + Send + 'static>(
        mut rx: tokio::sync::broadcast::Receiver<T>, state: &AppState,
    ) {
        let tx = state.dashboard_changes.clone();
        let cache = state.dashboards.clone();
        tokio::spawn(async move {
            use tokio::sync::broadcast::error::RecvError;
            loop {
                match rx.recv().await {
                    Ok(_) | Err(RecvError::Lagged(_)) => {
                        // Stale first, then tell the pages: their re-read must not hit the old view.
                        cache.bump();
                        let _ = tx.send(());
                    }
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }
    forward(state.revenue.subscribe(), state);
    forward(state.portfolio.subscribe(), state);
    forward(state.alerts.subscribe(), state);
}

/// A dashboard re-reads after this long without further changes: a scoring pass changes many
/// accounts at once; 100 ms keeps a single write well inside the 300 ms target.
const DASHBOARD_SETTLE: std::time::Duration = std::time::Duration::from_millis(100);

/// `GET /live/dashboard`: `changed` after anything the executive dashboard shows changed on
/// any node, at most once per burst.
async fn dashboard(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Ok(Caller { me, session: hash }) =
        session::authorise(&state, &headers, Permission::View).await
    else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let stream =
        settled(state.dashboard_changes.subscribe(), |_| true, "dashboard", DASHBOARD_SETTLE);
    let ended = session_ended(state, me.id.to_string(), hash);
    Sse::new(stream.take_until(ended)).keep_alive(KeepAlive::default()).into_response()
}

/// Which escalation changes a `/live/escalations` stream wants: `?id=<id>` one escalation's
/// (its page), `?account=<id>` one account's; neither: all (the Escalations page).
#[derive(serde::Deserialize)]
struct EscalationScope {
    id: Option<String>,
    account: Option<String>,
}

/// `GET /live/escalations`: `changed` after an escalation changed on any node (an event was
/// recorded, a clock warned or breached, it moved up a level), settled like alerts.
async fn escalations(
    State(state): State<AppState>, headers: HeaderMap,
    axum::extract::Query(scope): axum::extract::Query<EscalationScope>,
) -> Response {
    let Ok(Caller { me, session: hash }) =
        session::authorise(&state, &headers, Permission::View).await
    else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let id = scope.id.filter(|a| !a.is_empty());
    let account = scope.account.filter(|a| !a.is_empty());
    let wanted = move |c: &app::service::sla_timer::EscalationChange| {
        id.as_ref().is_none_or(|i| *i == c.id) && account.as_ref().is_none_or(|a| *a == c.account)
    };
    let stream = settled(state.sla.subscribe(), wanted, "escalations", ALERT_SETTLE);
    let ended = session_ended(state, me.id.to_string(), hash);
    Sse::new(stream.take_until(ended)).keep_alive(KeepAlive::default()).into_response()
}

/// Alert changes come in bursts (an alert and its steps are one transaction, a pass opens
/// many): one re-read after 150 ms shows them all, and a new alert still shows well within a
/// second.
const ALERT_SETTLE: std::time::Duration = std::time::Duration::from_millis(150);

/// Set once the process is stopping ([`end_streams`]). Process-wide: one server per process
/// serves (`Server::serve`); tests that build routers never set it.
static STOPPING: std::sync::LazyLock<tokio::sync::watch::Sender<bool>> =
    std::sync::LazyLock::new(|| tokio::sync::watch::channel(false).0);

/// Ends every open stream. A graceful shutdown waits for open connections to finish, and a
/// live stream never does on its own: without this, one page left open would hold a stopping
/// server up until it is killed.
pub fn end_streams() {
    STOPPING.send_replace(true);
}

/// When a stream must end: its session has ended (or its user was signed out or removed), or
/// the server is stopping.
async fn session_ended(state: AppState, user: String, hash: String) {
    let mut stopping = STOPPING.subscribe();
    tokio::select! {
        _ = session_gone(state, user, hash) => {}
        _ = stopping.wait_for(|s| *s) => {}
    }
}

/// Resolves when the stream's session is no longer live.
async fn session_gone(state: AppState, user: String, hash: String) {
    let mut ended = state.sessions_ended.subscribe();
    let mut tick = tokio::time::interval(state.live_recheck);
    tick.tick().await;
    loop {
        let recheck = tokio::select! {
            e = ended.recv() => match e {
                Ok(Ended::Session(h)) if h == hash => return,
                Ok(Ended::User(u)) => u == user,
                Ok(Ended::Session(_)) => false,
                // Missed some: look the session up to be sure.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => true,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            },
            _ = tick.tick() => true,
        };
        if recheck {
            let live = session::lookup(&state, &hash).await;
            if !matches!(live, Ok(Some(_))) {
                return;
            }
        }
    }
}
