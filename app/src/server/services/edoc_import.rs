//! eDocs embedded in CSIO downloads: after a file's policies are applied,
//! each readable PDF it embeds is stored like an uploaded one (same
//! directory, generated name, `%PDF-` check, size limit and quota) and
//! recorded as an eDoc of the insured its policy is attached to, in the
//! file's transaction. A document that can't be added is reported on its
//! policy's line of the import report and skipped; it never rejects the
//! file. The same document (by SHA-256) is added to an insured once, so
//! importing a download again adds nothing.

use crate::{
    domain::{document::display_file_name, edoc::code_from_download},
    server::{
        entities::{document, import_item},
        error::ServiceError,
        import::csio::PolicyDownload,
        services::{
            documents::{self, Owner},
            import_apply::Placed,
        },
        state::FileSettings,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use std::{
    collections::{HashMap, HashSet},
    path::PathBuf,
};

/// Files written for eDocs of a transaction not yet committed: removed when
/// dropped unless [`kept`](Self::keep), so a file whose transaction fails
/// leaves nothing on disk.
#[derive(Debug, Default)]
pub struct WrittenFiles(Vec<PathBuf>);

impl WrittenFiles {
    /// The transaction committed: the files are eDocs now.
    pub fn keep(&mut self) {
        self.0.clear();
    }
}

impl Drop for WrittenFiles {
    fn drop(&mut self) {
        for path in self.0.drain(..) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The import a file belongs to, as its eDocs record it.
#[derive(Debug, Clone, Copy)]
pub struct ImportedBy {
    /// The run.
    pub run_id: i32,
    /// The staff member who started it, if one did.
    pub user_id: Option<i32>,
    /// The import file (its report lines get the notes).
    pub file_id: i32,
}

/// Stores the embedded documents of `policies` placed as `placed`, inside
/// `txn`. Returns how many eDocs were added. Without `store` (an import
/// started without document storage) each document is reported as not
/// added.
#[allow(clippy::too_many_arguments)]
pub async fn store<C: ConnectionTrait>(
    txn: &C,
    org: i32,
    by: ImportedBy,
    policies: &[PolicyDownload],
    placed: &[Placed],
    store: Option<&FileSettings>,
    written: &mut WrittenFiles,
    now: DateTime<Utc>,
) -> Result<u32, ServiceError> {
    let mut added = 0u32;
    let mut notes: HashMap<usize, Vec<String>> = HashMap::new();
    let mut seen: HashSet<(i32, String)> = HashSet::new();
    let mut used: HashMap<i32, u64> = HashMap::new();
    for place in placed {
        let Some(download) = policies.get(place.seq - 1) else {
            continue;
        };
        for d in &download.documents {
            let name = display_file_name(&d.file_name);
            let mut skip = |why: String| {
                notes
                    .entry(place.seq)
                    .or_default()
                    .push(format!("eDoc {name} not added: {why}"));
            };
            let Some(files) = store else {
                skip("this import has no document storage".into());
                continue;
            };
            let bytes = match &d.content {
                Ok(b) => b,
                Err(why) => {
                    skip(why.clone());
                    continue;
                }
            };
            if !bytes.starts_with(b"%PDF-") {
                skip("it is not a PDF".into());
                continue;
            }
            if bytes.len() as u64 > files.max_upload_bytes {
                skip(format!(
                    "it is larger than the limit of {}",
                    crate::components::upload::human_size(files.max_upload_bytes)
                ));
                continue;
            }
            let sha256 = hex::encode(Sha256::digest(bytes));
            let on_file = !seen.insert((place.insured_id, sha256.clone()))
                || document::Entity::find()
                    .filter(document::Column::OrganizationId.eq(org))
                    .filter(document::Column::InsuredId.eq(place.insured_id))
                    .filter(document::Column::Sha256.eq(sha256.as_str()))
                    .one(txn)
                    .await?
                    .is_some();
            if on_file {
                notes
                    .entry(place.seq)
                    .or_default()
                    .push(format!("eDoc {name} already on file"));
                continue;
            }
            if let Some(quota) = files.account_quota_bytes {
                let so_far = match used.get(&place.insured_id) {
                    Some(u) => *u,
                    None => {
                        documents::storage_used(txn, org, Owner::Insured(place.insured_id)).await?
                    }
                };
                if so_far.saturating_add(bytes.len() as u64) > quota {
                    used.insert(place.insured_id, so_far);
                    notes.entry(place.seq).or_default().push(format!(
                        "eDoc {name} not added: the insured's eDocs would pass their storage quota"
                    ));
                    continue;
                }
                used.insert(place.insured_id, so_far + bytes.len() as u64);
            }
            let stored_name = documents::generated_name();
            tokio::fs::create_dir_all(&files.dir)
                .await
                .map_err(|e| ServiceError::Internal(Box::new(e)))?;
            let path = files.dir.join(&stored_name);
            written.0.push(path.clone());
            tokio::fs::write(&path, bytes)
                .await
                .map_err(|e| ServiceError::Internal(Box::new(e)))?;
            let code = |raw: &str| {
                let c = code_from_download(raw);
                if c.is_empty() {
                    "OTH".to_string()
                } else {
                    c
                }
            };
            let mut row = document::ActiveModel {
                organization_id: Set(org),
                client_account_id: Set(None),
                insured_id: Set(Some(place.insured_id)),
                policy_id: Set(d.about_policy.then_some(place.policy_id)),
                import_run_id: Set(Some(by.run_id)),
                sha256: Set(Some(sha256)),
                created_by_user_id: Set(by.user_id),
                created_for_user_id: Set(None),
                created_at: Set(now),
                modified_by_user_id: Set(by.user_id),
                modified_for_user_id: Set(None),
                modified_at: Set(now),
                ..Default::default()
            };
            documents::set_pdf(
                &mut row,
                &documents::StoredPdf {
                    file_name: name.clone(),
                    stored_name,
                    size_bytes: bytes.len() as i64,
                },
                d.issue_date,
                &code(&d.business_purpose),
                &code(&d.document_type),
            );
            row.insert(txn).await?;
            added += 1;
            notes
                .entry(place.seq)
                .or_default()
                .push(format!("eDoc {name} added"));
        }
    }
    // The notes join each policy's line of the report.
    for (seq, extra) in notes {
        let Some(item) = import_item::Entity::find()
            .filter(import_item::Column::OrganizationId.eq(org))
            .filter(import_item::Column::ImportFileId.eq(by.file_id))
            .filter(import_item::Column::Seq.eq(seq as i32))
            .one(txn)
            .await?
        else {
            continue;
        };
        let note = match &item.note {
            Some(n) if !n.is_empty() => format!("{n}; {}", extra.join("; ")),
            _ => extra.join("; "),
        };
        let mut row: import_item::ActiveModel = item.into();
        // The column holds 300 characters.
        let note = if note.chars().count() > 300 {
            format!("{}…", note.chars().take(299).collect::<String>())
        } else {
            note
        };
        row.note = Set(Some(note));
        row.update(txn).await?;
    }
    Ok(added)
}
