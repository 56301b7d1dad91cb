//! Lock-out after repeated failed sign-ins, per (organization, portal scope,
//! normalised username). Counted whether or not the user exists, so a
//! lock-out tells nothing about which usernames are real.
//!
//! After [`THRESHOLD`] failures in a row the key is locked for one minute;
//! each further lock-out in a row doubles that, up to fifteen minutes. A
//! successful sign-in resets everything. While locked, sign-in is refused
//! with the same message as a wrong password.

use crate::{
    domain::{Identifier, Username},
    server::{entities::sign_in_throttle, error::ServiceError},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set,
};

/// Failures in a row that lock a key.
pub const THRESHOLD: i32 = 5;
/// The first lock's length.
pub const FIRST_LOCK: chrono::Duration = chrono::Duration::minutes(1);
/// The longest lock.
pub const MAX_LOCK: chrono::Duration = chrono::Duration::minutes(15);

/// What failed sign-ins are counted by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// The organization signed in to.
    pub organization_id: i32,
    /// `staff`, or `client:{identifier}`.
    pub scope: String,
    /// The username as typed, trimmed and lower-cased (at most 120 characters).
    pub username: String,
}

impl Key {
    /// The key of an Admin Portal sign-in.
    pub fn staff(organization_id: i32, username: &str) -> Self {
        Self {
            organization_id,
            scope: "staff".into(),
            username: normalise(username),
        }
    }

    /// The key of a Client Portal sign-in to the account `identifier`. Every
    /// spelling that reaches the same account (spaces, dots, parentheses,
    /// case) gives the same key.
    pub fn client(organization_id: i32, identifier: &str, username: &str) -> Self {
        let identifier = match Identifier::parse(identifier) {
            Ok(parsed) => parsed.as_str().to_string(),
            Err(_) => identifier.trim().to_uppercase().chars().take(60).collect(),
        };
        Self {
            organization_id,
            scope: format!("client:{identifier}"),
            username: normalise(username),
        }
    }
}

/// The username as sign-in compares it (`Username::parse`), or, when it can't
/// be a username, as typed, trimmed and lower-cased.
fn normalise(username: &str) -> String {
    match Username::parse(username) {
        Ok(parsed) => parsed.as_str().to_string(),
        Err(_) => username.trim().to_lowercase().chars().take(120).collect(),
    }
}

/// The lock length after `lockouts` lock-outs in a row.
pub fn lock_length(lockouts: i32) -> chrono::Duration {
    let exp = (lockouts.clamp(1, 5) - 1) as u32;
    (FIRST_LOCK * 2_i32.pow(exp)).min(MAX_LOCK)
}

async fn find<C: ConnectionTrait>(
    db: &C,
    key: &Key,
) -> Result<Option<sign_in_throttle::Model>, ServiceError> {
    Ok(sign_in_throttle::Entity::find()
        .filter(sign_in_throttle::Column::OrganizationId.eq(key.organization_id))
        .filter(sign_in_throttle::Column::Scope.eq(key.scope.clone()))
        .filter(sign_in_throttle::Column::Username.eq(key.username.clone()))
        .one(db)
        .await?)
}

/// Whether `key` is locked at `now`.
pub async fn is_locked<C: ConnectionTrait>(
    db: &C,
    key: &Key,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    Ok(find(db, key)
        .await?
        .and_then(|t| t.locked_until)
        .is_some_and(|until| until > now))
}

/// Whether `key` is locked at `now`, read inside the caller's write
/// transaction with the key's row locked (PostgreSQL; SQLite's write
/// transaction already excludes other writers), so a concurrent failure that
/// locks the key is seen.
pub async fn is_locked_in<C: ConnectionTrait>(
    txn: &C,
    key: &Key,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let mut q = sign_in_throttle::Entity::find()
        .filter(sign_in_throttle::Column::OrganizationId.eq(key.organization_id))
        .filter(sign_in_throttle::Column::Scope.eq(key.scope.clone()))
        .filter(sign_in_throttle::Column::Username.eq(key.username.clone()));
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    Ok(q.one(txn)
        .await?
        .and_then(|t| t.locked_until)
        .is_some_and(|until| until > now))
}

/// Counts a failure in the caller's transaction. Returns the time the key is
/// locked until when this failure locked it.
pub async fn record_failure<C: ConnectionTrait>(
    txn: &C,
    key: &Key,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, ServiceError> {
    // Make sure the row exists, then count atomically, so concurrent
    // failures are all counted.
    sign_in_throttle::Entity::insert(sign_in_throttle::ActiveModel {
        organization_id: Set(key.organization_id),
        scope: Set(key.scope.clone()),
        username: Set(key.username.clone()),
        failures: Set(0),
        lockouts: Set(0),
        locked_until: Set(None),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([
        sign_in_throttle::Column::OrganizationId,
        sign_in_throttle::Column::Scope,
        sign_in_throttle::Column::Username,
    ])
    .exec(txn)
    .await?;
    sign_in_throttle::Entity::update_many()
        .col_expr(
            sign_in_throttle::Column::Failures,
            Expr::col(sign_in_throttle::Column::Failures).add(1),
        )
        .col_expr(sign_in_throttle::Column::UpdatedAt, Expr::value(now))
        .filter(sign_in_throttle::Column::OrganizationId.eq(key.organization_id))
        .filter(sign_in_throttle::Column::Scope.eq(key.scope.clone()))
        .filter(sign_in_throttle::Column::Username.eq(key.username.clone()))
        .exec(txn)
        .await?;
    let Some(row) = find(txn, key).await? else {
        return Ok(None);
    };
    if row.failures < THRESHOLD {
        return Ok(None);
    }
    let lockouts = row.lockouts + 1;
    let until = now + lock_length(lockouts);
    let mut active = row.into_active_model();
    active.failures = Set(0);
    active.lockouts = Set(lockouts);
    active.locked_until = Set(Some(until));
    active.update(txn).await?;
    Ok(Some(until))
}

/// Forgets the failures of `key` (a successful sign-in or a password reset).
pub async fn clear<C: ConnectionTrait>(txn: &C, key: &Key) -> Result<(), ServiceError> {
    sign_in_throttle::Entity::delete_many()
        .filter(sign_in_throttle::Column::OrganizationId.eq(key.organization_id))
        .filter(sign_in_throttle::Column::Scope.eq(key.scope.clone()))
        .filter(sign_in_throttle::Column::Username.eq(key.username.clone()))
        .exec(txn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_start_at_a_minute_and_double_up_to_fifteen() {
        let minutes: Vec<i64> = (1..=7).map(|n| lock_length(n).num_minutes()).collect();
        assert_eq!(minutes, vec![1, 2, 4, 8, 15, 15, 15]);
    }

    #[test]
    fn keys_ignore_case_and_spacing() {
        assert_eq!(Key::staff(1, " JSmith "), Key::staff(1, "jsmith"));
        for spelling in [
            "416-555-0142",
            "(416) 555.0142",
            "+4165550142",
            " 4165550142 ",
        ] {
            assert_eq!(
                Key::client(1, spelling, "Manager"),
                Key::client(1, "4165550142", "manager"),
                "{spelling}"
            );
        }
        assert_eq!(Key::client(1, "ab12cd", "m"), Key::client(1, "AB12CD", "m"));
        assert_ne!(Key::client(1, "1", "m"), Key::client(2, "1", "m"));
    }
}
