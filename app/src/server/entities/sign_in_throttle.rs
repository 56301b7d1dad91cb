//! `sign_in_throttles`: failed sign-ins per (organization, portal scope,
//! normalised username), and the lock-out they lead to.

use sea_orm::entity::prelude::*;

/// The failure count and lock-out of one sign-in key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_in_throttles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    /// `staff`, or `client:{identifier}` for a Client Portal account.
    pub scope: String,
    /// The username as typed, trimmed and lower-cased.
    pub username: String,
    /// Failures since the last success or lock-out.
    pub failures: i32,
    /// Lock-outs in a row; each one doubles the next lock's length.
    pub lockouts: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
