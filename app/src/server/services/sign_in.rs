//! Signing in to the Admin Portal (organization + username + password) and to
//! a Client Portal (organization from the address + identifier + username +
//! password), and signing out.
//!
//! Every refusal - unknown organization, identifier or username, wrong
//! password, inactive user, login disabled, no password set - gives the same
//! error, and every path verifies one argon2 hash (a dummy when there is no
//! user), so neither the answer nor its timing tells which part was wrong.
//! The reason is kept for the log and the audit trail only.
//!
//! A successful sign-in whose stored hash was made with other argon2
//! parameters than today's re-hashes the password, in the sign-in's
//! transaction, so raising the costs upgrades every active login.

use crate::{
    domain::{ClientRole, Identifier, UserKind, Username},
    server::{
        auth::{
            password::{self, PasswordHasher},
            session,
        },
        db::begin_write,
        entities::{organization, session as session_entity, user},
        error::ServiceError,
        services::{accounts, audit, lockout, organizations, users},
        state::SessionSettings,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, Set,
};

/// Admin Portal credentials as typed.
#[derive(Debug, Clone)]
pub struct StaffCredentials {
    /// The organization's short name.
    pub organization: String,
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
}

/// Client Portal credentials as typed; the organization comes from the
/// portal's address.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    /// The organization's short name, from the URL.
    pub organization: String,
    /// The client account's identifier.
    pub identifier: String,
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
}

/// Why a sign-in was refused: for the log and the audit trail, never shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No organization with that short name.
    UnknownOrganization,
    /// No account with that identifier in the organization.
    UnknownIdentifier,
    /// No such user where it was looked for.
    UnknownUser,
    /// The password did not match.
    WrongPassword,
    /// The user is not active, cannot log in, or has no password yet.
    NotAllowed,
    /// Too many failures in a row: locked for a while.
    Locked,
}

/// How a sign-in can fail.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// A required field was left empty: said next to that field.
    #[error(transparent)]
    Missing(crate::domain::ParseError),
    /// Refused; the reason is never shown.
    #[error("sign-in refused: {0:?}")]
    Refused(Refusal),
    /// Something broke.
    #[error(transparent)]
    Internal(#[from] ServiceError),
}

impl From<SignInError> for crate::error::AppError {
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::Missing(p) => p.into(),
            SignInError::Refused(reason) => {
                tracing::info!(?reason, "sign-in refused");
                Self::sign_in_failed()
            }
            SignInError::Internal(s) => s.into(),
        }
    }
}

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The new session's token, for the cookie.
    pub token: String,
    /// The user who signed in.
    pub user_id: i32,
    /// Where the user lands: `/admin`, or `/portal/{slug}` for a client.
    pub landing: String,
}

/// What the credential lookups found, handed to [`conclude`].
struct Attempt {
    org: Option<organization::Model>,
    /// What failures are counted by (when the organization exists).
    key: Option<lockout::Key>,
    found: Option<user::Model>,
    refusal: Option<Refusal>,
    password: String,
}

fn required(field: &'static str, label: &str, value: &str) -> Result<(), SignInError> {
    if value.trim().is_empty() {
        Err(SignInError::Missing(crate::domain::ParseError {
            field,
            message: format!("Enter your {label}."),
        }))
    } else {
        Ok(())
    }
}

/// Signs a staff user in. `previous_token` is the browser's current session,
/// ended so the session id rotates at sign-in.
pub async fn staff(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    settings: &SessionSettings,
    input: StaffCredentials,
    previous_token: Option<&str>,
    now: DateTime<Utc>,
) -> Result<SignedIn, SignInError> {
    required("organization", "organization", &input.organization)?;
    required("username", "username", &input.username)?;
    required("password", "password", &input.password)?;

    let org = organizations::find_named(db, &input.organization).await?;
    let found = match (&org, Username::parse(&input.username)) {
        (Some(org), Ok(username)) => users::find_staff(db, org.id, &username).await?,
        _ => None,
    };
    let refusal = if org.is_none() {
        Some(Refusal::UnknownOrganization)
    } else if found.is_none() {
        Some(Refusal::UnknownUser)
    } else {
        None
    };
    let key = org
        .as_ref()
        .map(|o| lockout::Key::staff(o.id, &input.username));
    let attempt = Attempt {
        org,
        key,
        found,
        refusal,
        password: input.password,
    };
    conclude(db, hasher, settings, attempt, previous_token, now).await
}

