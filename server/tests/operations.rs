//! What an operator does with the real `server` binary: reads its JSON log
//! by the reference an error page showed, backs the embedded setup up while
//! it serves, and restores a backup.

mod binary;

use binary::{command, free_port, pdf, read_answer, sign_in, start_upload, Server};
use std::{
    io::{Read, Write},
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

/// Uploads `file` whole as "Slow.pdf"; returns the status and answer.
fn upload(server: &Server, cookie: &str, file: &[u8]) -> (u16, String) {
    let (mut s, rest) = start_upload(server, cookie, file);
    s.write_all(&rest).unwrap();
    read_answer(&mut s)
}

/// A header's value in a raw HTTP answer.
fn header<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
    answer.split("\r\n\r\n").next()?.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn run(mut c: Command, args: &[&str]) -> (bool, String, String) {
    let out = c
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run the server binary");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reference_an_error_shows_finds_the_request_in_the_json_log() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let (ok, _, err) = run(command(port, data.path(), 5), &["demo"]);
    assert!(ok, "{err}");
    // The documents directory cannot be created: uploads fail inside. (The
    // demo made it for its insured's eDocs: it goes first.)
    std::fs::remove_dir_all(data.path().join("documents")).ok();
    std::fs::write(data.path().join("documents"), b"not a directory").unwrap();
    let log_dir = tempfile::tempdir().unwrap();
    let log_path = log_dir.path().join("server.log");
    let mut c = command(port, data.path(), 5);
    c.env("GATEHOUSE_LOG_FORMAT", "json")
        .env("RUST_LOG", "info,server::request_log=debug")
        .stderr(Stdio::from(std::fs::File::create(&log_path).unwrap()));
    let mut server = Server::serve(data, port, c);

    let cookie = sign_in(&server);
    let (status, answer) = upload(&server, &cookie, &pdf(10_000));
    assert_eq!(status, 500, "{answer}");
    let request_id = header(&answer, "x-request-id")
        .expect("X-Request-Id")
        .to_string();
    assert_eq!(request_id.len(), 12);
    assert!(
        answer.contains(&format!("\"reference\":\"{request_id}\"")),
        "the error's reference is the request id: {answer}"
    );
    assert!(
        !answer.contains("Not a directory") && !answer.contains("File exists"),
        "the cause stays in the log: {answer}"
    );
    // Another request gets another id.
    let mut s = server.connect();
    write!(
        s,
        "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let (_, health) = read_answer(&mut s);
    let other = header(&health, "x-request-id").expect("X-Request-Id on every answer");
    assert_ne!(other, request_id);

    // A password link's token is in its query string, which is never logged.
    let mut s = server.connect();
    write!(
        s,
        "GET /password/reset?token=SECRETTOKEN0123456789 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let (status, _) = read_answer(&mut s);
    assert_eq!(status, 200);

    server.terminate();
    assert!(server.wait(Duration::from_secs(30)).success());
    let log = std::fs::read_to_string(&log_path).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(!lines.is_empty());
    let of_request: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| {
            l["spans"]
                .as_array()
                .is_some_and(|spans| spans.iter().any(|s| s["request_id"] == request_id))
        })
        .collect();
    let error = of_request
        .iter()
        .find(|l| l["message"] == "internal error")
        .unwrap_or_else(|| panic!("no error line for {request_id} in\n{log}"));
    assert_eq!(error["level"], "ERROR");
    assert_eq!(error["reference"], request_id);
    let cause = error["error"].as_str().unwrap();
    assert!(
        cause.contains("Not a directory") || cause.contains("File exists"),
        "the cause is logged: {cause}"
    );
    assert!(
        of_request
            .iter()
            .any(|l| l["message"] == "request failed" && l["status"] == 500),
        "the request's end is logged under the same id"
    );
    let reset = lines
        .iter()
        .find(|l| {
            l["message"] == "request finished"
                && l["spans"]
                    .as_array()
                    .is_some_and(|spans| spans.iter().any(|s| s["path"] == "/password/reset"))
        })
        .unwrap_or_else(|| panic!("the password link's request is logged:\n{log}"));
    assert_eq!(reset["status"], 200);
    assert!(
        !log.contains("SECRETTOKEN0123456789"),
        "a link's token never reaches the log"
    );
    assert!(!log.contains("Demo-Client-2026"), "no password in the log");
}

/// `GET path` with the cookie; the status and the body as bytes.
fn get_bytes(server: &Server, path: &str, cookie: &str) -> (u16, Vec<u8>) {
    let mut s = server.connect();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n",
        server.port
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&raw[..split]);
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, raw[split + 4..].to_vec())
}

