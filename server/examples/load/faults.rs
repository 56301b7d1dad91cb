//! The fault cases, each while users keep working (or, for the disk,
//! while one keeps uploading).

use crate::{
    checks::{check_acknowledged, sample_lines, Report},
    data::{logins, scalar, Login, CLIENT_PASSWORD},
    http::{pdf, Answer, Http},
    phases::{new_pg_database, wait_for_outbox, work_for},
    processes::{free_port, sh, Cleanup, Server, Setup, Sink},
    users::{is_clear_unavailable, run_users, Tally},
    Settings,
};
use sea_orm::DatabaseConnection;
use std::{
    collections::HashSet,
    path::Path,
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

/// Runs `users` light users against `server` for `s.fault_seconds`, with
/// `fault` applied after the first third and `lift` after the second. From
/// the fault on, a failed answer must be a clear 503; the tally says when
/// the last one came, and the return value when the fault was lifted.
pub async fn under_fault(
    s: &Settings,
    bases: Vec<String>,
    db: &DatabaseConnection,
    users: usize,
    fault: impl FnOnce(),
    lift: impl FnOnce(),
) -> (Tally, Instant) {
    let (work, faulted, lifted) = work_for(bases, db, s.fault_seconds, &[]).await;
    let third = Duration::from_secs(s.fault_seconds) / 3;
    let load = tokio::spawn(run_users(work, users));
    tokio::time::sleep(third).await;
    faulted.store(true, Ordering::Relaxed);
    fault();
    tokio::time::sleep(third).await;
    lift();
    let lifted_at = Instant::now();
    lifted.store(true, Ordering::Relaxed);
    (load.await.unwrap(), lifted_at)
}

/// How long after the fault was lifted failures may go on: connections
/// that saw the fault are replaced as they are next handed out.
const RECOVERY: Duration = Duration::from_secs(5);

pub fn fault_checks(report: &mut Report, name: &str, tally: &Tally, lifted_at: Instant) {
    report.check(
        tally.error_total() == 0,
        format!(
            "{name}: every failed answer was a clear 503 ({} clear, {} other)",
            tally.clear_errors,
            tally.error_total()
        ),
    );
    sample_lines(report, tally);
    let recovery = tally
        .last_clear
        .map(|t| t.saturating_duration_since(lifted_at))
        .unwrap_or_default();
    report.check(
        tally.ok_after > 0 && recovery <= RECOVERY,
        format!(
            "{name}: recovered without a restart: the last failure {:.1} s after the fault was lifted, then {} successful answers",
            recovery.as_secs_f64(),
            tally.ok_after
        ),
    );
}

pub async fn frozen_database(s: &Settings, root: &Path, report: &mut Report) {
    report
        .text
        .push_str("\n### The SQLite database file made read-only mid-run\n\n");
    let dir = root.join("ro");
    let setup = Setup::sqlite(dir.clone());
    setup.demo(s);
    let server = Server::start(s, &setup, root.join("ro.log")).await;
    let db = setup.reader().await;
    // The immutable attribute refuses writes even to root and even through
    // files already open (file modes do neither, and a read-only remount is
    // refused while the server holds the file open for writing). The WAL
    // takes the writes between checkpoints, so it is frozen too.
    let files: Vec<String> = ["gatehouse.db", "gatehouse.db-wal"]
        .iter()
        .map(|f| dir.join(f).to_string_lossy().into_owned())
        .collect();
    let (freeze, thaw) = (files.clone(), files.clone());
    let _thaw = Cleanup::new({
        let files = files.clone();
        move || {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .args(&files)
                .status();
        }
    });
    let immutable = move |flag: &str, files: &[String]| {
        let mut args = vec![flag];
        args.extend(files.iter().map(String::as_str));
        sh("chattr", &args);
    };
    let (tally, lifted_at) = under_fault(
        s,
        vec![server.base()],
        &db,
        20,
        move || immutable("+i", &freeze),
        move || immutable("-i", &thaw),
    )
    .await;
    fault_checks(report, "read-only database", &tally, lifted_at);
    report.check(
        tally.clear_errors > 0,
        format!(
            "read-only database: the fault was felt ({} clear 503s)",
            tally.clear_errors
        ),
    );
    check_acknowledged(report, &db, &dir.join("documents"), &tally).await;
    db.close().await.unwrap();
    server.stop();
}

pub async fn pg_restart(s: &Settings, root: &Path, report: &mut Report) {
    report
        .text
        .push_str("\n### PostgreSQL stopped mid-run, then started again\n\n");
    let url = new_pg_database(&s.pg_url, "gatehouse_restart").await;
    let setup = Setup {
        data: root.join("restart"),
        database_url: Some(url.clone()),
        smtp_url: None,
    };
    setup.demo(s);
    let server = Server::start(s, &setup, root.join("restart.log")).await;
    let db = setup.reader().await;
    let pg_dir = s.pg_dir.join("data");
    let log = s.pg_dir.join("server.log");
    let bin = std::fs::read_dir("/usr/lib/postgresql")
        .unwrap()
        .flatten()
        .map(|e| e.path().join("bin/pg_ctl"))
        .find(|p| p.exists())
        .expect("pg_ctl");
    let pg_ctl = move |action: &'static str| {
        let (bin, pg_dir, log) = (bin.clone(), pg_dir.clone(), log.clone());
        move || {
            sh(
                "runuser",
                &[
                    "-u",
                    "postgres",
                    "--",
                    bin.to_str().unwrap(),
                    "-D",
                    pg_dir.to_str().unwrap(),
                    "-l",
                    log.to_str().unwrap(),
                    "-m",
                    "fast",
                    "-w",
                    action,
                ],
            )
        }
    };
    // Down for a third of the run; `restart` of a stopped server starts it
    // with the options it last ran with (postmaster.opts).
    let (tally, lifted_at) = under_fault(
        s,
        vec![server.base()],
        &db,
        20,
        pg_ctl("stop"),
        pg_ctl("restart"),
    )
    .await;
    fault_checks(report, "PostgreSQL down", &tally, lifted_at);
    // The checking connection died with the restart too: a fresh one.
    db.close().await.ok();
    let db = setup.reader().await;
    check_acknowledged(report, &db, &setup.data.join("documents"), &tally).await;
    db.close().await.unwrap();
    server.stop();
}

