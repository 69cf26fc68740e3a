//! Several nodes under load (BENCHMARKS.md, issue 18): the same bounded load — usage events
//! through `POST /api/v1/events`, new accounts through `POST /api/v1/accounts` (each one a
//! webhook `account.created`), and the portfolio page (`GET /`, server-rendered, signed in) —
//!
//! 1. on one node with the embedded database (SurrealKV), and
//! 2. on two nodes sharing a SurrealDB server (the real `surreal` binary, on SurrealKV), one of
//!    them SIGKILLed halfway while it mails a survey, and started again.
//!
//! Clients are spread over the nodes; a request that finds its node gone is retried once on the
//! other, as the proxy in deploy/ does (`lb_retries`). Reported per run: requests, error rate,
//! p50/p99 per kind; then the checks — every acknowledged event and account is in the
//! database, every mail arrived at most once, no webhook message was acknowledged twice.
//!
//! Run: `cargo build --release -p surreal-server && cargo bench -p server --bench nodes`.
//! Knobs: BENCH_SECONDS (40), BENCH_CLIENTS (8), BENCH_MAILS (120). Loopback only; bounded.

#[path = "../tests/it/common/cluster.rs"]
#[allow(dead_code)]
mod cluster;
mod common;
#[path = "../tests/it/common/smtp.rs"]
#[allow(dead_code)]
mod smtp;

use cluster::{eventually, Node, Surreal, SETUP_CODE};
use common::{cores, cpu_model, env, pct};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ACCOUNTS: usize = 20;

#[derive(Default)]
struct Tally {
    /// Latency in ms per kind of request ("events", "accounts", "page").
    ms: HashMap<&'static str, Vec<f64>>,
    errors: HashMap<&'static str, u64>,
    /// Requests that found their node gone (or failing) and were answered by the other.
    retried: HashMap<&'static str, u64>,
    acked_events: Vec<String>,
    acked_accounts: Vec<String>,
}

/// What a run found.
struct Outcome {
    tally: Tally,
    seconds: f64,
    lost_events: usize,
    lost_accounts: usize,
    mails: HashMap<String, usize>,
    uncertain: usize,
    webhooks: HashMap<String, usize>,
}

