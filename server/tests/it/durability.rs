//! Acknowledged writes survive a crash: write through the HTTP API to a server on an embedded
//! `surrealkv://` directory, SIGKILL it mid-stride, start it again on the same directory, and
//! find every write whose response came back; and a stop (SIGTERM) closes the store cleanly.

use crate::common::*;
use reqwest::StatusCode;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SETUP_CODE: &str = "DURA-BLE0-SETU-PCOD";

fn start(dir: &std::path::Path, port: u16) -> Child {
    start_logging(dir, port, "warn", Stdio::null())
}

/// The server on `dir`'s database, logging at `rust_log` to `stdout` (where its logs go).
fn start_logging(dir: &std::path::Path, port: u16, rust_log: &str, stdout: Stdio) -> Child {
    Command::new(env!("CARGO_BIN_EXE_bellwether"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("BELLWETHER_DB", format!("surrealkv://{}", dir.join("db").display()))
        .env("RUST_LOG", rust_log)
        .env("BELLWETHER_SETUP_CODE", SETUP_CODE)
        .stdout(stdout)
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start bellwether")
}

async fn wait_healthy(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await {
            if r.status() == StatusCode::OK {
                return;
            }
        }
        assert!(Instant::now() < deadline, "server did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn every_acknowledged_write_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(dir.path(), port);
    wait_healthy(&base).await;

    let c = Client::at(&base);
    c.ok("auth/setup", &setup_form("Ada", SETUP_CODE)).await;

    // Writers keep going while the server is killed; only acknowledged writes are expected back.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let writer = {
        let acknowledged = acknowledged.clone();
        let base = base.clone();
        tokio::spawn(async move {
            let c = Client::at(&base);
            let (status, _) = c.call("auth/login", &ADMIN_LOGIN).await;
            assert_eq!(status, StatusCode::OK);
            for i in 0..400 {
                let name = format!("Durable {i:03}");
                let res = c
                    .http
                    .post(format!("{base}/api/accounts/create"))
                    .form(&account_form(&name, "smb"))
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status() == StatusCode::OK => {
                        acknowledged.lock().unwrap().push(name)
                    }
                    _ => break,
                }
            }
        })
    };
    // Let some writes land, then pull the plug.
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < 25 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill().expect("SIGKILL");
    server.wait().unwrap();
    let _ = writer.await;
    let acked = acknowledged.lock().unwrap().clone();
    assert!(acked.len() >= 25, "only {} writes before the kill", acked.len());

    let mut server = start(dir.path(), port);
    wait_healthy(&base).await;
    let c = Client::at(&base);
    let (status, _) = c.call("auth/login", &ADMIN_LOGIN).await;
    assert_eq!(status, StatusCode::OK, "the admin and their password survived");
    for name in &acked {
        let (status, page) = c.call("accounts/portfolio", &[("filter[q]", name)]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page["rows"].as_array().unwrap().iter().any(|r| r["name"] == name.as_str()),
            "{name} was acknowledged but is gone"
        );
    }
    server.kill().unwrap();
    let _ = server.wait();
}

/// A stop (SIGTERM, as `docker stop` sends) with a page's live stream open: the stream ends, the
/// server exits cleanly and promptly, and it closed its store — the next start replays no
/// write-ahead log, and what was written is there.
#[tokio::test]
async fn a_stop_ends_live_streams_and_closes_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let logged = |name: &str| {
        let log = dir.path().join(name);
        let out = Stdio::from(std::fs::File::create(&log).unwrap());
        let rust_log = "warn,bellwether=info,surrealkv::wal::recovery=info";
        (start_logging(dir.path(), port, rust_log, out), log)
    };
    let (mut server, _) = logged("first.log");
    wait_healthy(&base).await;
    let c = Client::at(&base);
    c.ok("auth/setup", &setup_form("Ada", SETUP_CODE)).await;
    let (status, _) = c.call("auth/login", &ADMIN_LOGIN).await;
    assert_eq!(status, StatusCode::OK);
    for i in 0..20 {
        c.ok("accounts/create", &account_form(&format!("Stopped {i:02}"), "smb")).await;
    }
    let mut stream = c.http.get(format!("{base}/live/dashboard")).send().await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK, "the live stream is open");

    let stopped = Instant::now();
    let term = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(term.success());
    let exit = loop {
        if let Some(exit) = server.try_wait().unwrap() {
            break exit;
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(20),
            "an open live stream held the stop up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(exit.success(), "a stop is a clean exit: {exit:?}");
    // The stream was ended by the server, not cut by the test.
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the live stream ended with the server");

    let (mut server, log) = logged("second.log");
    wait_healthy(&base).await;
    let log = std::fs::read_to_string(log).unwrap();
    assert!(
        log.contains("WAL recovery complete: 0 batches"),
        "the store was closed: nothing to replay at the next start\n{log}"
    );
    let c = Client::at(&base);
    let (status, _) = c.call("auth/login", &ADMIN_LOGIN).await;
    assert_eq!(status, StatusCode::OK);
    let (_, page) = c.call("accounts/portfolio", &[("filter[q]", "Stopped")]).await;
    assert_eq!(page["rows"].as_array().unwrap().len(), 20, "every account is there");
    server.kill().unwrap();
    let _ = server.wait();
}
