//! The Account Manager's office staff (Client Portal).

use crate::{api::dto::OfficeStaffListView, error::AppError};
use leptos::prelude::*;

/// A checkbox's value as an HTML form sends it: present ("on") or absent.
#[cfg(feature = "ssr")]
fn checked(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| v == "on" || v == "true")
}

/// The office staff of the signed-in Account Manager's account.
#[server(endpoint = "office_staff")]
pub async fn office_staff(after: Option<i32>) -> Result<OfficeStaffListView, AppError> {
    use crate::server::{request::RequestContext, services::office_staff};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(office_staff::list(&ctx.state.db, &actor, after).await)
}

/// Creates an Authorized Office Staff User with an initial password.
#[server(endpoint = "create_office_staff")]
pub async fn create_office_staff(
    first_name: String,
    last_name: String,
    username: String,
    password: String,
    confirm_password: String,
    can_modify: Option<String>,
    can_delete: Option<String>,
) -> Result<i32, AppError> {
    use crate::server::{request::RequestContext, services::office_staff};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(
        office_staff::create(
            &ctx.state.db,
            &ctx.state.passwords,
            &actor,
            &office_staff::NewOfficeStaff {
                first_name,
                last_name,
                username,
                password,
                confirm_password,
                can_modify: checked(&can_modify),
                can_delete: checked(&can_delete),
            },
            ctx.now(),
        )
        .await,
    )
}

/// Grants or revokes an office staff user's modify and delete rights.
#[server(endpoint = "set_office_staff_rights")]
pub async fn set_office_staff_rights(
    user: i32,
    can_modify: Option<String>,
    can_delete: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::office_staff};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(
        office_staff::set_rights(
            &ctx.state.db,
            &actor,
            user,
            checked(&can_modify),
            checked(&can_delete),
            ctx.now(),
        )
        .await,
    )
}

/// Disables (`active` = false) or enables an office staff user.
#[server(endpoint = "set_office_staff_active")]
pub async fn set_office_staff_active(user: i32, active: bool) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::office_staff};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(office_staff::set_active(&ctx.state.db, &actor, user, active, ctx.now()).await)
}

/// Gives an office staff user a new initial password.
#[server(endpoint = "reset_office_staff_password")]
pub async fn reset_office_staff_password(
    user: i32,
    password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::office_staff};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(
        office_staff::reset_password(
            &ctx.state.db,
            &ctx.state.passwords,
            &actor,
            user,
            &password,
            &confirm_password,
            ctx.now(),
        )
        .await,
    )
}
