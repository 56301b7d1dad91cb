//! `organizations`: one row per tenant (service company).

use sea_orm::entity::prelude::*;

/// An organization (tenant).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    #[sea_orm(unique)]
    pub slug: String,
    #[sea_orm(unique)]
    pub agency_prefix: String,
    pub max_user_administrators: i32,
    pub created_at: DateTimeUtc,
    /// Password policy: minimum length.
    pub password_min_length: i32,
    /// Password policy: a numeral is required.
    pub password_require_digit: bool,
    /// Password policy: a capital letter is required.
    pub password_require_upper: bool,
    /// Password policy: a special character is required.
    pub password_require_special: bool,
    /// How many days after today a Staff Master hire date may be.
    pub hire_date_days_ahead: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The organization's password policy.
    pub fn password_policy(&self) -> crate::domain::PasswordPolicy {
        crate::domain::PasswordPolicy {
            min_length: self.password_min_length.max(1) as usize,
            require_digit: self.password_require_digit,
            require_upper: self.password_require_upper,
            require_special: self.password_require_special,
        }
    }
}
