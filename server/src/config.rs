//! Command line and environment. Every flag is also an environment variable.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;

#[derive(Parser, Debug)]
#[command(
    name = "bellwether",
    version,
    about = "Bellwether: the open-source customer success platform"
)]
pub struct Cli {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub secret: SecretArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// Database: surrealkv://DIR (embedded, default), mem:// (throwaway), ws://HOST:PORT or
    /// wss://HOST:PORT (a SurrealDB server).
    #[arg(
        long,
        env = "BELLWETHER_DB",
        default_value = "surrealkv://./data/bellwether.db",
        global = true
    )]
    pub db: String,
    /// Root user for a SurrealDB server.
    #[arg(long, env = "BELLWETHER_DB_USER", global = true)]
    pub db_user: Option<String>,
    /// Root password for a SurrealDB server.
    #[arg(long, env = "BELLWETHER_DB_PASS", global = true, hide_env_values = true)]
    pub db_pass: Option<String>,
}

/// Where the keys that sign survey and shared-plan links come from (never the database).
#[derive(Args, Debug, Clone, Default)]
pub struct SecretArgs {
    /// The link-signing keyring itself: one secret (at least 32 characters), or several lines —
    /// the current secret first, then retired ones as `SECRET until RFC3339-TIME`.
    #[arg(long, env = "BELLWETHER_SECRET", global = true, hide_env_values = true)]
    pub secret: Option<String>,
    /// A file holding the keyring (same format). Without this or --secret, a file `secret` is
    /// generated next to an embedded database (surrealkv://) on first start; a SurrealDB server
    /// needs one of the two, the same on every node.
    #[arg(long, env = "BELLWETHER_SECRET_FILE", global = true)]
    pub secret_file: Option<std::path::PathBuf>,
}

// Parsed once at start: the size of the `serve` variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server (the default).
    Serve(ServeArgs),
    /// Fill the database with realistic, deterministic demo data.
    SeedDemo(SeedArgs),
    /// Manage users from scripts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage REST API keys from scripts.
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
    /// Print a new one-time code for creating the first admin at /setup (valid 24 hours).
    SetupCode,
    /// Write the whole database to a SurrealQL file (the `surreal export` format). Stop the
    /// server first when the database is embedded; back a SurrealDB server up with
    /// `surreal export` while it runs (deploy/README.md).
    Backup {
        /// Where to write the backup.
        file: std::path::PathBuf,
    },
    /// Load a backup into a new, empty database (`--db`), then apply newer migrations.
    Restore {
        /// The backup to load.
        file: std::path::PathBuf,
    },
    /// Manage the link-signing secret.
    #[command(subcommand)]
    Secret(SecretCommand),
}

#[derive(Subcommand, Debug)]
pub enum SecretCommand {
    /// Make a new current secret; the old one keeps verifying the links it signed until they
    /// expire (90 days at most), then is dropped. Restart every node afterwards.
    Rotate,
}

#[derive(Subcommand, Debug)]
pub enum ApiKeyCommand {
    /// Create a key and print it (once: only its hash is stored).
    Create {
        /// What the key is for, e.g. "Product analytics".
        #[arg(long)]
        name: String,
        /// Comma-separated: events:write, health:read, alerts:read, alerts:write, messages:write,
        /// settings:write, escalations:read, escalations:write, incidents:write, accounts:write,
        /// revenue:write, surveys:write, metrics:read.
        #[arg(long, value_delimiter = ',')]
        scopes: Vec<String>,
    },
}

/// A switch given as `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "BELLWETHER_BIND", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,
    /// Directory holding the built site (pkg/ with the WASM, JS and CSS).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Mark session cookies Secure. Turn on whenever users reach Bellwether over HTTPS.
    #[arg(long, env = "BELLWETHER_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Sign-in attempts one client address may make per minute (whatever the email; each
    /// address and email pair is also held to 10).
    #[arg(long, env = "BELLWETHER_LOGIN_RATE", default_value_t = app::limits::SIGN_IN_PER_ADDRESS)]
    pub login_rate: u32,
    /// REST API requests one key may make per minute.
    #[arg(long, env = "BELLWETHER_API_RATE", default_value_t = app::limits::API_REQUESTS_PER_MINUTE)]
    pub api_rate: u32,
    /// A session unused for this many hours ends.
    #[arg(long, env = "BELLWETHER_SESSION_IDLE_HOURS", default_value_t = app::state::SESSION_IDLE_HOURS)]
    pub session_idle_hours: i64,
    /// Run the early-warning rules after every streaming re-score (`on`), or only in the
    /// hourly pass (`off`, for extreme ingest loads).
    #[arg(long, env = "BELLWETHER_STREAMING_RULES", value_enum, default_value_t = OnOff::On)]
    pub streaming_rules: OnOff,
    /// The one-time code that lets the first admin be created at /setup (for scripted
    /// installs; at least 12 letters or digits). Without it a fresh code is printed to the log.
    #[arg(long, env = "BELLWETHER_SETUP_CODE", hide_env_values = true)]
    pub setup_code: Option<String>,
    #[command(flatten)]
    pub mail: MailArgs,
    /// Seconds a node's claim on shared work (the hourly pass, a batch of invitations) lasts
    /// before another node may take it over if the first stopped renewing it.
    #[arg(long, env = "BELLWETHER_LEASE_SECS", default_value_t = 120, hide = true)]
    pub lease_secs: u64,
    /// Seconds between hourly passes (tests shorten it).
    #[arg(long, env = "BELLWETHER_HOURLY_SECS", default_value_t = 3600, hide = true)]
    pub hourly_secs: u64,
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:3000".parse().expect("valid"),
            site_root: "target/site".into(),
            secure_cookies: false,
            login_rate: app::limits::SIGN_IN_PER_ADDRESS,
            api_rate: app::limits::API_REQUESTS_PER_MINUTE,
            session_idle_hours: app::state::SESSION_IDLE_HOURS,
            streaming_rules: OnOff::On,
            setup_code: None,
            mail: MailArgs::default(),
            lease_secs: 120,
            hourly_secs: 3600,
        }
    }
}

