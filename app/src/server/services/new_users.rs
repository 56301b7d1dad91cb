//! Create Users: a User Administrator onboards a batch of staff from one
//! grid. [`check`] gives every row its verdict as the administrator types
//! (one indexed query, however many rows); [`create`] creates the whole
//! batch or nothing.
//!
//! Creating hashes every initial password first, on the hashing pool, with
//! at most as many hashes in flight as the pool has threads: a sign-in that
//! arrives meanwhile waits behind at most one round of them, never behind
//! the whole batch. Then one write transaction, holding the organization's
//! lock (see `administrators`), checks every row again, inserts each login,
//! its audit row and any welcome email's outbox row, and commits. Anything
//! that fails on the way (a username taken meanwhile, the administrator
//! going away, a crash) leaves none of them.

use crate::{
    domain::{
        new_users::{self, BatchRow, RowCheck},
        ParseError, PersonName, StaffRole, UserKind, Username,
    },
    server::{
        auth::{password::PasswordHasher, Actor},
        db::begin_write,
        entities::{organization, user},
        error::ServiceError,
        mail::MailSettings,
        services::{
            administrators::{self, lock_organization},
            email_tokens, home, recovery, users,
        },
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use std::collections::HashSet;

/// How many suggestions of each clashing row are looked up, round after
/// round, until each has a free one: a few first (most names clash with one
/// or two logins), more only for the rows that need them.
const SUGGESTION_ROUNDS: [usize; 3] = [8, 32, new_users::MAX_SUGGESTIONS];

/// Usernames looked up per query (well under both engines' limits on
/// bound parameters: 32,766 on SQLite, 65,535 on PostgreSQL).
const LOOKUP_CHUNK: usize = 2_000;

/// What the Create Users page needs before anything is typed.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The page frame (organization, signed-in user, emulation banner).
    pub frame: crate::api::dto::FrameView,
    /// The organization's row (agency prefix, password policy, limits).
    pub organization: organization::Model,
    /// User Administrators the organization may still add.
    pub administrator_places: u64,
}

/// The batch as the administrator submits it.
#[derive(Debug, Clone)]
pub struct Batch {
    /// The role every new login gets.
    pub role: StaffRole,
    /// The initial password (meets the organization's policy; changed at
    /// first sign-in).
    pub password: String,
    /// Rows with an email get a welcome link to choose their own password
    /// instead of the initial one.
    pub welcome_links: bool,
    /// The grid's rows (blank ones are left out).
    pub rows: Vec<BatchRow>,
}

/// How far [`create`] has got, for the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Initial passwords hashed so far.
    Hashing {
        /// Done.
        done: usize,
        /// Of.
        total: usize,
    },
    /// Logins inserted so far (not yet committed).
    Creating {
        /// Done.
        done: usize,
        /// Of.
        total: usize,
    },
}

/// One login [`create`] made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedLogin {
    /// The grid row's key.
    pub key: u32,
    /// The new login's id.
    pub user_id: i32,
    /// Its username.
    pub username: String,
    /// Whether a welcome link was emailed (otherwise: the initial password).
    pub welcome_link: bool,
}

/// What [`create`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every row was created.
    Created(Vec<CreatedLogin>),
    /// Nothing was created: these are the rows' verdicts now (at least one
    /// fails, e.g. its username was taken meanwhile).
    Refused(Vec<RowCheck>),
}

fn invalid(field: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(ParseError {
        field,
        message: message.into(),
    })
}

