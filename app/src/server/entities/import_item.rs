//! `import_items`: what an import did with each policy of a file.

use sea_orm::entity::prelude::*;

/// One policy of an imported file.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub import_file_id: i32,
    /// 1-based position in the file.
    pub seq: i32,
    pub carrier_code: String,
    pub policy_number: String,
    /// `new_insured`, `attached`, `updated` or `unchanged`.
    pub outcome: String,
    pub policy_id: Option<i32>,
    /// The insured the policy is attached to.
    pub insured_id: Option<i32>,
    /// For a new insured: the existing one it nearly matched.
    pub near_match_insured_id: Option<i32>,
    /// For a new insured: which of name, address and postal code differed
    /// from the nearest insured ("name and postal code").
    pub differences: Option<String>,
    /// A short explanation ("older than the stored download").
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
