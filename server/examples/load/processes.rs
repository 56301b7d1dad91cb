//! The processes a run starts: `server` (demo, serve) and the SMTP sink.

use crate::Settings;
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

    pub fn stop(mut self) {
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
