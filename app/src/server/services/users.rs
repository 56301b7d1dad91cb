//! Creating logins for staff and client users. Usernames are stored
//! normalised (see `Username`); password hashes never leave this side.

use crate::{
    domain::{ClientRole, PersonName, StaffRole, UserKind, Username},
    server::{
        entities::{client_account, organization, user},
        error::ServiceError,
        services::{audit, is_unique_violation},
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// A staff login to create; the username is generated from the agency prefix
/// and the name.
#[derive(Debug, Clone)]
pub struct NewStaffUser {
    /// First name.
    pub first_name: String,
    /// Middle name or initial ("" for none).
    pub middle_name: String,
    /// Last name.
    pub last_name: String,
    /// Email, if known.
    pub email: Option<String>,
    /// Initial password.
    pub password: String,
    /// Must choose a new password at first sign-in.
    pub must_change_password: bool,
}

/// Inserts a staff user with a generated username (a number is appended when
/// the plain one is taken). Audited as created by `created_by` (or by the
/// platform operator).
#[allow(clippy::too_many_arguments)]
pub async fn insert_staff<C: ConnectionTrait>(
    db: &C,
    org: &organization::Model,
    name: &PersonName,
    role: StaffRole,
    email: Option<&str>,
    password_hash: String,
    must_change_password: bool,
    created_by: Option<i32>,
    now: DateTime<Utc>,
) -> Result<user::Model, ServiceError> {
    let base =
        crate::domain::new_users::generated_username(&org.agency_prefix, name.first(), name.last())
            .map_err(|message| {
                ServiceError::Invalid(crate::domain::ParseError {
                    field: "last_name",
                    message,
                })
            })?;
    let mut candidate = base.clone();
    let mut n = 2;
    while find_staff(db, org.id, &candidate).await?.is_some() {
        candidate = Username::parse(&format!("{base}{n}"))?;
        n += 1;
    }
    let email = email.map(crate::domain::Email::parse).transpose()?;
    let details = format!("staff login {candidate} ({}) created", role.label());
    insert_login(
        db,
        Login {
            organization_id: org.id,
            kind: UserKind::Staff,
            role: role.as_str(),
            client_account_id: None,
            username: &candidate,
            name,
            email: email.as_ref(),
            password_hash: Some(password_hash),
            must_change_password,
        },
        (created_by, None),
        details,
        now,
    )
    .await
}

/// A staff login with its username already chosen (Create Users).
#[derive(Debug)]
pub struct StaffLogin<'a> {
    /// The organization.
    pub organization_id: i32,
    /// The username, checked free by the caller.
    pub username: &'a Username,
    /// The name.
    pub name: &'a PersonName,
    /// The role.
    pub role: StaffRole,
    /// Email, if known.
    pub email: Option<&'a crate::domain::Email>,
    /// `None`: no password until the person sets one from a welcome link.
    pub password_hash: Option<String>,
    /// Must choose a new password at first sign-in.
    pub must_change_password: bool,
}

/// Inserts a staff login and its audit row (`details`), audited as by the
/// first of `(by, for_user)`. A username taken meanwhile is a `Conflict`.
pub async fn insert_staff_login<C: ConnectionTrait>(
    db: &C,
    login: StaffLogin<'_>,
    by: (Option<i32>, Option<i32>),
    details: String,
    now: DateTime<Utc>,
) -> Result<user::Model, ServiceError> {
    insert_login(
        db,
        Login {
            organization_id: login.organization_id,
            kind: UserKind::Staff,
            role: login.role.as_str(),
            client_account_id: None,
            username: login.username,
            name: login.name,
            email: login.email,
            password_hash: login.password_hash,
            must_change_password: login.must_change_password,
        },
        by,
        details,
        now,
    )
    .await
}

/// A client login to create in one account.
#[derive(Debug, Clone)]
pub struct NewClientUser {
    /// Username, unique inside the account.
    pub username: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Email, if known.
    pub email: Option<String>,
    /// Role in the account.
    pub role: ClientRole,
    /// Must choose a new password at first sign-in.
    pub must_change_password: bool,
}

/// Inserts a client user into `account`, audited as created by
/// `created_by` (or by the platform operator).
pub async fn insert_client<C: ConnectionTrait>(
    db: &C,
    account: &client_account::Model,
    input: &NewClientUser,
    password_hash: String,
    created_by: Option<i32>,
    now: DateTime<Utc>,
) -> Result<user::Model, ServiceError> {
    insert_client_by(db, account, input, password_hash, (created_by, None), now).await
}

/// Inserts a client user into `account`, audited as created by the first of
/// `(by, for_user)` acting for the second (see `Actor::audit_ids`).
pub async fn insert_client_by<C: ConnectionTrait>(
    db: &C,
    account: &client_account::Model,
    input: &NewClientUser,
    password_hash: String,
    (created_by, on_behalf_of): (Option<i32>, Option<i32>),
    now: DateTime<Utc>,
) -> Result<user::Model, ServiceError> {
    let username = Username::parse(&input.username)?;
    let name = PersonName::parse(&input.first_name, "", &input.last_name)?;
    let email = input
        .email
        .as_deref()
        .map(crate::domain::Email::parse)
        .transpose()?;
    let details = format!(
        "client login {username} ({}) created in account {}",
        input.role.label(),
        account.identifier
    );
    insert_login(
        db,
        Login {
            organization_id: account.organization_id,
            kind: UserKind::Client,
            role: input.role.as_str(),
            client_account_id: Some(account.id),
            username: &username,
            name: &name,
            email: email.as_ref(),
            password_hash: Some(password_hash),
            must_change_password: input.must_change_password,
        },
        (created_by, on_behalf_of),
        details,
        now,
    )
    .await
}

/// Inserts an insured's login into `account`: role Insured, the email as
/// its username, no password until the insured sets one from the welcome
/// link. Audited as created by the first of `(by, for_user)`.
pub async fn insert_insured<C: ConnectionTrait>(
    db: &C,
    account: &client_account::Model,
    name: &PersonName,
    email: &crate::domain::Email,
    by: (Option<i32>, Option<i32>),
    now: DateTime<Utc>,
) -> Result<user::Model, ServiceError> {
    let username = Username::of_email(email);
    let details = format!(
        "insured login {username} created in account {}",
        account.identifier
    );
    insert_login(
        db,
        Login {
            organization_id: account.organization_id,
            kind: UserKind::Client,
            role: ClientRole::Insured.as_str(),
            client_account_id: Some(account.id),
            username: &username,
            name,
            email: Some(email),
            password_hash: None,
            must_change_password: false,
        },
        by,
        details,
        now,
    )
    .await
}

/// A login row to insert, with its values already parsed.
struct Login<'a> {
    organization_id: i32,
    kind: UserKind,
    role: &'static str,
    client_account_id: Option<i32>,
    username: &'a Username,
    name: &'a PersonName,
    email: Option<&'a crate::domain::Email>,
    /// `None`: no password until the person sets one from a welcome link.
    password_hash: Option<String>,
    must_change_password: bool,
}

