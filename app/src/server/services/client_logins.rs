//! What the Account Manager page (staff) and the office staff page (the
//! Account Manager) share: how a client login is listed, how an initial
//! password is checked, and how someone else's password is reset.

use crate::{
    api::dto::{ClientUserView, LatestActivityView},
    domain::ParseError,
    server::{
        auth::{password::PasswordHasher, session, Actor},
        entities::{organization, user},
        error::ServiceError,
        services::{audit, email_tokens},
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, IntoActiveModel, Set};
use std::collections::HashMap;

/// A client login as the lists show it, with its latest activity.
pub fn view(u: user::Model, latest: &mut HashMap<i32, LatestActivityView>) -> ClientUserView {
    ClientUserView {
        id: u.id,
        display_name: u.display_name(),
        latest_activity: latest.remove(&u.id),
        username: u.username,
        active: u.active,
        can_modify: u.can_modify,
        can_delete: u.can_delete,
        must_change_password: u.must_change_password,
        last_login_at: u.last_login_at.map(|t| t.to_rfc3339()),
    }
}

/// Checks an initial password (typed twice) against the organization's
/// policy for `username` and hashes it. Hashing happens before any
/// transaction opens: it takes a while, and holds no lock.
pub async fn hash_initial(
    hasher: &PasswordHasher,
    org: &organization::Model,
    username: &str,
    password: &str,
    confirm_password: &str,
) -> Result<String, ServiceError> {
    let problems = org.password_policy().problems(password, username);
    if !problems.is_empty() {
        return Err(ParseError {
            field: "password",
            message: problems.join("\n"),
        }
        .into());
    }
    if password != confirm_password {
        return Err(ParseError {
            field: "confirm_password",
            message: "The two passwords don't match.".into(),
        }
        .into());
    }
    Ok(hasher.hash(password.to_string()).await?)
}

/// Gives `target` a new initial password (to be changed at their next
/// sign-in), ends their sessions and email links, and audits it as done by
/// `actor`. Runs in the caller's transaction.
pub async fn reset_password<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    target: user::Model,
    hash: String,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let id = target.id;
    let username = target.username.clone();
    let mut row = target.into_active_model();
    row.password_hash = Set(Some(hash));
    row.must_change_password = Set(true);
    row.update(db).await?;
    email_tokens::retire_all(db, id, now).await?;
    let ended = session::end_all_for_user(db, id).await?;
    audit::record_by(
        db,
        actor,
        audit::action::PASSWORD_RESET,
        Some(id),
        format!("initial password set for \"{username}\"; {ended} session(s) ended"),
        now,
    )
    .await
}
