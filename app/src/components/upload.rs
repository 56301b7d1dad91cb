//! The PDF upload form. Without script it is a plain multipart post to
//! `/documents/upload` (the server redirects back with the outcome). Once
//! hydrated it sends the same form with `XMLHttpRequest`, whose upload
//! progress events drive a progress bar while the file travels; `fetch`
//! has no upload progress, which is why this one request does not use it.

use crate::{components::FormAlert, error::AppError};
use leptos::prelude::*;

/// "20 MB", "512 KB", "1.5 GB".
pub fn human_size(bytes: u64) -> String {
    const GB: u64 = 1024 * 1024 * 1024;
    if bytes >= GB {
        let tenths = bytes.saturating_mul(10).div_ceil(GB);
        if tenths.is_multiple_of(10) {
            format!("{} GB", tenths / 10)
        } else {
            format!("{}.{} GB", tenths / 10, tenths % 10)
        }
    } else if bytes >= 1024 * 1024 {
        format!("{} MB", bytes / (1024 * 1024))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// An upload's state, owned by the page section around the form so that it
/// survives the list being reloaded after an upload.
#[derive(Debug, Clone, Copy)]
pub struct UploadState {
    /// Percent sent while an upload is under way.
    pub progress: RwSignal<Option<f64>>,
    /// The last upload's refusal.
    pub error: RwSignal<Option<AppError>>,
    /// The last upload succeeded.
    pub sent: RwSignal<bool>,
}

impl UploadState {
    /// Nothing sent yet.
    pub fn new() -> Self {
        Self {
            progress: RwSignal::new(None),
            error: RwSignal::new(None),
            sent: RwSignal::new(false),
        }
    }
}

impl Default for UploadState {
    fn default() -> Self {
        Self::new()
    }
}

/// The upload form for one account's documents or one insured's eDocs. The
/// caller gives the fields before the file (which owner, which details), so
/// a page carries only the fields it shows.
#[component]
pub fn PdfUpload(
    /// The form's name for assistive technology ("Upload a PDF").
    label: &'static str,
    /// The submit button's text.
    button: &'static str,
    /// Prefix of the element ids (several forms may share a page).
    #[prop(into)]
    id_prefix: String,
    /// The fields before the file, given the form's latest error.
    fields: Callback<Signal<Option<AppError>>, AnyView>,
    /// Where a plain (unhydrated) post returns to.
    return_to: String,
    /// The server's limit, checked here too before anything is sent.
    max_upload_bytes: u64,
    /// Progress, outcome.
    state: UploadState,
    /// Called after a successful upload.
    on_done: Callback<()>,
) -> impl IntoView {
    let UploadState {
        progress,
        error,
        sent,
    } = state;
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            ev.prevent_default();
            if progress.get_untracked().is_some() {
                return;
            }
            if let Some(form) = form_ref.get_untracked() {
                error.set(None);
                sent.set(false);
                browser::send(form, max_upload_bytes, progress, error, sent, on_done);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (ev, on_done, max_upload_bytes, sent);
        }
    };
    let file_error = move || error.get().and_then(|e| e.field_message("file"));
    let err_signal: Signal<Option<AppError>> = error.into();
    let file_id = format!("{id_prefix}file");
    let file_error_id = format!("{id_prefix}file-error");
    view! {
        <form
            node_ref=form_ref
            class="form upload"
            method="post"
            action="/documents/upload"
            enctype="multipart/form-data"
            aria-label=label
            on:submit=on_submit
        >
            <FormAlert error=err_signal/>
            <input type="hidden" name="return_to" value=return_to/>
            {fields.run(err_signal)}
            <div class="field" class:invalid=move || file_error().is_some()>
                <label for=file_id.clone()>{format!("PDF file (up to {})", human_size(max_upload_bytes))}</label>
                <input id=file_id name="file" type="file" accept="application/pdf,.pdf" required=true
                    aria-invalid=move || if file_error().is_some() { "true" } else { "false" }/>
                <p class="field-error" id=file_error_id role="alert" aria-live="polite">{file_error}</p>
            </div>
            <div class="upload-progress" class:shown=move || progress.get().is_some() aria-live="polite">
                <progress max="100" value=move || progress.get().unwrap_or(0.0) aria-label="Upload progress"></progress>
                <span>{move || progress.get().map(|p| format!("{p:.0} % sent"))}</span>
            </div>
            <button type="submit" class="button" disabled=move || progress.get().is_some()>
                {move || if progress.get().is_some() { "Uploading…" } else { button }}
            </button>
        </form>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    //! The browser side: `XMLHttpRequest` with upload progress.

    use super::human_size;
    use crate::error::AppError;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    fn field_error(field: &str, message: String) -> AppError {
        AppError::Validation {
            field: Some(field.into()),
            message,
        }
    }

    /// Sends `form`; reports progress, the outcome, and calls `on_done`.
    pub fn send(
        form: web_sys::HtmlFormElement,
        max_upload_bytes: u64,
        progress: RwSignal<Option<f64>>,
        error: RwSignal<Option<AppError>>,
        sent: RwSignal<bool>,
        on_done: Callback<()>,
    ) {
        // Too large? Say so before sending a byte.
        let file = form
            .elements()
            .named_item("file")
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0));
        if let Some(f) = &file {
            if f.size() > max_upload_bytes as f64 {
                error.set(Some(field_error(
                    "file",
                    format!(
                        "The file is larger than the limit of {}.",
                        human_size(max_upload_bytes)
                    ),
                )));
                return;
            }
        }
        let form_done = form.clone();
        let started = web_sys::FormData::new_with_form(&form).and_then(|data| {
            progress.set(Some(0.0));
            super::xhr::post(
                "/documents/upload",
                &data,
                move |p| progress.set(Some(p)),
                move |status, text| {
                    progress.set(None);
                    if status == 201 {
                        form_done.reset();
                        sent.set(true);
                        on_done.run(());
                    } else {
                        error.set(Some(serde_json::from_str::<AppError>(&text).unwrap_or(
                            AppError::Internal {
                                reference: format!("upload-{status}"),
                            },
                        )));
                    }
                },
                move || {
                    progress.set(None);
                    error.set(Some(AppError::Unreachable));
                },
            )
        });
        if started.is_err() {
            progress.set(None);
            error.set(Some(AppError::Unreachable));
        }
    }
}