/// Outgoing mail and the public survey pages.
#[derive(Args, Debug, Clone)]
pub struct MailArgs {
    /// The address customers reach this server at; survey links in emails start with it.
    /// Defaults to http://<bind>.
    #[arg(long, env = "BELLWETHER_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// SMTP server for survey invitations. Without it, mail is written to --mail-dir.
    #[arg(long, env = "BELLWETHER_SMTP_HOST")]
    pub smtp_host: Option<String>,
    #[arg(long, env = "BELLWETHER_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,
    /// none, starttls (port 587) or tls (port 465).
    #[arg(long, env = "BELLWETHER_SMTP_TLS", value_enum, default_value = "starttls")]
    pub smtp_tls: crate::mail::SmtpTls,
    #[arg(long, env = "BELLWETHER_SMTP_USER")]
    pub smtp_user: Option<String>,
    #[arg(long, env = "BELLWETHER_SMTP_PASS", hide_env_values = true)]
    pub smtp_pass: Option<String>,
    /// Sender of survey invitations.
    #[arg(
        long,
        env = "BELLWETHER_MAIL_FROM",
        default_value = "Customer Success <success@localhost>"
    )]
    pub mail_from: String,
    /// Write each email as an .eml file here instead of sending it (development).
    #[arg(long, env = "BELLWETHER_MAIL_DIR", default_value = "data/mail")]
    pub mail_dir: String,
    /// The company customers see in emails and on survey pages.
    #[arg(long, env = "BELLWETHER_COMPANY", default_value = "Customer Success")]
    pub company: String,
    /// Requests per minute one IP address may make to the public survey pages.
    #[arg(long, env = "BELLWETHER_PUBLIC_RATE", default_value_t = app::limits::PUBLIC_REQUESTS_PER_MINUTE)]
    pub public_rate: u32,
    /// Behind a reverse proxy that appends the client's address to X-Forwarded-For: limit per
    /// client address, not per proxy. Never set it without such a proxy in front.
    #[arg(long, env = "BELLWETHER_TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,
    /// How many proxies in front append to X-Forwarded-For: the client address is taken that
    /// many entries from the right (entries further left are written by the client).
    #[arg(long, env = "BELLWETHER_TRUSTED_PROXIES", default_value_t = 1)]
    pub trusted_proxies: usize,
}

impl Default for MailArgs {
    fn default() -> Self {
        Self {
            public_url: None,
            smtp_host: None,
            smtp_port: 587,
            smtp_tls: crate::mail::SmtpTls::Starttls,
            smtp_user: None,
            smtp_pass: None,
            mail_from: "Customer Success <success@localhost>".into(),
            mail_dir: "data/mail".into(),
            company: "Customer Success".into(),
            public_rate: app::limits::PUBLIC_REQUESTS_PER_MINUTE,
            trust_forwarded_for: false,
            trusted_proxies: 1,
        }
    }
}

impl MailArgs {
    pub fn mailer(&self) -> anyhow::Result<crate::mail::Mailer> {
        let from = self
            .mail_from
            .parse()
            .map_err(|e| anyhow::anyhow!("--mail-from {:?}: {e}", self.mail_from))?;
        match &self.smtp_host {
            Some(host) => crate::mail::Mailer::smtp(
                host,
                self.smtp_port,
                self.smtp_tls,
                self.smtp_user.clone().zip(self.smtp_pass.clone()),
                from,
                &self.company,
            ),
            None => {
                crate::mail::Mailer::dir(std::path::Path::new(&self.mail_dir), from, &self.company)
            }
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct SeedArgs {
    /// How many accounts to create.
    #[arg(long, default_value_t = 500)]
    pub accounts: usize,
    /// Random seed: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Accounts, contacts, team, survey answers and ARR movements only: no plans, touchpoints,
    /// product usage, health history or escalations. The year of daily usage is most of a large
    /// seed (100 000 accounts: tens of millions of rows); benchmarks of the portfolio and of
    /// start-up do without it.
    #[arg(long)]
    pub no_history: bool,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user.
    Create {
        #[arg(long)]
        email: String,
        /// admin, csm or exec.
        #[arg(long)]
        role: String,
        /// Display name (defaults to the part of the email before @).
        #[arg(long)]
        name: Option<String>,
        /// Password; prompted for when omitted.
        #[arg(long, env = "BELLWETHER_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}
