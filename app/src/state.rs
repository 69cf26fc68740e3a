//! What every server function and REST handler can reach (server only).

use crate::store::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Mark cookies Secure: on behind HTTPS, off on plain-HTTP loopback (dev, tests).
    pub secure_cookies: bool,
}
