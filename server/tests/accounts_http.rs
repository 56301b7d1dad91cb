//! HTTP tests of client accounts, Account Manager logins, emulation, office
//! staff and documents against the real router, each on SQLite and on
//! PostgreSQL:
//!
//! * who may call what: one table of every server function (and the upload
//!   and download routes) against every kind of caller, with the world
//!   proven unchanged after each refusal;
//! * identifiers, search, sorting and keyset paging of the accounts table;
//! * emulation (session rotation, auditing on behalf of, what is refused);
//! * rights that take effect at the very next request;
//! * documents: who made and changed them, and PDF upload and download.

mod common;

use app::{
    api::dto::{
        AccountListView, AccountManagerView, AccountRowView, DocumentsView, EmulationView,
        OfficeStaffListView,
    },
    domain::{ClientRole, PersonName, StaffRole},
    error::AppError,
    server::{
        entities::{audit_event, client_account, document, session, user},
        services::{accounts, users},
    },
};
use common::uploads::{
    download, is_generated_pdf_name, pdf_bytes, stored_files, upload, uploaded, Upload,
};
use common::{
    form, location, session_cookie, spawn_app_with, AppOptions, Engine, TestApp, PASSWORD,
};
use reqwest::{header, Response, StatusCode};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::de::DeserializeOwned;
use std::collections::{BTreeSet, HashMap};

on_both_engines!(
    an_upload_posted_without_script_comes_back_to_the_page_with_its_outcome,
    signing_out_while_emulating_records_the_end_of_the_emulation,
    signing_in_over_an_emulating_session_records_the_end_of_the_emulation,
    an_emulation_ends_when_the_account_manager_is_switched_off,
    rotating_for_an_emulation_keeps_the_sessions_absolute_expiry,
    an_account_has_one_account_manager_even_when_two_are_inserted,
    every_new_endpoint_answers_each_kind_of_caller_as_it_should_and_refusals_change_nothing,
    a_new_accounts_identifier_is_its_phone_digits_unless_taken_in_the_organization,
    an_identifier_used_in_the_same_organization_is_refused_and_one_used_elsewhere_is_fine,
    the_accounts_table_searches_by_name_identifier_and_phone_digits,
    every_sort_and_direction_pages_through_every_account_exactly_once_in_order,
    emulation_rotates_the_session_and_acts_as_the_account_manager_on_behalf_of_staff,
    only_account_managing_staff_of_the_same_organization_may_emulate,
    everything_done_while_emulating_is_audited_on_behalf_of_the_account_manager,
    revoked_rights_stop_the_very_next_request_of_the_same_session,
    an_account_manager_cannot_touch_office_staff_of_another_account,
    disabling_office_staff_ends_their_session_at_once,
    the_documents_list_names_who_created_and_changed_each_document,
    a_pdf_is_stored_under_a_generated_name_and_downloads_as_an_attachment,
    a_file_name_cannot_disguise_itself_and_downloads_open_sandboxed,
    long_lists_of_documents_and_office_staff_come_in_pages,
    uploads_that_are_not_pdfs_or_have_bad_details_are_refused_and_leave_no_file,
    an_upload_over_the_limit_is_refused_with_the_limit_and_leaves_no_file,
    an_upload_far_over_the_limit_is_refused_with_the_limit_message,
    an_account_at_its_storage_quota_refuses_more_and_says_how_much_is_used,
    uploads_are_limited_per_user_not_per_address,
    a_pdf_larger_than_two_megabytes_but_under_the_limit_is_accepted,
    a_pdf_downloads_only_for_its_own_organization_and_account,
);

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// A password that meets the default policy, for initial passwords.
const NEW_PASSWORD: &str = "Harbour-Light-7";

async fn app_on(engine: Engine) -> TestApp {
    spawn_app_with(AppOptions {
        engine,
        ..AppOptions::default()
    })
    .await
}

/// A staff user of `alpha` with `role`, signed-in-able with [`PASSWORD`].
async fn add_staff(app: &TestApp, role: StaffRole, last: &str) -> user::Model {
    let hash = common::hasher().hash(PASSWORD.into()).await.unwrap();
    users::insert_staff(
        &app.db,
        &app.seed.alpha,
        &PersonName::parse("Nia", "", last).unwrap(),
        role,
        None,
        hash,
        false,
        None,
        chrono::Utc::now(),
    )
    .await
    .unwrap()
}

/// An office staff user of `account` with the given rights, who may sign in
/// with [`PASSWORD`] straight away.
async fn add_office_staff(
    app: &TestApp,
    account: &client_account::Model,
    username: &str,
    can_modify: bool,
    can_delete: bool,
) -> user::Model {
    let last = format!("Clerk {username}");
    let u = common::client_login(
        &app.db,
        account,
        username,
        ("Olive", &last),
        ClientRole::OfficeStaff,
    )
    .await;
    let mut row = u.into_active_model();
    row.can_modify = Set(can_modify);
    row.can_delete = Set(can_delete);
    row.update(&app.db).await.unwrap()
}

async fn user_row(app: &TestApp, id: i32) -> user::Model {
    user::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("user exists")
}

