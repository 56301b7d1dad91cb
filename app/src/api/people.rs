//! The People directory in the Admin Portal: the list, and the row actions
//! a User Administrator takes on a login (each checked again in its
//! service: session, role, organization).

use crate::{api::dto::PeopleListView, error::AppError};
use leptos::prelude::*;

/// A page of the organization's logins. `address` is the query string of
/// the page's address (`side=clients&q=…`, see `domain::PeopleQuery`): the
/// filters live there, and anything unknown in it falls back to a default.
#[server(endpoint = "people")]
pub async fn people(address: String) -> Result<PeopleListView, AppError> {
    use crate::{
        domain::PeopleQuery,
        percent::query_value,
        server::{request::RequestContext, services::people},
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let query = PeopleQuery::from_params(|key| query_value(&address, key));
    ctx.finish(people::list(&ctx.state.db, &actor, &query, ctx.now()).await)
}

/// Disables (`on` = false) or enables a login; with `switch` = `login`,
/// removes or grants its Can Login instead.
#[server(endpoint = "set_person_access")]
pub async fn set_person_access(user: i32, switch: String, on: bool) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::user_access};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let switch = match switch.as_str() {
        "login" => user_access::Switch::CanLogin,
        _ => user_access::Switch::Active,
    };
    ctx.finish(
        user_access::set(&ctx.state.db, &actor, user, switch, on, ctx.now())
            .await
            .map(|_| ()),
    )
}

/// Gives a login a new initial password (typed twice), to be changed at
/// its next sign-in.
#[server(endpoint = "reset_person_password")]
pub async fn reset_person_password(
    user: i32,
    password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::people};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(
        people::reset_password(
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

/// Emails a login a link to choose their password (a welcome link when it
/// never had one, a reset link otherwise); answers which one was sent.
#[server(endpoint = "send_person_password_link")]
pub async fn send_person_password_link(user: i32) -> Result<String, AppError> {
    use crate::server::{request::RequestContext, services::recovery};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(
        recovery::send_password_link(&ctx.state.db, &ctx.state.mail, &actor, user, ctx.now())
            .await
            .map(|sent| match sent {
                recovery::LinkSent::Welcome => "Welcome link sent.".to_string(),
                recovery::LinkSent::Reset => "Reset link sent.".to_string(),
            }),
    )
}

/// Gives a staff login another role.
#[server(endpoint = "set_staff_role")]
pub async fn set_staff_role(user: i32, role: String) -> Result<(), AppError> {
    use crate::{
        domain::{ParseError, StaffRole},
        server::{request::RequestContext, services::administrators},
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let role = ctx.finish(StaffRole::from_db(&role).ok_or_else(|| {
        ParseError {
            field: "role",
            message: "Choose one of the staff roles.".into(),
        }
        .into()
    }))?;
    ctx.finish(administrators::set_role(&ctx.state.db, &actor, user, role, ctx.now()).await)
}

/// One person's page: details, settings, Company Access and history.
/// `before` pages the history; `accounts` narrows the Company Access
/// drop-down.
#[server(endpoint = "person")]
pub async fn person(
    id: i32,
    before: Option<i32>,
    accounts: Option<String>,
) -> Result<crate::api::dto::PersonView, AppError> {
    use crate::server::{request::RequestContext, services::person};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(
        person::view(
            &ctx.state.db,
            &actor,
            id,
            before,
            accounts.as_deref().unwrap_or(""),
        )
        .await,
    )
}

/// Changes a person's names, email and phone.
#[server(endpoint = "update_person_details")]
pub async fn update_person_details(
    user: i32,
    first_name: String,
    middle_name: String,
    last_name: String,
    email: String,
    phone: String,
) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::person};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let details = person::Details {
        first_name,
        middle_name,
        last_name,
        email,
        phone,
    };
    ctx.finish(person::update_details(&ctx.state.db, &actor, user, &details, ctx.now()).await)
}

/// Gives a Claims Rep (Manager) Company Access to one more client account.
#[server(endpoint = "link_company")]
pub async fn link_company(
    user: i32,
    account: Option<i32>,
    can_modify: Option<String>,
    can_delete: Option<String>,
) -> Result<(), AppError> {
    use crate::{
        domain::ParseError,
        server::{request::RequestContext, services::company_access},
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let account = ctx.finish(account.ok_or_else(|| {
        ParseError {
            field: "account",
            message: "Choose a company to link.".into(),
        }
        .into()
    }))?;
    let ticked = |v: &Option<String>| v.as_deref().is_some_and(|v| v == "on" || v == "true");
    ctx.finish(
        company_access::link(
            &ctx.state.db,
            &actor,
            user,
            account,
            (ticked(&can_modify), ticked(&can_delete)),
            ctx.now(),
        )
        .await,
    )
}

/// Removes a Claims Rep (Manager)'s Company Access to an account.
#[server(endpoint = "unlink_company")]
pub async fn unlink_company(user: i32, account: i32) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::company_access};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(company_access::unlink(&ctx.state.db, &actor, user, account, ctx.now()).await)
}

/// A Claims Rep (Manager) switches to another account they may work in,
/// then lands on that account's portal home.
#[server(endpoint = "switch_account")]
pub async fn switch_account(account: i32) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::company_access};
    let ctx = RequestContext::current()?;
    let (actor, token) = ctx.actor_and_token().await.map_err(|e| ctx.fail(e))?;
    ctx.finish(company_access::switch(&ctx.state.db, &actor, &token, account, ctx.now()).await)?;
    let slug = ctx.finish(
        crate::server::services::organizations::of_actor(&ctx.state.db, &actor)
            .await
            .map(|o| o.slug),
    )?;
    leptos_axum::redirect(&format!("/portal/{slug}"));
    Ok(())
}

/// Keeps a Claims Rep (Manager) login and folds the ticked other logins of
/// the person (`logins[]`) into it; answers what changed.
#[server(endpoint = "consolidate_logins")]
pub async fn consolidate_logins(
    user: i32,
    logins: Option<Vec<i32>>,
) -> Result<crate::api::dto::ConsolidationView, AppError> {
    use crate::server::{request::RequestContext, services::consolidation};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let chosen = logins.unwrap_or_default();
    ctx.finish(consolidation::consolidate(&ctx.state.db, &actor, user, &chosen, ctx.now()).await)
}
