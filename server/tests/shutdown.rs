//! Stopping the real `server` binary with SIGTERM, as a container runtime or
//! systemd does: requests in flight (a slow upload, a slow server-function
//! call) finish and are kept, new connections are refused, and the process
//! exits 0; a request still running at the deadline does not hold the
//! process up. Each test runs its own server on a free port with a fresh
//! SQLite database and data directory (the demo organization loaded by
//! `server demo`).

mod binary;

use binary::{pdf, read_answer, sign_in, start_upload, Server};
use std::{
    io::Write,
    net::TcpStream,
    time::{Duration, Instant},
};

/// A server-function call whose form body is sent in two parts.
fn start_call(server: &Server, cookie: &str) -> (TcpStream, Vec<u8>) {
    let body = b"title=Written+during+shutdown&body=The+gate+was+checked.".to_vec();
    let mut s = server.connect();
    write!(
        s,
        "POST /api/add_report HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nOrigin: http://127.0.0.1:{}\r\n\
         Cookie: {cookie}\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        server.port,
        server.port,
        body.len()
    )
    .unwrap();
    s.write_all(&body[..10]).unwrap();
    s.flush().unwrap();
    (s, body[10..].to_vec())
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_requests_in_flight_finish_then_exits_zero() {
    let mut server = Server::start(30);
    let cookie = sign_in(&server);
    let file = pdf(3 * 1024 * 1024);
    let (mut upload, upload_rest) = start_upload(&server, &cookie, &file);
    let (mut call, call_rest) = start_call(&server, &cookie);
    // Both requests are under way when the stop comes.
    std::thread::sleep(Duration::from_millis(300));
    server.terminate();
    assert!(
        server.refuses_connections(),
        "new connections are refused once stopping"
    );
    // The rest of both bodies arrives after the signal; both are served.
    std::thread::sleep(Duration::from_millis(500));
    upload.write_all(&upload_rest).unwrap();
    call.write_all(&call_rest).unwrap();
    let (status, text) = read_answer(&mut upload);
    assert_eq!(status, 201, "the upload in flight is finished: {text}");
    let (status, text) = read_answer(&mut call);
    assert_eq!(status, 200, "the call in flight is finished: {text}");
    let exit = server.wait(Duration::from_secs(30));
    assert!(exit.success(), "exit status {exit}");

    // What was acknowledged is kept: the row and the file.
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM documents WHERE file_name = 'Slow.pdf'")
            .await,
        1
    );
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM documents WHERE title = 'Written during shutdown'")
            .await,
        1
    );
    // The upload's file, beside the demo insured's two eDocs.
    let stored: Vec<_> = std::fs::read_dir(server.data.path().join("documents"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(stored.len(), 3, "{stored:?}");
    assert_eq!(
        stored
            .iter()
            .filter(|p| std::fs::read(p).unwrap() == file)
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_still_running_at_the_deadline_does_not_hold_the_stop_up() {
    let mut server = Server::start(2);
    let cookie = sign_in(&server);
    // An upload whose rest never comes.
    let (_stalled, _never_sent) = start_upload(&server, &cookie, &pdf(1024 * 1024));
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    server.terminate();
    let exit = server.wait(Duration::from_secs(20));
    assert!(exit.success(), "exit status {exit}");
    assert!(
        asked.elapsed() >= Duration::from_secs(2),
        "it waited for the request until the deadline"
    );
    // Nothing half-written was recorded (the demo insured's eDocs are all).
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM documents WHERE client_account_id IS NOT NULL")
            .await,
        0
    );
}
