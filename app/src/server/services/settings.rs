//! The organization's settings as its User Administrators see and change
//! them: the password policy (minimum length and the three requirements;
//! the blocklist and "not the username" always apply) and how far ahead a
//! Staff Master hire date may be. The agency prefix and the User
//! Administrator limit are the platform operator's and only shown.
//!
//! A new policy applies the next time someone chooses a password: stored
//! passwords are never checked against it, so nobody is locked out.

use crate::{
    api::dto::SettingsView,
    domain::{audit_action, ParseError, PasswordPolicy},
    server::{
        auth::Actor,
        db::begin_write,
        error::ServiceError,
        services::{
            administrators::{self, lock_organization},
            audit, home,
        },
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, DatabaseConnection, IntoActiveModel, Set};

/// The most days ahead a hire date window may be.
pub const MAX_DAYS_AHEAD: i32 = 365;

/// What a User Administrator submits.
#[derive(Debug, Clone)]
pub struct NewSettings {
    /// The password policy.
    pub policy: PasswordPolicy,
    /// Days a hire date may be ahead of today.
    pub hire_date_days_ahead: i32,
}

/// The settings page.
pub async fn view(db: &DatabaseConnection, actor: &Actor) -> Result<SettingsView, ServiceError> {
    actor.require_user_administrator()?;
    let (frame, org) = home::frame_and_org(db, actor).await?;
    let administrators = administrators::count(db, org.id).await?;
    Ok(SettingsView {
        frame,
        organization_slug: org.slug.clone(),
        agency_prefix: org.agency_prefix.clone(),
        max_user_administrators: org.max_user_administrators,
        user_administrators: administrators,
        policy: org.password_policy(),
        hire_date_days_ahead: org.hire_date_days_ahead,
    })
}

/// Saves the settings; audited (what changed, from what) in the same
/// transaction. Nothing changed: nothing written.
pub async fn save(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewSettings,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    actor.require_user_administrator()?;
    if !(0..=MAX_DAYS_AHEAD).contains(&new.hire_date_days_ahead) {
        return Err(ServiceError::Invalid(ParseError {
            field: "hire_date_days_ahead",
            message: format!("Enter a number of days from 0 to {MAX_DAYS_AHEAD}."),
        }));
    }
    let txn = begin_write(db).await?;
    let org = lock_organization(&txn, actor).await?;
    let before = org.password_policy();
    let mut changes = Vec::new();
    if before != new.policy {
        changes.push(format!(
            "password policy changed from \"{}\" to \"{}\" (applies at the next password change)",
            before.describe(),
            new.policy.describe()
        ));
    }
    if org.hire_date_days_ahead != new.hire_date_days_ahead {
        changes.push(format!(
            "hire dates may be up to {} days ahead (was {})",
            new.hire_date_days_ahead, org.hire_date_days_ahead
        ));
    }
    if changes.is_empty() {
        return Ok(());
    }
    let mut row = org.into_active_model();
    row.password_min_length = Set(new.policy.min_length as i32);
    row.password_require_digit = Set(new.policy.require_digit);
    row.password_require_upper = Set(new.policy.require_upper);
    row.password_require_special = Set(new.policy.require_special);
    row.hire_date_days_ahead = Set(new.hire_date_days_ahead);
    row.update(&txn).await?;
    audit::record_by(
        &txn,
        actor,
        audit_action::SETTINGS_CHANGED,
        None,
        changes.join("; "),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
