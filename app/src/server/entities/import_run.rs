//! `import_runs`: one import (an upload, a command-line run or a watched
//! folder's batch) with its running totals, which are also its progress.

use sea_orm::entity::prelude::*;

/// One import and its totals.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    /// `upload`, `command_line` or `watched_folder`.
    pub source: String,
    pub started_by_user_id: Option<i32>,
    pub started_at: DateTimeUtc,
    /// `None` while files are still being read.
    pub finished_at: Option<DateTimeUtc>,
    pub files: i32,
    pub policies: i32,
    pub new_insureds: i32,
    pub attached: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub rejected: i32,
    /// eDocs added from attachments embedded in the downloads.
    pub edocs: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
