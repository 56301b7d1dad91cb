//! HTTP tests of the People directory and Company Access against the real
//! router, each on SQLite and on PostgreSQL:
//!
//! * every new server function against every kind of caller (User
//!   Administrator, Broker, a client, another organization's administrator,
//!   nobody), with the target proven unchanged after each refusal;
//! * a Claims Rep Manager switching between linked accounts, refused an
//!   account of another organization or one not linked, and back in their
//!   own account at the very next request after an unlink.

mod common;

use app::{
    domain::{ClientRole, PersonName, StaffRole},
    server::{
        auth::Actor,
        entities::{audit_event, company_access, session, user},
        services::{accounts, company_access as access, users},
    },
};
use common::{form, session_cookie, spawn_app_with, AppOptions, Engine, TestApp, PASSWORD};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

on_both_engines!(
    every_people_endpoint_answers_each_kind_of_caller_and_refusals_change_nothing,
    a_rep_manager_switches_accounts_and_an_unlinked_one_is_gone_at_the_next_request,
);

async fn app_on(engine: Engine) -> TestApp {
    spawn_app_with(AppOptions {
        engine,
        ..AppOptions::default()
    })
    .await
}

async fn staff_cookie(app: &TestApp, org: &str, username: &str) -> String {
    let res = app.staff_sign_in(org, username, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK, "{org}/{username} signs in");
    session_cookie(&res)
}

async fn client_cookie(app: &TestApp, org: &str, identifier: &str, username: &str) -> String {
    let res = app
        .client_sign_in(org, identifier, username, PASSWORD)
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{org}/{identifier}/{username} signs in"
    );
    session_cookie(&res)
}

async fn staff(app: &TestApp, role: StaffRole, last: &str) -> user::Model {
    let hash = common::hasher().hash(PASSWORD.into()).await.unwrap();
    users::insert_staff(
        &app.db,
        &app.seed.alpha,
        &PersonName::parse("Nia", "", last).unwrap(),
        role,
        Some(&format!("{}@example.com", last.to_lowercase())),
        hash,
        false,
        None,
        chrono::Utc::now(),
    )
    .await
    .unwrap()
}

async fn rep(app: &TestApp, account: &app::server::entities::client_account::Model) -> user::Model {
    let hash = common::hasher().hash(PASSWORD.into()).await.unwrap();
    users::insert_client(
        &app.db,
        account,
        &users::NewClientUser {
            username: "rep".into(),
            first_name: "Rae".into(),
            last_name: "Porter".into(),
            email: Some("rae@example.com".into()),
            role: ClientRole::ClaimsRepManager,
            must_change_password: false,
        },
        hash,
        None,
        chrono::Utc::now(),
    )
    .await
    .unwrap()
}

