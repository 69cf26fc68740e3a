use anyhow::Context;
use bellwether::config::{ApiKeyCommand, Cli, Command, SecretCommand, ServeArgs, UserCommand};
use bellwether::Server;
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,surrealdb=warn,surrealdb_core=warn,surrealdb_core::kvs::tasks=off,surrealkv=warn")),
        )
        .init();
    let cli = Cli::parse();
    ensure_data_dir(&cli.db.db)?;
    if let Some(Command::Secret(SecretCommand::Rotate)) = &cli.command {
        return bellwether::secrets::rotate(&cli.secret, &cli.db.db);
    }
    let (user, pass) = (cli.db.db_user.as_deref(), cli.db.db_pass.as_deref());
    match &cli.command {
        Some(Command::Backup { file }) => {
            app::store::backup::embedded(&cli.db.db).map_err(|e| anyhow::anyhow!("{e}"))?;
            // As it is: a backup changes nothing, not even pending migrations.
            let db = app::store::open(&cli.db.db, user, pass)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            app::store::backup::backup(&db, file).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            app::store::close(db, &cli.db.db, std::time::Duration::from_secs(20)).await;
            eprintln!("backed up {} to {}", cli.db.db, file.display());
            return Ok(());
        }
        Some(Command::Restore { file }) => {
            let db = app::store::backup::restore(&cli.db.db, user, pass, file)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            app::store::close(db, &cli.db.db, std::time::Duration::from_secs(20)).await;
            eprintln!("restored {} into {}", file.display(), cli.db.db);
            return Ok(());
        }
        _ => {}
    }
    let db =
        app::store::connect(&cli.db.db, user, pass).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => {
            let listener = tokio::net::TcpListener::bind(args.bind)
                .await
                .with_context(|| format!("cannot listen on {}", args.bind))?;
            let addr = listener.local_addr()?;
            tracing::info!("Bellwether is listening on http://{addr} (database {})", cli.db.db);
            let mailer = args.mail.mailer()?;
            match &args.mail.smtp_host {
                Some(h) => tracing::info!("survey invitations go out through SMTP at {h}"),
                None => tracing::info!(
                    "no SMTP server set (--smtp-host): survey invitations are written to {}",
                    args.mail.mail_dir
                ),
            }
            let public_url =
                args.mail.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
            let keyring = bellwether::secrets::load(&cli.secret, &cli.db.db, &db).await?;
            let mut server = Server::new(db, &args.site_root, addr, args.secure_cookies)
                .with_public_url(&public_url)
                .with_company(&args.mail.company)
                .with_limits(args.login_rate, args.mail.public_rate, args.api_rate)
                .with_keyring(keyring)
                .with_job_timing(bellwether::jobs::Timing {
                    lease: std::time::Duration::from_secs(args.lease_secs.max(1)),
                    hourly: std::time::Duration::from_secs(args.hourly_secs.max(1)),
                });
            server.state.client_policy = app::limits::ClientAddressPolicy {
                trust_forwarded_for: args.mail.trust_forwarded_for,
                trusted_proxies: args.mail.trusted_proxies,
            };
            anyhow::ensure!(args.session_idle_hours > 0, "--session-idle-hours must be at least 1");
            server.state.session_idle = chrono::Duration::hours(args.session_idle_hours);
            app::service::alerts::set_streaming(
                args.streaming_rules == bellwether::config::OnOff::On,
            );
            server.prepare_setup(args.setup_code.as_deref()).await?;
            let handle = server.state.db.clone();
            server.with_mailer(mailer).serve(listener).await?;
            // Stopped: flush the store (see `Server::serve`) so the next start replays nothing.
            let started = std::time::Instant::now();
            app::store::close(handle, &cli.db.db, std::time::Duration::from_secs(20)).await;
            tracing::info!("database closed in {:.1?}", started.elapsed());
            Ok(())
        }
        Command::Secret(SecretCommand::Rotate)
        | Command::Backup { .. }
        | Command::Restore { .. } => {
            unreachable!("handled before connecting")
        }
        Command::SetupCode => {
            let users = app::store::users::count(&db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            anyhow::ensure!(
                users == 0,
                "Bellwether is already set up; admins add people in Settings, or use `bellwether user create`"
            );
            let code = app::store::setup_codes::new_code();
            app::store::setup_codes::create(&db, &code)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            eprintln!(
                "Open /setup and enter this code (valid {} hours):",
                app::store::setup_codes::SETUP_CODE_HOURS
            );
            println!("{code}");
            Ok(())
        }
        Command::SeedDemo(args) => {
            bellwether::seed::run(&db, args.accounts, args.seed, true, !args.no_history).await?;
            // A bulk load sits in SurrealKV's memtable and write-ahead log; flush it now, or the
            // next start replays it all.
            let started = std::time::Instant::now();
            app::store::close(db, &cli.db.db, std::time::Duration::from_secs(120)).await;
            tracing::info!("database flushed and closed in {:.1?}", started.elapsed());
            Ok(())
        }
        Command::User(UserCommand::Create { email, role, name, password }) => {
            let password = match password {
                Some(p) => p,
                None => rpassword::prompt_password("Password: ")?,
            };
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or("").to_string());
            let input = app::model::NewUserInput { email, name, role, password };
            let valid = input.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
            let hash =
                app::auth::hash_password(&valid.password).map_err(|e| anyhow::anyhow!("{e}"))?;
            let user = app::store::users::create(&db, &valid.email, &valid.name, valid.role, &hash)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("created {} <{}> as {}", user.name, user.email, user.role.label());
            Ok(())
        }
        Command::ApiKey(ApiKeyCommand::Create { name, scopes }) => {
            let valid = app::model::api_key::validate_api_key(&name, &scopes)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let (key, secret) =
                app::store::api_keys::create(&db, &valid.name, &valid.scope_keys(), None)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            eprintln!(
                "created API key “{}” ({}) with scopes {}; it is shown only now:",
                key.name,
                key.prefix,
                key.scopes.join(", ")
            );
            println!("{secret}");
            Ok(())
        }
    }
}

/// SurrealKV wants the parent directory to exist.
fn ensure_data_dir(url: &str) -> anyhow::Result<()> {
    if let Some(dir) = app::store::surrealkv_dir(url) {
        if let Some(parent) = dir.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
        }
    }
    Ok(())
}
