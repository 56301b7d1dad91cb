//! Create Users at the size the issue names: a pasted batch of 500 people
//! checked and created in an organization that already has 100,000 logins
//! (the generated usernames of 20,000 of its staff, so a pasted batch
//! collides with them and needs suggestions).
//!
//! Run with `cargo bench -p server --bench new_users` (BENCHMARKS.md has the
//! figures). On a fresh SQLite file, or `BENCH_DATABASE_URL` (a PostgreSQL
//! server where it may create a database), it measures:
//!
//! 1. the live check of 500 rows (`services::new_users::check`), 30 times;
//! 2. creating 500 logins (`services::new_users::create`) three times, with
//!    the time spent hashing the initial passwords (on the hashing pool,
//!    one thread per core) and in the one write transaction;
//! 3. a sign-in's password check while a batch hashes: it waits behind at
//!    most one round of the batch's hashes, never the whole batch.
//!
//! Targets: check p99 under 250 ms; a batch of 500 created in under 60 s;
//! a sign-in's check p99 under 250 ms while a batch hashes. A missed target
//! prints FAIL; the process still exits 0.
//!
//! Knobs: `BENCH_LOGINS` (default 100000), `BENCH_BATCH` (default 500),
//! `BENCH_DATABASE_URL`.

#[path = "../tests/common/mod.rs"]
mod common;
mod support;

use app::{
    domain::{new_users::BatchRow, StaffRole},
    server::{
        auth::{password::PasswordHasher, Actor},
        entities::user,
        mail::MailSettings,
        services::{
            demo_people::{FIRST, LAST},
            new_users::{self, Batch, Outcome, Progress},
        },
    },
};
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::time::{Duration, Instant};
use support::{ms, stats, Stats};

/// Inserts `n` staff logins named from the demo's lists, with the
/// usernames Create Users would have given them (and numbered ones when
/// taken), the keys as the app computes them.
async fn fill(db: &DatabaseConnection, organization_id: i32, prefix: &str, n: usize) {
    let now = Utc::now();
    let mut taken = std::collections::HashSet::new();
    let mut batch = Vec::with_capacity(500);
    for i in 0..n {
        let first = FIRST[(i * 7) % FIRST.len()];
        let last = LAST[(i / FIRST.len() + i) % LAST.len()];
        let base = app::domain::new_users::generated_username(prefix, first, last)
            .map(|u| u.as_str().to_string())
            .unwrap_or_else(|_| format!("{prefix}x"));
        let mut username = base.clone();
        let mut k = 2;
        while !taken.insert(username.clone()) {
            username = format!("{base}{k}");
            k += 1;
        }
        let keys = user::Keys::of(first, None, last, &username);
        batch.push(user::ActiveModel {
            organization_id: sea_orm::Set(organization_id),
            kind: sea_orm::Set("staff".into()),
            role: sea_orm::Set("staff".into()),
            client_account_id: sea_orm::Set(None),
            username: sea_orm::Set(username),
            first_name: sea_orm::Set(first.into()),
            middle_name: sea_orm::Set(None),
            last_name: sea_orm::Set(last.into()),
            email: sea_orm::Set(None),
            password_hash: sea_orm::Set(None),
            active: sea_orm::Set(i % 37 != 5),
            can_login: sea_orm::Set(true),
            must_change_password: sea_orm::Set(false),
            can_modify: sea_orm::Set(false),
            can_delete: sea_orm::Set(false),
            last_login_at: sea_orm::Set(None),
            created_at: sea_orm::Set(now),
            name_key: sea_orm::Set(keys.name_key),
            first_key: sea_orm::Set(keys.first_key),
            last_key: sea_orm::Set(keys.last_key),
            search_text: sea_orm::Set(keys.search_text),
            last_logon_key: sea_orm::Set(0),
            admin_event_id: sea_orm::Set(0),
            ..Default::default()
        });
        if batch.len() == 500 {
            user::Entity::insert_many(std::mem::take(&mut batch))
                .exec(db)
                .await
                .expect("insert logins");
        }
    }
    if !batch.is_empty() {
        user::Entity::insert_many(batch)
            .exec(db)
            .await
            .expect("insert logins");
    }
}

