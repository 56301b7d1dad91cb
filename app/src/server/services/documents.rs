//! A client account's documents: reports (title, text) and PDF files (issue
//! date, business purpose, document type), each recording who created it and
//! who changed it last (and for whom, while staff emulate).
//!
//! Staff see the documents of every account of their organization; client
//! users only their own account's. Anyone who may see them may add one;
//! changing needs `can_modify` and deleting `can_delete` (office staff get
//! them from their Account Manager; staff and Account Managers have both).
//! The PDF bytes live in [`FileSettings::dir`] under generated names; this
//! module only records them (see `server::files` for the streaming).
//!
//! The same rows hold insureds' eDocs (`services::edocs`): one storage, one
//! upload path and one check of who may see a document ([`find`]). Staff see
//! every eDoc of their organization, an insured only their own; account
//! users never see eDocs, and an insured never sees account documents.

use crate::{
    api::dto::{DocumentView, DocumentsView},
    domain::document::{without_format_controls, PdfDetails, ReportInput},
    domain::ClientRole,
    server::{
        auth::{actor::Principal, Actor},
        db::begin_write,
        entities::document,
        error::ServiceError,
        services::{accounts, activity, audit, edocs},
        state::FileSettings,
    },
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    sea_query::{Alias, Expr, Func},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// Stored `kind` of a report.
pub const REPORT: &str = "report";
/// Stored `kind` of a PDF file.
pub const PDF: &str = "pdf";

/// The account whose documents the actor means: staff name one of their
/// organization's accounts; a client user always means their own (naming
/// another one is "not found").
pub async fn resolve_account<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    requested: Option<i32>,
) -> Result<i32, ServiceError> {
    match actor.principal {
        Principal::Staff(_) => {
            let id = requested.ok_or(ServiceError::NotFound)?;
            Ok(accounts::find_in_org(db, actor, id).await?.id)
        }
        // An insured's account is only the frame of their login: they see
        // their eDocs, never account documents.
        Principal::Client {
            role: ClientRole::Insured,
            ..
        } => Err(ServiceError::Forbidden),
        Principal::Client { account_id, .. } => match requested {
            Some(other) if other != account_id => Err(ServiceError::NotFound),
            _ => Ok(account_id),
        },
    }
}

/// Whose a document is: a client account's, or an insured's (an eDoc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A client account's document.
    Account(i32),
    /// An insured's eDoc.
    Insured(i32),
}

impl Owner {
    /// The owner of a stored row.
    fn of(doc: &document::Model) -> Option<Self> {
        match (doc.client_account_id, doc.insured_id) {
            (Some(a), None) => Some(Self::Account(a)),
            (None, Some(i)) => Some(Self::Insured(i)),
            _ => None,
        }
    }
}

/// Document `id`, when the actor may see it; `NotFound` otherwise. Staff
/// see every document of their organization; an account's users their
/// account's; an insured their own eDocs.
pub(crate) async fn find<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i32,
) -> Result<document::Model, ServiceError> {
    let doc = document::Entity::find_by_id(id)
        .filter(document::Column::OrganizationId.eq(actor.organization_id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let owner = Owner::of(&doc).ok_or(ServiceError::NotFound)?;
    let visible = match (actor.principal, owner) {
        (Principal::Staff(_), _) => true,
        (_, Owner::Insured(insured)) if actor.is_insured() => edocs::own_insured(db, actor)
            .await?
            .is_some_and(|own| own.id == insured),
        (_, Owner::Account(_)) if actor.is_insured() => false,
        (Principal::Client { account_id, .. }, Owner::Account(a)) => a == account_id,
        (Principal::Client { .. }, Owner::Insured(_)) => false,
    };
    if visible {
        Ok(doc)
    } else {
        Err(ServiceError::NotFound)
    }
}

/// Documents shown per page.
pub const PAGE_SIZE: u64 = 50;

/// One page of an account's documents, newest first, with what the actor
/// may do. `before` is the previous page's [`DocumentsView::older`]: the
/// page starts after that document (keyset paging, so a document added
/// meanwhile neither repeats nor hides a row).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    account: Option<i32>,
    before: Option<i32>,
    files: &FileSettings,
) -> Result<DocumentsView, ServiceError> {
    let account_id = resolve_account(db, actor, account).await?;
    let all = document::Entity::find()
        .filter(document::Column::OrganizationId.eq(actor.organization_id))
        .filter(document::Column::ClientAccountId.eq(account_id));
    let total = all.clone().count(db).await?;
    let (page, newer) = match before {
        Some(id) => (
            all.clone().filter(document::Column::Id.lt(id)),
            all.filter(document::Column::Id.gte(id)).count(db).await?,
        ),
        None => (all, 0),
    };
    let mut rows = page
        .order_by_desc(document::Column::Id)
        .limit(PAGE_SIZE + 1)
        .all(db)
        .await?;
    let older = if rows.len() as u64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|d| d.id)
    } else {
        None
    };
    let people: Vec<i32> = rows
        .iter()
        .flat_map(|d| {
            [
                d.created_by_user_id,
                d.created_for_user_id,
                d.modified_by_user_id,
                d.modified_for_user_id,
            ]
        })
        .flatten()
        .collect();
    let names = activity::display_names(db, actor.organization_id, people).await?;
    Ok(DocumentsView {
        account_id,
        documents: rows
            .into_iter()
            .map(|d| DocumentView {
                id: d.id,
                is_pdf: d.kind == PDF,
                created_by: activity::who(&names, d.created_by_user_id, d.created_for_user_id),
                modified_by: activity::who(&names, d.modified_by_user_id, d.modified_for_user_id),
                title: without_format_controls(&d.title),
                body: d.body.unwrap_or_default(),
                size_bytes: d.size_bytes,
                issue_date: d.issue_date.map(|t| t.to_string()),
                business_purpose: d.business_purpose.as_deref().map(without_format_controls),
                document_type: d.document_type.as_deref().map(without_format_controls),
                created_at: d.created_at.to_rfc3339(),
                modified_at: d.modified_at.to_rfc3339(),
            })
            .collect(),
        total,
        first_shown: newer + 1,
        older,
        storage_used_bytes: storage_used(db, actor.organization_id, Owner::Account(account_id))
            .await?,
        storage_quota_bytes: files.account_quota_bytes,
        can_add: true,
        can_modify: actor.can_modify,
        can_delete: actor.can_delete,
        max_upload_bytes: files.max_upload_bytes,
    })
}

