//! `POST /imports/upload`: the Imports page's door. A plain axum handler,
//! because files should stream rather than travel as a server function's
//! argument.
//!
//! Multipart fields: `run` (optional, first: the import the page opened
//! with `begin_import`, so it can show the totals while the files are
//! processed) and `files` (one or more CSIO downloads or zips of them).
//! Each file is imported as soon as it has arrived, so processing runs
//! while the rest uploads. The whole body is at most [`MAX_UPLOAD_BYTES`].
//! Script callers (`Accept: application/json`) get `{"id": …}` (201) or an
//! `AppError`; a plain form post is redirected to the import's report (or
//! back to the Imports page with the error).

use crate::{
    error::AppError,
    server::{
        import::archive::{self, Entry, ZipFiles},
        request::{status_of, RequestContext},
        services::imports::{Import, Importer, Source, MAX_FILE_BYTES},
        state::AppState,
    },
};
use axum::{
    extract::{FromRequest, Multipart, Request, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};

/// The largest upload (all files and zips together).
pub const MAX_UPLOAD_BYTES: usize = 200 * 1024 * 1024;

/// Uploads processed at once, server-wide. Each holds at most one zip
/// ([`MAX_UPLOAD_BYTES`]) and one unpacked file in memory; more wait their
/// turn, so memory stays bounded whatever the number of brokers.
static AT_ONCE: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

fn refuse(field: Option<&str>, message: impl Into<String>) -> AppError {
    AppError::Validation {
        field: field.map(str::to_string),
        message: message.into(),
    }
}

/// The handler.
pub async fn upload(State(state): State<AppState>, req: Request) -> Response {
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let (parts, body) = req.into_parts();
    let ctx = RequestContext::new(state.clone(), parts.clone());
    let outcome = receive(&ctx, &state, Request::from_parts(parts, body)).await;
    let refused = outcome.is_err();
    let mut response = answer(outcome, wants_json);
    if refused {
        // The body may not have been read to its end.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

fn answer(outcome: Result<i32, AppError>, wants_json: bool) -> Response {
    if wants_json {
        return match outcome {
            Ok(id) => (StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response(),
            Err(e) => (status_of(&e), Json(e)).into_response(),
        };
    }
    let location = match outcome {
        Ok(id) => format!("/admin/imports/{id}"),
        Err(AppError::SignInRequired) => "/".into(),
        // A code, not words: the page says what it means, so a link can't
        // make the page say something else.
        Err(e) => {
            let code = match &e {
                AppError::Validation { message, .. } if message.contains("larger than") => {
                    "too_large"
                }
                AppError::Validation { message, .. } if message.starts_with("Choose") => "no_files",
                AppError::Validation { message, .. } if message.contains("interrupted") => {
                    "interrupted"
                }
                AppError::Forbidden => "forbidden",
                _ => "failed",
            };
            format!("/admin/imports?import_error={code}")
        }
    };
    (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            HeaderValue::from_str(&location).unwrap_or(HeaderValue::from_static("/admin/imports")),
        )],
    )
        .into_response()
}

async fn receive(ctx: &RequestContext, state: &AppState, req: Request) -> Result<i32, AppError> {
    let actor = ctx.actor().await?;
    // Refuse a visitor who may not import before reading any file.
    Importer::Staff(&actor)
        .check()
        .map_err(|e| ctx.fail(e.into()))?;
    let mut multipart = Multipart::from_request(req, &())
        .await
        .map_err(|_| refuse(None, "Send the form as multipart/form-data."))?;
    let _turn = AT_ONCE
        .acquire()
        .await
        .map_err(|_| refuse(None, "The server is stopping. Try again in a minute."))?;
    let mut import: Option<Import> = None;
    let read = read_files(ctx, state, &actor, &mut multipart, &mut import).await;
    // Whatever arrived is imported (each file whole); the run is closed
    // even when the upload broke off, so its report is complete.
    if let Some(import) = import {
        let id = import.run_id;
        import
            .finish(&state.db, ctx.now())
            .await
            .map_err(|e| ctx.fail(e.into()))?;
        read?;
        return Ok(id);
    }
    read?;
    Err(refuse(Some("files"), "Choose one or more files to import."))
}

async fn read_files(
    ctx: &RequestContext,
    state: &AppState,
    actor: &crate::server::auth::Actor,
    multipart: &mut Multipart,
    import: &mut Option<Import>,
) -> Result<(), AppError> {
    let db = &state.db;
    let mut allowance = archive::Allowance::default();
    let too_large = || {
        refuse(
            Some("files"),
            format!(
                "The upload is larger than {} MB in all; send fewer files at a time.",
                MAX_UPLOAD_BYTES / (1024 * 1024)
            ),
        )
    };
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(()),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(refuse(None, "The upload was interrupted. Try again.")),
        };
        let field_name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().unwrap_or("").to_string();
        // A zip may be as large as the upload; any other file is kept only
        // up to one byte past the per-file limit (the import then refuses
        // it) and the rest of it is read and dropped.
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(c)) => {
                    if field_name != "files" && bytes.len() + c.len() > 64 {
                        return Err(refuse(None, "The form is not the Imports page's."));
                    }
                    let keep = if bytes.len() >= 4 && archive::is_zip(&bytes) {
                        c.len()
                    } else {
                        c.len()
                            .min((MAX_FILE_BYTES + 1).saturating_sub(bytes.len()))
                    };
                    bytes.extend_from_slice(&c[..keep]);
                }
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                Err(_) => return Err(refuse(None, "The upload was interrupted. Try again.")),
            }
        }
        match field_name.as_str() {
            // Empty when the form is posted without script.
            "run" if import.is_none() && !bytes.iter().all(u8::is_ascii_whitespace) => {
                let id: i32 = std::str::from_utf8(&bytes)
                    .ok()
                    .and_then(|t| t.trim().parse().ok())
                    .ok_or(AppError::NotFound)?;
                *import = Some(
                    Import::resume(db, actor, id)
                        .await
                        .map_err(|e| ctx.fail(e.into()))?
                        .storing_documents_in(state.files.clone()),
                );
            }
            "files" => {
                if file_name.is_empty() && bytes.is_empty() {
                    // The file input sent with nothing chosen.
                    continue;
                }
                if import.is_none() {
                    *import = Some(
                        Import::start(db, Importer::Staff(actor), Source::Upload, ctx.now())
                            .await
                            .map_err(|e| ctx.fail(e.into()))?
                            .storing_documents_in(state.files.clone()),
                    );
                }
                let run = import.as_ref().expect("set above");
                take_file(ctx, state, run, &file_name, &bytes, &mut allowance).await?;
            }
            _ => {}
        }
    }
}

