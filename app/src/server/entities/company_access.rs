//! `company_access`: a Claims Rep or Claims Rep Manager linked to a client
//! account other than their own, with their rights there.

use sea_orm::entity::prelude::*;

/// One link between a login and a client account of the same organization.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "company_access")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub user_id: i32,
    pub client_account_id: i32,
    /// May change the linked account's documents.
    pub can_modify: bool,
    /// May delete the linked account's documents.
    pub can_delete: bool,
    pub created_at: DateTimeUtc,
    pub created_by_user_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
