//! The Account Manager's office staff (Client Portal): Authorized Office
//! Staff Users of the account, created with an initial password, granted or
//! refused `can_modify` / `can_delete`, disabled and enabled, their passwords
//! reset. Only the account's Account Manager (or staff emulating them) may,
//! only for users of that account, and never granting a right they lack.
//! Rights are read from the user row on every request, so a change takes
//! effect at the user's next request.

use crate::{
    api::dto::OfficeStaffListView,
    domain::ClientRole,
    server::{
        auth::{password::PasswordHasher, session, Actor},
        db::begin_write,
        entities::{client_account, user},
        error::ServiceError,
        services::{activity, audit, client_logins, email_tokens, home, organizations, users},
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// The actor's account, when the actor is its Account Manager.
fn managed_account(actor: &Actor) -> Result<i32, ServiceError> {
    match actor.require_client()? {
        (ClientRole::AccountManager, account_id) => Ok(account_id),
        _ => Err(ServiceError::Forbidden),
    }
}

/// Office staff user `user_id` of the actor's account, or `NotFound`.
async fn find<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    user_id: i32,
) -> Result<user::Model, ServiceError> {
    let account_id = managed_account(actor)?;
    user::Entity::find_by_id(user_id)
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .filter(user::Column::ClientAccountId.eq(account_id))
        .filter(user::Column::Role.eq(ClientRole::OfficeStaff.as_str()))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Refuses rights the actor does not hold themselves.
fn check_grant(actor: &Actor, can_modify: bool, can_delete: bool) -> Result<(), ServiceError> {
    if (can_modify && !actor.can_modify) || (can_delete && !actor.can_delete) {
        return Err(ServiceError::Forbidden);
    }
    Ok(())
}

/// Office staff shown per page.
pub const PAGE_SIZE: u64 = 50;

/// One page of the Account Manager's office staff, by last then first name,
/// for the office staff page. `after` is the previous page's
/// [`OfficeStaffListView::next`]: the id of its last row (keyset paging by
/// name and id; a cursor naming no office staff of this account starts
/// from the top).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    after: Option<i32>,
) -> Result<OfficeStaffListView, ServiceError> {
    let account_id = managed_account(actor)?;
    let account = client_account::Entity::find_by_id(account_id)
        .filter(client_account::Column::OrganizationId.eq(actor.organization_id))
        .one(db)
        .await?
        .ok_or(ServiceError::SignInRequired)?;
    let (frame, org) = home::frame_and_org(db, actor).await?;
    let all = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .filter(user::Column::ClientAccountId.eq(account_id))
        .filter(user::Column::Role.eq(ClientRole::OfficeStaff.as_str()));
    let total = all.clone().count(db).await?;
    let last_shown = match after {
        Some(id) => all.clone().filter(user::Column::Id.eq(id)).one(db).await?,
        None => None,
    };
    let (page, earlier) = match last_shown {
        Some(last) => {
            let later = Condition::any()
                .add(user::Column::LastName.gt(last.last_name.clone()))
                .add(
                    Condition::all()
                        .add(user::Column::LastName.eq(last.last_name.clone()))
                        .add(user::Column::FirstName.gt(last.first_name.clone())),
                )
                .add(
                    Condition::all()
                        .add(user::Column::LastName.eq(last.last_name.clone()))
                        .add(user::Column::FirstName.eq(last.first_name.clone()))
                        .add(user::Column::Id.gt(last.id)),
                );
            let earlier = all.clone().filter(later.clone().not()).count(db).await?;
            (all.filter(later), earlier)
        }
        None => (all, 0),
    };
    let mut staff = page
        .order_by_asc(user::Column::LastName)
        .order_by_asc(user::Column::FirstName)
        .order_by_asc(user::Column::Id)
        .limit(PAGE_SIZE + 1)
        .all(db)
        .await?;
    let next = if staff.len() as u64 > PAGE_SIZE {
        staff.truncate(PAGE_SIZE as usize);
        staff.last().map(|u| u.id)
    } else {
        None
    };
    let ids: Vec<i32> = staff.iter().map(|u| u.id).collect();
    let mut latest = activity::latest_for(db, actor.organization_id, &ids).await?;
    Ok(OfficeStaffListView {
        frame,
        account_name: account.name,
        staff: staff
            .into_iter()
            .map(|u| client_logins::view(u, &mut latest))
            .collect(),
        total,
        first_shown: earlier + 1,
        next,
        policy: org.password_policy(),
        may_grant_modify: actor.can_modify,
        may_grant_delete: actor.can_delete,
    })
}

/// A new office staff user as typed.
#[derive(Debug, Clone, Default)]
pub struct NewOfficeStaff {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Username, unique in the account.
    pub username: String,
    /// Initial password.
    pub password: String,
    /// The same again.
    pub confirm_password: String,
    /// May change documents.
    pub can_modify: bool,
    /// May delete documents.
    pub can_delete: bool,
}

/// Creates an office staff user of the actor's account, who must choose a
/// new password at first sign-in. Returns the new user's id.
pub async fn create(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    actor: &Actor,
    input: &NewOfficeStaff,
    now: DateTime<Utc>,
) -> Result<i32, ServiceError> {
    let account_id = managed_account(actor)?;
    check_grant(actor, input.can_modify, input.can_delete)?;
    crate::domain::PersonName::parse(&input.first_name, "", &input.last_name)?;
    let username = crate::domain::Username::parse(&input.username)?;
    let org = organizations::of_actor(db, actor).await?;
    let hash = client_logins::hash_initial(
        hasher,
        &org,
        username.as_str(),
        &input.password,
        &input.confirm_password,
    )
    .await?;
    let txn = begin_write(db).await?;
    let account = client_account::Entity::find_by_id(account_id)
        .filter(client_account::Column::OrganizationId.eq(actor.organization_id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::SignInRequired)?;
    let (by, for_user) = actor.audit_ids();
    let created = users::insert_client_by(
        &txn,
        &account,
        &users::NewClientUser {
            username: username.as_str().to_string(),
            first_name: input.first_name.clone(),
            last_name: input.last_name.clone(),
            email: None,
            role: ClientRole::OfficeStaff,
            must_change_password: true,
        },
        hash,
        (by, for_user),
        now,
    )
    .await
    .map_err(|e| match e {
        ServiceError::Conflict(_) => crate::domain::ParseError {
            field: "username",
            message: "Someone in this account already has that username.".into(),
        }
        .into(),
        other => other,
    })?;
    let id = created.id;
    if input.can_modify || input.can_delete {
        let mut row = created.into_active_model();
        row.can_modify = Set(input.can_modify);
        row.can_delete = Set(input.can_delete);
        row.update(&txn).await?;
    }
    audit::record_by(
        &txn,
        actor,
        audit::action::RIGHTS_CHANGED,
        Some(id),
        rights_details(username.as_str(), input.can_modify, input.can_delete),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

fn rights_details(username: &str, can_modify: bool, can_delete: bool) -> String {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    format!(
        "\"{username}\": may modify {}, may delete {}",
        yes_no(can_modify),
        yes_no(can_delete)
    )
}

/// Grants or revokes an office staff user's rights.
pub async fn set_rights(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: i32,
    can_modify: bool,
    can_delete: bool,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    check_grant(actor, can_modify, can_delete)?;
    let txn = begin_write(db).await?;
    let target = find(&txn, actor, user_id).await?;
    if target.can_modify == can_modify && target.can_delete == can_delete {
        return Ok(());
    }
    let username = target.username.clone();
    let mut row = target.into_active_model();
    row.can_modify = Set(can_modify);
    row.can_delete = Set(can_delete);
    row.update(&txn).await?;
    audit::record_by(
        &txn,
        actor,
        audit::action::RIGHTS_CHANGED,
        Some(user_id),
        rights_details(&username, can_modify, can_delete),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Disables (ending their sessions and email links) or enables an office
/// staff user.
pub async fn set_active(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: i32,
    active: bool,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let txn = begin_write(db).await?;
    let target = find(&txn, actor, user_id).await?;
    if target.active == active {
        return Ok(());
    }
    let username = target.username.clone();
    let mut row = target.into_active_model();
    row.active = Set(active);
    row.update(&txn).await?;
    let ended = if active {
        0
    } else {
        email_tokens::retire_all(&txn, user_id, now).await?;
        session::end_all_for_user(&txn, user_id).await?
    };
    let action = if active {
        audit::action::USER_ENABLED
    } else {
        audit::action::USER_DISABLED
    };
    audit::record_by(
        &txn,
        actor,
        action,
        Some(user_id),
        format!(
            "{} \"{username}\"; {ended} session(s) ended",
            audit::action::label(action)
        ),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Gives an office staff user a new initial password.
pub async fn reset_password(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    actor: &Actor,
    user_id: i32,
    password: &str,
    confirm_password: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let target = find(db, actor, user_id).await?;
    let org = organizations::of_actor(db, actor).await?;
    let hash =
        client_logins::hash_initial(hasher, &org, &target.username, password, confirm_password)
            .await?;
    let txn = begin_write(db).await?;
    let target = find(&txn, actor, user_id).await?;
    client_logins::reset_password(&txn, actor, target, hash, now).await?;
    txn.commit().await?;
    Ok(())
}