pub(crate) fn date(d: (i32, u32, u32)) -> Result<NaiveDate, ServiceError> {
    NaiveDate::from_ymd_opt(d.0, d.1, d.2).ok_or_else(|| {
        crate::domain::ParseError {
            field: "issue_date",
            message: "Enter the issue date as YYYY-MM-DD.".into(),
        }
        .into()
    })
}

/// A new row of `owner`, created and last modified by the actor at `now`.
pub(crate) fn new_row(actor: &Actor, owner: Owner, now: DateTime<Utc>) -> document::ActiveModel {
    let (by, for_user) = actor.audit_ids();
    let by = by.unwrap_or(actor.user_id);
    let (account, insured) = match owner {
        Owner::Account(a) => (Some(a), None),
        Owner::Insured(i) => (None, Some(i)),
    };
    document::ActiveModel {
        organization_id: Set(actor.organization_id),
        client_account_id: Set(account),
        insured_id: Set(insured),
        policy_id: Set(None),
        import_run_id: Set(None),
        sha256: Set(None),
        created_by_user_id: Set(Some(by)),
        created_for_user_id: Set(for_user),
        created_at: Set(now),
        modified_by_user_id: Set(Some(by)),
        modified_for_user_id: Set(for_user),
        modified_at: Set(now),
        ..Default::default()
    }
}

