//! The Insureds table at scale: 1,000,000 generated policies (about
//! 750,000 insureds) in one organization and 50,000 of the same set in a
//! second one, read through the service the page uses
//! (`services::insureds::list`, which also counts the matches and reads the
//! rows' policies).
//!
//! Run with `cargo bench -p server --bench insureds` (BENCHMARKS.md has the
//! figures). On a fresh SQLite file, or `BENCH_DATABASE_URL` (a PostgreSQL
//! server where it may create a database), it measures:
//!
//! 1. searches, first page: a rare full name, a common last name, a name
//!    fragment, an exact policy number, a policy number prefix (with its
//!    dashes), an email, and a term matching nothing — target p95 ≤ 50 ms;
//! 2. the first page of every sort, both directions, and of the Active
//!    policies and Needs attaching filters — target p99 ≤ 10 ms;
//! 3. walking 200 pages by cursor for every sort — target p99 ≤ 10 ms.
//!
//! The rows are written straight into the tables (the import's own speed
//! is `--bench imports`), with the keys and summaries the app computes. A
//! missed target prints FAIL; the process still exits 0.
//!
//! Knobs: `BENCH_POLICIES` (default 1000000), `BENCH_DATABASE_URL`,
//! `BENCH_KEEP` (SQLite: keep the loaded file and print where it is).

#[path = "../tests/common/mod.rs"]
mod common;
mod support;

use app::{
    domain::{
        insured::{display_postal_code, insured_match_key, policy_key, policy_number_key},
        InsuredSort, InsuredsQuery, PolicyFilter,
    },
    server::{
        auth::Actor,
        entities::{import_file, import_run, insured, policy, user},
        import::generate,
        services::{insured_summary::date_key, insureds},
    },
};
use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use std::{collections::HashMap, time::Duration, time::Instant};
use support::{ms, stats};

/// What an insured of the set will be, gathered from its policies.
struct Pending {
    id: i32,
    first: u64,
    policies: i32,
    expiry_key: i32,
    active_until_key: i32,
    email: Option<String>,
}

