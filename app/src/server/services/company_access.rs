//! Company Access: a Claims Rep or Claims Rep Manager serves several client
//! companies with one login. A User Administrator links accounts to them one
//! at a time (and unlinks them); the rep signs in with their own account's
//! identifier and switches between their own account and the linked ones.
//!
//! The session remembers the account being worked in, and every request
//! checks it against the current links: an account unlinked mid-session is
//! gone at the next request (the rep is back in their own account). In a
//! linked account the rep has the rights given on the link (modify, delete),
//! like office staff.

use crate::{
    api::dto::{AccountChoiceView, AccountSwitchView, CompanyAccessView, CompanyLinkView},
    domain::{ClientRole, ParseError, StaffRole, UserKind},
    server::{
        auth::{session, Actor, Principal},
        db::begin_write,
        entities::{client_account, company_access, session as session_entity, user},
        error::ServiceError,
        services::{administrators, audit, is_unique_violation},
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, LikeExpr},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

/// Whether `u` may be given Company Access: a client login with the role
/// Claims Rep or Claims Rep Manager.
pub fn may_have_access(u: &user::Model) -> bool {
    u.kind == UserKind::Client.as_str()
        && matches!(
            ClientRole::from_db(&u.role),
            Some(ClientRole::ClaimsRep | ClientRole::ClaimsRepManager)
        )
}

fn choice(a: &client_account::Model) -> AccountChoiceView {
    AccountChoiceView {
        id: a.id,
        name: a.name.clone(),
        identifier: a.identifier.clone(),
    }
}

/// The accounts `user_id` is linked to, by name, with the links.
async fn links_of<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    user_id: i32,
) -> Result<Vec<(company_access::Model, client_account::Model)>, ServiceError> {
    let links = company_access::Entity::find()
        .filter(company_access::Column::OrganizationId.eq(organization_id))
        .filter(company_access::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    if links.is_empty() {
        return Ok(Vec::new());
    }
    let accounts = client_account::Entity::find()
        .filter(client_account::Column::OrganizationId.eq(organization_id))
        .filter(client_account::Column::Id.is_in(links.iter().map(|l| l.client_account_id)))
        .all(db)
        .await?;
    let mut out: Vec<_> = links
        .into_iter()
        .filter_map(|l| {
            let a = accounts
                .iter()
                .find(|a| a.id == l.client_account_id)?
                .clone();
            Some((l, a))
        })
        .collect();
    out.sort_by(|x, y| (&x.1.name_key, x.1.id).cmp(&(&y.1.name_key, y.1.id)));
    Ok(out)
}

/// The Company Access section for `target` (already checked to be of the
/// actor's organization): the links, and the accounts that can still be
/// linked whose name or identifier contains `filter`.
pub async fn section<C: ConnectionTrait>(
    db: &C,
    target: &user::Model,
    filter: &str,
) -> Result<Option<CompanyAccessView>, ServiceError> {
    if !may_have_access(target) {
        return Ok(None);
    }
    let links = links_of(db, target.organization_id, target.id).await?;
    let mut exclude: Vec<i32> = links.iter().map(|(_, a)| a.id).collect();
    exclude.extend(target.client_account_id);
    let mut q = client_account::Entity::find()
        .filter(client_account::Column::OrganizationId.eq(target.organization_id))
        .filter(client_account::Column::Id.is_not_in(exclude));
    // As the accounts table searches: Unicode lower case; a name is never
    // longer than this.
    let term: String = filter.trim().to_lowercase().chars().take(100).collect();
    if !term.is_empty() {
        let escaped = term
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q = q.filter(
            client_account::Column::SearchText
                .like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
        );
    }
    let mut available = q
        .order_by_asc(client_account::Column::NameKey)
        .order_by_asc(client_account::Column::Id)
        .limit(CompanyAccessView::AVAILABLE_LIMIT + 1)
        .all(db)
        .await?;
    let more_available = available.len() as u64 > CompanyAccessView::AVAILABLE_LIMIT;
    available.truncate(CompanyAccessView::AVAILABLE_LIMIT as usize);
    Ok(Some(CompanyAccessView {
        links: links
            .iter()
            .map(|(l, a)| CompanyLinkView {
                account: choice(a),
                can_modify: l.can_modify,
                can_delete: l.can_delete,
            })
            .collect(),
        available: available.iter().map(choice).collect(),
        more_available,
    }))
}

/// The User Administrator check and the target, inside `txn`.
async fn administered_rep<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    user_id: i32,
) -> Result<user::Model, ServiceError> {
    if actor.require_staff()? != StaffRole::UserAdministrator {
        return Err(ServiceError::Forbidden);
    }
    administrators::lock_organization(txn, actor).await?;
    let target = user::Entity::find_by_id(user_id)
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .one(txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !may_have_access(&target) {
        return Err(ServiceError::Conflict(
            "Company Access is for Claims Reps and Claims Rep Managers.".into(),
        ));
    }
    Ok(target)
}

/// Links client account `account_id` to the Claims Rep (Manager)
/// `user_id`, with the rights given (User Administrators; both of the
/// actor's organization). Audited in the same transaction.
pub async fn link(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: i32,
    account_id: i32,
    (can_modify, can_delete): (bool, bool),
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let txn = begin_write(db).await?;
    let target = administered_rep(&txn, actor, user_id).await?;
    let account = client_account::Entity::find_by_id(account_id)
        .filter(client_account::Column::OrganizationId.eq(actor.organization_id))
        .one(&txn)
        .await?
        .ok_or_else(|| {
            ServiceError::Invalid(ParseError {
                field: "account",
                message: "Choose one of the organization's client accounts.".into(),
            })
        })?;
    if target.client_account_id == Some(account.id) {
        return Err(ServiceError::Invalid(ParseError {
            field: "account",
            message: format!("{} is their own account already.", account.name),
        }));
    }
    company_access::ActiveModel {
        organization_id: Set(actor.organization_id),
        user_id: Set(target.id),
        client_account_id: Set(account.id),
        can_modify: Set(can_modify),
        can_delete: Set(can_delete),
        created_at: Set(now),
        created_by_user_id: Set(actor.audit_ids().0),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            ServiceError::Invalid(ParseError {
                field: "account",
                message: format!("{} is linked already.", account.name),
            })
        } else {
            e.into()
        }
    })?;
    let rights = match (can_modify, can_delete) {
        (true, true) => "may modify and delete",
        (true, false) => "may modify",
        (false, true) => "may delete",
        (false, false) => "no modify or delete rights",
    };
    audit::record_by(
        &txn,
        actor,
        audit::action::COMPANY_LINKED,
        Some(target.id),
        format!(
            "Company Access to {} ({}) given to \"{}\" ({rights})",
            account.name, account.identifier, target.username
        ),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes `user_id`'s Company Access to `account_id` (User
/// Administrators). A session working in that account is back in the rep's
/// own account at its next request.
pub async fn unlink(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: i32,
    account_id: i32,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let txn = begin_write(db).await?;
    let target = administered_rep(&txn, actor, user_id).await?;
    let link = company_access::Entity::find()
        .filter(company_access::Column::OrganizationId.eq(actor.organization_id))
        .filter(company_access::Column::UserId.eq(target.id))
        .filter(company_access::Column::ClientAccountId.eq(account_id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let account = client_account::Entity::find_by_id(account_id)
        .filter(client_account::Column::OrganizationId.eq(actor.organization_id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    company_access::Entity::delete_by_id(link.id)
        .exec(&txn)
        .await?;
    audit::record_by(
        &txn,
        actor,
        audit::action::COMPANY_UNLINKED,
        Some(target.id),
        format!(
            "Company Access to {} ({}) removed from \"{}\"",
            account.name, account.identifier, target.username
        ),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The actor of `user` working in linked account `account_id`, or `None`
/// when that link no longer exists (or the user may no longer have any).
pub async fn actor_in<C: ConnectionTrait>(
    db: &C,
    user: &user::Model,
    account_id: i32,
) -> Result<Option<Actor>, ServiceError> {
    if !may_have_access(user) {
        return Ok(None);
    }
    let Some(link) = company_access::Entity::find()
        .filter(company_access::Column::OrganizationId.eq(user.organization_id))
        .filter(company_access::Column::UserId.eq(user.id))
        .filter(company_access::Column::ClientAccountId.eq(account_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let mut actor = Actor::from_user(user)?;
    if let Principal::Client { role, .. } = actor.principal {
        actor.principal = Principal::Client {
            role,
            account_id: link.client_account_id,
        };
    }
    actor.can_modify = link.can_modify;
    actor.can_delete = link.can_delete;
    Ok(Some(actor))
}

/// The switcher for a client actor who has Company Access: their own
/// account and the linked ones, by name; `None` for everyone else.
pub async fn switcher<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
) -> Result<Option<AccountSwitchView>, ServiceError> {
    let Principal::Client { account_id, .. } = actor.principal else {
        return Ok(None);
    };
    if actor.emulation.is_some() {
        return Ok(None);
    }
    let Some(me) = user::Entity::find_by_id(actor.user_id)
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if !may_have_access(&me) {
        return Ok(None);
    }
    let links = links_of(db, actor.organization_id, me.id).await?;
    if links.is_empty() {
        return Ok(None);
    }
    let mut choices: Vec<AccountChoiceView> = links.iter().map(|(_, a)| choice(a)).collect();
    let home_id = me.client_account_id.unwrap_or(0);
    if let Some(home) = client_account::Entity::find_by_id(home_id)
        .filter(client_account::Column::OrganizationId.eq(actor.organization_id))
        .one(db)
        .await?
    {
        choices.insert(0, choice(&home));
    }
    Ok(Some(AccountSwitchView {
        current: account_id,
        home: home_id,
        choices,
    }))
}

/// Switches the session `token` of a Claims Rep (Manager) to `account_id`:
/// their own account, or one they are linked to now. Audited.
pub async fn switch(
    db: &DatabaseConnection,
    actor: &Actor,
    token: &str,
    account_id: i32,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    actor.require_client()?;
    if actor.emulation.is_some() {
        return Err(ServiceError::Forbidden);
    }
    let txn = begin_write(db).await?;
    let me = user::Entity::find_by_id(actor.user_id)
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::SignInRequired)?;
    if !may_have_access(&me) {
        return Err(ServiceError::NotFound);
    }
    let current = if me.client_account_id == Some(account_id) {
        None
    } else if actor_in(&txn, &me, account_id).await?.is_some() {
        Some(account_id)
    } else {
        return Err(ServiceError::NotFound);
    };
    let working_in = match actor.principal {
        Principal::Client { account_id, .. } => account_id,
        Principal::Staff(_) => 0,
    };
    if working_in == account_id {
        // Already there: nothing to change or record.
        return Ok(());
    }
    let account = client_account::Entity::find_by_id(account_id)
        .filter(client_account::Column::OrganizationId.eq(actor.organization_id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let updated = session_entity::Entity::update_many()
        .col_expr(
            session_entity::Column::CurrentAccountId,
            Expr::value(current),
        )
        .filter(session_entity::Column::Id.eq(session::session_id(token)))
        .filter(session_entity::Column::UserId.eq(me.id))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(ServiceError::SignInRequired);
    }
    audit::record_by(
        &txn,
        actor,
        audit::action::ACCOUNT_SWITCHED,
        Some(me.id),
        format!("now working in {} ({})", account.name, account.identifier),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Forgets a session's current account (its link is gone).
pub async fn reset_session<C: ConnectionTrait>(db: &C, token: &str) -> Result<(), ServiceError> {
    session_entity::Entity::update_many()
        .col_expr(
            session_entity::Column::CurrentAccountId,
            Expr::value(Option::<i32>::None),
        )
        .filter(session_entity::Column::Id.eq(session::session_id(token)))
        .exec(db)
        .await?;
    Ok(())
}
