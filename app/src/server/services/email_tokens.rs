//! Single-use tokens for the links in welcome and password-reset emails.
//!
//! A token is 32 random bytes (hex) that appear only in the email; the
//! database keeps their SHA-256. Issuing a token for a user retires every
//! older unused one of theirs. Opening a link only *looks* at the token
//! ([`find_usable`]); setting the password *consumes* it ([`consume`]) with
//! one conditional update, so two submissions cannot both use it.

use crate::server::{
    auth::session::{new_token, session_id},
    entities::{email_token, user},
    error::ServiceError,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
};

/// What a link is for; each has its own lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A user asked to reset a forgotten password: valid for 1 hour.
    Reset,
    /// Staff invited a user to set their first password: valid for 7 days.
    Welcome,
}

impl Purpose {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reset => "reset",
            Self::Welcome => "welcome",
        }
    }

    /// How long a link stays usable.
    pub fn lifetime(self) -> chrono::Duration {
        match self {
            Self::Reset => chrono::Duration::hours(1),
            Self::Welcome => chrono::Duration::days(7),
        }
    }

    /// From the stored value.
    pub fn from_db(s: &str) -> Option<Self> {
        match s {
            "reset" => Some(Self::Reset),
            "welcome" => Some(Self::Welcome),
            _ => None,
        }
    }
}

/// Issues a token for `user`, retiring their older unused tokens, in the
/// caller's transaction. Returns the token for the link.
pub async fn issue<C: ConnectionTrait>(
    txn: &C,
    user: &user::Model,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<String, ServiceError> {
    retire_all(txn, user.id, now).await?;
    let token = new_token();
    email_token::ActiveModel {
        id: Set(session_id(&token)),
        user_id: Set(user.id),
        organization_id: Set(user.organization_id),
        purpose: Set(purpose.as_str().to_string()),
        created_at: Set(now),
        expires_at: Set(now + purpose.lifetime()),
        used_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(token)
}

/// Marks every unused token of a user as used (a newer one was issued, or
/// the password was set another way).
pub async fn retire_all<C: ConnectionTrait>(
    txn: &C,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    email_token::Entity::update_many()
        .col_expr(email_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(email_token::Column::UserId.eq(user_id))
        .filter(email_token::Column::UsedAt.is_null())
        .exec(txn)
        .await?;
    Ok(())
}

/// The unused, unexpired token a link carries and the user it is for.
/// Looking does not consume it.
pub async fn find_usable<C: ConnectionTrait>(
    db: &C,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<(email_token::Model, user::Model)>, ServiceError> {
    if token.len() != 64 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some(row) = email_token::Entity::find_by_id(session_id(token))
        .filter(email_token::Column::UsedAt.is_null())
        .filter(email_token::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    // A login that was disabled since the link was sent can't use it.
    let user = user::Entity::find_by_id(row.user_id)
        .filter(user::Column::OrganizationId.eq(row.organization_id))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::CanLogin.eq(true))
        .one(db)
        .await?;
    Ok(user.map(|u| (row, u)))
}

/// Consumes a token in the caller's transaction: true when this call used
/// it, false when it was already used, replaced or expired.
pub async fn consume<C: ConnectionTrait>(
    txn: &C,
    token: &str,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let r = email_token::Entity::update_many()
        .col_expr(email_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(email_token::Column::Id.eq(session_id(token)))
        .filter(email_token::Column::UsedAt.is_null())
        .filter(email_token::Column::ExpiresAt.gt(now))
        .exec(txn)
        .await?;
    Ok(r.rows_affected == 1)
}
