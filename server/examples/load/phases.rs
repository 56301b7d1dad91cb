//! The load phases: SQLite with one server, PostgreSQL with two.

use crate::{
    checks::{check_acknowledged, sample_lines, Report},
    data::{accounts, logins, scalar, STAFF_PASSWORD},
    http::Http,
    processes::{free_port, CpuWatch, Server, Setup, Sink},
    users::{run_users, Work},
    Settings,
};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use std::{
    collections::HashSet,
    path::Path,
    sync::{atomic::AtomicBool, Arc},
    time::{Duration, Instant},
};

pub async fn work_for(
    bases: Vec<String>,
    db: &DatabaseConnection,
    seconds: u64,
    exclude: &[&str],
) -> (Arc<Work>, Arc<AtomicBool>, Arc<AtomicBool>) {
    let fault = Arc::new(AtomicBool::new(false));
    let lifted = Arc::new(AtomicBool::new(false));
    let logins = logins(db)
        .await
        .into_iter()
        .filter(|l| !exclude.contains(&l.username.as_str()))
        .collect();
    let work = Arc::new(Work {
        http: Http::new(),
        bases,
        logins,
        accounts: accounts(db).await,
        until: Instant::now() + Duration::from_secs(seconds),
        fault: fault.clone(),
        lifted: lifted.clone(),
        upload_sizes: (20_000, 200_000),
    });
    (work, fault, lifted)
}

pub async fn sqlite_phase(s: &Settings, root: &Path, report: &mut Report) {
    report.text.push_str(&format!(
        "\n## SQLite (file), one server: {} users, {} s\n\n",
        s.users, s.seconds
    ));
    let setup = Setup::sqlite(root.join("sqlite"));
    setup.demo(s);
    let server = Server::start(s, &setup, root.join("sqlite.log")).await;
    let db = setup.reader().await;
    let (work, _, _) = work_for(vec![server.base()], &db, s.seconds, &[]).await;
    let started = Instant::now();
    let cpu = CpuWatch::start(&[&server]);
    let tally = run_users(work, s.users).await;
    let elapsed = started.elapsed().as_secs_f64();
    report.text.push_str(&tally.table(elapsed));
    report.text.push_str(&cpu.line(&[&server]));
    report.text.push('\n');
    report.check(
        tally.error_total() == 0,
        format!("zero errors ({})", tally.error_total()),
    );
    sample_lines(report, &tally);
    let locked = server.log_count("database is locked");
    report.check(
        locked == 0,
        format!("zero \"database is locked\" in the server log ({locked})"),
    );
    check_acknowledged(report, &db, &setup.data.join("documents"), &tally).await;
    db.close().await.unwrap();
    server.stop();
}

pub async fn new_pg_database(admin: &str, name: &str) -> String {
    let db = Database::connect(admin).await.unwrap();
    db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
        .await
        .unwrap();
    db.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    db.close().await.unwrap();
    let (head, _) = admin.rsplit_once('/').unwrap();
    format!("{head}/{name}")
}

