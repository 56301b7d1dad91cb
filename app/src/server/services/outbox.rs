//! Putting an email in the outbox. Always called with the transaction of the
//! change that causes the email, so the email exists exactly when the change
//! does; the mail worker (`server::mail::worker`) sends it after commit.

use crate::server::{entities::outbox_message, error::ServiceError, services::audit};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

/// An email to queue.
#[derive(Debug, Clone)]
pub struct NewEmail {
    /// The tenant it belongs to (the dev mailbox shows it to that tenant only).
    pub organization_id: i32,
    /// The recipient's address (already parsed as an `Email`).
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body; links are absolute, built from the public base URL.
    pub body: String,
    /// Who caused it (`None` for a visitor's self-service request).
    pub actor_user_id: Option<i32>,
    /// The user it is about, for the audit trail.
    pub about_user_id: Option<i32>,
}

/// Queues `email` in the caller's transaction and audits it as queued.
/// Returns the outbox row's id.
pub async fn enqueue<C: ConnectionTrait>(
    txn: &C,
    email: NewEmail,
    now: DateTime<Utc>,
) -> Result<i32, ServiceError> {
    let row = outbox_message::ActiveModel {
        organization_id: Set(email.organization_id),
        recipient: Set(email.to.clone()),
        subject: Set(email.subject.clone()),
        body: Set(email.body),
        created_at: Set(now),
        attempts: Set(0),
        next_attempt_at: Set(now),
        sent_at: Set(None),
        last_error: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        audit::NewEvent {
            organization_id: email.organization_id,
            actor_user_id: email.actor_user_id,
            on_behalf_of_user_id: None,
            action: audit::action::EMAIL_QUEUED,
            target_user_id: email.about_user_id,
            details: format!("\"{}\" to {}", email.subject, email.to),
        },
        now,
    )
    .await?;
    Ok(row.id)
}
