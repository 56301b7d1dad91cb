//! "Forgot password" (both portals) and "forgot identifier" (Client Portal).
//! Each answers the same whether or not anything matched: the page it
//! returns to says that an email is on its way if the details are on file.

use crate::error::AppError;
use leptos::prelude::*;

/// Admin Portal: emails a reset link to the staff logins of `organization`
/// with `email`.
#[server(endpoint = "forgot_staff_password")]
pub async fn forgot_staff_password(organization: String, email: String) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::recovery};
    let ctx = RequestContext::current()?;
    recovery::forgot_staff_password(
        &ctx.state.db,
        &ctx.state.mail,
        &organization,
        &email,
        ctx.now(),
    )
    .await
    .map_err(|e| ctx.fail(e.into()))?;
    leptos_axum::redirect("/admin/forgot-password?sent=1");
    Ok(())
}

/// Client Portal: emails a reset link to the logins of the account
/// `identifier` with `email`.
#[server(endpoint = "forgot_client_password")]
pub async fn forgot_client_password(
    organization: String,
    identifier: String,
    email: String,
) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::recovery};
    let ctx = RequestContext::current()?;
    recovery::forgot_client_password(
        &ctx.state.db,
        &ctx.state.mail,
        &organization,
        &identifier,
        &email,
        ctx.now(),
    )
    .await
    .map_err(|e| ctx.fail(e.into()))?;
    leptos_axum::redirect(&format!(
        "/portal/{}/forgot-password?sent=1",
        url_segment(&organization)
    ));
    Ok(())
}

/// Client Portal: emails the identifiers of the accounts that have a login
/// with `email`.
#[server(endpoint = "forgot_identifier")]
pub async fn forgot_identifier(organization: String, email: String) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::recovery};
    let ctx = RequestContext::current()?;
    recovery::forgot_identifier(
        &ctx.state.db,
        &ctx.state.mail,
        &organization,
        &email,
        ctx.now(),
    )
    .await
    .map_err(|e| ctx.fail(e.into()))?;
    leptos_axum::redirect(&format!(
        "/portal/{}/forgot-identifier?sent=1",
        url_segment(&organization)
    ));
    Ok(())
}

/// An organization short name made safe for a path segment (short names are
/// lower-case letters, digits and hyphens; anything else is dropped).
#[cfg(feature = "ssr")]
fn url_segment(s: &str) -> String {
    s.trim()
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}
