//! HTTP tests of Create Users against the real router, on SQLite and on
//! PostgreSQL: each server function against every kind of caller (User
//! Administrator, Broker, a client, another organization's administrator,
//! nobody), the streamed progress and outcome of a batch, a refused batch
//! that creates nothing, and a new login that must choose a new password.

mod common;

use app::{
    domain::{PersonName, StaffRole, UserKind},
    server::{entities::user, services::users},
};
use common::{form, session_cookie, spawn_app_with, AppOptions, Engine, TestApp, PASSWORD};
use reqwest::{header, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

on_both_engines!(
    create_users_answers_each_kind_of_caller,
    a_batch_streams_its_progress_and_its_new_logins_must_change_password,
);

async fn app_on(engine: Engine) -> TestApp {
    spawn_app_with(AppOptions {
        engine,
        ..AppOptions::default()
    })
    .await
}

async fn staff_cookie(app: &TestApp, org: &str, username: &str, password: &str) -> String {
    let res = app.staff_sign_in(org, username, password).await;
    assert_eq!(res.status(), StatusCode::OK, "{org}/{username} signs in");
    session_cookie(&res)
}

async fn call_json(
    app: &TestApp,
    endpoint: &str,
    body: Value,
    cookie: Option<&str>,
) -> (StatusCode, String) {
    let mut req = app
        .http
        .post(format!("{}/api/{endpoint}", app.base))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ORIGIN, &app.base)
        .header("sec-fetch-site", "same-origin")
        .body(body.to_string());
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.text().await.unwrap())
}

async fn staff_count(app: &TestApp, org: i32) -> u64 {
    user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org))
        .filter(user::Column::Kind.eq(UserKind::Staff.as_str()))
        .count(&app.db)
        .await
        .unwrap()
}

fn batch(rows: Value) -> Value {
    json!({"role": "staff", "password": "Harbour-Light-7", "welcome_links": false, "rows": rows})
}

/// The stream's lines, parsed.
fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect()
}

const OK: StatusCode = StatusCode::OK;
const E401: StatusCode = StatusCode::UNAUTHORIZED;
const E403: StatusCode = StatusCode::FORBIDDEN;

async fn create_users_answers_each_kind_of_caller(engine: Engine) {
    let app = app_on(engine).await;
    let s = &app.seed;
    let hash = common::hasher().hash(PASSWORD.into()).await.unwrap();
    let broker = users::insert_staff(
        &app.db,
        &s.alpha,
        &PersonName::parse("Bea", "", "Broker").unwrap(),
        StaffRole::Broker,
        None,
        hash,
        false,
        None,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let client = {
        let res = app
            .client_sign_in("alpha", &s.alpha_one.identifier, "manager", PASSWORD)
            .await;
        session_cookie(&res)
    };
    let callers = [
        (
            "admin",
            Some(staff_cookie(&app, "alpha", &s.alpha_admin, PASSWORD).await),
        ),
        (
            "broker",
            Some(staff_cookie(&app, "alpha", &broker.username, PASSWORD).await),
        ),
        ("client", Some(client)),
        (
            "other org",
            Some(staff_cookie(&app, "bravo", &s.bravo_admin, PASSWORD).await),
        ),
        ("nobody", None),
    ];
    let rows = json!([{"key": 1, "first_name": "Jane", "last_name": "Smith"}]);
    for ((who, cookie), expect) in callers.iter().zip([OK, E403, E403, OK, E401]) {
        let res = app
            .call("create_users_setup", form(&[]), cookie.as_deref())
            .await;
        assert_eq!(res.status(), expect, "setup by {who}");
        let (status, text) = call_json(
            &app,
            "check_new_users",
            json!({"rows": rows}),
            cookie.as_deref(),
        )
        .await;
        assert_eq!(status, expect, "check by {who}: {text}");
        let (alpha, bravo) = (
            staff_count(&app, s.alpha.id).await,
            staff_count(&app, s.bravo.id).await,
        );
        let (status, text) = call_json(
            &app,
            "create_new_users",
            batch(rows.clone()),
            cookie.as_deref(),
        )
        .await;
        assert_eq!(status, expect, "create by {who}: {text}");
        let created = (
            staff_count(&app, s.alpha.id).await - alpha,
            staff_count(&app, s.bravo.id).await - bravo,
        );
        match *who {
            "admin" => {
                assert_eq!(created, (1, 0));
                assert!(text.contains("\"111jsmith\""), "{text}");
            }
            // Created in the caller's own organization, with its prefix.
            "other org" => {
                assert_eq!(created, (0, 1));
                assert!(text.contains("\"222jsmith\""), "{text}");
            }
            _ => {
                assert_eq!(created, (0, 0), "{who}");
                assert!(!text.contains("created"), "{who}: {text}");
            }
        }
    }
}

async fn a_batch_streams_its_progress_and_its_new_logins_must_change_password(engine: Engine) {
    let app = app_on(engine).await;
    let s = &app.seed;
    let admin = staff_cookie(&app, "alpha", &s.alpha_admin, PASSWORD).await;
    // A weak password is refused with its field and status; nothing made.
    let before = staff_count(&app, s.alpha.id).await;
    let mut weak = batch(json!([{"key": 1, "first_name": "Jane", "last_name": "Smith"}]));
    weak["password"] = json!("weakpassword");
    let (status, text) = call_json(&app, "create_new_users", weak, Some(&admin)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("password"), "{text}");
    // Two rows want the same username: the batch is refused as a whole.
    let (status, text) = call_json(
        &app,
        "create_new_users",
        batch(json!([
            {"key": 1, "first_name": "Jane", "last_name": "Smith"},
            {"key": 2, "first_name": "John", "last_name": "Smith"},
        ])),
        Some(&admin),
    )
    .await;
    assert_eq!(status, OK);
    let out = lines(&text);
    let refused = &out.last().unwrap()["refused"];
    assert_eq!(refused[1]["pass"], json!(false), "{text}");
    assert_eq!(refused[1]["suggestion"], json!("111jsmith2"), "{text}");
    assert_eq!(staff_count(&app, s.alpha.id).await, before);
    // Accepting the suggestion, the batch goes through, reporting progress.
    let (status, text) = call_json(
        &app,
        "create_new_users",
        batch(json!([
            {"key": 1, "first_name": "Jane", "last_name": "Smith"},
            {"key": 2, "first_name": "John", "last_name": "Smith", "username": "111jsmith2"},
            {"key": 3, "first_name": "Zoë", "last_name": "Ó Brádaigh", "email": "zoe@example.com"},
        ])),
        Some(&admin),
    )
    .await;
    assert_eq!(status, OK);
    assert!(text.is_ascii(), "{text}");
    let out = lines(&text);
    assert_eq!(out[0], json!({"hashing": {"done": 0, "total": 3}}));
    assert!(out.contains(&json!({"creating": {"done": 3, "total": 3}})));
    let created = out.last().unwrap()["created"].as_array().unwrap().clone();
    let names: Vec<&str> = created
        .iter()
        .map(|c| c["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["111jsmith", "111jsmith2", "111zobradaigh"]);
    assert_eq!(staff_count(&app, s.alpha.id).await, before + 3);
    // A new user signs in with the initial password and must change it
    // before anything else.
    let cookie = staff_cookie(&app, "alpha", "111zobradaigh", "Harbour-Light-7").await;
    let res = app
        .call("people", form(&[("address", "")]), Some(&cookie))
        .await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_ne!(status, OK, "{text}");
    assert!(text.contains("PasswordChangeRequired"), "{text}");
}
