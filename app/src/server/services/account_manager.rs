//! The Account Manager page of a client account (Admin Portal): the
//! identifier, the Account Manager's login (created, or its password reset,
//! with an initial password to change at first sign-in), the account's office
//! staff with their latest activity, and the way into emulation.

use crate::{
    api::dto::AccountManagerView,
    domain::ClientRole,
    server::{
        auth::{actor::manages_accounts, password::PasswordHasher, Actor},
        db::begin_write,
        entities::user,
        error::ServiceError,
        services::{accounts, activity, client_logins, emulation, home, organizations, users},
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

/// Office staff listed on the page at most.
pub const OFFICE_STAFF_SHOWN: u64 = 50;

/// The page (any staff role of the account's organization).
pub async fn view<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    account_id: i32,
) -> Result<AccountManagerView, ServiceError> {
    let role = actor.require_staff()?;
    let account = accounts::find_in_org(db, actor, account_id).await?;
    let (frame, org) = home::frame_and_org(db, actor).await?;
    let of_account = |role: ClientRole| {
        user::Entity::find()
            .filter(user::Column::OrganizationId.eq(actor.organization_id))
            .filter(user::Column::ClientAccountId.eq(account.id))
            .filter(user::Column::Role.eq(role.as_str()))
    };
    let managers = of_account(ClientRole::AccountManager)
        .order_by_asc(user::Column::Id)
        .limit(1)
        .all(db)
        .await?;
    // An overview, not the management page: the first names only, with the
    // count (the Account Manager's own page pages through them all).
    let office_staff_total = of_account(ClientRole::OfficeStaff).count(db).await?;
    let staff = of_account(ClientRole::OfficeStaff)
        .order_by_asc(user::Column::LastName)
        .order_by_asc(user::Column::FirstName)
        .order_by_asc(user::Column::Id)
        .limit(OFFICE_STAFF_SHOWN)
        .all(db)
        .await?;
    let ids: Vec<i32> = managers.iter().chain(&staff).map(|u| u.id).collect();
    let mut latest = activity::latest_for(db, actor.organization_id, &ids).await?;
    Ok(AccountManagerView {
        frame,
        account_id: account.id,
        account_name: account.name,
        identifier: account.identifier,
        portal_path: format!("/portal/{}/sign-in", org.slug),
        manager: managers
            .into_iter()
            .next()
            .map(|u| client_logins::view(u, &mut latest)),
        office_staff: staff
            .into_iter()
            .map(|u| client_logins::view(u, &mut latest))
            .collect(),
        office_staff_total,
        can_manage: manages_accounts(role),
        policy: org.password_policy(),
    })
}

/// The Account Manager login form.
#[derive(Debug, Clone, Default)]
pub struct ManagerLogin {
    /// Username (used when creating).
    pub username: String,
    /// First name (used when creating).
    pub first_name: String,
    /// Last name (used when creating).
    pub last_name: String,
    /// The initial password.
    pub password: String,
    /// The same again.
    pub confirm_password: String,
}

/// What [`set_login`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    /// The Account Manager's login was created.
    Created,
    /// Its password was reset.
    PasswordReset,
}

/// Creates the account's Account Manager login, or resets its password when
/// it exists (User Administrators and Brokers). Either way the password is
/// an initial one, to be changed at the next sign-in.
pub async fn set_login(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    actor: &Actor,
    account_id: i32,
    input: &ManagerLogin,
    now: DateTime<Utc>,
) -> Result<LoginOutcome, ServiceError> {
    actor.require_account_manager_staff()?;
    let account = accounts::find_in_org(db, actor, account_id).await?;
    let org = organizations::of_actor(db, actor).await?;
    let existing = emulation::account_manager_of(db, actor.organization_id, account.id).await?;
    let username = match &existing {
        Some(m) => m.username.clone(),
        None => crate::domain::Username::parse(&input.username)?
            .as_str()
            .to_string(),
    };
    if existing.is_none() {
        crate::domain::PersonName::parse(&input.first_name, "", &input.last_name)?;
    }
    let hash = client_logins::hash_initial(
        hasher,
        &org,
        &username,
        &input.password,
        &input.confirm_password,
    )
    .await?;
    let txn = begin_write(db).await?;
    // Looked up again inside the transaction: two staff creating it at once
    // must not both succeed.
    let outcome =
        match emulation::account_manager_of(&txn, actor.organization_id, account.id).await? {
            Some(manager) => {
                client_logins::reset_password(&txn, actor, manager, hash, now).await?;
                LoginOutcome::PasswordReset
            }
            None => {
                let (by, _) = actor.audit_ids();
                users::insert_client(
                    &txn,
                    &account,
                    &users::NewClientUser {
                        username: username.clone(),
                        first_name: input.first_name.clone(),
                        last_name: input.last_name.clone(),
                        email: None,
                        role: ClientRole::AccountManager,
                        must_change_password: true,
                    },
                    hash,
                    by,
                    now,
                )
                .await?;
                LoginOutcome::Created
            }
        };
    txn.commit().await?;
    Ok(outcome)
}
