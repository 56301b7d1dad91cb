//! `/admin/imports`: importing CSIO policy downloads (User Administrators
//! and Brokers). Choose files or zips and Import: the files upload with a
//! progress bar, and the totals of what has been processed so far show
//! beside it (files are imported as they arrive). The report opens when it
//! is done. Below, every import of the organization, newest first, each
//! linking to its report.
//!
//! Without script the form posts plainly and the server answers with the
//! report page.

use crate::{
    api::{
        dto::{ImportRunRowView, ImportTotalsView, ImportsPageView},
        imports_page,
    },
    components::{upload::human_size, TopBar},
    error::AppError,
    pages::staff_page_error,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

/// "4 Dec 2026 15:10 UTC" from RFC 3339.
pub fn when(rfc3339: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let date = rfc3339.get(..10).unwrap_or("");
    let time = rfc3339.get(11..16).unwrap_or("");
    let mut parts = date.split('-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) => {
            let month = m
                .parse::<usize>()
                .ok()
                .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
                .copied()
                .unwrap_or("");
            format!("{} {month} {y} {time} UTC", d.trim_start_matches('0'))
        }
        _ => rfc3339.to_string(),
    }
}

/// "340 policies in 12 files · 2 rejected".
pub fn totals_line(t: &ImportTotalsView) -> String {
    let mut line = format!(
        "{} polic{} in {} file{}",
        t.policies,
        if t.policies == 1 { "y" } else { "ies" },
        t.files,
        if t.files == 1 { "" } else { "s" }
    );
    if t.rejected > 0 {
        line.push_str(&format!(" · {} rejected", t.rejected));
    }
    line
}

/// The message for a refused plain post's `import_error` code.
fn plain_error_message(code: &str) -> &'static str {
    match code {
        "too_large" => "The upload is larger than 200 MB in all; send fewer files at a time.",
        "no_files" => "Choose one or more files to import.",
        "interrupted" => "The upload was interrupted. Try again.",
        "forbidden" => "Only User Administrators and Brokers import policy downloads.",
        _ => "The files could not be imported. Try again; if it keeps happening, ask your administrator.",
    }
}

