//! The Bellwether server: configuration, the axum router (Leptos pages and server functions,
//! health check, static files), security middleware, and the command-line tasks.

pub mod config;
pub mod etag;
pub mod exports;
pub mod jobs;
pub mod live;
pub mod mail;
pub mod mail_alerts;
pub mod mail_escalations;
pub mod openapi;
pub mod public;
pub mod rest;
pub mod rest_accounts;
pub mod rest_alerts;
pub mod rest_engagement;
pub mod rest_escalations;
pub mod rest_imports;
pub mod rest_plans;
pub mod rest_revenue;
pub mod rest_schemas;
pub mod secrets;
pub mod security;
pub mod seed;
pub mod webhook_schemas;
pub mod webhooks;

use app::service::health::Rescores;
use app::state::AppState;
use app::store::Db;
use app::{shell, App};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

/// Everything a running server needs.
#[derive(Clone)]
pub struct Server {
    pub state: AppState,
    pub options: LeptosOptions,
    pub mailer: Option<mail::Mailer>,
    /// The scoring worker's queue until [`Server::spawn_workers`] starts it (once).
    rescores: Arc<Mutex<Option<Rescores>>>,
    /// Where the background tasks run when not on the request runtime: see [`Server::serve`].
    background: Option<tokio::runtime::Handle>,
    /// When webhook deliveries are tried (tests shorten the waits).
    pub webhook_policy: webhooks::Policy,
    /// How long claims on shared work last, how often the hourly pass runs.
    pub job_timing: jobs::Timing,
}

impl Server {
    pub fn new(db: Db, site_root: &str, addr: SocketAddr, secure_cookies: bool) -> Self {
        let options = LeptosOptions::builder()
            .output_name("bellwether")
            .site_root(site_root)
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();
        let (state, rescores) = AppState::new(db, secure_cookies);
        Self {
            state: state.with_public_url(&format!("http://{addr}")),
            options,
            mailer: None,
            rescores: Arc::new(Mutex::new(Some(rescores))),
            background: None,
            webhook_policy: webhooks::Policy::default(),
            job_timing: jobs::Timing::default(),
        }
    }

    /// Serves the built site (`pkg/`) from `root` instead of the one given to [`Server::new`].
    pub fn with_site_root(mut self, root: &str) -> Self {
        self.options.site_root = root.into();
        self
    }

    /// The URL customers reach us at (survey links).
    pub fn with_public_url(mut self, url: &str) -> Self {
        self.state = self.state.with_public_url(url);
        self
    }

    /// The public URL and the public pages' per-address rate (other limits at their defaults).
    pub fn with_public(self, url: &str, per_minute: u32) -> Self {
        self.with_public_url(url).with_limits(
            app::limits::SIGN_IN_PER_ADDRESS,
            per_minute,
            app::limits::API_REQUESTS_PER_MINUTE,
        )
    }

    /// Sign-ins per client address, public-page requests per address and API requests per
    /// key, each per minute.
    pub fn with_limits(mut self, sign_in: u32, public: u32, api: u32) -> Self {
        self.state = self.state.with_limits(app::limits::Limits::new(sign_in, public, api));
        self
    }

    /// The keys that sign and verify links.
    pub fn with_keyring(mut self, keyring: app::survey_token::Keyring) -> Self {
        self.state = self.state.with_keyring(keyring);
        self
    }

