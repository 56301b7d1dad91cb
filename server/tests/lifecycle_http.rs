//! HTTP tests of the account lifecycle against the real router: the forced
//! password change gate, reset links (GET shows, POST consumes), identical
//! answers for known and unknown addresses, links built from the public URL,
//! the idle timeout on the app's clock, the per-address rate limit, the
//! audit page and the development mailbox.

mod common;

use app::{
    domain::{PersonName, StaffRole},
    error::AppError,
    server::{
        entities::{outbox_message, user},
        services::users,
    },
};
use chrono::Duration;
use common::{
    form, location, session_cookie, spawn_app, spawn_app_with, AppOptions, TestApp, PASSWORD,
};
use reqwest::{header, StatusCode};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use server::rate_limit::RateLimitSettings;

async fn add_staff(app: &TestApp, last: &str, must_change: bool) -> user::Model {
    let hash = common::hasher().hash(PASSWORD.into()).await.unwrap();
    users::insert_staff(
        &app.db,
        &app.seed.alpha,
        &PersonName::parse("Nia", "", last).unwrap(),
        StaffRole::Staff,
        Some(&format!("{}@alpha.example", last.to_lowercase())),
        hash,
        must_change,
        None,
        chrono::Utc::now(),
    )
    .await
    .unwrap()
}

