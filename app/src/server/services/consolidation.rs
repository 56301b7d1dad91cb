//! Consolidating duplicate logins: one person with several client logins
//! (one per company they serve, as the desktop tools forced) becomes one
//! Claims Rep (Manager) login with Company Access to the others' accounts.
//! "Other logins of this person" are the organization's client logins with
//! the same email, or the same first and last name. A name alone can match
//! a different person, so the administrator ticks which ones to fold in
//! (same-email ones come ticked); consolidating keeps this login, links the
//! ticked ones' accounts to it with the rights they had there, and makes
//! them Inactive (their sessions and email links end), all in one
//! transaction with one audit row per change.

use crate::{
    api::dto::{ConsolidationView, OtherLoginView},
    domain::{people::role_label, ClientRole, ParseError, StaffRole, UserKind},
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
    // An insured's login is theirs alone (their own account, their email as
    // username): never merged with other client logins.
    if u.kind != UserKind::Client.as_str() || u.role == ClientRole::Insured.as_str() {
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
        .filter(user::Column::Role.ne(ClientRole::Insured.as_str()))
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
                is_account_manager: ClientRole::from_db(&o.role)
                    == Some(ClientRole::AccountManager),
                same_email: o.email.is_some()
                    && o.email.as_deref().map(str::to_lowercase)
                        == u.email.as_deref().map(str::to_lowercase),
                active: o.active,
                username: o.username,
            }
        })
        .collect())
}

/// The higher of two sets of rights.
fn max_rights(a: (bool, bool), b: (bool, bool)) -> (bool, bool) {
    (a.0 || b.0, a.1 || b.1)
}

/// Gives `keep` Company Access to `account` with `rights` (raised to them
/// when a link exists already), audited; answers whether a link was added.
async fn grant<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    keep: &user::Model,
    account: &client_account::Model,
    rights: (bool, bool),
    why: &str,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let existing = company_access::Entity::find()
        .filter(company_access::Column::UserId.eq(keep.id))
        .filter(company_access::Column::ClientAccountId.eq(account.id))
        .one(txn)
        .await?;
    let (can_modify, can_delete) = match &existing {
        Some(l) => max_rights((l.can_modify, l.can_delete), rights),
        None => rights,
    };
    let rights_text = match (can_modify, can_delete) {
        (true, true) => "may modify and delete",
        (true, false) => "may modify",
        (false, true) => "may delete",
        (false, false) => "no modify or delete rights",
    };
    let added = match existing {
        Some(l) if (l.can_modify, l.can_delete) == (can_modify, can_delete) => return Ok(false),
        Some(l) => {
            let mut row = l.into_active_model();
            row.can_modify = Set(can_modify);
            row.can_delete = Set(can_delete);
            row.update(txn).await?;
            false
        }
        None => {
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
            .insert(txn)
            .await?;
            true
        }
    };
    audit::record_by(
        txn,
        actor,
        audit::action::COMPANY_LINKED,
        Some(keep.id),
        format!(
            "Company Access to {} ({}) given to \"{}\" ({rights_text}) {why}",
            account.name, account.identifier, keep.username
        ),
        now,
    )
    .await?;
    Ok(added)
}

