//! `users`: staff and client logins alike. Never hard-deleted: `active` and
//! `can_login` are separate switches.

use sea_orm::entity::prelude::*;

/// A user of either portal. `kind` is `staff` or `client`; a client user
/// always has a `client_account_id`, a staff user never does.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub kind: String,
    pub role: String,
    pub client_account_id: Option<i32>,
    pub username: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub last_name: String,
    pub email: Option<String>,
    /// PHC string of the argon2id hash; `None` until a password is set.
    pub password_hash: Option<String>,
    pub active: bool,
    pub can_login: bool,
    pub must_change_password: bool,
    /// Office staff: may change the account's documents.
    pub can_modify: bool,
    /// Office staff: may delete the account's documents.
    pub can_delete: bool,
    pub last_login_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// A client user's account.
    #[sea_orm(
        belongs_to = "super::client_account::Entity",
        from = "Column::ClientAccountId",
        to = "super::client_account::Column::Id"
    )]
    ClientAccount,
}

impl Related<super::client_account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ClientAccount.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// "First M. Last".
    pub fn display_name(&self) -> String {
        crate::domain::names::display_name(
            &self.first_name,
            self.middle_name.as_deref(),
            &self.last_name,
        )
    }
}