/// The outbox once it holds `n` emails. The forgot endpoints answer first and
/// queue in the background, so tests wait for the row (at most 10 s).
async fn emails_once(app: &TestApp, n: usize) -> Vec<outbox_message::Model> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let rows = outbox_message::Entity::find()
            .order_by_asc(outbox_message::Column::Id)
            .all(&app.db)
            .await
            .unwrap();
        if rows.len() >= n || std::time::Instant::now() > deadline {
            return rows;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn last_email(app: &TestApp) -> Option<outbox_message::Model> {
    emails_once(app, 1).await.pop()
}

fn token_in(body: &str) -> String {
    let at = body.find("token=").expect("a link") + "token=".len();
    body[at..at + 64].to_string()
}

#[tokio::test]
async fn with_an_initial_password_only_the_password_change_works() {
    let app = spawn_app().await;
    let newbie = add_staff(&app, "Newcomer", true).await;
    let res = app.staff_sign_in("alpha", &newbie.username, PASSWORD).await;
    assert_eq!(location(&res), "/account/password");
    let cookie = session_cookie(&res);

    // Every other page and server function refuses.
    let page = app.get("/admin", Some(&cookie)).await;
    assert_eq!(page.status(), StatusCode::FOUND);
    assert_eq!(location(&page), "/account/password");
    for endpoint in ["staff_home", "audit_log", "dev_mailbox"] {
        let res = app.call(endpoint, String::new(), Some(&cookie)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{endpoint}");
        let err: AppError = serde_json::from_str(&res.text().await.unwrap()).unwrap();
        assert_eq!(err, AppError::PasswordChangeRequired);
    }
    // The change page works and shows the rules.
    let page = app.get("/account/password", Some(&cookie)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Choose your own password"));
    assert!(html.contains("At least 8 characters"));

    // A weak password: one message per broken rule, nothing changes.
    let res = app
        .call(
            "change_password",
            form(&[
                ("current_password", PASSWORD),
                ("new_password", "weak"),
                ("confirm_password", "weak"),
            ]),
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: AppError = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    let message = err
        .field_message("new_password")
        .expect("next to the new password");
    assert_eq!(message.lines().count(), 4, "{message}");

    let res = app
        .call(
            "change_password",
            form(&[
                ("current_password", PASSWORD),
                ("new_password", "Harbour-Light-7"),
                ("confirm_password", "Harbour-Light-7"),
            ]),
            Some(&cookie),
        )
        .await;
    assert_eq!(location(&res), "/admin");
    // The session rotates: the browser gets a new id, the old one is refused.
    let rotated = session_cookie(&res);
    assert_ne!(rotated, cookie);
    assert_eq!(
        app.call("staff_home", String::new(), Some(&rotated))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.call("staff_home", String::new(), Some(&cookie))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_reset_link_shows_its_form_on_get_and_only_the_post_uses_it_up() {
    let app = spawn_app().await;
    let nia = add_staff(&app, "Resetter", false).await;
    // Links come from the configured public URL, whatever Host says.
    let res = app
        .http
        .post(format!("{}/api/forgot_staff_password", app.base))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "evil.example")
        .body(form(&[
            ("organization", "alpha"),
            ("email", "resetter@alpha.example"),
        ]))
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    let email = last_email(&app).await.expect("queued");
    assert!(email
        .body
        .contains("https://gatehouse.example.test/password/reset?token="));
    assert!(!email.body.contains("evil.example"));
    let token = token_in(&email.body);

    for _ in 0..2 {
        let page = app
            .get(&format!("/password/reset?token={token}"), None)
            .await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("Choose a new password"), "GET shows the form");
        assert!(html.contains(&nia.username));
    }
    let set = |pw: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            app.call(
                "set_password_from_link",
                form(&[
                    ("token", &token),
                    ("new_password", pw),
                    ("confirm_password", pw),
                ]),
                None,
            )
            .await
        }
    };
    let res = set("Harbour-Light-7").await;
    assert_eq!(location(&res), "/admin/sign-in?org=alpha&password=set");
    let again = set("Harbour-Light-8").await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let page = app
        .get(&format!("/password/reset?token={token}"), None)
        .await;
    assert!(page.text().await.unwrap().contains("This link can"));
    assert_eq!(
        location(
            &app.staff_sign_in("alpha", &nia.username, "Harbour-Light-7")
                .await
        ),
        "/admin"
    );
}

#[tokio::test]
async fn forgot_answers_the_same_for_known_and_unknown_addresses() {
    let app = spawn_app().await;
    add_staff(&app, "Known", false).await;
    let ask = |email: &'static str| {
        let app = &app;
        async move {
            app.call(
                "forgot_staff_password",
                form(&[("organization", "alpha"), ("email", email)]),
                None,
            )
            .await
        }
    };
    let known = ask("known@alpha.example").await;
    let unknown = ask("nobody@alpha.example").await;
    assert_eq!(known.status(), unknown.status());
    assert_eq!(location(&known), location(&unknown));
    assert_eq!(location(&known), "/admin/forgot-password?sent=1");
    assert_eq!(known.text().await.unwrap(), unknown.text().await.unwrap());
    assert_eq!(emails_once(&app, 1).await.len(), 1);
    // Give the unknown address's background work time to (not) write.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let emails = outbox_message::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(emails.len(), 1, "nothing queued for the unknown address");
    let id = app
        .call(
            "forgot_identifier",
            form(&[("organization", "alpha"), ("email", "nobody@alpha.example")]),
            None,
        )
        .await;
    assert_eq!(location(&id), "/portal/alpha/forgot-identifier?sent=1");
    let page = app
        .get("/portal/alpha/forgot-identifier?sent=1", None)
        .await;
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("If those details match a login"));
}

