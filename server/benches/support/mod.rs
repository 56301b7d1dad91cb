//! What the benchmarks share: the database they run on and percentiles of
//! a set of timings.

use std::time::Duration;

/// The p50, p99 and maximum of a set of timings.
pub struct Stats {
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

/// The percentiles of `v`.
pub fn stats(mut v: Vec<Duration>) -> Stats {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    Stats {
        p50: at(0.5),
        p99: at(0.99),
        max: *v.last().unwrap(),
    }
}

/// A duration in milliseconds, for the tables.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The database a benchmark runs on: a new database on the PostgreSQL
/// server `BENCH_DATABASE_URL` names (where it may create one), else a fresh
/// SQLite file; with the engine's name and what keeps that file alive.
pub async fn bench_db() -> (
    sea_orm::DatabaseConnection,
    &'static str,
    Option<crate::common::TestDb>,
) {
    match std::env::var("BENCH_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => {
            let url = crate::common::new_postgres_database(&admin, "gatehouse_bench").await;
            let db = app::server::db::connect(&url).await.expect("connect");
            use migrations::MigratorTrait;
            migrations::Migrator::up(&db, None).await.expect("migrate");
            (db, "PostgreSQL", None)
        }
        _ => {
            let t = crate::common::fresh_db(crate::common::Engine::Sqlite).await;
            (t.db.clone(), "SQLite", Some(t))
        }
    }
}
