//! Consolidating duplicate logins: one person with several client logins
//! (one per company they serve, as the desktop tools forced) becomes one
//! Claims Rep (Manager) login with Company Access to the others' accounts.
//! "Other logins of this person" are the organization's client logins with
//! the same email, or the same first and last name; consolidating keeps the
//! chosen login, links the others' accounts to it with the rights those
//! logins had there, and makes the others Inactive (their sessions and
//! email links end), all in one transaction with one audit row per change.

use crate::{
    api::dto::{ConsolidationView, OtherLoginView},
    domain::{people::role_label, ClientRole, StaffRole, UserKind},
    server::{
        auth::{session, Actor},
        db::begin_write,
        entities::{client_account, company_access, user},
        error::ServiceError,
        services::{administrators, audit, company_access as access, email_tokens},
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Func},
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// Most other logins listed (and consolidated at once).
const LIMIT: u64 = 50;

/// The other client logins of the organization that look like the same
/// person as `u`: same email (case ignored), or same first and last name
/// (accents and case ignored).
async fn others_of<C: ConnectionTrait>(
    db: &C,
    u: &user::Model,
) -> Result<Vec<user::Model>, ServiceError> {
    if u.kind != UserKind::Client.as_str() {
        return Ok(Vec::new());
    }
    let mut same = Condition::any().add(
        Condition::all()
            .add(user::Column::FirstKey.eq(u.first_key.clone()))
            .add(user::Column::LastKey.eq(u.last_key.clone())),
    );
    if let Some(email) = &u.email {
        same = same.add(ExprTrait::eq(
            Expr::expr(Func::lower(Expr::col(user::Column::Email))),
            email.to_lowercase(),
        ));
    }
    Ok(user::Entity::find()
        .filter(user::Column::OrganizationId.eq(u.organization_id))
        .filter(user::Column::Kind.eq(UserKind::Client.as_str()))
        .filter(user::Column::Id.ne(u.id))
        .filter(same)
        .order_by_asc(user::Column::NameKey)
        .order_by_asc(user::Column::Id)
        .limit(LIMIT)
        .all(db)
        .await?)
}

/// The "Other logins of this person" list of `u` (already checked to be of
/// the actor's organization).
pub async fn other_logins<C: ConnectionTrait>(
    db: &C,
    u: &user::Model,
) -> Result<Vec<OtherLoginView>, ServiceError> {
    let others = others_of(db, u).await?;
    let mut ids: Vec<i32> = others.iter().filter_map(|o| o.client_account_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let accounts = client_account::Entity::find()
        .filter(client_account::Column::OrganizationId.eq(u.organization_id))
        .filter(client_account::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(others
        .into_iter()
        .map(|o| {
            let account = accounts.iter().find(|a| Some(a.id) == o.client_account_id);
            OtherLoginView {
                id: o.id,
                display_name: o.display_name(),
                role_label: role_label(UserKind::Client, &o.role)
                    .unwrap_or("—")
                    .to_string(),
                account_name: account.map(|a| a.name.clone()).unwrap_or_default(),
                account_identifier: account.map(|a| a.identifier.clone()).unwrap_or_default(),
                same_email: o.email.is_some()
                    && o.email.as_deref().map(str::to_lowercase)
                        == u.email.as_deref().map(str::to_lowercase),
                active: o.active,
                username: o.username,
            }
        })
        .collect())
}

/// Keeps login `id` (a Claims Rep or Claims Rep Manager) and folds the
/// person's other logins into it: each other login's account is linked to
/// it (with the rights that login had there), and each other login is made
/// Inactive. User Administrators only; one transaction; one audit row per
/// change. Answers what changed.
pub async fn consolidate(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    now: DateTime<Utc>,
) -> Result<ConsolidationView, ServiceError> {
    if actor.require_staff()? != StaffRole::UserAdministrator {
        return Err(ServiceError::Forbidden);
    }
    let txn = begin_write(db).await?;
    administrators::lock_organization(&txn, actor).await?;
    let keep = user::Entity::find_by_id(id)
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !access::may_have_access(&keep) {
        return Err(ServiceError::Conflict(
            "Keep a Claims Rep or Claims Rep Manager login: only they can work in several companies."
                .into(),
        ));
    }
    let others = others_of(&txn, &keep).await?;
    if others.is_empty() {
        return Err(ServiceError::Conflict(
            "This person has no other login to consolidate.".into(),
        ));
    }
    let mut linked = Vec::new();
    let mut deactivated = Vec::new();
    for other in others {
        if let Some(account_id) = other
            .client_account_id
            .filter(|a| Some(*a) != keep.client_account_id)
        {
            let exists = company_access::Entity::find()
                .filter(company_access::Column::UserId.eq(keep.id))
                .filter(company_access::Column::ClientAccountId.eq(account_id))
                .one(&txn)
                .await?
                .is_some();
            let account = client_account::Entity::find_by_id(account_id)
                .filter(client_account::Column::OrganizationId.eq(actor.organization_id))
                .one(&txn)
                .await?;
            if let (false, Some(account)) = (exists, account) {
                // The rights the other login had in its account.
                let full = ClientRole::from_db(&other.role) == Some(ClientRole::AccountManager);
                let (can_modify, can_delete) = (full || other.can_modify, full || other.can_delete);
                company_access::ActiveModel {
                    organization_id: Set(actor.organization_id),
                    user_id: Set(keep.id),
                    client_account_id: Set(account.id),
                    can_modify: Set(can_modify),
                    can_delete: Set(can_delete),
                    created_at: Set(now),
                    created_by_user_id: Set(actor.audit_ids().0),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                audit::record_by(
                    &txn,
                    actor,
                    audit::action::COMPANY_LINKED,
                    Some(keep.id),
                    format!(
                        "Company Access to {} ({}) given to \"{}\" when consolidating \"{}\"",
                        account.name, account.identifier, keep.username, other.username
                    ),
                    now,
                )
                .await?;
                linked.push(account.name);
            }
        }
        if other.active {
            let (other_id, username) = (other.id, other.username.clone());
            let mut row = other.into_active_model();
            row.active = Set(false);
            row.update(&txn).await?;
            email_tokens::retire_all(&txn, other_id, now).await?;
            let ended = session::end_all_for_user(&txn, other_id).await?;
            audit::record_by(
                &txn,
                actor,
                audit::action::USER_DISABLED,
                Some(other_id),
                format!(
                    "\"{username}\" made inactive: consolidated into \"{}\"; {ended} session(s) ended",
                    keep.username
                ),
                now,
            )
            .await?;
            deactivated.push(username);
        }
    }
    txn.commit().await?;
    Ok(ConsolidationView {
        linked,
        deactivated,
    })
}
