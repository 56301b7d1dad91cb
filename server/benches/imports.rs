//! Importing CSIO policy downloads at scale, through the service every
//! import door uses (`services::imports`).
//!
//! Run with `cargo bench -p server --bench imports` (BENCHMARKS.md has the
//! figures). On a fresh SQLite file, or `BENCH_DATABASE_URL` (a PostgreSQL
//! server where it may create a database), it imports a generated book of
//! business (`BENCH_POLICIES`, default 50,000, in files of 100 policies:
//! people and companies, about 4 policies for every 3 insureds, 2 % near
//! matches) into one organization, then imports the same files again (every
//! policy unchanged), and prints policies per second and the time per file.
//!
//! Target: at least 5,000 policies/s on SQLite for the first import (the
//! files are generated before the clock starts; parsing is timed, as it is
//! part of importing). A missed target prints FAIL; the process still
//! exits 0.

#[path = "../tests/common/mod.rs"]
mod common;
mod support;

use app::server::{
    entities::{insured, policy},
    import::generate,
    services::imports::{Import, Importer, Source},
};
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use std::time::Instant;
use support::{ms, stats};

async fn run(
    db: &DatabaseConnection,
    org: i32,
    files: &[(String, String)],
    label: &str,
    target: Option<f64>,
) -> bool {
    let import = Import::start(
        db,
        Importer::Operator {
            organization_id: org,
        },
        Source::CommandLine,
        Utc::now(),
    )
    .await
    .expect("start");
    let mut per_file = Vec::with_capacity(files.len());
    let mut policies = 0u64;
    let t = Instant::now();
    for (name, text) in files {
        let f = Instant::now();
        let outcome = import
            .add_file(db, name, text.as_bytes(), Utc::now())
            .await
            .expect("import");
        assert!(outcome.rejected.is_none(), "{name}: {:?}", outcome.rejected);
        policies += u64::from(outcome.totals.policies);
        per_file.push(f.elapsed());
    }
    let elapsed = t.elapsed();
    import.finish(db, Utc::now()).await.expect("finish");
    let rate = policies as f64 / elapsed.as_secs_f64();
    let s = stats(per_file);
    let ok = target.is_none_or(|t| rate >= t);
    println!(
        "  {label:<34} {policies} policies in {:.2} s: {:>7.0} policies/s; per file of 100: p50 {} p99 {} max {}  {}",
        elapsed.as_secs_f64(),
        rate,
        ms(s.p50),
        ms(s.p99),
        ms(s.max),
        match target {
            Some(_) if ok => "ok",
            Some(_) => "FAIL",
            None => "",
        }
    );
    ok
}

#[tokio::main]
async fn main() {
    let n: u64 = std::env::var("BENCH_POLICIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let (db, engine, _keep) = support::bench_db().await;
    let seed = common::seed(&db).await;
    let shape = generate::SetShape {
        seed: 42,
        policies: n,
        today: Utc::now().date_naive(),
    };
    let files: Vec<_> = generate::files(&shape, 100).collect();
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    println!(
        "{engine}: importing {n} generated policies in {} files ({:.1} MB)",
        files.len(),
        bytes as f64 / 1e6
    );
    let sqlite = engine == "SQLite";
    let mut ok = run(
        &db,
        seed.alpha.id,
        &files,
        "first import (all new)",
        sqlite.then_some(5_000.0),
    )
    .await;
    ok &= run(
        &db,
        seed.alpha.id,
        &files,
        "the same files again (unchanged)",
        None,
    )
    .await;
    // Another brokerage's import beside it.
    let other: Vec<_> = generate::files(
        &generate::SetShape {
            seed: 43,
            policies: n / 10,
            ..shape
        },
        100,
    )
    .collect();
    ok &= run(&db, seed.bravo.id, &other, "a second organization", None).await;
    let policies = policy::Entity::find()
        .filter(policy::Column::OrganizationId.eq(seed.alpha.id))
        .count(&db)
        .await
        .unwrap();
    let insureds = insured::Entity::find()
        .filter(insured::Column::OrganizationId.eq(seed.alpha.id))
        .count(&db)
        .await
        .unwrap();
    println!("  stored: {policies} policies of {insureds} insureds in the first organization");
    assert_eq!(policies, n);
    if !ok {
        println!("FAIL: a target was missed");
    }
}