async fn row_of(app: &TestApp, id: i32) -> user::Model {
    user::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

/// The account a portal page says the user is working in.
fn current_account(page: &str) -> String {
    let from = page
        .find(r#"class="account-name">"#)
        .unwrap_or_else(|| panic!("no account on the page: {page}"));
    let rest = &page[from + r#"class="account-name">"#.len()..];
    rest[..rest.find('<').unwrap()].to_string()
}

fn id(v: i32) -> String {
    v.to_string()
}

const OK: StatusCode = StatusCode::OK;
const E401: StatusCode = StatusCode::UNAUTHORIZED;
const E403: StatusCode = StatusCode::FORBIDDEN;
const E404: StatusCode = StatusCode::NOT_FOUND;
const E409: StatusCode = StatusCode::CONFLICT;

async fn every_people_endpoint_answers_each_kind_of_caller_and_refusals_change_nothing(
    engine: Engine,
) {
    let app = app_on(engine).await;
    let s = &app.seed;
    let broker = staff(&app, StaffRole::Broker, "Broker").await;
    let victim = staff(&app, StaffRole::Staff, "Victim").await;
    let the_rep = rep(&app, &s.alpha_one).await;
    let callers = [
        (
            "admin",
            Some(staff_cookie(&app, "alpha", &s.alpha_admin).await),
        ),
        (
            "broker",
            Some(staff_cookie(&app, "alpha", &broker.username).await),
        ),
        (
            "client",
            Some(client_cookie(&app, "alpha", &s.alpha_one.identifier, "manager").await),
        ),
        (
            "other org",
            Some(staff_cookie(&app, "bravo", &s.bravo_admin).await),
        ),
        ("nobody", None),
    ];
    let (v, r, two) = (id(victim.id), id(the_rep.id), id(s.alpha_two.id));
    #[rustfmt::skip]
    let rows: Vec<(&str, String, [StatusCode; 5])> = vec![
        //                                                                                                  admin broker client other nobody
        ("people", form(&[("address", "side=clients")]),                                                  [OK,   OK,   E403,  OK,   E401]),
        ("person", form(&[("id", &v)]),                                                                   [OK,   OK,   E403,  E404, E401]),
        ("set_person_access", form(&[("user", &v), ("switch", "login"), ("on", "true")]),                 [OK,   E403, E403,  E404, E401]),
        ("set_staff_role", form(&[("user", &v), ("role", "staff")]),                                      [OK,   E403, E403,  E404, E401]),
        ("update_person_details", form(&[("user", &v), ("first_name", "Nia"), ("middle_name", ""), ("last_name", "Victim"), ("email", "victim@example.com"), ("phone", "")]),
                                                                                                          [OK,   E403, E403,  E404, E401]),
        ("reset_person_password", form(&[("user", &v), ("password", "Taken-Over-2026!"), ("confirm_password", "Taken-Over-2026!")]),
                                                                                                          [OK,   E403, E403,  E404, E401]),
        ("send_person_password_link", form(&[("user", &v)]),                                              [OK,   E403, E403,  E404, E401]),
        ("link_company", form(&[("user", &r), ("account", &two)]),                                        [OK,   E403, E403,  E404, E401]),
        ("unlink_company", form(&[("user", &r), ("account", &two)]),                                      [OK,   E403, E403,  E404, E401]),
        // The victim is no other login of the rep's: refused as a changed list (409).
        ("consolidate_logins", form(&[("user", &r), ("logins[]", &v)]),                                                     [E409, E403, E403,  E404, E401]),
    ];
    for (endpoint, body, expect) in rows {
        for ((who, cookie), status) in callers.iter().zip(expect) {
            let before_victim = row_of(&app, victim.id).await;
            let before_links = company_access::Entity::find().count(&app.db).await.unwrap();
            let res = app.call(endpoint, body.clone(), cookie.as_deref()).await;
            let got = res.status();
            let text = res.text().await.unwrap();
            assert_eq!(got, status, "{endpoint} by {who}: {text}");
            if status != OK && *who != "admin" {
                assert!(
                    !text.to_lowercase().contains("sql") && !text.contains("DbErr"),
                    "{endpoint} by {who} leaks: {text}"
                );
                assert_eq!(
                    row_of(&app, victim.id).await,
                    before_victim,
                    "{endpoint} by {who}"
                );
                assert_eq!(
                    company_access::Entity::find().count(&app.db).await.unwrap(),
                    before_links,
                    "{endpoint} by {who}"
                );
            }
            if status == OK && *who == "admin" && endpoint == "reset_person_password" {
                assert!(row_of(&app, victim.id).await.must_change_password);
            }
        }
    }
    // The other organization's administrator never saw alpha's logins.
    let other = callers[3].1.as_deref();
    let res = app.call("people", form(&[("address", "")]), other).await;
    let text = res.text().await.unwrap();
    assert!(!text.contains("Victim"), "{text}");
}

async fn a_rep_manager_switches_accounts_and_an_unlinked_one_is_gone_at_the_next_request(
    engine: Engine,
) {
    let app = app_on(engine).await;
    let s = &app.seed;
    let the_rep = rep(&app, &s.alpha_one).await;
    let admin = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(s.alpha.id))
        .filter(user::Column::Username.eq(s.alpha_admin.as_str()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let by = Actor::from_user(&admin).unwrap();
    let now = chrono::Utc::now();
    access::link(&app.db, &by, the_rep.id, s.alpha_two.id, (true, false), now)
        .await
        .unwrap();
    // A third account of alpha, never linked.
    let alpha_three = accounts::create(
        &app.db,
        &s.alpha,
        &accounts::NewAccount {
            name: "Alpha Three".into(),
            main_phone: None,
            address: None,
        },
        None,
        now,
    )
    .await
    .unwrap();

    let cookie = client_cookie(&app, "alpha", &s.alpha_one.identifier, "rep").await;
    let home = app
        .get("/portal/alpha", Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        current_account(&home),
        "Alpha One",
        "starts in its own account"
    );
    assert!(home.contains("Switch account"), "has the switcher");

    let switch = |account: i32| {
        let (app, cookie) = (&app, cookie.clone());
        async move {
            app.call(
                "switch_account",
                form(&[("account", &id(account))]),
                Some(&cookie),
            )
            .await
            .status()
        }
    };
    let status = switch(s.alpha_two.id).await;
    assert!(status.is_success() || status.is_redirection(), "{status}");
    let page = app
        .get("/portal/alpha", Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        current_account(&page),
        "Alpha Two",
        "works in the linked account"
    );
    // Never an account that is not linked, nor another organization's.
    assert_eq!(switch(alpha_three.id).await, E404);
    assert_eq!(switch(s.bravo_one.id).await, E404);
    let page = app
        .get("/portal/alpha", Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        current_account(&page),
        "Alpha Two",
        "refusals changed nothing"
    );
    let switched = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("account_switched"))
        .filter(audit_event::Column::ActorUserId.eq(the_rep.id))
        .count(&app.db)
        .await
        .unwrap();
    assert!(switched >= 1);

    // Unlinked mid-session: the very next request is in the rep's own
    // account, and the session forgets the linked one.
    access::unlink(&app.db, &by, the_rep.id, s.alpha_two.id, now)
        .await
        .unwrap();
    let page = app
        .get("/portal/alpha", Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        current_account(&page),
        "Alpha One",
        "back in its own account"
    );
    assert!(
        !page.contains("Switch account"),
        "nothing left to switch to"
    );
    let sessions = session::Entity::find()
        .filter(session::Column::UserId.eq(the_rep.id))
        .all(&app.db)
        .await
        .unwrap();
    assert!(sessions.iter().all(|s| s.current_account_id.is_none()));
    assert_eq!(switch(s.alpha_two.id).await, E404);
}
