//! `staff_records`: the Staff Master, one HR record per staff member.

use sea_orm::entity::prelude::*;

/// A staff member's record: Staff ID, name, hire date, linked login.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    /// As typed.
    pub staff_id: String,
    /// Lower-cased: unique per organization.
    pub staff_id_key: String,
    pub first_name: String,
    /// One upper-case letter.
    pub middle_initial: Option<String>,
    pub last_name: String,
    pub hire_date: Date,
    /// The staff login it belongs to, if linked.
    pub user_id: Option<i32>,
    /// "last first m" folded: the name sort.
    pub name_key: String,
    /// What the search looks in: the folded name and the Staff ID.
    pub search_text: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