#[cfg(feature = "hydrate")]
pub mod xhr {
    //! A form post with upload progress: `fetch` has none, so uploads use
    //! `XMLHttpRequest`, asking for JSON answers.

    use wasm_bindgen::{closure::Closure, JsCast, JsValue};

    /// Posts `data` to `url`: `progress` gets the percent sent as it goes,
    /// `done` the status and body once answered, `failed` a request that
    /// never got an answer.
    pub fn post(
        url: &str,
        data: &web_sys::FormData,
        progress: impl Fn(f64) + 'static,
        done: impl FnOnce(u16, String) + 'static,
        failed: impl FnOnce() + 'static,
    ) -> Result<(), JsValue> {
        let xhr = web_sys::XmlHttpRequest::new()?;
        xhr.open("POST", url)?;
        xhr.set_request_header("Accept", "application/json")?;
        let on_progress =
            Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                if e.length_computable() && e.total() > 0.0 {
                    progress(100.0 * e.loaded() / e.total());
                }
            });
        xhr.upload()?
            .set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        let answered = xhr.clone();
        let mut done = Some(done);
        let on_load = Closure::<dyn FnMut()>::new(move || {
            if let Some(done) = done.take() {
                let status = answered.status().unwrap_or(0);
                let text = answered.response_text().ok().flatten().unwrap_or_default();
                done(status, text);
            }
        });
        xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
        let mut failed = Some(failed);
        let on_fail = Closure::<dyn FnMut()>::new(move || {
            if let Some(failed) = failed.take() {
                failed();
            }
        });
        xhr.set_onerror(Some(on_fail.as_ref().unchecked_ref()));
        xhr.send_with_opt_form_data(Some(data))?;
        // The request owns its handlers until it finishes; one small
        // allocation per upload is left behind.
        on_progress.forget();
        on_load.forget();
        on_fail.forget();
        Ok(())
    }
}
