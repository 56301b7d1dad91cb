//! `outbox_messages`: emails waiting to be sent (and, once sent, the record
//! that they were). Rows are written in the transaction of the change that
//! causes them and drained by the mail worker.

use sea_orm::entity::prelude::*;

/// One email.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub recipient: String,
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    pub created_at: DateTimeUtc,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// Not to be tried before this time (backoff, or a worker's claim).
    pub next_attempt_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    /// Why the last attempt failed; for the log and operators only.
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