/// Imports one uploaded file, or every file of an uploaded zip.
async fn take_file(
    ctx: &RequestContext,
    state: &AppState,
    run: &Import,
    file_name: &str,
    bytes: &[u8],
    allowance: &mut archive::Allowance,
) -> Result<(), AppError> {
    let db = &state.db;
    let fail = |e: crate::server::error::ServiceError| ctx.fail(e.into());
    if !archive::is_zip(bytes) {
        run.add_file(db, file_name, bytes, ctx.now())
            .await
            .map_err(fail)?;
        return Ok(());
    }
    let mut files = match ZipFiles::open(bytes, MAX_FILE_BYTES, allowance) {
        Ok(f) => f,
        Err(reason) => {
            run.refuse(db, file_name, bytes.len(), &reason, ctx.now())
                .await
                .map_err(fail)?;
            return Ok(());
        }
    };
    let zip = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let shown = |inner: &str| {
        let base = inner.rsplit('/').next().unwrap_or(inner);
        format!("{base} (in {zip})")
    };
    while let Some(entry) = files.next_entry(allowance) {
        match entry {
            Entry::File(inner, contents) => {
                run.add_file(db, &shown(&inner), &contents, ctx.now())
                    .await
                    .map_err(fail)?;
            }
            Entry::Refused(inner, reason) => {
                run.refuse(db, &shown(&inner), 0, &reason, ctx.now())
                    .await
                    .map_err(fail)?;
            }
            Entry::Stop(reason) => {
                run.refuse(db, file_name, bytes.len(), &reason, ctx.now())
                    .await
                    .map_err(fail)?;
                break;
            }
        }
    }
    Ok(())
}
