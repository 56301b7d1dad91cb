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