pub async fn pg_phase(s: &Settings, root: &Path, report: &mut Report) {
    report.text.push_str(&format!(
        "\n## PostgreSQL, two servers sharing the database: {} users, {} s\n\n",
        s.users, s.seconds
    ));
    let url = new_pg_database(&s.pg_url, "gatehouse_load").await;
    let smtp_port = free_port();
    let sink_dir = root.join("sink");
    let sink = Sink::start(s, smtp_port, &sink_dir);
    let setup = Setup {
        data: root.join("pg-data"),
        database_url: Some(url.clone()),
        smtp_url: Some(format!("smtp://127.0.0.1:{smtp_port}")),
    };
    setup.demo(s);
    let a = Server::start(s, &setup, root.join("pg-a.log")).await;
    let b = Server::start(s, &setup, root.join("pg-b.log")).await;
    let db = setup.reader().await;
    let http = Http::new();
    let all = logins(&db).await;

    // A session made on one server works on the other.
    let staff = all
        .iter()
        .find(|l| l.staff && l.org == "northwind")
        .unwrap();
    let signed = http.sign_in(&a.base(), staff, STAFF_PASSWORD).await;
    let cookie = signed.cookie.unwrap_or_default();
    let on_b = http.get(&b.base(), "/admin/accounts", &cookie).await;
    report.check(
        signed.status == 200 && on_b.status == 200 && on_b.body.contains("Lakeside Towers"),
        format!(
            "a session made on server A works on server B (sign-in {}, page on B {})",
            signed.status, on_b.status
        ),
    );
    let out = http
        .form(&b.base(), "/api/sign_out", &[], Some(&cookie))
        .await;
    let after = http.get(&a.base(), "/admin/accounts", &cookie).await;
    report.check(
        out.status < 400 && after.status != 200,
        format!(
            "signing out on B ends the session on A too (A then answers {})",
            after.status
        ),
    );

    // Failed sign-ins spread over both servers lock the login on both.
    let target = all
        .iter()
        .find(|l| l.staff && l.org == "harbour" && l.username.ends_with("rhale"))
        .unwrap();
    for i in 0..5 {
        let base = if i % 2 == 0 { a.base() } else { b.base() };
        http.sign_in(&base, target, "Wrong-Password-1!").await;
    }
    let right_a = http.sign_in(&a.base(), target, STAFF_PASSWORD).await;
    let right_b = http.sign_in(&b.base(), target, STAFF_PASSWORD).await;
    let locked = scalar(
        &db,
        "SELECT COUNT(*) FROM sign_in_throttles WHERE locked_until IS NOT NULL",
    )
    .await;
    report.check(
        right_a.status == 401 && right_b.status == 401 && locked >= 1,
        format!(
            "5 failures alternating A and B lock the login on both (right password then: A {}, B {})",
            right_a.status, right_b.status
        ),
    );

    // Emails queued through both servers are delivered exactly once.
    // A sample of logins (the demo has a few hundred with an email since the
    // People directory): exactly-once delivery through two servers is what
    // is checked here, not the SMTP server's throughput.
    let mut asked = 0;
    let sample: Vec<_> = all.iter().filter(|l| l.email.is_some()).take(100).collect();
    for round in 0..3 {
        for (i, l) in sample.iter().enumerate() {
            let base = if (i + round) % 2 == 0 {
                a.base()
            } else {
                b.base()
            };
            let email = l.email.as_deref().unwrap();
            let answer = if l.staff {
                http.form(
                    &base,
                    "/api/forgot_staff_password",
                    &[("organization", &l.org), ("email", email)],
                    None,
                )
                .await
            } else {
                http.form(
                    &base,
                    "/api/forgot_client_password",
                    &[
                        ("organization", &l.org),
                        ("identifier", l.identifier.as_deref().unwrap()),
                        ("email", email),
                    ],
                    None,
                )
                .await
            };
            if answer.status < 400 {
                asked += 1;
            }
        }
    }
    let delivered = wait_for_outbox(&db, Duration::from_secs(120)).await;
    let queued = scalar(&db, "SELECT COUNT(*) FROM outbox_messages").await as usize;
    let received = Sink::messages(&sink_dir);
    let distinct: HashSet<&String> = received.iter().collect();
    report.check(
        delivered && queued > 0 && received.len() == queued && distinct.len() == received.len(),
        format!(
            "{asked} reset requests through A and B queued {queued} emails; the SMTP server received {} ({} distinct); none left unsent",
            received.len(),
            distinct.len()
        ),
    );

    // The load, spread over both servers.
    let (work, _, _) = work_for(
        vec![a.base(), b.base()],
        &db,
        s.seconds,
        &[target.username.as_str()],
    )
    .await;
    let started = Instant::now();
    let cpu = CpuWatch::start(&[&a, &b]);
    let tally = run_users(work, s.users).await;
    let elapsed = started.elapsed().as_secs_f64();
    report.text.push('\n');
    report.text.push_str(&tally.table(elapsed));
    report.text.push_str(&cpu.line(&[&a, &b]));
    report.text.push('\n');
    report.check(
        tally.error_total() == 0,
        format!("zero errors ({})", tally.error_total()),
    );
    sample_lines(report, &tally);
    check_acknowledged(report, &db, &setup.data.join("documents"), &tally).await;
    db.close().await.unwrap();
    a.stop();
    b.stop();
    sink.kill();
}

/// Waits until no email is left unsent; false at the deadline.
pub async fn wait_for_outbox(db: &DatabaseConnection, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        let unsent = scalar(
            db,
            "SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NULL",
        )
        .await;
        if unsent == 0 {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