/// Adds a report to an account. Returns its id.
pub async fn add_report(
    db: &DatabaseConnection,
    actor: &Actor,
    account: Option<i32>,
    input: &ReportInput,
    now: DateTime<Utc>,
) -> Result<i32, ServiceError> {
    let txn = begin_write(db).await?;
    let account_id = resolve_account(&txn, actor, account).await?;
    let mut row = new_row(actor, Owner::Account(account_id), now);
    row.kind = Set(REPORT.into());
    row.title = Set(input.title.clone());
    row.body = Set(Some(input.body.clone()));
    row.file_name = Set(None);
    row.stored_name = Set(None);
    row.size_bytes = Set(None);
    row.issue_date = Set(None);
    row.business_purpose = Set(None);
    row.document_type = Set(None);
    let doc = row.insert(&txn).await?;
    audit::record_by(
        &txn,
        actor,
        audit::action::DOCUMENT_ADDED,
        None,
        format!(
            "report \"{}\" added to client account {account_id}",
            doc.title
        ),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(doc.id)
}

/// Sets on `row` what every stored PDF has: its file (shown and stored
/// names, size) and its details. Account documents, eDocs from the page
/// and eDocs from imports all go through here.
pub(crate) fn set_pdf(
    row: &mut document::ActiveModel,
    file: &StoredPdf,
    issue_date: NaiveDate,
    business_purpose: &str,
    document_type: &str,
) {
    row.kind = Set(PDF.into());
    row.title = Set(file.file_name.clone());
    row.body = Set(None);
    row.file_name = Set(Some(file.file_name.clone()));
    row.stored_name = Set(Some(file.stored_name.clone()));
    row.size_bytes = Set(Some(file.size_bytes));
    row.issue_date = Set(Some(issue_date));
    row.business_purpose = Set(Some(business_purpose.to_string()));
    row.document_type = Set(Some(document_type.to_string()));
}

/// A PDF already streamed to disk, to record.
#[derive(Debug, Clone)]
pub struct StoredPdf {
    /// The name it is shown and offered under.
    pub file_name: String,
    /// Its generated name in [`FileSettings::dir`].
    pub stored_name: String,
    /// Its size.
    pub size_bytes: i64,
}

/// Records an uploaded PDF. Returns its id.
pub async fn add_pdf(
    db: &DatabaseConnection,
    actor: &Actor,
    account: Option<i32>,
    details: &PdfDetails,
    file: &StoredPdf,
    quota_bytes: Option<u64>,
    now: DateTime<Utc>,
) -> Result<i32, ServiceError> {
    let txn = begin_write(db).await?;
    let account_id = resolve_account(&txn, actor, account).await?;
    if let Some(quota) = quota_bytes {
        check_quota(
            &txn,
            actor,
            Owner::Account(account_id),
            file.size_bytes,
            quota,
        )
        .await?;
    }
    let mut row = new_row(actor, Owner::Account(account_id), now);
    set_pdf(
        &mut row,
        file,
        date(details.issue_date)?,
        &details.business_purpose,
        &details.document_type,
    );
    let doc = row.insert(&txn).await?;
    audit::record_by(
        &txn,
        actor,
        audit::action::DOCUMENT_ADDED,
        None,
        format!(
            "PDF \"{}\" ({} bytes) added to client account {account_id}",
            file.file_name, file.size_bytes
        ),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(doc.id)
}

/// The bytes the PDFs of `owner` take.
pub async fn storage_used<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    owner: Owner,
) -> Result<u64, ServiceError> {
    // SUM of a bigint is a numeric on PostgreSQL: cast it back.
    let used: Option<i64> = document::Entity::find()
        .select_only()
        .column_as(
            // By path: imported, `ExprTrait` would make `max` ambiguous on
            // every integer in this module.
            sea_orm::sea_query::ExprTrait::cast_as(
                Expr::expr(Func::coalesce([
                    sea_orm::sea_query::ExprTrait::sum(Expr::col(document::Column::SizeBytes)),
                    Expr::val(0),
                ])),
                Alias::new("bigint"),
            ),
            "used",
        )
        .filter(document::Column::OrganizationId.eq(organization_id))
        .filter(match owner {
            Owner::Account(a) => document::Column::ClientAccountId.eq(a),
            Owner::Insured(i) => document::Column::InsuredId.eq(i),
        })
        .into_tuple()
        .one(db)
        .await?;
    Ok(used.unwrap_or(0).max(0) as u64)
}

/// Refuses a file of `size` bytes that would take `owner` past `quota`.
/// Runs in the upload's write transaction; on PostgreSQL the owner's row
/// is locked first so two uploads at once can't both squeeze in (SQLite's
/// write transaction already runs them one after the other).
pub(crate) async fn check_quota<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    owner: Owner,
    size: i64,
    quota: u64,
) -> Result<(), ServiceError> {
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        match owner {
            Owner::Account(a) => {
                crate::server::entities::client_account::Entity::find_by_id(a)
                    .lock_exclusive()
                    .one(txn)
                    .await?;
            }
            // As imports and attaching lock insureds: no key update, so
            // policy inserts for the insured (which take a key-share lock)
            // are not held up, and the order of locks stays theirs.
            Owner::Insured(i) => {
                crate::server::entities::insured::Entity::find_by_id(i)
                    .lock(sea_orm::sea_query::LockType::NoKeyUpdate)
                    .one(txn)
                    .await?;
            }
        }
    }
    let used = storage_used(txn, actor.organization_id, owner).await?;
    if used.saturating_add(size.max(0) as u64) <= quota {
        return Ok(());
    }
    let size = crate::components::upload::human_size;
    Err(crate::domain::ParseError::new(
        "file",
        format!(
            "{} already take {} of {} {} of storage, so this file does not fit. \
             Delete documents that are no longer needed, or ask your administrator for more room.",
            match owner {
                Owner::Account(_) => "This account's documents",
                Owner::Insured(_) => "This insured's eDocs",
            },
            size(used),
            match owner {
                Owner::Account(_) => "its",
                Owner::Insured(_) => "their",
            },
            size(quota)
        ),
    )
    .into())
}

