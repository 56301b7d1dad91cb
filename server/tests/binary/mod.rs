//! Running the real `server` binary in tests: a fresh SQLite data directory
//! with the demo organization (`server demo`), `server serve` on a free
//! port, and raw HTTP/1.1 requests to it. Shared by the tests that need a
//! whole process (signals, logs, backups).
#![allow(dead_code)] // each test binary uses part of it

use sea_orm::{ConnectionTrait, Database, Statement};
use std::{
    io::{Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

pub const ORG: &str = "northwind";
pub const IDENTIFIER: &str = "4165550142";
pub const MANAGER_PASSWORD: &str = "Demo-Client-2026!";

/// A `server serve` process and where it keeps its data.
pub struct Server {
    pub child: Option<Child>,
    pub port: u16,
    pub data: tempfile::TempDir,
}

pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn command(port: u16, data: &Path, grace_seconds: u64) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_server"));
    c.current_dir(workspace())
        .env_remove("DATABASE_URL")
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("GATEHOUSE_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("GATEHOUSE_DATA_DIR", data)
        .env("GATEHOUSE_DEV_MAILBOX", "true")
        .env("GATEHOUSE_SHUTDOWN_SECONDS", grace_seconds.to_string())
        .env("GATEHOUSE_RATE_LIMIT_PER_MINUTE", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    c
}

impl Server {
    /// Loads the demo into a fresh data directory and starts serving.
    pub fn start(grace_seconds: u64) -> Self {
        let data = tempfile::tempdir().unwrap();
        let port = free_port();
        let demo = command(port, data.path(), grace_seconds)
            .arg("demo")
            .status()
            .expect("run `server demo`");
        assert!(demo.success(), "server demo: {demo}");
        let serve = command(port, data.path(), grace_seconds);
        Self::serve(data, port, serve)
    }

    /// Starts `serve` with `command` (from [`command`], adjusted by the
    /// caller) on the data directory `data`, and waits until it listens.
    pub fn serve(data: tempfile::TempDir, port: u16, mut command: Command) -> Self {
        let child = command.arg("serve").spawn().expect("start `server serve`");
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child: Some(child),
            port,
            data,
        }
    }

    /// A command of the same binary on this server's port and data.
    pub fn command(&self) -> Command {
        command(self.port, self.data.path(), 5)
    }

    pub fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let pid = self.child.as_ref().unwrap().id().to_string();
        let ok = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(ok.success());
    }

    /// Waits for the process to end, at most `limit`.
    pub fn wait(&mut self, limit: Duration) -> ExitStatus {
        let child = self.child.as_mut().unwrap();
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                self.child = None;
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop in {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Whether a new connection is refused (the listener is closed).
    pub fn refuses_connections(&self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// A query on the server's SQLite database (after it stopped).
    pub async fn count(&self, sql: &str) -> i64 {
        let url = format!(
            "sqlite://{}",
            self.data.path().join("gatehouse.db").display()
        );
        let db = Database::connect(url).await.unwrap();
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The status line and body of an HTTP/1.1 answer read to its end.
pub fn read_answer(stream: &mut TcpStream) -> (u16, String) {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    (status, text)
}

/// Signs the demo Account Manager in; returns the `name=value` cookie.
pub fn sign_in(server: &Server) -> String {
    let body = format!(
        "organization={ORG}&identifier={IDENTIFIER}&username=manager&password={}",
        MANAGER_PASSWORD.replace('!', "%21")
    );
    let mut s = server.connect();
    write!(
        s,
        "POST /api/client_sign_in HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nOrigin: http://127.0.0.1:{}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        server.port,
        server.port,
        body.len()
    )
    .unwrap();
    let (status, text) = read_answer(&mut s);
    assert_eq!(status, 200, "{text}");
    text.lines()
        .find_map(|l| {
            let l = l
                .strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))?;
            l.starts_with("__Host-gatehouse_session=")
                .then(|| l.split(';').next().unwrap().to_string())
        })
        .unwrap_or_else(|| panic!("no session cookie in {text}"))
}

pub fn pdf(len: usize) -> Vec<u8> {
    let mut b = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    b.resize(len - 7, b'0');
    b.extend_from_slice(b"\n%%EOF\n");
    b
}

/// A PDF upload split in two: the request with the first part of the body
/// is sent now, the returned bytes later.
pub fn start_upload(server: &Server, cookie: &str, file: &[u8]) -> (TcpStream, Vec<u8>) {
    let boundary = "----gatehouse-shutdown-test";
    let mut body = Vec::new();
    for (name, value) in [
        ("issue_date", "2026-11-30"),
        ("business_purpose", "Renewal"),
        ("document_type", "Certificate"),
    ] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"Slow.pdf\"\r\n\
             Content-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut s = server.connect();
    write!(
        s,
        "POST /documents/upload HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nOrigin: http://127.0.0.1:{}\r\n\
         Cookie: {cookie}\r\nAccept: application/json\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        server.port,
        server.port,
        body.len()
    )
    .unwrap();
    let half = body.len() / 2;
    s.write_all(&body[..half]).unwrap();
    s.flush().unwrap();
    (s, body[half..].to_vec())
}
