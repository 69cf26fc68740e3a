//! The REST API against its own OpenAPI document: schemathesis (PyPI; `scripts/setup.sh`
//! installs it in `target/schemathesis`) generates requests from `/api/v1/openapi.json` —
//! valid ones and ones the document forbids — and sends them to the live server with a key that
//! has every scope. It must find no server error, no status or body the document does not
//! describe, and no request the document forbids that the server accepted. Bounded: a fixed
//! number of examples per operation, and the run is killed (and the test fails) past a time
//! limit.

use crate::common::*;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

/// Examples per operation, and the whole run's limit: 100 examples of each of 21 operations
/// take about 45 s here.
const EXAMPLES: &str = "100";
const LIMIT: Duration = Duration::from_secs(600);

fn schemathesis() -> PathBuf {
    if let Ok(path) = std::env::var("SCHEMATHESIS") {
        return path.into();
    }
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let path = workspace.join("target/schemathesis/bin/schemathesis");
    assert!(
        path.exists(),
        "schemathesis is not installed at {}: run scripts/setup.sh (or set SCHEMATHESIS)",
        path.display()
    );
    path
}

#[tokio::test]
async fn the_api_keeps_to_its_openapi_document() {
    // A key's per-minute limit would turn most of the run into 429s.
    let app = spawn_app_with(|s| s.with_limits(1_000, 1_000, 1_000_000)).await;
    let admin = admin(&app).await;
    // Accounts for the generated requests to land on (most ids will be unknown: 404s and 422s
    // are part of the contract too).
    let mut accounts = Vec::new();
    for (name, tier) in [("Contract One", "enterprise"), ("Contract Two", "smb")] {
        accounts.push(create_account(&admin, name, tier).await);
    }
    let plan = onboarding_plan(&admin, &accounts[0], "Contract onboarding", &today()).await;
    let scopes: Vec<String> =
        app::model::api_key::ApiScope::ALL.iter().map(|s| s.key().to_string()).collect();
    let key = app::store::api_keys::create(&app.db, "contract", &scopes, None).await.unwrap().1;

    let doc = format!("{}/api/v1/openapi.json", app.base);
    let scratch = tempfile::tempdir().unwrap();
    // Real ids for the paths that name a record, so those operations reach past "404 no such
    // account" (schemathesis reads schemathesis.toml from its working directory).
    std::fs::write(
        scratch.path().join("schemathesis.toml"),
        format!(
            "[[operations]]\ninclude-path-regex = \"^/api/v1/accounts/\\\\{{id\\\\}}\"\n\
             parameters = {{ \"path.id\" = \"{account}\" }}\n\n\
             [[operations]]\ninclude-path = \"/api/v1/plans/{{id}}\"\n\
             parameters = {{ \"path.id\" = \"{plan}\" }}\n",
            account = accounts[0],
        ),
    )
    .unwrap();
    let mut run = tokio::process::Command::new(schemathesis())
        .args(["run", &doc, "--url", &app.base])
        .args(["--header", &format!("Authorization: Bearer {key}")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,\
             response_schema_conformance,negative_data_rejection",
        ])
        .args(["--max-examples", EXAMPLES, "--seed", "17", "--workers", "2"])
        .env("NO_COLOR", "1")
        // Its cache of earlier failures stays out of the source tree, and each run starts
        // without it (the seed alone decides what is sent).
        .current_dir(&scratch)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("schemathesis starts");
    let (mut out, mut err) = (run.stdout.take().unwrap(), run.stderr.take().unwrap());
    let read = tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let (mut o, mut e) = (String::new(), String::new());
        let _ = tokio::join!(out.read_to_string(&mut o), err.read_to_string(&mut e));
        (o, e)
    });
    let status = match tokio::time::timeout(LIMIT, run.wait()).await {
        Ok(status) => status.expect("schemathesis runs"),
        Err(_) => {
            let _ = run.kill().await;
            panic!("schemathesis took longer than {LIMIT:?}");
        }
    };
    let (stdout, stderr) = read.await.unwrap();
    assert!(
        status.success(),
        "schemathesis found the API at odds with its document:\n{stdout}\n{stderr}"
    );
    // It ran every operation (a document it could not read would "pass" with nothing tested).
    let doc: serde_json::Value =
        Client::new(&app).get("/api/v1/openapi.json").await.json().await.unwrap();
    let operations: usize =
        doc["paths"].as_object().unwrap().values().map(|p| p.as_object().unwrap().len()).sum();
    assert!(operations >= 21, "{operations} operations documented");
    assert!(stdout.contains(&format!("Tested: {operations}")), "{stdout}");
}

/// The document and the reference page are public (no key, nothing secret in them), read-only,
/// and the page runs only this origin's scripts.
#[tokio::test]
async fn the_document_and_its_page_are_public_read_only_and_locked_down() {
    let app = spawn_app().await;
    let c = Client::new(&app);
    let res = c.get("/api/v1/openapi.json").await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let doc: serde_json::Value = res.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["components"]["securitySchemes"]["api_key"]["scheme"], "bearer");
    assert!(!doc.to_string().contains("bw_live"), "no key material in the document");

    let page = c.get("/api/docs").await;
    assert_eq!(page.status(), reqwest::StatusCode::OK);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-eval") && !csp.contains("http"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains("/pkg/swagger-ui-bundle.js") && html.contains("/pkg/api-docs.js"));
    assert!(!html.contains("<script>"), "no inline script");

    // Writes to either are refused; a forged path under the document is not another document.
    for path in ["/api/v1/openapi.json", "/api/docs"] {
        let res = c.http.post(format!("{}{path}", app.base)).body("{}").send().await.unwrap();
        assert!(res.status().is_client_error(), "POST {path}: {}", res.status());
    }
    let res = c.get("/api/v1/openapi.json/../../etc/passwd").await;
    assert!(!res.status().is_success(), "{}", res.status());
}
