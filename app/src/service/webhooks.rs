//! Webhook endpoints as admins register them: checked (URL, private networks, event types),
//! given a signing secret that is shown once. Sending is the server's job
//! (`server/src/webhooks.rs`); what is sent is written by the database (store::webhooks).

use crate::error::AppError;
use crate::model::webhook::{validate_endpoint, ValidEndpoint, WebhookEndpoint, PRIVATE_REFUSAL};
use crate::store::{self, Db};

/// Most endpoints there can be: every change is written once per endpoint that wants it.
pub const MAX_ENDPOINTS: usize = 20;

/// A new Standard Webhooks secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// Checks an endpoint against the current private-network setting; a host name is resolved
/// too, and refused if any of its addresses is private (the sender checks again at every
/// delivery, since a name can change where it points).
pub async fn check(
    db: &Db, url: &str, description: &str, events: &[String],
) -> Result<ValidEndpoint, AppError> {
    let allow_private = store::settings::webhooks_allow_private(db).await?;
    let v = validate_endpoint(url, description, events, allow_private)?;
    if !allow_private && !resolves_public(&v.host).await {
        return Err(AppError::field("url", PRIVATE_REFUSAL));
    }
    Ok(v)
}

/// Whether every address a host name resolves to is public. A name that does not resolve
/// (yet) passes: its deliveries fail, and say why, until it does.
async fn resolves_public(host: &str) -> bool {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return true; // judged by validate_endpoint
    }
    let lookup = tokio::net::lookup_host((host, 443));
    match tokio::time::timeout(std::time::Duration::from_secs(3), lookup).await {
        Ok(Ok(addrs)) => addrs.into_iter().all(|a| crate::model::webhook::is_public_ip(a.ip())),
        _ => true,
    }
}

/// Registers an endpoint; answers it with its secret, which is not shown again.
pub async fn create(
    db: &Db, url: &str, description: &str, events: &[String], by: &str,
) -> Result<(WebhookEndpoint, String), AppError> {
    let v = check(db, url, description, events).await?;
    if store::webhooks::list(db).await?.len() >= MAX_ENDPOINTS {
        return Err(AppError::field(
            "url",
            format!("there are {MAX_ENDPOINTS} endpoints already (the most there can be); delete one first"),
        ));
    }
    let secret = new_secret();
    let endpoint = store::webhooks::create(db, &v, &secret, Some(by)).await?;
    Ok((endpoint, secret))
}
