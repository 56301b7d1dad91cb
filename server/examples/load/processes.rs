//! The processes a run starts: `server` (demo, serve) and the SMTP sink.

use crate::Settings;
use sea_orm::{Database, DatabaseConnection};
use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Where a server keeps its data and how it is configured.
#[derive(Clone)]
pub struct Setup {
    pub data: PathBuf,
    pub database_url: Option<String>,
    pub smtp_url: Option<String>,
}

impl Setup {
    /// The embedded setup: SQLite in `data`, the development mailbox.
    pub fn sqlite(data: PathBuf) -> Self {
        Self {
            data,
            database_url: None,
            smtp_url: None,
        }
    }

    /// A connection for checking what the servers stored (read-only on
    /// SQLite, so the check never writes).
    pub async fn reader(&self) -> DatabaseConnection {
        let url = self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=ro",
                self.data.join("gatehouse.db").display()
            )
        });
        Database::connect(url).await.unwrap()
    }

    pub fn command(&self, s: &Settings, port: u16) -> Command {
        let mut c = Command::new(&s.bin);
        c.env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", &s.site_root)
            .env("GATEHOUSE_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env("GATEHOUSE_DATA_DIR", &self.data)
            .env("GATEHOUSE_RATE_LIMIT_PER_MINUTE", "0")
            .env("GATEHOUSE_UPLOADS_PER_MINUTE", "0")
            .env("GATEHOUSE_SHUTDOWN_SECONDS", "5")
            .env("RUST_LOG", "warn")
            .env_remove("DATABASE_URL")
            .env_remove("SMTP_URL")
            .env_remove("GATEHOUSE_DEV_MAILBOX");
        if let Some(url) = &self.database_url {
            c.env("DATABASE_URL", url);
        }
        match &self.smtp_url {
            Some(url) => c.env("SMTP_URL", url),
            None => c.env("GATEHOUSE_DEV_MAILBOX", "true"),
        };
        c
    }

    pub fn demo(&self, s: &Settings) {
        let out = self
            .command(s, free_port())
            .arg("demo")
            .output()
            .expect("run `server demo`");
        assert!(
            out.status.success(),
            "server demo: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A running `server serve`.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl Server {
    pub async fn start(s: &Settings, setup: &Setup, log: PathBuf) -> Self {
        let port = free_port();
        let child = setup
            .command(s, port)
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start `server serve`");
        let deadline = Instant::now() + Duration::from_secs(60);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "the server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self { child, port, log }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Log lines containing `needle`.
    pub fn log_count(&self, needle: &str) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains(needle))
            .count()
    }

    /// CPU seconds the process has used so far.
    pub fn cpu_seconds(&self) -> f64 {
        process_cpu_seconds(&self.child.id().to_string())
    }

    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for Server {
    /// Stops the server however the run ends, a failed check included:
    /// nothing is left serving the demo's passwords.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The SMTP sink (scripts/smtp_sink.py) writing each message to a file.
pub struct Sink {
    pub child: Child,
    pub dir: PathBuf,
}

impl Sink {
    pub fn start(s: &Settings, port: u16, dir: &Path) -> Self {
        let mut child = Command::new("/usr/bin/python3")
            .arg(&s.smtp_sink)
            .arg(port.to_string())
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the SMTP sink");
        // It prints "ready" once listening.
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP sink did not start");
        Self {
            child,
            dir: dir.to_path_buf(),
        }
    }

    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Every message received so far: its body (the headers differ at
    /// every delivery attempt, the body with its one-time link does not).
    pub fn messages(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "json") {
                let v: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
                let data = v["data"].as_str().unwrap_or_default();
                let body = data
                    .split_once("\r\n\r\n")
                    .or_else(|| data.split_once("\n\n"))
                    .map_or(data, |(_, b)| b);
                out.push(body.to_string());
            }
        }
        out
    }
}

pub fn sh(program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .status()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(status.success(), "{program} {args:?}: {status}");
}

/// CPU seconds (user + system) a process has used, from `/proc/<pid>/stat`
/// (`self` for this one). Linux counts in USER_HZ, 100 per second.
pub fn process_cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15; here 11 and 12 (0-based, from state).
    (ticks(11) + ticks(12)) / 100.0
}

/// Busy and total CPU seconds of the whole machine so far (`/proc/stat`).
pub fn machine_cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let cpu: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let total: f64 = cpu.iter().sum();
    // user nice system idle iowait irq softirq steal …
    let idle = cpu.get(3).copied().unwrap_or(0.0) + cpu.get(4).copied().unwrap_or(0.0);
    ((total - idle) / 100.0, total / 100.0)
}

/// Where the CPU went during a phase, as a line for the report.
pub struct CpuWatch {
    machine: (f64, f64),
    servers: f64,
    driver: f64,
}

impl CpuWatch {
    pub fn start(servers: &[&Server]) -> Self {
        Self {
            machine: machine_cpu_seconds(),
            servers: servers.iter().map(|s| s.cpu_seconds()).sum(),
            driver: process_cpu_seconds("self"),
        }
    }

    pub fn line(&self, servers: &[&Server]) -> String {
        let (busy, total) = machine_cpu_seconds();
        let busy = busy - self.machine.0;
        let total = total - self.machine.1;
        let server = servers.iter().map(|s| s.cpu_seconds()).sum::<f64>() - self.servers;
        let driver = process_cpu_seconds("self") - self.driver;
        format!(
            "CPU: the machine was busy {:.0}% of the time ({busy:.0} of {total:.0} core-seconds): Gatehouse {server:.0}, the load generator {driver:.0}, the rest (PostgreSQL, the system) {:.0}.\n",
            100.0 * busy / total.max(1.0),
            (busy - server - driver).max(0.0)
        )
    }
}

/// Runs its closure when dropped: undoes a fault (an immutable file, a
/// mount) even when the run panics half-way.
pub struct Cleanup(Option<Box<dyn FnOnce()>>);

impl Cleanup {
    pub fn new(f: impl FnOnce() + 'static) -> Self {
        Self(Some(Box::new(f)))
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            f();
        }
    }
}
