//! The development mailbox: what the outbox holds for the signed-in User
//! Administrator's organization, so a demo can follow emailed links without a mail
//! server. It exists only when the development setting turns it on;
//! otherwise it is "not found" for everyone.

use crate::{
    api::dto::{MailboxMessageView, MailboxView},
    domain::StaffRole,
    server::{
        auth::Actor, entities::outbox_message, error::ServiceError, mail::MailSettings,
        services::home,
    },
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Messages shown.
pub const LIMIT: u64 = 100;

/// The newest messages of the actor's organization.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    mail: &MailSettings,
    actor: &Actor,
) -> Result<MailboxView, ServiceError> {
    if !mail.dev_mailbox {
        return Err(ServiceError::NotFound);
    }
    // Reset and welcome links are live credentials: only the people who may
    // reset logins anyway get to read them.
    if actor.require_staff()? != StaffRole::UserAdministrator {
        return Err(ServiceError::Forbidden);
    }
    let rows = outbox_message::Entity::find()
        .filter(outbox_message::Column::OrganizationId.eq(actor.organization_id))
        .order_by_desc(outbox_message::Column::Id)
        .limit(LIMIT)
        .all(db)
        .await?;
    Ok(MailboxView {
        messages: rows
            .into_iter()
            .map(|m| MailboxMessageView {
                id: m.id,
                to: m.recipient,
                subject: m.subject,
                body: m.body,
                queued_at: m.created_at.to_rfc3339(),
                sent_at: m.sent_at.map(|t| t.to_rfc3339()),
                attempts: m.attempts,
            })
            .collect(),
        frame: home::frame(db, actor).await?,
    })
}
