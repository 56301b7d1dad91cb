//! The outbox against a real SMTP server on loopback: Debian's aiosmtpd,
//! started by `scripts/smtp_sink.py`, which writes every accepted message to
//! a directory. Proves delivery (recipient, subject, working link), waiting
//! while the server is down and going out once it is back, and that nothing
//! is sent twice in the normal path, even with two workers draining at once.
//! Each test runs on SQLite and PostgreSQL.

mod common;

use app::server::{
    clock::Clock,
    entities::{outbox_message, user},
    mail::{worker, MailSettings},
    services::{outbox, recovery},
};
use chrono::{Duration, Utc};
use common::Seed;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration as StdDuration, Instant},
};

const FROM: &str = "Gatehouse <no-reply@gatehouse.example.test>";
const PUBLIC: &str = "https://gatehouse.example.test";

/// A running aiosmtpd on a fixed loopback port, writing messages to `dir`.
struct SmtpSink {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    _tmp: tempfile::TempDir,
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

impl SmtpSink {
    /// A sink that is not running yet ("the SMTP server is down").
    fn down() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        Self {
            child: None,
            port: free_port(),
            dir: tmp.path().join("mail"),
            _tmp: tmp,
        }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts the server and waits until it accepts connections.
    fn start(&mut self) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/smtp_sink.py");
        let child = Command::new("/usr/bin/python3")
            .arg(script)
            .arg(self.port.to_string())
            .arg(&self.dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("start scripts/smtp_sink.py (needs /usr/bin/python3 with aiosmtpd: scripts/setup.sh installs python3-aiosmtpd)");
        self.child = Some(child);
        let deadline = Instant::now() + StdDuration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the SMTP sink did not start (is python3-aiosmtpd installed?)"
            );
            std::thread::sleep(StdDuration::from_millis(50));
        }
    }

    /// The messages received so far, as (recipients, raw data).
    fn received(&self) -> Vec<(Vec<String>, String)> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| {
                let v: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
                let to = v["rcpt_tos"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect();
                (to, v["data"].as_str().unwrap().to_string())
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Decodes a quoted-printable body (soft line breaks and `=XX` escapes).
fn decode_qp(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn give_email(db: &DatabaseConnection, org_id: i32, username: &str, email: &str) {
    let u = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org_id))
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut a = u.into_active_model();
    a.email = Set(Some(email.into()));
    a.update(db).await.unwrap();
}

async fn unsent(db: &DatabaseConnection) -> u64 {
    outbox_message::Entity::find()
        .filter(outbox_message::Column::SentAt.is_null())
        .count(db)
        .await
        .unwrap()
}

both_engines!(
    a_reset_email_reaches_the_smtp_server_with_recipient_subject_and_link,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        give_email(&db, seed.alpha.id, &seed.alpha_admin, "ada@alpha.example").await;
        let mut sink = SmtpSink::down();
        sink.start();
        let mail = MailSettings::new(PUBLIC, false);
        let clock = Clock::manual(Utc::now());
        recovery::forgot_staff_password(&db, &mail, "alpha", "ada@alpha.example", clock.now())
            .await
            .unwrap();
        // Queued, the row holds the link: it is what will be sent.
        assert!(bodies(&db).await[0].contains("token="));
        let smtp = worker::Delivery::smtp(&sink.url()).unwrap();
        let r = worker::drain_once(&db, &smtp, FROM, &clock).await.unwrap();
        assert_eq!((r.sent, r.failed), (1, 0));
        let got = sink.received();
        assert_eq!(got.len(), 1);
        let (to, data) = &got[0];
        assert_eq!(to, &vec!["ada@alpha.example".to_string()]);
        assert!(
            data.contains("Subject: Reset your Gatehouse password"),
            "{data}"
        );
        assert!(
            data.contains("From: Gatehouse <no-reply@gatehouse.example.test>"),
            "{data}"
        );
        let body = decode_qp(data);
        let at = body
            .find(&format!("{PUBLIC}/password/reset?token="))
            .expect("the link, on the public URL");
        let token: String = body[at..]
            .split("token=")
            .nth(1)
            .unwrap()
            .chars()
            .take(64)
            .collect();
        assert!(
            token.chars().all(|c| c.is_ascii_hexdigit()) && token.len() == 64,
            "{token}"
        );
        // The link in the email is the one that works.
        assert!(
            app::server::services::passwords::link_form(&db, &token, clock.now())
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(unsent(&db).await, 0);
        // Delivered, the stored copy keeps its text but not the link: a
        // backup of the database holds no working link.
        let stored = bodies(&db).await;
        assert_eq!(stored.len(), 1);
        assert!(!stored[0].contains(&token), "{}", stored[0]);
        assert!(!stored[0].contains("token="), "{}", stored[0]);
        assert!(stored[0].contains(app::server::mail::REMOVED_LINK));
        assert!(stored[0].contains("Someone (hopefully you) asked to reset"));
    }
);

/// The stored bodies of every outbox row, oldest first.
async fn bodies(db: &DatabaseConnection) -> Vec<String> {
    outbox_message::Entity::find()
        .order_by_asc(outbox_message::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.body)
        .collect()
}

both_engines!(
    links_delivered_before_the_scrub_existed_are_removed_when_the_smtp_worker_starts,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        give_email(&db, seed.alpha.id, &seed.alpha_admin, "ada@alpha.example").await;
        give_email(&db, seed.bravo.id, &seed.bravo_admin, "bob@bravo.example").await;
        let mail = MailSettings::new(PUBLIC, true);
        let clock = Clock::manual(Utc::now());
        for (org, to) in [
            ("alpha", "ada@alpha.example"),
            ("bravo", "bob@bravo.example"),
        ] {
            recovery::forgot_staff_password(&db, &mail, org, to, clock.now())
                .await
                .unwrap();
        }
        // Delivered to the development mailbox: the stored copies are the
        // mailbox and keep their working links.
        let r = worker::drain_once(&db, &worker::Delivery::DevMailbox, FROM, &clock)
            .await
            .unwrap();
        assert_eq!(r.sent, 2);
        assert!(bodies(&db).await.iter().all(|b| b.contains("token=")));
        // One more, still queued, for later.
        recovery::forgot_staff_password(&db, &mail, "alpha", "ada@alpha.example", clock.now())
            .await
            .unwrap();

        // The operator configures SMTP: the worker's start removes the links
        // from what was delivered, in both organizations, and leaves the
        // queued message whole.
        assert_eq!(worker::scrub_delivered(&db).await.unwrap(), 2);
        let after = bodies(&db).await;
        assert!(!after[0].contains("token=") && !after[1].contains("token="));
        assert!(after[2].contains("token="));
        assert_eq!(
            worker::scrub_delivered(&db).await.unwrap(),
            0,
            "once is enough"
        );
    }
);

