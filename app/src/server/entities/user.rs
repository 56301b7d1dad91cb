//! `users`: staff and client logins alike. Never hard-deleted: `active` and
//! `can_login` are separate switches.

use sea_orm::{entity::prelude::*, ActiveValue::Set};

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
    /// Phone number as typed, if any.
    pub phone: Option<String>,
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
    /// The display name folded (see `domain::names::fold`): the People
    /// list's default sort. Kept by [`ActiveModelBehavior::before_save`].
    pub name_key: String,
    /// The first name folded.
    pub first_key: String,
    /// The last name folded.
    pub last_key: String,
    /// What the People list's name filter looks in: the folded display name
    /// and the username.
    pub search_text: String,
    /// `last_login_at` in seconds since 1970, 0 for never (sortable on both
    /// engines without NULLs).
    pub last_logon_key: i64,
    /// The latest administrative audit event about this login, 0 for none
    /// (kept by `services::audit::record`).
    pub admin_event_id: i32,
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

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    /// Keeps the sort and search keys in step with the names, the username
    /// and the last sign-in, whichever code changes them.
    async fn before_save<C>(mut self, _db: &C, _insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        let names_changed = self.first_name.is_set()
            || self.middle_name.is_set()
            || self.last_name.is_set()
            || self.username.is_set();
        if names_changed {
            match (
                self.first_name.try_as_ref(),
                self.middle_name.try_as_ref(),
                self.last_name.try_as_ref(),
                self.username.try_as_ref(),
            ) {
                (Some(first), Some(middle), Some(last), Some(username)) => {
                    let keys = Keys::of(first, middle.as_deref(), last, username);
                    self.name_key = Set(keys.name_key);
                    self.first_key = Set(keys.first_key);
                    self.last_key = Set(keys.last_key);
                    self.search_text = Set(keys.search_text);
                }
                _ => {
                    return Err(DbErr::Custom(
                        "a user's names and username change together (the sort keys need all four)"
                            .into(),
                    ))
                }
            }
        }
        if self.last_login_at.is_set() {
            let key = self
                .last_login_at
                .try_as_ref()
                .and_then(|t| t.map(|t| t.timestamp()))
                .unwrap_or(0);
            self.last_logon_key = Set(key);
        }
        Ok(self)
    }
}

/// The People list's keys of a login (see the fields of the same names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    /// See [`Model::name_key`].
    pub name_key: String,
    /// See [`Model::first_key`].
    pub first_key: String,
    /// See [`Model::last_key`].
    pub last_key: String,
    /// See [`Model::search_text`].
    pub search_text: String,
}

impl Keys {
    /// The keys of a login with these names and username.
    pub fn of(first: &str, middle: Option<&str>, last: &str, username: &str) -> Self {
        use crate::domain::names::{display_name, fold};
        let name_key = fold(&display_name(first, middle, last));
        Self {
            search_text: format!("{name_key}\n{username}"),
            name_key,
            first_key: fold(first),
            last_key: fold(last),
        }
    }
}

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
