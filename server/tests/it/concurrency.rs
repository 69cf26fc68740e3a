//! Concurrent writers on one account, against the real storage engine (`surrealkv://`, whose
//! transactions are optimistic: a write that collides with another is refused and must be run
//! again). Every store write goes through one path that retries those conflicts, so eight
//! people editing the same account at once see no server error and lose no edit.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

const TASKS: usize = 8;
const EDITS: usize = 50;

/// Fails the test on any server error; returns the body of a success.
fn ok(what: &str, (status, body): (StatusCode, Value)) -> Value {
    assert!(!status.is_server_error(), "{what}: server error {status}: {body}");
    assert_eq!(status, StatusCode::OK, "{what}: {body}");
    body
}

async fn new_csm(admin: &Client, name: &str) -> String {
    let email = format!("{name}@example.com");
    let body = ok(
        "create user",
        admin
            .call(
                "users/create",
                &[
                    ("input[email]", &email),
                    ("input[name]", name),
                    ("input[role]", "csm"),
                    ("input[password]", "a long password"),
                ],
            )
            .await,
    );
    body["id"].as_str().unwrap().to_string()
}

/// What a contact task leaves behind: email → title.
type Contacts = BTreeMap<String, String>;

/// Adds two contacts, retitles the first and removes the second, over and over.
async fn contact_edits(c: Arc<Client>, account: String, task: usize) -> Contacts {
    let mut expected = Contacts::new();
    let mut ids: BTreeMap<usize, String> = BTreeMap::new();
    for i in 0..EDITS {
        let email = |i: usize| format!("t{task}-c{i}@example.com");
        match i % 4 {
            0 | 1 => {
                let name = format!("Contact {task}-{i}");
                let body = ok(
                    "add contact",
                    c.call(
                        "accounts/contacts/add",
                        &[
                            ("account_id", &account),
                            ("input[name]", &name),
                            ("input[email]", &email(i)),
                            ("input[title]", "new"),
                        ],
                    )
                    .await,
                );
                ids.insert(i, body["id"].as_str().unwrap().to_string());
                expected.insert(email(i), "new".into());
            }
            2 => {
                let title = format!("edit {i}");
                let name = format!("Contact {task}-{}", i - 2);
                ok(
                    "update contact",
                    c.call(
                        "accounts/contacts/update",
                        &[
                            ("account_id", &account),
                            ("contact_id", &ids[&(i - 2)]),
                            ("input[name]", &name),
                            ("input[email]", &email(i - 2)),
                            ("input[title]", &title),
                        ],
                    )
                    .await,
                );
                expected.insert(email(i - 2), title);
            }
            _ => {
                ok(
                    "remove contact",
                    c.call(
                        "accounts/contacts/remove",
                        &[("account_id", &account), ("contact_id", &ids[&(i - 2)])],
                    )
                    .await,
                );
                expected.remove(&email(i - 2));
            }
        }
    }
    expected
}

const ROLES: [&str; 3] = ["account_manager", "technical_support", "sme"];

/// Puts its own user on the team in one role and takes them off again, over and over (the
/// last two adds stay). Returns the (user, role) pairs it leaves.
async fn team_edits(c: Arc<Client>, account: String, user: String) -> Vec<(String, String)> {
    let mut on = Vec::new();
    for i in 0..EDITS {
        let last = i == EDITS - 1;
        // The last edit adds instead of removing, in the next role.
        let role = ROLES[(i / 2 + usize::from(last)) % ROLES.len()];
        if i % 2 == 0 || last {
            ok(
                "add team member",
                c.call(
                    "accounts/team/add",
                    &[("account_id", &account), ("user_id", &user), ("role", role)],
                )
                .await,
            );
            on.push((user.clone(), role.to_string()));
        } else {
            let detail = ok("get account", c.call("accounts/get", &[("id", &account)]).await);
            let member = detail["team"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["user_id"] == user.as_str() && m["role"] == role)
                .unwrap_or_else(|| panic!("{user} is on the team as {role}: {detail}"))
                .clone();
            ok(
                "remove team member",
                c.call(
                    "accounts/team/remove",
                    &[("account_id", &account), ("member_id", member["id"].as_str().unwrap())],
                )
                .await,
            );
            on.pop();
        }
    }
    on
}

/// Saves the account again and again with a new ARR, handing it between no owner and its own
/// CSM (who joins the team as CSM in the same transaction). Returns the last ARR and owner.
async fn account_edits(
    c: Arc<Client>, account: String, name: String, owner: String,
) -> (i64, Option<String>) {
    let mut last = (0, None);
    for i in 0..EDITS {
        let arr = format!("{}", 1000 + i);
        let who = if i % 2 == 0 { owner.as_str() } else { "" };
        let mut form = account_form(&name, "enterprise");
        form.retain(|(k, _)| *k != "input[arr]" && *k != "input[owner_id]");
        form.push(("input[arr]", &arr));
        form.push(("input[owner_id]", who));
        form.push(("id", &account));
        let body = ok("update account", c.call("accounts/update", &form).await);
        assert_eq!(body["arr_minor"], (1000 + i as i64) * 100, "{body}");
        last = ((1000 + i as i64) * 100, (!who.is_empty()).then(|| who.to_string()));
    }
    last
}

