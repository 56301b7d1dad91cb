//! Uploading and downloading PDF documents: plain axum handlers, because a
//! file should stream rather than travel as a server function's argument.
//!
//! * `POST /documents/upload` (multipart: `account` for staff, `issue_date`,
//!   `business_purpose`, `document_type`, `file`, optional `return_to`; or,
//!   for an insured's eDoc, `insured` and optionally `policy` instead of
//!   `account`, with the purpose and type as codes of `domain::edoc`). The
//!   file streams to a temporary file in the documents directory; the upload
//!   is refused as soon as it passes the size limit, and unless it starts
//!   with `%PDF-`. Only then is it renamed to a generated name and recorded.
//!   Script callers (`Accept: application/json`) get `{"id": …}` or an
//!   [`AppError`] with a fitting status; a plain form post is redirected back
//!   to `return_to` with `uploaded=1` or `upload_error=…`.
//! * `GET /documents/{id}/file`: the PDF as an attachment, for whoever may
//!   see the document (checked per account in `services::documents`).

use crate::{
    components::upload::human_size,
    domain::{
        document::{display_file_name, PdfDetails},
        edoc::EdocDetails,
    },
    error::AppError,
    server::{
        request::{status_of, RequestContext},
        services::{
            documents::{self, StoredPdf},
            edocs,
        },
        state::AppState,
    },
};
use axum::{
    body::Body,
    extract::{FromRequest, Multipart, Path, Request, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;

/// The magic bytes every PDF starts with.
const PDF_MAGIC: &[u8] = b"%PDF-";

/// Largest text field of the upload form.
const TEXT_FIELD_MAX: usize = 4096;

/// How an upload went wrong, before it became a document.
fn refuse(field: Option<&str>, message: impl Into<String>) -> AppError {
    AppError::Validation {
        field: field.map(str::to_string),
        message: message.into(),
    }
}

/// Removes a temporary file when dropped, unless it was kept.
struct TempFile(Option<PathBuf>);

impl TempFile {
    /// Tracks `path` instead, removing the file tracked until now.
    fn track(&mut self, path: PathBuf) {
        if let Some(old) = self.0.replace(path) {
            if self.0.as_ref().is_none_or(|p| *p != old) {
                let _ = std::fs::remove_file(old);
            }
        }
    }
    /// The file was renamed to `path`: track it under that name.
    fn renamed(&mut self, path: PathBuf) {
        self.0 = Some(path);
    }
    /// The file is a document now: keep it.
    fn keep(&mut self) {
        self.0 = None;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// What the form sent besides the file.
#[derive(Default)]
struct UploadForm {
    account: Option<i32>,
    insured: Option<i32>,
    policy: Option<i32>,
    issue_date: String,
    business_purpose: String,
    document_type: String,
    return_to: Option<String>,
    file: Option<(String, PathBuf, u64)>,
}

/// `POST /documents/upload`.
pub async fn upload(State(state): State<AppState>, req: Request) -> Response {
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let (parts, body) = req.into_parts();
    let ctx = RequestContext::new(state.clone(), parts.clone());
    let mut form = UploadForm::default();
    let outcome = receive(&ctx, &state, Request::from_parts(parts, body), &mut form).await;
    let refused = outcome.is_err();
    let mut response = upload_answer(outcome, wants_json, form.return_to);
    // A refusal may come before the body was read to its end: the
    // connection then can't carry another request, so say it closes rather
    // than leave the client to reuse it.
    if refused {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// The answer to an upload: JSON for scripts, a redirect back for a form
/// (to `return_to` when it is a path of this site, else home). Also used by
/// the upload rate limit, which refuses before the form is read.
pub fn upload_answer(
    outcome: Result<i32, AppError>,
    wants_json: bool,
    return_to: Option<String>,
) -> Response {
    if wants_json {
        return match outcome {
            Ok(id) => (StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response(),
            Err(e) => (status_of(&e), Json(e)).into_response(),
        };
    }
    // A plain form post: back to the page it came from (a path of this site
    // only), with the outcome in the address.
    let back = return_to
        .filter(|p| {
            p.starts_with('/')
                && !p.starts_with("//")
                && !p
                    .chars()
                    .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
        })
        .unwrap_or_else(|| "/".into());
    let sep = if back.contains('?') { '&' } else { '?' };
    let location = match outcome {
        Ok(_) => format!("{back}{sep}uploaded=1"),
        Err(AppError::SignInRequired) => "/".into(),
        Err(e) => format!(
            "{back}{sep}upload_error={}",
            crate::percent::encode(&e.to_string())
        ),
    };
    (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            HeaderValue::from_str(&location).unwrap_or(HeaderValue::from_static("/")),
        )],
    )
        .into_response()
}

/// Streams the form in, checks it, records the document. Returns its id.
async fn receive(
    ctx: &RequestContext,
    state: &AppState,
    req: Request,
    form: &mut UploadForm,
) -> Result<i32, AppError> {
    let actor = ctx.actor().await?;
    // Refused before a byte of the file is stored: an insured adds nothing
    // (their eDocs come from the brokerage).
    if actor.is_insured() {
        return Err(AppError::Forbidden);
    }
    let limit = state.files.max_upload_bytes;
    let too_large = || {
        refuse(
            Some("file"),
            format!(
                "The file is larger than the limit of {}.",
                human_size(limit)
            ),
        )
    };
    let mut multipart = Multipart::from_request(req, &())
        .await
        .map_err(|_| refuse(None, "Send the form as multipart/form-data."))?;
    let mut temp = TempFile(None);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            // A body cut off, malformed, or over the router's hard limit.
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(refuse(None, "The upload was interrupted. Try again.")),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let shown = display_file_name(field.file_name().unwrap_or(""));
            tokio::fs::create_dir_all(&state.files.dir)
                .await
                .map_err(|e| crate::server::error::internal(&e))?;
            let path = state
                .files
                .dir
                .join(format!("upload-{}.part", uuid::Uuid::new_v4().simple()));
            temp.track(path.clone());
            let mut out = tokio::fs::File::create(&path)
                .await
                .map_err(|e| crate::server::error::internal(&e))?;
            let mut size: u64 = 0;
            let mut head: Vec<u8> = Vec::with_capacity(PDF_MAGIC.len());
            let mut field = field;
            loop {
                let chunk = match field.chunk().await {
                    Ok(Some(c)) => c,
                    Ok(None) => break,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        return Err(too_large())
                    }
                    Err(_) => return Err(refuse(None, "The upload was interrupted. Try again.")),
                };
                size += chunk.len() as u64;
                if size > limit {
                    // Stop reading at once: the rest of the body is never
                    // stored.
                    return Err(too_large());
                }
                if head.len() < PDF_MAGIC.len() {
                    let take = (PDF_MAGIC.len() - head.len()).min(chunk.len());
                    head.extend_from_slice(&chunk[..take]);
                    if !PDF_MAGIC.starts_with(&head) {
                        return Err(not_a_pdf());
                    }
                }
                out.write_all(&chunk)
                    .await
                    .map_err(|e| crate::server::error::internal(&e))?;
            }
            out.flush()
                .await
                .map_err(|e| crate::server::error::internal(&e))?;
            if size == 0 {
                return Err(refuse(Some("file"), "Choose a PDF file to upload."));
            }
            if head != PDF_MAGIC {
                return Err(not_a_pdf());
            }
            form.file = Some((shown, path, size));
        } else {
            // Read chunk by chunk, so an oversized field is refused without
            // being held in memory whole.
            let mut bytes = Vec::new();
            let mut field = field;
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|_| refuse(None, "The upload was interrupted. Try again."))?
            {
                if bytes.len() + chunk.len() > TEXT_FIELD_MAX {
                    return Err(refuse(Some(leak_name(&name)), "This is too long."));
                }
                bytes.extend_from_slice(&chunk);
            }
            let text = String::from_utf8(bytes)
                .map_err(|_| refuse(Some(leak_name(&name)), "This is not valid text."))?;
            match name.as_str() {
                "account" => {
                    form.account = Some(text.trim().parse().map_err(|_| AppError::NotFound)?)
                }
                "insured" => {
                    // eDocs are added by staff who manage clients only: say
                    // so before the file is read.
                    actor.require_account_manager_staff()?;
                    form.insured = Some(text.trim().parse().map_err(|_| AppError::NotFound)?)
                }
                // "Not about one policy" is sent as an empty choice.
                "policy" if text.trim().is_empty() => form.policy = None,
                "policy" => {
                    form.policy = Some(text.trim().parse().map_err(|_| {
                        refuse(Some("policy"), "Choose one of this insured's policies.")
                    })?)
                }
                "issue_date" => form.issue_date = text,
                "business_purpose" => form.business_purpose = text,
                "document_type" => form.document_type = text,
                "return_to" => form.return_to = Some(text),
                _ => {}
            }
        }
    }
    // The details are checked before the file is kept: an eDoc's against
    // the code lists, an account document's as free text.
    enum Details {
        Account(PdfDetails),
        Edoc(i32, EdocDetails),
    }
    let details = match form.insured {
        Some(insured) => {
            let today = ctx.now().date_naive();
            use chrono::Datelike;
            Details::Edoc(
                insured,
                EdocDetails::parse(
                    &form.issue_date,
                    &form.business_purpose,
                    &form.document_type,
                    (today.year(), today.month(), today.day()),
                )?,
            )
        }
        None => Details::Account(PdfDetails::parse(
            &form.issue_date,
            &form.business_purpose,
            &form.document_type,
        )?),
    };
    let Some((shown, path, size)) = form.file.clone() else {
        return Err(refuse(Some("file"), "Choose a PDF file to upload."));
    };
    let stored_name = documents::generated_name();
    tokio::fs::rename(&path, state.files.dir.join(&stored_name))
        .await
        .map_err(|e| crate::server::error::internal(&e))?;
    temp.renamed(state.files.dir.join(&stored_name));
    let stored = StoredPdf {
        file_name: shown,
        stored_name,
        size_bytes: size as i64,
    };
    let id = match details {
        Details::Account(details) => {
            documents::add_pdf(
                &state.db,
                &actor,
                form.account,
                &details,
                &stored,
                state.files.account_quota_bytes,
                ctx.now(),
            )
            .await?
        }
        Details::Edoc(insured, details) => {
            edocs::add(
                &state.db,
                &actor,
                insured,
                form.policy,
                &details,
                &stored,
                state.files.account_quota_bytes,
                ctx.now(),
            )
            .await?
        }
    };
    temp.keep();
    Ok(id)
}

fn not_a_pdf() -> AppError {
    refuse(
        Some("file"),
        "This file is not a PDF. Only PDF documents can be uploaded.",
    )
}

/// Field names the form knows, as `'static` for [`AppError`] (anything else
/// is reported without a field).
fn leak_name(name: &str) -> &'static str {
    [
        "issue_date",
        "business_purpose",
        "document_type",
        "account",
        "insured",
        "policy",
        "return_to",
    ]
    .into_iter()
    .find(|n| *n == name)
    .unwrap_or("file")
}

