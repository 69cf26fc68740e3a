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
    #[arg(
        long,
        env = "BELLWETHER_DB_PASS",
        global = true,
        hide_env_values = true
    )]
    pub db_pass: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server (the default).
    Serve(ServeArgs),
    /// Fill the database with realistic, deterministic demo data.
    SeedDemo(SeedArgs),
    /// Manage users from scripts.
    #[command(subcommand)]
    User(UserCommand),
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
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:3000".parse().expect("valid"),
            site_root: "target/site".into(),
            secure_cookies: false,
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
