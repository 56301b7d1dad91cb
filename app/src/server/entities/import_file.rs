//! `import_files`: each file of an import, imported whole or rejected with
//! the reason.

use sea_orm::entity::prelude::*;

/// One file of an import.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_files")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub import_run_id: i32,
    pub file_name: String,
    pub sha256: String,
    pub bytes: i64,
    /// `imported` or `rejected`.
    pub outcome: String,
    /// Why it was rejected, in a broker's words.
    pub reason: Option<String>,
    pub policies: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
