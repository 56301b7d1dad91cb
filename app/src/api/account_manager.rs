//! The Account Manager page (Admin Portal) and emulation.

use crate::{api::dto::AccountManagerView, error::AppError};
use leptos::prelude::*;

/// The Account Manager page of client account `account`.
#[server(endpoint = "account_manager")]
pub async fn account_manager(account: i32) -> Result<AccountManagerView, AppError> {
    use crate::server::{request::RequestContext, services::account_manager};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(account_manager::view(&ctx.state.db, &actor, account).await)
}

/// Creates the Account Manager's login of `account`, or resets its password
/// when it exists; answers with what was done, in words.
#[server(endpoint = "set_account_manager_login")]
pub async fn set_account_manager_login(
    account: i32,
    username: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    password: String,
    confirm_password: String,
) -> Result<String, AppError> {
    use crate::server::{
        request::RequestContext,
        services::account_manager::{self, LoginOutcome, ManagerLogin},
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let outcome = ctx.finish(
        account_manager::set_login(
            &ctx.state.db,
            &ctx.state.passwords,
            &actor,
            account,
            &ManagerLogin {
                username: username.unwrap_or_default(),
                first_name: first_name.unwrap_or_default(),
                last_name: last_name.unwrap_or_default(),
                password,
                confirm_password,
            },
            ctx.now(),
        )
        .await,
    )?;
    Ok(match outcome {
        LoginOutcome::Created => {
            "Login created. Give the Account Manager their identifier, username and initial password; they choose their own at first sign-in."
        }
        LoginOutcome::PasswordReset => {
            "Password reset. The Account Manager's sessions were ended; they choose a new password at their next sign-in."
        }
    }
    .to_string())
}

/// Starts emulating the Account Manager of `account`: a new session, then
/// the Client Portal as they see it.
#[server(endpoint = "start_emulation")]
pub async fn start_emulation(account: i32) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::emulation};
    let ctx = RequestContext::current()?;
    let (actor, token) = ctx.actor_and_token().await.map_err(|e| ctx.fail(e))?;
    let (new_token, portal) =
        ctx.finish(emulation::start(&ctx.state.db, &actor, &token, account, ctx.now()).await)?;
    ctx.set_session_cookie(&new_token);
    leptos_axum::redirect(&portal);
    Ok(())
}

/// Stops emulating: a new staff session, back to the account's Account
/// Manager page.
#[server(endpoint = "stop_emulation")]
pub async fn stop_emulation() -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::emulation};
    let ctx = RequestContext::current()?;
    let (actor, token) = ctx.actor_and_token().await.map_err(|e| ctx.fail(e))?;
    let (new_token, account) =
        ctx.finish(emulation::stop(&ctx.state.db, &actor, &token, ctx.now()).await)?;
    ctx.set_session_cookie(&new_token);
    leptos_axum::redirect(&format!("/admin/accounts/{account}/account-manager"));
    Ok(())
}