/// Keeps login `id` (a Claims Rep or Claims Rep Manager who can sign in)
/// and folds the person's other logins the administrator ticked
/// (`chosen`, each still one of [`other_logins`]) into it:
///
/// * each chosen login that could sign in gives the kept one Company Access
///   to its account, with the rights it had there (the highest, when two
///   were in one account);
/// * a chosen Claims Rep's own Company Access moves to the kept login (when
///   that login could sign in; otherwise its links just end);
/// * each chosen login is made Inactive (sessions and email links end).
///
/// An Account Manager's login is never folded in: its account keeps its
/// manager. User Administrators only; one transaction, one audit row per
/// change. Answers what changed.
pub async fn consolidate(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    chosen: &[i32],
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
    if !(keep.active && keep.can_login) {
        return Err(ServiceError::Conflict(
            "Enable this login first: the person would be left without one that works.".into(),
        ));
    }
    if chosen.contains(&keep.id) || chosen.len() as u64 > LIMIT {
        return Err(ServiceError::Invalid(ParseError {
            field: "logins",
            message: "Tick only other logins of this person.".into(),
        }));
    }
    if chosen.is_empty() {
        return Err(ServiceError::Invalid(ParseError {
            field: "logins",
            message: "Tick the logins to fold into this one.".into(),
        }));
    }
    let others: Vec<user::Model> = others_of(&txn, &keep)
        .await?
        .into_iter()
        .filter(|o| chosen.contains(&o.id))
        .collect();
    if others.len() != {
        let mut c = chosen.to_vec();
        c.sort_unstable();
        c.dedup();
        c.len()
    } {
        return Err(ServiceError::Conflict(
            "The list of other logins changed meanwhile; look at it again.".into(),
        ));
    }
    if let Some(manager) = others
        .iter()
        .find(|o| ClientRole::from_db(&o.role) == Some(ClientRole::AccountManager))
    {
        return Err(ServiceError::Invalid(ParseError {
            field: "logins",
            message: format!(
                "{} ({}) is an Account Manager: an account keeps its Account Manager, so that login can't be folded in.",
                manager.display_name(),
                manager.username
            ),
        }));
    }
    // The rights per account of the chosen logins that could sign in.
    let mut per_account: Vec<(i32, (bool, bool))> = Vec::new();
    for o in others.iter().filter(|o| o.active && o.can_login) {
        let Some(account_id) = o
            .client_account_id
            .filter(|a| Some(*a) != keep.client_account_id)
        else {
            continue;
        };
        let rights = (o.can_modify, o.can_delete);
        match per_account.iter_mut().find(|(a, _)| *a == account_id) {
            Some((_, r)) => *r = max_rights(*r, rights),
            None => per_account.push((account_id, rights)),
        }
    }
    let mut linked = Vec::new();
    for (account_id, rights) in per_account {
        let Some(account) = client_account::Entity::find_by_id(account_id)
            .filter(client_account::Column::OrganizationId.eq(actor.organization_id))
            .one(&txn)
            .await?
        else {
            continue;
        };
        if grant(
            &txn,
            actor,
            &keep,
            &account,
            rights,
            "when consolidating",
            now,
        )
        .await?
        {
            linked.push(account.name);
        }
    }
    // A chosen rep's own Company Access moves to the kept login.
    for o in others.iter().filter(|o| access::may_have_access(o)) {
        let links = company_access::Entity::find()
            .filter(company_access::Column::OrganizationId.eq(actor.organization_id))
            .filter(company_access::Column::UserId.eq(o.id))
            .all(&txn)
            .await?;
        for l in links {
            let account = client_account::Entity::find_by_id(l.client_account_id)
                .filter(client_account::Column::OrganizationId.eq(actor.organization_id))
                .one(&txn)
                .await?;
            company_access::Entity::delete_by_id(l.id)
                .exec(&txn)
                .await?;
            let Some(account) = account else { continue };
            audit::record_by(
                &txn,
                actor,
                audit::action::COMPANY_UNLINKED,
                Some(o.id),
                format!(
                    "Company Access to {} ({}) moved from \"{}\" to \"{}\"",
                    account.name, account.identifier, o.username, keep.username
                ),
                now,
            )
            .await?;
            // A login that could not sign in gives nothing: its links end.
            if o.active && o.can_login && Some(account.id) != keep.client_account_id {
                let why = format!("(moved from \"{}\")", o.username);
                if grant(
                    &txn,
                    actor,
                    &keep,
                    &account,
                    (l.can_modify, l.can_delete),
                    &why,
                    now,
                )
                .await?
                {
                    linked.push(account.name);
                }
            }
        }
    }
    let mut deactivated = Vec::new();
    for other in others.into_iter().filter(|o| o.active) {
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
                "\"{username}\" made inactive: consolidated into \"{}\"; {ended} session(s) and any email links ended",
                keep.username
            ),
            now,
        )
        .await?;
        deactivated.push(username);
    }
    txn.commit().await?;
    Ok(ConsolidationView {
        linked,
        deactivated,
    })
}
