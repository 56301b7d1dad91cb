//! HTTP tests of the Imports page's door against the real router, on
//! SQLite and PostgreSQL: files and a zip uploaded into an import opened
//! with `begin_import`, followed with `import_progress`, read back with
//! `import_report`; and every import endpoint against every kind of caller
//! (User Administrator, Broker, other staff, a client, another
//! organization's administrator, nobody), nothing imported on a refusal.

mod common;

use app::{
    domain::{PersonName, StaffRole},
    server::{entities::policy, services::users},
};
use common::{form, session_cookie, spawn_app_with, AppOptions, Engine, TestApp, PASSWORD};
use reqwest::{header, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::{io::Write, path::PathBuf};

on_both_engines!(
    files_and_a_zip_upload_into_one_import_with_its_report,
    every_import_endpoint_answers_each_kind_of_caller,
);

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/csio")
            .join(name),
    )
    .unwrap()
}

fn zip_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in files {
            w.start_file(*name, options).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap();
    }
    out.into_inner()
}

/// The Imports page's form: `run` first, then the files.
fn multipart(run: Option<i32>, files: &[(&str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "----gatehouse-import-boundary-Qx81";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"run\"\r\n\r\n{}\r\n",
            run.map(|r| r.to_string()).unwrap_or_default()
        )
        .as_bytes(),
    );
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    app: &TestApp,
    cookie: Option<&str>,
    run: Option<i32>,
    files: &[(&str, Vec<u8>)],
) -> reqwest::Response {
    let (content_type, body) = multipart(run, files);
    let mut req = app
        .http
        .post(format!("{}/imports/upload", app.base))
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT, "application/json")
        .header(header::ORIGIN, &app.base)
        .header("sec-fetch-site", "same-origin")
        .body(body);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.send().await.unwrap()
}

async fn json(res: reqwest::Response) -> (StatusCode, serde_json::Value) {
    let status = res.status();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: {text}")),
    )
}

async fn app_on(engine: Engine) -> TestApp {
    spawn_app_with(AppOptions {
        engine,
        ..AppOptions::default()
    })
    .await
}

async fn policies(app: &TestApp) -> u64 {
    policy::Entity::find()
        .filter(policy::Column::OrganizationId.is_in([app.seed.alpha.id, app.seed.bravo.id]))
        .count(&app.db)
        .await
        .unwrap()
}

