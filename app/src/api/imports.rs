//! Server functions of the Imports page: opening an upload's import (so the
//! page can follow its totals), the totals while it runs, the list of
//! imports and one import's report. The files themselves go to
//! `POST /imports/upload` (`server::import::upload`).

use crate::{
    api::dto::{ImportProgressView, ImportReportPageView, ImportsPageView},
    error::AppError,
};
use leptos::prelude::*;

/// Opens an import for the files the page is about to upload; its id goes
/// with them. User Administrators and Brokers only.
#[server(endpoint = "begin_import")]
pub async fn begin_import() -> Result<i32, AppError> {
    use crate::server::{
        request::RequestContext,
        services::imports::{Import, Importer, Source},
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.actor().await.map_err(|e| ctx.fail(e))?;
    Import::start(
        &ctx.state.db,
        Importer::Staff(&actor),
        Source::Upload,
        ctx.now(),
    )
    .await
    .map(|i| i.run_id)
    .map_err(|e| ctx.fail(e.into()))
}

/// The totals of import `id` so far.
#[server(endpoint = "import_progress")]
pub async fn import_progress(id: i32) -> Result<ImportProgressView, AppError> {
    use crate::server::{
        request::RequestContext,
        services::imports::{self, Importer},
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.actor().await.map_err(|e| ctx.fail(e))?;
    imports::progress(&ctx.state.db, Importer::Staff(&actor), id)
        .await
        .map_err(|e| ctx.fail(e.into()))
}

/// The Imports page: the organization's imports, newest first (`before`:
/// the previous page's last id).
#[server(endpoint = "imports_page")]
pub async fn imports_page(before: Option<i32>) -> Result<ImportsPageView, AppError> {
    use crate::server::{
        import::upload::MAX_UPLOAD_BYTES,
        request::RequestContext,
        services::{
            home,
            imports::{self, Importer, MAX_FILE_BYTES},
        },
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.actor().await.map_err(|e| ctx.fail(e))?;
    let db = &ctx.state.db;
    let list = imports::recent(db, Importer::Staff(&actor), before, ctx.now())
        .await
        .map_err(|e| ctx.fail(e.into()))?;
    let frame = home::frame(db, &actor)
        .await
        .map_err(|e| ctx.fail(e.into()))?;
    Ok(ImportsPageView {
        frame,
        max_upload_bytes: MAX_UPLOAD_BYTES as u64,
        max_file_bytes: MAX_FILE_BYTES as u64,
        list,
    })
}

/// Page `page` (0-based) of import `id`'s report.
#[server(endpoint = "import_report")]
pub async fn import_report(id: i32, page: u32) -> Result<ImportReportPageView, AppError> {
    use crate::server::{
        request::RequestContext,
        services::{
            home,
            imports::{self, Importer},
        },
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.actor().await.map_err(|e| ctx.fail(e))?;
    let db = &ctx.state.db;
    let report = imports::report(db, Importer::Staff(&actor), id, Some(page))
        .await
        .map_err(|e| ctx.fail(e.into()))?;
    let frame = home::frame(db, &actor)
        .await
        .map_err(|e| ctx.fail(e.into()))?;
    Ok(ImportReportPageView { frame, report })
}
