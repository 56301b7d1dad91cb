//! `documents`: a client account's reports and PDF files, and insureds'
//! eDocs, with who created and who last changed each (and for whom, when
//! staff were emulating).

use sea_orm::entity::prelude::*;

/// A report (`kind` = `report`: title and body) or a PDF (`kind` = `pdf`:
/// the uploader's file name as `title`/`file_name`, stored on disk under
/// `stored_name`, with issue date, business purpose and document type).
/// Exactly one of `client_account_id` and `insured_id` is set: an account's
/// document, or an insured's eDoc (whose purpose and type are CSIO codes,
/// see `domain::edoc`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub client_account_id: Option<i32>,
    pub kind: String,
    pub title: String,
    pub body: Option<String>,
    pub file_name: Option<String>,
    pub stored_name: Option<String>,
    pub size_bytes: Option<i64>,
    pub issue_date: Option<Date>,
    pub business_purpose: Option<String>,
    pub document_type: Option<String>,
    /// `None` for an eDoc embedded in a download imported by the command
    /// line or the watched folder (then `import_run_id` says which).
    pub created_by_user_id: Option<i32>,
    pub created_for_user_id: Option<i32>,
    pub created_at: DateTimeUtc,
    pub modified_by_user_id: Option<i32>,
    pub modified_for_user_id: Option<i32>,
    pub modified_at: DateTimeUtc,
    /// The insured whose eDoc this is.
    pub insured_id: Option<i32>,
    /// The policy the eDoc is about, if one.
    pub policy_id: Option<i32>,
    /// The import that added it, for an eDoc embedded in a download.
    pub import_run_id: Option<i32>,
    /// An embedded eDoc's SHA-256 (hex): the same file is added once.
    pub sha256: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
