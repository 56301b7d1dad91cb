//! The rules about User Administrators: at most the organization's limit
//! of them (3 unless the platform operator changed it), never none that can
//! sign in, and nobody demoting or switching off themselves. Changing a
//! staff login's role lives here too, since promotion is where the limit
//! bites.
//!
//! Both checks count rows and then write, so two concurrent requests could
//! each count before the other writes. They are serialised on the
//! organization: SQLite write transactions are `IMMEDIATE` (one writer at a
//! time), and on PostgreSQL the organization's row is locked `FOR NO KEY
//! UPDATE` before counting (that lock does not conflict with the key-share
//! locks that inserting sessions or audit rows takes, so sign-ins never wait
//! for it and cannot deadlock with it).

use crate::{
    domain::{StaffRole, UserKind},
    server::{
        auth::Actor,
        db::begin_write,
        entities::{organization, user},
        error::ServiceError,
        services::audit,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QuerySelect, Set,
};

/// Locks the organization's row for the rest of the transaction (a no-op
/// on SQLite, whose write transactions already exclude each other) and
/// returns it; then checks that `actor` is still a User Administrator who
/// can sign in (they may have been demoted or disabled while their request
/// was on its way).
pub async fn lock_organization<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
) -> Result<organization::Model, ServiceError> {
    let org = organization::Entity::find_by_id(actor.organization_id)
        .lock(LockType::NoKeyUpdate)
        .one(txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let me = user::Entity::find_by_id(actor.audit_ids().0.unwrap_or(actor.user_id))
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .one(txn)
        .await?;
    if !me.is_some_and(|me| is_administrator(&me) && me.active && me.can_login) {
        return Err(ServiceError::Forbidden);
    }
    Ok(org)
}

fn is_administrator(u: &user::Model) -> bool {
    u.kind == UserKind::Staff.as_str() && u.role == StaffRole::UserAdministrator.as_str()
}

/// Refuses to leave the organization without a User Administrator who can
/// sign in, when `target` would stop being one (demoted, disabled or denied
/// Can Login). Call after [`lock_organization`].
pub async fn keep_one_administrator<C: ConnectionTrait>(
    txn: &C,
    target: &user::Model,
) -> Result<(), ServiceError> {
    if !(is_administrator(target) && target.active && target.can_login) {
        return Ok(());
    }
    let others = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(target.organization_id))
        .filter(user::Column::Kind.eq(UserKind::Staff.as_str()))
        .filter(user::Column::Role.eq(StaffRole::UserAdministrator.as_str()))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::CanLogin.eq(true))
        .filter(user::Column::Id.ne(target.id))
        .count(txn)
        .await?;
    if others == 0 {
        return Err(ServiceError::Conflict(format!(
            "{} is the organization's last User Administrator who can sign in. \
             Make someone else a User Administrator first.",
            target.display_name()
        )));
    }
    Ok(())
}

/// How many User Administrators the organization has, disabled ones too
/// (what its limit counts).
pub async fn count<C: ConnectionTrait>(db: &C, organization_id: i32) -> Result<u64, ServiceError> {
    Ok(user::Entity::find()
        .filter(user::Column::OrganizationId.eq(organization_id))
        .filter(user::Column::Kind.eq(UserKind::Staff.as_str()))
        .filter(user::Column::Role.eq(StaffRole::UserAdministrator.as_str()))
        .count(db)
        .await?)
}

/// Refuses a new User Administrator when the organization already has its
/// limit of them (every login with the role counts, disabled ones too: a
/// disabled one can be enabled again). Call after [`lock_organization`].
async fn within_limit<C: ConnectionTrait>(
    txn: &C,
    org: &organization::Model,
) -> Result<(), ServiceError> {
    let current = count(txn, org.id).await?;
    if current >= org.max_user_administrators.max(0) as u64 {
        return Err(ServiceError::Invalid(crate::domain::ParseError {
            field: "role",
            message: format!(
                "{} already has {current} User Administrators, the most it may have. \
                 Give one of them another role first.",
                org.name
            ),
        }));
    }
    Ok(())
}

/// Gives a staff login of the actor's organization another role (User
/// Administrators only; not their own). Promotion respects the limit,
/// demotion keeps one User Administrator; audited in the same transaction.
pub async fn set_role(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: i32,
    role: StaffRole,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    if actor.require_staff()? != StaffRole::UserAdministrator {
        return Err(ServiceError::Forbidden);
    }
    if user_id == actor.user_id {
        return Err(ServiceError::Conflict(
            "You can't change your own role; ask another User Administrator.".into(),
        ));
    }
    let txn = begin_write(db).await?;
    let org = lock_organization(&txn, actor).await?;
    let target = user::Entity::find_by_id(user_id)
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .filter(user::Column::Kind.eq(UserKind::Staff.as_str()))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let before = StaffRole::from_db(&target.role).ok_or_else(|| {
        ServiceError::Internal(format!("user {user_id} has an unknown role").into())
    })?;
    if before == role {
        return Ok(());
    }
    if role == StaffRole::UserAdministrator {
        within_limit(&txn, &org).await?;
    } else {
        keep_one_administrator(&txn, &target).await?;
    }
    let username = target.username.clone();
    let mut row = target.into_active_model();
    row.role = Set(role.as_str().into());
    row.update(&txn).await?;
    audit::record_by(
        &txn,
        actor,
        audit::action::ROLE_CHANGED,
        Some(user_id),
        format!(
            "role of \"{username}\" changed from {} to {}",
            before.label(),
            role.label()
        ),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The platform operator sets how many User Administrators an organization
/// may have (`server org set-admin-limit`). Existing ones stay; the limit
/// applies to the next promotion. Audited, as by the platform operator.
pub async fn set_limit(
    db: &DatabaseConnection,
    slug: &str,
    limit: i32,
    now: DateTime<Utc>,
) -> Result<organization::Model, ServiceError> {
    if !(1..=100).contains(&limit) {
        return Err(ServiceError::Invalid(crate::domain::ParseError {
            field: "limit",
            message: "The limit is a number from 1 to 100.".into(),
        }));
    }
    let txn = begin_write(db).await?;
    let org = organization::Entity::find()
        .filter(organization::Column::Slug.eq(slug))
        .lock(LockType::NoKeyUpdate)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let before = org.max_user_administrators;
    let mut row = org.into_active_model();
    row.max_user_administrators = Set(limit);
    let org = row.update(&txn).await?;
    audit::record(
        &txn,
        audit::NewEvent {
            organization_id: org.id,
            actor_user_id: None,
            on_behalf_of_user_id: None,
            action: audit::action::ADMIN_LIMIT_CHANGED,
            target_user_id: None,
            details: format!(
                "most User Administrators changed from {before} to {limit} by the platform operator"
            ),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(org)
}