/// `GET /documents/{id}/file`.
pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let ctx = RequestContext::new(state.clone(), parts);
    let found = async {
        let actor = ctx.actor().await?;
        Ok::<_, AppError>(documents::file_for_download(&state.db, &actor, id, &state.files).await?)
    }
    .await;
    let (name, path) = match found {
        Ok(f) => f,
        Err(e) => return (status_of(&e), e.to_string()).into_response(),
    };
    let file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) => {
            let e = crate::server::error::internal(&e);
            return (status_of(&e), e.to_string()).into_response();
        }
    };
    let len = file.metadata().await.map(|m| m.len()).ok();
    let mut res = Body::from_stream(tokio_util::io::ReaderStream::new(file)).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Should a browser render the file anyway (a PDF viewer, "open in new
    // tab"), it runs in a sandbox: no script, no same-origin access, no
    // forms. The security-headers layer keeps this policy instead of the
    // page one.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Some(len) = len {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    res
}

/// Removes uploads that were cut off by a crash or restart: `upload-*.part`
/// files in `dir` last written more than `older_than` ago (an upload in
/// progress writes to its file all the time). Returns how many went.
pub fn sweep_partial_uploads(dir: &std::path::Path, older_than: std::time::Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = std::time::SystemTime::now();
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("upload-") && name.ends_with(".part")
        })
        .filter(|e| {
            e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|age| age >= older_than)
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// `attachment` with an ASCII fallback name and the exact name encoded
/// (RFC 6266 / RFC 8187), so no file name can break out of the header.
pub fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " .-_()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii,
        crate::percent::encode(name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_download_name_cannot_break_the_header() {
        let d = content_disposition("Ré\"port\r\nX-Evil: 1.pdf");
        assert!(d.starts_with("attachment; filename=\"R__port__X-Evil_ 1.pdf\"; filename*=UTF-8''"));
        assert!(!d.contains('\r') && !d.contains('\n'));
        assert!(d.contains("R%C3%A9%22port%0D%0AX-Evil%3A%201.pdf"));
        assert!(HeaderValue::from_str(&d).is_ok());
    }

    #[test]
    fn only_stale_partial_uploads_are_swept() {
        let dir = std::env::temp_dir().join(format!("gatehouse-sweep-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["upload-a.part", "0123.pdf", "notes.part"] {
            std::fs::write(dir.join(name), b"x").unwrap();
        }
        // Nothing is old enough yet.
        assert_eq!(
            sweep_partial_uploads(&dir, std::time::Duration::from_secs(3600)),
            0
        );
        assert_eq!(sweep_partial_uploads(&dir, std::time::Duration::ZERO), 1);
        assert!(!dir.join("upload-a.part").exists());
        assert!(dir.join("0123.pdf").exists() && dir.join("notes.part").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_size(20 * 1024 * 1024), "20 MB");
        assert_eq!(human_size(1000), "1 KB");
        assert_eq!(human_size(1024 * 1024 * 1024), "1 GB");
        assert_eq!(human_size(1536 * 1024 * 1024), "1.5 GB");
    }
}
