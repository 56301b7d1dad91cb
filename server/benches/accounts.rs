//! The client accounts table at scale: 100,000 accounts in one organization
//! (and a second organization beside it), read through the service the page
//! uses (`services::accounts::list`).
//!
//! Run with `cargo bench -p server --bench accounts` (BENCHMARKS.md has the
//! figures). It measures, on a fresh SQLite file (or `BENCH_DATABASE_URL`, a
//! PostgreSQL server where it may create a database):
//!
//! 1. the first page for every sort column, both directions;
//! 2. walking 200 pages (10,000 rows) by cursor, sorted by name: page 200
//!    must cost what page 1 costs (keyset paging, no OFFSET);
//! 3. searches: a rare term (one match), a common one (thousands), a phone
//!    fragment, and one that matches nothing (the worst case: every row of
//!    the organization is looked at).
//!
//! Target: every first page and every cursor page answers in under 10 ms
//! (p99); searches in tens of milliseconds, not seconds. A missed target
//! prints FAIL; the process still exits 0.
//!
//! Knobs: `BENCH_ACCOUNTS` (default 100000), `BENCH_DATABASE_URL`.

#[path = "../tests/common/mod.rs"]
mod common;
mod support;

use app::{
    domain::AccountSort,
    server::{
        auth::Actor,
        entities::{client_account, user},
        services::accounts::{self, AccountQuery},
    },
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::time::Instant;
use support::{ms, stats, Stats};

const WORDS: [&str; 16] = [
    "Lake", "Harbour", "Maple", "Cedar", "North", "Granite", "Willow", "Summit", "River", "Oak",
    "Bay", "Park", "Stone", "Pine", "Ridge", "Bridge",
];
const KINDS: [&str; 8] = [
    "Towers",
    "Condos",
    "Plaza",
    "Logistics",
    "Dental",
    "Holdings",
    "Storage",
    "Apartments",
];

async fn fill(db: &DatabaseConnection, organization_id: i32, n: usize) {
    let now = chrono::Utc::now();
    let mut batch = Vec::with_capacity(1000);
    for i in 0..n {
        let name = format!(
            "{} {} {} {}",
            WORDS[i % 16],
            WORDS[(i / 16) % 16],
            KINDS[(i / 256) % 8],
            i
        );
        let digits = format!("{}", 2_000_000_000u64 + (i as u64 * 7919) % 7_000_000_000);
        let phone = format!("({}) {}-{}", &digits[..3], &digits[3..6], &digits[6..]);
        let identifier = format!("B{i:08}");
        batch.push(client_account::ActiveModel {
            organization_id: sea_orm::Set(organization_id),
            search_text: sea_orm::Set(client_account::search_text(
                &name.to_lowercase(),
                &identifier,
                &digits,
            )),
            name_key: sea_orm::Set(name.to_lowercase()),
            name: sea_orm::Set(name),
            main_phone: sea_orm::Set(Some(phone)),
            phone_digits: sea_orm::Set(digits),
            identifier: sea_orm::Set(identifier),
            address: sea_orm::Set(None),
            created_at: sea_orm::Set(now),
            ..Default::default()
        });
        if batch.len() == 1000 {
            client_account::Entity::insert_many(std::mem::take(&mut batch))
                .exec(db)
                .await
                .expect("insert accounts");
        }
    }
    if !batch.is_empty() {
        client_account::Entity::insert_many(batch)
            .exec(db)
            .await
            .expect("insert accounts");
    }
}

async fn time_query(
    db: &DatabaseConnection,
    actor: &Actor,
    q: &AccountQuery,
    reps: usize,
) -> (Stats, usize) {
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..reps {
        let t = Instant::now();
        let page = accounts::list(db, actor, q).await.expect("list");
        times.push(t.elapsed());
        rows = page.rows.len();
    }
    (stats(times), rows)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("BENCH_ACCOUNTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let (db, engine, _keep) = support::bench_db().await;
    let seed = common::seed(&db).await;
    let t = Instant::now();
    fill(&db, seed.alpha.id, n).await;
    fill(&db, seed.bravo.id, n / 10).await;
    if engine == "PostgreSQL" {
        use sea_orm::ConnectionTrait;
        db.execute_unprepared("ANALYZE").await.expect("analyze");
    }
    println!(
        "{engine}: {n} accounts in one organization (+{} in another), loaded in {:.1} s",
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
            "  {label:<44} p50 {:>9}  p99 {:>9}  max {:>9}  {}",
            ms(s.p50),
            ms(s.p99),
            ms(s.max),
            if ok { "ok" } else { "FAIL" }
        );
    };

    println!("First page (50 rows), 30 runs each:");
    for sort in AccountSort::ALL {
        for descending in [false, true] {
            let q = AccountQuery {
                sort,
                descending,
                ..Default::default()
            };
            let (s, rows) = time_query(&db, &actor, &q, 30).await;
            assert_eq!(rows, 50);
            check(
                &format!(
                    "sort {} {}",
                    sort.as_str(),
                    if descending { "desc" } else { "asc" }
                ),
                &s,
                10.0,
            );
        }
    }

    println!("Walking 200 pages by cursor (sorted by name):");
    let mut q = AccountQuery::default();
    let mut times = Vec::new();
    let mut seen = 0;
    for _ in 0..200 {
        let t = Instant::now();
        let page = accounts::list(&db, &actor, &q).await.expect("list");
        times.push(t.elapsed());
        seen += page.rows.len();
        q.cursor = page.next_cursor;
    }
    let (first, last) = (times[0], times[199]);
    check("each of 200 pages", &stats(times), 10.0);
    println!(
        "  page 1 {}, page 200 {}; {seen} rows read",
        ms(first),
        ms(last)
    );

    println!("Searches (first page, sorted by name), 10 runs each:");
    for (label, term) in [
        ("rare name (one match)", "maple harbour towers 18"),
        ("common name (thousands)", "cedar"),
        ("phone fragment", "(213) 5"),
        ("identifier fragment", "b0009999"),
        ("no match at all (every row examined)", "zzzz"),
    ] {
        let q = AccountQuery {
            search: term.into(),
            ..Default::default()
        };
        let (s, _) = time_query(&db, &actor, &q, 10).await;
        check(&format!("search {label}"), &s, 100.0);
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