pub async fn smtp_killed(s: &Settings, root: &Path, report: &mut Report) {
    report
        .text
        .push_str("\n### The SMTP server killed mid-run\n\n");
    let url = new_pg_database(&s.pg_url, "gatehouse_smtp").await;
    let smtp_port = free_port();
    let sink_dir = root.join("sink2");
    let sink = Sink::start(s, smtp_port, &sink_dir);
    let setup = Setup {
        data: root.join("smtp"),
        database_url: Some(url.clone()),
        smtp_url: Some(format!("smtp://127.0.0.1:{smtp_port}")),
    };
    setup.demo(s);
    let server = Server::start(s, &setup, root.join("smtp.log")).await;
    let db = setup.reader().await;
    let http = Http::new();
    let all = logins(&db).await;
    let ask = |l: &Login| {
        let http = http.clone();
        let base = server.base();
        let l = l.clone();
        async move {
            http.form(
                &base,
                "/api/forgot_identifier",
                &[
                    ("organization", &l.org),
                    ("email", l.email.as_deref().unwrap()),
                ],
                None,
            )
            .await
            .status
        }
    };
    // One login per address: a person with two logins (the demo has one)
    // gets one identifier reminder listing both, and two requests for it
    // would be two identical emails.
    let mut seen = std::collections::HashSet::new();
    let clients: Vec<&Login> = all
        .iter()
        .filter(|l| !l.staff && l.email.is_some())
        .filter(|l| seen.insert((l.org.clone(), l.email.clone())))
        .collect();
    // Some emails go out while it is up, then it dies, more are asked for.
    for l in &clients[..clients.len() / 2] {
        ask(l).await;
    }
    let first_ok = wait_for_outbox(&db, Duration::from_secs(20)).await;
    sink.kill();
    let mut refused = 0;
    for l in &clients[clients.len() / 2..] {
        if ask(l).await >= 400 {
            refused += 1;
        }
    }
    report.check(
        first_ok && refused == 0,
        "with the SMTP server gone, asking for an email still answers as usual (the email waits in the outbox)",
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let waiting = scalar(
        &db,
        "SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NULL",
    )
    .await;
    let tried = scalar(
        &db,
        "SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NULL AND attempts > 0",
    )
    .await;
    report.check(
        waiting > 0 && tried > 0,
        format!("the failed deliveries are kept for a retry ({waiting} unsent, {tried} tried)"),
    );
    let sink = Sink::start(s, smtp_port, &sink_dir);
    // The first retry comes 30 s after a failure.
    let drained = wait_for_outbox(&db, Duration::from_secs(75)).await;
    let queued = scalar(&db, "SELECT COUNT(*) FROM outbox_messages").await as usize;
    let received = Sink::messages(&sink.dir);
    let distinct: HashSet<&String> = received.iter().collect();
    report.check(
        drained && received.len() == queued && distinct.len() == queued,
        format!(
            "once the SMTP server is back, every email is delivered once, without restarting Gatehouse ({queued} queued, {} received, {} distinct)",
            received.len(),
            distinct.len()
        ),
    );
    db.close().await.unwrap();
    server.stop();
    sink.kill();
}

pub async fn disk_full(s: &Settings, root: &Path, report: &mut Report) {
    report
        .text
        .push_str("\n### The data directory's disk full during uploads\n\n");
    let dir = root.join("full");
    std::fs::create_dir_all(&dir).unwrap();
    sh(
        "mount",
        &[
            "-t",
            "tmpfs",
            "-o",
            // The demo (3,000 imported policies among it) takes about 3 MB;
            // its write-ahead log grows to at most 10,000 pages (41 MB, see
            // `db.rs`) before a checkpoint and keeps that size; the rest
            // fills with uploads.
            "size=64m",
            "tmpfs",
            dir.to_str().unwrap(),
        ],
    );
    let _unmount = Cleanup::new({
        let dir = dir.clone();
        move || {
            let _ = std::process::Command::new("umount")
                .arg("--lazy")
                .arg(&dir)
                .status();
        }
    });
    let setup = Setup::sqlite(dir.clone());
    setup.demo(s);
    let server = Server::start(s, &setup, root.join("full.log")).await;
    let db = setup.reader().await;
    let http = Http::new();
    let all = logins(&db).await;
    let manager = all.iter().find(|l| l.manager).unwrap();
    let cookie = http
        .sign_in(&server.base(), manager, CLIENT_PASSWORD)
        .await
        .cookie
        .unwrap_or_default();
    let mut tally = Tally::default();
    let mut full: Option<Answer> = None;
    for _ in 0..120 {
        let size = 700_000;
        let answer = http.upload(&server.base(), &cookie, None, &pdf(size)).await;
        if answer.status == 201 {
            let id = serde_json::from_str::<serde_json::Value>(&answer.body).unwrap()["id"]
                .as_i64()
                .unwrap();
            tally.uploads.push((id, size));
        } else {
            full = Some(answer);
            break;
        }
    }
    let (status, body) = full
        .as_ref()
        .map(|a| (a.status, a.body.clone()))
        .unwrap_or((0, String::new()));
    report.check(
        full.as_ref().is_some_and(is_clear_unavailable),
        format!(
            "after {} uploads the disk is full: the next upload answers {status} {}",
            tally.uploads.len(),
            body.chars().take(200).collect::<String>()
        ),
    );
    let partial = std::fs::read_dir(dir.join("documents"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .count();
    report.check(
        partial == 0,
        format!("no partial file is left behind ({partial})"),
    );
    let page = http
        .get(&server.base(), &format!("/portal/{}", manager.org), &cookie)
        .await;
    report.check(
        page.status == 200,
        format!(
            "reading still works while the disk is full ({})",
            page.status
        ),
    );
    sh("mount", &["-o", "remount,size=128m", dir.to_str().unwrap()]);
    let again = http
        .upload(&server.base(), &cookie, None, &pdf(700_000))
        .await;
    if again.status == 201 {
        if let Some(id) = serde_json::from_str::<serde_json::Value>(&again.body)
            .ok()
            .and_then(|v| v["id"].as_i64())
        {
            tally.uploads.push((id, 700_000));
        }
    }
    report.check(
        again.status == 201,
        format!(
            "with space again, the next upload is stored without a restart ({})",
            again.status
        ),
    );
    check_acknowledged(report, &db, &dir.join("documents"), &tally).await;
    db.close().await.unwrap();
    server.stop();
}