/// Signs a client user in to the portal of `input.organization`.
pub async fn client(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    settings: &SessionSettings,
    input: ClientCredentials,
    previous_token: Option<&str>,
    now: DateTime<Utc>,
) -> Result<SignedIn, SignInError> {
    required("identifier", "identifier", &input.identifier)?;
    required("username", "username", &input.username)?;
    required("password", "password", &input.password)?;

    let org = organizations::find_named(db, &input.organization).await?;
    let account = match (&org, Identifier::parse(&input.identifier)) {
        (Some(org), Ok(identifier)) => {
            accounts::find_by_identifier(db, org.id, &identifier).await?
        }
        _ => None,
    };
    let found = match (&org, &account, Username::parse_sign_in(&input.username)) {
        (Some(org), Some(account), Ok(username)) => {
            users::find_client(db, org.id, account.id, &username).await?
        }
        _ => None,
    };
    let refusal = if org.is_none() {
        Some(Refusal::UnknownOrganization)
    } else if account.is_none() {
        Some(Refusal::UnknownIdentifier)
    } else if found.is_none() {
        Some(Refusal::UnknownUser)
    } else {
        None
    };
    let key = org
        .as_ref()
        .map(|o| lockout::Key::client(o.id, &input.identifier, &input.username));
    let attempt = Attempt {
        org,
        key,
        found,
        refusal,
        password: input.password,
    };
    conclude(db, hasher, settings, attempt, previous_token, now).await
}

