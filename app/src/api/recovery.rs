//! "Forgot password" (both portals) and "forgot identifier" (Client Portal).
//! Each answers the same whether or not anything matched: the page it
//! returns to says that an email is on its way if the details are on file.
//! The form is checked at once (a malformed address is said next to the
//! field); the lookup and the email are then done in the background, so the
//! answer does not take longer when an address is on file.

use crate::error::AppError;
use leptos::prelude::*;

/// Runs a recovery request after the answer has gone; a failure is logged
/// with its reference id like any internal error.
#[cfg(feature = "ssr")]
fn in_background(
    work: impl std::future::Future<Output = Result<(), crate::server::error::ServiceError>>
        + Send
        + 'static,
) {
    tokio::spawn(async move {
        if let Err(e) = work.await {
            let _ = AppError::from(e);
        }
    });
}

/// Admin Portal: emails a reset link to the staff logins of `organization`
/// with `email`.
#[server(endpoint = "forgot_staff_password")]
pub async fn forgot_staff_password(organization: String, email: String) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::recovery};
    let ctx = RequestContext::current()?;
    recovery::check_staff_request(&organization, &email).map_err(|e| ctx.fail(e.into()))?;
    let (db, mail, now) = (ctx.state.db.clone(), ctx.state.mail.clone(), ctx.now());
    in_background(async move {
        recovery::forgot_staff_password(&db, &mail, &organization, &email, now).await
    });
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
    recovery::check_client_request(&identifier, &email).map_err(|e| ctx.fail(e.into()))?;
    let next = format!(
        "/portal/{}/forgot-password?sent=1",
        url_segment(&organization)
    );
    let (db, mail, now) = (ctx.state.db.clone(), ctx.state.mail.clone(), ctx.now());
    in_background(async move {
        recovery::forgot_client_password(&db, &mail, &organization, &identifier, &email, now).await
    });
    leptos_axum::redirect(&next);
    Ok(())
}

/// Client Portal: emails the identifiers of the accounts that have a login
/// with `email`.
#[server(endpoint = "forgot_identifier")]
pub async fn forgot_identifier(organization: String, email: String) -> Result<(), AppError> {
    use crate::{
        domain::Email,
        server::{request::RequestContext, services::recovery},
    };
    let ctx = RequestContext::current()?;
    Email::parse(&email).map_err(|e| ctx.fail(e.into()))?;
    let next = format!(
        "/portal/{}/forgot-identifier?sent=1",
        url_segment(&organization)
    );
    let (db, mail, now) = (ctx.state.db.clone(), ctx.state.mail.clone(), ctx.now());
    in_background(async move {
        recovery::forgot_identifier(&db, &mail, &organization, &email, now).await
    });
    leptos_axum::redirect(&next);
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
