//! Short-lived copies of what the public pages read on every request, and the throttle on
//! recording API key use. Each node keeps its own; nothing here is shared through the database,
//! so every copy has a time to live and a change made on another node arrives within it.

use super::Db;
use crate::error::AppError;
use crate::model::{Survey, SurveySettings};
use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

/// How long a node trusts its copy of the survey settings and definitions. A change made on
/// another node reaches this one within this time; a change made here applies at once.
const TTL: Duration = Duration::from_secs(10);

/// Past this many cached surveys the cache starts again (a flood of unknown links must not grow
/// memory for good).
const MAX_SURVEYS: usize = 10_000;

/// The survey settings and survey definitions the public survey pages need for every answer;
/// both change rarely.
pub struct SurveyCache {
    db: Db,
    settings: RwLock<Option<(Instant, SurveySettings)>>,
    /// By `id:…` and `key:…` (the anonymous link's key).
    surveys: RwLock<HashMap<String, (Instant, Survey)>>,
}

impl SurveyCache {
    pub fn new(db: Db) -> Self {
        Self { db, settings: RwLock::new(None), surveys: RwLock::new(HashMap::new()) }
    }

    /// The survey settings, from a copy at most `TTL` old.
    pub async fn settings(&self) -> Result<SurveySettings, AppError> {
        if let Some((at, s)) = *self.settings.read().unwrap_or_else(|p| p.into_inner()) {
            if at.elapsed() < TTL {
                return Ok(s);
            }
        }
        let s = super::settings::surveys(&self.db).await?;
        self.remember_settings(s);
        Ok(s)
    }

    /// Settings just saved on this node apply here at once.
    pub fn remember_settings(&self, s: SurveySettings) {
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), s));
    }

    /// A survey by id, for the public pages (closed ones too: the page says it is closed).
    pub async fn survey(&self, id: &str) -> Result<Option<Survey>, AppError> {
        if let Some(s) = self.cached(&format!("id:{id}")) {
            return Ok(Some(s));
        }
        let s = super::surveys::get_public(&self.db, id).await?;
        if let Some(s) = &s {
            self.keep(s);
        }
        Ok(s)
    }

    /// The active survey behind an anonymous link.
    pub async fn by_public_key(&self, key: &str) -> Result<Option<Survey>, AppError> {
        if let Some(s) = self.cached(&format!("key:{key}")) {
            return Ok(s.active.then_some(s));
        }
        let s = super::surveys::by_public_key(&self.db, key).await?;
        if let Some(s) = &s {
            self.keep(s);
        }
        Ok(s)
    }

    /// A survey was opened or closed on this node: its pages follow at once.
    pub fn forget_surveys(&self) {
        self.surveys.write().unwrap_or_else(|p| p.into_inner()).clear();
    }

    fn cached(&self, key: &str) -> Option<Survey> {
        let cache = self.surveys.read().unwrap_or_else(|p| p.into_inner());
        cache.get(key).filter(|(at, _)| at.elapsed() < TTL).map(|(_, s)| s.clone())
    }

    fn keep(&self, s: &Survey) {
        let mut cache = self.surveys.write().unwrap_or_else(|p| p.into_inner());
        if cache.len() > MAX_SURVEYS {
            cache.clear();
        }
        let now = Instant::now();
        cache.insert(format!("id:{}", s.id), (now, s.clone()));
        cache.insert(format!("key:{}", s.public_key), (now, s.clone()));
    }
}

/// When each API key's use was last recorded: Settings shows a key's last use, but writing it
/// on every request would double the writes of a busy integration, so it is written at most
/// once a minute per key.
pub struct KeyUses {
    db: Db,
    last: Mutex<HashMap<String, Instant>>,
}

impl KeyUses {
    pub fn new(db: Db) -> Self {
        Self { db, last: Mutex::new(HashMap::new()) }
    }

    /// Records that the key `id` was used, unless that was recorded less than a minute ago.
    /// The write happens in the background: the request does not wait for it.
    pub fn note(&self, id: &str) {
        {
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            if last.get(id).is_some_and(|t| t.elapsed() < Duration::from_secs(60)) {
                return;
            }
            last.insert(id.to_string(), Instant::now());
        }
        let (db, id) = (self.db.clone(), id.to_string());
        tokio::spawn(async move {
            if let Err(e) = super::api_keys::touch(&db, &id).await {
                tracing::warn!(error = %e, "could not record an API key's use");
            }
        });
    }
}
