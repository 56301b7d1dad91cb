//! Choosing a password: the signed-in user's own change (forced after an
//! initial password) and the page behind a welcome or reset link.

use crate::{api::dto::PasswordFormView, error::AppError};
use leptos::prelude::*;

/// The change-password form's data for the signed-in user. Allowed while a
/// password change is pending (it is the one thing that is).
#[server(endpoint = "password_form")]
pub async fn password_form() -> Result<PasswordFormView, AppError> {
    use crate::server::{request::RequestContext, services::passwords};
    let ctx = RequestContext::current()?;
    let (actor, _, _) = ctx
        .actor_changing_password()
        .await
        .map_err(|e| ctx.fail(e))?;
    passwords::change_form(&ctx.state.db, &actor)
        .await
        .map_err(|e| ctx.fail(e.into()))
}

/// Changes the signed-in user's password; their other sessions end. Goes to
/// the portal's landing page.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::passwords};
    let ctx = RequestContext::current()?;
    let (actor, token, _) = ctx
        .actor_changing_password()
        .await
        .map_err(|e| ctx.fail(e))?;
    let changed = passwords::change(
        &ctx.state.db,
        &ctx.state.passwords,
        &actor,
        &token,
        passwords::PasswordChange {
            current_password,
            new_password,
            confirm_password,
        },
        ctx.now(),
    )
    .await
    .map_err(|e| ctx.fail(e.into()))?;
    ctx.set_session_cookie(&changed.token);
    leptos_axum::redirect(&changed.next);
    Ok(())
}

/// The form behind a welcome or reset link, or `None` when the link can no
/// longer be used. Opening the link does not use it up.
#[server(endpoint = "password_link_form")]
pub async fn password_link_form(token: String) -> Result<Option<PasswordFormView>, AppError> {
    use crate::server::{request::RequestContext, services::passwords};
    let ctx = RequestContext::current()?;
    passwords::link_form(&ctx.state.db, &token, ctx.now())
        .await
        .map_err(|e| ctx.fail(e.into()))
}

/// Sets a password through a welcome or reset link (using it up), then goes
/// to the portal's sign-in page.
#[server(endpoint = "set_password_from_link")]
pub async fn set_password_from_link(
    token: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::passwords};
    let ctx = RequestContext::current()?;
    let next = passwords::set_from_link(
        &ctx.state.db,
        &ctx.state.passwords,
        &token,
        new_password,
        confirm_password,
        ctx.now(),
    )
    .await
    .map_err(|e| ctx.fail(e.into()))?;
    let sep = if next.contains('?') { '&' } else { '?' };
    leptos_axum::redirect(&format!("{next}{sep}password=set"));
    Ok(())
}
