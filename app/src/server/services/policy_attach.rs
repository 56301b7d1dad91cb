//! Attach/Unattach Policies: a broker moves a policy that an import could
//! not attach (a near match, a download without an address) to the insured
//! it belongs to, or removes a policy from an insured. User Administrators
//! and Brokers of the organization only; every change is audited in the
//! transaction that makes it ("Policy 12-345 attached to Jane Smith").
//!
//! A policy is always attached to some insured: removing one puts it on an
//! insured of its own download's name, address and postal code (the one an
//! import would have matched, or a new one flagged Needs attaching). An
//! insured left with no policies is kept, hidden from the default view.

use crate::{
    api::dto::{AttachPanelView, InsuredRefView, PolicyFoundView},
    domain::{
        audit_action,
        insured::{insured_match_key, policy_number_key, postal_key},
        ParseError,
    },
    server::{
        auth::Actor,
        db::begin_write,
        entities::{document, insured, policy},
        error::ServiceError,
        import::csio::DownloadedInsured,
        services::{
            audit, import_apply::insured_row, insured_summary, insureds, is_unique_violation,
        },
    },
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use sha2::{Digest, Sha256};

/// Policies a number search lists at most.
pub const FOUND_LIMIT: u64 = 20;

/// The organization's insured `id`, or `NotFound`.
async fn insured_of<C: ConnectionTrait>(
    db: &C,
    org: i32,
    id: i32,
) -> Result<insured::Model, ServiceError> {
    insured::Entity::find_by_id(id)
        .filter(insured::Column::OrganizationId.eq(org))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The insured's policies (all of them, latest expiry first).
pub async fn panel(
    db: &DatabaseConnection,
    actor: &Actor,
    insured_id: i32,
    today: NaiveDate,
) -> Result<AttachPanelView, ServiceError> {
    actor.require_account_manager_staff()?;
    let org = actor.organization_id;
    let who = insured_of(db, org, insured_id).await?;
    let policies = policy::Entity::find()
        .filter(policy::Column::OrganizationId.eq(org))
        .filter(policy::Column::InsuredId.eq(who.id))
        .order_by_desc(policy::Column::ExpiryDate)
        .order_by_desc(policy::Column::Id)
        .all(db)
        .await?;
    Ok(AttachPanelView {
        insured: InsuredRefView {
            id: who.id,
            full_name: who.full_name,
        },
        policies: policies.iter().map(|p| insureds::chip(p, today)).collect(),
    })
}

/// The organization's policies whose number starts with `number` (with or
/// without dashes and spaces), for the panel of insured `insured_id`.
pub async fn find(
    db: &DatabaseConnection,
    actor: &Actor,
    insured_id: i32,
    number: &str,
    today: NaiveDate,
) -> Result<Vec<PolicyFoundView>, ServiceError> {
    actor.require_account_manager_staff()?;
    let org = actor.organization_id;
    insured_of(db, org, insured_id).await?;
    let key = policy_number_key(number);
    if key.len() < 2 {
        return Err(ParseError {
            field: "number",
            message: "Type at least two letters or digits of the policy number.".into(),
        }
        .into());
    }
    let policies = policy::Entity::find()
        .filter(policy::Column::OrganizationId.eq(org))
        .filter(insureds::number_range(db.get_database_backend(), &key))
        .order_by_asc(policy::Column::NumberKey)
        .order_by_asc(policy::Column::Id)
        .limit(FOUND_LIMIT)
        .all(db)
        .await?;
    let mut holders: Vec<i32> = policies.iter().map(|p| p.insured_id).collect();
    holders.sort_unstable();
    holders.dedup();
    let holders: std::collections::HashMap<i32, insured::Model> = insured::Entity::find()
        .filter(insured::ids_in_organization(org, holders))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    Ok(policies
        .iter()
        .filter_map(|p| {
            let holder = holders.get(&p.insured_id)?;
            Some(PolicyFoundView {
                policy: insureds::chip(p, today),
                insured: InsuredRefView {
                    id: holder.id,
                    full_name: holder.full_name.clone(),
                },
                insured_registered: holder.email.is_some(),
                here: holder.id == insured_id,
            })
        })
        .collect())
}

/// The organization's policy `id`, locked for the change on PostgreSQL
/// (SQLite's write transaction already excludes other writers).
async fn locked_policy(
    txn: &DatabaseTransaction,
    org: i32,
    id: i32,
) -> Result<policy::Model, ServiceError> {
    let mut q = policy::Entity::find_by_id(id).filter(policy::Column::OrganizationId.eq(org));
    if txn.get_database_backend() == DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    q.one(txn).await?.ok_or(ServiceError::NotFound)
}

/// Moves `p` to insured `to`, refreshes both insureds' summaries, and
/// clears the Needs attaching flag of an insured left without policies
/// (there is nothing left to attach).
async fn move_policy(
    txn: &DatabaseTransaction,
    org: i32,
    p: policy::Model,
    to: i32,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let from = p.insured_id;
    let policy_id = p.id;
    let mut row: policy::ActiveModel = p.into();
    row.insured_id = Set(to);
    row.updated_at = Set(now);
    row.update(txn).await?;
    // The policy's eDocs go with it: the insured it leaves must not keep
    // seeing them in their portal.
    document::Entity::update_many()
        .col_expr(document::Column::InsuredId, Expr::value(to))
        .filter(document::Column::OrganizationId.eq(org))
        .filter(document::Column::PolicyId.eq(policy_id))
        .exec(txn)
        .await?;
    let mut both = [from, to];
    both.sort_unstable();
    insured_summary::refresh(txn, org, &both).await?;
    insured::Entity::update_many()
        .col_expr(insured::Column::NeedsAttaching, Expr::value(false))
        .col_expr(insured::Column::UpdatedAt, Expr::value(now))
        .filter(insured::Column::OrganizationId.eq(org))
        .filter(insured::Column::Id.eq(from))
        .filter(insured::Column::PolicyCount.eq(0))
        .exec(txn)
        .await?;
    Ok(())
}

/// Attaches policy `policy_id` to insured `insured_id`. Moving it from a
/// registered insured (whose portal shows it) needs `confirm_move`.
/// Answers what was done, in words.
pub async fn attach(
    db: &DatabaseConnection,
    actor: &Actor,
    insured_id: i32,
    policy_id: i32,
    confirm_move: bool,
    now: DateTime<Utc>,
) -> Result<String, ServiceError> {
    actor.require_account_manager_staff()?;
    let org = actor.organization_id;
    let txn = begin_write(db).await?;
    let p = locked_policy(&txn, org, policy_id).await?;
    let to = insured_of(&txn, org, insured_id).await?;
    if p.insured_id == to.id {
        return Ok(format!(
            "Policy {} is already attached to {}.",
            p.policy_number, to.full_name
        ));
    }
    let from = insured_of(&txn, org, p.insured_id).await?;
    if from.email.is_some() && !confirm_move {
        return Err(ServiceError::Conflict(format!(
            "Policy {} is attached to {}, who is registered and sees it in their portal. \
             Confirm the move to take it from them.",
            p.policy_number, from.full_name
        )));
    }
    let number = p.policy_number.clone();
    move_policy(&txn, org, p, to.id, now).await?;
    let details = format!(
        "Policy {number} attached to {} (insured {}), moved from {} (insured {})",
        to.full_name, to.id, from.full_name, from.id
    );
    audit::record_by(
        &txn,
        actor,
        audit_action::POLICY_ATTACHED,
        None,
        details,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(format!("Policy {number} attached to {}.", to.full_name))
}

/// Removes policy `policy_id` from insured `insured_id`: it goes to the
/// insured its own download names (matched as an import would), or to a
/// new one flagged Needs attaching. Answers what was done, in words.
pub async fn remove(
    db: &DatabaseConnection,
    actor: &Actor,
    insured_id: i32,
    policy_id: i32,
    now: DateTime<Utc>,
) -> Result<String, ServiceError> {
    actor.require_account_manager_staff()?;
    let org = actor.organization_id;
    let txn = begin_write(db).await?;
    let p = locked_policy(&txn, org, policy_id).await?;
    let from = insured_of(&txn, org, insured_id).await?;
    if p.insured_id != from.id {
        return Err(ServiceError::Conflict(format!(
            "Policy {} is no longer attached to {}; reload the list.",
            p.policy_number, from.full_name
        )));
    }
    let downloaded = DownloadedInsured {
        full_name: p.downloaded_name.clone(),
        // The download's last name isn't kept on the policy: the insured's
        // when the names agree (a company's is its whole name), else the
        // last word.
        last_name: if p.downloaded_name == from.full_name {
            from.last_name.clone()
        } else {
            p.downloaded_name
                .split_whitespace()
                .last()
                .unwrap_or_default()
                .to_string()
        },
        address: p.downloaded_address.clone(),
        city: p.downloaded_city.clone(),
        province: p.downloaded_province.clone(),
        postal_code: p.downloaded_postal_code.clone(),
        email: None,
        phone: None,
    };
    let matched = insured_match_key(
        &downloaded.full_name,
        &downloaded.address,
        &downloaded.postal_code,
    );
    // The policy's own insured, unique to it, as the import makes for a
    // download it can't match: the same key each time, so removing the
    // same policy twice finds the insured made the first time.
    let own = {
        let tag = hex::encode(Sha256::digest(p.policy_key.as_bytes()));
        format!("{matched}\u{1f}#{}", &tag[..32])
    };
    let matchable =
        !downloaded.address.trim().is_empty() && !postal_key(&downloaded.postal_code).is_empty();
    let key = if matchable && matched != from.match_key {
        matched
    } else {
        own
    };
    if key == from.match_key {
        return Err(ServiceError::Conflict(format!(
            "Policy {} came with {}: attach it to the right insured instead.",
            p.policy_number, from.full_name
        )));
    }
    let existing = insured::Entity::find()
        .filter(insured::Column::OrganizationId.eq(org))
        .filter(insured::Column::MatchKey.eq(key.as_str()))
        .one(&txn)
        .await?;
    let to = match existing {
        Some(i) => i,
        None => {
            let mut row = insured_row(org, &downloaded, &key, None, true, now);
            row.latest_download_at = Set(p.produced_at);
            row.insert(&txn).await.map_err(|e| {
                if is_unique_violation(&e) {
                    // An import made the same insured a moment ago.
                    ServiceError::Conflict(
                        "The policies changed while you worked; try Remove again.".into(),
                    )
                } else {
                    e.into()
                }
            })?
        }
    };
    let number = p.policy_number.clone();
    move_policy(&txn, org, p, to.id, now).await?;
    audit::record_by(
        &txn,
        actor,
        audit_action::POLICY_REMOVED,
        None,
        format!(
            "Policy {number} removed from {} (insured {}), now on {} (insured {})",
            from.full_name, from.id, to.full_name, to.id
        ),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(format!(
        "Policy {number} removed from {}; it is now on {}{}.",
        from.full_name,
        to.full_name,
        if to.email.is_some() {
            " (registered: it shows in their portal)"
        } else if to.needs_attaching {
            ", flagged Needs attaching"
        } else {
            ""
        }
    ))
}
