//! Switching a login off and on: *Active* (the person is still with us) and
//! *Can Login* (they may sign in) are separate switches. Turning either off
//! ends all of the user's sessions and outstanding email links at once, in the same transaction as the
//! change and its audit event.

use crate::{
    domain::StaffRole,
    server::{
        auth::{session, Actor},
        db::begin_write,
        entities::user,
        error::ServiceError,
        services::{administrators, audit, email_tokens},
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
};

/// Which switch to set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Switch {
    /// The user's *Active* flag.
    Active,
    /// The user's *Can Login* flag.
    CanLogin,
}

/// Sets `switch` of a user of the actor's organization to `on`. Only a User
/// Administrator may, not on their own login, and never so that no User
/// Administrator can sign in any more. Returns the number of sessions ended.
pub async fn set(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: i32,
    switch: Switch,
    on: bool,
    now: DateTime<Utc>,
) -> Result<u64, ServiceError> {
    if actor.require_staff()? != StaffRole::UserAdministrator {
        return Err(ServiceError::Forbidden);
    }
    if user_id == actor.user_id {
        return Err(ServiceError::Conflict(
            "You can't switch off your own login; ask another User Administrator.".into(),
        ));
    }
    let txn = begin_write(db).await?;
    administrators::lock_organization(&txn, actor).await?;
    let u = user::Entity::find_by_id(user_id)
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !on {
        administrators::keep_one_administrator(&txn, &u).await?;
    }
    let username = u.username.clone();
    let mut active = u.into_active_model();
    let action = match (switch, on) {
        (Switch::Active, true) => {
            active.active = Set(true);
            audit::action::USER_ENABLED
        }
        (Switch::Active, false) => {
            active.active = Set(false);
            audit::action::USER_DISABLED
        }
        (Switch::CanLogin, true) => {
            active.can_login = Set(true);
            audit::action::LOGIN_GRANTED
        }
        (Switch::CanLogin, false) => {
            active.can_login = Set(false);
            audit::action::LOGIN_REVOKED
        }
    };
    active.update(&txn).await?;
    let ended = if on {
        0
    } else {
        // Outstanding welcome and reset links die with the sessions.
        email_tokens::retire_all(&txn, user_id, now).await?;
        session::end_all_for_user(&txn, user_id).await?
    };
    audit::record(
        &txn,
        audit::NewEvent {
            organization_id: actor.organization_id,
            actor_user_id: actor.audit_ids().0,
            on_behalf_of_user_id: actor.audit_ids().1,
            action,
            target_user_id: Some(user_id),
            details: format!(
                "{} \"{username}\"; {ended} session(s) ended",
                audit::action::label(action)
            ),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(ended)
}
