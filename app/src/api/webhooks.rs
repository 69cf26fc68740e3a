//! Settings → Webhooks: endpoints, their delivery log, resend, and the private-network switch.
//! Admins only (`ManageApiKeys`: webhooks, like keys, connect other systems).

use crate::error::AppError;
use crate::model::webhook::{WebhookDelivery, WebhookEndpoint};
#[cfg(feature = "ssr")]
use crate::{api::ctx, model::Permission, service, store};
use leptos::prelude::*;

/// How many deliveries the log shows.
pub const LOG_LENGTH: usize = 50;

#[server(endpoint = "webhooks/list", output = crate::api::codec::Json)]
pub async fn list_webhooks() -> Result<Vec<WebhookEndpoint>, AppError> {
    ctx::run(
        Permission::ManageApiKeys,
        |state, _| async move { store::webhooks::list(&state.db).await },
    )
    .await
}

/// Registers an endpoint; the answer carries its signing secret, which is never shown again.
#[server(endpoint = "webhooks/create", output = crate::api::codec::Json)]
pub async fn create_webhook(
    url: String, #[server(default)] description: String, #[server(default)] events: Vec<String>,
) -> Result<(WebhookEndpoint, String), AppError> {
    ctx::run(Permission::ManageApiKeys, |state, me| async move {
        service::webhooks::create(&state.db, &url, &description, &events, &me.id).await
    })
    .await
}

#[server(endpoint = "webhooks/enable", output = crate::api::codec::Json)]
pub async fn set_webhook_enabled(id: String, enabled: bool) -> Result<(), AppError> {
    ctx::run(Permission::ManageApiKeys, |state, _| async move {
        store::webhooks::set_enabled(&state.db, &id, enabled).await
    })
    .await
}

#[server(endpoint = "webhooks/delete", output = crate::api::codec::Json)]
pub async fn delete_webhook(id: String) -> Result<(), AppError> {
    ctx::run(Permission::ManageApiKeys, |state, _| async move {
        store::webhooks::delete(&state.db, &id).await
    })
    .await
}

/// An endpoint's newest deliveries, newest first.
#[server(endpoint = "webhooks/deliveries", output = crate::api::codec::Json)]
pub async fn webhook_deliveries(endpoint: String) -> Result<Vec<WebhookDelivery>, AppError> {
    ctx::run(Permission::ManageApiKeys, |state, _| async move {
        store::webhooks::deliveries(&state.db, &endpoint, LOG_LENGTH).await
    })
    .await
}

/// Sends a delivery again now, under the same message id.
#[server(endpoint = "webhooks/resend", output = crate::api::codec::Json)]
pub async fn resend_webhook(endpoint: String, delivery: String) -> Result<(), AppError> {
    ctx::run(Permission::ManageApiKeys, |state, _| async move {
        store::webhooks::resend(&state.db, &endpoint, &delivery).await
    })
    .await
}

/// Whether endpoints may be on private networks.
#[server(endpoint = "webhooks/private", output = crate::api::codec::Json)]
pub async fn webhooks_private() -> Result<bool, AppError> {
    ctx::run(Permission::ManageApiKeys, |state, _| async move {
        store::settings::webhooks_allow_private(&state.db).await
    })
    .await
}

#[server(endpoint = "webhooks/private/save", output = crate::api::codec::Json)]
pub async fn save_webhooks_private(#[server(default)] allow: bool) -> Result<(), AppError> {
    ctx::run(Permission::ManageApiKeys, |state, _| async move {
        store::settings::save_webhooks_allow_private(&state.db, allow).await
    })
    .await
}
