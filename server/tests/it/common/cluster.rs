//! Real processes for the multi-node tests: the SurrealDB server built from the crates registry
//! (`tools/surreal-server`, the `surreal` binary next to ours) and Bellwether nodes on it, each
//! a `bellwether serve` process that can be SIGKILLed and started again.

use reqwest::StatusCode;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SETUP_CODE: &str = "NODE-SHAR-EDSE-TUPC";
/// The link-signing secret every node shares (a cluster needs one; see `--secret`).
pub const SECRET: &str = "multi-node-test-secret-0123456789abcdef";

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The `surreal` binary built next to `bellwether` (`cargo build -p surreal-server`).
pub fn surreal_bin() -> PathBuf {
    let p = Path::new(env!("CARGO_BIN_EXE_bellwether")).with_file_name("surreal");
    assert!(
        p.exists(),
        "{} is missing: build the SurrealDB server with `cargo build -p surreal-server` (scripts/test.sh does)",
        p.display()
    );
    p
}

/// A SurrealDB server on a loopback port, storing in a directory (SurrealKV), with a root user.
pub struct Surreal {
    pub port: u16,
    child: Child,
}

impl Surreal {
    pub async fn start(dir: &Path) -> Self {
        let port = free_port();
        let child = Command::new(surreal_bin())
            .args(["start", "--no-banner", "--log", "warn", "--bind"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["--user", "root", "--pass", "root"])
            .arg(format!("surrealkv://{}", dir.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start surreal");
        wait_ok(&format!("http://127.0.0.1:{port}/health")).await;
        Self { port, child }
    }

    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A direct connection, as root, to Bellwether's database (for checks the API does not show).
    pub async fn connect(&self) -> app::store::Db {
        app::store::connect(&self.url(), Some("root"), Some("root")).await.expect("connect")
    }

    /// Runs the `surreal` command line against this server (`export`, `import` …).
    pub fn cli(&self, command: &str, file: &Path) {
        let status = Command::new(surreal_bin())
            .arg(command)
            .args(["--endpoint", &self.endpoint(), "--user", "root", "--pass", "root"])
            .args(["--ns", app::store::NAMESPACE, "--db", app::store::DATABASE])
            .arg(file)
            .status()
            .expect("run surreal");
        assert!(status.success(), "surreal {command} failed");
    }
}

impl Drop for Surreal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One Bellwether node (`bellwether serve`) on `db`.
pub struct Node {
    pub base: String,
    port: u16,
    env: Vec<(String, String)>,
    child: Option<Child>,
}

impl Node {
    /// Starts a node on the database at `db` (with root credentials when it is a server), with
    /// extra environment `env` (SMTP, lease and pass timings), and waits until it answers.
    pub async fn start(db: &str, env: &[(&str, String)]) -> Self {
        let port = free_port();
        let mut all: Vec<(String, String)> = vec![
            ("BELLWETHER_DB".into(), db.into()),
            ("BELLWETHER_SECRET".into(), SECRET.into()),
            ("BELLWETHER_SETUP_CODE".into(), SETUP_CODE.into()),
            ("RUST_LOG".into(), "warn".into()),
        ];
        if db.starts_with("ws://") {
            all.push(("BELLWETHER_DB_USER".into(), "root".into()));
            all.push(("BELLWETHER_DB_PASS".into(), "root".into()));
        }
        all.extend(env.iter().map(|(k, v)| (k.to_string(), v.clone())));
        let mut node =
            Self { base: format!("http://127.0.0.1:{port}"), port, env: all, child: None };
        node.restart().await;
        node
    }

    /// Starts the process again (after [`Node::kill`]) on the same port and database.
    pub async fn restart(&mut self) {
        let child = Command::new(env!("CARGO_BIN_EXE_bellwether"))
            .args(["serve", "--bind", &format!("127.0.0.1:{}", self.port)])
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start bellwether");
        self.child = Some(child);
        wait_ok(&format!("{}/healthz", self.base)).await;
    }

    /// SIGKILL: no clean-up, leases left held, a mail possibly half sent.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().expect("SIGKILL");
            let _ = c.wait();
        }
    }

    /// SIGTERM, and waits for the process to exit (it closes its store).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").args(["-TERM", &c.id().to_string()]).status();
            let deadline = Instant::now() + Duration::from_secs(30);
            while c.try_wait().unwrap().is_none() {
                assert!(Instant::now() < deadline, "the node did not stop");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Waits (up to 60 s) until `url` answers 200.
pub async fn wait_ok(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = reqwest::get(url).await {
            if r.status() == StatusCode::OK {
                return;
            }
        }
        assert!(Instant::now() < deadline, "{url} did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits (up to `within`) until `check` answers `true`; panics with `what` otherwise.
pub async fn eventually<F: std::future::Future<Output = bool>>(
    within: Duration, what: &str, mut check: impl FnMut() -> F,
) {
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "not within {within:?}: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