async fn staff_named(app: &TestApp, username: &str) -> user::Model {
    user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .filter(user::Column::Kind.eq("staff"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("staff user exists")
}

/// The seeded Account Manager (`manager`) of `account`.
async fn manager_of(app: &TestApp, account: &client_account::Model) -> user::Model {
    user::Entity::find()
        .filter(user::Column::ClientAccountId.eq(account.id))
        .filter(user::Column::Username.eq("manager"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the account has its manager")
}

async fn account_row(app: &TestApp, id: i32) -> client_account::Model {
    client_account::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("account exists")
}

async fn document_row(app: &TestApp, id: i32) -> Option<document::Model> {
    document::Entity::find_by_id(id).one(&app.db).await.unwrap()
}

async fn audit_rows_after(app: &TestApp, after_id: i32) -> Vec<audit_event::Model> {
    audit_event::Entity::find()
        .filter(audit_event::Column::Id.gt(after_id))
        .order_by_asc(audit_event::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

async fn last_audit_id(app: &TestApp) -> i32 {
    audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .map_or(0, |e| e.id)
}

async fn staff_cookie(app: &TestApp, org: &str, username: &str) -> String {
    let res = app.staff_sign_in(org, username, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK, "{org}/{username} signs in");
    session_cookie(&res)
}

async fn client_cookie(
    app: &TestApp,
    org: &str,
    account: &client_account::Model,
    username: &str,
) -> String {
    let res = app
        .client_sign_in(org, &account.identifier, username, PASSWORD)
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{org}/{}/{username} signs in",
        account.identifier
    );
    session_cookie(&res)
}

/// The new session cookie a response sets, if it sets one.
fn new_session(res: &Response) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|c| c.split(';').next())
        .find(|c| {
            c.strip_prefix("__Host-gatehouse_session=")
                .is_some_and(|v| !v.is_empty())
        })
        .map(str::to_string)
}

/// The body of a successful answer, decoded.
async fn ok_json<T: DeserializeOwned>(res: Response) -> T {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The error of a refused call, checking its status.
async fn refusal(res: Response, status: StatusCode) -> AppError {
    let got = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn id(n: i32) -> String {
    n.to_string()
}

/// Everything a refused call must leave as it was: accounts, users (rights,
/// active, password hashes), documents, stored files, sessions (and their
/// emulation) and the audit trail's length.
#[derive(Debug, PartialEq)]
struct World {
    accounts: Vec<client_account::Model>,
    users: Vec<user::Model>,
    documents: Vec<document::Model>,
    files: Vec<String>,
    sessions: Vec<(String, i32, Option<i32>)>,
    audit_events: u64,
}

async fn world(app: &TestApp) -> World {
    World {
        accounts: client_account::Entity::find()
            .order_by_asc(client_account::Column::Id)
            .all(&app.db)
            .await
            .unwrap(),
        users: user::Entity::find()
            .order_by_asc(user::Column::Id)
            .all(&app.db)
            .await
            .unwrap(),
        documents: document::Entity::find()
            .order_by_asc(document::Column::Id)
            .all(&app.db)
            .await
            .unwrap(),
        files: stored_files(app),
        sessions: session::Entity::find()
            .order_by_asc(session::Column::Id)
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|s| (s.id, s.user_id, s.emulated_user_id))
            .collect(),
        audit_events: audit_event::Entity::find().count(&app.db).await.unwrap(),
    }
}

fn assert_unchanged(before: &World, after: &World, what: &str) {
    assert_eq!(
        before.accounts, after.accounts,
        "{what}: an account changed"
    );
    assert_eq!(before.users, after.users, "{what}: a user changed");
    assert_eq!(
        before.documents, after.documents,
        "{what}: a document changed"
    );
    assert_eq!(before.files, after.files, "{what}: stored files changed");
    assert_eq!(before.sessions, after.sessions, "{what}: sessions changed");
    assert_eq!(
        before.audit_events, after.audit_events,
        "{what}: something was audited"
    );
}

// ---------------------------------------------------------------------------
// 1. The permission table
// ---------------------------------------------------------------------------

/// Who calls, in the table's column order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Who {
    /// alpha's User Administrator.
    Admin,
    /// alpha staff with the plain Staff role.
    Staff,
    /// The Account Manager of alpha_one.
    Manager,
    /// Office staff of alpha_one without any right.
    Office,
    /// The Account Manager of alpha_two (another account).
    OtherManager,
    /// bravo's User Administrator (another organization).
    OtherOrgAdmin,
    /// The Account Manager of bravo_one (another organization's client).
    OtherOrgManager,
    /// No session.
    Nobody,
}

const COLUMNS: [Who; 8] = [
    Who::Admin,
    Who::Staff,
    Who::Manager,
    Who::Office,
    Who::OtherManager,
    Who::OtherOrgAdmin,
    Who::OtherOrgManager,
    Who::Nobody,
];

/// What one cell of the table sends.
enum Call {
    Fn(&'static str, String),
    Upload(Option<i32>),
    Download(i32),
}

struct Row {
    what: &'static str,
    expect: [StatusCode; 8],
    call: Box<dyn Fn(Who) -> Call>,
}

fn row(what: &'static str, expect: [StatusCode; 8], call: impl Fn(Who) -> Call + 'static) -> Row {
    Row {
        what,
        expect,
        call: Box::new(call),
    }
}

/// A server function row whose body depends only on the caller.
fn fn_row(
    endpoint: &'static str,
    expect: [StatusCode; 8],
    body: impl Fn(Who) -> String + 'static,
) -> Row {
    row(endpoint, expect, move |who| Call::Fn(endpoint, body(who)))
}

const OK: StatusCode = StatusCode::OK;
const NEW: StatusCode = StatusCode::CREATED;
const E401: StatusCode = StatusCode::UNAUTHORIZED;
const E403: StatusCode = StatusCode::FORBIDDEN;
const E404: StatusCode = StatusCode::NOT_FOUND;
const E409: StatusCode = StatusCode::CONFLICT;

async fn send(app: &TestApp, cookie: Option<&str>, call: &Call) -> Response {
    match call {
        Call::Fn(endpoint, body) => app.call(endpoint, body.clone(), cookie).await,
        Call::Upload(account) => upload(app, cookie, &Upload::pdf(*account)).await,
        Call::Download(doc) => download(app, *doc, cookie).await,
    }
}

async fn every_new_endpoint_answers_each_kind_of_caller_as_it_should_and_refusals_change_nothing(
    engine: Engine,
) {
    let app = app_on(engine).await;
    let s = &app.seed;
    let one = s.alpha_one.id;
    let staff = add_staff(&app, StaffRole::Staff, "Plain").await;
    add_office_staff(&app, &s.alpha_one, "clerk", false, false).await;
    // The office staff user the Account Manager's functions aim at.
    let victim = add_office_staff(&app, &s.alpha_one, "victim", false, false).await;

    let mut cookies: HashMap<Who, String> = HashMap::new();
    cookies.insert(
        Who::Admin,
        staff_cookie(&app, "alpha", &s.alpha_admin).await,
    );
    cookies.insert(
        Who::Staff,
        staff_cookie(&app, "alpha", &staff.username).await,
    );
    cookies.insert(
        Who::Manager,
        client_cookie(&app, "alpha", &s.alpha_one, "manager").await,
    );
    cookies.insert(
        Who::Office,
        client_cookie(&app, "alpha", &s.alpha_one, "clerk").await,
    );
    cookies.insert(
        Who::OtherManager,
        client_cookie(&app, "alpha", &s.alpha_two, "manager").await,
    );
    cookies.insert(
        Who::OtherOrgAdmin,
        staff_cookie(&app, "bravo", &s.bravo_admin).await,
    );
    cookies.insert(
        Who::OtherOrgManager,
        client_cookie(&app, "bravo", &s.bravo_one, "manager").await,
    );

    // The documents of alpha_one the table aims at: a report, a PDF, a
    // report only refused callers try to delete, and one report for each
    // caller allowed to delete.
    let manager = cookies[&Who::Manager].clone();
    let add = |title: &'static str| {
        let app = &app;
        let manager = manager.clone();
        async move {
            ok_json::<i32>(
                app.call(
                    "add_report",
                    form(&[("title", title), ("body", "Gate 3 was open at 02:10.")]),
                    Some(&manager),
                )
                .await,
            )
            .await
        }
    };
    let report = add("Night patrol").await;
    let undeletable = add("Keep me").await;
    let mut spare: HashMap<Who, i32> = HashMap::new();
    for who in [Who::Admin, Who::Staff, Who::Manager] {
        spare.insert(who, add("Delete me").await);
    }
    let pdf =
        uploaded(upload(&app, Some(&cookies[&Who::Admin]), &Upload::pdf(Some(one))).await).await;

    // Callers outside the account or organization do not even learn that
    // the account's things exist (404); callers of the wrong kind or role
    // are refused (403); nobody signed in must sign in (401). Other
    // organizations' staff get 403 from the Client Portal's functions: no
    // staff member may call those, whatever the target.
    let victim_id = victim.id;
    let reset_body = move |_: Who| {
        form(&[
            ("user", &id(victim_id)),
            ("password", NEW_PASSWORD),
            ("confirm_password", NEW_PASSWORD),
        ])
    };
    let delete_body = {
        let spare = spare.clone();
        move |who: Who| form(&[("id", &id(spare.get(&who).copied().unwrap_or(undeletable)))])
    };
    #[rustfmt::skip]
    let rows = vec![
        // Mgr: alpha_one's Account Manager; Clerk: its office staff without
        // rights; OMgr: alpha_two's Account Manager; OOrg: bravo's User
        // Administrator; OOMgr: bravo_one's Account Manager.
        //                                     Admin Staff Mgr   Clerk OMgr  OOrg  OOMgr Nobody
        fn_row("client_accounts",             [OK,   OK,   E403, E403, E403, OK,   E403, E401], |_| String::new()),
        fn_row("client_account",              [OK,   OK,   E403, E403, E403, E404, E403, E401], move |_| form(&[("id", &id(one))])),
        fn_row("account_manager",             [OK,   OK,   E403, E403, E403, E404, E403, E401], move |_| form(&[("account", &id(one))])),
        fn_row("documents",                   [OK,   OK,   OK,   OK,   E404, E404, E404, E401], move |_| form(&[("account", &id(one))])),
        row("download",                       [OK,   OK,   OK,   OK,   E404, E404, E404, E401], move |_| Call::Download(pdf)),
        fn_row("office_staff",                [E403, E403, OK,   E403, OK,   E403, OK,   E401], |_| String::new()),
        fn_row("add_report",                  [OK,   OK,   OK,   OK,   E404, E404, E404, E401], move |_| {
            form(&[("account", &id(one)), ("title", "Added"), ("body", "By the table.")])
        }),
        row("upload",                         [NEW,  NEW,  NEW,  NEW,  E404, E404, E404, E401], move |_| Call::Upload(Some(one))),
        fn_row("create_account",              [OK,   E403, E403, E403, E403, OK,   E403, E401], |who| {
            form(&[("name", &format!("Created by {who:?}")), ("main_phone", ""), ("address", "")])
        }),
        fn_row("update_account",              [OK,   E403, E403, E403, E403, E404, E403, E401], move |who| {
            form(&[
                ("id", &id(one)),
                ("name", &format!("Renamed by {who:?}")),
                ("main_phone", "555-000-9999"),
                ("address", "1 Hijack Lane"),
            ])
        }),
        fn_row("change_identifier",           [OK,   E403, E403, E403, E403, E404, E403, E401], move |_| {
            form(&[("id", &id(one)), ("identifier", "HIJACK42")])
        }),
        fn_row("create_office_staff",         [E403, E403, OK,   E403, OK,   E403, OK,   E401], |who| {
            form(&[
                ("first_name", "New"),
                ("last_name", "Helper"),
                ("username", &format!("helper-{who:?}").to_lowercase()),
                ("password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ])
        }),
        fn_row("set_office_staff_rights",     [E403, E403, OK,   E403, E404, E403, E404, E401], move |_| {
            form(&[("user", &id(victim_id)), ("can_modify", "on"), ("can_delete", "on")])
        }),
        fn_row("set_office_staff_active",     [E403, E403, OK,   E403, E404, E403, E404, E401], move |_| {
            form(&[("user", &id(victim_id)), ("active", "false")])
        }),
        fn_row("reset_office_staff_password", [E403, E403, OK,   E403, E404, E403, E404, E401], reset_body),
        fn_row("update_report",               [OK,   OK,   OK,   E403, E404, E404, E404, E401], move |who| {
            form(&[("id", &id(report)), ("title", &format!("Changed by {who:?}")), ("body", "Rewritten.")])
        }),
        fn_row("update_pdf_details",          [OK,   OK,   OK,   E403, E404, E404, E404, E401], move |_| {
            form(&[
                ("id", &id(pdf)),
                ("issue_date", "2025-01-31"),
                ("business_purpose", "Changed"),
                ("document_type", "Invoice"),
            ])
        }),
        // Each caller allowed to delete deletes a report of their own; the
        // refused ones all aim at the same one.
        fn_row("delete_document",             [OK,   OK,   OK,   E403, E404, E404, E404, E401], delete_body),
        // The Admin starts emulating here (last in its row) and stops in the
        // next row; nobody else is emulating anyone.
        fn_row("start_emulation",             [OK,   E403, E403, E403, E403, E404, E403, E401], move |_| {
            form(&[("account", &id(one))])
        }),
        fn_row("stop_emulation",              [OK,   E409, E409, E409, E409, E409, E409, E401], |_| String::new()),
        // Last: resetting the Account Manager's password ends their sessions.
        fn_row("set_account_manager_login",   [OK,   E403, E403, E403, E403, E404, E403, E401], move |_| {
            form(&[("account", &id(one)), ("password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)])
        }),
    ];
    // Every new server function is in the table.
    let covered: BTreeSet<&str> = rows.iter().map(|r| r.what).collect();
    for endpoint in [
        "client_accounts",
        "create_account",
        "client_account",
        "update_account",
        "change_identifier",
        "account_manager",
        "set_account_manager_login",
        "start_emulation",
        "stop_emulation",
        "office_staff",
        "create_office_staff",
        "set_office_staff_rights",
        "set_office_staff_active",
        "reset_office_staff_password",
        "documents",
        "add_report",
        "update_report",
        "update_pdf_details",
        "delete_document",
        "upload",
        "download",
    ] {
        assert!(covered.contains(endpoint), "{endpoint} is in the table");
    }

    for row in &rows {
        // Refusals first, the allowed calls last (the Admin's last of all),
        // so an allowed call never spoils a later caller's refusal.
        for (i, who) in COLUMNS.iter().enumerate().rev() {
            let expect = row.expect[i];
            let what = format!("{} as {who:?}", row.what);
            let before = world(&app).await;
            let res = send(
                &app,
                cookies.get(who).map(String::as_str),
                &(row.call)(*who),
            )
            .await;
            let status = res.status();
            if let Some(c) = new_session(&res) {
                cookies.insert(*who, c);
            }
            let body = res.text().await.unwrap();
            assert_eq!(status, expect, "{what}: {body}");
            if !expect.is_success() {
                assert_unchanged(&before, &world(&app).await, &what);
            }
        }
    }

    // The allowed calls did what they say, each in its own organization.
    let bravo_list: AccountListView = ok_json(
        app.call(
            "client_accounts",
            String::new(),
            Some(&cookies[&Who::OtherOrgAdmin]),
        )
        .await,
    )
    .await;
    let names: Vec<&str> = bravo_list.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["Bravo One", "Bravo Two", "Created by OtherOrgAdmin"]
    );
    let created = client_account::Entity::find()
        .filter(client_account::Column::Name.eq("Created by Admin"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the Admin's account");
    assert_eq!(created.organization_id, s.alpha.id);
    let account = account_row(&app, one).await;
    assert_eq!(account.name, "Renamed by Admin");
    assert_eq!(account.identifier, "HIJACK42");
    let victim = user_row(&app, victim.id).await;
    assert!(victim.can_modify && victim.can_delete && !victim.active);
    assert!(victim.must_change_password);
    let manager_row = manager_of(&app, &s.alpha_one).await;
    assert!(
        manager_row.must_change_password,
        "Account Manager password reset"
    );
    assert!(document_row(&app, undeletable).await.is_some());
    for doc in spare.values() {
        assert!(document_row(&app, *doc).await.is_none());
    }
    assert_eq!(
        document_row(&app, report).await.unwrap().title,
        "Changed by Admin"
    );
    assert_eq!(
        document_row(&app, pdf)
            .await
            .unwrap()
            .document_type
            .as_deref(),
        Some("Invoice")
    );
}

// ---------------------------------------------------------------------------
// 2. Accounts
// ---------------------------------------------------------------------------

/// Creates an account through the Admin Portal; returns its row.
async fn create_account_via_api(
    app: &TestApp,
    cookie: &str,
    name: &str,
    phone: &str,
) -> client_account::Model {
    let res = app
        .call(
            "create_account",
            form(&[("name", name), ("main_phone", phone), ("address", "")]),
            Some(cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let path = location(&res).to_string();
    let new_id: i32 = path
        .strip_prefix("/admin/accounts/")
        .expect("goes to the new account's page")
        .parse()
        .unwrap();
    account_row(app, new_id).await
}

async fn a_new_accounts_identifier_is_its_phone_digits_unless_taken_in_the_organization(
    engine: Engine,
) {
    let app = app_on(engine).await;
    let alpha = staff_cookie(&app, "alpha", &app.seed.alpha_admin).await;
    let bravo = staff_cookie(&app, "bravo", &app.seed.bravo_admin).await;

    let lakeside = create_account_via_api(&app, &alpha, "Lakeside Towers", "(416) 555-0142").await;
    assert_eq!(lakeside.identifier, "4165550142");
    assert_eq!(lakeside.organization_id, app.seed.alpha.id);

    // alpha_two already has 5550002222 in alpha: a random 8-digit one.
    let twin = create_account_via_api(&app, &alpha, "Second Line", "555-000-2222").await;
    assert_ne!(twin.identifier, "5550002222");
    assert_eq!(twin.identifier.len(), 8, "{}", twin.identifier);
    assert!(twin.identifier.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(twin.main_phone.as_deref(), Some("555-000-2222"));

    // In bravo nobody has it: the phone's digits.
    let bravo_twin = create_account_via_api(&app, &bravo, "Bravo Line", "555-000-2222").await;
    assert_eq!(bravo_twin.identifier, "5550002222");
    assert_eq!(bravo_twin.organization_id, app.seed.bravo.id);

    // Without a phone: random 8 digits too.
    let plain = create_account_via_api(&app, &alpha, "No Phone Ltd", "").await;
    assert_eq!(plain.identifier.len(), 8);
    assert!(plain.identifier.chars().all(|c| c.is_ascii_digit()));

    // The creations are audited.
    let created = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("account_created"))
        .filter(audit_event::Column::OrganizationId.eq(app.seed.alpha.id))
        .filter(audit_event::Column::ActorUserId.is_not_null())
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(created, 3);

    // The page of the account shows it, for the staff of its organization only.
    let view: app::api::dto::AccountView = ok_json(
        app.call(
            "client_account",
            form(&[("id", &id(lakeside.id))]),
            Some(&alpha),
        )
        .await,
    )
    .await;
    assert_eq!(view.identifier, "4165550142");
    assert_eq!(view.portal_path, "/portal/alpha");
    assert!(view.can_manage);
    refusal(
        app.call(
            "client_account",
            form(&[("id", &id(lakeside.id))]),
            Some(&bravo),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn an_identifier_used_in_the_same_organization_is_refused_and_one_used_elsewhere_is_fine(
    engine: Engine,
) {
    let app = app_on(engine).await;
    let s = &app.seed;
    let cookie = staff_cookie(&app, "alpha", &s.alpha_admin).await;
    let admin = staff_named(&app, &s.alpha_admin).await;
    let one = s.alpha_one.id;
    let before = account_row(&app, one).await;
    let audits = last_audit_id(&app).await;

    // alpha_two's identifier, typed with punctuation.
    let err = refusal(
        app.call(
            "change_identifier",
            form(&[("id", &id(one)), ("identifier", "555-000-2222")]),
            Some(&cookie),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        err.field_message("identifier")
            .is_some_and(|m| m.contains("already has this identifier")),
        "{err:?}"
    );
    assert_eq!(account_row(&app, one).await, before, "row unchanged");
    // Not a valid identifier at all: the same field, row unchanged.
    let err = refusal(
        app.call(
            "change_identifier",
            form(&[("id", &id(one)), ("identifier", "12#4")]),
            Some(&cookie),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(err.field_message("identifier").is_some(), "{err:?}");
    assert_eq!(account_row(&app, one).await, before);
    assert!(audit_rows_after(&app, audits).await.is_empty());

    // bravo_two's identifier is fine in alpha.
    let stored: String = ok_json(
        app.call(
            "change_identifier",
            form(&[("id", &id(one)), ("identifier", "555 000 3333")]),
            Some(&cookie),
        )
        .await,
    )
    .await;
    assert_eq!(stored, "5550003333");
    let after = account_row(&app, one).await;
    assert_eq!(after.identifier, "5550003333");
    assert_eq!(after.name, before.name);
    let bravo_two = account_row(&app, s.bravo_two.id).await;
    assert_eq!(bravo_two.identifier, "5550003333", "bravo's untouched");

    let rows = audit_rows_after(&app, audits).await;
    let changed = rows
        .iter()
        .find(|e| e.action == "identifier_changed")
        .expect("identifier_changed audited");
    assert_eq!(changed.organization_id, s.alpha.id);
    assert_eq!(changed.actor_user_id, Some(admin.id));
    assert_eq!(changed.on_behalf_of_user_id, None);
    assert!(
        changed.details.contains("5550001111") && changed.details.contains("5550003333"),
        "{}",
        changed.details
    );

    // Editing the account's phone leaves its identifier alone.
    ok_json::<()>(
        app.call(
            "update_account",
            form(&[
                ("id", &id(one)),
                ("name", "Alpha One"),
                ("main_phone", "(416) 555-7777"),
                ("address", "1 Main St"),
            ]),
            Some(&cookie),
        )
        .await,
    )
    .await;
    let edited = account_row(&app, one).await;
    assert_eq!(edited.identifier, "5550003333");
    assert_eq!(edited.phone_digits, "4165557777");
    assert_eq!(edited.address.as_deref(), Some("1 Main St"));

    // The old identifier no longer opens the portal; the new one does.
    let old = app
        .client_sign_in("alpha", "5550001111", "manager", PASSWORD)
        .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = app
        .client_sign_in("alpha", "5550003333", "manager", PASSWORD)
        .await;
    assert_eq!(new.status(), StatusCode::OK);
    assert_eq!(location(&new), "/portal/alpha");
    // And bravo's account with that identifier is still bravo's.
    let bravo = app
        .client_sign_in("bravo", "5550003333", "manager", PASSWORD)
        .await;
    assert_eq!(bravo.status(), StatusCode::OK);
}

/// Every row of every page of the accounts table for one query.
async fn all_pages(
    app: &TestApp,
    cookie: &str,
    search: &str,
    sort: &str,
    dir: &str,
) -> Vec<AccountRowView> {
    let mut cursor: Option<String> = None;
    let mut rows = Vec::new();
    for _ in 0..100 {
        let mut pairs = vec![("search", search), ("sort", sort), ("dir", dir)];
        if let Some(c) = &cursor {
            pairs.push(("cursor", c));
        }
        let page: AccountListView = ok_json(
            app.call("client_accounts", form(&pairs), Some(cookie))
                .await,
        )
        .await;
        assert!(page.rows.len() <= 50, "a page has at most 50 rows");
        assert!(page.can_manage);
        let last_page = page.next_cursor.is_none();
        if !last_page {
            assert_eq!(page.rows.len(), 50, "only the last page is short");
        }
        rows.extend(page.rows);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return rows,
        }
    }
    panic!("more than 100 pages");
}

/// Seeds `n` more accounts of alpha directly: names with a run of equal
/// names, every other one without a phone.
async fn many_accounts(app: &TestApp, n: usize) {
    for i in 0..n {
        let name = if (40..60).contains(&i) {
            "Account 040".to_string()
        } else {
            format!("Account {i:03}")
        };
        accounts::create(
            &app.db,
            &app.seed.alpha,
            &accounts::NewAccount {
                name,
                main_phone: (i % 2 == 1).then(|| format!("416-555-{i:04}")),
                address: None,
            },
            None,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    }
}

async fn the_accounts_table_searches_by_name_identifier_and_phone_digits(engine: Engine) {
    let app = app_on(engine).await;
    let cookie = staff_cookie(&app, "alpha", &app.seed.alpha_admin).await;
    many_accounts(&app, 30).await;
    let lakeside = create_account_via_api(&app, &cookie, "Lakeside Towers", "(905) 555-0142").await;
    // An identifier unlike its phone, so each search proves its own column.
    let stored: String = ok_json(
        app.call(
            "change_identifier",
            form(&[("id", &id(lakeside.id)), ("identifier", "LAKE7788")]),
            Some(&cookie),
        )
        .await,
    )
    .await;
    assert_eq!(stored, "LAKE7788");
    // Its digits appear in a letters-and-digits search term: that term is
    // not a phone number, so the phone must not match.
    create_account_via_api(&app, &cookie, "Decoy Plaza", "(416) 555-7781").await;
    let find = |search: &'static str| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            all_pages(app, &cookie, search, "name", "asc")
                .await
                .into_iter()
                .map(|r| r.name)
                .collect::<Vec<_>>()
        }
    };
    for search in [
        "keside",
        "LAKESIDE tow",
        "lake77",
        "ke778",
        "905 555 0142",
        "(905) 555-0142",
        "555-0142",
    ] {
        assert_eq!(find(search).await, ["Lakeside Towers"], "search {search:?}");
    }
    // A name part that many share, in name order.
    let hits = find("account 00").await;
    assert_eq!(
        hits,
        (0..10)
            .map(|i| format!("Account {i:03}"))
            .collect::<Vec<_>>()
    );
    // Phone digits of a seeded account, typed like a phone.
    let phone_hits = all_pages(&app, &cookie, "416.555.0007", "name", "asc").await;
    assert_eq!(phone_hits.len(), 1);
    assert_eq!(phone_hits[0].main_phone.as_deref(), Some("416-555-0007"));
    // LIKE's wildcards are plain characters.
    assert!(find("%").await.is_empty());
    assert!(find("_").await.is_empty());
    // Nothing of bravo ever shows.
    assert!(find("Bravo").await.is_empty());
    // An empty search lists everything.
    assert_eq!(find("").await.len(), 2 + 30 + 2);
    // A cursor that is not one is refused, naming it.
    let err = refusal(
        app.call(
            "client_accounts",
            form(&[("cursor", "not-a-cursor")]),
            Some(&cookie),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(err.field_message("cursor").is_some(), "{err:?}");
}

async fn every_sort_and_direction_pages_through_every_account_exactly_once_in_order(
    engine: Engine,
) {
    let app = app_on(engine).await;
    let cookie = staff_cookie(&app, "alpha", &app.seed.alpha_admin).await;
    many_accounts(&app, 120).await;
    let all: HashMap<i32, client_account::Model> = client_account::Entity::find()
        .filter(client_account::Column::OrganizationId.eq(app.seed.alpha.id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    assert_eq!(all.len(), 122);
    let expected_ids: BTreeSet<i32> = all.keys().copied().collect();
    for sort in ["name", "identifier", "phone", "created"] {
        for dir in ["asc", "desc"] {
            let rows = all_pages(&app, &cookie, "", sort, dir).await;
            let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
            let unique: BTreeSet<i32> = ids.iter().copied().collect();
            assert_eq!(unique.len(), ids.len(), "{sort} {dir}: an account twice");
            assert_eq!(unique, expected_ids, "{sort} {dir}: every account");
            let key = |id: i32| {
                let a = &all[&id];
                let value = match sort {
                    "name" => a.name_key.clone(),
                    "identifier" => a.identifier.clone(),
                    "phone" => a.phone_digits.clone(),
                    _ => String::new(),
                };
                (value, id)
            };
            for pair in ids.windows(2) {
                let (a, b) = (key(pair[0]), key(pair[1]));
                if dir == "asc" {
                    assert!(a < b, "{sort} {dir}: {a:?} before {b:?}");
                } else {
                    assert!(a > b, "{sort} {dir}: {a:?} before {b:?}");
                }
            }
        }
    }
    // A search pages too: 60 accounts have a phone starting 416-555.
    let rows = all_pages(&app, &cookie, "416-555", "phone", "desc").await;
    assert_eq!(rows.len(), 60);
    let unique: BTreeSet<i32> = rows.iter().map(|r| r.id).collect();
    assert_eq!(unique.len(), 60);
}

// ---------------------------------------------------------------------------
// 3. Emulation
// ---------------------------------------------------------------------------

async fn emulation_rotates_the_session_and_acts_as_the_account_manager_on_behalf_of_staff(
    engine: Engine,
) {
    let app = app_on(engine).await;
    let s = &app.seed;
    let one = s.alpha_one.id;
    let admin = staff_named(&app, &s.alpha_admin).await;
    let manager = manager_of(&app, &s.alpha_one).await;
    let before = staff_cookie(&app, "alpha", &s.alpha_admin).await;
    let audits = last_audit_id(&app).await;

    let res = app
        .call(
            "start_emulation",
            form(&[("account", &id(one))]),
            Some(&before),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(location(&res), "/portal/alpha");
    let emulating = session_cookie(&res);
    assert_ne!(emulating, before, "a new session");
    // The old cookie is worth nothing now.
    for endpoint in ["client_accounts", "office_staff"] {
        let res = app.call(endpoint, String::new(), Some(&before)).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{endpoint}");
    }
    let sessions = session::Entity::find()
        .filter(session::Column::UserId.eq(admin.id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].emulated_user_id, Some(manager.id));

    // The Account Manager's own page works, with the banner.
    let list: OfficeStaffListView = ok_json(
        app.call("office_staff", String::new(), Some(&emulating))
            .await,
    )
    .await;
    assert_eq!(list.account_name, "Alpha One");
    assert!(list.may_grant_modify && list.may_grant_delete);
    assert_eq!(
        list.frame.emulation,
        Some(EmulationView {
            staff_name: "Ada K. Alpha Security Admin".into(),
            account_manager: "Manny Of Alpha One".into(),
            account: "Alpha One".into(),
        })
    );
    // The Admin Portal waits until the emulation stops.
    let err = refusal(
        app.call("client_accounts", String::new(), Some(&emulating))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(matches!(err, AppError::Emulating { .. }), "{err:?}");
    // No emulation inside an emulation.
    for account in [one, s.alpha_two.id] {
        let err = refusal(
            app.call(
                "start_emulation",
                form(&[("account", &id(account))]),
                Some(&emulating),
            )
            .await,
            StatusCode::CONFLICT,
        )
        .await;
        assert!(matches!(err, AppError::Emulating { .. }), "{err:?}");
    }
    // Nobody changes the Account Manager's password for them.
    let manager_before = user_row(&app, manager.id).await;
    let err = refusal(
        app.call(
            "change_password",
            form(&[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ]),
            Some(&emulating),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(matches!(err, AppError::Emulating { .. }), "{err:?}");
    refusal(
        app.call("password_form", String::new(), Some(&emulating))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(user_row(&app, manager.id).await, manager_before);

    // What the emulating staff member does is theirs, on behalf of the
    // Account Manager.
    let created: i32 = ok_json(
        app.call(
            "create_office_staff",
            form(&[
                ("first_name", "Otto"),
                ("last_name", "Helper"),
                ("username", "otto"),
                ("password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
                ("can_modify", "on"),
            ]),
            Some(&emulating),
        )
        .await,
    )
    .await;
    let otto = user_row(&app, created).await;
    assert_eq!(otto.client_account_id, Some(one));
    assert!(otto.can_modify && !otto.can_delete && otto.must_change_password);
    let rights = audit_rows_after(&app, audits)
        .await
        .into_iter()
        .find(|e| e.action == "rights_changed" && e.target_user_id == Some(created))
        .expect("the new user's rights are audited");
    assert_eq!(rights.actor_user_id, Some(admin.id));
    assert_eq!(rights.on_behalf_of_user_id, Some(manager.id));

    // Stopping rotates the session again and goes back to the account.
    let res = app
        .call("stop_emulation", String::new(), Some(&emulating))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        location(&res),
        format!("/admin/accounts/{one}/account-manager")
    );
    let after = session_cookie(&res);
    assert_ne!(after, emulating);
    assert_ne!(after, before);
    assert_eq!(
        app.call("office_staff", String::new(), Some(&emulating))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call("client_accounts", String::new(), Some(&after))
            .await
            .status(),
        StatusCode::OK
    );
    // Stopping twice is a conflict, not an error of the server.
    refusal(
        app.call("stop_emulation", String::new(), Some(&after))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    let sessions = session::Entity::find()
        .filter(session::Column::UserId.eq(admin.id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].emulated_user_id, None);

    // The Account Manager page names who did it, as whom.
    let view: AccountManagerView = ok_json(
        app.call(
            "account_manager",
            form(&[("account", &id(one))]),
            Some(&after),
        )
        .await,
    )
    .await;
    assert_eq!(view.manager.as_ref().map(|m| m.id), Some(manager.id));
    let entry = view
        .office_staff
        .iter()
        .find(|u| u.id == created)
        .expect("listed");
    let latest = entry.latest_activity.as_ref().expect("has activity");
    assert_eq!(
        latest.by,
        "Ada K. Alpha Security Admin as Manny Of Alpha One"
    );

    // Both ends of the emulation are audited.
    let rows = audit_rows_after(&app, audits).await;
    for action in ["emulation_started", "emulation_stopped"] {
        let e = rows
            .iter()
            .find(|e| e.action == action)
            .unwrap_or_else(|| panic!("{action} audited"));
        assert_eq!(e.actor_user_id, Some(admin.id), "{action}");
        assert_eq!(e.on_behalf_of_user_id, Some(manager.id), "{action}");
        assert_eq!(e.target_user_id, Some(manager.id), "{action}");
        assert_eq!(e.organization_id, s.alpha.id, "{action}");
    }
}

async fn only_account_managing_staff_of_the_same_organization_may_emulate(engine: Engine) {
    let app = app_on(engine).await;
    let s = &app.seed;
    let one = s.alpha_one.id;
    let plain = add_staff(&app, StaffRole::Staff, "Plain").await;
    let broker = add_staff(&app, StaffRole::Broker, "Broker").await;
    let plain_cookie = staff_cookie(&app, "alpha", &plain.username).await;
    let bravo_cookie = staff_cookie(&app, "bravo", &s.bravo_admin).await;
    let start = |cookie: Option<String>| {
        let app = &app;
        async move {
            app.call(
                "start_emulation",
                form(&[("account", &id(one))]),
                cookie.as_deref(),
            )
            .await
        }
    };
    let before = world(&app).await;
    let err = refusal(
        start(Some(plain_cookie.clone())).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(err, AppError::Forbidden);
    let err = refusal(
        start(Some(bravo_cookie.clone())).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(err, AppError::NotFound);
    refusal(start(None).await, StatusCode::UNAUTHORIZED).await;
    assert_unchanged(&before, &world(&app).await, "refused emulations");
    // The refused callers' sessions still work as before.
    for cookie in [&plain_cookie, &bravo_cookie] {
        assert_eq!(
            app.call("client_accounts", String::new(), Some(cookie))
                .await
                .status(),
            StatusCode::OK
        );
    }
    // A Broker may.
    let broker_cookie = staff_cookie(&app, "alpha", &broker.username).await;
    let res = start(Some(broker_cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(location(&res), "/portal/alpha");
    let emulating = session_cookie(&res);
    let list: OfficeStaffListView = ok_json(
        app.call("office_staff", String::new(), Some(&emulating))
            .await,
    )
    .await;
    assert_eq!(list.account_name, "Alpha One");
}

async fn everything_done_while_emulating_is_audited_on_behalf_of_the_account_manager(
    engine: Engine,
) {
    let app = app_on(engine).await;
    let s = &app.seed;
    let admin = staff_named(&app, &s.alpha_admin).await;
    let manager = manager_of(&app, &s.alpha_one).await;
    let cookie = staff_cookie(&app, "alpha", &s.alpha_admin).await;
    let res = app
        .call(
            "start_emulation",
            form(&[("account", &id(s.alpha_one.id))]),
            Some(&cookie),
        )
        .await;
    let emulating = session_cookie(&res);
    let audits = last_audit_id(&app).await;
    let created: i32 = ok_json(
        app.call(
            "create_office_staff",
            form(&[
                ("first_name", "Otto"),
                ("last_name", "Helper"),
                ("username", "otto"),
                ("password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ]),
            Some(&emulating),
        )
        .await,
    )
    .await;
    ok_json::<()>(
        app.call(
            "reset_office_staff_password",
            form(&[
                ("user", &id(created)),
                ("password", "Harbour-Light-8"),
                ("confirm_password", "Harbour-Light-8"),
            ]),
            Some(&emulating),
        )
        .await,
    )
    .await;
    ok_json::<i32>(
        app.call(
            "add_report",
            form(&[("title", "Night patrol"), ("body", "All quiet.")]),
            Some(&emulating),
        )
        .await,
    )
    .await;
    let rows = audit_rows_after(&app, audits).await;
    assert!(rows.len() >= 4, "{rows:#?}");
    for e in &rows {
        assert_eq!(
            (e.actor_user_id, e.on_behalf_of_user_id),
            (Some(admin.id), Some(manager.id)),
            "{} ({}) names the staff member acting for the Account Manager",
            e.action,
            e.details
        );
    }
}

// ---------------------------------------------------------------------------
// 4. Rights take effect at the next request
// ---------------------------------------------------------------------------

/// An office staff user created by the Account Manager through the API, who
/// then signs in and replaces the initial password. Returns (id, cookie).
async fn office_staff_signed_in(
    app: &TestApp,
    manager_cookie: &str,
    username: &str,
    rights: &[(&str, &str)],
) -> (i32, String) {
    let mut pairs = vec![
        ("first_name", "Olive"),
        ("last_name", "Clerk"),
        ("username", username),
        ("password", NEW_PASSWORD),
        ("confirm_password", NEW_PASSWORD),
    ];
    pairs.extend_from_slice(rights);
    let user: i32 = ok_json(
        app.call("create_office_staff", form(&pairs), Some(manager_cookie))
            .await,
    )
    .await;
    let res = app
        .client_sign_in(
            "alpha",
            &app.seed.alpha_one.identifier,
            username,
            NEW_PASSWORD,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut cookie = session_cookie(&res);
    let res = app
        .call(
            "change_password",
            form(&[
                ("current_password", NEW_PASSWORD),
                ("new_password", "Harbour-Light-8"),
                ("confirm_password", "Harbour-Light-8"),
            ]),
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    if let Some(c) = new_session(&res) {
        cookie = c;
    }
    (user, cookie)
}

async fn revoked_rights_stop_the_very_next_request_of_the_same_session(engine: Engine) {
    let app = app_on(engine).await;
    let manager = client_cookie(&app, "alpha", &app.seed.alpha_one, "manager").await;
    let (clerk, cookie) = office_staff_signed_in(
        &app,
        &manager,
        "clerk",
        &[("can_modify", "on"), ("can_delete", "on")],
    )
    .await;
    let add = |title: &'static str| {
        let app = &app;
        let manager = manager.clone();
        async move {
            ok_json::<i32>(
                app.call(
                    "add_report",
                    form(&[("title", title), ("body", "Original text.")]),
                    Some(&manager),
                )
                .await,
            )
            .await
        }
    };
    let report = add("Gate log").await;
    let doomed = add("Old log").await;
    let update = |title: &'static str| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            app.call(
                "update_report",
                form(&[
                    ("id", &id(report)),
                    ("title", title),
                    ("body", "Edited by the clerk."),
                ]),
                Some(&cookie),
            )
            .await
        }
    };
    let delete = |doc: i32| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            app.call("delete_document", form(&[("id", &id(doc))]), Some(&cookie))
                .await
        }
    };
    let set_rights = |rights: &'static [(&'static str, &'static str)]| {
        let app = &app;
        let manager = manager.clone();
        async move {
            let mut pairs = vec![("user", id(clerk))];
            pairs.extend(rights.iter().map(|(k, v)| (*k, v.to_string())));
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            ok_json::<()>(
                app.call("set_office_staff_rights", form(&pairs), Some(&manager))
                    .await,
            )
            .await
        }
    };

    assert_eq!(update("Gate log (edited)").await.status(), StatusCode::OK);
    let edited = document_row(&app, report).await.unwrap();
    assert_eq!(edited.title, "Gate log (edited)");
    assert_eq!(edited.modified_by_user_id, Some(clerk));

    // The Account Manager revokes can_modify (keeping can_delete).
    set_rights(&[("can_delete", "on")]).await;
    let row = user_row(&app, clerk).await;
    assert!(!row.can_modify && row.can_delete);
    let err = refusal(update("Hijacked").await, StatusCode::FORBIDDEN).await;
    assert_eq!(err, AppError::Forbidden);
    assert_eq!(document_row(&app, report).await.unwrap(), edited);
    // The same session still reads, and may still delete.
    let docs: DocumentsView =
        ok_json(app.call("documents", String::new(), Some(&cookie)).await).await;
    assert!(!docs.can_modify && docs.can_delete);
    assert_eq!(delete(doomed).await.status(), StatusCode::OK);
    assert!(document_row(&app, doomed).await.is_none());

    // Then can_delete too.
    set_rights(&[]).await;
    let err = refusal(delete(report).await, StatusCode::FORBIDDEN).await;
    assert_eq!(err, AppError::Forbidden);
    assert_eq!(document_row(&app, report).await.unwrap(), edited);

    // An office staff user cannot grant themself anything.
    let err = refusal(
        app.call(
            "set_office_staff_rights",
            form(&[("user", &id(clerk)), ("can_modify", "on")]),
            Some(&cookie),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(err, AppError::Forbidden);
    let row = user_row(&app, clerk).await;
    assert!(!row.can_modify && !row.can_delete);

    // Granted again, it works again at once.
    set_rights(&[("can_modify", "on")]).await;
    assert_eq!(update("Gate log (again)").await.status(), StatusCode::OK);
}

async fn an_account_manager_cannot_touch_office_staff_of_another_account(engine: Engine) {
    let app = app_on(engine).await;
    let s = &app.seed;
    let clerk = add_office_staff(&app, &s.alpha_one, "clerk", false, false).await;
    let other = client_cookie(&app, "alpha", &s.alpha_two, "manager").await;
    let bravo = client_cookie(&app, "bravo", &s.bravo_one, "manager").await;
    let before = world(&app).await;
    for cookie in [&other, &bravo] {
        for (endpoint, body) in [
            (
                "set_office_staff_rights",
                form(&[
                    ("user", &id(clerk.id)),
                    ("can_modify", "on"),
                    ("can_delete", "on"),
                ]),
            ),
            (
                "set_office_staff_active",
                form(&[("user", &id(clerk.id)), ("active", "false")]),
            ),
            (
                "reset_office_staff_password",
                form(&[
                    ("user", &id(clerk.id)),
                    ("password", NEW_PASSWORD),
                    ("confirm_password", NEW_PASSWORD),
                ]),
            ),
        ] {
            let err = refusal(
                app.call(endpoint, body, Some(cookie)).await,
                StatusCode::NOT_FOUND,
            )
            .await;
            assert_eq!(err, AppError::NotFound, "{endpoint}");
        }
        // Nor an Account Manager (who is not office staff).
        let manager = manager_of(&app, &s.alpha_one).await;
        refusal(
            app.call(
                "set_office_staff_active",
                form(&[("user", &id(manager.id)), ("active", "false")]),
                Some(cookie),
            )
            .await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    assert_unchanged(&before, &world(&app).await, "other account's manager");
    // Their own list does not show the clerk.
    let list: OfficeStaffListView =
        ok_json(app.call("office_staff", String::new(), Some(&other)).await).await;
    assert_eq!(list.account_name, "Alpha Two");
    assert!(list.staff.iter().all(|u| u.id != clerk.id));
    // Their own Account Manager may.
    let own = client_cookie(&app, "alpha", &s.alpha_one, "manager").await;
    ok_json::<()>(
        app.call(
            "set_office_staff_rights",
            form(&[("user", &id(clerk.id)), ("can_modify", "on")]),
            Some(&own),
        )
        .await,
    )
    .await;
    assert!(user_row(&app, clerk.id).await.can_modify);
}

async fn disabling_office_staff_ends_their_session_at_once(engine: Engine) {
    let app = app_on(engine).await;
    let s = &app.seed;
    let clerk = add_office_staff(&app, &s.alpha_one, "clerk", true, false).await;
    let cookie = client_cookie(&app, "alpha", &s.alpha_one, "clerk").await;
    let manager = client_cookie(&app, "alpha", &s.alpha_one, "manager").await;
    assert_eq!(
        app.call("documents", String::new(), Some(&cookie))
            .await
            .status(),
        StatusCode::OK
    );
    ok_json::<()>(
        app.call(
            "set_office_staff_active",
            form(&[("user", &id(clerk.id)), ("active", "false")]),
            Some(&manager),
        )
        .await,
    )
    .await;
    assert!(!user_row(&app, clerk.id).await.active);
    let err = refusal(
        app.call("documents", String::new(), Some(&cookie)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(err, AppError::SignInRequired);
    assert_eq!(
        app.client_sign_in("alpha", &s.alpha_one.identifier, "clerk", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let disabled = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("user_disabled"))
        .filter(audit_event::Column::TargetUserId.eq(clerk.id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(disabled, 1);
    // Enabled again, they may sign in again.
    ok_json::<()>(
        app.call(
            "set_office_staff_active",
            form(&[("user", &id(clerk.id)), ("active", "true")]),
            Some(&manager),
        )
        .await,
    )
    .await;
    assert_eq!(
        app.client_sign_in("alpha", &s.alpha_one.identifier, "clerk", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

// ---------------------------------------------------------------------------
// 5. Documents
// ---------------------------------------------------------------------------

async fn the_documents_list_names_who_created_and_changed_each_document(engine: Engine) {
    let app = app_on(engine).await;
    let s = &app.seed;
    let one = s.alpha_one.id;
    let admin = staff_named(&app, &s.alpha_admin).await;
    let manager_row = manager_of(&app, &s.alpha_one).await;
    let manager = client_cookie(&app, "alpha", &s.alpha_one, "manager").await;
    let staff = staff_cookie(&app, "alpha", &s.alpha_admin).await;

    let gate: i32 = ok_json(
        app.call(
            "add_report",
            form(&[("title", "Gate log"), ("body", "Gate 3 open.")]),
            Some(&manager),
        )
        .await,
    )
    .await;
    ok_json::<()>(
        app.call(
            "update_report",
            form(&[
                ("id", &id(gate)),
                ("title", "Gate log"),
                ("body", "Gate 3 open; closed at 02:15."),
            ]),
            Some(&staff),
        )
        .await,
    )
    .await;
    // Added while emulating.
    let res = app
        .call(
            "start_emulation",
            form(&[("account", &id(one))]),
            Some(&staff),
        )
        .await;
    let emulating = session_cookie(&res);
    let night: i32 = ok_json(
        app.call(
            "add_report",
            form(&[("title", "Night patrol"), ("body", "All quiet.")]),
            Some(&emulating),
        )
        .await,
    )
    .await;
    let row = document_row(&app, night).await.unwrap();
    assert_eq!(row.created_by_user_id, Some(admin.id));
    assert_eq!(row.created_for_user_id, Some(manager_row.id));
    assert_eq!(row.client_account_id, Some(one));

    // The Account Manager's list and the staff list say the same.
    let staff = session_cookie(
        &app.call("stop_emulation", String::new(), Some(&emulating))
            .await,
    );
    for (cookie, body) in [
        (&manager, String::new()),
        (&staff, form(&[("account", &id(one))])),
    ] {
        let view: DocumentsView = ok_json(app.call("documents", body, Some(cookie)).await).await;
        assert_eq!(view.account_id, one);
        assert!(view.can_add && view.can_modify && view.can_delete);
        let titles: Vec<&str> = view.documents.iter().map(|d| d.title.as_str()).collect();
        assert_eq!(titles, ["Night patrol", "Gate log"], "newest first");
        let night = &view.documents[0];
        assert_eq!(
            night.created_by,
            "Ada K. Alpha Security Admin as Manny Of Alpha One"
        );
        assert_eq!(
            night.modified_by,
            "Ada K. Alpha Security Admin as Manny Of Alpha One"
        );
        assert!(!night.is_pdf);
        let gate = &view.documents[1];
        assert_eq!(gate.created_by, "Manny Of Alpha One");
        assert_eq!(gate.modified_by, "Ada K. Alpha Security Admin");
        assert_eq!(gate.body, "Gate 3 open; closed at 02:15.");
    }
    // A staff list names the account; without one there is nothing to show.
    refusal(
        app.call("documents", String::new(), Some(&staff)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The other account's manager sees none of it.
    let other = client_cookie(&app, "alpha", &s.alpha_two, "manager").await;
    let view: DocumentsView =
        ok_json(app.call("documents", String::new(), Some(&other)).await).await;
    assert!(view.documents.is_empty());
}

async fn a_pdf_is_stored_under_a_generated_name_and_downloads_as_an_attachment(engine: Engine) {
    let app = app_on(engine).await;
    let s = &app.seed;
    let one = s.alpha_one.id;
    let staff = staff_cookie(&app, "alpha", &s.alpha_admin).await;
    let manager = client_cookie(&app, "alpha", &s.alpha_one, "manager").await;
    let mut up = Upload::pdf(Some(one));
    up.bytes = pdf_bytes(10_000, 7);
    let doc = uploaded(upload(&app, Some(&staff), &up).await).await;

    let files = stored_files(&app);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(is_generated_pdf_name(&files[0]), "{files:?}");
    assert!(!files[0].contains("Quarterly"));
    assert_eq!(
        std::fs::read(app.files_dir.join(&files[0])).unwrap(),
        up.bytes
    );
    let row = document_row(&app, doc).await.unwrap();
    assert_eq!(row.kind, "pdf");
    assert_eq!(row.stored_name.as_deref(), Some(files[0].as_str()));
    assert_eq!(row.file_name.as_deref(), Some("Quarterly report.pdf"));
    assert_eq!(row.title, "Quarterly report.pdf");
    assert_eq!(row.size_bytes, Some(10_000));
    assert_eq!(
        row.issue_date.map(|d| d.to_string()).as_deref(),
        Some("2024-03-15")
    );
    assert_eq!(row.business_purpose.as_deref(), Some("Annual renewal"));
    assert_eq!(row.document_type.as_deref(), Some("Certificate"));
    assert_eq!(row.client_account_id, Some(one));

    // Its Account Manager downloads it.
    let res = download(&app, doc, Some(&manager)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
    let disposition = h[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"Quarterly report.pdf\""),
        "{disposition}"
    );
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(res.bytes().await.unwrap().as_ref(), up.bytes.as_slice());

    // The Account Manager uploads without naming the account: their own.
    let mut own = Upload::pdf(None);
    own.file_name = "../../etc/passwd".into();
    let doc2 = uploaded(upload(&app, Some(&manager), &own).await).await;
    let row2 = document_row(&app, doc2).await.unwrap();
    assert_eq!(row2.client_account_id, Some(one));
    assert_eq!(row2.file_name.as_deref(), Some("passwd.pdf"));
    let files = stored_files(&app);
    assert_eq!(files.len(), 2);
    assert!(files.iter().all(|f| is_generated_pdf_name(f)), "{files:?}");

    // The list shows the PDF's details.
    let view: DocumentsView =
        ok_json(app.call("documents", String::new(), Some(&manager)).await).await;
    let listed = view.documents.iter().find(|d| d.id == doc).unwrap();
    assert!(listed.is_pdf);
    assert_eq!(listed.size_bytes, Some(10_000));
    assert_eq!(listed.issue_date.as_deref(), Some("2024-03-15"));
    assert_eq!(view.max_upload_bytes, app.max_upload_bytes);

    // Deleting the document removes its file.
    ok_json::<()>(
        app.call("delete_document", form(&[("id", &id(doc))]), Some(&manager))
            .await,
    )
    .await;
    assert!(!stored_files(&app).contains(&row.stored_name.clone().unwrap()));
    assert_eq!(
        download(&app, doc, Some(&manager)).await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn a_file_name_cannot_disguise_itself_and_downloads_open_sandboxed(engine: Engine) {
    let app = app_on(engine).await;
    let s = &app.seed;
    let manager = client_cookie(&app, "alpha", &s.alpha_one, "manager").await;
    // A right-to-left override makes "invoice\u{202E}fdp.exe" read as
    // "invoiceexe.pdf"; an isolate and a zero-width space hide in the rest.
    let mut up = Upload::pdf(None);
    up.file_name = "invoice\u{202E}fdp.exe\u{2066}\u{200B}".into();
    let doc = uploaded(upload(&app, Some(&manager), &up).await).await;
    let row = document_row(&app, doc).await.unwrap();
    assert_eq!(row.file_name.as_deref(), Some("invoicefdp.exe.pdf"));
    assert_eq!(row.title, "invoicefdp.exe.pdf");

    let res = download(&app, doc, Some(&manager)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    // Opened in the browser rather than saved, the file runs in a sandbox;
    // the page policy does not replace it.
    assert_eq!(h[header::CONTENT_SECURITY_POLICY], "sandbox");
    assert!(h[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .ends_with("filename*=UTF-8''invoicefdp.exe.pdf"));

    // A name stored before the rule (written here straight to the row) is
    // cleaned where it is shown and where it is downloaded.
    let mut legacy = row.into_active_model();
    legacy.title = Set("report\u{202E}fdp.scr".into());
    legacy.file_name = Set(Some("report\u{202E}fdp.scr".into()));
    legacy.update(&app.db).await.unwrap();
    let view: DocumentsView =
        ok_json(app.call("documents", String::new(), Some(&manager)).await).await;
    let listed = view.documents.iter().find(|d| d.id == doc).unwrap();
    assert_eq!(listed.title, "reportfdp.scr");
    let res = download(&app, doc, Some(&manager)).await;
    let disposition = res.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.ends_with("filename*=UTF-8''reportfdp.scr"),
        "{disposition}"
    );
    assert!(!disposition.contains("%E2%80%AE"), "{disposition}");

    // Report titles lose them too.
    let created = app
        .call(
            "add_report",
            form(&[("title", "Gate\u{202E}3 log"), ("body", "ok")]),
            Some(&manager),
        )
        .await;
    assert_eq!(
        created.status(),
        StatusCode::OK,
        "{}",
        created.text().await.unwrap()
    );
    let view: DocumentsView =
        ok_json(app.call("documents", String::new(), Some(&manager)).await).await;
    assert!(
        view.documents.iter().any(|d| d.title == "Gate3 log"),
        "{:?}",
        view.documents.iter().map(|d| &d.title).collect::<Vec<_>>()
    );
}

async fn long_lists_of_documents_and_office_staff_come_in_pages(engine: Engine) {
    let app = app_on(engine).await;
    let s = &app.seed;
    let one = s.alpha_one.id;
    let manager = client_cookie(&app, "alpha", &s.alpha_one, "manager").await;
    let staff = staff_cookie(&app, "alpha", &s.alpha_admin).await;
    let bravo = client_cookie(&app, "bravo", &s.bravo_one, "manager").await;

    // 55 reports: 50 on the first page, newest first, then the other 5.
    for i in 0..55 {
        let title = format!("Patrol log {i:02}");
        let res = app
            .call(
                "add_report",
                form(&[("title", &title), ("body", "ok")]),
                Some(&manager),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let first: DocumentsView =
        ok_json(app.call("documents", String::new(), Some(&manager)).await).await;
    assert_eq!(first.documents.len(), 50);
    assert_eq!((first.total, first.first_shown), (55, 1));
    assert_eq!(first.documents[0].title, "Patrol log 54");
    let older = first.older.expect("more follow");
    assert_eq!(older, first.documents[49].id);
    let second: DocumentsView = ok_json(
        app.call("documents", form(&[("before", &id(older))]), Some(&manager))
            .await,
    )
    .await;
    assert_eq!(second.documents.len(), 5);
    assert_eq!(
        (second.total, second.first_shown, second.older),
        (55, 51, None)
    );
    assert_eq!(second.documents[4].title, "Patrol log 00");
    let seen: BTreeSet<i32> = first
        .documents
        .iter()
        .chain(&second.documents)
        .map(|d| d.id)
        .collect();
    assert_eq!(seen.len(), 55, "no row twice, none skipped");
    // Staff page through the same account the same way.
    let by_staff: DocumentsView = ok_json(
        app.call(
            "documents",
            form(&[("account", &id(one)), ("before", &id(older))]),
            Some(&staff),
        )
        .await,
    )
    .await;
    assert_eq!(by_staff.documents, second.documents);
    // Another organization's manager, handed alpha's cursor, pages only
    // through their own documents (all newer than it, so none match).
    for title in ["Bravo log 1", "Bravo log 2"] {
        app.call(
            "add_report",
            form(&[("title", title), ("body", "ok")]),
            Some(&bravo),
        )
        .await;
    }
    let theirs: DocumentsView = ok_json(
        app.call("documents", form(&[("before", &id(older))]), Some(&bravo))
            .await,
    )
    .await;
    assert_eq!(theirs.total, 2);
    assert!(theirs.documents.is_empty(), "{:?}", theirs.documents);
    let theirs: DocumentsView =
        ok_json(app.call("documents", String::new(), Some(&bravo)).await).await;
    assert_eq!(theirs.documents.len(), 2);
    assert!(theirs
        .documents
        .iter()
        .all(|d| d.title.starts_with("Bravo")));

    // 53 office staff: pages of 50 by last name, first name, id. Many share
    // a whole name, so the id decides between them, across the page break
    // too.
    let hash = common::hasher().hash(PASSWORD.into()).await.unwrap();
    let mut expected = Vec::new();
    for i in 0..53 {
        let (first, last) = (
            format!("Pat {}", (52 - i) / 7),
            ["Zed", "Abel", "Mora"][i % 3],
        );
        let u = users::insert_client(
            &app.db,
            &s.alpha_one,
            &users::NewClientUser {
                username: format!("clerk{i:02}"),
                first_name: first.clone(),
                last_name: last.into(),
                email: None,
                role: ClientRole::OfficeStaff,
                must_change_password: false,
            },
            hash.clone(),
            None,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        expected.push((last.to_string(), first, u.id));
    }
    expected.sort();
    let page1: OfficeStaffListView = ok_json(
        app.call("office_staff", String::new(), Some(&manager))
            .await,
    )
    .await;
    assert_eq!(page1.staff.len(), 50);
    assert_eq!((page1.total, page1.first_shown), (53, 1));
    let next = page1.next.expect("more follow");
    let page2: OfficeStaffListView = ok_json(
        app.call(
            "office_staff",
            form(&[("after", &id(next))]),
            Some(&manager),
        )
        .await,
    )
    .await;
    assert_eq!(page2.staff.len(), 3);
    assert_eq!((page2.total, page2.first_shown, page2.next), (53, 51, None));
    let shown: Vec<i32> = page1
        .staff
        .iter()
        .chain(&page2.staff)
        .map(|u| u.id)
        .collect();
    let expected: Vec<i32> = expected.iter().map(|(_, _, id)| *id).collect();
    assert_eq!(shown, expected, "by last name, then first name, then id");
    // The other organization's manager, handed alpha's cursor, sees their
    // own office staff from the top.
    add_office_staff(&app, &s.bravo_one, "bclerk", false, false).await;
    let theirs: OfficeStaffListView = ok_json(
        app.call("office_staff", form(&[("after", &id(next))]), Some(&bravo))
            .await,
    )
    .await;
    assert_eq!((theirs.total, theirs.first_shown), (1, 1));
    assert_eq!(theirs.staff.len(), 1);
    assert_eq!(theirs.staff[0].username, "bclerk");

    // The staff overview shows the first 50 and says how many there are.
    let overview: AccountManagerView = ok_json(
        app.call(
            "account_manager",
            form(&[("account", &id(one))]),
            Some(&staff),
        )
        .await,
    )
    .await;
    assert_eq!(overview.office_staff.len(), 50);
    assert_eq!(overview.office_staff_total, 53);
    assert!(overview.manager.is_some());
}

async fn uploads_that_are_not_pdfs_or_have_bad_details_are_refused_and_leave_no_file(
    engine: Engine,
) {
    let app = app_on(engine).await;
    let s = &app.seed;
    let manager = client_cookie(&app, "alpha", &s.alpha_one, "manager").await;
    let before = world(&app).await;

    let mut not_pdf = Upload::pdf(None);
    not_pdf.file_name = "report.pdf".into();
    not_pdf.bytes = b"<html><script>alert(1)</script></html>".repeat(100);
    let err = refusal(
        upload(&app, Some(&manager), &not_pdf).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        err.field_message("file")
            .is_some_and(|m| m.contains("not a PDF")),
        "{err:?}"
    );
    assert_unchanged(&before, &world(&app).await, "not a PDF");

    // Almost a PDF: the magic is checked whole.
    let mut almost = Upload::pdf(None);
    almost.bytes = b"%PDX-1.4\n".to_vec();
    let err = refusal(
        upload(&app, Some(&manager), &almost).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(err.field_message("file").is_some(), "{err:?}");

    let mut empty = Upload::pdf(None);
    empty.bytes = Vec::new();
    let err = refusal(
        upload(&app, Some(&manager), &empty).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(err.field_message("file").is_some(), "{err:?}");

    for bad in ["2024-02-30", "15/03/2024", "", "tomorrow"] {
        let mut bad_date = Upload::pdf(None);
        bad_date.issue_date = bad.into();
        let err = refusal(
            upload(&app, Some(&manager), &bad_date).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(
            err.field_message("issue_date").is_some(),
            "{bad:?}: {err:?}"
        );
    }
    let mut no_purpose = Upload::pdf(None);
    no_purpose.business_purpose = "  ".into();
    let err = refusal(
        upload(&app, Some(&manager), &no_purpose).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(err.field_message("business_purpose").is_some(), "{err:?}");

    assert_unchanged(&before, &world(&app).await, "refused uploads");
    assert!(
        stored_files(&app).iter().all(|f| !f.ends_with(".part")),
        "no temporary file left"
    );
    assert!(stored_files(&app).is_empty());

    // A plain form post (no JSON) goes back to the page with the message.
    let res = upload_as_form(&app, &manager, &not_pdf, &app.base).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&res).starts_with("/portal/alpha/documents?upload_error="),
        "{}",
        location(&res)
    );
    assert!(stored_files(&app).is_empty());
}

/// An app whose upload limit is 64 KiB.
async fn small_limit_app(engine: Engine) -> TestApp {
    spawn_app_with(AppOptions {
        engine,
        max_upload_bytes: 64 * 1024,
        ..AppOptions::default()
    })
    .await
}

async fn an_upload_over_the_limit_is_refused_with_the_limit_and_leaves_no_file(engine: Engine) {
    let app = small_limit_app(engine).await;
    let manager = client_cookie(&app, "alpha", &app.seed.alpha_one, "manager").await;
    let before = world(&app).await;
    // Over the limit, within the route's margin for the form: the stream is
    // cut off as it passes the limit.
    let mut big = Upload::pdf(None);
    big.bytes = pdf_bytes(100 * 1024, 3);
    let err = refusal(
        upload(&app, Some(&manager), &big).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        err.field_message("file").as_deref(),
        Some("The file is larger than the limit of 64 KB."),
        "{err:?}"
    );
    assert_unchanged(&before, &world(&app).await, "too large");
    assert!(stored_files(&app).is_empty(), "{:?}", stored_files(&app));
    // Exactly the limit is fine.
    let mut exact = Upload::pdf(None);
    exact.bytes = pdf_bytes(64 * 1024, 4);
    uploaded(upload(&app, Some(&manager), &exact).await).await;
    assert_eq!(stored_files(&app).len(), 1);
}

async fn an_upload_far_over_the_limit_is_refused_with_the_limit_message(engine: Engine) {
    let app = small_limit_app(engine).await;
    let manager = client_cookie(&app, "alpha", &app.seed.alpha_one, "manager").await;
    let before = world(&app).await;
    // 200 KiB against a 64 KiB limit, sent as a browser does (with its length).
    let mut big = Upload::pdf(None);
    big.bytes = pdf_bytes(200 * 1024, 5);
    let res = upload(&app, Some(&manager), &big).await;
    assert_unchanged(&before, &world(&app).await, "far too large");
    assert!(stored_files(&app).is_empty());
    let err = refusal(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        err.field_message("file").as_deref(),
        Some("The file is larger than the limit of 64 KB."),
        "{err:?}"
    );
}

async fn an_account_at_its_storage_quota_refuses_more_and_says_how_much_is_used(engine: Engine) {
    let app = spawn_app_with(AppOptions {
        engine,
        max_upload_bytes: 64 * 1024,
        account_quota_bytes: Some(100 * 1024),
        ..AppOptions::default()
    })
    .await;
    let s = &app.seed;
    let manager = client_cookie(&app, "alpha", &s.alpha_one, "manager").await;
    let staff = staff_cookie(&app, "alpha", &s.alpha_admin).await;
    let mut first = Upload::pdf(None);
    first.bytes = pdf_bytes(60 * 1024, 1);
    let first_id = uploaded(upload(&app, Some(&manager), &first).await).await;

    // 60 KB used of 100 KB: another 50 KB does not fit, and nothing changes.
    let before = world(&app).await;
    let mut second = Upload::pdf(None);
    second.bytes = pdf_bytes(50 * 1024, 2);
    let err = refusal(
        upload(&app, Some(&manager), &second).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let message = err.field_message("file").unwrap_or_default();
    assert!(
        message.starts_with("This account's documents already take 60 KB of its 100 KB of storage"),
        "{err:?}"
    );
    assert_unchanged(&before, &world(&app).await, "over the quota");
    assert_eq!(stored_files(&app).len(), 1, "the refused file is not kept");

    // The page says how much is used.
    let view: DocumentsView =
        ok_json(app.call("documents", String::new(), Some(&manager)).await).await;
    assert_eq!(view.storage_used_bytes, 60 * 1024);
    assert_eq!(view.storage_quota_bytes, Some(100 * 1024));

    // The quota is per account: the organization's other account has room.
    let mut elsewhere = Upload::pdf(Some(s.alpha_two.id));
    elsewhere.bytes = second.bytes.clone();
    uploaded(upload(&app, Some(&staff), &elsewhere).await).await;

    // Deleting a document makes room again.
    ok_json::<()>(
        app.call(
            "delete_document",
            form(&[("id", &id(first_id))]),
            Some(&manager),
        )
        .await,
    )
    .await;
    uploaded(upload(&app, Some(&manager), &second).await).await;
}

async fn uploads_are_limited_per_user_not_per_address(engine: Engine) {
    let app = spawn_app_with(AppOptions {
        engine,
        uploads_per_minute: 3,
        ..AppOptions::default()
    })
    .await;
    let s = &app.seed;
    let manager = client_cookie(&app, "alpha", &s.alpha_one, "manager").await;
    let staff = staff_cookie(&app, "alpha", &s.alpha_admin).await;
    for _ in 0..3 {
        uploaded(upload(&app, Some(&manager), &Upload::pdf(None)).await).await;
    }
    let before = world(&app).await;
    let res = upload(&app, Some(&manager), &Upload::pdf(None)).await;
    assert!(res.headers().contains_key(header::RETRY_AFTER));
    let err = refusal(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(matches!(err, AppError::TooManyAttempts { .. }), "{err:?}");
    assert_unchanged(&before, &world(&app).await, "over the upload limit");
    // A plain form post over the limit goes back to its page with the
    // message, like any refused upload.
    let res = upload_as_form_from(
        &app,
        &manager,
        &Upload::pdf(None),
        &app.base,
        Some(&format!("{}/portal/alpha", app.base)),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers().contains_key(header::RETRY_AFTER));
    assert!(
        location(&res).starts_with("/portal/alpha?upload_error=Too%20many%20attempts"),
        "{}",
        location(&res)
    );
    assert_unchanged(
        &before,
        &world(&app).await,
        "over the upload limit, as a form",
    );
    // Another user from the same address still uploads.
    uploaded(upload(&app, Some(&staff), &Upload::pdf(Some(s.alpha_one.id))).await).await;
    // A stranger is told to sign in, not to wait.
    assert_eq!(
        upload(&app, None, &Upload::pdf(None)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn a_pdf_larger_than_two_megabytes_but_under_the_limit_is_accepted(engine: Engine) {
    let app = app_on(engine).await;
    assert_eq!(app.max_upload_bytes, 20 * 1024 * 1024);
    let manager = client_cookie(&app, "alpha", &app.seed.alpha_one, "manager").await;
    let mut big = Upload::pdf(None);
    big.bytes = pdf_bytes(3 * 1024 * 1024, 6);
    let doc = uploaded(upload(&app, Some(&manager), &big).await).await;
    let res = download(&app, doc, Some(&manager)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().len(), big.bytes.len());
}

async fn a_pdf_downloads_only_for_its_own_organization_and_account(engine: Engine) {
    let app = app_on(engine).await;
    let s = &app.seed;
    let manager = client_cookie(&app, "alpha", &s.alpha_one, "manager").await;
    let doc = uploaded(upload(&app, Some(&manager), &Upload::pdf(None)).await).await;
    let other = client_cookie(&app, "alpha", &s.alpha_two, "manager").await;
    let bravo = staff_cookie(&app, "bravo", &s.bravo_admin).await;
    let bravo_manager = client_cookie(&app, "bravo", &s.bravo_one, "manager").await;
    for (who, cookie) in [
        ("another account's manager", &other),
        ("another organization's admin", &bravo),
        ("another organization's manager", &bravo_manager),
    ] {
        let res = download(&app, doc, Some(cookie)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{who}");
        assert_ne!(
            res.headers()
                .get(header::CONTENT_TYPE)
                .map(|v| v.to_str().unwrap()),
            Some("application/pdf"),
            "{who}"
        );
        let body = res.bytes().await.unwrap();
        assert!(!body.starts_with(b"%PDF"), "{who}");
    }
    // A document that does not exist looks the same.
    let res = download(&app, doc + 1000, Some(&other)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Without a session: sign in first.
    assert_eq!(
        download(&app, doc, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // A report has no file to download.
    let report: i32 = ok_json(
        app.call(
            "add_report",
            form(&[("title", "Words only"), ("body", "")]),
            Some(&manager),
        )
        .await,
    )
    .await;
    assert_eq!(
        download(&app, report, Some(&manager)).await.status(),
        StatusCode::NOT_FOUND
    );
    // Its own account's manager may.
    assert_eq!(
        download(&app, doc, Some(&manager)).await.status(),
        StatusCode::OK
    );
}

/// Starts an emulation of alpha_one's Account Manager by alpha's User
/// Administrator; returns the emulating session's cookie.
async fn emulating_admin(app: &TestApp) -> String {
    let admin = staff_cookie(app, "alpha", &app.seed.alpha_admin).await;
    let res = app
        .call(
            "start_emulation",
            form(&[("account", &id(app.seed.alpha_one.id))]),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    session_cookie(&res)
}

async fn an_emulation_ends_when_the_account_manager_is_switched_off(engine: Engine) {
    let app = app_on(engine).await;
    let emulating = emulating_admin(&app).await;
    assert_eq!(
        app.call("office_staff", String::new(), Some(&emulating))
            .await
            .status(),
        StatusCode::OK
    );
    // The manager's login is switched off (as a User Administrator would).
    let manager = manager_of(&app, &app.seed.alpha_one).await;
    let mut row = manager.into_active_model();
    row.can_login = Set(false);
    row.update(&app.db).await.unwrap();
    // The emulating session ends: it neither goes on as the manager nor
    // quietly becomes a staff session.
    refusal(
        app.call("office_staff", String::new(), Some(&emulating))
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    refusal(
        app.call("client_accounts", String::new(), Some(&emulating))
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // And a new emulation of a switched-off manager is refused.
    let admin = staff_cookie(&app, "alpha", &app.seed.alpha_admin).await;
    let err = refusal(
        app.call(
            "start_emulation",
            form(&[("account", &id(app.seed.alpha_one.id))]),
            Some(&admin),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
}

async fn rotating_for_an_emulation_keeps_the_sessions_absolute_expiry(engine: Engine) {
    let app = app_on(engine).await;
    let admin = staff_cookie(&app, "alpha", &app.seed.alpha_admin).await;
    let admin_user = staff_named(&app, &app.seed.alpha_admin).await;
    let original = session::Entity::find()
        .filter(session::Column::UserId.eq(admin_user.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("a session");
    app.clock.advance(chrono::Duration::minutes(20));
    let res = app
        .call(
            "start_emulation",
            form(&[("account", &id(app.seed.alpha_one.id))]),
            Some(&admin),
        )
        .await;
    let emulating = session_cookie(&res);
    app.clock.advance(chrono::Duration::minutes(20));
    let res = app
        .call("stop_emulation", String::new(), Some(&emulating))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let sessions = session::Entity::find()
        .filter(session::Column::UserId.eq(admin_user.id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(sessions.len(), 1, "each rotation replaces the session");
    assert_ne!(sessions[0].id, original.id);
    assert_eq!(sessions[0].expires_at, original.expires_at);
    assert_eq!(sessions[0].created_at, original.created_at);
}

async fn an_account_has_one_account_manager_even_when_two_are_inserted(engine: Engine) {
    let app = app_on(engine).await;
    // alpha_one has its Account Manager; a second one (as a second staff
    // member's racing request would insert) is refused by the database.
    let second = users::insert_client(
        &app.db,
        &app.seed.alpha_one,
        &users::NewClientUser {
            username: "manager2".into(),
            first_name: "Second".into(),
            last_name: "Manager".into(),
            email: None,
            role: ClientRole::AccountManager,
            must_change_password: true,
        },
        "hash".into(),
        None,
        chrono::Utc::now(),
    )
    .await;
    assert!(second.is_err(), "a second Account Manager was inserted");
    let managers = user::Entity::find()
        .filter(user::Column::ClientAccountId.eq(app.seed.alpha_one.id))
        .filter(user::Column::Role.eq(ClientRole::AccountManager.as_str()))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(managers, 1);
}

async fn signing_out_while_emulating_records_the_end_of_the_emulation(engine: Engine) {
    let app = app_on(engine).await;
    let emulating = emulating_admin(&app).await;
    let before = last_audit_id(&app).await;
    let res = app.call("sign_out", String::new(), Some(&emulating)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let admin = staff_named(&app, &app.seed.alpha_admin).await;
    let manager = manager_of(&app, &app.seed.alpha_one).await;
    let rows = audit_rows_after(&app, before).await;
    let stopped = rows
        .iter()
        .find(|e| e.action == "emulation_stopped")
        .expect("the emulation's end is recorded");
    assert_eq!(stopped.actor_user_id, Some(admin.id));
    assert_eq!(stopped.on_behalf_of_user_id, Some(manager.id));
    assert!(rows.iter().any(|e| e.action == "sign_out"));
    refusal(
        app.call("office_staff", String::new(), Some(&emulating))
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

async fn signing_in_over_an_emulating_session_records_the_end_of_the_emulation(engine: Engine) {
    let app = app_on(engine).await;
    let emulating = emulating_admin(&app).await;
    let before = last_audit_id(&app).await;
    // The same browser signs in again (here: as the other organization's
    // administrator) while its session is emulating.
    let res = app
        .call(
            "staff_sign_in",
            form(&[
                ("organization", "bravo"),
                ("username", &app.seed.bravo_admin),
                ("password", PASSWORD),
            ]),
            Some(&emulating),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let fresh = session_cookie(&res);
    assert_ne!(fresh, emulating, "the session id rotates");
    let admin = staff_named(&app, &app.seed.alpha_admin).await;
    let manager = manager_of(&app, &app.seed.alpha_one).await;
    let rows = audit_rows_after(&app, before).await;
    let stopped: Vec<_> = rows
        .iter()
        .filter(|e| e.action == "emulation_stopped")
        .collect();
    assert_eq!(stopped.len(), 1, "the emulation's end is recorded once");
    assert_eq!(stopped[0].organization_id, app.seed.alpha.id);
    assert_eq!(stopped[0].actor_user_id, Some(admin.id));
    assert_eq!(stopped[0].on_behalf_of_user_id, Some(manager.id));
    assert!(rows.iter().any(|e| e.action == "sign_in"));
    // The emulating session is gone.
    refusal(
        app.call("office_staff", String::new(), Some(&emulating))
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

/// `POST /documents/upload` as a browser's plain form post does it.
async fn upload_as_form(app: &TestApp, cookie: &str, up: &Upload, origin: &str) -> Response {
    upload_as_form_from(app, cookie, up, origin, None).await
}

/// The same, from the page at `referer`.
async fn upload_as_form_from(
    app: &TestApp,
    cookie: &str,
    up: &Upload,
    origin: &str,
    referer: Option<&str>,
) -> Response {
    let (content_type, body) = up.encode();
    let mut req = app
        .http
        .post(format!("{}/documents/upload", app.base))
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT, "text/html")
        .header(header::ORIGIN, origin)
        .header(header::COOKIE, cookie);
    if let Some(r) = referer {
        req = req.header(header::REFERER, r);
    }
    req.body(body).send().await.unwrap()
}

async fn an_upload_posted_without_script_comes_back_to_the_page_with_its_outcome(engine: Engine) {
    let app = app_on(engine).await;
    let manager = client_cookie(&app, "alpha", &app.seed.alpha_one, "manager").await;
    let res = upload_as_form(&app, &manager, &Upload::pdf(None), &app.base).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/portal/alpha/documents?uploaded=1");
    let mut not_pdf = Upload::pdf(None);
    not_pdf.bytes = b"<html>not a pdf</html>".to_vec();
    let res = upload_as_form(&app, &manager, &not_pdf, &app.base).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = location(&res).to_string();
    assert!(
        back.starts_with("/portal/alpha/documents?upload_error=This%20file%20is%20not%20a%20PDF"),
        "{back}"
    );
    // The page shows the outcome it was sent back with.
    let page = app
        .get(
            &back.replace("/portal/alpha/documents", "/portal/alpha"),
            Some(&manager),
        )
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("The PDF was not uploaded: This file is not a PDF."),
        "the refusal is shown"
    );
    // A post from another site is refused before anything is read.
    let before = stored_files(&app).len();
    let res = upload_as_form(&app, &manager, &Upload::pdf(None), "https://evil.example").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(stored_files(&app).len(), before);
}
