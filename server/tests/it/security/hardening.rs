//! Secrets outside the database (and their rotation), and the headers every answer carries.

use crate::common::*;
use app::survey_token::Keyring;
use reqwest::StatusCode;

/// After a rotation, links the old key signed keep opening until they expire; the old key
/// cannot mint a link that outlives its retirement; the database never holds a key.
#[tokio::test]
async fn a_rotated_secret_keeps_old_links_working_and_the_database_holds_none() {
    let old = Keyring::random();
    let now = chrono::Utc::now().timestamp();
    let rotated = old.rotated(now);
    let app = spawn_app_with(move |s| s.with_keyring(rotated)).await;
    let admin = admin(&app).await;
    let (_, _, url) = super::shared_plan(&admin, "Keyring Co").await;
    let (base, token) = url.rsplit_once('/').unwrap();
    let mut parts = token.split('.');
    let (key, expires) = (parts.next().unwrap(), parts.next().unwrap());
    let expires: i64 = expires.parse().unwrap();
    let http = reqwest::Client::new();
    let status = |t: String| {
        let http = http.clone();
        let u = format!("{base}/{t}");
        async move { http.get(u).send().await.unwrap().status() }
    };
    assert_eq!(status(token.to_string()).await, StatusCode::OK);
    // The same share signed before the rotation (old key, its real expiry): still opens.
    assert_eq!(status(old.sign_share(key, expires)).await, StatusCode::OK);
    // Someone holding the old key mints a longer-lived link: refused.
    let forged = old.sign_share(key, now + 200 * 86_400);
    assert_eq!(status(forged).await, StatusCode::NOT_FOUND);
    // A key we never had: refused.
    assert_eq!(status(Keyring::random().sign_share(key, expires)).await, StatusCode::NOT_FOUND);
    // Nothing in the database can sign.
    let mut r =
        app.db.query("SELECT * FROM setting WHERE record::id(id) = 'secret'").await.unwrap();
    let rows: Vec<surrealdb::types::Value> = r.take(0).unwrap();
    assert!(rows.is_empty(), "a signing secret is stored in the database");
}

/// An install from before secrets left the database: start-up moves its secret into the
/// generated file (as a retired key) and deletes it from the database.
#[tokio::test]
async fn the_old_database_secret_moves_out_into_the_secret_file() {
    let app = spawn_app().await;
    let legacy = app::survey_token::fresh_secret();
    app.db
        .query(format!("CREATE type::record('setting', 'secret') SET data = {{ key: '{legacy}' }}"))
        .await
        .unwrap()
        .check()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("surrealkv://{}/bellwether.db", dir.path().display());
    let args = bellwether::config::SecretArgs::default();
    let keyring = bellwether::secrets::load(&args, &url, &app.db).await.unwrap();
    let file = std::fs::read_to_string(dir.path().join("secret")).unwrap();
    assert!(file.contains(&format!("{legacy} until ")), "{file}");
    // A link the old version signed (HMAC under the hex-decoded secret) still verifies.
    let old_bytes = hex_decode(&legacy);
    let exp = chrono::Utc::now().timestamp() + 86_400;
    let t = app::survey_token::sign(&old_bytes, "0193abc", exp);
    assert_eq!(keyring.verify(&t, chrono::Utc::now().timestamp()).unwrap(), "0193abc");
    assert!(app::store::settings::take_legacy_secret(&app.db).await.unwrap().is_none());
    // Starting again reads the same file.
    let again = bellwether::secrets::load(&args, &url, &app.db).await.unwrap();
    let new_link = keyring.sign("0193abd", exp);
    assert_eq!(again.verify(&new_link, chrono::Utc::now().timestamp()).unwrap(), "0193abd");
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[tokio::test]
async fn public_pages_keep_no_referrer_and_private_answers_are_not_stored() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let http = reqwest::Client::new();
    let res = http.get(format!("{}/s/a/{}", app.base, "c".repeat(32))).send().await.unwrap();
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let res = admin.request("auth/me", &[]).await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["referrer-policy"], "same-origin");
    assert!(res.headers().get("strict-transport-security").is_none());
    let res = admin.get("/login").await;
    assert_eq!(res.headers()["cache-control"], "no-store");
}

