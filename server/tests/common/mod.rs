//! Test support: a fresh database per test on either engine, two seeded
//! organizations, and `spawn_app()` serving the real router on a random port.

#![allow(dead_code)]

use app::domain::ClientRole;
use app::server::{
    auth::password::PasswordHasher,
    clock::Clock,
    entities::{client_account, organization, user},
    mail::MailSettings,
    services::{accounts, organizations, users},
    state::{AppState, FileSettings, SessionSettings},
};
use leptos::config::LeptosOptions;
use migrations::{Migrator, MigratorTrait};
use reqwest::{header, Response};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use server::rate_limit::RateLimitSettings;
use std::sync::{Arc, OnceLock};

pub mod uploads;

/// The two database engines every service test runs on.
#[derive(Debug, Clone, Copy)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A migrated database that lives as long as this value.
pub struct TestDb {
    pub db: DatabaseConnection,
    _dir: Option<tempfile::TempDir>,
}

/// A fresh, migrated database. PostgreSQL needs `TEST_DATABASE_URL` (a server
/// where the user may create databases); `scripts/test.sh` starts one. Its
/// absence is a failure, never a skip.
pub async fn fresh_db(engine: Engine) -> TestDb {
    match engine {
        Engine::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = server::config::sqlite_url(&dir.path().join("test.db"));
            let migrator = app::server::db::connect(&url).await.expect("open SQLite");
            Migrator::up(&migrator, None).await.expect("migrate SQLite");
            migrator.close().await.ok();
            // As `server::open_database` does: serve from a pool opened after
            // the migrations.
            let db = app::server::db::connect(&url).await.expect("open SQLite");
            TestDb {
                db,
                _dir: Some(dir),
            }
        }
        Engine::Postgres => {
            let admin_url = std::env::var("TEST_DATABASE_URL").expect(
                "TEST_DATABASE_URL must name a PostgreSQL server for the PostgreSQL tests (scripts/test.sh starts one)",
            );
            let url = new_postgres_database(&admin_url, "gatehouse_test").await;
            let db = app::server::db::connect(&url)
                .await
                .expect("open test database");
            Migrator::up(&db, None).await.expect("migrate PostgreSQL");
            TestDb { db, _dir: None }
        }
    }
}

/// Creates a database with a fresh name on the PostgreSQL server `admin_url`
/// names (where the user may create databases) and returns its URL.
pub async fn new_postgres_database(admin_url: &str, prefix: &str) -> String {
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    let admin = sea_orm::Database::connect(admin_url)
        .await
        .expect("connect to the PostgreSQL server");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create a database");
    admin.close().await.ok();
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("the PostgreSQL URL has a database name");
    format!("{base}/{name}")
}

