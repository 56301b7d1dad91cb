//! An insured's eDocs: PDF documents of their policies (declarations, pink
//! cards, invoices, wordings …) that the brokerage adds from the Insureds
//! page or that arrive embedded in a CSIO download.
//!
//! They are rows of `documents` with `insured_id` set (see
//! `services::documents` for the shared storage, quota, download check and
//! deletion). Staff of the organization see them; staff who manage clients
//! (User Administrators, Brokers) add and delete them; the insured sees their
//! own, never another insured's.

use crate::{
    api::dto::{EdocPolicyView, EdocView, EdocsView},
    domain::{
        audit_action,
        document::without_format_controls,
        edoc::{label, EdocDetails, BUSINESS_PURPOSES, DOCUMENT_TYPES},
        ClientRole, ParseError,
    },
    server::{
        auth::{
            actor::{manages_accounts, Principal},
            Actor,
        },
        db::begin_write,
        entities::{document, insured, policy},
        error::ServiceError,
        services::{
            activity, audit,
            documents::{self, Owner, StoredPdf},
        },
        state::FileSettings,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::LockType, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;

/// The insured whose login the actor is, when the actor is an insured.
pub async fn own_insured<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
) -> Result<Option<insured::Model>, ServiceError> {
    if !actor.is_insured() {
        return Ok(None);
    }
    Ok(insured::Entity::find()
        .filter(insured::Column::OrganizationId.eq(actor.organization_id))
        .filter(insured::Column::UserId.eq(actor.user_id))
        .one(db)
        .await?)
}

/// The insured whose eDocs the actor means, and whether the actor may add
/// and delete them. Staff name an insured of their organization; an
/// insured means themselves (naming another is "not found"); anyone else
/// is refused.
async fn reach<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    requested: Option<i32>,
) -> Result<(insured::Model, bool), ServiceError> {
    match actor.principal {
        Principal::Staff(_) => {
            let role = actor.require_staff()?;
            let id = requested.ok_or(ServiceError::NotFound)?;
            let found = insured::Entity::find_by_id(id)
                .filter(insured::Column::OrganizationId.eq(actor.organization_id))
                .one(db)
                .await?
                .ok_or(ServiceError::NotFound)?;
            Ok((found, manages_accounts(role)))
        }
        Principal::Client {
            role: ClientRole::Insured,
            ..
        } => {
            let own = own_insured(db, actor)
                .await?
                .ok_or(ServiceError::NotFound)?;
            if requested.is_some_and(|r| r != own.id) {
                return Err(ServiceError::NotFound);
            }
            Ok((own, false))
        }
        Principal::Client { .. } => Err(ServiceError::Forbidden),
    }
}

