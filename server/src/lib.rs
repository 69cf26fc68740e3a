//! The Bellwether server: configuration, the axum router (Leptos pages and server functions,
//! health check, static files), security middleware, and the command-line tasks.

pub mod config;
pub mod security;
pub mod seed;

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
use tokio::net::TcpListener;

/// Everything a running server needs.
#[derive(Clone)]
pub struct Server {
    pub state: AppState,
    pub options: LeptosOptions,
}

impl Server {
    pub fn new(db: Db, site_root: &str, addr: SocketAddr, secure_cookies: bool) -> Self {
        let options = LeptosOptions::builder()
            .output_name("bellwether")
            .site_root(site_root)
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();
        Self {
            state: AppState::new(db, secure_cookies),
            options,
        }
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
            .with_state(options);
        Router::new()
            .route("/healthz", get(healthz))
            .with_state(self.state.clone())
            .merge(leptos)
            .layer(axum::middleware::from_fn(security::error_status))
            .layer(axum::middleware::from_fn(security::same_origin_writes))
            .layer(axum::middleware::from_fn(security::headers))
            .layer(tower_http::compression::CompressionLayer::new())
    }

    /// Serves until the process is stopped (Ctrl-C or SIGTERM).
    pub async fn serve(self, listener: TcpListener) -> anyhow::Result<()> {
        let db = self.state.db.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                tick.tick().await;
                if let Err(e) = app::store::sessions::purge_expired(&db).await {
                    tracing::warn!(error = %e, "could not purge expired sessions");
                }
            }
        });
        axum::serve(listener, self.router())
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        Ok(())
    }
}

/// 200 once the database answers; 503 otherwise. Load balancers and the benchmarks poll this.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match app::store::migrations::applied(&state.db).await {
        Ok(versions) => (
            StatusCode::OK,
            Json(serde_json::json!({ "status": "ok", "migrations": versions })),
        ),
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
}
