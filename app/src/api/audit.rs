//! The Admin Portal's audit log and the development mailbox.

use crate::{
    api::dto::{AuditLogView, MailboxView},
    error::AppError,
};
use leptos::prelude::*;

/// A page of the organization's audit trail, newest first (or oldest first
/// with `order` = `oldest`); optionally only events by or about `user`, only
/// `action`, only beyond `cursor` (the last id of the previous page).
#[server(endpoint = "audit_log")]
pub async fn audit_log(
    user: Option<i32>,
    action: Option<String>,
    order: Option<String>,
    cursor: Option<i32>,
) -> Result<AuditLogView, AppError> {
    use crate::server::{request::RequestContext, services::audit_log};
    let ctx = RequestContext::current()?;
    let actor = ctx.actor().await.map_err(|e| ctx.fail(e))?;
    audit_log::list(
        &ctx.state.db,
        &actor,
        audit_log::AuditQuery {
            user_id: user,
            action,
            oldest_first: order.as_deref() == Some("oldest"),
            cursor,
        },
    )
    .await
    .map_err(|e| ctx.fail(e.into()))
}

/// The development mailbox of the signed-in staff member's organization
/// ("not found" unless the development setting turns it on).
#[server(endpoint = "dev_mailbox")]
pub async fn dev_mailbox() -> Result<MailboxView, AppError> {
    use crate::server::{request::RequestContext, services::dev_mailbox};
    let ctx = RequestContext::current()?;
    let actor = ctx.actor().await.map_err(|e| ctx.fail(e))?;
    dev_mailbox::list(&ctx.state.db, &ctx.state.mail, &actor)
        .await
        .map_err(|e| ctx.fail(e.into()))
}
