//! Writing audit events. Called with the transaction of the change it
//! records, so the event and the change land together or not at all.

use crate::server::{
    auth::Actor,
    entities::{audit_event, user},
    error::ServiceError,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
};

/// Audit action names, as stored (shared with the audit page).
pub use crate::domain::audit_action as action;

/// One event to record.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// The tenant the event belongs to.
    pub organization_id: i32,
    /// Who acted (`None` for the platform operator or an anonymous visitor).
    pub actor_user_id: Option<i32>,
    /// Whom the actor acted for (emulation), if anyone.
    pub on_behalf_of_user_id: Option<i32>,
    /// What happened; see [`action`].
    pub action: &'a str,
    /// The user the action was about, if any.
    pub target_user_id: Option<i32>,
    /// Free-text details for the audit log.
    pub details: String,
}

/// Records an event at `now`. An administrative action about a login also
/// becomes that login's latest one (the People list's Description), in the
/// same transaction.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    event: NewEvent<'_>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let target = event
        .target_user_id
        .filter(|_| action::administrative_label(event.action).is_some());
    let organization_id = event.organization_id;
    let row = audit_event::ActiveModel {
        organization_id: Set(event.organization_id),
        actor_user_id: Set(event.actor_user_id),
        on_behalf_of_user_id: Set(event.on_behalf_of_user_id),
        action: Set(event.action.to_string()),
        target_user_id: Set(event.target_user_id),
        details: Set(event.details),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    if let Some(target) = target {
        user::Entity::update_many()
            .col_expr(user::Column::AdminEventId, Expr::value(row.id))
            .filter(user::Column::Id.eq(target))
            .filter(user::Column::OrganizationId.eq(organization_id))
            // Never back to an older event when two transactions record
            // about the same login and the older one commits last.
            .filter(user::Column::AdminEventId.lt(row.id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Records `action` done by `actor` in their organization: while a staff
/// user emulates an Account Manager, as the staff user acting for them.
pub async fn record_by<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    action: &str,
    target_user_id: Option<i32>,
    details: String,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let (actor_user_id, on_behalf_of_user_id) = actor.audit_ids();
    record(
        db,
        NewEvent {
            organization_id: actor.organization_id,
            actor_user_id,
            on_behalf_of_user_id,
            action,
            target_user_id,
            details,
        },
        now,
    )
    .await
}