#[tokio::test]
async fn an_idle_session_ends_and_a_used_one_lives_on_by_the_apps_clock() {
    let app = spawn_app().await;
    let cookie = session_cookie(
        &app.staff_sign_in("alpha", &app.seed.alpha_admin, PASSWORD)
            .await,
    );
    for _ in 0..3 {
        app.clock.advance(Duration::minutes(20));
        assert_eq!(
            app.get("/admin", Some(&cookie)).await.status(),
            StatusCode::OK
        );
    }
    app.clock.advance(Duration::minutes(31));
    let res = app.get("/admin", Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), "/admin/sign-in");
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_address_and_forwarded_for_is_not_believed() {
    let app = spawn_app_with(AppOptions {
        rate_limit: RateLimitSettings {
            per_minute: 3,
            trusted_proxies: Vec::new(),
        },
        ..AppOptions::default()
    })
    .await;
    for _ in 0..3 {
        let res = app.staff_sign_in("alpha", "nobody", "wrong").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = app
        .staff_sign_in("alpha", &app.seed.alpha_admin, PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let err: AppError = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert!(matches!(err, AppError::TooManyAttempts { .. }));
    // A made-up X-Forwarded-For from an untrusted peer changes nothing.
    let spoofed = app
        .http
        .post(format!("{}/api/staff_sign_in", app.base))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, &app.base)
        .header("x-forwarded-for", "198.51.100.99")
        .body(form(&[
            ("organization", "alpha"),
            ("username", "x"),
            ("password", "y"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(spoofed.status(), StatusCode::TOO_MANY_REQUESTS);
    // Reset links and forgot forms share the limit; pages do not.
    assert_eq!(
        app.call(
            "forgot_staff_password",
            form(&[("organization", "alpha"), ("email", "a@b.example")]),
            None
        )
        .await
        .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        app.get("/admin/sign-in", None).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_allowance() {
    let app = spawn_app_with(AppOptions {
        rate_limit: RateLimitSettings {
            per_minute: 2,
            trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        },
        ..AppOptions::default()
    })
    .await;
    let from = |client: &'static str| {
        let app = &app;
        async move {
            app.http
                .post(format!("{}/api/staff_sign_in", app.base))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ORIGIN, &app.base)
                .header("x-forwarded-for", client)
                .body(form(&[
                    ("organization", "alpha"),
                    ("username", "x"),
                    ("password", "y"),
                ]))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(from("198.51.100.1").await, StatusCode::UNAUTHORIZED);
    assert_eq!(from("198.51.100.1").await, StatusCode::UNAUTHORIZED);
    assert_eq!(from("198.51.100.1").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(from("198.51.100.2").await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_audit_page_lists_the_organizations_events_for_its_user_administrator() {
    let app = spawn_app().await;
    app.staff_sign_in("bravo", &app.seed.bravo_admin, "wrong")
        .await;
    let cookie = session_cookie(
        &app.staff_sign_in("alpha", &app.seed.alpha_admin, PASSWORD)
            .await,
    );
    let res = app.get("/admin/audit", Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Audit log"));
    assert!(html.contains("Signed in"));
    assert!(
        !html.contains("Sign-in refused</span>"),
        "bravo's failure is not shown"
    );
    let filtered = app
        .get("/admin/audit?action=sign_in_failed", Some(&cookie))
        .await;
    assert!(filtered.text().await.unwrap().contains("No events match."));
    // A staff member who is not a User Administrator is refused.
    let staff = add_staff(&app, "Plain", false).await;
    let staff_cookie = session_cookie(&app.staff_sign_in("alpha", &staff.username, PASSWORD).await);
    let res = app
        .call("audit_log", String::new(), Some(&staff_cookie))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_dev_mailbox_shows_queued_email_with_working_links_and_only_when_on() {
    let app = spawn_app().await;
    let admin = user::Entity::find()
        .filter(user::Column::Username.eq(app.seed.alpha_admin.clone()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut a = admin.into_active_model();
    a.email = Set(Some("ada@alpha.example".into()));
    a.update(&app.db).await.unwrap();
    app.call(
        "forgot_staff_password",
        form(&[("organization", "alpha"), ("email", "ada@alpha.example")]),
        None,
    )
    .await;
    emails_once(&app, 1).await;
    let cookie = session_cookie(
        &app.staff_sign_in("alpha", &app.seed.alpha_admin, PASSWORD)
            .await,
    );
    let res = app.get("/admin/dev-mailbox", Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("For development only"));
    assert!(html.contains("Reset your Gatehouse password"));
    assert!(html.contains("<a href=\"https://gatehouse.example.test/password/reset?token="));
    let bravo = session_cookie(
        &app.staff_sign_in("bravo", &app.seed.bravo_admin, PASSWORD)
            .await,
    );
    let html = app
        .get("/admin/dev-mailbox", Some(&bravo))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("Reset your Gatehouse password"),
        "another organization's mail"
    );

    let off = spawn_app_with(AppOptions {
        dev_mailbox: false,
        ..AppOptions::default()
    })
    .await;
    let cookie = session_cookie(
        &off.staff_sign_in("alpha", &off.seed.alpha_admin, PASSWORD)
            .await,
    );
    let res = off.get("/admin/dev-mailbox", Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        off.call("dev_mailbox", String::new(), Some(&cookie))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
