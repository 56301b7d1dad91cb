//! A client account's documents: the list, reports, PDF details and
//! deletion. (PDF bytes travel through `/documents/upload` and
//! `/documents/{id}/file`, see `server::files`.)

use crate::{api::dto::DocumentsView, error::AppError};
use leptos::prelude::*;

/// A page of the documents of `account` (staff), or of the signed-in client
/// user's own account (`account` omitted); `before` is the previous page's
/// `older` cursor.
#[server(endpoint = "documents")]
pub async fn documents(
    account: Option<i32>,
    before: Option<i32>,
) -> Result<DocumentsView, AppError> {
    use crate::server::{request::RequestContext, services::documents};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(documents::list(&ctx.state.db, &actor, account, before, &ctx.state.files).await)
}

/// Adds a report; answers with its id.
#[server(endpoint = "add_report")]
pub async fn add_report(
    account: Option<i32>,
    title: String,
    body: String,
) -> Result<i32, AppError> {
    use crate::{
        domain::document::ReportInput,
        server::{request::RequestContext, services::documents},
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let input = ctx.finish(ReportInput::parse(&title, &body).map_err(Into::into))?;
    ctx.finish(documents::add_report(&ctx.state.db, &actor, account, &input, ctx.now()).await)
}

/// Changes a report's title and text.
#[server(endpoint = "update_report")]
pub async fn update_report(id: i32, title: String, body: String) -> Result<(), AppError> {
    use crate::{
        domain::document::ReportInput,
        server::{request::RequestContext, services::documents},
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let input = ctx.finish(ReportInput::parse(&title, &body).map_err(Into::into))?;
    ctx.finish(documents::update_report(&ctx.state.db, &actor, id, &input, ctx.now()).await)
}

/// Changes a PDF's issue date, business purpose and document type.
#[server(endpoint = "update_pdf_details")]
pub async fn update_pdf_details(
    id: i32,
    issue_date: String,
    business_purpose: String,
    document_type: String,
) -> Result<(), AppError> {
    use crate::{
        domain::document::PdfDetails,
        server::{request::RequestContext, services::documents},
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let details = ctx.finish(
        PdfDetails::parse(&issue_date, &business_purpose, &document_type).map_err(Into::into),
    )?;
    ctx.finish(documents::update_pdf(&ctx.state.db, &actor, id, &details, ctx.now()).await)
}

/// Deletes a document (and its file).
#[server(endpoint = "delete_document")]
pub async fn delete_document(id: i32) -> Result<(), AppError> {
    use crate::server::{request::RequestContext, services::documents};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(documents::delete(&ctx.state.db, &actor, id, &ctx.state.files, ctx.now()).await)
}
