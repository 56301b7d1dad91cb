//! Client accounts in the Admin Portal: the table, creating and editing an
//! account, and changing its identifier.

use crate::{
    api::dto::{AccountListView, AccountView},
    error::AppError,
};
use leptos::prelude::*;

/// A page of the organization's client accounts: `search` in name,
/// identifier or phone; `sort` one of name, identifier, phone, created;
/// `dir` = `desc` for largest first; `cursor` from the previous page.
#[server(endpoint = "client_accounts")]
pub async fn client_accounts(
    search: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    cursor: Option<String>,
) -> Result<AccountListView, AppError> {
    use crate::{
        domain::AccountSort,
        server::{request::RequestContext, services::accounts},
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let query = accounts::AccountQuery {
        search: search.unwrap_or_default(),
        sort: AccountSort::parse(sort.as_deref().unwrap_or("")),
        descending: dir.as_deref() == Some("desc"),
        cursor,
    };
    ctx.finish(accounts::list(&ctx.state.db, &actor, &query).await)
}

/// Creates a client account and opens its page.
#[server(endpoint = "create_account")]
pub async fn create_account(
    name: String,
    main_phone: String,
    address: String,
) -> Result<(), AppError> {
    use crate::{
        domain::AccountDetails,
        server::{request::RequestContext, services::accounts},
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let details =
        ctx.finish(AccountDetails::parse(&name, &main_phone, &address).map_err(Into::into))?;
    let account =
        ctx.finish(accounts::create_for_staff(&ctx.state.db, &actor, &details, ctx.now()).await)?;
    leptos_axum::redirect(&format!("/admin/accounts/{}", account.id));
    Ok(())
}

/// A client account's page.
#[server(endpoint = "client_account")]
pub async fn client_account(id: i32) -> Result<AccountView, AppError> {
    use crate::server::{request::RequestContext, services::accounts};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(accounts::view(&ctx.state.db, &actor, id).await)
}

/// Changes a client account's name, main phone and address.
#[server(endpoint = "update_account")]
pub async fn update_account(
    id: i32,
    name: String,
    main_phone: String,
    address: String,
) -> Result<(), AppError> {
    use crate::{
        domain::AccountDetails,
        server::{request::RequestContext, services::accounts},
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let details =
        ctx.finish(AccountDetails::parse(&name, &main_phone, &address).map_err(Into::into))?;
    ctx.finish(accounts::update(&ctx.state.db, &actor, id, &details, ctx.now()).await)
}

/// Gives a client account a new identifier; answers with it as stored.
#[server(endpoint = "change_identifier")]
pub async fn change_identifier(id: i32, identifier: String) -> Result<String, AppError> {
    use crate::server::{request::RequestContext, services::accounts};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(
        accounts::change_identifier(&ctx.state.db, &actor, id, &identifier, ctx.now())
            .await
            .map(|i| i.as_str().to_string()),
    )
}
