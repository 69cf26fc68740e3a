//! The portfolio read model: every account's list row, held in memory and kept current by a
//! SurrealDB live query, so that filtering, sorting, counting and paging 100 000 accounts takes
//! a millisecond instead of a table scan and a sort per page view.
//!
//! Why not just SurrealDB: `ORDER BY … LIMIT … START` plus `count()` scan and sort the whole
//! table on every request (≈ 10 ms at 10 000 accounts, growing linearly); a portfolio page
//! is the most frequent request a CSM makes.
//!
//! Consistency: the index subscribes (`LIVE SELECT * FROM account`) *before* it loads the table,
//! and applies what arrived meanwhile afterwards, so nothing falls between the two. Every node
//! runs its own subscription, so a write on one node reaches the others' indexes within
//! milliseconds. The node that made a write also applies it directly, so the person who saved
//! sees it on their next page. Until the first load completes, callers fall back to SurrealDB.

mod entry;

pub(crate) use entry::{Entry, ENTRY_FIELDS};

use super::Db;
use crate::model::*;
use entry::compare;
use futures::StreamExt;
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

type Sorted = Arc<Vec<Arc<Entry>>>;

/// What the scorer wrote onto an account: its score, band and usage facts (the last activity
/// day is written by usage ingestion and is kept as it is).
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub acc: String,
    pub score: Option<u8>,
    pub band: Option<crate::model::health::Band>,
    pub usage: UsageFacts,
}

/// Today, as filters on inactivity count it (UTC, like usage days).
fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

#[derive(Default)]
pub struct PortfolioIndex {
    rows: RwLock<HashMap<String, Arc<Entry>>>,
    /// One sorted view per sort key, built on first use and dropped on any change.
    sorted: Mutex<HashMap<(&'static str, bool), Sorted>>,
    industries: Mutex<Option<Vec<String>>>,
    /// external id → account key, built on first use and dropped on any change.
    external: Mutex<Option<HashMap<String, String>>>,
    ready: AtomicBool,
    /// The key of every account the live query reports changed (any node's write): pages
    /// that show one account subscribe to refresh themselves.
    changes: std::sync::OnceLock<tokio::sync::broadcast::Sender<String>>,
    /// Set by [`PortfolioIndex::stop`]: the sync task ends and lets go of its database handle.
    stopped: tokio::sync::watch::Sender<bool>,
}

impl PortfolioIndex {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Account keys as they change, from now on.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<String> {
        self.changes.get_or_init(|| tokio::sync::broadcast::channel(1024).0).subscribe()
    }

    /// Tells this node's listeners that something shown with the account changed (a plan, a
    /// touchpoint) though the account row itself did not. Other nodes learn it from the touch
    /// `AppState::account_activity` writes (see [`PortfolioIndex::spawn_touches`]).
    pub fn notify(&self, id: &str) {
        self.announce(id);
    }

