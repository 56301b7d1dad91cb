//! Server-side sessions and the cookie that names them.
//!
//! The cookie carries 32 random bytes (hex); the database stores only their
//! SHA-256, so reading the sessions table does not yield usable cookies. A
//! session is valid while it has not expired and its user is still active and
//! allowed to log in.

use crate::server::{
    entities::{session, user},
    error::ServiceError,
    state::SessionSettings,
};
use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

/// The session cookie's name when it is `Secure` (the default): the
/// `__Host-` prefix makes browsers refuse it unless it is Secure, has
/// `Path=/` and no `Domain`, so another host of the same site (a
/// compromised `www.` or a plain-HTTP neighbour) can't plant a session
/// cookie on Gatehouse's host (session fixation).
pub const SECURE_COOKIE_NAME: &str = "__Host-gatehouse_session";
/// The session cookie's name when `Secure` is switched off (plain HTTP on a
/// host other than localhost), where a `__Host-` cookie would be refused.
pub const PLAIN_COOKIE_NAME: &str = "gatehouse_session";

/// The session cookie's name under `settings`. Only that name is read: a
/// cookie under the other name is ignored, or the prefix would protect
/// nothing.
pub fn cookie_name(settings: &SessionSettings) -> &'static str {
    if settings.cookie_secure {
        SECURE_COOKIE_NAME
    } else {
        PLAIN_COOKIE_NAME
    }
}

/// A fresh random session token, as it goes in the cookie.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The database id of the session a token names.
pub fn session_id(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// `Set-Cookie` value that stores `token` for the session's lifetime.
pub fn set_cookie(token: &str, settings: &SessionSettings) -> String {
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        cookie_name(settings),
        settings.lifetime.as_secs(),
        if settings.cookie_secure {
            "; Secure"
        } else {
            ""
        }
    )
}

/// `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(settings: &SessionSettings) -> String {
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        cookie_name(settings),
        if settings.cookie_secure {
            "; Secure"
        } else {
            ""
        }
    )
}

/// The session token in a request's `Cookie` headers, if any.
pub fn token_from_headers(
    headers: &axum::http::HeaderMap,
    settings: &SessionSettings,
) -> Option<String> {
    let name = cookie_name(settings);
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| token_from_cookie_header(h, name))
}