/// Inserts an active login and its `user_created` audit event.
async fn insert_login<C: ConnectionTrait>(
    db: &C,
    login: Login<'_>,
    (created_by, on_behalf_of): (Option<i32>, Option<i32>),
    details: String,
    now: DateTime<Utc>,
) -> Result<user::Model, ServiceError> {
    let row = user::ActiveModel {
        organization_id: Set(login.organization_id),
        kind: Set(login.kind.as_str().into()),
        role: Set(login.role.into()),
        client_account_id: Set(login.client_account_id),
        username: Set(login.username.as_str().into()),
        first_name: Set(login.name.first().into()),
        middle_name: Set(login.name.middle().map(Into::into)),
        last_name: Set(login.name.last().into()),
        email: Set(login.email.map(|e| e.as_str().to_string())),
        password_hash: Set(login.password_hash),
        active: Set(true),
        can_login: Set(true),
        can_modify: Set(false),
        can_delete: Set(false),
        must_change_password: Set(login.must_change_password),
        last_login_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(conflict_on_duplicate)?;
    audit::record(
        db,
        audit::NewEvent {
            organization_id: login.organization_id,
            actor_user_id: created_by,
            on_behalf_of_user_id: on_behalf_of,
            action: audit::action::USER_CREATED,
            target_user_id: Some(row.id),
            details,
        },
        now,
    )
    .await?;
    Ok(row)
}

/// Finds a client user by username inside one account of one organization.
pub async fn find_client<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    account_id: i32,
    username: &Username,
) -> Result<Option<user::Model>, ServiceError> {
    Ok(user::Entity::find()
        .filter(user::Column::OrganizationId.eq(organization_id))
        .filter(user::Column::ClientAccountId.eq(account_id))
        .filter(user::Column::Kind.eq(UserKind::Client.as_str()))
        .filter(user::Column::Username.eq(username.as_str()))
        .one(db)
        .await?)
}

/// Finds a staff user by username inside one organization.
pub async fn find_staff<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    username: &Username,
) -> Result<Option<user::Model>, ServiceError> {
    Ok(user::Entity::find()
        .filter(user::Column::OrganizationId.eq(organization_id))
        .filter(user::Column::Kind.eq(UserKind::Staff.as_str()))
        .filter(user::Column::Username.eq(username.as_str()))
        .one(db)
        .await?)
}

fn conflict_on_duplicate(e: sea_orm::DbErr) -> ServiceError {
    if is_unique_violation(&e) {
        ServiceError::Conflict("That username is already taken.".into())
    } else {
        e.into()
    }
}
