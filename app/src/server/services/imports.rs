//! Importing CSIO policy downloads: the one service behind the Imports page,
//! `server import` and the watched folder.
//!
//! An import is a run of files. Each file is read whole first; a file that
//! can't be read is rejected with a reason and the others go on. A readable
//! file is applied in one transaction, so it is imported whole or not at
//! all. For each policy of the file:
//!
//! - a policy already known (same carrier and policy number) is replaced by
//!   a newer download; an older or identical one changes nothing. The
//!   insured it is attached to stays: a broker's attachment outlives
//!   renewals;
//! - a new policy attaches to the insured whose full name, address and
//!   postal code match exactly (`domain::insured`), or else makes a new
//!   insured. A new insured that nearly matches another (same postal code
//!   and last name, or the same name at another address) is flagged Needs
//!   attaching, with a link to that insured.
//!
//! Every file and policy is reported: the report is kept, and the run's
//! totals are updated as each file finishes (they are the progress).

use super::{
    edoc_import,
    import_apply::{self, outcome},
};
use crate::{
    api::dto::{
        ImportFileView, ImportItemView, ImportListView, ImportProgressView, ImportReportView,
        ImportRunRowView, ImportTotalsView, InsuredRefView,
    },
    server::{
        auth::Actor,
        db::begin_write,
        entities::{import_file, import_item, import_run, insured, user},
        error::ServiceError,
        import::csio::{self, PolicyDownload},
        services::{audit, is_unique_violation},
        state::FileSettings,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// Largest file an import reads.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// Which door an import came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The Imports page.
    Upload,
    /// `server import`.
    CommandLine,
    /// The organization's watched folder.
    WatchedFolder,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Self::Upload => "upload",
            Self::CommandLine => "command_line",
            Self::WatchedFolder => "watched_folder",
        }
    }

    fn label(code: &str) -> &'static str {
        match code {
            "upload" => "Upload",
            "command_line" => "Command line",
            _ => "Watched folder",
        }
    }
}

/// Who imports: a signed-in staff member (a User Administrator or a Broker,
/// in their own organization), or the platform operator's command line and
/// watched folder, which name the organization themselves.
#[derive(Debug, Clone, Copy)]
pub enum Importer<'a> {
    /// From the Admin Portal.
    Staff(&'a Actor),
    /// From the server's own command line or watched folder.
    Operator {
        /// The organization the files are for.
        organization_id: i32,
    },
}

impl Importer<'_> {
    /// The organization, after checking a staff member may import.
    fn organization_id(&self) -> Result<i32, ServiceError> {
        match self {
            Self::Staff(actor) => {
                actor.require_account_manager_staff()?;
                Ok(actor.organization_id)
            }
            Self::Operator { organization_id } => Ok(*organization_id),
        }
    }

    /// Whether this importer may import at all: the organization, or why
    /// not.
    pub fn check(&self) -> Result<i32, ServiceError> {
        self.organization_id()
    }

    fn user_id(&self) -> Option<i32> {
        match self {
            Self::Staff(actor) => Some(actor.user_id),
            Self::Operator { .. } => None,
        }
    }
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOutcome {
    /// Its row in the report.
    pub file_id: i32,
    /// Why it was rejected; `None` when imported.
    pub rejected: Option<String>,
    /// Its policies' outcomes counted.
    pub totals: ImportTotalsView,
}

/// An import in progress: start it, add files one at a time, finish it.
#[derive(Debug)]
pub struct Import {
    /// The run's id (its report).
    pub run_id: i32,
    organization_id: i32,
    started_by: Option<i32>,
    /// Where embedded documents are stored as eDocs (see
    /// [`Self::storing_documents_in`]).
    documents: Option<std::sync::Arc<FileSettings>>,
}

impl Import {
    /// Opens a run for `importer`'s organization.
    pub async fn start(
        db: &DatabaseConnection,
        importer: Importer<'_>,
        source: Source,
        now: DateTime<Utc>,
    ) -> Result<Self, ServiceError> {
        let organization_id = importer.organization_id()?;
        let run = import_run::ActiveModel {
            organization_id: Set(organization_id),
            source: Set(source.as_str().to_string()),
            started_by_user_id: Set(importer.user_id()),
            started_at: Set(now),
            finished_at: Set(None),
            files: Set(0),
            policies: Set(0),
            new_insureds: Set(0),
            attached: Set(0),
            updated: Set(0),
            unchanged: Set(0),
            rejected: Set(0),
            edocs: Set(0),
            ..Default::default()
        }
        .insert(db)
        .await?;
        Ok(Self {
            run_id: run.id,
            organization_id,
            started_by: importer.user_id(),
            documents: None,
        })
    }