    /// While no user exists, stores a one-time set-up code (`preset`, or a fresh one) and
    /// prints it to the log: only someone who can read the server's log can create the first
    /// admin through the web. Returns the code, or `None` when set-up is done.
    pub async fn prepare_setup(&self, preset: Option<&str>) -> anyhow::Result<Option<String>> {
        let db = &self.state.db;
        let users = app::store::users::count(db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if users > 0 {
            return Ok(None);
        }
        let code = match preset {
            Some(c) => {
                let n = c.chars().filter(|c| c.is_ascii_alphanumeric()).count();
                anyhow::ensure!(
                    (12..=64).contains(&n),
                    "--setup-code must have 12 to 64 letters or digits"
                );
                c.to_string()
            }
            None => app::store::setup_codes::new_code(),
        };
        app::store::setup_codes::create(db, &code).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if preset.is_none() {
            tracing::warn!(
                "Bellwether has no users yet. Open /setup and enter the set-up code {code} \
                 (valid {} hours; `bellwether setup-code` prints a new one).",
                app::store::setup_codes::SETUP_CODE_HOURS
            );
        }
        Ok(Some(code))
    }

    /// The company customers see on shared plans and survey pages.
    pub fn with_company(mut self, company: &str) -> Self {
        self.state = self.state.with_company(company);
        self
    }

    /// Claim leases and the hourly pass's period (tests and the multi-node tests shorten them).
    pub fn with_job_timing(mut self, timing: jobs::Timing) -> Self {
        self.job_timing = timing;
        self
    }

    pub fn with_webhook_policy(mut self, policy: webhooks::Policy) -> Self {
        self.webhook_policy = policy;
        self
    }

    pub fn with_mailer(mut self, mailer: mail::Mailer) -> Self {
        self.mailer = Some(mailer);
        self
    }

    /// Starts what answering requests relies on: the portfolio index's sync from the database
    /// and the scoring worker that re-scores accounts as data arrives. Only the first call
    /// starts them.
    pub fn spawn_workers(&self) {
        let Some(rescores) = self.rescores.lock().unwrap_or_else(|p| p.into_inner()).take() else {
            return;
        };
        // `tokio::spawn` puts the tasks on the entered runtime.
        let _on = self.background.as_ref().map(|h| h.enter());
        self.state.portfolio.spawn_sync(self.state.db.clone());
        self.state.portfolio.spawn_touches(self.state.db.clone(), self.state.node.clone());
        self.state.revenue.spawn_sync(self.state.db.clone());
        self.state.alerts.spawn(self.state.db.clone());
        live::feed_dashboards(&self.state);
        self.state.sla.spawn(self.state.clone());
        app::service::health::spawn_worker(
            self.state.db.clone(),
            self.state.portfolio.clone(),
            rescores,
        );
    }

    /// Starts every background task of a node, in this one place: the workers above, the mail
    /// queue, rate-limiter clean-up, and the hourly pass (daily health snapshots, session
    /// clean-up, recurring survey sends). Every node runs them; they coordinate through the
    /// database (leased claims: `jobs`), so each piece of work is done once.
    pub fn spawn_background(&self) {
        let _on = self.background.as_ref().map(|h| h.enter());
        self.spawn_workers();
        if let Some(mailer) = self.mailer.clone() {
            tokio::spawn(mail::run(self.state.clone(), mailer.clone(), self.job_timing.lease));
            tokio::spawn(mail_alerts::run(self.state.clone(), mailer.clone()));
            tokio::spawn(mail_escalations::run(self.state.clone(), mailer));
        }
        let sender = webhooks::Sender::new(self.webhook_policy.clone());
        tokio::spawn(webhooks::run(self.state.clone(), sender, self.mailer.clone()));
        // Rate-limiter keys whose budget is full again are forgotten, so floods of new
        // addresses or emails cannot grow memory for good.
        let limits = self.state.limits.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                tick.tick().await;
                limits.prune();
            }
        });
        tokio::spawn(jobs::run_hourly(self.state.clone(), self.job_timing));
    }

    pub fn router(&self) -> Router {
        let routes = generate_route_list(App);
        let state = self.state.clone();
        let options = self.options.clone();
        let leptos = Router::new()
            .leptos_routes_with_context(
                &options,
                routes,
                move || {
                    provide_context(state.clone());
                    leptos::nonce::provide_nonce();
                },
                {
                    let options = options.clone();
                    move || shell(options.clone())
                },
            )
            .fallback(leptos_axum::file_and_error_handler(shell))
            .route_layer(axum::middleware::from_fn_with_state(self.state.clone(), page_visitor))
            .with_state(options);
        Router::new()
            .route("/healthz", get(healthz))
            .route("/surveys/{id}/responses.csv", get(exports::survey_responses))
            .route("/exports/dashboard.csv", get(exports::dashboard_csv))
            .route("/exports/dashboard-drill.csv", get(exports::dashboard_drill_csv))
            .with_state(self.state.clone())
            .merge(public::routes(self.state.clone()))
            .merge(openapi::routes(self.state.clone()))
            .merge(live::routes(self.state.clone()))
            // The bundle, precompressed at build time (brotli, gzip) and answering conditional
            // requests (leptos_axum's fallback drops If-Modified-Since: no 304s).
            .nest_service(
                "/pkg",
                tower_http::services::ServeDir::new(format!("{}/pkg", self.options.site_root))
                    .precompressed_br()
                    .precompressed_gzip(),
            )
            .merge(leptos)
            .layer(axum::middleware::from_fn(security::error_status))
            .layer(axum::middleware::from_fn(security::same_origin_writes))
            .layer(axum::middleware::from_fn_with_state(
                self.state.secure_cookies,
                security::headers,
            ))
            .layer(tower_http::compression::CompressionLayer::new())
    }

    /// The router as a service that records each connection's peer address: the public
    /// pages' rate limit keys on it. Tests and benchmarks serve this too.
    pub fn service(
        &self,
    ) -> axum::extract::connect_info::IntoMakeServiceWithConnectInfo<Router, SocketAddr> {
        self.router().into_make_service_with_connect_info::<SocketAddr>()
    }

    /// Serves until the process is stopped (Ctrl-C or SIGTERM).
    ///
    /// Background tasks run on a runtime of their own, one thread: the portfolio index and the
    /// revenue ledger load whole tables at start (100 000 accounts and 174 000 movements:
    /// seconds of CPU in one query each), and on the request runtime they kept both of a small
    /// machine's workers busy — nothing, `/healthz` included, was answered until they were done
    /// (4.5 s at 100 000 accounts, BENCHMARKS.md). On a stop, that runtime is shut down with its
    /// tasks, which drops their database handles: the caller can then close the store
    /// ([`app::store::close`]), so the next start has no write-ahead log to replay.
    pub async fn serve(mut self, listener: TcpListener) -> anyhow::Result<()> {
        let background = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("bellwether-background")
            .enable_all()
            .build()?;
        self.background = Some(background.handle().clone());
        self.spawn_background();
        let served =
            axum::serve(listener, self.service()).with_graceful_shutdown(shutdown_signal()).await;
        background.shutdown_background();
        Ok(served?)
    }
}

/// 200 once the database answers; 503 otherwise. Load balancers and the benchmarks poll this.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match app::store::migrations::applied(&state.db).await {
        Ok(versions) => {
            (StatusCode::OK, Json(serde_json::json!({ "status": "ok", "migrations": versions })))
        }
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "unavailable", "error": e.to_string() })),
        ),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("stopping: finishing requests in flight, ending live streams");
    live::end_streams();
}

/// Looks up who asks for a page before it is rendered, so the signed-in frame knows them at
/// once (`app::service::session::PageVisitor`). Server functions (`/api/…`, which authorise
/// themselves) and writes skip it.
async fn page_visitor(
    State(state): State<AppState>, mut req: axum::extract::Request, next: axum::middleware::Next,
) -> axum::response::Response {
    if req.method() == axum::http::Method::GET && !req.uri().path().starts_with("/api/") {
        let who = app::service::session::signed_in(&state, req.headers()).await;
        req.extensions_mut().insert(app::service::session::PageVisitor(who));
    }
    next.run(req).await
}