/// The eDocs of `insured` (staff) or of the signed-in insured, newest
/// first, optionally only those about `policy`; with the insured's policies.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    insured: Option<i32>,
    policy: Option<i32>,
    files: &FileSettings,
) -> Result<EdocsView, ServiceError> {
    let (who, manage) = reach(db, actor, insured).await?;
    let org = actor.organization_id;
    let insured_is_asking = actor.is_insured();
    let policies = policy::Entity::find()
        .filter(policy::Column::OrganizationId.eq(org))
        .filter(policy::Column::InsuredId.eq(who.id))
        .order_by_desc(policy::Column::ExpiryDate)
        .order_by_asc(policy::Column::Id)
        .all(db)
        .await?;
    let numbers: HashMap<i32, String> = policies
        .iter()
        .map(|p| (p.id, p.policy_number.clone()))
        .collect();
    let mut q = document::Entity::find()
        .filter(document::Column::OrganizationId.eq(org))
        .filter(document::Column::InsuredId.eq(who.id));
    if let Some(p) = policy {
        q = q.filter(document::Column::PolicyId.eq(p));
    }
    let total = q.clone().count(db).await?;
    let rows = q
        .order_by_desc(document::Column::Id)
        .limit(EdocsView::MAX_SHOWN)
        .all(db)
        .await?;
    let people: Vec<i32> = rows
        .iter()
        .filter(|_| !insured_is_asking)
        .flat_map(|d| [d.created_by_user_id, d.created_for_user_id])
        .flatten()
        .collect();
    let names = activity::display_names(db, org, people).await?;
    Ok(EdocsView {
        insured_id: who.id,
        insured_name: who.full_name.clone(),
        edocs: rows
            .into_iter()
            .map(|d| EdocView {
                id: d.id,
                issue_date: d.issue_date.map(|t| t.to_string()).unwrap_or_default(),
                business_purpose: label(
                    BUSINESS_PURPOSES,
                    d.business_purpose.as_deref().unwrap_or_default(),
                ),
                document_type: label(
                    DOCUMENT_TYPES,
                    d.document_type.as_deref().unwrap_or_default(),
                ),
                file_name: without_format_controls(d.file_name.as_deref().unwrap_or(&d.title)),
                size_bytes: d.size_bytes.unwrap_or(0),
                policy_id: d.policy_id,
                policy_number: d.policy_id.and_then(|p| numbers.get(&p).cloned()),
                // The insured is told it came from their broker; staff
                // names and import numbers are the brokerage's business.
                added_by: match (insured_is_asking, d.import_run_id, d.created_by_user_id) {
                    (true, _, _) => "Your broker".to_string(),
                    (false, Some(run), _) => format!("Import {run}"),
                    (false, None, by) => activity::who(&names, by, d.created_for_user_id),
                },
                added_at: d.created_at.to_rfc3339(),
            })
            .collect(),
        total,
        policies: policies
            .into_iter()
            .map(|p| EdocPolicyView {
                id: p.id,
                policy_number: p.policy_number,
                line_of_business: p.line_of_business,
            })
            .collect(),
        can_add: manage,
        can_delete: manage,
        max_upload_bytes: files.max_upload_bytes,
    })
}

/// Records an uploaded PDF as an eDoc of `insured_id`, about `policy_id`
/// when given (one of the insured's policies). Returns its id.
#[allow(clippy::too_many_arguments)]
pub async fn add(
    db: &DatabaseConnection,
    actor: &Actor,
    insured_id: i32,
    policy_id: Option<i32>,
    details: &EdocDetails,
    file: &StoredPdf,
    quota_bytes: Option<u64>,
    now: DateTime<Utc>,
) -> Result<i32, ServiceError> {
    actor.require_account_manager_staff()?;
    let org = actor.organization_id;
    let txn = begin_write(db).await?;
    let postgres = txn.get_database_backend() == sea_orm::DbBackend::Postgres;
    // On PostgreSQL the policy is locked before the insured, as attaching
    // and importing lock them, so none of them deadlocks with another; and
    // it is checked under its lock, so a move can't slip in between and
    // leave the eDoc with an insured the policy left. (SQLite runs write
    // transactions one at a time.)
    if let Some(p) = policy_id {
        let mut q = policy::Entity::find_by_id(p)
            .filter(policy::Column::OrganizationId.eq(org))
            .filter(policy::Column::InsuredId.eq(insured_id));
        if postgres {
            q = q.lock(LockType::Share);
        }
        q.one(&txn)
            .await?
            .ok_or_else(|| ParseError::new("policy", "Choose one of this insured's policies."))?;
    }
    let who = insured::Entity::find_by_id(insured_id)
        .filter(insured::Column::OrganizationId.eq(org))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if let Some(quota) = quota_bytes {
        documents::check_quota(&txn, actor, Owner::Insured(who.id), file.size_bytes, quota).await?;
    }
    let mut row = documents::new_row(actor, Owner::Insured(who.id), now);
    documents::set_pdf(
        &mut row,
        file,
        documents::date(details.issue_date)?,
        details.business_purpose,
        details.document_type,
    );
    row.policy_id = Set(policy_id);
    let doc = row.insert(&txn).await?;
    audit::record_by(
        &txn,
        actor,
        audit_action::DOCUMENT_ADDED,
        None,
        format!(
            "eDoc \"{}\" ({} bytes, {}, {}) added to insured {} ({})",
            file.file_name,
            file.size_bytes,
            label(BUSINESS_PURPOSES, details.business_purpose),
            label(DOCUMENT_TYPES, details.document_type),
            who.full_name,
            who.id
        ),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(doc.id)
}
