//! `client_accounts`: the clients of an organization.

use sea_orm::entity::prelude::*;

/// A client account; `identifier` is unique inside its organization.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "client_accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub name: String,
    pub main_phone: Option<String>,
    pub identifier: String,
    pub created_at: DateTimeUtc,
    /// Postal address as typed (several lines).
    pub address: Option<String>,
    /// The name lower-cased: what the table sorts and searches by.
    pub name_key: String,
    /// The main phone's digits ("" without one): what phone search matches.
    pub phone_digits: String,
    /// Name key, identifier (lower case) and phone digits, one per line:
    /// what the table's search looks in (see `search_text`).
    pub search_text: String,
}

/// The `search_text` of an account.
pub fn search_text(name_key: &str, identifier: &str, phone_digits: &str) -> String {
    format!(
        "{name_key}\n{}\n{phone_digits}",
        identifier.to_ascii_lowercase()
    )
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
