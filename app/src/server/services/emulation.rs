//! Emulation: a User Administrator or Broker acting as a client account's
//! Account Manager, to see and do what they see and do.
//!
//! The emulation lives in the session row (`emulated_user_id`). Starting and
//! stopping each replace the session with a new one (a new cookie), so a
//! token seen before or during an emulation is worth nothing afterwards.
//! Everything done meanwhile is audited with the staff user as the actor and
//! the Account Manager as the one acted for.

use crate::{
    api::dto::EmulationView,
    domain::{ClientRole, UserKind},
    server::{
        auth::{session, Actor},
        db::begin_write,
        entities::{client_account, session as session_entity, user},
        error::ServiceError,
        services::{audit, organizations},
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

/// The banner's facts for an actor, when it is an emulation.
pub fn banner(actor: &Actor) -> Option<EmulationView> {
    actor.emulation.as_ref().map(|e| EmulationView {
        staff_name: e.staff_name.clone(),
        account_manager: e.account_manager_name.clone(),
        account: e.account_name.clone(),
    })
}

/// The actor of a session of `staff` that emulates `emulated_user_id`, or
/// `None` when that emulation no longer holds (see [`Actor::emulating`]).
pub async fn actor_for<C: ConnectionTrait>(
    db: &C,
    staff: &user::Model,
    emulated_user_id: i32,
) -> Result<Option<Actor>, ServiceError> {
    let Some((manager, Some(account))) = user::Entity::find_by_id(emulated_user_id)
        .filter(user::Column::OrganizationId.eq(staff.organization_id))
        .find_also_related(client_account::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Actor::emulating(staff, &manager, &account)
}

/// The Account Manager of an account of the actor's organization.
pub async fn account_manager_of<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    account_id: i32,
) -> Result<Option<user::Model>, ServiceError> {
    Ok(user::Entity::find()
        .filter(user::Column::OrganizationId.eq(organization_id))
        .filter(user::Column::ClientAccountId.eq(account_id))
        .filter(user::Column::Kind.eq(UserKind::Client.as_str()))
        .filter(user::Column::Role.eq(ClientRole::AccountManager.as_str()))
        .one(db)
        .await?)
}

/// Starts emulating the Account Manager of `account_id`: only a User
/// Administrator or Broker, only an account of their organization that has
/// an Account Manager whose login is on, never inside another emulation.
/// Replaces the session behind `token`; returns the new token and the Client
/// Portal address to go to.
pub async fn start(
    db: &DatabaseConnection,
    actor: &Actor,
    token: &str,
    account_id: i32,
    now: DateTime<Utc>,
) -> Result<(String, String), ServiceError> {
    actor.require_account_manager_staff()?;
    let txn = begin_write(db).await?;
    let account = client_account::Entity::find_by_id(account_id)
        .filter(client_account::Column::OrganizationId.eq(actor.organization_id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let manager = account_manager_of(&txn, actor.organization_id, account.id)
        .await?
        .ok_or_else(|| {
            ServiceError::Conflict(
                "This account has no Account Manager login yet: create it first.".into(),
            )
        })?;
    let staff = user::Entity::find_by_id(actor.user_id)
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::SignInRequired)?;
    if !(manager.active && manager.can_login) {
        return Err(ServiceError::Conflict(
            "This Account Manager's login is switched off, so it can't be emulated.".into(),
        ));
    }
    // The session being replaced must be this staff user's own.
    let current = session_entity::Entity::find_by_id(session::session_id(token))
        .filter(session_entity::Column::UserId.eq(staff.id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::SignInRequired)?;
    let new_token = session::rotate(&txn, &current, &staff, Some(manager.id), now).await?;
    audit::record(
        &txn,
        audit::NewEvent {
            organization_id: actor.organization_id,
            actor_user_id: Some(staff.id),
            on_behalf_of_user_id: Some(manager.id),
            action: audit::action::EMULATION_STARTED,
            target_user_id: Some(manager.id),
            details: format!(
                "{} started emulating {} of {}",
                staff.display_name(),
                manager.display_name(),
                account.name
            ),
        },
        now,
    )
    .await?;
    let org = organizations::of_actor(&txn, actor).await?;
    txn.commit().await?;
    Ok((new_token, format!("/portal/{}", org.slug)))
}

/// Stops the emulation of the session behind `token`: replaces it with a
/// plain session of the staff user. Returns the new token and the account
/// whose Account Manager page to return to.
pub async fn stop(
    db: &DatabaseConnection,
    actor: &Actor,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(String, i32), ServiceError> {
    let emulation = actor
        .emulation
        .as_ref()
        .ok_or_else(|| ServiceError::Conflict("You are not emulating anyone.".into()))?;
    let txn = begin_write(db).await?;
    let staff = user::Entity::find_by_id(emulation.staff_user_id)
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::SignInRequired)?;
    let current = session_entity::Entity::find_by_id(session::session_id(token))
        .filter(session_entity::Column::UserId.eq(staff.id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::SignInRequired)?;
    let new_token = session::rotate(&txn, &current, &staff, None, now).await?;
    audit::record(
        &txn,
        audit::NewEvent {
            organization_id: actor.organization_id,
            actor_user_id: Some(staff.id),
            on_behalf_of_user_id: Some(actor.user_id),
            action: audit::action::EMULATION_STOPPED,
            target_user_id: Some(actor.user_id),
            details: format!(
                "{} stopped emulating {} of {}",
                emulation.staff_name, emulation.account_manager_name, emulation.account_name
            ),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok((new_token, emulation.account_id))
}