/// A site root with stand-ins for the built site's files (and their
/// precompressed variants), so the router serves without a release build.
pub fn test_site() -> (tempfile::TempDir, LeptosOptions) {
    let site = tempfile::tempdir().expect("site dir");
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    std::fs::write(site.path().join("pkg/gatehouse.js"), SITE_JS).unwrap();
    std::fs::write(site.path().join("pkg/gatehouse.js.br"), SITE_JS_BR).unwrap();
    std::fs::write(site.path().join("pkg/gatehouse.js.gz"), SITE_JS_GZ).unwrap();
    let options = LeptosOptions::builder()
        .output_name("gatehouse")
        .site_root(site.path().to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .build();
    (site, options)
}

/// One shared hasher: hashing is the slow part of seeding.
pub fn hasher() -> PasswordHasher {
    static HASHER: OnceLock<PasswordHasher> = OnceLock::new();
    HASHER.get_or_init(|| PasswordHasher::new(4)).clone()
}

/// The password of every seeded user.
pub const PASSWORD: &str = "Seeded-Pass-1!";

/// What `seed` created: two organizations (`alpha`, `bravo`), each with a
/// User Administrator and two client accounts; every account has a user
/// `manager` with the same password.
pub struct Seed {
    pub alpha: organization::Model,
    pub bravo: organization::Model,
    pub alpha_admin: String,
    pub bravo_admin: String,
    pub alpha_one: client_account::Model,
    pub alpha_two: client_account::Model,
    pub bravo_one: client_account::Model,
    pub bravo_two: client_account::Model,
}

async fn seed_org(
    db: &DatabaseConnection,
    slug: &str,
    prefix: &str,
    name: &str,
) -> (organization::Model, String) {
    let created = organizations::create(
        db,
        &hasher(),
        organizations::NewOrganization {
            name: name.into(),
            slug: slug.into(),
            agency_prefix: prefix.into(),
            admin: users::NewStaffUser {
                first_name: "Ada".into(),
                middle_name: "K".into(),
                last_name: format!("{name} Admin"),
                email: None,
                password: PASSWORD.into(),
                must_change_password: false,
            },
        },
        chrono::Utc::now(),
    )
    .await
    .expect("create organization");
    (created.organization, created.admin_username.to_string())
}

async fn seed_account(
    db: &DatabaseConnection,
    org: &organization::Model,
    name: &str,
    phone: &str,
    hash: &str,
) -> client_account::Model {
    let account = accounts::create(
        db,
        org,
        &accounts::NewAccount {
            name: name.into(),
            main_phone: Some(phone.into()),
            address: None,
        },
        None,
        chrono::Utc::now(),
    )
    .await
    .expect("create account");
    users::insert_client(
        db,
        &account,
        &users::NewClientUser {
            username: "manager".into(),
            first_name: "Manny".into(),
            last_name: format!("Of {name}"),
            email: None,
            role: ClientRole::AccountManager,
            must_change_password: false,
        },
        hash.to_string(),
        None,
        chrono::Utc::now(),
    )
    .await
    .expect("create client user");
    account
}

/// A client login of `role` in `account` named `first last`, who may sign
/// in with [`PASSWORD`] straight away.
pub async fn client_login(
    db: &DatabaseConnection,
    account: &client_account::Model,
    username: &str,
    (first, last): (&str, &str),
    role: ClientRole,
) -> user::Model {
    let hash = hasher().hash(PASSWORD.into()).await.unwrap();
    users::insert_client(
        db,
        account,
        &users::NewClientUser {
            username: username.into(),
            first_name: first.into(),
            last_name: last.into(),
            email: None,
            role,
            must_change_password: false,
        },
        hash,
        None,
        chrono::Utc::now(),
    )
    .await
    .expect("create client login")
}

/// Seeds the two organizations. Both have an account whose identifier is
/// `5550001111`, so identifiers are proven to be scoped by organization.
pub async fn seed(db: &DatabaseConnection) -> Seed {
    let hash = hasher().hash(PASSWORD.into()).await.unwrap();
    let (alpha, alpha_admin) = seed_org(db, "alpha", "111", "Alpha Security").await;
    let (bravo, bravo_admin) = seed_org(db, "bravo", "222", "Bravo Brokers").await;
    let alpha_one = seed_account(db, &alpha, "Alpha One", "555-000-1111", &hash).await;
    let alpha_two = seed_account(db, &alpha, "Alpha Two", "555-000-2222", &hash).await;
    let bravo_one = seed_account(db, &bravo, "Bravo One", "555-000-1111", &hash).await;
    let bravo_two = seed_account(db, &bravo, "Bravo Two", "555-000-3333", &hash).await;
    Seed {
        alpha,
        bravo,
        alpha_admin,
        bravo_admin,
        alpha_one,
        alpha_two,
        bravo_one,
        bravo_two,
    }
}

/// Session settings for tests: the production defaults.
pub fn session_settings() -> SessionSettings {
    SessionSettings::default()
}

/// The real router on a random loopback port, over a fresh seeded SQLite DB.
pub struct TestApp {
    /// The app's clock: moves only when a test moves it.
    pub clock: Clock,
    /// The app's mail settings (public URL, dev mailbox).
    pub mail: Arc<MailSettings>,
    pub base: String,
    pub host: String,
    pub db: DatabaseConnection,
    pub seed: Seed,
    pub http: reqwest::Client,
    /// Where uploaded documents are stored.
    pub files_dir: std::path::PathBuf,
    /// The upload limit in bytes.
    pub max_upload_bytes: u64,
    _db: TestDb,
    _site: tempfile::TempDir,
    _files: tempfile::TempDir,
}

/// Bytes standing in for the built site's files and their precompressed
/// variants, so the static-file serving is tested without a release build.
pub const SITE_JS: &[u8] = b"export function hydrate() {}";
pub const SITE_JS_BR: &[u8] = b"(brotli bytes)";
pub const SITE_JS_GZ: &[u8] = b"(gzip bytes)";

/// How a test wants the app set up.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// The per-address limit on sign-in and password links.
    pub rate_limit: RateLimitSettings,
    /// Whether the development mailbox is on.
    pub dev_mailbox: bool,
    /// The database engine.
    pub engine: Engine,
    /// The document upload limit.
    pub max_upload_bytes: u64,
    /// The address links in emails point to (https unless a test says not).
    pub public_url: &'static str,
    /// The storage quota per client account.
    pub account_quota_bytes: Option<u64>,
    /// Uploads per user per minute (`0`: no limit).
    pub uploads_per_minute: u32,
    /// Who may read `/metrics`.
    pub metrics_allow: Vec<std::net::IpAddr>,
    /// Whether the site's file names carry content hashes (`hash-files`).
    pub hashed_assets: bool,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            // High enough for tests that sign in many times; the rate-limit
            // tests set their own.
            rate_limit: RateLimitSettings {
                per_minute: 1000,
                trusted_proxies: Vec::new(),
            },
            dev_mailbox: true,
            engine: Engine::Sqlite,
            max_upload_bytes: FileSettings::DEFAULT_MAX_UPLOAD_BYTES,
            public_url: "https://gatehouse.example.test",
            account_quota_bytes: Some(FileSettings::DEFAULT_ACCOUNT_QUOTA_BYTES),
            // High enough for tests that upload many times; the upload
            // limit's test sets its own.
            uploads_per_minute: 1000,
            metrics_allow: server::observability::loopback(),
            hashed_assets: false,
        }
    }
}

