//! Choosing a password: a signed-in user changing their own (required at
//! first sign-in with an initial password), and anyone setting one through a
//! welcome or reset link.
//!
//! Both check the organization's policy (one message per broken rule), end
//! sessions (on a change the user's other sessions, the changing one rotating
//! to a new id; all of them on a reset),
//! retire outstanding email links and are audited in the same transaction.

use crate::{
    api::dto::PasswordFormView,
    domain::{ParseError, UserKind},
    server::{
        auth::{password::PasswordHasher, session, Actor},
        db::begin_write,
        entities::{client_account, organization, session as session_entity, user},
        error::ServiceError,
        services::{audit, email_tokens, lockout, sign_in},
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, Set,
};

use crate::error::LINK_UNUSABLE;

/// A password change as typed.
#[derive(Debug, Clone)]
pub struct PasswordChange {
    /// The password in use now (the initial one at first sign-in).
    pub current_password: String,
    /// The new password.
    pub new_password: String,
    /// The new password again.
    pub confirm_password: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(ParseError {
        field,
        message: message.into(),
    })
}

/// Checks a new password and its confirmation against the policy of `org`
/// for `username`.
fn check_new(
    org: &organization::Model,
    username: &str,
    new_password: &str,
    confirm_password: &str,
) -> Result<(), ServiceError> {
    let problems = org.password_policy().problems(new_password, username);
    if !problems.is_empty() {
        return Err(invalid("new_password", problems.join("\n")));
    }
    if new_password != confirm_password {
        return Err(invalid(
            "confirm_password",
            "The two new passwords don't match.",
        ));
    }
    Ok(())
}

async fn load<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    user_id: i32,
) -> Result<(user::Model, organization::Model), ServiceError> {
    let u = user::Entity::find_by_id(user_id)
        .filter(user::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?
        .ok_or(ServiceError::SignInRequired)?;
    let org = organization::Entity::find_by_id(organization_id)
        .one(db)
        .await?
        .ok_or(ServiceError::SignInRequired)?;
    Ok((u, org))
}

/// What the change-password page shows the signed-in user: the rules, their
/// username (a password may not contain it) and whether the change is forced.
pub async fn change_form<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
) -> Result<PasswordFormView, ServiceError> {
    let (u, org) = load(db, actor.organization_id, actor.user_id).await?;
    Ok(PasswordFormView {
        display_name: u.display_name(),
        username: u.username.clone(),
        organization_name: org.name.clone(),
        policy: org.password_policy(),
        forced: u.must_change_password,
        welcome: false,
        done_page: sign_in::portal_home(&u, &org),
    })
}

/// A password change that went through.
#[derive(Debug, Clone)]
pub struct PasswordChanged {
    /// The page to go to next (the portal's landing page).
    pub next: String,
    /// The browser's session under its new id: the session that changed
    /// the password rotates, as at sign-in, so whoever held the old id
    /// holds nothing.
    pub token: String,
}

