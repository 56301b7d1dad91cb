//! "Who did it", in the users' words, for lists: the display names behind
//! user ids, and each user's latest audited activity ("Password reset by
//! someone else · Dana Park as Sam Lee").

use crate::{
    api::dto::LatestActivityView,
    domain::audit_action,
    server::{
        entities::{audit_event, user},
        error::ServiceError,
    },
};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Query},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use std::collections::HashMap;

/// Display names of the users of `organization_id` among `ids`, in one query.
pub async fn display_names<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, String>, ServiceError> {
    let mut ids: Vec<i32> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::OrganizationId.eq(organization_id))
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name()))
        .collect())
}

/// "Dana Park", or "Dana Park as Sam Lee" when `by` acted for `for_user`.
pub fn who(names: &HashMap<i32, String>, by: Option<i32>, for_user: Option<i32>) -> String {
    let name = |id: i32| {
        names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| "a former user".into())
    };
    match (by, for_user) {
        (Some(b), Some(f)) => format!("{} as {}", name(b), name(f)),
        (Some(b), None) => name(b),
        (None, _) => "Gatehouse".into(),
    }
}

/// The latest audited action about each of `user_ids` (as its target), in
/// two indexed queries whatever the number of users.
pub async fn latest_for<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    user_ids: &[i32],
) -> Result<HashMap<i32, LatestActivityView>, ServiceError> {
    if user_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let latest_ids = Query::select()
        .expr(Expr::col(audit_event::Column::Id).max())
        .from(audit_event::Entity)
        .and_where(Expr::col(audit_event::Column::OrganizationId).eq(organization_id))
        .and_where(Expr::col(audit_event::Column::TargetUserId).is_in(user_ids.iter().copied()))
        .group_by_col(audit_event::Column::TargetUserId)
        .to_owned();
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::Id.in_subquery(latest_ids))
        .all(db)
        .await?;
    let people: Vec<i32> = events
        .iter()
        .flat_map(|e| [e.actor_user_id, e.on_behalf_of_user_id])
        .flatten()
        .collect();
    let names = display_names(db, organization_id, people).await?;
    Ok(events
        .into_iter()
        .filter_map(|e| {
            let target = e.target_user_id?;
            Some((
                target,
                LatestActivityView {
                    action: audit_action::label(&e.action).to_string(),
                    by: who(&names, e.actor_user_id, e.on_behalf_of_user_id),
                    at: e.created_at.to_rfc3339(),
                },
            ))
        })
        .collect())
}
