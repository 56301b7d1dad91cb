//! HTTP tests against the real router on a random port: both sign-ins, the
//! refusals, cookies, redirects, cross-site refusal, headers and error text.

mod common;

use app::error::SIGN_IN_FAILED;
use common::{form, location, session_cookie, spawn_app, spawn_app_with, AppOptions, PASSWORD};
use reqwest::{header, StatusCode};

#[tokio::test]
async fn staff_sign_in_sets_a_secure_cookie_and_opens_the_admin_portal() {
    let app = spawn_app().await;
    let res = app
        .staff_sign_in("alpha", &app.seed.alpha_admin, PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(location(&res), "/admin");
    let cookie = session_cookie(&res);

    let page = app.get("/admin", Some(&cookie)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Alpha Security"), "organization shown");
    assert!(
        html.contains("Ada K. Alpha Security Admin"),
        "staff member shown"
    );
    assert!(html.contains(&app.seed.alpha_admin));
    assert!(!html.contains("Bravo"), "nothing of the other organization");
}

#[tokio::test]
async fn the_admin_portal_without_a_session_redirects_to_sign_in() {
    let app = spawn_app().await;
    let res = app.get("/admin", None).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), "/admin/sign-in");
    let res = app.call("staff_home", String::new(), None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn every_wrong_credential_gets_one_message_and_no_cookie() {
    let app = spawn_app().await;
    let admin = app.seed.alpha_admin.clone();
    let identifier = app.seed.alpha_one.identifier.clone();
    let staff_cases = [
        ("nowhere", admin.as_str(), PASSWORD),
        ("alpha", "nobody", PASSWORD),
        ("alpha", admin.as_str(), "Wrong-1!"),
        ("bravo", admin.as_str(), PASSWORD),
    ];
    let mut bodies = Vec::new();
    for (org, user, pass) in staff_cases {
        let res = app.staff_sign_in(org, user, pass).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{org}/{user}");
        assert!(res.headers().get(header::SET_COOKIE).is_none());
        bodies.push(res.text().await.unwrap());
    }
    let client_cases = [
        ("alpha", "99999999", "manager", PASSWORD),
        ("alpha", identifier.as_str(), "nobody", PASSWORD),
        ("alpha", identifier.as_str(), "manager", "Wrong-1!"),
        (
            "bravo",
            app.seed.alpha_two.identifier.as_str(),
            "manager",
            PASSWORD,
        ),
        ("nowhere", identifier.as_str(), "manager", PASSWORD),
    ];
    for (org, id, user, pass) in client_cases {
        let res = app.client_sign_in(org, id, user, pass).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{org}/{id}/{user}");
        assert!(res.headers().get(header::SET_COOKIE).is_none());
        bodies.push(res.text().await.unwrap());
    }
    assert!(
        bodies.iter().all(|b| b == &bodies[0]),
        "one and the same answer: {bodies:?}"
    );
    assert!(bodies[0].contains(SIGN_IN_FAILED));
}

#[tokio::test]
async fn same_credentials_in_two_accounts_and_two_organizations_open_only_their_own_account() {
    let app = spawn_app().await;
    let s = &app.seed;
    for (org, account, other_org) in [
        ("alpha", &s.alpha_one, "bravo"),
        ("alpha", &s.alpha_two, "bravo"),
        ("bravo", &s.bravo_one, "alpha"),
    ] {
        let res = app
            .client_sign_in(org, &account.identifier, "manager", PASSWORD)
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{org} {}", account.name);
        assert_eq!(location(&res), format!("/portal/{org}"));
        let cookie = session_cookie(&res);
        let html = app
            .get(&format!("/portal/{org}"), Some(&cookie))
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains(&account.name), "{html}");
        assert!(html.contains(&account.identifier));
        for other in [&s.alpha_one, &s.alpha_two, &s.bravo_one, &s.bravo_two] {
            if other.id != account.id {
                assert!(
                    !html.contains(&other.name),
                    "{} leaked into {}",
                    other.name,
                    account.name
                );
            }
        }
        // The same session is nothing at the other organization's portal or the Admin Portal.
        let res = app
            .get(&format!("/portal/{other_org}"), Some(&cookie))
            .await;
        assert_eq!(res.status(), StatusCode::FOUND);
        assert_eq!(location(&res), format!("/portal/{other_org}/sign-in"));
        let res = app.get("/admin", Some(&cookie)).await;
        assert_eq!(location(&res), "/admin/sign-in");
        // The insured's page is not an Account Manager's: it sends them to
        // their own home, and another organization's sends them to sign in.
        let res = app
            .get(&format!("/portal/{org}/insured"), Some(&cookie))
            .await;
        assert_eq!(res.status(), StatusCode::FOUND);
        assert_eq!(location(&res), format!("/portal/{org}"));
        let res = app
            .get(&format!("/portal/{other_org}/insured"), Some(&cookie))
            .await;
        assert_eq!(res.status(), StatusCode::FOUND);
        assert_eq!(location(&res), format!("/portal/{other_org}/sign-in"));
    }
}

#[tokio::test]
async fn a_cookie_replayed_after_sign_out_is_refused() {
    let app = spawn_app().await;
    let cookie = session_cookie(
        &app.staff_sign_in("bravo", &app.seed.bravo_admin, PASSWORD)
            .await,
    );
    assert_eq!(
        app.get("/admin", Some(&cookie)).await.status(),
        StatusCode::OK
    );
    let res = app.call("sign_out", String::new(), Some(&cookie)).await;
    assert_eq!(location(&res), "/admin/sign-in?org=bravo");
    let cleared = res
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let replay = app.get("/admin", Some(&cookie)).await;
    assert_eq!(replay.status(), StatusCode::FOUND);
    assert_eq!(location(&replay), "/admin/sign-in");
    assert_eq!(
        app.call("staff_home", String::new(), Some(&cookie))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn sign_in_rotates_the_session_id() {
    let app = spawn_app().await;
    let first = session_cookie(
        &app.client_sign_in("alpha", &app.seed.alpha_one.identifier, "manager", PASSWORD)
            .await,
    );
    let res = app
        .call(
            "staff_sign_in",
            form(&[
                ("organization", "alpha"),
                ("username", &app.seed.alpha_admin),
                ("password", PASSWORD),
            ]),
            Some(&first),
        )
        .await;
    let second = session_cookie(&res);
    assert_ne!(first, second);
    assert_eq!(
        location(&app.get("/portal/alpha", Some(&first)).await),
        "/portal/alpha/sign-in",
        "the old id is dead"
    );
}

#[tokio::test]
async fn plain_html_form_posts_work_without_javascript() {
    let app = spawn_app().await;
    let post = |body: String| {
        app.http
            .post(format!("{}/api/staff_sign_in", app.base))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::ORIGIN, &app.base)
            .header(header::REFERER, format!("{}/admin/sign-in", app.base))
            .body(body)
            .send()
    };
    let ok = post(form(&[
        ("organization", "alpha"),
        ("username", &app.seed.alpha_admin),
        ("password", PASSWORD),
    ]))
    .await
    .unwrap();
    assert_eq!(ok.status(), StatusCode::FOUND);
    assert_eq!(location(&ok), "/admin");
    session_cookie(&ok);

    let bad = post(form(&[
        ("organization", "alpha"),
        ("username", &app.seed.alpha_admin),
        ("password", "nope"),
    ]))
    .await
    .unwrap();
    assert_eq!(bad.status(), StatusCode::FOUND);
    let back = location(&bad).to_string();
    assert!(
        back.starts_with(&format!("{}/admin/sign-in?", app.base)),
        "{back}"
    );
    let page = app
        .http
        .get(&back)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&SIGN_IN_FAILED.replace('\'', "&#39;")) || page.contains(SIGN_IN_FAILED),
        "the error is shown on the form"
    );
}

