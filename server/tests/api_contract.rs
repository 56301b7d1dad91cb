//! The HTTP contract of every server function (the status table in
//! `app::error`): a stranger gets 401 from every endpoint that needs a
//! session, whatever the arguments, before they are read; arguments that
//! don't decode are a 400 with a plain message, never a 500. The sweeps walk
//! the framework's own registry of server functions, so an endpoint added
//! later is held to the same contract without anyone listing it here.

mod common;

use app::error::{AppError, PUBLIC_ENDPOINTS};
use common::{form, location, session_cookie, spawn_app_with, AppOptions, Engine, TestApp};
use reqwest::{header, Method, StatusCode};

/// Bodies no server function can decode: not UTF-8, and form fields of the
/// wrong type under every argument name the endpoints use.
fn garbage_bodies() -> Vec<Vec<u8>> {
    vec![
        vec![0xff, 0xfe, b'=', 0xc3, 0x28],
        b"id=abc&account=abc&user=abc&cursor=abc&active=maybe&may_modify=maybe&may_delete=maybe"
            .to_vec(),
    ]
}

/// Every registered server function as (path, method), sorted.
fn endpoints() -> Vec<(String, Method)> {
    let mut all: Vec<(String, Method)> = server_fn::axum::server_fn_paths()
        .map(|(path, method)| {
            let method = Method::from_bytes(method.as_str().as_bytes()).unwrap();
            (path.to_string(), method)
        })
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

/// Calls `path` as the hydrated app does, with `body` as its arguments.
async fn call_raw(
    app: &TestApp,
    path: &str,
    method: &Method,
    body: &[u8],
    cookie: Option<&str>,
) -> reqwest::Response {
    let mut req = if *method == Method::GET {
        // A GET server function takes its arguments in the query string.
        let query: String = body
            .iter()
            .map(|b| match b {
                b'=' | b'&' | b'a'..=b'z' | b'_' => (*b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect();
        app.http.get(format!("{}{path}?{query}", app.base))
    } else {
        app.http
            .request(method.clone(), format!("{}{path}", app.base))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.to_vec())
    };
    req = req
        .header(header::ORIGIN, &app.base)
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.send().await.unwrap()
}

/// The status and the decoded error of an answer.
async fn answer(res: reqwest::Response) -> (StatusCode, String, AppError) {
    let status = res.status();
    let text = res.text().await.unwrap();
    let error = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("not an AppError ({e}): {status} {text}"));
    (status, text, error)
}

async fn staff_cookie(app: &TestApp) -> String {
    let res = app
        .staff_sign_in("alpha", &app.seed.alpha_admin, common::PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    session_cookie(&res)
}

async fn client_cookie(app: &TestApp) -> String {
    let res = app
        .client_sign_in(
            "alpha",
            &app.seed.alpha_one.identifier,
            "manager",
            common::PASSWORD,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    session_cookie(&res)
}

async fn strangers_get_401_before_arguments_are_read(engine: Engine) {
    let app = spawn_app_with(AppOptions {
        engine,
        ..AppOptions::default()
    })
    .await;
    let all = endpoints();
    assert!(
        all.len() >= 30,
        "the registry lists every server function: {all:?}"
    );
    for public in PUBLIC_ENDPOINTS {
        assert!(
            all.iter().any(|(p, _)| p == public),
            "{public} is on the public list but is no server function"
        );
    }
    // A cookie of the right shape whose session does not exist, and one of
    // a session that has ended: no better than none.
    let ended = staff_cookie(&app).await;
    let res = app.call("sign_out", String::new(), Some(&ended)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let forged = format!("__Host-gatehouse_session={}", "ab".repeat(32));
    for (path, method) in &all {
        let public = PUBLIC_ENDPOINTS.contains(&path.as_str());
        let mut bodies_seen = Vec::new();
        for cookie in [None, Some(forged.as_str()), Some(ended.as_str())] {
            for (i, body) in garbage_bodies().into_iter().enumerate() {
                let res = call_raw(&app, path, method, &body, cookie).await;
                if public && i > 0 {
                    // Form fields of the wrong type under names a public
                    // endpoint may not take (`sign_out` takes none): any
                    // answer but a 500.
                    assert_ne!(res.status(), StatusCode::INTERNAL_SERVER_ERROR, "{path}");
                    continue;
                }
                let (status, text, error) = answer(res).await;
                if public {
                    assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {text}");
                    assert_eq!(error, AppError::malformed_error(), "{path}");
                } else {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {text}");
                    assert_eq!(error, AppError::SignInRequired, "{path}");
                    bodies_seen.push(text);
                }
            }
        }
        // Every stranger's answer is the same bytes: nothing depends on
        // the arguments.
        bodies_seen.dedup();
        assert!(bodies_seen.len() <= 1, "{path}: {bodies_seen:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_get_401_from_every_endpoint_on_sqlite() {
    strangers_get_401_before_arguments_are_read(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_get_401_from_every_endpoint_on_postgres() {
    strangers_get_401_before_arguments_are_read(Engine::Postgres).await;
}

async fn garbage_arguments_get_400(engine: Engine) {
    let app = spawn_app_with(AppOptions {
        engine,
        ..AppOptions::default()
    })
    .await;
    let staff = staff_cookie(&app).await;
    let client = client_cookie(&app).await;
    let before = row_counts(&app).await;
    let not_utf8 = &garbage_bodies()[0];
    for (path, method) in endpoints() {
        for cookie in [&staff, &client] {
            let (status, text, error) =
                answer(call_raw(&app, &path, &method, not_utf8, Some(cookie)).await).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {text}");
            assert_eq!(error, AppError::malformed_error(), "{path}");
            assert!(text.contains("The form was incomplete"), "{path}: {text}");
        }
    }
    // The probes that used to answer 500: an argument of the wrong type, or
    // missing.
    let account = app.seed.alpha_one.id.to_string();
    let probes: Vec<(&str, String)> = vec![
        ("client_account", form(&[("id", "abc")])),
        ("client_account", String::new()),
        ("update_account", form(&[("id", "abc"), ("name", "X")])),
        ("update_account", form(&[("name", "X")])),
        ("change_identifier", form(&[("id", &account)])),
        ("documents", form(&[("account", "abc")])),
        ("audit_log", form(&[("cursor", "abc")])),
        ("audit_log", form(&[("user", "1.5")])),
        ("account_manager", form(&[("account", "abc")])),
        ("start_emulation", String::new()),
        ("delete_document", form(&[("id", "")])),
        (
            "set_office_staff_active",
            form(&[("user", "1"), ("active", "maybe")]),
        ),
    ];
    for (endpoint, body) in &probes {
        let res = app.call(endpoint, body.clone(), Some(&staff)).await;
        let (status, text, error) = answer(res).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{endpoint} {body}: {text}");
        assert_eq!(error, AppError::malformed_error(), "{endpoint} {body}");
        for leak in ["missing field", "invalid digit", "serde", "qs"] {
            assert!(!text.contains(leak), "{leak} leaked: {text}");
        }
    }
    assert_eq!(row_counts(&app).await, before, "garbage changed nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_arguments_get_400_from_every_endpoint_on_sqlite() {
    garbage_arguments_get_400(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_arguments_get_400_from_every_endpoint_on_postgres() {
    garbage_arguments_get_400(Engine::Postgres).await;
}

/// Rows of the tables a server function could change (sessions aside:
/// every call may refresh its own).
async fn row_counts(app: &TestApp) -> [u64; 6] {
    use app::server::entities::{
        audit_event, client_account, document, email_token, outbox_message, user,
    };
    use sea_orm::{EntityTrait, PaginatorTrait};
    let db = &app.db;
    [
        user::Entity::find().count(db).await.unwrap(),
        client_account::Entity::find().count(db).await.unwrap(),
        document::Entity::find().count(db).await.unwrap(),
        audit_event::Entity::find().count(db).await.unwrap(),
        outbox_message::Entity::find().count(db).await.unwrap(),
        email_token::Entity::find().count(db).await.unwrap(),
    ]
}

#[tokio::test]
async fn a_plain_form_post_without_a_session_goes_back_to_the_form() {
    let app = spawn_app_with(AppOptions::default()).await;
    let form_page = format!("{}/admin/accounts/new", app.base);
    let res = app
        .http
        .post(format!("{}/api/create_account", app.base))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::ORIGIN, &app.base)
        .header(header::REFERER, &form_page)
        .body("name=abc")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let back = location(&res);
    assert!(back.starts_with(&format!("{form_page}?")), "{back}");
    assert!(
        back.contains("__err="),
        "the error travels in the URL: {back}"
    );

    // Without a Referer there is no form to go back to.
    let res = app
        .http
        .post(format!("{}/api/create_account", app.base))
        .header(header::ACCEPT, "text/html")
        .body("name=abc")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), "/");
}

#[tokio::test]
async fn an_initial_password_still_passes_the_gate_to_be_changed() {
    // The gate asks only for a live session: a user who must replace an
    // initial password reaches the password change (and is refused
    // everything else by the functions themselves, with 403).
    let app = spawn_app_with(AppOptions::default()).await;
    let cookie = staff_cookie(&app).await;
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared("UPDATE users SET must_change_password = TRUE")
        .await
        .unwrap();
    let res = app
        .call("password_form", String::new(), Some(&cookie))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let res = app.call("staff_home", String::new(), Some(&cookie)).await;
    let (status, _, error) = answer(res).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error, AppError::PasswordChangeRequired);
}