/// Behind HTTPS: the cookie is `__Host-` prefixed and Secure, HSTS is sent, and a plain
/// `bw_session` cookie (which a sibling subdomain could plant) is not accepted.
#[tokio::test]
async fn secure_cookies_use_the_host_prefix_and_hsts() {
    let app = spawn_app_with(|mut s| {
        s.state.secure_cookies = true;
        s
    })
    .await;
    let res = Client::new(&app).request("auth/setup", &setup_form("Ada", &app.setup_code)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000");
    let set = res.headers()["set-cookie"].to_str().unwrap().to_string();

    assert!(set.starts_with("__Host-bw_session="), "{set}");
    assert!(set.contains("; Secure") && set.contains("Path=/"), "{set}");
    assert!(!set.to_lowercase().contains("domain"), "{set}");
    let token = super::cookie_token(&res);
    let plain = super::me_with_cookie(&app, &format!("bw_session={token}")).await;
    assert!(plain.is_null(), "an unprefixed cookie is not a session here");
    let prefixed = super::me_with_cookie(&app, &format!("__Host-bw_session={token}")).await;
    assert_eq!(prefixed["email"], "ada@example.com");
}

/// The bundle is served as it was precompressed at build time — brotli to browsers that take
/// it, else gzip, else as is — never compressed again on the way out, and kept by browsers only
/// with revalidation (its names carry no hash). A path that climbs out of the site is refused.
#[tokio::test]
async fn the_bundle_is_served_precompressed_and_revalidated() {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    // Distinct bodies, so the test can tell which file answered.
    std::fs::write(pkg.join("bellwether.wasm"), vec![b'w'; 4096]).unwrap();
    std::fs::write(pkg.join("bellwether.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("bellwether.wasm.gz"), b"gzip bytes").unwrap();
    std::fs::write(pkg.join("plan_route.0123abcd.pack"), b"pack bytes").unwrap();
    let root = site.path().to_str().unwrap().to_string();
    let app = spawn_app_with(move |s| s.with_site_root(&root)).await;
    let http = reqwest::Client::builder().no_gzip().no_brotli().build().unwrap();
    let url = format!("{}/pkg/bellwether.wasm", app.base);
    let fetch = |enc: &'static str| {
        let (http, url) = (http.clone(), url.clone());
        async move { http.get(url).header("accept-encoding", enc).send().await.unwrap() }
    };

    let res = fetch("gzip, deflate, br, zstd").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-encoding"], "br");
    assert_eq!(res.headers()["cache-control"], "no-cache");
    assert_eq!(res.headers()["content-type"], "application/wasm");
    assert!(res.headers()["vary"].to_str().unwrap().to_lowercase().contains("accept-encoding"));
    let modified = res.headers()["last-modified"].clone();
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"brotli bytes");

    let res = fetch("gzip").await;
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"gzip bytes");

    let res = fetch("identity").await;
    assert!(res.headers().get("content-encoding").is_none());
    assert_eq!(res.bytes().await.unwrap().len(), 4096);

    // A returning browser revalidates and downloads nothing.
    let res = http
        .get(&url)
        .header("accept-encoding", "br")
        .header("if-modified-since", modified)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);

    // A route's pack is named after its content: cached for good, never revalidated.
    let res = http.get(format!("{}/pkg/plan_route.0123abcd.pack", app.base)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"pack bytes");

    // Hostile paths: out of the site, or at the precompressed twin of something absent. A
    // missing pack is not cached (a later build may add it).
    for path in [
        "/pkg/../../etc/passwd",
        "/pkg/%2e%2e/%2e%2e/etc/passwd",
        "/pkg/missing.wasm",
        "/pkg/missing.0123abcd.pack",
        "/pkg/../../etc/passwd.pack",
    ] {
        let res = http.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_ne!(res.status(), 200, "{path}");
        assert_ne!(res.headers()["cache-control"], "public, max-age=31536000, immutable", "{path}");
    }
}