#[tokio::test]
async fn cross_site_state_changes_are_refused() {
    let app = spawn_app().await;
    let body = form(&[
        ("organization", "alpha"),
        ("username", &app.seed.alpha_admin),
        ("password", PASSWORD),
    ]);
    let send = |origin: Option<&str>, site: Option<&str>| {
        let mut req = app
            .http
            .post(format!("{}/api/staff_sign_in", app.base))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.clone());
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        if let Some(s) = site {
            req = req.header("sec-fetch-site", s);
        }
        req.send()
    };
    let res = send(Some("https://evil.example"), None).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers().get(header::SET_COOKIE).is_none());
    assert_eq!(
        send(Some(&app.base), Some("cross-site"))
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(Some("null"), None).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(Some(&app.base), Some("same-origin"))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_nonce_csp() {
    let app = spawn_app().await;
    let res = app.get("/admin/sign-in", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["cache-control"], "no-store");
    // The public address is https: browsers are told to stay on https.
    assert_eq!(h["strict-transport-security"], "max-age=31536000");
    let csp = h["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("frame-ancestors 'none'"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_string();
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "inline scripts carry the response's nonce"
    );
    assert!(
        html.contains("<label for=\"organization\""),
        "labelled fields"
    );
}

#[tokio::test]
async fn strict_transport_security_is_sent_only_for_an_https_public_address() {
    let app = spawn_app_with(AppOptions {
        public_url: "http://localhost:3000",
        ..AppOptions::default()
    })
    .await;
    let res = app.get("/admin/sign-in", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers().get("strict-transport-security").is_none(),
        "HSTS over plain HTTP"
    );
    assert!(res.headers().contains_key("content-security-policy"));
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = spawn_app().await;
    let res = app
        .call("staff_sign_in", "x".repeat(200 * 1024), None)
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn no_internal_error_text_reaches_the_browser() {
    let app = spawn_app().await;
    // Malformed arguments: the decoder's message stays in the log.
    let res = app
        .call("staff_sign_in", "organization=alpha".into(), None)
        .await;
    let body = res.text().await.unwrap();
    assert!(body.contains("The form was incomplete"), "{body}");
    assert!(!body.to_lowercase().contains("missing field"), "{body}");

    // A broken database: the answer is a reference id, the cause is logged.
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared("DROP TABLE audit_events")
        .await
        .unwrap();
    let res = app
        .staff_sign_in("alpha", &app.seed.alpha_admin, PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = res.text().await.unwrap();
    assert!(body.contains("reference"), "{body}");
    for leak in [
        "audit_events",
        "no such table",
        "SQL",
        "sqlx",
        "sea",
        "DbErr",
    ] {
        assert!(!body.contains(leak), "{leak} leaked: {body}");
    }
}

#[tokio::test]
async fn unknown_pages_and_portals_are_404() {
    let app = spawn_app().await;
    assert_eq!(
        app.get("/no/such/page", None).await.status(),
        StatusCode::NOT_FOUND
    );
    let res = app.get("/portal/nowhere/sign-in", None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A control character in the portal's name is sent on, encoded, to a
    // sign-in page that does not exist; it never breaks the response.
    for page in [
        "/portal/%0A",
        "/portal/%0A/insured",
        "/portal/%0A/office-staff",
    ] {
        let res = app.get(page, None).await;
        assert_eq!(res.status(), StatusCode::FOUND, "{page}");
        assert_eq!(location(&res), "/portal/%0A/sign-in", "{page}");
    }
    let res = app.get("/portal/bravo/sign-in", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Bravo Brokers Client Portal"));
}

#[tokio::test]
async fn static_files_are_served_precompressed_when_the_browser_accepts_it() {
    let app = spawn_app().await;
    let fetch = |encoding: Option<&'static str>| {
        let mut req = app.http.get(format!("{}/pkg/gatehouse.js", app.base));
        if let Some(e) = encoding {
            req = req.header(header::ACCEPT_ENCODING, e);
        }
        req.send()
    };
    let br = fetch(Some("br, gzip")).await.unwrap();
    assert_eq!(br.headers()[header::CONTENT_ENCODING], "br");
    assert!(br.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .contains("javascript"));
    assert_eq!(br.bytes().await.unwrap(), common::SITE_JS_BR);
    let gz = fetch(Some("gzip")).await.unwrap();
    assert_eq!(gz.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(gz.bytes().await.unwrap(), common::SITE_JS_GZ);
    let plain = fetch(None).await.unwrap();
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    // Without content hashes in the names, browsers must revalidate.
    assert_eq!(plain.headers()[header::CACHE_CONTROL], "no-cache");
    assert_eq!(plain.bytes().await.unwrap(), common::SITE_JS);
    // A file that is not there is the 404 page, never cached, with the
    // page's headers.
    let missing = app
        .http
        .get(format!("{}/pkg/gatehouse.0123456789.js", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(missing.headers()[header::CACHE_CONTROL], "no-store");
    assert!(missing
        .headers()
        .contains_key(header::CONTENT_SECURITY_POLICY));
}

#[tokio::test]
async fn hashed_static_files_are_cached_for_good_and_nothing_else_is() {
    let app = spawn_app_with(AppOptions {
        hashed_assets: true,
        ..AppOptions::default()
    })
    .await;
    let asset = app
        .http
        .get(format!("{}/pkg/gatehouse.js", app.base))
        .header(header::ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(asset.status(), StatusCode::OK);
    assert_eq!(
        asset.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    // Only the headers that mean something for a script: a page loads
    // dozens of these files.
    assert_eq!(asset.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(asset
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .is_none());
    assert!(asset.headers().get(header::X_FRAME_OPTIONS).is_none());
    assert_eq!(asset.headers()[header::VARY], "accept-encoding");
    // (Not a page: with hashing on, a page render reads the hash file that
    // only a hashing build writes next to the binary.)
    let other = app
        .http
        .get(format!("{}/health", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(other.headers()[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn liveness_and_readiness_answer_and_readiness_sees_a_schema_behind() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    let res = app.get("/healthz", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "ok");
    let res = app.get("/readyz", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(v["database"], "ok");
    assert_eq!(v["migrations"], "current");

    // As if the newest migration had not run: not ready, and it says why.
    app.db
        .execute_unprepared(
            "DELETE FROM seaql_migrations WHERE version = (SELECT MAX(version) FROM seaql_migrations)",
        )
        .await
        .unwrap();
    let res = app.get("/readyz", None).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let v: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(v["ready"], false);
    assert_eq!(v["migrations"], "pending");
}

#[tokio::test]
async fn metrics_count_requests_and_sign_ins_and_only_allowed_addresses_read_them() {
    let app = spawn_app().await;
    assert_eq!(
        app.staff_sign_in("alpha", &app.seed.alpha_admin, PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.staff_sign_in("alpha", &app.seed.alpha_admin, "wrong")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let _ = app.get("/documents/987654/file", None).await;
    let res = app.get("/metrics", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = res.text().await.unwrap();
    let has = |needle: &str| {
        text.lines()
            .any(|l| !l.starts_with('#') && needle.split('*').all(|part| l.contains(part)))
    };
    assert!(
        has("gatehouse_http_requests_total{*route=\"/api/staff_sign_in\"*status=\"200\"*"),
        "{text}"
    );
    assert!(
        has("gatehouse_http_requests_total{*route=\"/documents/{id}/file\"*status=\"401\"*"),
        "{text}"
    );
    assert!(
        has("gatehouse_http_request_duration_seconds_bucket{*route=\"/api/staff_sign_in\"*"),
        "{text}"
    );
    assert!(has("gatehouse_sign_ins_total{outcome=\"ok\"}"), "{text}");
    assert!(
        has("gatehouse_sign_ins_total{outcome=\"refused\"}"),
        "{text}"
    );
    assert!(has("gatehouse_password_hash_queue "), "{text}");
    assert!(has("gatehouse_outbox_unsent "), "{text}");
    assert!(has("gatehouse_outbox_oldest_unsent_seconds "), "{text}");
    // No raw path becomes a series.
    assert!(!text.contains("987654"), "{text}");

    // From an address that is not allowed, /metrics does not exist.
    let closed = spawn_app_with(AppOptions {
        metrics_allow: vec!["192.0.2.1".parse().unwrap()],
        ..AppOptions::default()
    })
    .await;
    let res = closed.get("/metrics", None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(!res.text().await.unwrap().contains("gatehouse_"));
}

#[tokio::test]
async fn an_insured_lands_on_their_own_page_and_the_portal_address_sends_them_there() {
    let app = spawn_app().await;
    common::client_login(
        &app.db,
        &app.seed.alpha_one,
        "jane.smith",
        ("Jane", "Smith"),
        app::domain::ClientRole::Insured,
    )
    .await;
    let res = app
        .client_sign_in(
            "alpha",
            &app.seed.alpha_one.identifier,
            "jane.smith",
            PASSWORD,
        )
        .await;
    assert_eq!(location(&res), "/portal/alpha/insured");
    let cookie = session_cookie(&res);
    // The portal's address, bookmarked with a policy filter or not.
    for (page, to) in [
        ("/portal/alpha", "/portal/alpha/insured"),
        ("/portal/alpha?policy=7", "/portal/alpha/insured?policy=7"),
    ] {
        let res = app.get(page, Some(&cookie)).await;
        assert_eq!(res.status(), StatusCode::FOUND, "{page}");
        assert_eq!(location(&res), to, "{page}");
    }
    // Not another organization's insured page, nor its home.
    for page in ["/portal/bravo/insured", "/portal/bravo"] {
        let res = app.get(page, Some(&cookie)).await;
        assert_eq!(location(&res), "/portal/bravo/sign-in", "{page}");
    }
}