/// Starts the application as `server serve` does, on 127.0.0.1:0.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(AppOptions::default()).await
}

/// Starts the application with `options`.
pub async fn spawn_app_with(options: AppOptions) -> TestApp {
    let test_db = fresh_db(options.engine).await;
    let files = tempfile::tempdir().expect("files dir");
    let files_dir = files.path().join("documents");
    let db = test_db.db.clone();
    let seed = seed(&db).await;
    let (site, mut leptos_options) = test_site();
    leptos_options.hash_files = options.hashed_assets;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let clock = Clock::manual(chrono::Utc::now());
    let mail = Arc::new(MailSettings::new(options.public_url, options.dev_mailbox));
    let state = AppState {
        leptos_options,
        db: db.clone(),
        passwords: hasher(),
        sessions: Arc::new(session_settings()),
        clock: clock.clone(),
        mail: mail.clone(),
        files: Arc::new(FileSettings {
            dir: files_dir.clone(),
            max_upload_bytes: options.max_upload_bytes,
            account_quota_bytes: options.account_quota_bytes,
        }),
    };
    let router = server::router::build(
        state,
        server::router::RouterSettings {
            max_body_bytes: 64 * 1024,
            rate_limit: options.rate_limit,
            uploads_per_minute: options.uploads_per_minute,
            metrics_allow: options.metrics_allow.clone(),
        },
    );
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    TestApp {
        clock,
        mail,
        base: format!("http://{addr}"),
        host: addr.to_string(),
        db,
        seed,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A hung request fails its test by name instead of stalling the run.
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .unwrap(),
        files_dir,
        max_upload_bytes: options.max_upload_bytes,
        _db: test_db,
        _site: site,
        _files: files,
    }
}

/// Runs one async test body on both engines: `both_engines!(name, |db| async move { ... });`
#[macro_export]
macro_rules! both_engines {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = common::fresh_db(common::Engine::Sqlite).await;
                ($body)(t.db.clone()).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let t = common::fresh_db(common::Engine::Postgres).await;
                ($body)(t.db.clone()).await;
            }
        }
    };
}