async fn organization_of<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
) -> Result<organization::Model, ServiceError> {
    organization::Entity::find_by_id(actor.organization_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

fn places(org: &organization::Model, current: u64) -> u64 {
    (org.max_user_administrators.max(0) as u64).saturating_sub(current)
}

/// The page's facts: agency prefix, password policy, places left for User
/// Administrators.
pub async fn setup(db: &DatabaseConnection, actor: &Actor) -> Result<Setup, ServiceError> {
    actor.require_user_administrator()?;
    let (frame, organization) = home::frame_and_org(db, actor).await?;
    let current = administrators::count(db, organization.id).await?;
    Ok(Setup {
        frame,
        administrator_places: places(&organization, current),
        organization,
    })
}

/// Which of `usernames` the organization's staff logins (active or not)
/// already use.
async fn taken_among<C: ConnectionTrait>(
    db: &C,
    org: i32,
    usernames: &[String],
) -> Result<HashSet<String>, ServiceError> {
    let mut taken = HashSet::new();
    for chunk in usernames.chunks(LOOKUP_CHUNK) {
        let found: Vec<String> = user::Entity::find()
            .select_only()
            .column(user::Column::Username)
            .filter(user::Column::OrganizationId.eq(org))
            .filter(user::Column::Kind.eq(UserKind::Staff.as_str()))
            .filter(user::Column::Username.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        taken.extend(found);
    }
    Ok(taken)
}

fn entered(rows: Vec<BatchRow>) -> Result<Vec<BatchRow>, ServiceError> {
    let rows: Vec<BatchRow> = rows.into_iter().filter(|r| !r.is_blank()).collect();
    if rows.len() > new_users::MAX_ROWS {
        return Err(invalid(
            "rows",
            format!(
                "A batch has at most {} people; this one has {}. Split it in two.",
                new_users::MAX_ROWS,
                rows.len()
            ),
        ));
    }
    Ok(rows)
}

/// The rows' verdicts. The usernames the rows want are looked up in one go;
/// then the first few suggestions of the rows that clash, and more (see
/// [`SUGGESTION_ROUNDS`]) only for rows whose first few are all taken. A
/// suggestion is offered only once it has been looked up.
async fn verdicts<C: ConnectionTrait>(
    db: &C,
    org: &organization::Model,
    rows: &[BatchRow],
) -> Result<Vec<RowCheck>, ServiceError> {
    let prefix = &org.agency_prefix;
    let mut wanted: Vec<String> = rows
        .iter()
        .filter_map(|r| new_users::wanted_username(prefix, r).ok())
        .map(|u| u.as_str().to_string())
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut taken = taken_among(db, org.id, &wanted).await?;
    let mut known: HashSet<String> = wanted.into_iter().collect();
    let mut rounds = SUGGESTION_ROUNDS.iter();
    loop {
        let depth = rounds.next().copied().unwrap_or(new_users::MAX_SUGGESTIONS);
        let checks =
            new_users::check_rows(prefix, rows, |u| taken.contains(u) || !known.contains(u));
        let mut more: Vec<String> = rows
            .iter()
            .zip(&checks)
            .filter(|(_, c)| !c.username.is_empty() && c.reason.is_some() && c.suggestion.is_none())
            .flat_map(|(r, _)| {
                new_users::suggestions(prefix, &r.first_name, &r.last_name)
                    .into_iter()
                    .take(depth)
            })
            .filter(|s| !known.contains(s))
            .collect();
        if more.is_empty() {
            return Ok(checks);
        }
        more.sort();
        more.dedup();
        taken.extend(taken_among(db, org.id, &more).await?);
        known.extend(more);
    }
}

/// Every non-blank row's verdict: Pass, or Fail with the reason and, for a
/// taken username, a free suggestion.
pub async fn check(
    db: &DatabaseConnection,
    actor: &Actor,
    rows: Vec<BatchRow>,
) -> Result<Vec<RowCheck>, ServiceError> {
    actor.require_user_administrator()?;
    let rows = entered(rows)?;
    let org = organization_of(db, actor).await?;
    verdicts(db, &org, &rows).await
}

/// The initial password's problems, for the whole batch: the policy, and no
/// row's username inside it.
fn check_password(
    org: &organization::Model,
    password: &str,
    checks: &[RowCheck],
) -> Result<(), ServiceError> {
    if password.is_empty() {
        return Err(invalid("password", "Enter the initial password."));
    }
    if let Some(problem) = org.password_policy().problems(password, "").first() {
        return Err(invalid("password", problem.clone()));
    }
    let lower = password.to_lowercase();
    if let Some(c) = checks
        .iter()
        .find(|c| !c.username.is_empty() && lower.contains(&c.username))
    {
        return Err(invalid(
            "password",
            format!(
                "The initial password contains the username {}; choose another.",
                c.username
            ),
        ));
    }
    Ok(())
}

fn check_role(
    org: &organization::Model,
    role: StaffRole,
    current: u64,
    rows: usize,
) -> Result<(), ServiceError> {
    if role != StaffRole::UserAdministrator {
        return Ok(());
    }
    let left = places(org, current);
    if rows as u64 > left {
        return Err(invalid(
            "role",
            format!(
                "{} may have {} User Administrators and has {current}: this batch of {rows} \
                 would be too many. Choose another role, or create fewer.",
                org.name, org.max_user_administrators
            ),
        ));
    }
    Ok(())
}

/// Hashes `password` once per login that signs in with it, at most
/// `hasher.threads()` at a time, reporting each one done.
async fn hash_all(
    hasher: &PasswordHasher,
    password: &str,
    count: usize,
    progress: &mut impl FnMut(Progress) -> Result<(), ServiceError>,
) -> Result<Vec<String>, ServiceError> {
    // One batch hashes at a time in this process: several at once would
    // queue that many more hashes in front of every sign-in.
    static ONE_BATCH: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
    let _turn = ONE_BATCH
        .acquire()
        .await
        .map_err(|e| ServiceError::Internal(Box::new(e)))?;
    let mut hashes = Vec::with_capacity(count);
    let mut running = tokio::task::JoinSet::new();
    let mut next = 0;
    progress(Progress::Hashing {
        done: 0,
        total: count,
    })?;
    while hashes.len() < count {
        while next < count && running.len() < hasher.threads() {
            let (hasher, password) = (hasher.clone(), password.to_string());
            running.spawn(async move { hasher.hash(password).await });
            next += 1;
        }
        let Some(done) = running.join_next().await else {
            break;
        };
        let hash = done
            .map_err(|e| ServiceError::Internal(Box::new(e)))?
            .map_err(|e| ServiceError::Internal(Box::new(e)))?;
        hashes.push(hash);
        progress(Progress::Hashing {
            done: hashes.len(),
            total: count,
        })?;
    }
    Ok(hashes)
}

/// What [`create`] checks before hashing anything: the actor, the rows'
/// count, the password and the role. Returns the organization, the entered
/// rows and their verdicts.
async fn preflight(
    db: &DatabaseConnection,
    actor: &Actor,
    batch: &Batch,
) -> Result<(organization::Model, Vec<BatchRow>, Vec<RowCheck>), ServiceError> {
    actor.require_user_administrator()?;
    let rows = entered(batch.rows.clone())?;
    if rows.is_empty() {
        return Err(invalid("rows", "Type the names of the people to create."));
    }
    let org = organization_of(db, actor).await?;
    let checks = verdicts(db, &org, &rows).await?;
    check_password(&org, &batch.password, &checks)?;
    check_role(
        &org,
        batch.role,
        administrators::count(db, org.id).await?,
        rows.len(),
    )?;
    Ok((org, rows, checks))
}

/// Refuses a batch [`create`] would refuse before starting (who asks, the
/// rows' count, the password, the role), so that the server function can
/// answer with the error's status instead of a stream.
pub async fn refuse_early(
    db: &DatabaseConnection,
    actor: &Actor,
    batch: &Batch,
) -> Result<(), ServiceError> {
    preflight(db, actor, batch).await.map(|_| ())
}

/// Creates every row of the batch as a staff login, or none. `progress`
/// hears how far it got; an error from it stops the batch and creates
/// nothing (the administrator went away). Bad input is refused before
/// anything is hashed; rows that fail (checked again inside the
/// transaction) come back as [`Outcome::Refused`].
pub async fn create(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    mail: &MailSettings,
    actor: &Actor,
    batch: Batch,
    now: DateTime<Utc>,
    mut progress: impl FnMut(Progress) -> Result<(), ServiceError>,
) -> Result<Outcome, ServiceError> {
    let (_, rows, checks) = preflight(db, actor, &batch).await?;
    if checks.iter().any(|c| !c.pass) {
        return Ok(Outcome::Refused(checks));
    }
    let welcome = |row: &BatchRow| batch.welcome_links && !row.email.trim().is_empty();
    let with_password = rows.iter().filter(|r| !welcome(r)).count();
    let mut hashes = hash_all(hasher, &batch.password, with_password, &mut progress)
        .await?
        .into_iter();

    let txn = begin_write(db).await?;
    let org = lock_organization(&txn, actor).await?;
    check_role(
        &org,
        batch.role,
        administrators::count(&txn, org.id).await?,
        rows.len(),
    )?;
    let checks = verdicts(&txn, &org, &rows).await?;
    if checks.iter().any(|c| !c.pass) {
        return Ok(Outcome::Refused(checks));
    }
    // The policy may have changed while the passwords were hashed.
    check_password(&org, &batch.password, &checks)?;
    let by = home::frame_and_org(&txn, actor).await?.0.display_name;
    let total = rows.len();
    let mut created = Vec::with_capacity(total);
    for (row, check) in rows.iter().zip(&checks) {
        let username = Username::parse(&check.username)?;
        let name = PersonName::parse(&row.first_name, "", &row.last_name)?;
        let email = match row.email.trim() {
            "" => None,
            typed => Some(crate::domain::Email::parse(typed)?),
        };
        let welcome_link = welcome(row);
        let hash = if welcome_link {
            None
        } else {
            Some(hashes.next().ok_or_else(|| {
                ServiceError::Internal("fewer password hashes than logins".into())
            })?)
        };
        let inserted = users::insert_staff_login(
            &txn,
            users::StaffLogin {
                organization_id: org.id,
                username: &username,
                name: &name,
                role: batch.role,
                email: email.as_ref(),
                password_hash: hash,
                must_change_password: !welcome_link,
            },
            actor.audit_ids(),
            format!(
                "staff login {username} ({}) created in a batch of {total} by {by}",
                batch.role.label()
            ),
            now,
        )
        .await;
        let login = match inserted {
            Ok(login) => login,
            // Taken by a login created some other way meanwhile: the
            // transaction is spoilt (PostgreSQL); look again outside it.
            Err(ServiceError::Conflict(_)) => {
                txn.rollback().await?;
                return Ok(Outcome::Refused(verdicts(db, &org, &rows).await?));
            }
            Err(e) => return Err(e),
        };
        if welcome_link {
            recovery::queue_link(
                &txn,
                mail,
                &org,
                &login,
                email_tokens::Purpose::Welcome,
                Some(actor.user_id),
                now,
            )
            .await?;
        }
        created.push(CreatedLogin {
            key: row.key,
            user_id: login.id,
            username: login.username,
            welcome_link,
        });
        progress(Progress::Creating {
            done: created.len(),
            total,
        })?;
    }
    txn.commit().await?;
    if created.iter().any(|c| c.welcome_link) {
        mail.wake.notify_one();
    }
    Ok(Outcome::Created(created))
}