/// What the writers left, by their own account.
struct Expected {
    contacts: Contacts,
    team: Vec<(String, String)>,
    /// Each account writer's last (ARR, owner): the account must show one of them.
    last_saves: Vec<(i64, Option<String>)>,
}

/// Half the writers edit contacts, a quarter the team, a quarter the account itself, all at
/// once, each with its own CSM.
async fn run_writers(admin: &Arc<Client>, account: &str, name: &str, users: &[String]) -> Expected {
    let mut contact_tasks = Vec::new();
    let mut team_tasks = Vec::new();
    let mut account_tasks = Vec::new();
    for (t, user) in users.iter().enumerate() {
        let (c, a, u) = (admin.clone(), account.to_string(), user.clone());
        match t {
            0..=3 => contact_tasks.push(tokio::spawn(contact_edits(c, a, t))),
            4 | 5 => team_tasks.push(tokio::spawn(team_edits(c, a, u))),
            _ => account_tasks.push(tokio::spawn(account_edits(c, a, name.to_string(), u))),
        }
    }
    let mut expected =
        Expected { contacts: Contacts::new(), team: Vec::new(), last_saves: Vec::new() };
    for t in contact_tasks {
        expected.contacts.extend(t.await.expect("contact writer"));
    }
    for t in team_tasks {
        expected.team.extend(t.await.expect("team writer"));
    }
    for (t, user) in account_tasks.into_iter().zip(&users[6..]) {
        expected.last_saves.push(t.await.expect("account writer"));
        // Each account writer's CSM joined the team as CSM once, and stays.
        expected.team.push((user.clone(), "csm".into()));
    }
    expected.team.sort();
    expected
}

fn assert_account_is(detail: &Value, name: &str, expected: &Expected) {
    let found: Contacts = detail["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let title = c["title"].as_str().unwrap_or_default().to_string();
            (c["email"].as_str().unwrap().to_string(), title)
        })
        .collect();
    assert_eq!(
        found, expected.contacts,
        "every contact added and not removed, with its last title"
    );
    let a = &detail["account"];
    let now = (a["arr_minor"].as_i64().unwrap(), a["owner_id"].as_str().map(String::from));
    assert!(
        expected.last_saves.contains(&now),
        "the account is one writer's last save: {now:?} in {:?}",
        expected.last_saves
    );
    assert_eq!(a["name"], name);
    let mut team: Vec<(String, String)> = detail["team"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (m["user_id"].as_str().unwrap().to_string(), m["role"].as_str().unwrap().to_string())
        })
        .collect();
    team.sort();
    assert_eq!(team, expected.team, "the team as last set");
}

/// Many people adding the same contact at once: one wins, the others are told why (the check
/// inside the transaction, after the loser's conflict is retried), and nobody sees a 500.
async fn race_for_one_email(admin: &Arc<Client>, account: &str) {
    let mut racers = Vec::new();
    for _ in 0..TASKS {
        let (c, a) = (admin.clone(), account.to_string());
        racers.push(tokio::spawn(async move {
            c.call(
                "accounts/contacts/add",
                &[
                    ("account_id", &a),
                    ("input[name]", "Same"),
                    ("input[email]", "same@example.com"),
                ],
            )
            .await
        }));
    }
    let mut wins = 0;
    for r in racers {
        let (status, body) = r.await.unwrap();
        assert!(!status.is_server_error(), "duplicate contact race: {status}: {body}");
        if status == StatusCode::OK {
            wins += 1;
        } else {
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert!(
                field_error(&body, "email").unwrap().contains("already has a contact"),
                "{body}"
            );
        }
    }
    assert_eq!(wins, 1, "exactly one of the racing adds wins");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_writers_on_one_account_get_no_server_error_and_lose_no_edit() {
    let started = std::time::Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("surrealkv://{}", dir.path().join("db").display());
    let app = spawn_app_on(&url, |s| s).await;
    let admin = admin(&app).await;
    let name = "Concurrent Corp";
    let created = admin.call("accounts/create", &account_form(name, "enterprise")).await;
    let account = ok("create account", created)["id"].as_str().unwrap().to_string();
    let mut users = Vec::new();
    for t in 0..TASKS {
        users.push(new_csm(&admin, &format!("csm{t}")).await);
    }
    let admin = Arc::new(admin);

    let expected = run_writers(&admin, &account, name, &users).await;
    let detail = ok("get account", admin.call("accounts/get", &[("id", &account)]).await);
    assert_account_is(&detail, name, &expected);

    race_for_one_email(&admin, &account).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(45), "took {:?}", started.elapsed());
}