/// Runs each named `async fn name(engine: Engine)` as two tests,
/// `name::sqlite` and `name::postgres` (the caller imports `Engine`).
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(super::Engine::Sqlite).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name(super::Engine::Postgres).await;
                }
            }
        )*
    };
}

/// A form-encoded body.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes a form value.
pub fn urlencode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl TestApp {
    /// A server-function call as the hydrated app makes it (same origin).
    pub async fn call(&self, endpoint: &str, body: String, cookie: Option<&str>) -> Response {
        let mut req = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, &self.base)
            .header("sec-fetch-site", "same-origin")
            .body(body);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        req.send().await.unwrap()
    }

    /// A page load as a browser makes it.
    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Response {
        let mut req = self
            .http
            .get(format!("{}{path}", self.base))
            .header(header::ACCEPT, "text/html");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        req.send().await.unwrap()
    }

    /// Posts the Admin Portal sign-in.
    pub async fn staff_sign_in(&self, org: &str, username: &str, password: &str) -> Response {
        self.call(
            "staff_sign_in",
            form(&[
                ("organization", org),
                ("username", username),
                ("password", password),
            ]),
            None,
        )
        .await
    }

    /// Signs a seeded staff user in (with the seeded password) and answers
    /// their session cookie.
    pub async fn staff_cookie(&self, org: &str, username: &str) -> String {
        let res = self.staff_sign_in(org, username, PASSWORD).await;
        assert_eq!(
            res.status(),
            reqwest::StatusCode::OK,
            "{org}/{username} signs in"
        );
        session_cookie(&res)
    }

    /// Posts the Client Portal sign-in.
    pub async fn client_sign_in(
        &self,
        org: &str,
        identifier: &str,
        username: &str,
        password: &str,
    ) -> Response {
        self.call(
            "client_sign_in",
            form(&[
                ("organization", org),
                ("identifier", identifier),
                ("username", username),
                ("password", password),
            ]),
            None,
        )
        .await
    }
}

/// The `name=value` of the session cookie a response sets, checking its flags.
pub fn session_cookie(res: &Response) -> String {
    let set = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("__Host-gatehouse_session="))
        .expect("a session cookie is set");
    for flag in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(
            set.split("; ").any(|p| p == flag),
            "{flag} missing in {set}"
        );
    }
    set.split(';').next().unwrap().to_string()
}

/// The `Location` of a redirect ("" when none).
pub fn location(res: &Response) -> &str {
    res.headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

/// A new staff login of `role` in alpha (or bravo), as the actor it signs
/// in as.
pub async fn staff_actor(
    db: &DatabaseConnection,
    org: &Seed,
    bravo: bool,
    role: app::domain::StaffRole,
) -> app::server::auth::Actor {
    let hash = hasher().hash(PASSWORD.into()).await.unwrap();
    let (o, last) = if bravo {
        (&org.bravo, format!("Bravo{}", role.as_str()))
    } else {
        (&org.alpha, format!("Alpha{}", role.as_str()))
    };
    let u = users::insert_staff(
        db,
        o,
        &app::domain::PersonName::parse("Sam", "", &last).unwrap(),
        role,
        None,
        hash,
        false,
        None,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    app::server::auth::Actor::from_user(&u).unwrap()
}

/// The seeded User Administrator of alpha (or bravo), as the actor it signs
/// in as, with its row.
pub async fn seeded_admin(
    db: &DatabaseConnection,
    seed: &Seed,
    bravo: bool,
) -> (app::server::auth::Actor, app::server::entities::user::Model) {
    use app::server::entities::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let (org, username) = if bravo {
        (seed.bravo.id, &seed.bravo_admin)
    } else {
        (seed.alpha.id, &seed.alpha_admin)
    };
    let u = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org))
        .filter(user::Column::Username.eq(username.as_str()))
        .one(db)
        .await
        .unwrap()
        .expect("the seeded administrator");
    (app::server::auth::Actor::from_user(&u).unwrap(), u)
}
