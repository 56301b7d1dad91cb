//! Organizations (tenants): created by the platform operator from the command
//! line, with their first User Administrator.

use crate::{
    domain::{AgencyPrefix, OrgSlug, PersonName, StaffRole, Username},
    server::{
        auth::password::PasswordHasher,
        db::begin_write,
        entities::organization,
        error::ServiceError,
        services::{audit, is_unique_violation, users},
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

/// What the operator gives to create an organization.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    /// Display name, e.g. "Northwind Security".
    pub name: String,
    /// URL short name.
    pub slug: String,
    /// Agency prefix assigned by the operator.
    pub agency_prefix: String,
    /// The first User Administrator.
    pub admin: users::NewStaffUser,
}

/// The organization and its first administrator as created.
#[derive(Debug, Clone)]
pub struct CreatedOrganization {
    /// The organization row.
    pub organization: organization::Model,
    /// The administrator's username (generated).
    pub admin_username: Username,
}

/// Creates an organization and its first User Administrator in one
/// transaction, audited.
pub async fn create(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    input: NewOrganization,
    now: DateTime<Utc>,
) -> Result<CreatedOrganization, ServiceError> {
    let name = input.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(crate::domain::ParseError {
            field: "name",
            message: "An organization's name is 1 to 200 characters.".into(),
        }
        .into());
    }
    let slug = OrgSlug::parse(&input.slug)?;
    let prefix = AgencyPrefix::parse(&input.agency_prefix)?;
    let admin_name = PersonName::parse(
        &input.admin.first_name,
        &input.admin.middle_name,
        &input.admin.last_name,
    )?;
    let password_hash = hasher.hash(input.admin.password.clone()).await?;

    let policy = crate::domain::PasswordPolicy::default();
    let txn = begin_write(db).await?;
    let org = organization::ActiveModel {
        name: Set(name),
        slug: Set(slug.as_str().to_string()),
        agency_prefix: Set(prefix.as_str().to_string()),
        max_user_administrators: Set(3),
        created_at: Set(now),
        // Written out rather than left to the column defaults: the row read
        // back from the insert must never depend on how a connection sees
        // columns a later migration added.
        password_min_length: Set(policy.min_length as i32),
        password_require_digit: Set(policy.require_digit),
        password_require_upper: Set(policy.require_upper),
        password_require_special: Set(policy.require_special),
        hire_date_days_ahead: Set(crate::domain::staff_master::DEFAULT_DAYS_AHEAD),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            ServiceError::Conflict(
                "An organization with that short name or agency prefix already exists.".into(),
            )
        } else {
            e.into()
        }
    })?;
    audit::record(
        &txn,
        audit::NewEvent {
            organization_id: org.id,
            actor_user_id: None,
            on_behalf_of_user_id: None,
            action: audit::action::ORGANIZATION_CREATED,
            target_user_id: None,
            details: format!(
                "organization {} ({}) created by the platform operator",
                org.name, org.slug
            ),
        },
        now,
    )
    .await?;
    let admin = users::insert_staff(
        &txn,
        &org,
        &admin_name,
        StaffRole::UserAdministrator,
        input.admin.email.as_deref(),
        password_hash,
        input.admin.must_change_password,
        None,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(CreatedOrganization {
        organization: org,
        admin_username: Username::parse(&admin.username)?,
    })
}

/// The organization with this slug, if any.
pub async fn find_by_slug<C: sea_orm::ConnectionTrait>(
    db: &C,
    slug: &OrgSlug,
) -> Result<Option<organization::Model>, ServiceError> {
    Ok(organization::Entity::find()
        .filter(organization::Column::Slug.eq(slug.as_str()))
        .one(db)
        .await?)
}

/// The organization a short name *as typed* names; a malformed name names
/// none (sign-in and recovery forms answer the same either way).
pub async fn find_named<C: sea_orm::ConnectionTrait>(
    db: &C,
    typed: &str,
) -> Result<Option<organization::Model>, ServiceError> {
    match OrgSlug::parse(typed) {
        Ok(slug) => find_by_slug(db, &slug).await,
        Err(_) => Ok(None),
    }
}

/// The actor's own organization (`SignInRequired` if it is gone).
pub async fn of_actor<C: sea_orm::ConnectionTrait>(
    db: &C,
    actor: &crate::server::auth::Actor,
) -> Result<organization::Model, ServiceError> {
    organization::Entity::find_by_id(actor.organization_id)
        .one(db)
        .await?
        .ok_or(ServiceError::SignInRequired)
}
