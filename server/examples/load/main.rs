//! The load and fault test: the release `server` binary under simulated
//! users, on loopback only, bounded in time. Run it with `scripts/load.sh`
//! (which builds what is missing, starts a throwaway PostgreSQL and finds
//! the SMTP sink); `scripts/load.sh --short` is the form the test command
//! runs. It exits non-zero when any check fails, and writes the report
//! (markdown) to standard output.
//!
//! Phases, each on fresh data:
//!
//! 1. **SQLite**: one server on a file database; `users` simulated users
//!    for `seconds`, each signed in with its own session, mixing page views,
//!    account searches, report writes, PDF uploads and fresh sign-ins with
//!    a think time of 0.1–0.6 s. Passes with zero errors, zero
//!    "database is locked" in the server log, and every acknowledged write
//!    found afterwards (row and file).
//! 2. **PostgreSQL, two servers** sharing one database and data directory:
//!    a session made on one works on the other; failed sign-ins spread over
//!    both lock the login out on both; every email queued through both is
//!    delivered exactly once (two outbox workers); then the same load
//!    spread over both servers.
//! 3. **Faults**, each while users keep working: the SQLite data directory
//!    made read-only and back; PostgreSQL restarted; the SMTP server killed
//!    and started again; the data directory's disk full during uploads.
//!    Each must answer with a clear error (503 naming the cause, never a
//!    hang or a bare 500), lose nothing acknowledged, and recover without
//!    restarting Gatehouse.
//!
//! Inputs (environment): `LOAD_SERVER_BIN` (the release binary),
//! `LOAD_PG_URL` and `LOAD_PG_DIR` (the throwaway cluster: its URL and
//! directory, for the restart), `LOAD_SMTP_SINK` (scripts/smtp_sink.py);
//! arguments `--users N --seconds S --fault-seconds S --phases a,b` (the
//! phases: sqlite, pg, read-only, pg-restart, smtp, disk-full; all by
//! default).

mod checks;
mod data;
mod faults;
mod http;
mod phases;
mod processes;
mod users;

use std::path::PathBuf;

/// The phases, in the order they run (`--phases` picks some).
const PHASES: [&str; 6] = [
    "sqlite",
    "pg",
    "read-only",
    "pg-restart",
    "smtp",
    "disk-full",
];

#[derive(Clone, Debug)]
pub struct Settings {
    pub users: usize,
    pub seconds: u64,
    pub fault_seconds: u64,
    pub bin: PathBuf,
    pub site_root: PathBuf,
    pub pg_url: String,
    pub pg_dir: PathBuf,
    pub smtp_sink: PathBuf,
    /// Which phases run (all by default).
    pub phases: Vec<String>,
}

impl Settings {
    fn parse() -> Self {
        let mut users = 200;
        let mut seconds = 60;
        let mut fault_seconds = 12;
        let mut phases: Vec<String> = PHASES.iter().map(|p| p.to_string()).collect();
        let mut args = std::env::args().skip(1);
        while let Some(a) = args.next() {
            let mut value = || {
                args.next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("{a} needs a number"))
            };
            match a.as_str() {
                "--users" => users = value() as usize,
                "--seconds" => seconds = value(),
                "--fault-seconds" => fault_seconds = value(),
                "--phases" => {
                    phases = args
                        .next()
                        .expect("--phases needs a list")
                        .split(',')
                        .map(|p| {
                            assert!(PHASES.contains(&p), "phases are {PHASES:?}");
                            p.to_string()
                        })
                        .collect()
                }
                other => panic!("unknown argument {other}"),
            }
        }
        let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} is not set"));
        Self {
            users,
            seconds,
            fault_seconds,
            bin: PathBuf::from(var("LOAD_SERVER_BIN")),
            site_root: PathBuf::from(
                std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into()),
            ),
            pg_url: var("LOAD_PG_URL"),
            pg_dir: PathBuf::from(var("LOAD_PG_DIR")),
            smtp_sink: PathBuf::from(var("LOAD_SMTP_SINK")),
            phases,
        }
    }
}

#[tokio::main]
async fn main() {
    let s = Settings::parse();
    // `LOAD_WORK_DIR` keeps the data and the server logs for a look
    // afterwards; by default they go with the run.
    let kept = std::env::var_os("LOAD_WORK_DIR").map(PathBuf::from);
    let temp = tempfile::tempdir().unwrap();
    let root = match &kept {
        Some(dir) => {
            std::fs::create_dir_all(dir).unwrap();
            tempfile::TempDir::new_in(dir).unwrap().keep()
        }
        None => temp.path().to_path_buf(),
    };
    let mut report = checks::Report {
        text: format!(
            "# Load and fault test\n\n{} users, {} s per load phase; faults with 20 users for {} s. \
             Release build, loopback, {} cores. Think time 0.1–0.6 s; uploads 20–200 KB.\n",
            s.users,
            s.seconds,
            s.fault_seconds,
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
        ),
        failures: Vec::new(),
    };
    let on = |p: &str| s.phases.iter().any(|x| x == p);
    let r = root.as_path();
    if on("sqlite") {
        phases::sqlite_phase(&s, r, &mut report).await;
    }
    if on("pg") {
        phases::pg_phase(&s, r, &mut report).await;
    }
    if PHASES[2..].iter().any(|p| on(p)) {
        report.text.push_str("\n## Faults\n");
    }
    if on("read-only") {
        faults::frozen_database(&s, r, &mut report).await;
    }
    if on("pg-restart") {
        faults::pg_restart(&s, r, &mut report).await;
    }
    if on("smtp") {
        faults::smtp_killed(&s, r, &mut report).await;
    }
    if on("disk-full") {
        faults::disk_full(&s, r, &mut report).await;
    }
    println!("{}", report.text);
    if report.failures.is_empty() {
        println!("All checks passed.");
    } else {
        println!("{} check(s) failed:", report.failures.len());
        for f in &report.failures {
            println!("- {f}");
        }
        std::process::exit(1);
    }
}
