//! Server functions of the Insureds table: a page of it, and the
//! Attach/Unattach Policies panel (its policies, a search by policy number,
//! Add and Remove), and registering insureds (Add email, Edit email, Reset
//! password). Every check is in the services.

use crate::{
    api::dto::{AttachPanelView, InsuredsListView, PolicyFoundView},
    error::AppError,
};
use leptos::prelude::*;

/// A page of the organization's insureds. `address` is the query string of
/// the page's address (`q=…&attach=1&sort=…`, see `domain::InsuredsQuery`).
#[server(endpoint = "insureds")]
pub async fn insureds(address: String) -> Result<InsuredsListView, AppError> {
    use crate::{
        domain::InsuredsQuery,
        percent::query_value,
        server::{request::RequestContext, services::insureds},
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let query = InsuredsQuery::from_params(|key| query_value(&address, key));
    ctx.finish(insureds::list(&ctx.state.db, &actor, &query, ctx.now()).await)
}

/// The policies of one insured, for its Attach/Unattach panel.
#[server(endpoint = "attach_panel")]
pub async fn attach_panel(insured: i32) -> Result<AttachPanelView, AppError> {
    use crate::server::{request::RequestContext, services::policy_attach};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(policy_attach::panel(&ctx.state.db, &actor, insured, ctx.now().date_naive()).await)
}

/// The organization's policies whose number starts with `number`.
#[server(endpoint = "find_policies")]
pub async fn find_policies(insured: i32, number: String) -> Result<Vec<PolicyFoundView>, AppError> {
    use crate::server::{request::RequestContext, services::policy_attach};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(
        policy_attach::find(
            &ctx.state.db,
            &actor,
            insured,
            &number,
            ctx.now().date_naive(),
        )
        .await,
    )
}

/// Attaches a policy to an insured; `confirm` ("1") confirms taking it from
/// a registered insured.
#[server(endpoint = "attach_policy")]
pub async fn attach_policy(
    insured: i32,
    policy: i32,
    confirm: Option<String>,
) -> Result<String, AppError> {
    use crate::server::{request::RequestContext, services::policy_attach};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(
        policy_attach::attach(
            &ctx.state.db,
            &actor,
            insured,
            policy,
            confirm.as_deref() == Some("1"),
            ctx.now(),
        )
        .await,
    )
}

/// Removes a policy from an insured (to an insured of its own download).
#[server(endpoint = "remove_policy")]
pub async fn remove_policy(insured: i32, policy: i32) -> Result<String, AppError> {
    use crate::server::{request::RequestContext, services::policy_attach};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(policy_attach::remove(&ctx.state.db, &actor, insured, policy, ctx.now()).await)
}

/// **Add email**: registers an insured for their portal; `confirmed` ("1")
/// is the "I have confirmed the policy details with the client" box.
/// Answers what happened, in words.
#[server(endpoint = "register_insured")]
pub async fn register_insured(
    insured: i32,
    email: String,
    confirmed: Option<String>,
) -> Result<String, AppError> {
    use crate::server::{
        request::RequestContext,
        services::insured_logins::{self, Registration},
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let input = Registration {
        insured_id: insured,
        email,
        confirmed: confirmed.as_deref() == Some("1"),
    };
    ctx.finish(
        insured_logins::register(&ctx.state.db, &ctx.state.mail, &actor, &input, ctx.now())
            .await
            .map(|done| {
                format!(
                    "Registered {} (identifier {}). The welcome email with a link to set a \
                     password is on its way; if it doesn't arrive, ask the client to check \
                     their junk and spam folders.",
                    done.email, done.identifier
                )
            }),
    )
}

/// **✎ Edit email**: the insured signs in with `email` from now on.
#[server(endpoint = "change_insured_email")]
pub async fn change_insured_email(insured: i32, email: String) -> Result<String, AppError> {
    use crate::server::{request::RequestContext, services::insured_logins};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(
        insured_logins::change_email(
            &ctx.state.db,
            &ctx.state.mail,
            &actor,
            insured,
            &email,
            ctx.now(),
        )
        .await
        .map(|done| {
            format!(
                "The email is now {}: the client signs in with it and keeps their password. \
                 The old address was told.",
                done.email
            )
        }),
    )
}

/// **🔑 Reset password**: emails the insured a link to choose a password.
#[server(endpoint = "send_insured_reset")]
pub async fn send_insured_reset(insured: i32) -> Result<String, AppError> {
    use crate::server::{request::RequestContext, services::insured_logins};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(
        insured_logins::send_reset(&ctx.state.db, &ctx.state.mail, &actor, insured, ctx.now())
            .await
            .map(|sent| {
                if sent.welcome {
                    format!(
                        "The client never set a password: a new welcome link was sent to {}.",
                        sent.masked_email
                    )
                } else {
                    format!("A password-reset link was sent to {}.", sent.masked_email)
                }
            }),
    )
}

/// The eDocs of `insured`, newest first (only those about `policy` when
/// given), with the insured's policies. (The PDF itself travels through
/// `/documents/upload` and `/documents/{id}/file`, see `server::files`, and
/// an eDoc is deleted with `delete_document`.)
#[server(endpoint = "insured_edocs")]
pub async fn insured_edocs(
    insured: i32,
    policy: Option<i32>,
) -> Result<crate::api::dto::EdocsView, AppError> {
    use crate::server::{request::RequestContext, services::edocs};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(
        edocs::list(
            &ctx.state.db,
            &actor,
            Some(insured),
            policy,
            &ctx.state.files,
        )
        .await,
    )
}
