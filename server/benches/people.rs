//! The People directory at scale: 100,000 logins in one organization (60,000
//! staff, 40,000 client logins in 400 accounts) and a second organization
//! beside it, read through the service the page uses
//! (`services::people::list`, which also counts the active logins and
//! writes each row's Description).
//!
//! Run with `cargo bench -p server --bench people` (BENCHMARKS.md has the
//! figures). On a fresh SQLite file, or `BENCH_DATABASE_URL` (a PostgreSQL
//! server where it may create a database), it measures:
//!
//! 1. the first page of every sort, both directions, staff and clients;
//! 2. walking 200 pages by cursor for every sort: page 200 must cost what
//!    page 1 costs (keyset paging, no OFFSET);
//! 3. name searches: a rare full name, a common last name, a fragment, a
//!    username, and a term matching nothing (every login looked at).
//!
//! Targets: p99 under 10 ms for pages and under 50 ms for searches. A missed
//! target prints FAIL; the process still exits 0.
//!
//! Knobs: `BENCH_LOGINS` (default 100000), `BENCH_DATABASE_URL`.

#[path = "../tests/common/mod.rs"]
mod common;
mod support;

use app::{
    domain::{PeopleQuery, PeopleSort, UserKind},
    server::{
        auth::Actor,
        entities::{client_account, user},
        services::people,
    },
};
use chrono::{Duration as Days, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::time::Instant;
use support::{ms, stats, Stats};

/// The demo directory's names, with accents.
use app::server::services::demo_people::{FIRST, LAST};

/// Inserts `staff` staff logins and `clients` client logins (in accounts of
/// 100) into the organization, the keys computed as the app computes them.
async fn fill(db: &DatabaseConnection, organization_id: i32, staff: usize, clients: usize) {
    let now = Utc::now();
    let mut accounts = Vec::new();
    for a in 0..clients.div_ceil(100) {
        let name = format!("Bench Client {organization_id}-{a}");
        let row = client_account::ActiveModel {
            organization_id: sea_orm::Set(organization_id),
            search_text: sea_orm::Set(client_account::search_text(
                &name.to_lowercase(),
                &format!("c{organization_id}x{a:06}"),
                "",
            )),
            name_key: sea_orm::Set(name.to_lowercase()),
            name: sea_orm::Set(name),
            main_phone: sea_orm::Set(None),
            phone_digits: sea_orm::Set(String::new()),
            identifier: sea_orm::Set(format!("c{organization_id}x{a:06}")),
            address: sea_orm::Set(None),
            created_at: sea_orm::Set(now),
            ..Default::default()
        };
        let res = client_account::Entity::insert(row)
            .exec(db)
            .await
            .expect("account");
        accounts.push(res.last_insert_id);
    }
    let mut batch = Vec::with_capacity(500);
    for i in 0..staff + clients {
        let is_staff = i < staff;
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i / FIRST.len()) % LAST.len()];
        let username = format!("u{organization_id}x{i:07}");
        let keys = user::Keys::of(first, None, last, &username);
        let logon = (i % 5 != 0).then(|| now - Days::minutes((i * 7919 % 400_000) as i64));
        let (role, account) = if is_staff {
            (
                ["staff", "broker", "staff", "user_administrator"][i % 4],
                None,
            )
        } else {
            (
                [
                    "office_staff",
                    "claims_rep",
                    "claims_rep_manager",
                    "insured",
                ][i % 4],
                Some(accounts[(i - staff) / 100]),
            )
        };
        batch.push(user::ActiveModel {
            organization_id: sea_orm::Set(organization_id),
            kind: sea_orm::Set(if is_staff { "staff" } else { "client" }.into()),
            role: sea_orm::Set(role.into()),
            client_account_id: sea_orm::Set(account),
            username: sea_orm::Set(username),
            first_name: sea_orm::Set(first.into()),
            middle_name: sea_orm::Set(None),
            last_name: sea_orm::Set(last.into()),
            email: sea_orm::Set(None),
            password_hash: sea_orm::Set(None),
            active: sea_orm::Set(i % 37 != 5),
            can_login: sea_orm::Set(i % 41 != 7),
            must_change_password: sea_orm::Set(false),
            can_modify: sea_orm::Set(false),
            can_delete: sea_orm::Set(false),
            last_login_at: sea_orm::Set(logon),
            created_at: sea_orm::Set(now),
            name_key: sea_orm::Set(keys.name_key),
            first_key: sea_orm::Set(keys.first_key),
            last_key: sea_orm::Set(keys.last_key),
            search_text: sea_orm::Set(keys.search_text),
            last_logon_key: sea_orm::Set(logon.map_or(0, |t| t.timestamp())),
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

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("BENCH_LOGINS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let (db, engine, _keep) = support::bench_db().await;
    let seed = common::seed(&db).await;
    let t = Instant::now();
    fill(&db, seed.alpha.id, n * 6 / 10, n * 4 / 10).await;
    fill(&db, seed.bravo.id, n / 20, n / 20).await;
    {
        use sea_orm::ConnectionTrait;
        // PostgreSQL as autovacuum leaves a table in service (statistics and
        // the visibility map index-only scans rely on), not as a bulk load
        // leaves it.
        db.execute_unprepared(if engine == "PostgreSQL" {
            "VACUUM ANALYZE"
        } else {
            "PRAGMA optimize"
        })
        .await
        .expect("analyze");
    }
    println!(
        "{engine}: {n} logins in one organization (+{} in another), loaded in {:.1} s",
        n / 10,
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
    let mut check = |label: &str, s: &Stats, limit_ms: f64| {
        let ok = s.p99.as_secs_f64() * 1000.0 <= limit_ms;
        if !ok {
            failures += 1;
        }
        println!(
            "  {label:<46} p50 {:>9}  p99 {:>9}  max {:>9}  {}",
            ms(s.p50),
            ms(s.p99),
            ms(s.max),
            if ok { "ok" } else { "FAIL" }
        );
    };
    let time = |q: PeopleQuery, reps: usize| {
        let (db, actor) = (db.clone(), actor.clone());
        async move {
            let mut times = Vec::new();
            let mut rows = 0;
            for _ in 0..reps {
                let t = Instant::now();
                let page = people::list(&db, &actor, &q, Utc::now())
                    .await
                    .expect("list");
                times.push(t.elapsed());
                rows = page.rows.len();
            }
            (stats(times), rows)
        }
    };

    println!("First page (50 rows), 20 runs each:");
    for side in [UserKind::Staff, UserKind::Client] {
        for sort in PeopleSort::ALL {
            for descending in [false, true] {
                let q = PeopleQuery {
                    side,
                    sort,
                    descending,
                    ..Default::default()
                };
                let (s, rows) = time(q, 20).await;
                assert_eq!(rows, 50);
                check(
                    &format!(
                        "{} sort {} {}",
                        side.as_str(),
                        sort.as_str(),
                        if descending { "desc" } else { "asc" }
                    ),
                    &s,
                    10.0,
                );
            }
        }
    }

    println!("Walking 200 pages by cursor (staff), every sort:");
    for sort in PeopleSort::ALL {
        let mut q = PeopleQuery {
            sort,
            ..Default::default()
        };
        let mut times = Vec::new();
        for _ in 0..200 {
            let t = Instant::now();
            let page = people::list(&db, &actor, &q, Utc::now())
                .await
                .expect("list");
            times.push(t.elapsed());
            q.cursor = page.next_cursor;
            assert!(q.cursor.is_some(), "200 full pages");
        }
        let last = times[199];
        let s = stats(times);
        check(
            &format!("sort {} pages 1-200 (page 200 {})", sort.as_str(), ms(last)),
            &s,
            10.0,
        );
    }

    println!("Name searches (first page, by display name), 10 runs each:");
    for (label, term) in [
        ("rare full name (a username)", "u1x0012345"),
        ("full name", "zoë ó brádaigh"),
        ("common last name", "patel"),
        ("fragment", "belan"),
        ("nothing matches (every login looked at)", "qqqq"),
    ] {
        for side in [UserKind::Staff, UserKind::Client] {
            let q = PeopleQuery {
                side,
                search: term.into(),
                ..Default::default()
            };
            let (s, _) = time(q, 10).await;
            check(&format!("{} search {label}", side.as_str()), &s, 50.0);
        }
    }
    println!(
        "{}",
        if failures == 0 {
            "PASS: every target met".to_string()
        } else {
            format!("FAIL: {failures} target(s) missed")
        }
    );
}
