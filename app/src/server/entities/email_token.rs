//! `email_tokens`: the single-use tokens in welcome and password-reset links.
//! The id is the SHA-256 of the token; the token itself is never stored.

use sea_orm::entity::prelude::*;

/// One issued link.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: i32,
    pub organization_id: i32,
    /// `reset` or `welcome`.
    pub purpose: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// Set when the link was used (or replaced by a newer one).
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
