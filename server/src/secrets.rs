//! Where the link-signing keyring comes from: `BELLWETHER_SECRET`, `--secret-file`, or a file
//! generated next to the embedded database on first start — never the database, so a leaked
//! backup of it cannot mint survey or shared-plan links. See SECURITY.md for rotation.

use crate::config::SecretArgs;
use anyhow::Context;
use app::survey_token::Keyring;
use std::path::{Path, PathBuf};

/// Where the keyring is kept, when it is a file.
pub enum Source {
    /// Given in `BELLWETHER_SECRET` / `--secret`.
    Given(String),
    /// A file: given with `--secret-file`, or generated next to the embedded database.
    File { path: PathBuf, generate: bool },
    /// A throwaway database (`mem://`): a throwaway key.
    Ephemeral,
}

pub fn source(args: &SecretArgs, db_url: &str) -> anyhow::Result<Source> {
    if let Some(s) = &args.secret {
        return Ok(Source::Given(s.clone()));
    }
    if let Some(p) = &args.secret_file {
        return Ok(Source::File { path: p.clone(), generate: false });
    }
    if let Some(store) = app::store::surrealkv_dir(db_url) {
        let dir = store.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        return Ok(Source::File { path: dir.join("secret"), generate: true });
    }
    if db_url.starts_with("mem://") {
        return Ok(Source::Ephemeral);
    }
    anyhow::bail!(
        "with a SurrealDB server ({db_url}) every node must sign links with the same secret: \
         set BELLWETHER_SECRET or --secret-file on each (see SECURITY.md)"
    )
}

/// The keyring for this node. A generated file is created on first start (mode 0600), taking
/// over as a retired key the secret that older versions kept in the database, which is then
/// removed from it.
pub async fn load(args: &SecretArgs, db_url: &str, db: &app::store::Db) -> anyhow::Result<Keyring> {
    let legacy =
        app::store::settings::take_legacy_secret(db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    match source(args, db_url)? {
        Source::Given(text) => {
            warn_legacy_dropped(legacy.is_some());
            Keyring::parse(&text).map_err(|e| anyhow::anyhow!("BELLWETHER_SECRET: {e}"))
        }
        Source::Ephemeral => Ok(Keyring::random()),
        Source::File { path, generate } => {
            if path.exists() || !generate {
                warn_legacy_dropped(legacy.is_some());
                return read(&path);
            }
            let mut text = Keyring::random().to_text();
            if let Some(old) = legacy {
                let until =
                    chrono::Utc::now() + chrono::Duration::days(app::survey_token::MAX_LINK_DAYS);
                text.push_str(&format!(
                    "{old} until {}\n",
                    until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ));
                tracing::info!(
                    "moved the link-signing secret out of the database into {}",
                    path.display()
                );
            }
            let keyring = Keyring::parse(&text).map_err(|e| anyhow::anyhow!("{e}"))?;
            write(&path, &keyring)?;
            tracing::info!(
                "generated the link-signing secret in {} (keep it out of database backups)",
                path.display()
            );
            Ok(keyring)
        }
    }
}

fn warn_legacy_dropped(had: bool) {
    if had {
        tracing::warn!(
            "removed the link-signing secret older versions kept in the database; survey and \
             shared-plan links sent before this upgrade no longer open (share them again)"
        );
    }
}

pub fn read(path: &Path) -> anyhow::Result<Keyring> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the secret file {}", path.display()))?;
    Keyring::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Writes the keyring readable by its owner only, atomically (a crash leaves the old file).
pub fn write(path: &Path, keyring: &Keyring) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let tmp = path.with_extension("new");
    let text = format!(
        "# Bellwether link-signing keyring: the first key signs; `until` keys only verify.\n{}",
        keyring.to_text()
    );
    {
        use std::io::Write;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// `bellwether secret rotate`: rotates the file in place, or prints the rotated keyring for an
/// operator who keeps it in `BELLWETHER_SECRET`.
pub fn rotate(args: &SecretArgs, db_url: &str) -> anyhow::Result<()> {
    let now = chrono::Utc::now().timestamp();
    match source(args, db_url)? {
        Source::Given(text) => {
            let k = Keyring::parse(&text).map_err(|e| anyhow::anyhow!("BELLWETHER_SECRET: {e}"))?;
            eprintln!("Put this in BELLWETHER_SECRET on every node, then restart them:");
            print!("{}", k.rotated(now).to_text());
            Ok(())
        }
        Source::File { path, .. } => {
            let k = read(&path)?;
            write(&path, &k.rotated(now))?;
            eprintln!(
                "rotated {}: new links are signed with a new secret; links already sent keep \
                 working until they expire. Restart every node (copy the file to each first).",
                path.display()
            );
            Ok(())
        }
        Source::Ephemeral => {
            anyhow::bail!("a mem:// database has a throwaway secret; nothing to rotate")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_file_sits_next_to_the_embedded_database() {
        let args = SecretArgs::default();
        match source(&args, "surrealkv://./data/bellwether.db").unwrap() {
            Source::File { path, generate } => {
                assert_eq!(path, PathBuf::from("./data/secret"));
                assert!(generate);
            }
            _ => panic!("expected a file"),
        }
        assert!(matches!(source(&args, "mem://").unwrap(), Source::Ephemeral));
        let err = source(&args, "ws://127.0.0.1:8000").err().unwrap().to_string();
        assert!(err.contains("BELLWETHER_SECRET"), "{err}");
    }

    #[test]
    fn a_written_keyring_reads_back_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        let k = Keyring::random();
        write(&path, &k).unwrap();
        let back = read(&path).unwrap();
        let t = k.sign("abc", 100);
        assert_eq!(back.verify(&t, 0).unwrap(), "abc");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
