//! A client account's documents, as staff see them on the account's page and
//! client users on their portal: the list with who created and who last
//! changed each one, adding a report, uploading a PDF, and (with the rights)
//! editing and deleting. Controls the user lacks the right for are not shown;
//! the server refuses them anyway. The list shows 50 at a time; the page
//! being looked at is in the address (`?docs_before=<id>`), so the pager
//! works without script and a reload stays on the same page.

use crate::{
    api::{
        documents,
        dto::{DocumentView, DocumentsView},
        AddReport, DeleteDocument, UpdatePdfDetails, UpdateReport,
    },
    components::{
        actions::{close_on_success, on_toggle, refresh_on_success},
        upload::{human_size, PdfUpload, UploadState},
        Field, FormAlert, Notice, SubmitButton, TextArea,
    },
    error::AppError,
};
use leptos::prelude::*;
use leptos_router::components::A;

/// "2026-11-22 14:03 UTC" from RFC 3339.
pub fn short_time(rfc3339: &str) -> String {
    format!(
        "{} UTC",
        rfc3339
            .replace('T', " ")
            .chars()
            .take(16)
            .collect::<String>()
    )
}

/// The documents card of one account.
#[component]
pub fn DocumentsPanel(
    /// The account (staff pages); client pages leave it out.
    #[prop(optional)]
    account: Option<i32>,
    /// The page's own address (where a plain upload post returns).
    return_to: String,
) -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let query = leptos_router::hooks::use_query_map();
    let before = move || {
        query
            .read()
            .get("docs_before")
            .and_then(|v| v.parse::<i32>().ok())
    };
    let docs = Resource::new(
        move || (changed.get(), before()),
        move |(_, before)| documents(account, before),
    );
    let refresh = Callback::new(move |_: ()| changed.update(|n| *n += 1));
    // The add forms' state lives here, not in the list that reloads after
    // every change, so their outcome stays on screen.
    let adding = Adding {
        report: ServerAction::<AddReport>::new(),
        report_open: RwSignal::new(false),
        upload: UploadState::new(),
        upload_open: RwSignal::new(false),
    };
    refresh_on_success(adding.report, refresh);
    close_on_success(adding.report, adding.report_open);
    view! {
        <section class="card" aria-labelledby="documents-heading">
            <h2 id="documents-heading">"Documents"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading documents…"</p> }>
                {move || {
                    let return_to = return_to.clone();
                    Suspend::new(async move {
                        match docs.await {
                            Ok(d) => view! { <DocumentsBody docs=d account return_to refresh adding/> }.into_any(),
                            Err(e) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

/// The state of the "add" forms (see [`DocumentsPanel`]).
#[derive(Clone, Copy)]
struct Adding {
    report: ServerAction<AddReport>,
    report_open: RwSignal<bool>,
    upload: UploadState,
    upload_open: RwSignal<bool>,
}

#[component]
fn DocumentsBody(
    docs: DocumentsView,
    account: Option<i32>,
    return_to: String,
    refresh: Callback<()>,
    adding: Adding,
) -> impl IntoView {
    let (can_modify, can_delete) = (docs.can_modify, docs.can_delete);
    let count = docs.documents.len() as u64;
    let newest = (docs.first_shown > 1).then(|| return_to.clone());
    let older = docs.older.map(|id| format!("{return_to}?docs_before={id}"));
    let storage = docs.storage_quota_bytes.map(|quota| {
        format!(
            "Storage: {} of {} used.",
            human_size(docs.storage_used_bytes),
            human_size(quota)
        )
    });
    let shown = if count == 0 {
        "No more documents: they were deleted meanwhile.".to_string()
    } else if docs.total <= count {
        format!("{} document(s), newest first.", docs.total)
    } else {
        format!(
            "{}–{} of {} documents, newest first.",
            docs.first_shown,
            docs.first_shown + count - 1,
            docs.total
        )
    };
    // The outcome of an upload posted without script comes back in the
    // address (`uploaded=1` or `upload_error=…`, see `server::files`).
    let query = leptos_router::hooks::use_query_map();
    let posted = query.with_untracked(|q| (q.get("uploaded").is_some(), q.get("upload_error")));
    view! {
        {if docs.total == 0 {
            view! { <p class="empty">"No documents yet."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label="Documents">
                    <table class="data documents" aria-label="Documents">
                        <thead><tr>
                            <th scope="col">"Document"</th>
                            <th scope="col">"Created"</th>
                            <th scope="col">"Last changed"</th>
                            {(can_modify || can_delete).then(|| view! { <th scope="col">"Actions"</th> })}
                        </tr></thead>
                        <tbody>
                            {docs.documents.into_iter().map(|d| view! {
                                <DocumentRow doc=d can_modify can_delete refresh/>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <nav class="pager" aria-label="Document pages">
                    <span>{newest.map(|href| view! { <A href=href>"« Newest"</A> })}</span>
                    <span>{shown}</span>
                    <span>{older.map(|href| view! { <A href=href>"Older »"</A> })}</span>
                </nav>
                {storage.map(|text| view! { <p class="hint">{text}</p> })}
            }.into_any()
        }}
        {docs.can_add.then(|| view! {
            <div class="add-documents">
                {move || matches!(adding.report.value().get(), Some(Ok(_))).then(|| view! { <Notice>"The report was added."</Notice> })}
                {move || (adding.upload.sent.get() || posted.0).then(|| view! { <Notice>"The PDF was uploaded."</Notice> })}
                {posted.1.clone().map(|message| view! {
                    <div class="form-alert shown" role="alert">{format!("The PDF was not uploaded: {message}")}</div>
                })}
                <details class="add" prop:open=move || adding.report_open.get() on:toggle=on_toggle(adding.report_open)>
                    <summary class="button secondary">"Add a report"</summary>
                    <AddReportForm account action=adding.report/>
                </details>
                <details class="add" prop:open=move || adding.upload_open.get() on:toggle=on_toggle(adding.upload_open)>
                    <summary class="button secondary">"Upload a PDF"</summary>
                    <PdfUpload label="Upload a PDF" button="Upload PDF" id_prefix="upload-"
                        fields=Callback::new(move |error: Signal<Option<AppError>>| view! {
                            {account.map(|a| view! { <input type="hidden" name="account" value=a/> })}
                            <div class="field-row">
                                <Field label="Issue date" name="issue_date" kind="date" error id_prefix="upload-"/>
                                <Field label="Business purpose" name="business_purpose" error id_prefix="upload-"/>
                                <Field label="Document type" name="document_type" error id_prefix="upload-"/>
                            </div>
                        }.into_any())
                        return_to max_upload_bytes=docs.max_upload_bytes state=adding.upload
                        on_done=Callback::new(move |_| { adding.upload_open.set(false); refresh.run(()); })/>
                </details>
            </div>
        })}
    }
}

#[component]
fn AddReportForm(account: Option<i32>, action: ServerAction<AddReport>) -> impl IntoView {
    let error: Signal<Option<AppError>> =
        Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <ActionForm action=action attr:class="form" attr:aria-label="Add a report">
            <FormAlert error/>
            {account.map(|a| view! { <input type="hidden" name="account" value=a/> })}
            <Field label="Title" name="title" error id_prefix="new-report-"/>
            <TextArea label="Report" name="body" error rows=6 id_prefix="new-report-"/>
            <SubmitButton pending=action.pending() label="Add report" busy_label="Adding…"/>
        </ActionForm>
    }
}

#[component]
fn DocumentRow(
    doc: DocumentView,
    can_modify: bool,
    can_delete: bool,
    refresh: Callback<()>,
) -> impl IntoView {
    let id = doc.id;
    let details = if doc.is_pdf {
        view! {
            <div class="doc-title">
                <span class="badge">"PDF"</span>" "
                <a href=format!("/documents/{id}/file") download=doc.title.clone()>{doc.title.clone()}</a>
            </div>
            <dl class="doc-meta">
                <dt>"Issued"</dt><dd>{doc.issue_date.clone().unwrap_or_default()}</dd>
                <dt>"Purpose"</dt><dd>{doc.business_purpose.clone().unwrap_or_default()}</dd>
                <dt>"Type"</dt><dd>{doc.document_type.clone().unwrap_or_default()}</dd>
                <dt>"Size"</dt><dd>{doc.size_bytes.map(|b| human_size(b as u64)).unwrap_or_default()}</dd>
            </dl>
        }
        .into_any()
    } else {
        view! {
            <div class="doc-title"><span class="badge ok">"Report"</span>" "<strong>{doc.title.clone()}</strong></div>
            <p class="doc-body">{doc.body.clone()}</p>
        }
        .into_any()
    };
    view! {
        <tr data-document=id>
            <td>{details}</td>
            <td class="who">
                <span class="created-by">{doc.created_by.clone()}</span>
                <time datetime=doc.created_at.clone()>{short_time(&doc.created_at)}</time>
            </td>
            <td class="who">
                <span class="modified-by">{doc.modified_by.clone()}</span>
                <time datetime=doc.modified_at.clone()>{short_time(&doc.modified_at)}</time>
            </td>
            {(can_modify || can_delete).then(|| view! {
                <td class="actions">
                    {can_modify.then(|| if doc.is_pdf {
                        view! { <EditPdf doc=doc.clone() refresh/> }.into_any()
                    } else {
                        view! { <EditReport doc=doc.clone() refresh/> }.into_any()
                    })}
                    {can_delete.then(|| view! { <DeleteDocumentButton id title=doc.title.clone() refresh/> })}
                </td>
            })}
        </tr>
    }
}

#[component]
fn EditReport(doc: DocumentView, refresh: Callback<()>) -> impl IntoView {
    let action = ServerAction::<UpdateReport>::new();
    let error: Signal<Option<AppError>> =
        Signal::derive(move || action.value().get().and_then(Result::err));
    refresh_on_success(action, refresh);
    let open = RwSignal::new(false);
    close_on_success(action, open);
    let prefix = format!("doc-{}-", doc.id);
    let label = format!("Edit {}", doc.title);
    view! {
        <details class="edit" prop:open=move || open.get() on:toggle=on_toggle(open)>
            <summary class="button secondary">"Edit"</summary>
            <ActionForm action=action attr:class="form" attr:aria-label=label>
                <FormAlert error/>
                <input type="hidden" name="id" value=doc.id/>
                <Field label="Title" name="title" value=doc.title.clone() error id_prefix=prefix.clone()/>
                <TextArea label="Report" name="body" value=doc.body.clone() error rows=6 id_prefix=prefix/>
                <SubmitButton pending=action.pending() label="Save changes" busy_label="Saving…"/>
            </ActionForm>
        </details>
    }
}

#[component]
fn EditPdf(doc: DocumentView, refresh: Callback<()>) -> impl IntoView {
    let action = ServerAction::<UpdatePdfDetails>::new();
    let error: Signal<Option<AppError>> =
        Signal::derive(move || action.value().get().and_then(Result::err));
    refresh_on_success(action, refresh);
    let open = RwSignal::new(false);
    close_on_success(action, open);
    let prefix = format!("doc-{}-", doc.id);
    let label = format!("Edit {}", doc.title);
    view! {
        <details class="edit" prop:open=move || open.get() on:toggle=on_toggle(open)>
            <summary class="button secondary">"Edit"</summary>
            <ActionForm action=action attr:class="form" attr:aria-label=label>
                <FormAlert error/>
                <input type="hidden" name="id" value=doc.id/>
                <Field label="Issue date" name="issue_date" kind="date" value=doc.issue_date.clone().unwrap_or_default() error id_prefix=prefix.clone()/>
                <Field label="Business purpose" name="business_purpose" value=doc.business_purpose.clone().unwrap_or_default() error id_prefix=prefix.clone()/>
                <Field label="Document type" name="document_type" value=doc.document_type.clone().unwrap_or_default() error id_prefix=prefix/>
                <SubmitButton pending=action.pending() label="Save changes" busy_label="Saving…"/>
            </ActionForm>
        </details>
    }
}

/// Delete, behind a second step: the `<details>` asks before anything is
/// sent, without needing script.
#[component]
pub fn DeleteDocumentButton(id: i32, title: String, refresh: Callback<()>) -> impl IntoView {
    let action = ServerAction::<DeleteDocument>::new();
    let error: Signal<Option<AppError>> =
        Signal::derive(move || action.value().get().and_then(Result::err));
    refresh_on_success(action, refresh);
    let label = format!("Delete {title}");
    let question = format!("Delete \"{title}\" for good?");
    let open = RwSignal::new(false);
    close_on_success(action, open);
    view! {
        <details class="delete" prop:open=move || open.get() on:toggle=on_toggle(open)>
            <summary class="button danger">"Delete"</summary>
            <ActionForm action=action attr:class="confirm" attr:aria-label=label>
                <FormAlert error/>
                <input type="hidden" name="id" value=id/>
                <p>{question}</p>
                <button type="submit" class="button danger">"Yes, delete"</button>
            </ActionForm>
        </details>
    }
}
