//! HTTP tests of the Insureds server functions against the real router, on
//! SQLite and PostgreSQL: every endpoint (`insureds`, `attach_panel`,
//! `find_policies`, `attach_policy`, `remove_policy`, `register_insured`,
//! `change_insured_email`, `send_insured_reset`, `insured_edocs`, and an
//! eDoc's upload and download) against every kind of caller (User
//! Administrator, Broker, other staff, a client, another organization's
//! administrator, nobody); nothing moves on a refusal, and another
//! brokerage's insureds never show. eDoc uploads are checked like account
//! documents' (size, `%PDF-`) and their details against the CSIO lists.

mod common;

use app::{
    domain::{PersonName, StaffRole},
    server::{
        entities::{insured, policy},
        services::{
            imports::{self, Importer, Source},
            users,
        },
    },
};
use common::{
    form, session_cookie, spawn_app_with,
    uploads::{download, pdf_bytes, stored_files, upload, uploaded, Upload},
    AppOptions, Engine, TestApp, PASSWORD,
};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::path::PathBuf;

on_both_engines!(
    every_insureds_endpoint_answers_each_kind_of_caller,
    edocs_are_uploaded_checked_and_fenced,
    the_csv_export_is_for_the_organizations_client_managers_only
);

fn fixture(name: &str) -> (String, Vec<u8>) {
    let bytes = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/csio")
            .join(name),
    )
    .unwrap();
    (name.to_string(), bytes)
}

