//! Sign-in and sign-out for both portals. The forms work as plain HTML posts
//! (the server answers with a redirect, and errors come back in the URL) and,
//! once hydrated, without a page load.

use crate::error::AppError;
use leptos::prelude::*;

/// Admin Portal sign-in: organization short name, username, password. On
/// success the session cookie is set and the browser goes to `/admin`.
#[server(endpoint = "staff_sign_in")]
pub async fn staff_sign_in(
    organization: String,
    username: String,
    password: String,
) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::sign_in};
    let ctx = RequestContext::current()?;
    let previous = ctx.session_token();
    let signed_in = sign_in::staff(
        &ctx.state.db,
        &ctx.state.passwords,
        &ctx.state.sessions,
        sign_in::StaffCredentials {
            organization,
            username,
            password,
        },
        previous.as_deref(),
        ctx.now(),
    )
    .await
    .map_err(|e| ctx.fail(e.into()))?;
    ctx.set_session_cookie(&signed_in.token);
    leptos_axum::redirect(&signed_in.landing);
    Ok(())
}

/// Client Portal sign-in at `/portal/{organization}`: identifier, username,
/// password. On success the browser goes to the portal's landing page.
#[server(endpoint = "client_sign_in")]
pub async fn client_sign_in(
    organization: String,
    identifier: String,
    username: String,
    password: String,
) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::sign_in};
    let ctx = RequestContext::current()?;
    let previous = ctx.session_token();
    let signed_in = sign_in::client(
        &ctx.state.db,
        &ctx.state.passwords,
        &ctx.state.sessions,
        sign_in::ClientCredentials {
            organization,
            identifier,
            username,
            password,
        },
        previous.as_deref(),
        ctx.now(),
    )
    .await
    .map_err(|e| ctx.fail(e.into()))?;
    ctx.set_session_cookie(&signed_in.token);
    leptos_axum::redirect(&signed_in.landing);
    Ok(())
}

/// Signs out of whichever portal the session belongs to and goes to that
/// portal's sign-in page. Without a live session it just goes home.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::sign_in};
    let ctx = RequestContext::current()?;
    let next = match ctx.session_token() {
        Some(token) => sign_in::sign_out(&ctx.state.db, &ctx.state.sessions, &token, ctx.now())
            .await
            .map_err(|e| ctx.fail(e.into()))?,
        None => "/".to_string(),
    };
    ctx.clear_session_cookie();
    leptos_axum::redirect(&next);
    Ok(())
}
