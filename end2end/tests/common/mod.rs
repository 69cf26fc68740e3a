//! Shared harness: start the real `bellwether` binary on a free port against `mem://`, launch
//! Debian's Chromium through playwright-rs, save screenshots to end2end/screenshots/; seed over
//! HTTP ([`api`]) and take the steps every scenario takes in the browser ([`steps`]).

#![allow(dead_code)]

mod api;
mod steps;
pub use api::*;
pub use steps::*;

use playwright_rs::api::LaunchOptions;
use playwright_rs::protocol::{Browser, Page, Playwright};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The set-up code every test server starts with (`BELLWETHER_SETUP_CODE`).
pub const SETUP_CODE: &str = "E2E0-TEST-SETU-PCOD";

pub type R<T = ()> = Result<T, Box<dyn std::error::Error>>;

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace").to_path_buf()
}

/// A running server; killed when dropped.
pub struct TestServer {
    pub base: String,
    child: Child,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn start_server() -> TestServer {
    start_server_with(&[]).await
}

/// Starts the server with extra command-line arguments (e.g. `--mail-dir`).
pub async fn start_server_with(extra: &[&str]) -> TestServer {
    let bin = std::env::var("BELLWETHER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace().join("target/debug/bellwether"));
    assert!(bin.exists(), "{} is missing: build it first (cargo build -p server)", bin.display());
    // `E2E_SITE`: another built site (the first-load benchmark compares two builds).
    let site = std::env::var("E2E_SITE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace().join("target/site"));
    assert!(
        site.join("pkg/bellwether.wasm").exists(),
        "the site is not built: run scripts/build-site.sh"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(bin)
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--site-root",
            site.to_str().unwrap(),
        ])
        .args(extra)
        .env("BELLWETHER_DB", "mem://")
        .env("BELLWETHER_SETUP_CODE", SETUP_CODE)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start bellwether");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                break;
            }
        }
        assert!(Instant::now() < deadline, "server did not become healthy");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    TestServer { base, child }
}

pub async fn launch() -> R<(Playwright, Browser)> {
    let pw = Playwright::launch().await?;
    let exe = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let browser = pw
        .chromium()
        .launch_with_options(LaunchOptions::new().headless(true).executable_path(exe).args(args))
        .await?;
    Ok((pw, browser))
}

/// Saves a full-page screenshot as end2end/screenshots/NAME.png.
pub async fn shot(page: &Page, name: &str) -> R {
    let dir = workspace().join("end2end/screenshots");
    std::fs::create_dir_all(&dir)?;
    let opts = playwright_rs::protocol::ScreenshotOptions::builder().full_page(true).build();
    page.screenshot_to_file(&dir.join(format!("{name}.png")), Some(opts)).await?;
    Ok(())
}