async fn insured_named(app: &TestApp, org: i32, name: &str) -> insured::Model {
    insured::Entity::find()
        .filter(insured::Column::OrganizationId.eq(org))
        .filter(insured::Column::FullName.eq(name))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

async fn holder_of(app: &TestApp, policy_id: i32) -> i32 {
    policy::Entity::find_by_id(policy_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .insured_id
}

async fn every_insureds_endpoint_answers_each_kind_of_caller(engine: Engine) {
    let app = spawn_app_with(AppOptions {
        engine,
        ..AppOptions::default()
    })
    .await;
    let alpha_admin = app::server::entities::user::Entity::find()
        .filter(app::server::entities::user::Column::Username.eq(app.seed.alpha_admin.as_str()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let by = app::server::auth::Actor::from_user(&alpha_admin).unwrap();
    imports::import_all(
        &app.db,
        Importer::Staff(&by),
        Source::Upload,
        None,
        vec![fixture("several-policies.xml")],
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let christopher = insured_named(&app, app.seed.alpha.id, "Christopher J Smith").await;
    let chris = insured_named(&app, app.seed.alpha.id, "Chris Smith").await;
    let near = policy::Entity::find()
        .filter(policy::Column::OrganizationId.eq(app.seed.alpha.id))
        .filter(policy::Column::PolicyNumber.eq("EC-HO-118822"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();

    let hash = common::hasher().hash(PASSWORD.into()).await.unwrap();
    let mut staff = Vec::new();
    for (role, last) in [(StaffRole::Broker, "Broker"), (StaffRole::Staff, "Clerk")] {
        let u = users::insert_staff(
            &app.db,
            &app.seed.alpha,
            &PersonName::parse("Nia", "", last).unwrap(),
            role,
            None,
            hash.clone(),
            false,
            None,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        staff.push(u.username);
    }
    let admin = app.staff_cookie("alpha", &app.seed.alpha_admin).await;
    let broker = app.staff_cookie("alpha", &staff[0]).await;
    let clerk = app.staff_cookie("alpha", &staff[1]).await;
    let other_admin = app.staff_cookie("bravo", &app.seed.bravo_admin).await;
    let res = app
        .client_sign_in("alpha", &app.seed.alpha_one.identifier, "manager", PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let client = session_cookie(&res);

    // The table: every staff member of the organization sees it; another
    // organization's administrator sees their own (empty) one.
    let address = format!("q=smith&insured={}", chris.id);
    for (who, cookie, expected) in [
        ("administrator", Some(&admin), StatusCode::OK),
        ("broker", Some(&broker), StatusCode::OK),
        ("clerk", Some(&clerk), StatusCode::OK),
        ("other organization", Some(&other_admin), StatusCode::OK),
        ("client", Some(&client), StatusCode::FORBIDDEN),
        ("nobody", None, StatusCode::UNAUTHORIZED),
    ] {
        let res = app
            .call(
                "insureds",
                form(&[("address", &address)]),
                cookie.map(String::as_str),
            )
            .await;
        assert_eq!(res.status(), expected, "{who} insureds");
        let body = res.text().await.unwrap();
        if who == "other organization" {
            assert!(!body.contains("Chris Smith"), "{who}: {body}");
        } else if expected == StatusCode::OK {
            assert!(body.contains("Chris Smith"), "{who}: {body}");
            assert!(body.contains("EC-HO-118822"), "{who}: {body}");
        }
    }

    // The panel's endpoints: User Administrators and Brokers of the
    // organization only; nothing moves on a refusal.
    let ids = |insured: i32| {
        vec![
            ("attach_panel", form(&[("insured", &insured.to_string())])),
            (
                "find_policies",
                form(&[("insured", &insured.to_string()), ("number", "EC-HO")]),
            ),
            (
                "attach_policy",
                form(&[
                    ("insured", &insured.to_string()),
                    ("policy", &near.id.to_string()),
                    ("confirm", "1"),
                ]),
            ),
            (
                "remove_policy",
                form(&[
                    ("insured", &chris.id.to_string()),
                    ("policy", &near.id.to_string()),
                ]),
            ),
        ]
    };
    for (who, cookie) in [
        ("clerk", Some(&clerk)),
        ("other organization", Some(&other_admin)),
        ("client", Some(&client)),
        ("nobody", None),
    ] {
        for (endpoint, body) in ids(christopher.id) {
            let res = app.call(endpoint, body, cookie.map(String::as_str)).await;
            assert!(
                matches!(
                    res.status(),
                    StatusCode::NOT_FOUND | StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED
                ),
                "{who} {endpoint}: {}",
                res.status()
            );
            let text = res.text().await.unwrap();
            assert!(!text.contains("Chris"), "{who} {endpoint}: {text}");
        }
    }
    assert_eq!(holder_of(&app, near.id).await, chris.id, "nothing moved");

    // The broker finds the policy and attaches it; the administrator
    // removes it again.
    let res = app
        .call(
            "find_policies",
            form(&[
                ("insured", &christopher.id.to_string()),
                ("number", "echo-118"),
            ]),
            Some(&broker),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("EC-HO-118822"));
    let res = app
        .call(
            "attach_policy",
            form(&[
                ("insured", &christopher.id.to_string()),
                ("policy", &near.id.to_string()),
            ]),
            Some(&broker),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(holder_of(&app, near.id).await, christopher.id);
    let res = app
        .call(
            "remove_policy",
            form(&[
                ("insured", &christopher.id.to_string()),
                ("policy", &near.id.to_string()),
            ]),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(holder_of(&app, near.id).await, chris.id);
    // A search term with a NUL in it is no error.
    let res = app
        .call("insureds", form(&[("address", "q=smi%00th")]), Some(&admin))
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // Registering: the same callers are refused, and nothing is written.
    let registration = |email: &str, confirmed: bool| {
        let mut fields = vec![
            ("insured", christopher.id.to_string()),
            ("email", email.to_string()),
        ];
        if confirmed {
            fields.push(("confirmed", "1".to_string()));
        }
        form(
            &fields
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
    };
    for (who, cookie) in [
        ("clerk", Some(&clerk)),
        ("other organization", Some(&other_admin)),
        ("client", Some(&client)),
        ("nobody", None),
    ] {
        for (endpoint, body) in [
            ("register_insured", registration("chris@example.com", true)),
            (
                "change_insured_email",
                form(&[
                    ("insured", &christopher.id.to_string()),
                    ("email", "x@example.com"),
                ]),
            ),
            (
                "send_insured_reset",
                form(&[("insured", &christopher.id.to_string())]),
            ),
        ] {
            let res = app.call(endpoint, body, cookie.map(String::as_str)).await;
            assert!(
                matches!(
                    res.status(),
                    StatusCode::NOT_FOUND | StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED
                ),
                "{who} {endpoint}: {}",
                res.status()
            );
        }
    }
    assert_eq!(
        insured_named(&app, app.seed.alpha.id, "Christopher J Smith")
            .await
            .user_id,
        None,
        "nobody registered"
    );
    // The broker: without the confirmation box the answer names that
    // field; with it the client is registered.
    let res = app
        .call(
            "register_insured",
            registration("chris@example.com", false),
            Some(&broker),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("confirmed"));
    let res = app
        .call(
            "register_insured",
            registration("Chris@Example.com", true),
            Some(&broker),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Registered Chris@example.com"));
    let res = app
        .call(
            "send_insured_reset",
            form(&[("insured", &christopher.id.to_string())]),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(text.contains("C•••@example.com"), "{text}");
    assert!(
        !text.contains("Chris@example.com"),
        "the address is not shown: {text}"
    );
}

/// An eDoc upload for `insured`, about `policy`.
fn edoc(insured: i32, policy: Option<i32>) -> Upload {
    Upload {
        insured: Some(insured),
        policy: Some(policy.map(|p| p.to_string()).unwrap_or_default()),
        issue_date: "2026-11-20".into(),
        business_purpose: "RWL".into(),
        document_type: "DEC".into(),
        file_name: "Declaration 2026.pdf".into(),
        ..Upload::pdf(None)
    }
}

async fn edocs_are_uploaded_checked_and_fenced(engine: Engine) {
    let app = spawn_app_with(AppOptions {
        engine,
        max_upload_bytes: 64 * 1024,
        ..AppOptions::default()
    })
    .await;
    let alpha_admin = app::server::entities::user::Entity::find()
        .filter(app::server::entities::user::Column::Username.eq(app.seed.alpha_admin.as_str()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let by = app::server::auth::Actor::from_user(&alpha_admin).unwrap();
    imports::import_all(
        &app.db,
        Importer::Staff(&by),
        Source::Upload,
        None,
        vec![fixture("several-policies.xml")],
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let chris = insured_named(&app, app.seed.alpha.id, "Chris Smith").await;
    let christopher = insured_named(&app, app.seed.alpha.id, "Christopher J Smith").await;
    let chris_policy = policy::Entity::find()
        .filter(policy::Column::InsuredId.eq(chris.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let christophers_policy = policy::Entity::find()
        .filter(policy::Column::InsuredId.eq(christopher.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let hash = common::hasher().hash(PASSWORD.into()).await.unwrap();
    let clerk = users::insert_staff(
        &app.db,
        &app.seed.alpha,
        &PersonName::parse("Nia", "", "Clerk").unwrap(),
        StaffRole::Staff,
        None,
        hash,
        false,
        None,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let admin = app.staff_cookie("alpha", &app.seed.alpha_admin).await;
    let clerk = app.staff_cookie("alpha", &clerk.username).await;
    let other_admin = app.staff_cookie("bravo", &app.seed.bravo_admin).await;
    let res = app
        .client_sign_in("alpha", &app.seed.alpha_one.identifier, "manager", PASSWORD)
        .await;
    let client = session_cookie(&res);

    // Refused, each next to its field, leaving no row and no file.
    let documents = || async {
        app::server::entities::document::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .len()
    };
    let bad: Vec<(&str, Upload)> = vec![
        (
            "business_purpose",
            Upload {
                business_purpose: "Renewal".into(),
                ..edoc(chris.id, None)
            },
        ),
        (
            "document_type",
            Upload {
                document_type: "".into(),
                ..edoc(chris.id, None)
            },
        ),
        (
            "issue_date",
            Upload {
                issue_date: "1900-01-01".into(),
                ..edoc(chris.id, None)
            },
        ),
        (
            "issue_date",
            Upload {
                issue_date: "".into(),
                ..edoc(chris.id, None)
            },
        ),
        (
            "file",
            Upload {
                bytes: b"GIF89a, not a PDF".to_vec(),
                ..edoc(chris.id, None)
            },
        ),
        (
            "file",
            Upload {
                bytes: pdf_bytes(64 * 1024 + 1, 3),
                ..edoc(chris.id, None)
            },
        ),
        ("policy", edoc(chris.id, Some(christophers_policy.id))),
    ];
    for (field, up) in bad {
        let res = upload(&app, Some(&admin), &up).await;
        let status = res.status();
        let text = res.text().await.unwrap();
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::PAYLOAD_TOO_LARGE,
            "{field}: {status} {text}"
        );
        assert!(text.contains(&format!("\"{field}\"")), "{field}: {text}");
        assert_eq!(documents().await, 0, "{field}");
        assert!(
            stored_files(&app).is_empty(),
            "{field}: {:?}",
            stored_files(&app)
        );
    }

    // Only the organization's User Administrators and Brokers add.
    for (who, cookie, status) in [
        ("clerk", Some(&clerk), StatusCode::FORBIDDEN),
        ("client", Some(&client), StatusCode::FORBIDDEN),
        (
            "other organization",
            Some(&other_admin),
            StatusCode::NOT_FOUND,
        ),
        ("nobody", None, StatusCode::UNAUTHORIZED),
    ] {
        let res = upload(&app, cookie.map(String::as_str), &edoc(chris.id, None)).await;
        assert_eq!(res.status(), status, "{who} upload");
        assert_eq!(documents().await, 0, "{who}");
    }
    let id =
        uploaded(upload(&app, Some(&admin), &edoc(chris.id, Some(chris_policy.id))).await).await;
    assert_eq!(stored_files(&app).len(), 1);

    // The list and the file: the organization's staff only.
    for (who, cookie, status) in [
        ("administrator", Some(&admin), StatusCode::OK),
        ("clerk", Some(&clerk), StatusCode::OK),
        ("client", Some(&client), StatusCode::FORBIDDEN),
        (
            "other organization",
            Some(&other_admin),
            StatusCode::NOT_FOUND,
        ),
        ("nobody", None, StatusCode::UNAUTHORIZED),
    ] {
        let res = app
            .call(
                "insured_edocs",
                form(&[("insured", &chris.id.to_string())]),
                cookie.map(String::as_str),
            )
            .await;
        assert_eq!(res.status(), status, "{who} list");
        let text = res.text().await.unwrap();
        assert_eq!(
            text.contains("Declaration 2026.pdf"),
            status == StatusCode::OK,
            "{who}: {text}"
        );
        let res = download(&app, id, cookie.map(String::as_str)).await;
        let expected = match status {
            StatusCode::FORBIDDEN => StatusCode::NOT_FOUND,
            s => s,
        };
        assert_eq!(res.status(), expected, "{who} download");
        if expected == StatusCode::OK {
            assert!(res.bytes().await.unwrap().starts_with(b"%PDF-"));
        }
    }
    // Deleting: not by the clerk, another organization or a client.
    for (who, cookie) in [
        ("clerk", &clerk),
        ("other organization", &other_admin),
        ("client", &client),
    ] {
        let res = app
            .call(
                "delete_document",
                form(&[("id", &id.to_string())]),
                Some(cookie),
            )
            .await;
        assert!(res.status().is_client_error(), "{who} delete");
        assert_eq!(documents().await, 1, "{who}");
    }
    let res = app
        .call(
            "delete_document",
            form(&[("id", &id.to_string())]),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(documents().await, 0);
    assert!(stored_files(&app).is_empty());
}

async fn the_csv_export_is_for_the_organizations_client_managers_only(engine: Engine) {
    let app = spawn_app_with(AppOptions {
        engine,
        ..AppOptions::default()
    })
    .await;
    let alpha_admin = app::server::entities::user::Entity::find()
        .filter(app::server::entities::user::Column::Username.eq(app.seed.alpha_admin.as_str()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let by = app::server::auth::Actor::from_user(&alpha_admin).unwrap();
    imports::import_all(
        &app.db,
        Importer::Staff(&by),
        Source::Upload,
        None,
        vec![fixture("several-policies.xml")],
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let hash = common::hasher().hash(PASSWORD.into()).await.unwrap();
    let clerk = users::insert_staff(
        &app.db,
        &app.seed.alpha,
        &PersonName::parse("Nia", "", "Clerk").unwrap(),
        StaffRole::Staff,
        None,
        hash,
        false,
        None,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let admin = app.staff_cookie("alpha", &app.seed.alpha_admin).await;
    let clerk = app.staff_cookie("alpha", &clerk.username).await;
    let other_admin = app.staff_cookie("bravo", &app.seed.bravo_admin).await;
    let res = app
        .client_sign_in("alpha", &app.seed.alpha_one.identifier, "manager", PASSWORD)
        .await;
    let client = session_cookie(&res);
    for (who, cookie, status) in [
        ("administrator", Some(&admin), StatusCode::OK),
        ("clerk", Some(&clerk), StatusCode::FORBIDDEN),
        ("client", Some(&client), StatusCode::FORBIDDEN),
        ("other organization", Some(&other_admin), StatusCode::OK),
        ("nobody", None, StatusCode::UNAUTHORIZED),
    ] {
        let res = app
            .get(
                "/admin/insureds.csv?q=smith&sort=name",
                cookie.map(String::as_str),
            )
            .await;
        assert_eq!(res.status(), status, "{who}");
        if status == StatusCode::OK {
            assert_eq!(
                res.headers()["content-type"].to_str().unwrap(),
                "text/csv; charset=utf-8"
            );
            assert!(res.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("attachment"));
            let body = res.text().await.unwrap();
            assert!(body.starts_with("Insured,Address,"), "{who}: {body}");
            // Another brokerage exports its own (empty) list.
            assert_eq!(
                body.contains("Christopher J Smith"),
                who == "administrator",
                "{who}: {body}"
            );
        }
    }
}