    /// Stores the documents the downloads embed as eDocs in `files`.
    /// Without it, each embedded document is reported as not added.
    pub fn storing_documents_in(mut self, files: std::sync::Arc<FileSettings>) -> Self {
        self.documents = Some(files);
        self
    }

    /// Takes up an upload's run again: the one `actor` started from the
    /// Imports page, still open. Anything else is not found.
    pub async fn resume(
        db: &DatabaseConnection,
        actor: &Actor,
        run_id: i32,
    ) -> Result<Self, ServiceError> {
        let organization_id = Importer::Staff(actor).organization_id()?;
        let run = import_run::Entity::find_by_id(run_id)
            .filter(import_run::Column::OrganizationId.eq(organization_id))
            .filter(import_run::Column::StartedByUserId.eq(actor.user_id))
            .filter(import_run::Column::Source.eq(Source::Upload.as_str()))
            .filter(import_run::Column::FinishedAt.is_null())
            .one(db)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(Self {
            run_id: run.id,
            organization_id,
            started_by: Some(actor.user_id),
            documents: None,
        })
    }

    /// Records a file refused before it could be read (too large, or a
    /// zip that can't be opened), with the reason.
    pub async fn refuse(
        &self,
        db: &DatabaseConnection,
        file_name: &str,
        len: usize,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<FileOutcome, ServiceError> {
        self.reject(db, &clean_file_name(file_name), "", len, reason, now)
            .await
    }

    /// Reads and applies one file. A file that can't be read, or whose
    /// changes can't be saved, is rejected and reported; only a failure to
    /// write the report itself is an error.
    pub async fn add_file(
        &self,
        db: &DatabaseConnection,
        file_name: &str,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<FileOutcome, ServiceError> {
        let file_name = clean_file_name(file_name);
        let sha256 = hex::encode(Sha256::digest(bytes));
        let parsed = if bytes.len() > MAX_FILE_BYTES {
            Err(format!(
                "larger than {} MB; split it",
                MAX_FILE_BYTES / (1024 * 1024)
            ))
        } else {
            csio::parse(bytes).map_err(|r| r.to_string())
        };
        let policies = match parsed {
            Ok(p) => p,
            Err(reason) => {
                return self
                    .reject(db, &file_name, &sha256, bytes.len(), &reason, now)
                    .await
            }
        };
        // Two imports may create the same insured or policy at once on
        // PostgreSQL: the loser's transaction fails on the unique key and is
        // simply run again, now seeing the winner's rows.
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self
                .apply(db, &file_name, &sha256, bytes.len(), &policies, now)
                .await
            {
                Ok(outcome) => return Ok(outcome),
                Err(ServiceError::Internal(cause))
                    if attempt < 3
                        && cause
                            .downcast_ref::<sea_orm::DbErr>()
                            .is_some_and(|e| is_unique_violation(e) || is_retryable(e)) =>
                {
                    continue
                }
                Err(ServiceError::Internal(cause)) => {
                    // The storage failing stops the import (no other file
                    // would fare better); anything else is this file's
                    // problem, logged, and the others go on.
                    if crate::server::error::storage_unavailable(cause.as_ref()) {
                        return Err(ServiceError::Internal(cause));
                    }
                    let reference = match crate::server::error::internal(cause.as_ref()) {
                        crate::error::AppError::Internal { reference }
                        | crate::error::AppError::Unavailable { reference } => reference,
                        _ => String::new(),
                    };
                    return self
                        .reject(
                            db,
                            &file_name,
                            &sha256,
                            bytes.len(),
                            &format!("could not be saved (reference {reference}); try it again"),
                            now,
                        )
                        .await;
                }
                Err(other) => return Err(other),
            }
        }
    }

    async fn reject(
        &self,
        db: &DatabaseConnection,
        file_name: &str,
        sha256: &str,
        len: usize,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<FileOutcome, ServiceError> {
        let txn = begin_write(db).await?;
        let file = import_file::ActiveModel {
            organization_id: Set(self.organization_id),
            import_run_id: Set(self.run_id),
            file_name: Set(file_name.to_string()),
            sha256: Set(sha256.to_string()),
            bytes: Set(len as i64),
            outcome: Set("rejected".into()),
            reason: Set(Some(reason.chars().take(500).collect())),
            policies: Set(0),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let totals = ImportTotalsView {
            files: 1,
            rejected: 1,
            ..Default::default()
        };
        self.add_totals(&txn, &totals).await?;
        txn.commit().await?;
        Ok(FileOutcome {
            file_id: file.id,
            rejected: Some(reason.to_string()),
            totals,
        })
    }

    async fn add_totals<C: ConnectionTrait>(
        &self,
        txn: &C,
        t: &ImportTotalsView,
    ) -> Result<(), ServiceError> {
        let add = |c: import_run::Column, n: u32| (c, Expr::col(c).add(n as i32));
        let mut update = import_run::Entity::update_many();
        for (col, expr) in [
            add(import_run::Column::Files, t.files),
            add(import_run::Column::Policies, t.policies),
            add(import_run::Column::NewInsureds, t.new_insureds),
            add(import_run::Column::Attached, t.attached),
            add(import_run::Column::Updated, t.updated),
            add(import_run::Column::Unchanged, t.unchanged),
            add(import_run::Column::Rejected, t.rejected),
            add(import_run::Column::Edocs, t.edocs),
        ] {
            update = update.col_expr(col, expr);
        }
        update
            .filter(import_run::Column::Id.eq(self.run_id))
            .filter(import_run::Column::OrganizationId.eq(self.organization_id))
            .exec(txn)
            .await?;
        Ok(())
    }

    /// Applies a read file in one transaction.
    async fn apply(
        &self,
        db: &DatabaseConnection,
        file_name: &str,
        sha256: &str,
        len: usize,
        policies: &[PolicyDownload],
        now: DateTime<Utc>,
    ) -> Result<FileOutcome, ServiceError> {
        let org = self.organization_id;
        let txn = begin_write(db).await?;
        let file = import_file::ActiveModel {
            organization_id: Set(org),
            import_run_id: Set(self.run_id),
            file_name: Set(file_name.to_string()),
            sha256: Set(sha256.to_string()),
            bytes: Set(len as i64),
            outcome: Set("imported".into()),
            reason: Set(None),
            policies: Set(policies.len() as i32),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;

        let mut placed = Vec::new();
        let mut totals =
            import_apply::apply(&txn, org, file.id, policies, &mut placed, now).await?;
        let mut written = edoc_import::WrittenFiles::default();
        if !placed.is_empty() {
            totals.edocs = edoc_import::store(
                &txn,
                org,
                edoc_import::ImportedBy {
                    run_id: self.run_id,
                    user_id: self.started_by,
                    file_id: file.id,
                },
                policies,
                &placed,
                self.documents.as_deref(),
                &mut written,
                now,
            )
            .await?;
        }
        totals.files = 1;
        self.add_totals(&txn, &totals).await?;
        txn.commit().await?;
        written.keep();
        Ok(FileOutcome {
            file_id: file.id,
            rejected: None,
            totals,
        })
    }

    /// Closes the run, records it in the audit trail and returns its totals.
    pub async fn finish(
        self,
        db: &DatabaseConnection,
        now: DateTime<Utc>,
    ) -> Result<ImportTotalsView, ServiceError> {
        let txn = begin_write(db).await?;
        let run = import_run::Entity::find_by_id(self.run_id)
            .filter(import_run::Column::OrganizationId.eq(self.organization_id))
            .one(&txn)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let totals = totals_of(&run);
        let mut row: import_run::ActiveModel = run.into();
        row.finished_at = Set(Some(now));
        row.update(&txn).await?;
        audit::record(
            &txn,
            audit::NewEvent {
                organization_id: self.organization_id,
                actor_user_id: self.started_by,
                on_behalf_of_user_id: None,
                action: audit::action::POLICIES_IMPORTED,
                target_user_id: None,
                details: describe(self.run_id, &totals),
            },
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(totals)
    }
}

/// A PostgreSQL deadlock or serialization failure: the transaction is
/// rolled back and may simply run again.
fn is_retryable(e: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match e {
        DbErr::Exec(RuntimeErr::SqlxError(err)) | DbErr::Query(RuntimeErr::SqlxError(err)) => err
            .as_database_error()
            .and_then(|d| d.code())
            .is_some_and(|code| code == "40P01" || code == "40001"),
        _ => false,
    }
}

/// "Import 12: 3 files (1 rejected), 120 policies: 40 new insureds, …".
pub fn describe(run_id: i32, t: &ImportTotalsView) -> String {
    format!(
        "Import {run_id}: {} file{} ({} rejected), {} polic{}: {} new insured{}, {} attached automatically, {} updated, {} unchanged",
        t.files,
        if t.files == 1 { "" } else { "s" },
        t.rejected,
        t.policies,
        if t.policies == 1 { "y" } else { "ies" },
        t.new_insureds,
        if t.new_insureds == 1 { "" } else { "s" },
        t.attached,
        t.updated,
        t.unchanged
    ) + &match t.edocs {
        0 => String::new(),
        1 => ", 1 eDoc added".to_string(),
        n => format!(", {n} eDocs added"),
    }
}

fn totals_of(run: &import_run::Model) -> ImportTotalsView {
    let n = |v: i32| Ord::max(v, 0) as u32;
    ImportTotalsView {
        files: n(run.files),
        policies: n(run.policies),
        new_insureds: n(run.new_insureds),
        attached: n(run.attached),
        updated: n(run.updated),
        unchanged: n(run.unchanged),
        rejected: n(run.rejected),
        edocs: n(run.edocs),
    }
}

/// The last path component, without control characters, at most 255
/// characters: uploads and zip entries name files as their senders like.
fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = last.chars().filter(|c| !c.is_control()).take(255).collect();
    if clean.trim().is_empty() {
        "(unnamed file)".into()
    } else {
        clean
    }
}

/// Imports `files` (name and contents) in one run and returns its report.
pub async fn import_all(
    db: &DatabaseConnection,
    importer: Importer<'_>,
    source: Source,
    documents: Option<std::sync::Arc<FileSettings>>,
    files: Vec<(String, Vec<u8>)>,
    now: DateTime<Utc>,
) -> Result<ImportReportView, ServiceError> {
    let mut import = Import::start(db, importer, source, now).await?;
    if let Some(d) = documents {
        import = import.storing_documents_in(d);
    }
    let run_id = import.run_id;
    for (name, bytes) in files {
        import.add_file(db, &name, &bytes, now).await?;
    }
    import.finish(db, now).await?;
    report(db, importer, run_id, None).await
}

/// Files per page of a report.
pub const REPORT_FILES_PER_PAGE: u64 = 5;

/// Imports per page of the list.
pub const LIST_PAGE: u64 = 25;

/// The report of import `run_id` of the importer's organization.
/// With `page`, only that page of files ([`REPORT_FILES_PER_PAGE`] each);
/// without, every file.
pub async fn report(
    db: &DatabaseConnection,
    importer: Importer<'_>,
    run_id: i32,
    page: Option<u32>,
) -> Result<ImportReportView, ServiceError> {
    let org = importer.organization_id()?;
    let run = import_run::Entity::find_by_id(run_id)
        .filter(import_run::Column::OrganizationId.eq(org))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let all_files = import_file::Entity::find()
        .filter(import_file::Column::OrganizationId.eq(org))
        .filter(import_file::Column::ImportRunId.eq(run.id))
        .order_by_asc(import_file::Column::Id);
    let (files, page, pages) = match page {
        None => (all_files.all(db).await?, 0, 1),
        Some(page) => {
            let count: u64 = import_file::Entity::find()
                .filter(import_file::Column::OrganizationId.eq(org))
                .filter(import_file::Column::ImportRunId.eq(run.id))
                .count(db)
                .await?;
            let pages = Ord::max(count.div_ceil(REPORT_FILES_PER_PAGE), 1);
            let page = Ord::min(u64::from(page), pages - 1);
            let files = all_files
                .offset(page * REPORT_FILES_PER_PAGE)
                .limit(REPORT_FILES_PER_PAGE)
                .all(db)
                .await?;
            (files, page as u32, pages as u32)
        }
    };
    let mut items: HashMap<i32, Vec<import_item::Model>> = HashMap::new();
    let file_ids: Vec<i32> = files.iter().map(|f| f.id).collect();
    for chunk in file_ids.chunks(500) {
        for item in import_item::Entity::find()
            .filter(import_item::Column::OrganizationId.eq(org))
            .filter(import_item::Column::ImportFileId.is_in(chunk.iter().copied()))
            .order_by_asc(import_item::Column::ImportFileId)
            .order_by_asc(import_item::Column::Seq)
            .all(db)
            .await?
        {
            items.entry(item.import_file_id).or_default().push(item);
        }
    }
    let insured_ids: HashSet<i32> = items
        .values()
        .flatten()
        .flat_map(|i| [i.insured_id, i.near_match_insured_id])
        .flatten()
        .collect();
    let mut names: HashMap<i32, String> = HashMap::new();
    let insured_ids: Vec<i32> = insured_ids.into_iter().collect();
    for chunk in insured_ids.chunks(500) {
        for (id, name) in insured::Entity::find()
            .select_only()
            .column(insured::Column::Id)
            .column(insured::Column::FullName)
            .filter(insured::ids_in_organization(org, chunk.iter().copied()))
            .into_tuple::<(i32, String)>()
            .all(db)
            .await?
        {
            names.insert(id, name);
        }
    }
    let reference = |id: Option<i32>| {
        id.and_then(|id| {
            names.get(&id).map(|n| InsuredRefView {
                id,
                full_name: n.clone(),
            })
        })
    };
    let started_by = name_of(db, org, run.started_by_user_id).await?;
    Ok(ImportReportView {
        id: run.id,
        source: Source::label(&run.source).to_string(),
        started_by,
        started_at: run.started_at.to_rfc3339(),
        finished_at: run.finished_at.map(|t| t.to_rfc3339()),
        totals: totals_of(&run),
        files: files
            .into_iter()
            .map(|f| ImportFileView {
                imported: f.outcome == "imported",
                reason: f.reason,
                items: items
                    .remove(&f.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|i| ImportItemView {
                        seq: Ord::max(i.seq, 0) as u32,
                        outcome_label: outcome::label(&i.outcome).to_string(),
                        insured: reference(i.insured_id),
                        near_match: reference(i.near_match_insured_id),
                        carrier_code: i.carrier_code,
                        policy_number: i.policy_number,
                        outcome: i.outcome,
                        differences: i.differences,
                        note: i.note,
                    })
                    .collect(),
                file_name: f.file_name,
            })
            .collect(),
        page,
        pages,
    })
}

/// The display name of login `id` of organization `org`.
async fn name_of(
    db: &DatabaseConnection,
    org: i32,
    id: Option<i32>,
) -> Result<Option<String>, ServiceError> {
    let Some(id) = id else { return Ok(None) };
    Ok(user::Entity::find_by_id(id)
        .filter(user::Column::OrganizationId.eq(org))
        .one(db)
        .await?
        .map(|u| {
            crate::domain::names::display_name(
                &u.first_name,
                u.middle_name.as_deref(),
                &u.last_name,
            )
        }))
}

/// The totals of import `run_id` so far (the Imports page polls this while
/// its upload is processed).
pub async fn progress(
    db: &DatabaseConnection,
    importer: Importer<'_>,
    run_id: i32,
) -> Result<ImportProgressView, ServiceError> {
    let org = importer.organization_id()?;
    let run = import_run::Entity::find_by_id(run_id)
        .filter(import_run::Column::OrganizationId.eq(org))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(ImportProgressView {
        totals: totals_of(&run),
        finished: run.finished_at.is_some(),
    })
}

/// The organization's imports, newest first, [`LIST_PAGE`] at a time
/// (`before`: the last id of the previous page).
///
/// An import still open an hour after it started was cut off (the upload
/// broke off, the server stopped): it is shown as interrupted, with what it
/// did import.
pub async fn recent(
    db: &DatabaseConnection,
    importer: Importer<'_>,
    before: Option<i32>,
    now: DateTime<Utc>,
) -> Result<ImportListView, ServiceError> {
    let org = importer.organization_id()?;
    let mut q = import_run::Entity::find()
        .filter(import_run::Column::OrganizationId.eq(org))
        .order_by_desc(import_run::Column::Id)
        .limit(LIST_PAGE + 1);
    if let Some(before) = before {
        q = q.filter(import_run::Column::Id.lt(before));
    }
    let mut runs = q.all(db).await?;
    let more = runs.len() as u64 > LIST_PAGE;
    runs.truncate(LIST_PAGE as usize);
    let mut names: HashMap<i32, Option<String>> = HashMap::new();
    let mut rows = Vec::with_capacity(runs.len());
    for run in &runs {
        let started_by = match run.started_by_user_id {
            Some(id) => match names.get(&id) {
                Some(name) => name.clone(),
                None => {
                    let name = name_of(db, org, Some(id)).await?;
                    names.insert(id, name.clone());
                    name
                }
            },
            None => None,
        };
        rows.push(ImportRunRowView {
            id: run.id,
            source: Source::label(&run.source).to_string(),
            started_by,
            started_at: run.started_at.to_rfc3339(),
            running: run.finished_at.is_none() && now - run.started_at < chrono::Duration::hours(1),
            interrupted: run.finished_at.is_none()
                && now - run.started_at >= chrono::Duration::hours(1),
            totals: totals_of(run),
        });
    }
    Ok(ImportListView {
        next: if more {
            runs.last().map(|r| r.id)
        } else {
            None
        },
        rows,
    })
}