/// Document `id` of `kind`, when the actor may see it (else `NotFound`) and
/// change it (else `Forbidden`).
async fn find_to_change<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i32,
    kind: &str,
) -> Result<document::Model, ServiceError> {
    let doc = find(db, actor, id).await?;
    if !actor.can_modify {
        return Err(ServiceError::Forbidden);
    }
    // An eDoc's purpose and type are codes: not edited as free text here.
    if doc.kind != kind || doc.insured_id.is_some() {
        return Err(ServiceError::NotFound);
    }
    Ok(doc)
}

/// Records on `row` that the actor changed it at `now`.
fn changed_by(row: &mut document::ActiveModel, actor: &Actor, now: DateTime<Utc>) {
    let (by, for_user) = actor.audit_ids();
    row.modified_by_user_id = Set(Some(by.unwrap_or(actor.user_id)));
    row.modified_for_user_id = Set(for_user);
    row.modified_at = Set(now);
}

/// Changes a report's title and text (`can_modify`).
pub async fn update_report(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    input: &ReportInput,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let txn = begin_write(db).await?;
    let doc = find_to_change(&txn, actor, id, REPORT).await?;
    let mut row = doc.into_active_model();
    row.title = Set(input.title.clone());
    row.body = Set(Some(input.body.clone()));
    changed_by(&mut row, actor, now);
    row.update(&txn).await?;
    audit::record_by(
        &txn,
        actor,
        audit::action::DOCUMENT_CHANGED,
        None,
        format!("report {id} changed: \"{}\"", input.title),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Changes a PDF's details (`can_modify`).
pub async fn update_pdf(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    details: &PdfDetails,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let txn = begin_write(db).await?;
    let doc = find_to_change(&txn, actor, id, PDF).await?;
    let title = doc.title.clone();
    let mut row = doc.into_active_model();
    row.issue_date = Set(Some(date(details.issue_date)?));
    row.business_purpose = Set(Some(details.business_purpose.clone()));
    row.document_type = Set(Some(details.document_type.clone()));
    changed_by(&mut row, actor, now);
    row.update(&txn).await?;
    audit::record_by(
        &txn,
        actor,
        audit::action::DOCUMENT_CHANGED,
        None,
        format!("PDF {id} \"{title}\": details changed"),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Deletes a document (`can_delete`), and its file once the deletion is
/// committed.
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    files: &FileSettings,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let txn = begin_write(db).await?;
    let doc = find(&txn, actor, id).await?;
    if !actor.can_delete {
        return Err(ServiceError::Forbidden);
    }
    // eDocs are the brokerage's to remove: staff who manage clients.
    if doc.insured_id.is_some() {
        actor.require_account_manager_staff()?;
    }
    // Two deletes at once: only the one that removed the row records it.
    if document::Entity::delete_by_id(doc.id)
        .exec(&txn)
        .await?
        .rows_affected
        != 1
    {
        return Err(ServiceError::NotFound);
    }
    audit::record_by(
        &txn,
        actor,
        audit::action::DOCUMENT_DELETED,
        None,
        match (doc.client_account_id, doc.insured_id) {
            (_, Some(insured)) => {
                format!("eDoc {id} \"{}\" deleted from insured {insured}", doc.title)
            }
            (account, None) => format!(
                "{} {id} \"{}\" deleted from client account {}",
                if doc.kind == PDF { "PDF" } else { "report" },
                doc.title,
                account.unwrap_or_default()
            ),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    if let Some(stored) = doc.stored_name.as_deref().filter(|s| is_generated_name(s)) {
        if let Err(e) = tokio::fs::remove_file(files.dir.join(stored)).await {
            tracing::warn!(error = %e, document = id, "could not remove a deleted document's file");
        }
    }
    Ok(())
}

/// A PDF the actor may download: the name to offer and the path on disk.
pub async fn file_for_download<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i32,
    files: &FileSettings,
) -> Result<(String, std::path::PathBuf), ServiceError> {
    let doc = find(db, actor, id).await?;
    match (doc.file_name, doc.stored_name) {
        (Some(name), Some(stored)) if is_generated_name(&stored) => {
            Ok((without_format_controls(&name), files.dir.join(stored)))
        }
        _ => Err(ServiceError::NotFound),
    }
}

/// A fresh name for a stored file: 32 hex digits and `.pdf`.
pub fn generated_name() -> String {
    format!("{}.pdf", uuid::Uuid::new_v4().simple())
}

/// Whether `name` is one [`generated_name`] makes (so a stored name can never
/// point outside the directory).
pub fn is_generated_name(name: &str) -> bool {
    name.len() == 36
        && name.ends_with(".pdf")
        && name[..32]
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}
