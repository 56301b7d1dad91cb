//! `sessions`: server-side sessions. The id is the SHA-256 of the cookie's
//! random token, so a leaked database does not hand out live cookies.

use sea_orm::entity::prelude::*;

/// A signed-in browser.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: i32,
    pub organization_id: i32,
    pub created_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// The Account Manager this (staff) session is emulating, if any.
    pub emulated_user_id: Option<i32>,
    /// The client account a Claims Rep (Manager) with Company Access is
    /// working in, when not their own (checked against the links on every
    /// request).
    pub current_account_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The signed-in user.
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id"
    )]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