/// The eDocs `server demo` gives its registered insured.
const DEMO_EDOCS: i64 = 2;

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_taken_while_serving_restores_and_signs_in() {
    let mut server = Server::start(5);
    let cookie = sign_in(&server);
    let kept = pdf(200_000);
    let (status, answer) = upload(&server, &cookie, &kept);
    assert_eq!(status, 201, "{answer}");

    let backups = tempfile::tempdir().unwrap();
    let archive = backups.path().join("gatehouse-backup.tar.gz");
    let (ok, out, err) = run(server.command(), &["backup", archive.to_str().unwrap()]);
    assert!(ok, "backup while serving: {out}{err}");
    // This upload and the demo insured's two eDocs.
    assert!(
        out.contains(&format!("{} document file(s)", 1 + DEMO_EDOCS)),
        "{out}"
    );
    assert!(archive.is_file());
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&archive).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only its owner may read a backup");
    }
    assert_eq!(
        files_in(backups.path()),
        1,
        "nothing half-written is left next to the backup"
    );

    // Life goes on after the backup: another upload, a new session.
    let (status, _) = upload(&server, &cookie, &pdf(50_000));
    assert_eq!(status, 201);
    assert_eq!(
        server.count("SELECT COUNT(*) FROM documents").await,
        2 + DEMO_EDOCS
    );

    // Restoring while the server runs is refused and changes nothing.
    let (ok, _, err) = run(server.command(), &["restore", archive.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("stop it before restoring"), "{err}");
    assert_eq!(
        server.count("SELECT COUNT(*) FROM documents").await,
        2 + DEMO_EDOCS
    );

    server.terminate();
    assert!(server.wait(Duration::from_secs(30)).success());
    // Another process with the data directory open (here: this test, holding
    // the lock as every Gatehouse command does) also stops a restore.
    {
        let lock = std::fs::File::open(server.data.path().join(".gatehouse.lock")).unwrap();
        lock.lock_shared().unwrap();
        let (ok, _, err) = run(server.command(), &["restore", archive.to_str().unwrap()]);
        assert!(!ok);
        assert!(err.contains("is using"), "{err}");
    }
    let (ok, out, err) = run(server.command(), &["restore", archive.to_str().unwrap()]);
    assert!(ok, "restore: {out}{err}");
    assert!(out.contains("What was there before is kept in"), "{out}");
    let aside: Vec<_> = std::fs::read_dir(server.data.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("before-restore-"))
        .collect();
    assert_eq!(aside.len(), 1, "the replaced data is kept aside");
    assert_eq!(
        files_in(&server.data.path().join(&aside[0]).join("documents")),
        2 + DEMO_EDOCS as usize
    );

    // The restored setup serves: the demo sign-in works and the document
    // from before the backup downloads byte for byte; the later one is gone.
    let port = server.port;
    let data = std::mem::replace(&mut server.data, tempfile::tempdir().unwrap());
    drop(server);
    let restart = command(port, data.path(), 5);
    let restored = Server::serve(data, port, restart);
    let cookie = sign_in(&restored);
    assert_eq!(
        restored.count("SELECT COUNT(*) FROM documents").await,
        1 + DEMO_EDOCS
    );
    let id = restored
        .count("SELECT id FROM documents WHERE client_account_id IS NOT NULL")
        .await;
    let (status, body) = get_bytes(&restored, &format!("/documents/{id}/file"), &cookie);
    assert_eq!(status, 200);
    assert_eq!(body, kept);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_or_foreign_archive_is_refused_and_changes_nothing() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let (ok, _, err) = run(command(port, data.path(), 5), &["demo"]);
    assert!(ok, "{err}");
    let before = std::fs::read(data.path().join("gatehouse.db")).unwrap();
    let dir = tempfile::tempdir().unwrap();

    // Entries that climb out of the data directory, and a link.
    let raw_entry = |file: &str, name: &[u8], link: Option<&[u8]>| {
        let path = dir.path().join(file);
        let gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&path).unwrap(),
            flate2::Compression::fast(),
        );
        let mut tar = tar::Builder::new(gz);
        let mut header = tar::Header::new_gnu();
        let body = b"owned";
        header.set_mode(0o644);
        // `set_path` refuses "..", as it should; write the raw name.
        header.as_old_mut().name[..name.len()].copy_from_slice(name);
        match link {
            Some(target) => {
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_size(0);
                header.as_old_mut().linkname[..target.len()].copy_from_slice(target);
                header.set_cksum();
                tar.append(&header, &[][..]).unwrap();
            }
            None => {
                header.set_size(body.len() as u64);
                header.set_cksum();
                tar.append(&header, &body[..]).unwrap();
            }
        }
        tar.into_inner().unwrap().finish().unwrap();
        path
    };
    let climbing = raw_entry("climbing.tar.gz", b"../escaped.file", None);
    let nested = raw_entry("nested.tar.gz", b"documents/../escaped.file", None);
    let linked = raw_entry("linked.tar.gz", b"documents/a.pdf", Some(b"/etc/hostname"));
    // Not an archive at all.
    let junk = dir.path().join("junk.tar.gz");
    std::fs::write(&junk, b"this is not a backup").unwrap();

    for archive in [&climbing, &nested, &linked, &junk] {
        let (ok, _, err) = run(
            command(port, data.path(), 5),
            &["restore", archive.to_str().unwrap()],
        );
        assert!(!ok, "{} was accepted", archive.display());
        assert!(err.contains("is not a usable Gatehouse backup"), "{err}");
    }
    assert!(!data.path().join("..").join("escaped.file").exists());
    assert!(!data.path().join("escaped.file").exists());
    assert!(!data.path().join("documents").join("a.pdf").exists());
    assert_eq!(
        std::fs::read(data.path().join("gatehouse.db")).unwrap(),
        before,
        "the database is untouched"
    );
    let leftovers: Vec<_> = std::fs::read_dir(data.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".restore-") || n.starts_with("before-restore-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