/// The page.
#[component]
pub fn ImportsPage() -> impl IntoView {
    let query = use_query_map();
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|v| v.parse::<i32>().ok())
    };
    let page = Resource::new(before, imports_page);
    view! {
        <Title text="Imports · Admin Portal · Gatehouse"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(view) => view! { <ImportsBody view/> }.into_any(),
                    Err(e) => staff_page_error(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ImportsBody(view: ImportsPageView) -> impl IntoView {
    let query = use_query_map();
    // A plain (script-less) post that was refused comes back with a code;
    // the words are this page's own.
    let plain_error = query
        .read_untracked()
        .get("import_error")
        .map(|code| plain_error_message(&code).to_string());
    let ImportsPageView {
        frame,
        max_upload_bytes,
        max_file_bytes,
        list,
    } = view;
    let older = list.next.map(|id| format!("/admin/imports?before={id}"));
    let newest = query
        .read_untracked()
        .get("before")
        .map(|_| "/admin/imports".to_string());
    view! {
        <TopBar portal="Admin Portal" organization=frame.organization_name.clone() user=frame.display_name.clone()/>
        <main class="page wide">
            <p class="crumbs"><A href="/admin">"Admin Portal"</A>" › Imports"</p>
            <h1>"Imports"</h1>
            <section class="card">
                <h2>"Import CSIO policy downloads"</h2>
                <p class="hint">
                    "Choose download files (.xml) or zips of them. Each policy attaches to an insured only when the full name, the address and the postal code all match; otherwise it makes a new insured, flagged when it nearly matches one. A file is imported whole or not at all, and a bad file never stops the others."
                </p>
                <ImportUpload max_upload_bytes max_file_bytes plain_error/>
            </section>
            <section class="card">
                <h2>"Recent imports"</h2>
                {if list.rows.is_empty() {
                    view! { <p class="empty">"No imports yet."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap" tabindex="0" role="region" aria-label="Imports">
                            <table class="data imports">
                                <thead><tr>
                                    <th scope="col">"Import"</th>
                                    <th scope="col">"Started"</th>
                                    <th scope="col">"From"</th>
                                    <th scope="col" class="num">"Files"</th>
                                    <th scope="col" class="num">"Policies"</th>
                                    <th scope="col" class="num">"New insureds"</th>
                                    <th scope="col" class="num">"Attached"</th>
                                    <th scope="col" class="num">"Updated"</th>
                                    <th scope="col" class="num">"Unchanged"</th>
                                    <th scope="col" class="num">"Rejected files"</th>
                                </tr></thead>
                                <tbody>
                                    {list.rows.into_iter().map(|r| view! { <ImportRow r/> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
                <nav class="pager" aria-label="Import pages">
                    <span>{newest.map(|href| view! { <A href=href>"« Newest"</A> })}</span>
                    <span></span>
                    <span>{older.map(|href| view! { <A href=href>"Older »"</A> })}</span>
                </nav>
            </section>
        </main>
    }
}

#[component]
fn ImportRow(r: ImportRunRowView) -> impl IntoView {
    let t = r.totals;
    let from = match &r.started_by {
        Some(name) => format!("{} · {name}", r.source),
        None => r.source.clone(),
    };
    view! {
        <tr>
            <th scope="row">
                <A href=format!("/admin/imports/{}", r.id)>{format!("Import {}", r.id)}</A>
                {r.running.then(|| view! { " " <span class="badge wait">"Running"</span> })}
                {r.interrupted.then(|| view! { " " <span class="badge bad">"Interrupted"</span> })}
            </th>
            <td><time datetime=r.started_at.clone()>{when(&r.started_at)}</time></td>
            <td>{from}</td>
            <td class="num">{t.files}</td>
            <td class="num">{t.policies}</td>
            <td class="num">{t.new_insureds}</td>
            <td class="num">{t.attached}</td>
            <td class="num">{t.updated}</td>
            <td class="num">{t.unchanged}</td>
            <td class="num">{if t.rejected > 0 { view! { <span class="badge bad">{t.rejected}</span> }.into_any() } else { view! { "0" }.into_any() }}</td>
        </tr>
    }
}

/// The upload form with its progress.
#[component]
fn ImportUpload(
    max_upload_bytes: u64,
    max_file_bytes: u64,
    plain_error: Option<String>,
) -> impl IntoView {
    let sent = RwSignal::new(None::<f64>);
    let processed = RwSignal::new(None::<ImportTotalsView>);
    let error = RwSignal::new(plain_error.map(|message| AppError::Validation {
        field: Some("files".into()),
        message,
    }));
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let run_ref = NodeRef::<leptos::html::Input>::new();
    let busy = move || sent.get().is_some() || processed.get().is_some();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            ev.prevent_default();
            if busy() {
                return;
            }
            if let (Some(form), Some(run)) = (form_ref.get_untracked(), run_ref.get_untracked()) {
                error.set(None);
                browser::send(form, run, max_upload_bytes, sent, processed, error);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (ev, max_upload_bytes, &form_ref, &run_ref);
        }
    };
    let message = move || error.get().map(|e| e.to_string());
    view! {
        <form node_ref=form_ref class="form upload" method="post" action="/imports/upload"
            enctype="multipart/form-data" aria-label="Import policy downloads" on:submit=on_submit>
            <input type="hidden" name="run" value="" node_ref=run_ref/>
            <div class="field" class:invalid=move || error.get().is_some()>
                <label for="import-files">
                    {format!("Download files or zips (each file up to {}, {} in all)", human_size(max_file_bytes), human_size(max_upload_bytes))}
                </label>
                <input id="import-files" name="files" type="file" multiple=true required=true
                    accept=".xml,.zip,application/xml,text/xml,application/zip"
                    aria-describedby="import-files-error"
                    aria-invalid=move || if error.get().is_some() { "true" } else { "false" }/>
                <p class="field-error" id="import-files-error" role="alert" aria-live="polite">{message}</p>
            </div>
            <div class="upload-progress" class:shown=busy aria-live="polite">
                <progress max="100" value=move || sent.get().unwrap_or(100.0) aria-label="Upload progress"></progress>
                <span>{move || sent.get().map(|p| format!("{p:.0} % sent")).unwrap_or_else(|| "Sent".into())}</span>
                <span class="processed" role="status">
                    {move || processed.get().map(|t| format!("Processed so far: {}", totals_line(&t)))}
                </span>
            </div>
            <button type="submit" class="button" disabled=busy>
                {move || if busy() { "Importing…" } else { "Import" }}
            </button>
        </form>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    //! The browser side: open the import, send the files with
    //! `XMLHttpRequest` (upload progress), follow the import's totals, and
    //! open the report when it is done.

    use crate::{
        api::{begin_import, dto::ImportTotalsView, import_progress},
        components::upload::human_size,
        error::AppError,
    };
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    fn files_error(message: String) -> AppError {
        AppError::Validation {
            field: Some("files".into()),
            message,
        }
    }

    /// Sends `form`'s files into a new import.
    pub fn send(
        form: web_sys::HtmlFormElement,
        run: web_sys::HtmlInputElement,
        max_upload_bytes: u64,
        sent: RwSignal<Option<f64>>,
        processed: RwSignal<Option<ImportTotalsView>>,
        error: RwSignal<Option<AppError>>,
    ) {
        let total: f64 = form
            .elements()
            .named_item("files")
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .map(|list| {
                (0..list.length())
                    .filter_map(|i| list.get(i))
                    .map(|f| f.size())
                    .sum()
            })
            .unwrap_or(0.0);
        if total > max_upload_bytes as f64 {
            error.set(Some(files_error(format!(
                "These files are larger than {} in all; send fewer at a time.",
                human_size(max_upload_bytes)
            ))));
            return;
        }
        sent.set(Some(0.0));
        leptos::task::spawn_local(async move {
            let id = match begin_import().await {
                Ok(id) => id,
                Err(e) => {
                    sent.set(None);
                    error.set(Some(e));
                    return;
                }
            };
            run.set_value(&id.to_string());
            processed.set(Some(ImportTotalsView::default()));
            // Follow the totals while the files upload and are processed.
            let follow = set_interval_with_handle(
                move || {
                    leptos::task::spawn_local(async move {
                        if let Ok(p) = import_progress(id).await {
                            if processed.get_untracked().is_some() {
                                processed.set(Some(p.totals));
                            }
                        }
                    });
                },
                std::time::Duration::from_millis(500),
            )
            .ok();
            let stop = move || {
                if let Some(h) = follow {
                    h.clear();
                }
            };
            let started = web_sys::FormData::new_with_form(&form).and_then(|data| {
                crate::components::upload::xhr::post(
                    "/imports/upload",
                    &data,
                    move |p| sent.set(Some(p)),
                    move |status, text| {
                        stop();
                        if status == 201 {
                            // The report, as a full navigation: the page
                            // behind it is another lazy route.
                            let _ = window()
                                .location()
                                .set_href(&format!("/admin/imports/{id}"));
                        } else {
                            sent.set(None);
                            processed.set(None);
                            error.set(Some(serde_json::from_str::<AppError>(&text).unwrap_or(
                                AppError::Internal {
                                    reference: format!("import-{status}"),
                                },
                            )));
                        }
                    },
                    move || {
                        stop();
                        sent.set(None);
                        processed.set(None);
                        error.set(Some(AppError::Unreachable));
                    },
                )
            });
            if started.is_err() {
                stop();
                sent.set(None);
                processed.set(None);
                error.set(Some(AppError::Unreachable));
            }
        });
    }
}