both_engines!(
    while_smtp_is_down_the_rows_wait_and_go_out_once_it_is_back,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        give_email(&db, seed.alpha.id, &seed.alpha_admin, "ada@alpha.example").await;
        let mut sink = SmtpSink::down();
        let mail = MailSettings::new(PUBLIC, false);
        let clock = Clock::manual(Utc::now());
        recovery::forgot_staff_password(&db, &mail, "alpha", "ada@alpha.example", clock.now())
            .await
            .unwrap();
        let smtp = worker::Delivery::smtp(&sink.url()).unwrap();
        for _ in 0..3 {
            let r = worker::drain_once(&db, &smtp, FROM, &clock).await.unwrap();
            assert_eq!(r.sent, 0);
            clock.advance(Duration::minutes(10));
        }
        assert_eq!(unsent(&db).await, 1, "the email waits");
        sink.start();
        clock.advance(Duration::hours(1));
        let r = worker::drain_once(&db, &smtp, FROM, &clock).await.unwrap();
        assert_eq!((r.sent, r.failed), (1, 0));
        assert_eq!(sink.received().len(), 1);
        assert_eq!(unsent(&db).await, 0);
    }
);

both_engines!(
    nothing_is_sent_twice_even_with_two_workers_draining_at_once,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let mut sink = SmtpSink::down();
        sink.start();
        let clock = Clock::manual(Utc::now());
        let txn = db.begin().await.unwrap();
        for i in 0..6 {
            outbox::enqueue(
                &txn,
                outbox::NewEmail {
                    organization_id: seed.alpha.id,
                    to: format!("person{i}@alpha.example"),
                    subject: format!("Message {i}"),
                    body: "Hello".into(),
                    actor_user_id: None,
                    about_user_id: None,
                },
                clock.now(),
            )
            .await
            .unwrap();
        }
        txn.commit().await.unwrap();
        let smtp = worker::Delivery::smtp(&sink.url()).unwrap();
        let (a, b) = tokio::join!(
            worker::drain_once(&db, &smtp, FROM, &clock),
            worker::drain_once(&db, &smtp, FROM, &clock)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.sent + b.sent, 6);
        clock.advance(Duration::hours(3));
        let again = worker::drain_once(&db, &smtp, FROM, &clock).await.unwrap();
        assert_eq!(again.sent, 0);
        let got = sink.received();
        assert_eq!(got.len(), 6, "each message exactly once");
        let mut recipients: Vec<String> = got.into_iter().flat_map(|(to, _)| to).collect();
        recipients.sort();
        recipients.dedup();
        assert_eq!(recipients.len(), 6);
    }
);

both_engines!(
    an_email_exists_only_if_its_transaction_commits,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let txn = db.begin().await.unwrap();
        outbox::enqueue(
            &txn,
            outbox::NewEmail {
                organization_id: seed.alpha.id,
                to: "ada@alpha.example".into(),
                subject: "Never".into(),
                body: "rolled back".into(),
                actor_user_id: None,
                about_user_id: None,
            },
            Utc::now(),
        )
        .await
        .unwrap();
        txn.rollback().await.unwrap();
        assert_eq!(outbox_message::Entity::find().count(&db).await.unwrap(), 0);
    }
);