async fn files_and_a_zip_upload_into_one_import_with_its_report(engine: Engine) {
    let app = app_on(engine).await;
    let admin = app.staff_cookie("alpha", &app.seed.alpha_admin).await;
    let (status, run) = json(app.call("begin_import", String::new(), Some(&admin)).await).await;
    assert_eq!(status, StatusCode::OK);
    let run = run.as_i64().unwrap() as i32;
    let zip = zip_of(&[
        (
            "november/home-jane-smith.xml",
            fixture("home-jane-smith.xml"),
        ),
        (
            "november/several-policies.xml",
            fixture("several-policies.xml"),
        ),
    ]);
    let res = upload(
        &app,
        Some(&admin),
        Some(run),
        &[
            ("auto-jane-smith.xml", fixture("auto-jane-smith.xml")),
            ("november.zip", zip),
            ("wrong-namespace.xml", fixture("wrong-namespace.xml")),
        ],
    )
    .await;
    let (status, body) = json(res).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["id"].as_i64(), Some(i64::from(run)));

    let (_, progress) = json(
        app.call(
            "import_progress",
            form(&[("id", &run.to_string())]),
            Some(&admin),
        )
        .await,
    )
    .await;
    assert_eq!(progress["finished"], true);
    assert_eq!(progress["totals"]["files"], 4);
    assert_eq!(progress["totals"]["policies"], 5);
    assert_eq!(progress["totals"]["rejected"], 1);

    let (status, page) = json(
        app.call(
            "import_report",
            form(&[("id", &run.to_string()), ("page", "0")]),
            Some(&admin),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let files: Vec<(String, bool)> = page["report"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file_name"].as_str().unwrap().to_string(),
                f["imported"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            ("auto-jane-smith.xml".to_string(), true),
            ("home-jane-smith.xml (in november.zip)".to_string(), true),
            ("several-policies.xml (in november.zip)".to_string(), true),
            ("wrong-namespace.xml".to_string(), false),
        ]
    );
    assert_eq!(
        page["report"]["files"][1]["items"][0]["outcome"], "attached",
        "the home policy attached to Jane from the first file"
    );
    assert_eq!(policies(&app).await, 5);

    // The list shows it; the page renders on the server.
    let (_, list) = json(app.call("imports_page", String::new(), Some(&admin)).await).await;
    assert_eq!(list["list"]["rows"][0]["id"].as_i64(), Some(i64::from(run)));
    for (path, shows) in [
        ("/admin/imports".to_string(), format!("Import {run}")),
        (
            format!("/admin/imports/{run}"),
            "auto-jane-smith.xml".to_string(),
        ),
    ] {
        let res = app.get(&path, Some(&admin)).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains(&shows), "{path} shows {shows}");
    }
    // A finished import can't take more files.
    let res = upload(
        &app,
        Some(&admin),
        Some(run),
        &[("more.xml", fixture("commercial-smith-bakery.xml"))],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(policies(&app).await, 5);
}

async fn every_import_endpoint_answers_each_kind_of_caller(engine: Engine) {
    let app = app_on(engine).await;
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

    // Alpha's administrator opens an import; nobody else may add to it.
    // The organization's Brokers may read it (every import of the
    // organization is on their Imports page); nobody outside may.
    let (_, run) = json(app.call("begin_import", String::new(), Some(&admin)).await).await;
    let run = run.as_i64().unwrap() as i32;
    let file = || vec![("auto.xml", fixture("auto-jane-smith.xml"))];
    for (who, cookie) in [
        ("broker of the same organization", Some(&broker)),
        ("other organization", Some(&other_admin)),
        ("clerk", Some(&clerk)),
        ("client", Some(&client)),
        ("nobody", None),
    ] {
        let res = upload(&app, cookie.map(String::as_str), Some(run), &file()).await;
        assert!(
            matches!(
                res.status(),
                StatusCode::NOT_FOUND | StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED
            ),
            "{who}: {}",
            res.status()
        );
        for (endpoint, body) in [
            ("import_progress", form(&[("id", &run.to_string())])),
            (
                "import_report",
                form(&[("id", &run.to_string()), ("page", "0")]),
            ),
        ] {
            let res = app.call(endpoint, body, cookie.map(String::as_str)).await;
            if who.starts_with("broker") {
                assert_eq!(res.status(), StatusCode::OK, "{who} reads {endpoint}");
                continue;
            }
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
    assert_eq!(policies(&app).await, 0, "nothing imported by a refusal");
    // Who may import at all.
    for (who, cookie, allowed) in [
        ("administrator", Some(&admin), true),
        ("broker", Some(&broker), true),
        ("clerk", Some(&clerk), false),
        ("client", Some(&client), false),
        ("nobody", None, false),
    ] {
        let res = app
            .call("begin_import", String::new(), cookie.map(String::as_str))
            .await;
        assert_eq!(res.status().is_success(), allowed, "{who} begin_import");
        let res = app
            .call("imports_page", String::new(), cookie.map(String::as_str))
            .await;
        assert_eq!(res.status().is_success(), allowed, "{who} imports_page");
        let res = upload(&app, cookie.map(String::as_str), None, &file()).await;
        assert_eq!(res.status() == StatusCode::CREATED, allowed, "{who} upload");
    }
    // The two that may import did, into alpha only.
    let alpha = policy::Entity::find()
        .filter(policy::Column::OrganizationId.eq(app.seed.alpha.id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(alpha, 1, "the same policy, imported twice, is one policy");
    // Another organization's import is theirs alone.
    let res = upload(&app, Some(&other_admin), None, &file()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(policies(&app).await, 2);
    // Not a form at all.
    let res = app
        .http
        .post(format!("{}/imports/upload", app.base))
        .header(header::COOKIE, &admin)
        .header(header::ACCEPT, "application/json")
        .header(header::ORIGIN, &app.base)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