/// The common end of both sign-ins: verify (always exactly one hash), then
/// either open a session or record the refusal.
async fn conclude(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    settings: &SessionSettings,
    attempt: Attempt,
    previous_token: Option<&str>,
    now: DateTime<Utc>,
) -> Result<SignedIn, SignInError> {
    let Attempt {
        org,
        key,
        found,
        mut refusal,
        password,
    } = attempt;
    let locked = match &key {
        Some(key) => lockout::is_locked(db, key, now).await?,
        None => false,
    };
    // A locked key still costs one hash, so its answer takes as long as any.
    let stored = if locked {
        None
    } else {
        found.as_ref().and_then(|u| u.password_hash.clone())
    };
    let old_hash = stored.clone().filter(|phc| password::needs_rehash(phc));
    let matches = hasher
        .verify(password.clone(), stored)
        .await
        .map_err(ServiceError::from)?;
    if locked {
        refusal = Some(Refusal::Locked);
    } else if refusal.is_none() {
        let u = found.as_ref().expect("no refusal means a user was found");
        if u.password_hash.is_none() || !u.active || !u.can_login {
            refusal = Some(Refusal::NotAllowed);
        } else if !matches {
            refusal = Some(Refusal::WrongPassword);
        }
    }

    // The right password for a hash made the old way: hash it the current
    // way now, while the password is at hand, before the transaction opens
    // (hashing takes a while and must not hold the write lock).
    // A failure here (the hashers busy under load) must not fail a sign-in
    // whose password was right: the upgrade waits for the next one.
    let new_hash = match old_hash {
        Some(old) if refusal.is_none() && matches => match hasher.hash(password).await {
            Ok(new) => Some((old, new)),
            Err(e) => {
                tracing::warn!(error = %e, "password re-hash skipped");
                None
            }
        },
        _ => None,
    };

    let txn = begin_write(db).await.map_err(ServiceError::from)?;
    // Check again inside the transaction, with the key's row locked: guesses
    // verified concurrently while the key was being locked must not win.
    let mut locked = locked;
    if refusal.is_none() {
        if let Some(key) = &key {
            if lockout::is_locked_in(&txn, key, now).await? {
                locked = true;
                refusal = Some(Refusal::Locked);
            }
        }
    }
    if let Some(reason) = refusal {
        if let Some(org) = &org {
            audit::record(
                &txn,
                audit::NewEvent {
                    organization_id: org.id,
                    actor_user_id: None,
                    on_behalf_of_user_id: None,
                    action: audit::action::SIGN_IN_FAILED,
                    target_user_id: found.as_ref().map(|u| u.id),
                    details: format!("sign-in refused: {reason:?}"),
                },
                now,
            )
            .await?;
        }
        if let (Some(key), false) = (&key, locked) {
            if let Some(until) = lockout::record_failure(&txn, key, now).await? {
                metrics::counter!("gatehouse_lockouts_total").increment(1);
                audit::record(
                    &txn,
                    audit::NewEvent {
                        organization_id: key.organization_id,
                        actor_user_id: None,
                        on_behalf_of_user_id: None,
                        action: audit::action::SIGN_IN_LOCKED,
                        target_user_id: found.as_ref().map(|u| u.id),
                        details: format!(
                            "{} failed sign-ins for \"{}\" ({}); locked until {}",
                            lockout::THRESHOLD,
                            key.username,
                            key.scope,
                            until.format("%Y-%m-%d %H:%M:%S UTC")
                        ),
                    },
                    now,
                )
                .await?;
            }
        }
        txn.commit().await.map_err(ServiceError::from)?;
        let outcome = if reason == Refusal::Locked {
            "locked"
        } else {
            "refused"
        };
        metrics::counter!("gatehouse_sign_ins_total", "outcome" => outcome).increment(1);
        return Err(SignInError::Refused(reason));
    }

    let u = found.expect("no refusal means a user was found");
    let org = org.expect("a user was found in an organization");
    let landing = landing_page(&u, &org);
    if let Some(previous) = previous_token {
        end_previous(&txn, previous, now).await?;
    }
    if let Some(key) = &key {
        lockout::clear(&txn, key).await?;
    }
    let token = session::create(&txn, &u, settings, now).await?;
    if let Some((old, new)) = new_hash {
        // Only over the hash that was verified: a password changed
        // meanwhile stays changed.
        let replaced = user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(new))
            .filter(user::Column::Id.eq(u.id))
            .filter(user::Column::PasswordHash.eq(old))
            .exec(&txn)
            .await
            .map_err(ServiceError::from)?;
        tracing::info!(
            user_id = u.id,
            replaced = replaced.rows_affected,
            "password re-hashed with the current parameters"
        );
    }
    let user_id = u.id;
    let organization_id = u.organization_id;
    let mut active = u.into_active_model();
    active.last_login_at = Set(Some(now));
    active.update(&txn).await.map_err(ServiceError::from)?;
    audit::record(
        &txn,
        audit::NewEvent {
            organization_id,
            actor_user_id: Some(user_id),
            on_behalf_of_user_id: None,
            action: audit::action::SIGN_IN,
            target_user_id: Some(user_id),
            details: "signed in".into(),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(ServiceError::from)?;
    metrics::counter!("gatehouse_sign_ins_total", "outcome" => "ok").increment(1);
    Ok(SignedIn {
        token,
        user_id,
        landing,
    })
}

/// Where a user lands after signing in: the password change while an initial
/// password must be replaced, else their portal's landing page.
fn landing_page(u: &user::Model, org: &organization::Model) -> String {
    if u.must_change_password {
        return CHANGE_PASSWORD_PAGE.into();
    }
    portal_home(u, org)
}

/// The page where a signed-in user changes their password.
pub const CHANGE_PASSWORD_PAGE: &str = "/account/password";

/// The landing page of a user's portal. An insured has a page of their own,
/// so that their phone downloads only what that page needs.
pub fn portal_home(u: &user::Model, org: &organization::Model) -> String {
    match UserKind::from_db(&u.kind) {
        Some(UserKind::Client) if ClientRole::from_db(&u.role) == Some(ClientRole::Insured) => {
            format!("/portal/{}/insured", org.slug)
        }
        Some(UserKind::Client) => format!("/portal/{}", org.slug),
        _ => "/admin".into(),
    }
}

/// The sign-in page of a user's portal.
pub fn sign_in_page(u: &user::Model, org: &organization::Model) -> String {
    match UserKind::from_db(&u.kind) {
        Some(UserKind::Client) => format!("/portal/{}/sign-in", org.slug),
        _ => format!("/admin/sign-in?org={}", org.slug),
    }
}

/// Signs out: ends the session the token names (audited when it was live)
/// and returns where the browser goes next: the sign-in page of the portal
/// the session belonged to, or `/` when there was no live session.
pub async fn sign_out(
    db: &DatabaseConnection,
    settings: &SessionSettings,
    token: &str,
    now: DateTime<Utc>,
) -> Result<String, ServiceError> {
    let txn = begin_write(db).await?;
    let mut next = "/".to_string();
    if let Some((s, u)) = session::find_live(&txn, token, settings, now).await? {
        if let Some(org) = organization::Entity::find_by_id(s.organization_id)
            .one(&txn)
            .await?
        {
            next = sign_in_page(&u, &org);
        }
        // Signing out in the middle of an emulation ends it too: say so.
        record_emulation_end(&txn, &s, &u, "signed out while emulating", now).await?;
        audit::record(
            &txn,
            audit::NewEvent {
                organization_id: s.organization_id,
                actor_user_id: Some(s.user_id),
                on_behalf_of_user_id: None,
                action: audit::action::SIGN_OUT,
                target_user_id: Some(s.user_id),
                details: "signed out".into(),
            },
            now,
        )
        .await?;
    }
    session::end(&txn, token).await?;
    txn.commit().await?;
    Ok(next)
}

/// Ends the browser's previous session at sign-in (the id rotates). Signing
/// in over a session that was emulating ends that emulation, so it gets its
/// "emulation stopped" audit row like any other end of an emulation.
async fn end_previous<C: sea_orm::ConnectionTrait>(
    txn: &C,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let previous = session_entity::Entity::find_by_id(session::session_id(token))
        .find_also_related(user::Entity)
        .one(txn)
        .await?;
    if let Some((s, Some(staff))) = previous {
        record_emulation_end(txn, &s, &staff, "signed in again while emulating", now).await?;
    }
    session::end(txn, token).await
}

/// Records that the emulation of session `s` (of `staff`) ended because
/// `staff` `how` (e.g. "signed out while emulating"); nothing when the
/// session was not emulating.
pub(crate) async fn record_emulation_end<C: sea_orm::ConnectionTrait>(
    txn: &C,
    s: &session_entity::Model,
    staff: &user::Model,
    how: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let Some(emulated) = s.emulated_user_id else {
        return Ok(());
    };
    audit::record(
        txn,
        audit::NewEvent {
            organization_id: s.organization_id,
            actor_user_id: Some(s.user_id),
            on_behalf_of_user_id: Some(emulated),
            action: audit::action::EMULATION_STOPPED,
            target_user_id: Some(emulated),
            details: format!("{} {how}", staff.display_name()),
        },
        now,
    )
    .await
}
