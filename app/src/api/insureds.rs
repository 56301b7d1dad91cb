//! Server functions of the Insureds table: a page of it, and the
//! Attach/Unattach Policies panel (its policies, a search by policy number,
//! Add and Remove). Every check is in the services.

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
    ctx.finish(insureds::list(&ctx.state.db, &actor, &query, ctx.now().date_naive()).await)
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