/// Changes the actor's own password. `session_token` is the browser's
/// session, which stays signed in under a new id (see [`PasswordChanged`]);
/// the user's other sessions end.
pub async fn change(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    actor: &Actor,
    session_token: &str,
    input: PasswordChange,
    now: DateTime<Utc>,
) -> Result<PasswordChanged, ServiceError> {
    let (u, org) = load(db, actor.organization_id, actor.user_id).await?;
    if input.current_password.is_empty() {
        return Err(invalid("current_password", "Enter your current password."));
    }
    check_new(
        &org,
        &u.username,
        &input.new_password,
        &input.confirm_password,
    )?;
    if input.new_password == input.current_password {
        return Err(invalid(
            "new_password",
            "Choose a password different from your current one.",
        ));
    }
    let matches = hasher
        .verify(input.current_password, u.password_hash.clone())
        .await?;
    if !matches {
        return Err(invalid(
            "current_password",
            "That is not your current password.",
        ));
    }
    let new_hash = hasher.hash(input.new_password).await?;

    let txn = begin_write(db).await?;
    let next = sign_in::portal_home(&u, &org);
    let (user_id, organization_id) = (u.id, u.organization_id);
    let forced = u.must_change_password;
    let current = session_entity::Entity::find_by_id(session::session_id(session_token))
        .filter(session_entity::Column::UserId.eq(user_id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::SignInRequired)?;
    // Should the session still carry an emulation (one that no longer
    // applies, or the actor would not be changing their own password), the
    // new id drops it: record that it ended.
    sign_in::record_emulation_end(&txn, &current, &u, "changed their password", now).await?;
    let token = session::rotate(&txn, &current, &u, None, now).await?;
    let mut active = u.into_active_model();
    active.password_hash = Set(Some(new_hash));
    active.must_change_password = Set(false);
    active.update(&txn).await?;
    let ended = session::end_others_for_user(&txn, user_id, &token).await?;
    email_tokens::retire_all(&txn, user_id, now).await?;
    audit::record(
        &txn,
        audit::NewEvent {
            organization_id,
            actor_user_id: Some(user_id),
            on_behalf_of_user_id: None,
            action: audit::action::PASSWORD_CHANGED,
            target_user_id: Some(user_id),
            details: format!(
                "{}changed own password; {ended} other session(s) ended",
                if forced {
                    "initial password replaced; "
                } else {
                    ""
                }
            ),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(PasswordChanged { next, token })
}

/// What the page behind a welcome or reset link shows, or `None` when the
/// link can no longer be used. Looking does not use the link up.
pub async fn link_form<C: ConnectionTrait>(
    db: &C,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<PasswordFormView>, ServiceError> {
    let Some((row, u)) = email_tokens::find_usable(db, token, now).await? else {
        return Ok(None);
    };
    let org = organization::Entity::find_by_id(u.organization_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(Some(PasswordFormView {
        display_name: u.display_name(),
        username: u.username.clone(),
        organization_name: org.name.clone(),
        policy: org.password_policy(),
        forced: false,
        welcome: email_tokens::Purpose::from_db(&row.purpose)
            == Some(email_tokens::Purpose::Welcome),
        done_page: sign_in::sign_in_page(&u, &org),
    }))
}

/// Sets a password through a welcome or reset link (consuming it), ends all
/// of the user's sessions and lifts a lock-out. Returns the sign-in page of
/// the user's portal.
pub async fn set_from_link(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    token: &str,
    new_password: String,
    confirm_password: String,
    now: DateTime<Utc>,
) -> Result<String, ServiceError> {
    let (row, u) = email_tokens::find_usable(db, token, now)
        .await?
        .ok_or_else(|| ServiceError::Conflict(LINK_UNUSABLE.into()))?;
    let org = organization::Entity::find_by_id(u.organization_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check_new(&org, &u.username, &new_password, &confirm_password)?;
    let new_hash = hasher.hash(new_password).await?;

    let txn = begin_write(db).await?;
    // Only this conditional update decides: of two submissions of one link,
    // one wins and the other is told the link is used.
    if !email_tokens::consume(&txn, token, now).await? {
        return Err(ServiceError::Conflict(LINK_UNUSABLE.into()));
    }
    let key = match UserKind::from_db(&u.kind) {
        Some(UserKind::Client) => {
            let account = match u.client_account_id {
                Some(id) => client_account::Entity::find_by_id(id).one(&txn).await?,
                None => None,
            };
            account.map(|a| lockout::Key::client(org.id, &a.identifier, &u.username))
        }
        _ => Some(lockout::Key::staff(org.id, &u.username)),
    };
    if let Some(key) = key {
        lockout::clear(&txn, &key).await?;
    }
    let next = sign_in::sign_in_page(&u, &org);
    let (user_id, organization_id) = (u.id, u.organization_id);
    let mut active = u.into_active_model();
    active.password_hash = Set(Some(new_hash));
    active.must_change_password = Set(false);
    active.update(&txn).await?;
    let ended = session::end_all_for_user(&txn, user_id).await?;
    email_tokens::retire_all(&txn, user_id, now).await?;
    audit::record(
        &txn,
        audit::NewEvent {
            organization_id,
            actor_user_id: Some(user_id),
            on_behalf_of_user_id: None,
            action: audit::action::RESET_USED,
            target_user_id: Some(user_id),
            details: format!(
                "password set from a {} link; {ended} session(s) ended",
                row.purpose
            ),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}