/// Writes `n` policies of the generated set into the organization, and
/// their insureds; answers the most common last name of the set.
async fn fill(db: &DatabaseConnection, org: i32, n: u64, next_id: &mut i32) -> String {
    let now = Utc::now();
    let shape = generate::SetShape {
        seed: 11,
        policies: n,
        today: now.date_naive(),
    };
    let run = import_run::Entity::insert(import_run::ActiveModel {
        organization_id: Set(org),
        source: Set("folder".into()),
        started_at: Set(now),
        finished_at: Set(Some(now)),
        ..Default::default()
    })
    .exec(db)
    .await
    .expect("run")
    .last_insert_id;
    let file = import_file::Entity::insert(import_file::ActiveModel {
        organization_id: Set(org),
        import_run_id: Set(run),
        file_name: Set("bench.xml".into()),
        sha256: Set("0".repeat(64)),
        bytes: Set(0),
        outcome: Set("imported".into()),
        policies: Set(n as i32),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await
    .expect("file")
    .last_insert_id;

    // Pass 1: the insureds, matched as the import matches them.
    let mut by_key: HashMap<String, Pending> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut last_names: HashMap<String, u32> = HashMap::new();
    for j in 0..n {
        let p = generate::policy(&shape, j);
        let key = insured_match_key(
            &p.insured.full_name,
            &p.insured.address,
            &p.insured.postal_code,
        );
        let expiry = date_key(p.expiry);
        let active = p.status.as_str() != "cancelled";
        let entry = by_key.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            *last_names.entry(p.insured.last_name.clone()).or_default() += 1;
            *next_id += 1;
            Pending {
                id: *next_id,
                first: j,
                policies: 0,
                expiry_key: 0,
                active_until_key: 0,
                // Every hundredth insured is registered.
                email: (*next_id % 100 == 0).then(|| format!("client{}@example.com", *next_id)),
            }
        });
        entry.policies += 1;
        entry.expiry_key = entry.expiry_key.max(expiry);
        if active {
            entry.active_until_key = entry.active_until_key.max(expiry);
        }
    }
    let mut batch = Vec::with_capacity(500);
    for key in &order {
        let e = &by_key[key];
        let p = generate::policy(&shape, e.first);
        let i = &p.insured;
        let keys = insured::Keys::of(
            &i.full_name,
            &i.last_name,
            &i.address,
            &i.postal_code,
            e.email.as_deref(),
        );
        batch.push(insured::ActiveModel {
            id: Set(e.id),
            organization_id: Set(org),
            full_name: Set(i.full_name.clone()),
            last_name: Set(i.last_name.clone()),
            address: Set(i.address.clone()),
            city: Set(i.city.clone()),
            province: Set(i.province.clone()),
            postal_code: Set(display_postal_code(&i.postal_code)),
            email: Set(e.email.clone()),
            phone: Set(i.phone.clone()),
            match_key: Set(key.clone()),
            name_key: Set(keys.name_key),
            last_name_key: Set(keys.last_name_key),
            postal_key: Set(keys.postal_key),
            search_text: Set(keys.search_text),
            // One in fifty flagged, as the generator's near matches are.
            needs_attaching: Set(e.id % 50 == 7),
            likely_match_id: Set(None),
            latest_download_at: Set(now - chrono::Duration::minutes((e.id % 100_000) as i64)),
            policy_count: Set(e.policies),
            expiry_key: Set(e.expiry_key),
            active_until_key: Set(e.active_until_key),
            created_at: Set(now),
            updated_at: Set(now),
            // The bench's registered insureds have an email but no login:
            // the table reads only the email.
            client_account_id: Set(None),
            user_id: Set(None),
        });
        if batch.len() == 500 {
            insured::Entity::insert_many(std::mem::take(&mut batch))
                .exec(db)
                .await
                .expect("insureds");
        }
    }
    if !batch.is_empty() {
        insured::Entity::insert_many(batch)
            .exec(db)
            .await
            .expect("insureds");
    }

    // Pass 2: the policies.
    let mut batch = Vec::with_capacity(500);
    for j in 0..n {
        let p = generate::policy(&shape, j);
        let key = insured_match_key(
            &p.insured.full_name,
            &p.insured.address,
            &p.insured.postal_code,
        );
        batch.push(policy::ActiveModel {
            organization_id: Set(org),
            policy_key: Set(policy_key(&p.carrier_code, &p.policy_number)),
            carrier_code: Set(p.carrier_code.clone()),
            number_key: Set(policy_number_key(&p.policy_number)),
            policy_number: Set(p.policy_number.clone()),
            line_of_business: Set(p.line_of_business.clone()),
            effective_date: Set(p.effective),
            expiry_date: Set(p.expiry),
            status: Set(p.status.as_str().to_string()),
            premium_cents: Set(p.premium_cents),
            downloaded_name: Set(p.insured.full_name.clone()),
            downloaded_address: Set(p.insured.address.clone()),
            downloaded_city: Set(p.insured.city.clone()),
            downloaded_province: Set(p.insured.province.clone()),
            downloaded_postal_code: Set(p.insured.postal_code.clone()),
            downloaded_email: Set(None),
            insured_id: Set(by_key[&key].id),
            import_file_id: Set(file),
            produced_at: Set(p.produced_at),
            content_hash: Set("0".repeat(64)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        if batch.len() == 500 {
            policy::Entity::insert_many(std::mem::take(&mut batch))
                .exec(db)
                .await
                .expect("policies");
        }
    }
    if !batch.is_empty() {
        policy::Entity::insert_many(batch)
            .exec(db)
            .await
            .expect("policies");
    }
    last_names
        .into_iter()
        .max_by_key(|(name, count)| (*count, std::cmp::Reverse(name.clone())))
        .map(|(name, _)| name)
        .expect("a last name")
}

/// The 95th percentile of `v`.
fn p95(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v[((v.len() as f64 - 1.0) * 0.95).round() as usize]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: u64 = std::env::var("BENCH_POLICIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let (db, engine, _keep) = support::bench_db().await;
    let seed = common::seed(&db).await;
    let t = Instant::now();
    // Ids written by the bench start past anything seeded.
    let mut next_id = 1_000;
    let common_last = fill(&db, seed.alpha.id, n, &mut next_id).await;
    fill(&db, seed.bravo.id, n / 20, &mut next_id).await;
    if engine == "PostgreSQL" {
        db.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('insureds', 'id'), (SELECT MAX(id) FROM insureds))",
        )
        .await
        .expect("sequence");
    }
    db.execute_unprepared(if engine == "PostgreSQL" {
        "VACUUM ANALYZE"
    } else {
        "PRAGMA optimize"
    })
    .await
    .expect("analyze");
    if std::env::var("BENCH_KEEP").is_ok() && engine == "SQLite" {
        // Keeps the loaded file for a look with `sqlite3` afterwards.
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT file FROM pragma_database_list WHERE name = 'main'",
            ))
            .await
            .expect("file")
            .expect("a row");
        println!("kept: {}", row.try_get::<String>("", "file").expect("file"));
        std::mem::forget(_keep);
    }
    let alpha_insureds = insured::Entity::find()
        .filter(insured::Column::OrganizationId.eq(seed.alpha.id))
        .count(&db)
        .await
        .expect("count");
    println!(
        "{engine}: {n} policies, {alpha_insureds} insureds in one organization (+{} policies in another), loaded in {:.1} s",
        n / 20,
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
    let now = Utc::now();
    let today = now.date_naive();

    // The terms, from the data: the set is deterministic.
    let shape = generate::SetShape {
        seed: 11,
        policies: n,
        today,
    };
    let rare = generate::policy(&shape, n / 2 + 1).insured.full_name;
    let fragment: String = rare
        .split_whitespace()
        .last()
        .unwrap_or(&rare)
        .chars()
        .take(4)
        .collect();
    let number = generate::policy(&shape, n / 3).policy_number;
    // The number's first nine characters with their dashes ("AV-07-0033"):
    // about a hundred policies.
    let prefix: String = number.chars().take(10).collect();
    let email = insured::Entity::find()
        .filter(insured::Column::OrganizationId.eq(seed.alpha.id))
        .filter(insured::Column::Email.is_not_null())
        .one(&db)
        .await
        .unwrap()
        .and_then(|i| i.email)
        .expect("a registered insured");

    let mut failures = 0;
    let mut check =
        |label: &str, times: &[Duration], rows: usize, limit_ms: f64, p95_target: bool| {
            let s = stats(times.to_vec());
            let p95 = p95(times);
            let measured = if p95_target { p95 } else { s.p99 };
            let ok = measured.as_secs_f64() * 1000.0 <= limit_ms;
            if !ok {
                failures += 1;
            }
            println!(
                "  {label:<52} rows {rows:>3}  p50 {:>9}  p95 {:>9}  p99 {:>9}  max {:>9}  {}",
                ms(s.p50),
                ms(p95),
                ms(s.p99),
                ms(s.max),
                if ok { "ok" } else { "FAIL" }
            );
        };
    let time = |q: InsuredsQuery, reps: usize| {
        let (db, actor) = (db.clone(), actor.clone());
        async move {
            let mut times = Vec::new();
            let mut rows = 0;
            for _ in 0..reps {
                let t = Instant::now();
                let page = insureds::list(&db, &actor, &q, now).await.expect("list");
                times.push(t.elapsed());
                rows = page.rows.len();
            }
            (times, rows)
        }
    };

    println!("Searches (first page, by name), 40 runs each, target p95 <= 50 ms:");
    for (label, term) in [
        (format!("rare full name {rare:?}"), rare.clone()),
        (
            format!("common last name {common_last:?}"),
            common_last.clone(),
        ),
        (format!("name fragment {fragment:?}"), fragment.clone()),
        (format!("exact policy number {number:?}"), number.clone()),
        (format!("policy number prefix {prefix:?}"), prefix.clone()),
        (format!("email {email:?}"), email.clone()),
        (
            "nothing matches \"qqzzqx\"".to_string(),
            "qqzzqx".to_string(),
        ),
    ] {
        let q = InsuredsQuery {
            search: term,
            ..Default::default()
        };
        let (times, rows) = time(q, 40).await;
        check(&label, &times, rows, 50.0, true);
    }

    println!("First page (50 rows), 100 runs each, target p99 <= 10 ms:");
    for sort in InsuredSort::ALL {
        for descending in [false, true] {
            let q = InsuredsQuery {
                sort,
                descending,
                ..Default::default()
            };
            let (times, rows) = time(q, 100).await;
            assert_eq!(rows, 50);
            check(
                &format!(
                    "sort {} {}",
                    sort.as_str(),
                    if descending { "desc" } else { "asc" }
                ),
                &times,
                rows,
                10.0,
                false,
            );
        }
    }
    for (label, q) in [
        (
            "Active policies, by expiry",
            InsuredsQuery {
                policies: PolicyFilter::Active,
                sort: InsuredSort::Expiry,
                ..Default::default()
            },
        ),
        (
            "Needs attaching, by name",
            InsuredsQuery {
                needs_attaching: true,
                ..Default::default()
            },
        ),
    ] {
        let (times, rows) = time(q, 100).await;
        check(label, &times, rows, 10.0, false);
    }

    println!("Walking 200 pages by cursor, every sort, target p99 <= 10 ms:");
    for sort in InsuredSort::ALL {
        let mut q = InsuredsQuery {
            sort,
            ..Default::default()
        };
        let mut times = Vec::new();
        for _ in 0..200 {
            let t = Instant::now();
            let page = insureds::list(&db, &actor, &q, now).await.expect("list");
            times.push(t.elapsed());
            q.cursor = page.next_cursor;
            assert!(q.cursor.is_some(), "200 full pages");
        }
        let last = times[199];
        check(
            &format!("sort {} pages 1-200 (page 200 {})", sort.as_str(), ms(last)),
            &times,
            50,
            10.0,
            false,
        );
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
