//! The landing pages' data.

use crate::{
    api::dto::{ClientHomeView, PortalView, StaffHomeView},
    error::AppError,
};
use leptos::prelude::*;

/// The signed-in staff member's Admin Portal landing page.
#[server(endpoint = "staff_home")]
pub async fn staff_home() -> Result<StaffHomeView, AppError> {
    use crate::server::{request::RequestContext, services::home};
    let ctx = RequestContext::current()?;
    let actor = ctx.actor().await.map_err(|e| ctx.fail(e))?;
    home::staff_home(&ctx.state.db, &actor, ctx.state.mail.dev_mailbox)
        .await
        .map_err(|e| ctx.fail(e.into()))
}

/// The signed-in client user's landing page in the portal of `organization`.
#[server(endpoint = "client_home")]
pub async fn client_home(organization: String) -> Result<ClientHomeView, AppError> {
    use crate::server::{request::RequestContext, services::home};
    let ctx = RequestContext::current()?;
    let actor = ctx.actor().await.map_err(|e| ctx.fail(e))?;
    home::client_home(&ctx.state.db, &actor, &organization)
        .await
        .map_err(|e| ctx.fail(e.into()))
}

/// The name of the organization whose Client Portal is at `/portal/{organization}`.
#[server(endpoint = "portal_info")]
pub async fn portal_info(organization: String) -> Result<PortalView, AppError> {
    use crate::server::{request::RequestContext, services::home};
    let ctx = RequestContext::current()?;
    home::portal_info(&ctx.state.db, &organization)
        .await
        .map_err(|e| ctx.fail(e.into()))
}

/// The signed-in insured's portal page in the portal of `organization`:
/// their policies, their eDocs (only those about `policy` when given) and
/// their account.
#[server(endpoint = "insured_home")]
pub async fn insured_home(
    organization: String,
    policy: Option<i32>,
) -> Result<crate::api::dto::InsuredHomeView, AppError> {
    use crate::server::{request::RequestContext, services::insured_portal};
    let ctx = RequestContext::current()?;
    let actor = ctx.actor().await.map_err(|e| ctx.fail(e))?;
    insured_portal::home(
        &ctx.state.db,
        &actor,
        &organization,
        policy,
        ctx.now().date_naive(),
        &ctx.state.files,
    )
    .await
    .map_err(|e| ctx.fail(e.into()))
}
