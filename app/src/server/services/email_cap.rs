//! The cap on emails that anyone can make Gatehouse send to a login
//! ("forgot password", "forgot identifier"): at most
//! [`SELF_SERVICE_EMAILS_PER_HOUR`] of each kind per login per rolling hour.
//! Each kind has its own count, so a flood of identifier reminders can't
//! use up the budget of the reset link the person actually needs.
//!
//! Without it, a stranger who knows someone's organization and email could
//! fill their inbox, and, since the newest reset link wins, keep killing the
//! link they are about to use. Past the cap the form answers exactly as
//! before (so the cap reveals nothing about the address), but nothing is
//! queued and the last link sent stays valid. Emails that staff send
//! (welcome, reset on request) are neither capped nor counted: staff are
//! signed in and audited.

use crate::server::{
    entities::{audit_event, user},
    error::ServiceError,
    services::audit,
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

/// Self-service emails of one kind one login may be sent in any hour.
pub const SELF_SERVICE_EMAILS_PER_HOUR: u64 = 3;

/// The kinds of self-service email, each capped on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfServiceEmail {
    /// "Forgot password": a reset link.
    ResetLink,
    /// "Forgot identifier": the identifiers reminder.
    IdentifierReminder,
}

impl SelfServiceEmail {
    /// The audit action each one of this kind is recorded under (with no
    /// actor and the login as target), which is what is counted.
    fn action(self) -> &'static str {
        match self {
            Self::ResetLink => audit::action::RESET_REQUESTED,
            Self::IdentifierReminder => audit::action::IDENTIFIER_REMINDER,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::ResetLink => "Reset link",
            Self::IdentifierReminder => "Identifier reminder",
        }
    }
}

/// Whether one more self-service email of `kind` may be queued for login
/// `user_id` now. Runs in the transaction that would queue it; on PostgreSQL the
/// login's row is locked first, so concurrent requests are counted one after
/// the other (SQLite's write transaction already serialises them). When the
/// answer is no, the withheld email is audited.
pub async fn allows<C: ConnectionTrait>(
    txn: &C,
    organization_id: i32,
    user_id: i32,
    kind: SelfServiceEmail,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        user::Entity::find_by_id(user_id)
            .lock_exclusive()
            .one(txn)
            .await?;
    }
    let recent = audit_event::Entity::find()
        .filter(audit_event::Column::OrganizationId.eq(organization_id))
        .filter(audit_event::Column::TargetUserId.eq(user_id))
        .filter(audit_event::Column::Action.eq(kind.action()))
        .filter(audit_event::Column::ActorUserId.is_null())
        .filter(audit_event::Column::CreatedAt.gt(now - Duration::hours(1)))
        .count(txn)
        .await?;
    if recent < SELF_SERVICE_EMAILS_PER_HOUR {
        return Ok(true);
    }
    let what = kind.label();
    tracing::info!(
        user_id,
        what,
        "self-service email withheld: hourly cap reached"
    );
    audit::record(
        txn,
        audit::NewEvent {
            organization_id,
            actor_user_id: None,
            on_behalf_of_user_id: None,
            action: audit::action::EMAIL_WITHHELD,
            target_user_id: Some(user_id),
            details: format!(
                "{what} email not sent: {SELF_SERVICE_EMAILS_PER_HOUR} already sent in the last hour"
            ),
        },
        now,
    )
    .await?;
    Ok(false)
}