/// The session token in a `Cookie` header under the cookie `name`, if any.
/// Only a well-formed token (64 hex digits) is returned.
pub fn token_from_cookie_header(header: &str, name: &str) -> Option<String> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Creates a session for `user` and returns its token. Runs inside the
/// sign-in transaction.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    user: &user::Model,
    settings: &SessionSettings,
    now: DateTime<Utc>,
) -> Result<String, ServiceError> {
    let token = new_token();
    let lifetime = chrono::Duration::from_std(settings.lifetime)
        .map_err(|e| ServiceError::Internal(Box::new(e)))?;
    session::ActiveModel {
        id: Set(session_id(&token)),
        user_id: Set(user.id),
        organization_id: Set(user.organization_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + lifetime),
        emulated_user_id: Set(None),
        current_account_id: Set(None),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Replaces session `old` (of `user`) by a new one that emulates
/// `emulated_user_id` (or nothing), and returns its token: the start and end
/// of an emulation. The new session keeps the old one's creation time and
/// absolute expiry, so rotating can't stretch a session's life.
pub async fn rotate<C: ConnectionTrait>(
    db: &C,
    old: &session::Model,
    user: &user::Model,
    emulated_user_id: Option<i32>,
    now: DateTime<Utc>,
) -> Result<String, ServiceError> {
    let token = new_token();
    session::Entity::delete_by_id(old.id.clone())
        .exec(db)
        .await?;
    session::ActiveModel {
        id: Set(session_id(&token)),
        user_id: Set(user.id),
        organization_id: Set(user.organization_id),
        created_at: Set(old.created_at),
        last_seen_at: Set(now),
        expires_at: Set(old.expires_at),
        emulated_user_id: Set(emulated_user_id),
        current_account_id: Set(None),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Ends the session a token names (sign-out, or rotation at sign-in). Ending a
/// session that does not exist is not an error.
pub async fn end<C: ConnectionTrait>(db: &C, token: &str) -> Result<(), ServiceError> {
    session::Entity::delete_by_id(session_id(token))
        .exec(db)
        .await?;
    Ok(())
}

/// The live session a token names and its user, or `None` when the token is
/// unknown, past its absolute lifetime, idle for longer than the idle
/// timeout, or its user may no longer sign in.
pub async fn find_live<C: ConnectionTrait>(
    db: &C,
    token: &str,
    settings: &SessionSettings,
    now: DateTime<Utc>,
) -> Result<Option<(session::Model, user::Model)>, ServiceError> {
    let idle = chrono::Duration::from_std(settings.idle_timeout)
        .map_err(|e| ServiceError::Internal(Box::new(e)))?;
    // One query on every request: the session joined to its user, every
    // condition checked by the database.
    let found = session::Entity::find_by_id(session_id(token))
        .filter(session::Column::ExpiresAt.gt(now))
        .filter(session::Column::LastSeenAt.gt(now - idle))
        .find_also_related(user::Entity)
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::CanLogin.eq(true))
        .one(db)
        .await?;
    Ok(match found {
        Some((s, Some(u))) if u.organization_id == s.organization_id => Some((s, u)),
        _ => None,
    })
}

/// How stale `last_seen_at` may get before a request refreshes it: the idle
/// timeout is measured in minutes, so writing on every request would only
/// add load.
pub const TOUCH_AFTER: chrono::Duration = chrono::Duration::seconds(60);

/// Records that a session was used at `now`, when its last record is older
/// than [`TOUCH_AFTER`].
pub async fn touch<C: ConnectionTrait>(
    db: &C,
    s: &session::Model,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    if now - s.last_seen_at >= TOUCH_AFTER {
        session::Entity::update_many()
            .col_expr(
                session::Column::LastSeenAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(session::Column::Id.eq(s.id.clone()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Ends every session of a user (disabled, login removed, password reset).
/// Returns how many ended.
pub async fn end_all_for_user<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
) -> Result<u64, ServiceError> {
    let r = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(r.rows_affected)
}

/// Ends every session of a user except the one `keep_token` names (the
/// browser that just changed the password).
pub async fn end_others_for_user<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    keep_token: &str,
) -> Result<u64, ServiceError> {
    let r = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::Id.ne(session_id(keep_token)))
        .exec(db)
        .await?;
    Ok(r.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_an_id() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(session_id(&a), a);
        assert_eq!(session_id(&a), session_id(&a));
    }

    #[test]
    fn the_cookie_is_http_only_same_site_and_secure_with_the_host_prefix() {
        let c = set_cookie("abc", &SessionSettings::default());
        assert!(c.starts_with("__Host-gatehouse_session=abc;"), "{c}");
        for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(c.contains(flag), "{c}");
        }
        assert!(!c.contains("Domain"), "{c}");
        let plain = SessionSettings {
            cookie_secure: false,
            ..SessionSettings::default()
        };
        let c = set_cookie("abc", &plain);
        assert!(c.starts_with("gatehouse_session=abc;"), "{c}");
        assert!(!c.contains("Secure"), "{c}");
        assert!(clear_cookie(&plain).starts_with("gatehouse_session=;"));
        assert!(clear_cookie(&SessionSettings::default()).starts_with("__Host-gatehouse_session=;"));
    }

    #[test]
    fn only_a_well_formed_token_under_the_current_name_is_read() {
        let t = new_token();
        let n = SECURE_COOKIE_NAME;
        assert_eq!(
            token_from_cookie_header(&format!("a=b; {n}={t}; c=d"), n),
            Some(t.clone())
        );
        assert_eq!(token_from_cookie_header(&format!("{n}=../../etc"), n), None);
        assert_eq!(token_from_cookie_header("other=1", n), None);
        // An unprefixed cookie (which any host of the site could plant) is
        // not the Secure session cookie.
        assert_eq!(
            token_from_cookie_header(&format!("{PLAIN_COOKIE_NAME}={t}"), n),
            None
        );
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            format!("{PLAIN_COOKIE_NAME}={t}").parse().unwrap(),
        );
        assert_eq!(
            token_from_headers(&headers, &SessionSettings::default()),
            None
        );
    }
}