    fn announce(&self, id: &str) {
        if let Some(tx) = self.changes.get() {
            let _ = tx.send(id.to_string());
        }
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Subscribes to account changes, loads every account, then follows changes until the
    /// subscription ends (it is re-established after a pause if the database drops it).
    pub fn spawn_sync(self: &Arc<Self>, db: Db) {
        let index = self.clone();
        let mut stopped = self.stopped.subscribe();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    r = index.sync(&db) => if let Err(e) = r {
                        tracing::warn!(error = %e, "portfolio index lost its live query; falling back to the database and retrying");
                    },
                    _ = stopped.wait_for(|s| *s) => return,
                }
                index.ready.store(false, Ordering::Release);
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
                    _ = stopped.wait_for(|s| *s) => return,
                }
            }
        });
    }

    /// Follows the account touches other nodes write (`store::activity`: a plan, a task, a
    /// touchpoint changed there) and tells this node's listeners, so pages open here refresh.
    pub fn spawn_touches(self: &Arc<Self>, db: Db, node: Arc<str>) {
        let index = self.clone();
        let mut stopped = self.stopped.subscribe();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    r = super::activity::follow(&db, &node, |id| index.announce(id)) => if let Err(e) = r {
                        tracing::warn!(error = %e, "lost the account-touch live query; retrying");
                    },
                    _ = stopped.wait_for(|s| *s) => return,
                }
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
                    _ = stopped.wait_for(|s| *s) => return,
                }
            }
        });
    }

    /// Ends the sync task, dropping its live query and database handle: a command that used an
    /// index must do this before it can close the database (see [`crate::store::close`]).
    pub fn stop(&self) {
        self.stopped.send_replace(true);
    }

    async fn sync(&self, db: &Db) -> Result<(), String> {
        let mut stream = db
            .select::<Vec<surrealdb::types::Value>>("account")
            .live()
            .await
            .map_err(|e| e.to_string())?;
        let started = std::time::Instant::now();
        let all: Vec<Entry> =
            super::query_all(db, &format!("SELECT {ENTRY_FIELDS} FROM account"), json!({}))
                .await
                .map_err(|e| e.to_string())?;
        let count = all.len();
        {
            let mut rows = self.rows.write().unwrap_or_else(|p| p.into_inner());
            rows.clear();
            for e in all {
                rows.insert(e.id.clone(), Arc::new(e));
            }
        }
        self.invalidate();
        // Changes made while the table was loading are waiting in the stream; they are applied
        // below, in order, before anyone could read a stale row for long.
        self.ready.store(true, Ordering::Release);
        tracing::info!(
            accounts = count,
            ms = started.elapsed().as_millis() as u64,
            "portfolio index loaded"
        );
        while let Some(note) = stream.next().await {
            let note = note.map_err(|e| e.to_string())?;
            match note.action {
                surrealdb::types::Action::Create | surrealdb::types::Action::Update => {
                    match serde_json::from_value::<Entry>(note.data.into_json_value()) {
                        Ok(e) => {
                            let id = e.id.clone();
                            self.put(e);
                            self.announce(&id);
                        }
                        Err(e) => tracing::warn!(error = %e, "unreadable account change"),
                    }
                }
                surrealdb::types::Action::Delete => {
                    if let Some(id) = note.data.into_json_value().get("id").and_then(|v| v.as_str())
                    {
                        self.remove(&super::key_of(id));
                    }
                }
                _ => return Err("live query ended".into()),
            }
        }
        Err("live query stream closed".into())
    }

    fn invalidate(&self) {
        self.sorted.lock().unwrap_or_else(|p| p.into_inner()).clear();
        *self.industries.lock().unwrap_or_else(|p| p.into_inner()) = None;
        *self.external.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn put(&self, e: Entry) {
        self.rows.write().unwrap_or_else(|p| p.into_inner()).insert(e.id.clone(), Arc::new(e));
        self.invalidate();
    }

    fn remove(&self, id: &str) {
        self.rows.write().unwrap_or_else(|p| p.into_inner()).remove(id);
        self.invalidate();
    }

    /// Applies a write this node just made (the live query will confirm it).
    pub fn apply(&self, account: &Account) {
        if self.is_ready() {
            let usage = self.entry(&account.id).map(|e| e.usage()).unwrap_or_default();
            self.put(Entry::from_account(account, usage));
        }
    }

    fn entry(&self, id: &str) -> Option<Arc<Entry>> {
        self.rows.read().unwrap_or_else(|p| p.into_inner()).get(id).cloned()
    }

    /// Applies scores this node just wrote (the live query will confirm them), so that
    /// segment membership evaluated right after sees them.
    pub fn apply_scores(&self, scored: &[Scored]) {
        if !self.is_ready() || scored.is_empty() {
            return;
        }
        {
            let mut rows = self.rows.write().unwrap_or_else(|p| p.into_inner());
            for s in scored {
                if let Some(e) = rows.get(&s.acc) {
                    let next = e.with_scores(s);
                    rows.insert(s.acc.clone(), Arc::new(next));
                }
            }
        }
        self.invalidate();
    }

    /// Applies usage days this node just stored: an account's last activity only moves later.
    pub fn apply_activity(&self, days: &[(String, chrono::NaiveDate)]) {
        if !self.is_ready() || days.is_empty() {
            return;
        }
        {
            let mut rows = self.rows.write().unwrap_or_else(|p| p.into_inner());
            for (acc, day) in days {
                if let Some(e) = rows.get(acc) {
                    if e.last_active_on.is_none_or(|d| d < *day) {
                        let next = Entry { last_active_on: Some(*day), ..(**e).clone() };
                        rows.insert(acc.clone(), Arc::new(next));
                    }
                }
            }
        }
        self.invalidate();
    }

    /// An account's score, band and usage facts as the index holds them (`None`: not loaded or
    /// unknown): the scorer writes only what changed.
    pub fn scored(&self, id: &str) -> Option<Scored> {
        if !self.is_ready() {
            return None;
        }
        self.entry(id).map(|e| Scored {
            acc: e.id.clone(),
            score: e.health_score,
            band: e.health_band,
            usage: UsageFacts { last_active_on: None, ..e.usage() },
        })
    }

    /// For each filter, the accounts it matches among `among` (all accounts for `None`), or
    /// `None` while the index is still loading: segment membership, evaluated in one pass.
    pub fn members(
        &self, filters: &[(String, PortfolioFilter)], among: Option<&[String]>,
    ) -> Option<HashMap<String, std::collections::HashSet<String>>> {
        if !self.is_ready() {
            return None;
        }
        let today = today();
        let qs: Vec<Option<String>> =
            filters.iter().map(|(_, f)| f.q.as_ref().map(|q| q.to_lowercase())).collect();
        let mut out: HashMap<String, std::collections::HashSet<String>> =
            filters.iter().map(|(id, _)| (id.clone(), Default::default())).collect();
        let rows = self.rows.read().unwrap_or_else(|p| p.into_inner());
        let mut visit = |e: &Entry| {
            for ((id, f), q) in filters.iter().zip(&qs) {
                if e.matches(f, q.as_deref(), today) {
                    out.get_mut(id).expect("every filter has a set").insert(e.id.clone());
                }
            }
        };
        match among {
            Some(ids) => ids.iter().filter_map(|i| rows.get(i)).for_each(|e| visit(e)),
            None => rows.values().for_each(|e| visit(e)),
        }
        Some(out)
    }

    /// The entries in the order of `key` and direction (ties by name A→Z either way, as the
    /// database orders them), built on first use.
    fn sorted_by(&self, key: SortKey, desc: bool) -> Sorted {
        let cache_key = (key.key(), desc);
        if let Some(s) = self.sorted.lock().unwrap_or_else(|p| p.into_inner()).get(&cache_key) {
            return s.clone();
        }
        let mut v: Vec<Arc<Entry>> =
            self.rows.read().unwrap_or_else(|p| p.into_inner()).values().cloned().collect();
        v.sort_unstable_by(|a, b| compare(key, desc, a, b));
        let v = Arc::new(v);
        self.sorted.lock().unwrap_or_else(|p| p.into_inner()).insert(cache_key, v.clone());
        v
    }

    /// A page of the portfolio, or `None` while the index is still loading.
    pub fn query(&self, f: &PortfolioFilter) -> Option<PortfolioPage> {
        if !self.is_ready() {
            return None;
        }
        let sorted = self.sorted_by(f.sort, f.desc);
        let q = f.q.as_ref().map(|q| q.to_lowercase());
        let today = today();
        let start = f.page as usize * PAGE_SIZE as usize;
        let end = start + PAGE_SIZE as usize;
        let mut total = 0usize;
        let mut rows = Vec::with_capacity(PAGE_SIZE as usize);
        let mut visit = |e: &Arc<Entry>| {
            if e.matches(f, q.as_deref(), today) {
                if total >= start && total < end {
                    rows.push(e.row());
                }
                total += 1;
            }
        };
        sorted.iter().for_each(&mut visit);
        Some(PortfolioPage { rows, total: total as u64, page: f.page, page_size: PAGE_SIZE })
    }

    /// `pick` of every entry the filter matches (unsorted), or `None` while the index is still
    /// loading.
    fn filtered<T>(&self, f: &PortfolioFilter, pick: impl Fn(&Entry) -> T) -> Option<Vec<T>> {
        if !self.is_ready() {
            return None;
        }
        let q = f.q.as_ref().map(|q| q.to_lowercase());
        let today = today();
        let rows = self.rows.read().unwrap_or_else(|p| p.into_inner());
        Some(rows.values().filter(|e| e.matches(f, q.as_deref(), today)).map(|e| pick(e)).collect())
    }

    /// Every account id the filter matches, or `None` while the index is still loading.
    pub fn matching_ids(&self, f: &PortfolioFilter) -> Option<Vec<String>> {
        self.filtered(f, |e| e.id.clone())
    }

    /// The account an event names, or `None` while the index is still loading (`Some(None)`:
    /// no such account).
    pub fn resolve(&self, r: &crate::model::usage::AccountRef) -> Option<Option<String>> {
        use crate::model::usage::AccountRef;
        if !self.is_ready() {
            return None;
        }
        let rows = self.rows.read().unwrap_or_else(|p| p.into_inner());
        Some(match r {
            AccountRef::Id(id) => rows.contains_key(id).then(|| id.clone()),
            AccountRef::External(e) => {
                let mut ext = self.external.lock().unwrap_or_else(|p| p.into_inner());
                let map = ext.get_or_insert_with(|| {
                    rows.values()
                        .filter_map(|r| r.external_id.clone().map(|x| (x, r.id.clone())))
                        .collect()
                });
                map.get(e).cloned()
            }
        })
    }

    /// The rows of these accounts (unknown ones left out), or `None` while the index is still
    /// loading: the alert rules read renewal, stage and score of the accounts they evaluate.
    pub fn rows_of(&self, ids: &[String]) -> Option<Vec<AccountRow>> {
        if !self.is_ready() {
            return None;
        }
        let rows = self.rows.read().unwrap_or_else(|p| p.into_inner());
        Some(ids.iter().filter_map(|id| rows.get(id).map(|e| e.row())).collect())
    }

    /// An account's score and band as the index holds them (`None`: not loaded or unknown).
    pub fn health(&self, id: &str) -> Option<(Option<u8>, Option<crate::model::health::Band>)> {
        if !self.is_ready() {
            return None;
        }
        let rows = self.rows.read().unwrap_or_else(|p| p.into_inner());
        rows.get(id).map(|e| (e.health_score, e.health_band))
    }

    /// Currency, ARR and band of every account the filter matches (the Segments page's sums,
    /// without copying whole rows), or `None` while the index is still loading.
    pub fn money_and_bands(
        &self, f: &PortfolioFilter,
    ) -> Option<Vec<(String, i64, Option<crate::model::health::Band>)>> {
        self.filtered(f, |e| (e.currency.clone(), e.arr_minor, e.health_band))
    }

    /// The same for accounts not churned (the health distribution: churned accounts' health
    /// no longer matters). One small tuple per account instead of a whole row: the portfolio
    /// page asks for it on every view, over every matching account.
    pub fn active_money_and_bands(
        &self, f: &PortfolioFilter,
    ) -> Option<Vec<(String, i64, Option<crate::model::health::Band>)>> {
        let all = self.filtered(f, |e| {
            (e.stage != Stage::Churned).then(|| (e.currency.clone(), e.arr_minor, e.health_band))
        })?;
        Some(all.into_iter().flatten().collect())
    }

    /// Every account row the filter matches, unsorted (health scoring, what-if, the health
    /// distribution), or `None` while the index is still loading.
    pub fn rows_matching(&self, f: &PortfolioFilter) -> Option<Vec<AccountRow>> {
        self.filtered(f, Entry::row)
    }

    /// The industries in use, A→Z (cached until the next change: every portfolio view asks).
    pub fn industries(&self) -> Option<Vec<String>> {
        if !self.is_ready() {
            return None;
        }
        let mut cache = self.industries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(list) = cache.as_ref() {
            return Some(list.clone());
        }
        let rows = self.rows.read().unwrap_or_else(|p| p.into_inner());
        let distinct: std::collections::BTreeSet<&str> =
            rows.values().map(|e| e.industry.as_str()).collect();
        let list: Vec<String> = distinct.into_iter().map(String::from).collect();
        *cache = Some(list.clone());
        Some(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn entry(id: &str, name: &str, tier: SizeTier, arr: i64, owner: Option<&str>) -> Entry {
        Entry {
            id: id.into(),
            name: name.into(),
            name_key: name.to_lowercase(),
            tier,
            industry: "Software".into(),
            stage: Stage::Growth,
            arr_minor: arr,
            currency: "USD".into(),
            renewal_date: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            owner: owner.map(String::from),
            owner_name: owner.map(|o| format!("Owner {o}")),
            external_id: None,
            health_score: None,
            health_band: None,
            adoption: None,
            engagement: None,
            last_active_on: None,
            plan_status: None,
        }
    }

    fn ready_index(entries: Vec<Entry>) -> Arc<PortfolioIndex> {
        let idx = PortfolioIndex::new();
        for e in entries {
            idx.put(e);
        }
        idx.ready.store(true, Ordering::Release);
        idx
    }

    #[test]
    fn nothing_is_answered_before_the_first_load() {
        assert!(PortfolioIndex::new().query(&PortfolioFilter::default()).is_none());
    }

    #[test]
    fn filters_sorts_counts_and_pages() {
        let mut entries = Vec::new();
        for i in 0..120 {
            let tier = if i % 3 == 0 { SizeTier::Enterprise } else { SizeTier::Smb };
            entries.push(entry(
                &format!("a{i}"),
                &format!("Company {i:03}"),
                tier,
                i * 100,
                (i % 2 == 0).then_some("u1"),
            ));
        }
        let idx = ready_index(entries);
        let all = idx.query(&PortfolioFilter::default()).unwrap();
        assert_eq!(all.total, 120);
        assert_eq!(all.rows.len(), 50);
        assert_eq!(all.rows[0].name, "Company 000");
        let last = idx.query(&PortfolioFilter { page: 2, ..Default::default() }).unwrap();
        assert_eq!(last.rows.len(), 20);
        assert_eq!(last.rows[19].name, "Company 119");

        let ent = idx
            .query(&PortfolioFilter { tier: Some(SizeTier::Enterprise), ..Default::default() })
            .unwrap();
        assert_eq!(ent.total, 40);
        let by_arr = idx
            .query(&PortfolioFilter { sort: SortKey::Arr, desc: true, ..Default::default() })
            .unwrap();
        assert_eq!(by_arr.rows[0].arr_minor, 11_900);
        let unowned = idx
            .query(&PortfolioFilter { owner: Some("none".into()), ..Default::default() })
            .unwrap();
        assert_eq!(unowned.total, 60);
        let search = idx
            .query(&PortfolioFilter { q: Some("COMPANY 11".into()), ..Default::default() })
            .unwrap();
        assert_eq!(search.total, 10);
    }

    #[test]
    fn changes_show_up_in_every_sort() {
        let idx = ready_index(vec![
            entry("a", "Alpha", SizeTier::Smb, 100, None),
            entry("b", "Beta", SizeTier::Smb, 200, None),
        ]);
        let by_arr = |idx: &PortfolioIndex| {
            idx.query(&PortfolioFilter { sort: SortKey::Arr, ..Default::default() }).unwrap()
        };
        assert_eq!(by_arr(&idx).rows[0].name, "Alpha");
        idx.put(entry("a", "Alpha", SizeTier::Smb, 300, None));
        assert_eq!(by_arr(&idx).rows[0].name, "Beta", "the cached order was rebuilt");
        idx.remove("b");
        assert_eq!(by_arr(&idx).total, 1);
        assert_eq!(idx.industries().unwrap(), vec!["Software".to_string()]);
    }
}
