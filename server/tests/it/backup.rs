//! Backup and restore round trips, as deploy/README.md tells operators to do them: the embedded
//! store with `bellwether backup` / `bellwether restore` (server stopped), and a SurrealDB server
//! with `surreal export` while Bellwether runs, `surreal import` into a new server. Either way
//! the restored database serves the same portfolio and plans, and the same sign-in works.

use crate::common::cluster::*;
use crate::common::*;
use reqwest::StatusCode;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Some of everything a CSM makes: accounts with contacts, a plan with a task started.
async fn fill(c: &Client) -> String {
    c.ok("auth/setup", &setup_form("Ada", SETUP_CODE)).await;
    let (status, _) = c.call("auth/login", &ADMIN_LOGIN).await;
    assert_eq!(status, StatusCode::OK);
    let mut last = String::new();
    for (i, name) in ["Contoso", "Fabrikam", "Tailspin"].iter().enumerate() {
        let (account, _) = account_with_champion(
            c,
            name,
            &format!("Champion {i}"),
            &format!("champ{i}@{name}.example"),
        )
        .await;
        last = account;
    }
    let plan = onboarding_plan(c, &last, "Onboarding", &today()).await;
    let task = id_of(&tasks_of(&plan_detail(c, &plan).await)[0]);
    c.ok("plans/task/status", &[("id", &task), ("status", "in_progress")]).await;
    // The plan's account is re-scored within a second: back up after, so both sides agree.
    eventually(Duration::from_secs(10), "the account with the plan is scored", || async {
        let rows = c.ok("accounts/portfolio", &[("filter[q]", "Tailspin")]).await;
        !rows["rows"][0]["health_score"].is_null()
    })
    .await;
    plan
}

/// What the restored copy must show alike: the portfolio's rows and the plan.
async fn snapshot(c: &Client, plan: &str) -> (Value, Value) {
    let portfolio = c.ok("accounts/portfolio", &[]).await;
    (portfolio["rows"].clone(), plan_detail(c, plan).await["plan"].clone())
}

async fn sign_in(base: &str) -> Client {
    let c = Client::at(base);
    let (status, _) = c.call("auth/login", &ADMIN_LOGIN).await;
    assert_eq!(status, StatusCode::OK, "the admin's password came back");
    c
}

fn bellwether(db: &str, args: &[&str], file: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_bellwether"))
        .args(args)
        .arg(file)
        .env("BELLWETHER_DB", db)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run bellwether")
}

#[tokio::test]
async fn the_embedded_store_backs_up_and_restores_into_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (
        format!("surrealkv://{}", dir.path().join("first").display()),
        format!("surrealkv://{}", dir.path().join("second").display()),
    );
    let file = dir.path().join("backup.surql");
    let mut node = Node::start(&first, &[]).await;
    let c = Client::at(&node.base);
    let plan = fill(&c).await;
    let before = snapshot(&c, &plan).await;
    node.stop();

    let out = bellwether(&first, &["backup"], &file);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("OPTION IMPORT"), "a restore must fire no events");
    let out = bellwether(&second, &["restore"], &file);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // A second restore into the same (now full) database is refused, naming why.
    let out = bellwether(&second, &["restore"], &file);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));

    let restored = Node::start(&second, &[]).await;
    let c = sign_in(&restored.base).await;
    assert_eq!(snapshot(&c, &plan).await, before);
    // And it keeps working: a write on the restored copy.
    create_account(&c, "Wingtip", "smb").await;
    assert_eq!(portfolio_total(&c, &[]).await, 4);
}

#[tokio::test]
async fn a_surrealdb_server_exported_live_imports_into_a_new_server() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.surql");
    let old = Surreal::start(&dir.path().join("old")).await;
    let node = Node::start(&old.url(), &[]).await;
    let c = Client::at(&node.base);
    let plan = fill(&c).await;
    let before = snapshot(&c, &plan).await;
    // Exported while the node runs.
    old.cli("export", &file);

    let new = Surreal::start(&dir.path().join("new")).await;
    new.cli("import", &file);
    let moved = Node::start(&new.url(), &[]).await;
    let c = sign_in(&moved.base).await;
    // The node's portfolio index loads at start (a fraction of a second over the network).
    eventually(Duration::from_secs(10), "the restored server serves the same", || async {
        snapshot(&c, &plan).await == before
    })
    .await;
    drop(node);

    // `bellwether restore` is for the embedded store; onto a server it says what to use.
    let third = Surreal::start(&dir.path().join("third")).await;
    let out = bellwether(&third.url(), &["restore"], &file);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("surreal import"));
}