/// The webhook receiver: counts each message id it acknowledged.
async fn receiver() -> (String, Arc<Mutex<HashMap<String, usize>>>) {
    let seen: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let s = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap| {
            let s = s.clone();
            async move {
                if let Some(id) = headers.get("webhook-id").and_then(|v| v.to_str().ok()) {
                    *s.lock().unwrap().entry(id.to_string()).or_default() += 1;
                }
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(30)).build().unwrap()
}

async fn call(http: &reqwest::Client, base: &str, endpoint: &str, form: &[(&str, &str)]) -> Value {
    let r = http
        .post(format!("{base}/api/{endpoint}"))
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{endpoint}: {}", r.status());
    r.json().await.unwrap()
}

/// Sets up the admin, an API key, the accounts, the contacts a survey will mail, and a webhook
/// endpoint for `account.created`; answers the signed-in browser, the key and the survey's id.
async fn prepare(base: &str, hook: &str, mails: usize) -> (reqwest::Client, String, String) {
    let http = browser();
    call(
        &http,
        base,
        "auth/setup",
        &[
            ("name", "Ada"),
            ("email", "ada@example.com"),
            ("password", "correct horse battery"),
            ("setup_code", SETUP_CODE),
        ],
    )
    .await;
    call(
        &http,
        base,
        "auth/login",
        &[("email", "ada@example.com"), ("password", "correct horse battery")],
    )
    .await;
    let key = call(
        &http,
        base,
        "api_keys/create",
        &[("name", "Load"), ("scopes[0]", "events:write"), ("scopes[1]", "accounts:write")],
    )
    .await[1]
        .as_str()
        .unwrap()
        .to_string();
    let rows: Vec<Value> = (0..ACCOUNTS)
        .map(|i| json!({"external_id": format!("load-{i}"), "name": format!("Load {i:02}"), "tier": "smb",
            "industry": "Retail", "stage": "growth", "currency": "EUR", "contract_start": "2026-01-01"}))
        .collect();
    let r = http
        .post(format!("{base}/api/v1/accounts"))
        .bearer_auth(&key)
        .json(&rows)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let page = call(&http, base, "accounts/portfolio", &[]).await;
    let first = page["rows"][0]["id"].as_str().unwrap().to_string();
    for i in 0..mails {
        let (name, email) = (format!("Reader {i}"), format!("reader{i}@load.example"));
        call(
            &http,
            base,
            "accounts/contacts/add",
            &[
                ("account_id", &first),
                ("input[name]", &name),
                ("input[email]", &email),
                ("input[title]", ""),
            ],
        )
        .await;
    }
    let survey = call(
        &http,
        base,
        "surveys/create",
        &[
            ("input[name]", "Load NPS"),
            ("input[kind]", "nps"),
            ("input[audience]", "accounts"),
            ("input[ids][0]", &first),
        ],
    )
    .await;
    call(&http, base, "webhooks/private/save", &[("allow", "true")]).await;
    call(
        &http,
        base,
        "webhooks/create",
        &[("url", hook), ("description", "Load"), ("events[0]", "account.created")],
    )
    .await;
    (http, key, survey["id"].as_str().unwrap().to_string())
}

/// Sends one request to `bases[home]`, and once to the other node if the first could not be
/// reached or answered 5xx (what the proxy does); the body when acknowledged, and whether it
/// took the other node.
async fn send(
    bases: &[String], home: usize, make: impl Fn(&str) -> reqwest::RequestBuilder,
) -> (Option<String>, bool) {
    for k in 0..bases.len().min(2) {
        let base = &bases[(home + k) % bases.len()];
        match make(base).send().await {
            Ok(r) if r.status().is_success() => {
                return (Some(r.text().await.unwrap_or_default()), k > 0)
            }
            Ok(r) if r.status().is_client_error() => return (None, k > 0),
            _ => continue,
        }
    }
    (None, bases.len() > 1)
}

/// One client's loop until `until`: a batch of 10 events, every fifth time a new account, and
/// the portfolio page.
async fn client(
    i: usize, bases: Arc<Vec<String>>, http: reqwest::Client, key: String, until: Instant,
    tally: Arc<Mutex<Tally>>,
) {
    let home = i % bases.len();
    let mut seq = 0u64;
    while Instant::now() < until {
        seq += 1;
        let keys: Vec<String> = (0..10).map(|k| format!("ld-{i}-{seq}-{k}")).collect();
        let events: Vec<Value> = keys
            .iter()
            .enumerate()
            .map(|(k, key)| {
                json!({"external_id": format!("load-{}", (seq as usize + k) % ACCOUNTS),
                "kind": "feature_used", "feature": "reports", "at": chrono::Utc::now().to_rfc3339(),
                "idempotency_key": key})
            })
            .collect();
        let t = Instant::now();
        let ok = send(&bases, home, |b| {
            http.post(format!("{b}/api/v1/events")).bearer_auth(&key).json(&events)
        })
        .await;
        record(&tally, "events", t, (ok.0.is_some(), ok.1), |t| {
            t.acked_events.extend(keys.clone())
        });
        if seq.is_multiple_of(5) {
            let ext = format!("new-{i}-{seq}");
            let row = json!([{"external_id": ext, "name": format!("New {i}-{seq}"), "tier": "smb",
                "industry": "Retail", "stage": "onboarding", "currency": "EUR", "contract_start": "2026-01-01"}]);
            let t = Instant::now();
            let ok = send(&bases, home, |b| {
                http.post(format!("{b}/api/v1/accounts")).bearer_auth(&key).json(&row)
            })
            .await;
            record(&tally, "accounts", t, (ok.0.is_some(), ok.1), |t| {
                t.acked_accounts.push(ext.clone())
            });
        }
        let t = Instant::now();
        let ok = send(&bases, home, |b| http.get(format!("{b}/"))).await;
        let shown = ok.0.is_some_and(|body| body.contains("Load 00"));
        record(&tally, "page", t, (shown, ok.1), |_| {});
    }
}

fn record(
    tally: &Mutex<Tally>, kind: &'static str, t: Instant, (ok, retried): (bool, bool),
    acked: impl FnOnce(&mut Tally),
) {
    let mut tally = tally.lock().unwrap();
    tally.ms.entry(kind).or_default().push(t.elapsed().as_secs_f64() * 1000.0);
    if retried {
        *tally.retried.entry(kind).or_default() += 1;
    }
    if ok {
        acked(&mut tally);
    } else {
        *tally.errors.entry(kind).or_default() += 1;
    }
}

/// Runs the load against `nodes`; with `kill`, SIGKILLs the first node halfway (right after
/// asking it to mail the survey) and starts it again.
async fn run(
    nodes: &mut [Node], seconds: u64, clients: usize, http: &reqwest::Client, key: &str,
    survey: &str, kill: bool,
) -> (Tally, f64) {
    let bases: Arc<Vec<String>> = Arc::new(nodes.iter().map(|n| n.base.clone()).collect());
    let tally: Arc<Mutex<Tally>> = Arc::default();
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|i| {
            tokio::spawn(client(
                i,
                bases.clone(),
                http.clone(),
                key.to_string(),
                until,
                tally.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(seconds / 2)).await;
    call(http, &nodes[0].base, "surveys/send", &[("id", survey)]).await;
    if kill {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        nodes[0].kill();
        tokio::time::sleep(Duration::from_secs(2)).await;
        nodes[0].restart().await;
    }
    for t in tasks {
        t.await.unwrap();
    }
    let seconds = started.elapsed().as_secs_f64();
    let tally = Arc::try_unwrap(tally).ok().unwrap().into_inner().unwrap();
    (tally, seconds)
}

/// Which acknowledged events and accounts are missing, the invitations reported uncertain, and
/// whether the queue and the outbox are empty.
async fn check(db: &app::store::Db, tally: &Tally) -> (usize, usize, usize, bool) {
    let mut r = db
        .query("RETURN array::len(array::filter($keys, |$k| !record::exists(type::record('usage_event', $k))));
                RETURN array::len(array::filter($ext, |$e| (SELECT VALUE id FROM account WHERE external_id = $e) = []));
                RETURN (SELECT count() AS n FROM invitation WHERE mail_error = $uncertain GROUP ALL)[0].n ?? 0;
                RETURN (SELECT count() AS n FROM invitation WHERE mail_status = 'queued' GROUP ALL)[0].n ?? 0;
                RETURN (SELECT count() AS n FROM webhook_delivery WHERE status = 'pending' GROUP ALL)[0].n ?? 0;")
        .bind(json!({"keys": tally.acked_events, "ext": tally.acked_accounts,
            "uncertain": app::store::invitations::UNCERTAIN}))
        .await
        .unwrap();
    let mut n = [0usize; 5];
    for (i, slot) in n.iter_mut().enumerate() {
        let v: Option<i64> = r.take(i).unwrap();
        *slot = v.unwrap_or(0) as usize;
    }
    (n[0], n[1], n[2], n[3] == 0 && n[4] == 0)
}

async fn drain_mail(
    inbox: &mut tokio::sync::mpsc::UnboundedReceiver<smtp::Received>,
) -> HashMap<String, usize> {
    let mut n = HashMap::new();
    while let Ok(Some(m)) = tokio::time::timeout(Duration::from_secs(5), inbox.recv()).await {
        for to in m.to {
            *n.entry(to).or_default() += 1;
        }
    }
    n
}

fn node_env(smtp_port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("BELLWETHER_SMTP_HOST", "127.0.0.1".into()),
        ("BELLWETHER_SMTP_PORT", smtp_port.to_string()),
        ("BELLWETHER_SMTP_TLS", "none".into()),
        ("BELLWETHER_LEASE_SECS", "5".into()),
        ("BELLWETHER_API_RATE", "1000000".into()),
        ("BELLWETHER_LOGIN_RATE", "1000".into()),
    ]
}

async fn scenario(two_nodes: bool, seconds: u64, clients: usize, mails: usize) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let (smtp_port, mut inbox) = smtp::start_with_delay(Duration::from_millis(40)).await;
    let (hook, hooks) = receiver().await;
    let env = node_env(smtp_port);
    let surreal = if two_nodes { Some(Surreal::start(&dir.path().join("db")).await) } else { None };
    let url = match &surreal {
        Some(s) => s.url(),
        None => format!("surrealkv://{}", dir.path().join("db").display()),
    };
    let mut nodes = vec![Node::start(&url, &env).await];
    if two_nodes {
        nodes.push(Node::start(&url, &env).await);
    }
    let (http, key, survey) = prepare(&nodes[0].base, &hook, mails).await;
    let (tally, seconds) = run(&mut nodes, seconds, clients, &http, &key, &survey, two_nodes).await;
    let db = match &surreal {
        Some(s) => s.connect().await,
        None => {
            // Let the node finish mailing, then stop it: the embedded store is one process's.
            tokio::time::sleep(Duration::from_secs(mails as u64 / 10 + 5)).await;
            nodes[0].stop();
            app::store::connect(&url, None, None).await.unwrap()
        }
    };
    if surreal.is_some() {
        eventually(Duration::from_secs(120), "mail and webhooks settle", || async {
            check(&db, &tally).await.3
        })
        .await;
    }
    let (lost_events, lost_accounts, uncertain, _) = check(&db, &tally).await;
    if surreal.is_none() {
        // Closed before its directory goes.
        app::store::close(db, &url, Duration::from_secs(20)).await;
    }
    let mails = drain_mail(&mut inbox).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let webhooks = hooks.lock().unwrap().clone();
    Outcome { tally, seconds, lost_events, lost_accounts, mails, uncertain, webhooks }
}

fn report(name: &str, o: &Outcome) {
    let n: usize = o.tally.ms.values().map(Vec::len).sum();
    println!("\n### {name} ({:.0} s, {:.0} requests/s)", o.seconds, n as f64 / o.seconds);
    println!(
        "| request | count | errors | error rate | answered by the other node | p50 ms | p99 ms |\n|---|---|---|---|---|---|---|"
    );
    for kind in ["events", "accounts", "page"] {
        let mut ms = o.tally.ms.get(kind).cloned().unwrap_or_default();
        ms.sort_by(f64::total_cmp);
        let errors = o.tally.errors.get(kind).copied().unwrap_or(0);
        let retried = o.tally.retried.get(kind).copied().unwrap_or(0);
        println!(
            "| {kind} | {} | {errors} | {:.2} % | {retried} | {:.1} | {:.1} |",
            ms.len(),
            100.0 * errors as f64 / ms.len().max(1) as f64,
            pct(&ms, 0.5),
            pct(&ms, 0.99)
        );
    }
    let twice = |m: &HashMap<String, usize>| m.values().filter(|&&n| n > 1).count();
    println!(
        "\nacknowledged events lost: {} of {}; accounts lost: {} of {}; mails: {} delivered, {} twice, {} reported uncertain; webhook messages: {} acknowledged, {} twice",
        o.lost_events,
        o.tally.acked_events.len(),
        o.lost_accounts,
        o.tally.acked_accounts.len(),
        o.mails.len(),
        twice(&o.mails),
        o.uncertain,
        o.webhooks.len(),
        twice(&o.webhooks),
    );
}

#[tokio::main]
async fn main() {
    common::init_tracing();
    let seconds = env("BENCH_SECONDS", 40);
    let clients = env("BENCH_CLIENTS", 8) as usize;
    let mails = env("BENCH_MAILS", 120) as usize;
    println!("Machine: {} cores, {}; {clients} clients, {seconds} s per run", cores(), cpu_model());
    let one = scenario(false, seconds, clients, mails).await;
    report("one node, embedded SurrealKV", &one);
    let two = scenario(true, seconds, clients, mails).await;
    report("two nodes on a SurrealDB server, node 1 SIGKILLed halfway and restarted", &two);
    for o in [&one, &two] {
        assert_eq!(o.lost_events + o.lost_accounts, 0, "an acknowledged write was lost");
        assert!(o.mails.values().all(|&n| n == 1), "a mail arrived twice");
        assert!(o.webhooks.values().all(|&n| n == 1), "a webhook message was acknowledged twice");
    }
}
