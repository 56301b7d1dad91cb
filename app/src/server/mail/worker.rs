//! The outbox worker: claims due messages, delivers them, and records the
//! outcome. Delivery is at-least-once: a message is marked sent only after
//! the SMTP server accepted it, and a failure schedules a retry with
//! exponential backoff (30 s doubling up to an hour), forever, so nothing is
//! lost while the mail server is down.
//!
//! A worker claims a row by moving its `next_attempt_at` past a lease in one
//! conditional update, so two workers (two instances behind a load balancer)
//! never send the same message in the normal path; if a worker dies
//! mid-send, the lease runs out and another one retries.
//!
//! Once SMTP has accepted a message, its stored copy loses its secret links
//! ([`super::without_link_secrets`]) in the same update that marks it sent,
//! so the database never holds a working link for mail already delivered.
//! The development mailbox is the exception by design: there the database
//! *is* the mailbox, and its messages must keep working links.

use crate::server::{
    clock::Clock, entities::outbox_message, error::ServiceError, mail::MailSettings,
};
use chrono::{DateTime, Utc};
use lettre::{
    message::header::ContentType, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::{sync::Arc, time::Duration};

/// How long a claimed message is reserved for the worker sending it.
const LEASE: chrono::Duration = chrono::Duration::minutes(10);
/// Messages claimed per round.
const BATCH: u64 = 20;
/// How often the worker looks for due messages when nobody wakes it.
const POLL: Duration = Duration::from_secs(5);

/// Where messages go.
#[derive(Clone)]
pub enum Delivery {
    /// A real SMTP server (`SMTP_URL`).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// The development mailbox: messages are marked delivered and shown on
    /// the dev mailbox page, nothing leaves the machine.
    DevMailbox,
}

impl Delivery {
    /// An SMTP delivery from a URL such as `smtp://user:pass@host:587?tls=required`
    /// or `smtps://host:465` (lettre's connection URL format).
    pub fn smtp(url: &str) -> Result<Self, lettre::transport::smtp::Error> {
        Ok(Self::Smtp(
            AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
                .timeout(Some(Duration::from_secs(20)))
                .build(),
        ))
    }

    /// Whether a delivered message's stored copy loses its secret links:
    /// yes for SMTP, where the recipient's mailbox now holds the email; no
    /// for the development mailbox, which shows the stored copy itself.
    fn scrubs_after_delivery(&self) -> bool {
        matches!(self, Self::Smtp(_))
    }

    async fn deliver(
        &self,
        from: &str,
        message: &outbox_message::Model,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        match self {
            Self::DevMailbox => Ok(()),
            Self::Smtp(transport) => {
                let email = Message::builder()
                    .from(from.parse()?)
                    .to(message.recipient.parse()?)
                    .subject(message.subject.clone())
                    // One id per outbox row: should a retry deliver twice,
                    // mail systems see the same message.
                    .message_id(Some(format!(
                        "<outbox-{}-{}@gatehouse>",
                        message.id,
                        message.created_at.timestamp()
                    )))
                    .header(ContentType::TEXT_PLAIN)
                    .body(message.body.clone())?;
                transport.send(email).await?;
                Ok(())
            }
        }
    }
}

/// The wait before the next attempt after `attempts` failed ones.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let exp = attempts.clamp(1, 8) - 1;
    (chrono::Duration::seconds(30) * 2_i32.pow(exp as u32)).min(chrono::Duration::hours(1))
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DrainReport {
    /// Messages delivered.
    pub sent: usize,
    /// Messages whose delivery failed (they will be retried).
    pub failed: usize,
}

/// Delivers the messages that are due at the clock's time, once.
pub async fn drain_once(
    db: &DatabaseConnection,
    delivery: &Delivery,
    from: &str,
    clock: &Clock,
) -> Result<DrainReport, ServiceError> {
    drain_until(db, delivery, from, clock, || false).await
}

/// [`drain_once`], stopping before the next message once `stopping` says
/// so (the server is shutting down): the message being sent is finished and
/// recorded, the rest stay queued for the next start.
pub async fn drain_until(
    db: &DatabaseConnection,
    delivery: &Delivery,
    from: &str,
    clock: &Clock,
    stopping: impl Fn() -> bool,
) -> Result<DrainReport, ServiceError> {
    let now = clock.now();
    let due = outbox_message::Entity::find()
        .filter(outbox_message::Column::SentAt.is_null())
        .filter(outbox_message::Column::NextAttemptAt.lte(now))
        .order_by_asc(outbox_message::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut report = DrainReport::default();
    for message in due {
        if stopping() {
            break;
        }
        if !claim(db, &message, now).await? {
            continue; // another worker has it
        }
        match delivery.deliver(from, &message).await {
            Ok(()) => {
                let scrubbed = delivery
                    .scrubs_after_delivery()
                    .then(|| super::without_link_secrets(&message.body));
                mark_sent(db, message.id, clock.now(), scrubbed).await?;
                report.sent += 1;
            }
            Err(e) => {
                let attempts = message.attempts + 1;
                let retry_at = clock.now() + backoff(attempts);
                let cause = crate::server::error::cause_chain(e.as_ref());
                tracing::warn!(id = message.id, attempts, %retry_at, error = %cause, "email not delivered; will retry");
                mark_failed(db, message.id, retry_at, &cause).await?;
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

async fn claim(
    db: &DatabaseConnection,
    message: &outbox_message::Model,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let r = outbox_message::Entity::update_many()
        .col_expr(
            outbox_message::Column::Attempts,
            Expr::col(outbox_message::Column::Attempts).add(1),
        )
        .col_expr(
            outbox_message::Column::NextAttemptAt,
            Expr::value(now + LEASE),
        )
        .filter(outbox_message::Column::Id.eq(message.id))
        .filter(outbox_message::Column::SentAt.is_null())
        .filter(outbox_message::Column::NextAttemptAt.eq(message.next_attempt_at))
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}

async fn mark_sent(
    db: &DatabaseConnection,
    id: i32,
    now: DateTime<Utc>,
    scrubbed_body: Option<String>,
) -> Result<(), ServiceError> {
    let mut update = outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::SentAt, Expr::value(Some(now)))
        .col_expr(
            outbox_message::Column::LastError,
            Expr::value(Option::<String>::None),
        );
    if let Some(body) = scrubbed_body {
        update = update.col_expr(outbox_message::Column::Body, Expr::value(body));
    }
    update
        .filter(outbox_message::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Removes secret links from messages that were delivered before they were
/// removed at delivery (rows written by an older release, or delivered to
/// the development mailbox before SMTP was configured). Run by the SMTP
/// worker when it starts. Returns how many rows changed.
pub async fn scrub_delivered(db: &DatabaseConnection) -> Result<usize, ServiceError> {
    let mut changed = 0;
    let mut after = 0;
    loop {
        let rows = outbox_message::Entity::find()
            .filter(outbox_message::Column::SentAt.is_not_null())
            .filter(outbox_message::Column::Body.contains(super::SECRET_PARAM))
            .filter(outbox_message::Column::Id.gt(after))
            .order_by_asc(outbox_message::Column::Id)
            .limit(BATCH * 10)
            .all(db)
            .await?;
        let Some(last) = rows.last() else {
            return Ok(changed);
        };
        after = last.id;
        for row in rows {
            outbox_message::Entity::update_many()
                .col_expr(
                    outbox_message::Column::Body,
                    Expr::value(super::without_link_secrets(&row.body)),
                )
                .filter(outbox_message::Column::Id.eq(row.id))
                .exec(db)
                .await?;
            changed += 1;
        }
    }
}

async fn mark_failed(
    db: &DatabaseConnection,
    id: i32,
    retry_at: DateTime<Utc>,
    cause: &str,
) -> Result<(), ServiceError> {
    let cause: String = cause.chars().take(500).collect();
    outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::NextAttemptAt, Expr::value(retry_at))
        .col_expr(outbox_message::Column::LastError, Expr::value(Some(cause)))
        .filter(outbox_message::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Runs the worker until `stop` turns true: a round whenever a message is
/// queued (or every few seconds, for retries and other instances' rows). On
/// stop it finishes the message it is sending and returns.
pub async fn run(
    db: DatabaseConnection,
    delivery: Delivery,
    mail: Arc<MailSettings>,
    clock: Clock,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    if delivery.scrubs_after_delivery() {
        match scrub_delivered(&db).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                messages = n,
                "removed secret links from already delivered emails"
            ),
            Err(e) => tracing::error!(error = %e, "removing links from delivered emails failed"),
        }
    }
    let stopping = |stop: &tokio::sync::watch::Receiver<bool>| *stop.borrow();
    while !stopping(&stop) {
        let round = drain_until(&db, &delivery, &mail.from, &clock, || stopping(&stop)).await;
        match round {
            // A full batch may mean more are waiting: go again at once.
            Ok(r) if (r.sent + r.failed) as u64 >= BATCH && r.failed == 0 => continue,
            Ok(_) => {}
            Err(ServiceError::Internal(e)) => {
                tracing::error!(error = %crate::server::error::cause_chain(e.as_ref()), "outbox worker round failed");
            }
            Err(e) => tracing::error!(error = %e, "outbox worker round failed"),
        }
        tokio::select! {
            _ = tokio::time::timeout(POLL, mail.wake.notified()) => {}
            // The sender gone means nobody can stop the worker any more
            // (the process is ending): stop now rather than spin.
            changed = stop.changed() => if changed.is_err() { break },
        }
    }
    tracing::info!("outbox worker stopped");
}
