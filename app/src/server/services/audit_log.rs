//! The audit page: the organization's events, newest (or oldest) first,
//! filterable by user (as actor or as target) and by action, paged by id
//! (keyset) so every page is one indexed range read however long the trail
//! gets.

use crate::{
    api::dto::{AuditEntryView, AuditLogView, UserRefView},
    domain::{audit_action, StaffRole},
    server::{
        auth::Actor,
        entities::{audit_event, user},
        error::ServiceError,
        services::home,
    },
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;

/// Events per page.
pub const PAGE_SIZE: u64 = 50;

/// What the audit page asks for.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only events this user did or that were about them.
    pub user_id: Option<i32>,
    /// Only events with this action.
    pub action: Option<String>,
    /// Oldest first instead of newest first.
    pub oldest_first: bool,
    /// Only events after this id in the chosen order (the next page).
    pub cursor: Option<i32>,
}

/// A page of the actor's organization's audit trail. Only User
/// Administrators may read it.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    query: AuditQuery,
) -> Result<AuditLogView, ServiceError> {
    if actor.require_staff()? != StaffRole::UserAdministrator {
        return Err(ServiceError::Forbidden);
    }
    let mut q = audit_event::Entity::find()
        .filter(audit_event::Column::OrganizationId.eq(actor.organization_id));
    if let Some(action) = query.action.as_deref().filter(|a| !a.is_empty()) {
        if !audit_action::is_known(action) {
            return Err(ServiceError::Invalid(crate::domain::ParseError {
                field: "action",
                message: "Choose an action from the list.".into(),
            }));
        }
        q = q.filter(audit_event::Column::Action.eq(action));
    }
    if let Some(uid) = query.user_id {
        q = q.filter(
            Condition::any()
                .add(audit_event::Column::ActorUserId.eq(uid))
                .add(audit_event::Column::TargetUserId.eq(uid)),
        );
    }
    q = match (query.cursor, query.oldest_first) {
        (Some(c), false) => q.filter(audit_event::Column::Id.lt(c)),
        (Some(c), true) => q.filter(audit_event::Column::Id.gt(c)),
        (None, _) => q,
    };
    q = if query.oldest_first {
        q.order_by_asc(audit_event::Column::Id)
    } else {
        q.order_by_desc(audit_event::Column::Id)
    };
    let mut rows = q.limit(PAGE_SIZE + 1).all(db).await?;
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);

    // Names of everyone mentioned, in one query, scoped to the organization.
    let mut ids: Vec<i32> = rows
        .iter()
        .flat_map(|r| [r.actor_user_id, r.on_behalf_of_user_id, r.target_user_id])
        .flatten()
        .chain(query.user_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<i32, UserRefView> = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| {
            (
                u.id,
                UserRefView {
                    id: u.id,
                    name: u.display_name(),
                    username: u.username.clone(),
                },
            )
        })
        .collect();
    let name = |id: Option<i32>| id.and_then(|i| names.get(&i).cloned());
    let entries = rows
        .iter()
        .map(|r| AuditEntryView {
            id: r.id,
            at: r.created_at.to_rfc3339(),
            actor: name(r.actor_user_id),
            on_behalf_of: name(r.on_behalf_of_user_id),
            action: r.action.clone(),
            action_label: audit_action::label(&r.action).to_string(),
            target: name(r.target_user_id),
            details: r.details.clone(),
        })
        .collect();
    Ok(AuditLogView {
        next_cursor: if more {
            rows.last().map(|r| r.id)
        } else {
            None
        },
        filter_user: name(query.user_id),
        entries,
        frame: home::frame(db, actor).await?,
    })
}