/// A pasted batch: `n` people from the demo's names (many already have a
/// login), offset so that each run pastes other people.
fn pasted(n: usize, offset: usize) -> Vec<BatchRow> {
    (0..n)
        .map(|i| {
            let j = offset + i * 13;
            BatchRow {
                key: i as u32,
                first_name: FIRST[j % FIRST.len()].into(),
                last_name: LAST[(j / 3) % LAST.len()].into(),
                email: String::new(),
                username: None,
            }
        })
        .collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("BENCH_LOGINS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let size: usize = std::env::var("BENCH_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let (db, engine, _keep) = support::bench_db().await;
    let seed = common::seed(&db).await;
    let t = Instant::now();
    // A fifth of the logins have generated usernames; the rest stand for
    // the organization's other logins (their names never collide).
    fill(&db, seed.alpha.id, &seed.alpha.agency_prefix, n / 5).await;
    fill(&db, seed.bravo.id, "9", n * 4 / 5).await;
    {
        use sea_orm::ConnectionTrait;
        db.execute_unprepared(if engine == "PostgreSQL" {
            "VACUUM ANALYZE"
        } else {
            "PRAGMA optimize"
        })
        .await
        .expect("analyze");
    }
    println!(
        "{engine}: {} staff logins with generated usernames (+{} in another organization), loaded in {:.1} s",
        n / 5,
        n * 4 / 5,
        t.elapsed().as_secs_f64()
    );
    let admin = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(seed.alpha.id))
        .filter(user::Column::Username.eq(seed.alpha_admin.as_str()))
        .one(&db)
        .await
        .unwrap()
        .expect("admin");
    let actor = Actor::from_user(&admin).unwrap();
    let mut failures = 0;
    let mut report = |label: &str, s: &Stats, limit: Duration| {
        let ok = s.p99 <= limit;
        if !ok {
            failures += 1;
        }
        println!(
            "  {label:<52} p50 {:>11}  p99 {:>11}  max {:>11}  {}",
            ms(s.p50),
            ms(s.p99),
            ms(s.max),
            if ok { "ok" } else { "FAIL" }
        );
    };

    // 1. The live check of a pasted batch: new names (a tenth of them
    //    clash), and the worst case, where every name has ~25 logins.
    let fresh: Vec<BatchRow> = pasted(size, 0)
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            if i % 10 != 0 {
                let a = (b'a' + (i % 26) as u8) as char;
                let b = (b'a' + (i / 26 % 26) as u8) as char;
                r.last_name = format!("{}-{a}{b}", r.last_name);
            }
            r
        })
        .collect();
    for (label, rows) in [
        ("new people", fresh),
        ("every name taken ~25 times", pasted(size, 0)),
    ] {
        let mut times = Vec::new();
        let mut failing = 0;
        for _ in 0..30 {
            let t = Instant::now();
            let checks = new_users::check(&db, &actor, rows.clone())
                .await
                .expect("check");
            times.push(t.elapsed());
            failing = checks.iter().filter(|c| !c.pass).count();
        }
        report(
            &format!("check {size} rows, {label} ({failing} fail)"),
            &stats(times),
            Duration::from_millis(250),
        );
    }

    // 2 and 3. Creating batches, with sign-ins checking passwords meanwhile.
    let hasher = PasswordHasher::per_core();
    let mail = MailSettings::new("https://gatehouse.example.test", true);
    let stored = hasher.hash("Bench-Sign-In-1!".into()).await.unwrap();
    let mut totals = Vec::new();
    let mut hashing = Vec::new();
    let mut writing = Vec::new();
    let mut sign_ins = Vec::new();
    for run in 0..3 {
        // Accept every suggestion, as the administrator would.
        let mut rows = pasted(size, 1 + run * 7919);
        let checks = new_users::check(&db, &actor, rows.clone()).await.unwrap();
        for (row, check) in rows.iter_mut().zip(&checks) {
            if !check.pass {
                row.username = check.suggestion.clone();
            }
        }
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let prober = {
            let (hasher, stored, stop) = (hasher.clone(), stored.clone(), stop.clone());
            tokio::spawn(async move {
                let mut waits = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let t = Instant::now();
                    hasher
                        .verify("Bench-Sign-In-1!".into(), Some(stored.clone()))
                        .await
                        .unwrap();
                    waits.push(t.elapsed());
                    tokio::time::sleep(Duration::from_millis(150)).await;
                }
                waits
            })
        };
        let started = Instant::now();
        let mut hashed_at = None;
        let outcome = new_users::create(
            &db,
            &hasher,
            &mail,
            &actor,
            Batch {
                role: StaffRole::Staff,
                password: "Onboard-Batch-7#".into(),
                welcome_links: false,
                rows,
            },
            Utc::now(),
            |p| {
                if let Progress::Creating { done: 1, .. } = p {
                    hashed_at = Some(started.elapsed());
                }
                Ok(())
            },
        )
        .await
        .expect("create");
        let total = started.elapsed();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        sign_ins.extend(prober.await.unwrap());
        match outcome {
            Outcome::Created(c) => assert_eq!(c.len(), size),
            Outcome::Refused(r) => panic!(
                "refused: {:?}",
                r.iter().filter(|c| !c.pass).take(3).collect::<Vec<_>>()
            ),
        }
        let hashed = hashed_at.unwrap_or(total);
        totals.push(total);
        hashing.push(hashed);
        writing.push(total - hashed);
    }
    report(
        &format!("create {size} logins (3 batches)"),
        &stats(totals),
        Duration::from_secs(60),
    );
    report(
        &format!("  of which hashing {size} initial passwords"),
        &stats(hashing),
        Duration::from_secs(60),
    );
    report(
        &format!("  of which the write transaction ({size} logins + audit)"),
        &stats(writing),
        Duration::from_secs(10),
    );
    let probes = sign_ins.len();
    report(
        &format!("a sign-in's password check while batches hash ({probes})"),
        &stats(sign_ins),
        Duration::from_millis(250),
    );
    println!(
        "{engine}: {}",
        if failures == 0 {
            "every target met".to_string()
        } else {
            format!("{failures} targets missed")
        }
    );
}
