//! `/admin/insureds`: the brokerage's Insureds table. One row per insured
//! its CSIO downloads named, whether its policies are active or not; one
//! search box (a part of the name or email, or the start of a policy
//! number, dashes or not); the Needs attaching, Registered and policies
//! filters; sorts on name, postal code, expiry and latest download; keyset
//! pages; all in the address. User Administrators and Brokers get the
//! row's Actions: **Add email** (register the insured for their portal) or
//! 🔑 Reset password and ✎ Edit email, the 📄 Docs panel (the insured's
//! eDocs, Add eDoc, delete) and the 📎 Attach/Unattach Policies panel.

use crate::{
    api::{
        attach_panel,
        dto::{
            EdocView, EdocsView, InsuredRowView, InsuredsListView, PolicyChipView, PolicyFoundView,
        },
        insured_edocs, insureds, AttachPolicy, ChangeInsuredEmail, FindPolicies, RegisterInsured,
        RemovePolicy, SendInsuredReset,
    },
    components::{
        actions::on_toggle,
        documents::DeleteDocumentButton,
        upload::{human_size, PdfUpload, UploadState},
        Field, FormAlert, Notice, SelectField, TopBar,
    },
    domain::{
        edoc::{Choice, BUSINESS_PURPOSES, DOCUMENT_TYPES},
        InsuredSort, InsuredsQuery, PolicyFilter, RegistrationFilter,
    },
    error::AppError,
    pages::{group_thousands, short_date, staff_page_error},
};
use leptos::{lazy, prelude::*};
use leptos_meta::Title;
use leptos_router::{
    components::{Form, A},
    hooks::use_query_map,
};

/// The page.
#[component]
pub fn InsuredsPage() -> impl IntoView {
    let query = use_query_map();
    let state = move || {
        let q = query.read();
        InsuredsQuery::from_params(|k| q.get(k))
    };
    let changed = RwSignal::new(0u32);
    let page = Resource::new(
        move || (state(), changed.get()),
        |(s, _)| {
            let href = s.href();
            insureds(
                href.split_once('?')
                    .map(|(_, q)| q.to_string())
                    .unwrap_or_default(),
            )
        },
    );
    // What the last Add or Remove did, shown above the table (the rows are
    // drawn again after a change, closing the panel it was made in).
    let notice = RwSignal::new(None::<String>);
    let changed_by = Callback::new(move |message: String| {
        notice.set(Some(message));
        changed.update(|n| *n += 1);
    });
    view! {
        <Title text="Insureds · Admin Portal · Gatehouse"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let s = state();
                match page.await {
                    Ok(list) => view! { <InsuredsBody list s notice changed_by/> }.into_any(),
                    Err(e) => staff_page_error(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn InsuredsBody(
    list: InsuredsListView,
    s: InsuredsQuery,
    notice: RwSignal<Option<String>>,
    changed_by: Callback<String>,
) -> impl IntoView {
    let header = |column: InsuredSort, label: &'static str| {
        let current = s.sort == column;
        let sort = if !current {
            "none"
        } else if s.descending {
            "descending"
        } else {
            "ascending"
        };
        let arrow = if !current {
            ""
        } else if s.descending {
            " ▼"
        } else {
            " ▲"
        };
        view! {
            <th scope="col" aria-sort=sort>
                <A href=s.sorted_by(column).href() attr:title=format!("Sort by {}", column.label().to_lowercase())>{label}{arrow}</A>
            </th>
        }
    };
    let first = s.cursor.as_ref().map(|_| {
        InsuredsQuery {
            cursor: None,
            ..s.clone()
        }
        .href()
    });
    let next = list.next_cursor.clone().map(|c| {
        InsuredsQuery {
            cursor: Some(c),
            ..s.clone()
        }
        .href()
    });
    let count_text = if list.count_capped {
        format!("{}+ insureds match", group_thousands(list.count))
    } else if list.count == 1 {
        "1 insured matches".to_string()
    } else {
        format!("{} insureds match", group_thousands(list.count))
    };
    let shown = list.rows.len();
    let can_attach = list.can_attach;
    let filtered = !s.search.is_empty()
        || s.needs_attaching
        || s.registered != RegistrationFilter::Any
        || s.policies != PolicyFilter::All
        || s.insured.is_some();
    let empty_text = if filtered {
        "No insured matches. Check the spelling, type fewer letters, or clear the filters."
    } else {
        "No insureds yet: they appear when the brokerage's CSIO policy downloads are imported."
    };
    let search = s.search.clone();
    let export_href = {
        let page = InsuredsQuery {
            cursor: None,
            ..s.clone()
        }
        .href();
        match page.split_once('?') {
            Some((_, query)) => format!("/admin/insureds.csv?{query}"),
            None => "/admin/insureds.csv".to_string(),
        }
    };
    let everyone = InsuredsQuery {
        sort: s.sort,
        descending: s.descending,
        ..Default::default()
    }
    .href();
    view! {
        <TopBar portal="Admin Portal" organization=list.frame.organization_name.clone() user=list.frame.display_name.clone()/>
        <main class="page wide">
            <p class="crumbs"><A href="/admin">"Admin Portal"</A>" › Insureds"</p>
            <div class="title-row">
                <h1>"Insureds"</h1>
                {can_attach.then(|| view! { <A href="/admin/imports" attr:class="button secondary">"Import policy downloads"</A> })}
            </div>
            <section class="card">
                <Form method="GET" action="/admin/insureds" attr:class="filters" attr:role="search" attr:aria-label="Find insureds">
                    {(s.sort != InsuredSort::Name).then(|| view! { <input type="hidden" name="sort" value=s.sort.as_str()/> })}
                    {s.descending.then(|| view! { <input type="hidden" name="dir" value="desc"/> })}
                    <label for="insureds-q" class="grow">"Find"
                        <input id="insureds-q" name="q" type="search" prop:value=search placeholder="Name, policy number or email" maxlength="100" aria-describedby="insureds-q-hint"/>
                        <span class="hint" id="insureds-q-hint">"Any part of the name; a policy number whole or its start, with or without dashes."</span>
                    </label>
                    <label for="insureds-registered">"Registered"
                        <select id="insureds-registered" name="registered">
                            {RegistrationFilter::ALL.into_iter().map(|f| view! {
                                <option value=f.as_str() selected=s.registered == f>{f.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label for="insureds-policies">"Policies"
                        <select id="insureds-policies" name="policies">
                            {PolicyFilter::ALL.into_iter().map(|f| view! {
                                <option value=f.as_str() selected=s.policies == f>{f.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="check" for="insureds-attach">
                        <input type="checkbox" id="insureds-attach" name="attach" value="1" checked=s.needs_attaching/>"Needs attaching"
                    </label>
                    <button type="submit" class="button">"Find"</button>
                    {filtered.then(|| view! { <A href=everyone.clone() attr:class="button secondary">"Clear"</A> })}
                </Form>
                <p class="notice" role="status" hidden=move || notice.get().is_none()>{move || notice.get()}</p>
                <div class="count-row">
                    <p class="count" role="status">
                        <strong>{count_text}</strong>
                        {s.insured.is_some().then_some(" · one insured, from a link")}
                    </p>
                    // The whole filtered list (every page), as the brokerage's
                    // spreadsheet wants it; a plain download.
                    {can_attach.then(|| view! {
                        <a class="button secondary small" href=export_href.clone() download="insureds.csv">"Export CSV"</a>
                    })}
                </div>
                {if list.rows.is_empty() {
                    view! { <p class="empty">{empty_text}</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap sticky-actions" tabindex="0" role="region" aria-label="Insureds">
                            <table class="data insureds" aria-label="Insureds">
                                <thead><tr>
                                    {header(InsuredSort::Name, "Insured")}
                                    {header(InsuredSort::PostalCode, "Postal code")}
                                    <th scope="col">"Email"</th>
                                    {header(InsuredSort::Expiry, "Policies")}
                                    {header(InsuredSort::LatestDownload, "Latest download")}
                                    <th scope="col">"Status"</th>
                                    {can_attach.then(|| view! { <th scope="col" class="actions">"Actions"</th> })}
                                </tr></thead>
                                <tbody>
                                    {list.rows.into_iter().map(|r| view! {
                                        <InsuredRow r can_attach changed_by/>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
                <nav class="pager" aria-label="Insured pages">
                    <span>{first.map(|href| view! { <A href=href>"« First page"</A> })}</span>
                    <span>{format!("{shown} on this page")}</span>
                    <span>{next.map(|href| view! { <A href=href>"Next page »"</A> })}</span>
                </nav>
            </section>
        </main>
    }
}

/// A policy's number, line of business and expiry, marked when expired or
/// cancelled.
#[component]
fn PolicyChip(p: PolicyChipView) -> impl IntoView {
    let (class, mark) = match p.state.as_str() {
        "expired" => ("policy expired", Some("Expired")),
        "cancelled" => ("policy cancelled", Some("Cancelled")),
        _ => ("policy", None),
    };
    view! {
        <span class=class>
            <code>{p.policy_number}</code>
            <span class="lob">{p.line_of_business}</span>
            <span class="expiry">"to "<time datetime=p.expiry_date.clone()>{short_date(&p.expiry_date)}</time></span>
            {mark.map(|m| view! { <span class="badge">{m}</span> })}
        </span>
    }
}

#[component]
fn InsuredRow(r: InsuredRowView, can_attach: bool, changed_by: Callback<String>) -> impl IntoView {
    let more = (r.policy_count as usize).saturating_sub(r.policies.len());
    let status = {
        let mut badges = Vec::new();
        if r.needs_attaching {
            badges.push(view! { <span class="badge wait">"Needs attaching"</span> }.into_any());
        }
        badges.push(if r.email.is_some() {
            view! { <span class="badge ok">"Registered"</span> }.into_any()
        } else {
            view! { <span class="badge">"Not registered"</span> }.into_any()
        });
        if r.welcome_pending {
            badges.push(view! { <span class="badge wait">"No password yet"</span> }.into_any());
        } else if r.email.is_some() && r.last_sign_in_at.is_none() {
            badges.push(view! { <span class="badge wait">"Never signed in"</span> }.into_any());
        }
        if r.policy_count == 0 {
            badges.push(view! { <span class="badge">"No policies"</span> }.into_any());
        }
        badges
    };
    let likely = r.likely_match.clone().map(|m| {
        let href = InsuredsQuery {
            insured: Some(m.id),
            ..Default::default()
        }
        .href();
        view! { <span class="likely">"Likely "<A href=href>{m.full_name}</A></span> }
    });
    let email = match r.email.clone() {
        Some(e) => view! { <a href=format!("mailto:{e}")>{e.clone()}</a> }.into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    };
    view! {
        <tr data-insured=r.id>
            <th scope="row">
                <span class="name">{r.full_name.clone()}</span>
                <span class="address">{r.address.clone()}{(!r.place.is_empty()).then(|| format!(", {}", r.place))}</span>
            </th>
            <td class="postal">{r.postal_code.clone()}</td>
            <td class="email">{email}</td>
            <td class="policies">
                {r.policies.clone().into_iter().map(|p| view! { <PolicyChip p/> }).collect_view()}
                {(more > 0).then(|| view! { <span class="muted">{format!("and {more} more")}</span> })}
            </td>
            <td class="when"><time datetime=r.latest_download_at.clone()>{short_date(&r.latest_download_at)}</time></td>
            <td class="status">{status}{likely}</td>
            {can_attach.then(|| view! {
                <td class="actions">
                    <div class="row-actions">
                        <EmailActions r=r.clone() changed_by/>
                        <DocsPanel r=r.clone()/>
                        <AttachPanel r=r.clone() changed_by/>
                    </div>
                </td>
            })}
        </tr>
    }
}

/// 📄 Docs: the insured's eDocs (issue date, business purpose, document
/// type, file, policy, who added it and when), each downloadable and
/// deletable, and **Add eDoc** (a PDF with its details, sent with progress).
/// Loaded when the panel opens.
#[component]
fn DocsPanel(r: InsuredRowView) -> impl IntoView {
    let open = RwSignal::new(false);
    let reloads = RwSignal::new(0u32);
    let id = r.id;
    let who = r.full_name.clone();
    let edocs = Resource::new(
        move || (open.get(), reloads.get()),
        move |(open, _)| async move {
            if open {
                insured_edocs(id, None).await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    let upload = UploadState::new();
    let adding = RwSignal::new(false);
    let deleted = RwSignal::new(false);
    let refresh = Callback::new(move |_| {
        deleted.set(true);
        upload.sent.set(false);
        reloads.update(|n| *n += 1);
    });
    let label = format!("eDocs of {who}");
    view! {
        <details class="row-menu docs" prop:open=move || open.get() on:toggle=on_toggle(open)>
            <summary class="button secondary small icon" aria-label=label.clone() title=label.clone()>
                // A drawn page: an emoji depends on the fonts installed.
                <svg aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                    <path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8Z"/>
                    <path d="M14 2v6h6"/>
                    <path d="M8 13h8"/>
                    <path d="M8 17h5"/>
                </svg>
            </summary>
            <div class="menu-panel wide" role="group" aria-label=label>
                <h2 class="panel-title">{format!("eDocs of {who}")}</h2>
                {move || upload.sent.get().then(|| view! { <Notice>"The eDoc was added."</Notice> })}
                {move || (deleted.get() && !upload.sent.get()).then(|| view! { <Notice>"The eDoc was deleted."</Notice> })}
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match edocs.await {
                            Ok(Some(view)) => edocs_panel_view(view, upload, adding, deleted, reloads, refresh).await,
                            Ok(None) => ().into_any(),
                            Err(e) => view! { <p class="field-error" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </details>
    }
}

/// The Docs panel's content, loaded on its own (`--split`) the first time a
/// panel opens: the Insureds page does not carry the upload form.
#[lazy]
fn edocs_panel_view(
    view: EdocsView,
    upload: UploadState,
    adding: RwSignal<bool>,
    deleted: RwSignal<bool>,
    reloads: RwSignal<u32>,
    refresh: Callback<()>,
) -> AnyView {
    let id = view.insured_id;

    let can_delete = view.can_delete;
    let shown = view.edocs.len() as u64;
    let list = if view.edocs.is_empty() {
        view! { <p class="muted">"No eDocs yet."</p> }.into_any()
    } else {
        view! {
                                        <ul class="edocs" aria-label=format!("eDocs of {}", view.insured_name)>
                                            {view.edocs.into_iter().map(|d| view! { <EdocItem d can_delete refresh/> }).collect_view()}
                                        </ul>
                                        {(view.total > shown).then(|| view! {
                                            <p class="muted">{format!("The newest {shown} of {} eDocs are shown.", group_thousands(view.total))}</p>
                                        })}
                                    }.into_any()
    };
    let add = view.can_add.then(|| {
        let policies: Vec<(String, String)> = view
            .policies
            .iter()
            .map(|p| {
                (
                    p.id.to_string(),
                    format!("{} · {}", p.policy_number, p.line_of_business),
                )
            })
            .collect();
        let prefix = format!("edoc-{id}-");
        let fields = Callback::new(move |error: Signal<Option<AppError>>| view! {
            <input type="hidden" name="insured" value=id/>
            <div class="field-row">
                <Field label="Issue date" name="issue_date" kind="date" error id_prefix=prefix.clone()/>
                <SelectField label="Business purpose" name="business_purpose" options=choices(BUSINESS_PURPOSES)
                    placeholder="Choose…" error id_prefix=prefix.clone()/>
                <SelectField label="Document type" name="document_type" options=choices(DOCUMENT_TYPES)
                    placeholder="Choose…" error id_prefix=prefix.clone()/>
            </div>
            <SelectField label="Policy" name="policy" required=false placeholder="Not about one policy"
                options=policies.clone() error id_prefix=prefix.clone()/>
        }.into_any());
        view! {
            <details class="add" prop:open=move || adding.get() on:toggle=on_toggle(adding)>
                <summary class="button secondary small">"Add eDoc"</summary>
                <PdfUpload label="Add an eDoc" button="Add eDoc" id_prefix=format!("edoc-{id}-") fields
                    return_to="/admin/insureds".to_string() max_upload_bytes=view.max_upload_bytes state=upload
                    on_done=Callback::new(move |_| {
                        adding.set(false);
                        deleted.set(false);
                        reloads.update(|n| *n += 1);
                    })/>
            </details>
        }
    });
    view! { {list}{add} }.into_any()
}

/// A CSIO list as the drop-down's (code, label) pairs.
fn choices(list: &[Choice]) -> Vec<(String, String)> {
    list.iter()
        .map(|(c, l)| ((*c).to_string(), (*l).to_string()))
        .collect()
}

/// One eDoc of the Docs panel: its type and purpose, the file to download,
/// when it was issued, the policy, who added it and when.
#[component]
fn EdocItem(d: EdocView, can_delete: bool, refresh: Callback<()>) -> impl IntoView {
    let href = format!("/documents/{}/file", d.id);
    let name = d.file_name.clone();
    view! {
        <li>
            <p class="edoc-kind"><strong>{d.document_type}</strong>" · "{d.business_purpose}</p>
            <p class="edoc-file">
                <a href=href download=name.clone()>{name.clone()}</a>
                <span class="muted">{format!(" ({})", human_size(d.size_bytes.max(0) as u64))}</span>
            </p>
            <p class="edoc-meta">
                "Issued "<time datetime=d.issue_date.clone()>{short_date(&d.issue_date)}</time>
                {d.policy_number.map(|n| view! { " · policy "<code>{n}</code> })}
                <br/>"Added by "{d.added_by}" on "<time datetime=d.added_at.clone()>{short_date(&d.added_at)}</time>
            </p>
            {can_delete.then(|| view! { <DeleteDocumentButton id=d.id title=name refresh/> })}
        </li>
    }
}

/// 📎 Attach/Unattach Policies: the insured's policies with Remove, and a
/// search by policy number over the organization with Add on each result.
#[component]
fn AttachPanel(r: InsuredRowView, changed_by: Callback<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let id = r.id;
    let who = r.full_name.clone();
    // Loaded when the panel opens, not for every row of the page.
    let policies = Resource::new(
        move || open.get().then_some(id),
        |wanted| async move {
            match wanted {
                Some(id) => attach_panel(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let find = ServerAction::<FindPolicies>::new();
    let attach = ServerAction::<AttachPolicy>::new();
    let remove = ServerAction::<RemovePolicy>::new();
    Effect::new(move |_| {
        if let Some(Ok(message)) = attach.value().get() {
            changed_by.run(message);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(message)) = remove.value().get() {
            changed_by.run(message);
        }
    });
    let find_error = Signal::derive(move || find.value().get().and_then(Result::err));
    let change_error = Signal::derive(move || {
        attach
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| remove.value().get().and_then(Result::err))
    });
    let label = format!("Attach/Unattach Policies for {who}");
    let prefix = format!("attach-{id}-");
    view! {
        <details class="row-menu attach" prop:open=move || open.get() on:toggle=on_toggle(open)>
            <summary class="button secondary small icon" aria-label=label.clone() title=label.clone()>
                // A drawn paperclip: an emoji depends on the fonts installed.
                <svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                    <path d="M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48"/>
                </svg>
            </summary>
            <div class="menu-panel" role="group" aria-label=label>
                <h2 class="panel-title">{format!("Policies of {who}")}</h2>
                <FormAlert error=change_error/>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match policies.await {
                            Ok(Some(panel)) if panel.policies.is_empty() => view! {
                                <p class="muted">"No policies attached."</p>
                            }.into_any(),
                            Ok(Some(panel)) => view! {
                                <ul class="attached">
                                    {panel.policies.into_iter().map(|p| {
                                        let number = p.policy_number.clone();
                                        let pid = p.id;
                                        view! {
                                            <li>
                                                <PolicyChip p/>
                                                <ActionForm action=remove attr:class="inline">
                                                    <input type="hidden" name="insured" value=id/>
                                                    <input type="hidden" name="policy" value=pid/>
                                                    <button type="submit" class="button danger small" aria-label=format!("Remove policy {number}") disabled=move || remove.pending().get()>"Remove"</button>
                                                </ActionForm>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Ok(None) => ().into_any(),
                            Err(e) => view! { <p class="field-error" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
                <ActionForm action=find attr:class="form find-policy">
                    <input type="hidden" name="insured" value=id/>
                    <Field label="Policy number" name="number" error=find_error id_prefix=prefix hint="The whole number or its start; dashes and spaces don't matter."/>
                    <button type="submit" class="button secondary small">"Search"</button>
                </ActionForm>
                {move || find.value().get().and_then(Result::ok).map(|found| {
                    if found.is_empty() {
                        view! { <p class="muted" role="status">"No policy of the brokerage starts with that number."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="found" aria-label="Policies found">
                                {found.into_iter().map(|f| view! { <FoundPolicy f insured=id attach/> }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                })}
            </div>
        </details>
    }
}

/// One policy found by number: where it is now, and Add (with a
/// confirmation when it leaves a registered insured's portal).
#[component]
fn FoundPolicy(
    f: PolicyFoundView,
    insured: i32,
    attach: ServerAction<AttachPolicy>,
) -> impl IntoView {
    let number = f.policy.policy_number.clone();
    let from = f.insured.full_name.clone();
    let box_id = format!("confirm-{insured}-{}", f.policy.id);
    view! {
        <li>
            <PolicyChip p=f.policy.clone()/>
            <span class="holder">"on "{from.clone()}{f.insured_registered.then_some(" (registered)")}</span>
            {if f.here {
                view! { <span class="badge ok">"Attached here"</span> }.into_any()
            } else {
                view! {
                    <ActionForm action=attach attr:class="inline">
                        <input type="hidden" name="insured" value=insured/>
                        <input type="hidden" name="policy" value=f.policy.id/>
                        {f.insured_registered.then(|| view! {
                            <label class="check" for=box_id.clone()>
                                <input type="checkbox" id=box_id.clone() name="confirm" value="1" required=true/>
                                {format!("Take it from {from}'s portal")}
                            </label>
                        })}
                        <button type="submit" class="button small" aria-label=format!("Add policy {number}") disabled=move || attach.pending().get()>"Add"</button>
                    </ActionForm>
                }.into_any()
            }}
        </li>
    }
}

/// The row's email actions: 🔑 Reset password and ✎ Edit email for a
/// registered insured, **Add email** for one without an email. They sit in
/// the Actions column, which stays in view on a phone while the table
/// scrolls sideways.
#[component]
fn EmailActions(r: InsuredRowView, changed_by: Callback<String>) -> impl IntoView {
    if r.welcome_pending {
        view! {
            <ResendWelcomeButton r=r.clone() changed_by/>
            <EditEmailPanel r changed_by/>
        }
        .into_any()
    } else if r.email.is_some() {
        view! {
            <ResetButton r=r.clone() changed_by/>
            <EditEmailPanel r changed_by/>
        }
        .into_any()
    } else {
        view! { <RegisterPanel r changed_by/> }.into_any()
    }
}

/// **Add email**: first the "is this the right person" check (address,
/// postal code, policies, and a box to tick once the client confirmed
/// them), then the email.
#[component]
fn RegisterPanel(r: InsuredRowView, changed_by: Callback<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let register = ServerAction::<RegisterInsured>::new();
    Effect::new(move |_| {
        if let Some(Ok(message)) = register.value().get() {
            changed_by.run(message);
        }
    });
    let error = Signal::derive(move || register.value().get().and_then(Result::err));
    let confirm_error = move || error.get().and_then(|e| e.field_message("confirmed"));
    let id = r.id;
    let who = r.full_name.clone();
    let prefix = format!("register-{id}-");
    let box_id = format!("{prefix}confirmed");
    let box_error = format!("{box_id}-error");
    let described = box_error.clone();
    let more = (r.policy_count as usize).saturating_sub(r.policies.len());
    let label = format!("Add email for {who}");
    view! {
        <details class="row-menu register" prop:open=move || open.get() on:toggle=on_toggle(open)>
            <summary class="button secondary small" aria-label=label.clone()>"Add email"</summary>
            <div class="menu-panel" role="group" aria-label=label>
                <h2 class="panel-title">{format!("Register {who}")}</h2>
                <p class="hint">"Before adding the email, ask the client for their policy details, address and postal code, and check them here."</p>
                <dl class="check-details">
                    <dt>"Address"</dt>
                    <dd>{r.address.clone()}{(!r.place.is_empty()).then(|| format!(", {}", r.place))}</dd>
                    <dt>"Postal code"</dt>
                    <dd>{if r.postal_code.is_empty() { "—".to_string() } else { r.postal_code.clone() }}</dd>
                    <dt>"Policies"</dt>
                    <dd class="policies">
                        {r.policies.clone().into_iter().map(|p| view! { <PolicyChip p/> }).collect_view()}
                        {(more > 0).then(|| view! { <span class="muted">{format!("and {more} more")}</span> })}
                        {r.policies.is_empty().then(|| view! { <span class="muted">"None attached"</span> })}
                    </dd>
                </dl>
                <ActionForm action=register attr:class="form register-form">
                    <input type="hidden" name="insured" value=id/>
                    <div class="field" class:invalid=move || confirm_error().is_some()>
                        <label class="check" for=box_id.clone()>
                            <input type="checkbox" id=box_id.clone() name="confirmed" value="1" required=true
                                aria-invalid=move || if confirm_error().is_some() { "true" } else { "false" }
                                aria-describedby=move || confirm_error().map(|_| described.clone())/>
                            "I have confirmed the policy details with the client"
                        </label>
                        <p class="field-error" id=box_error role="alert" aria-live="polite">{confirm_error}</p>
                    </div>
                    <Field label="Client's email" name="email" kind="email" error id_prefix=prefix hint="Their username for the portal."/>
                    <FormAlert error/>
                    <button type="submit" class="button small" disabled=move || register.pending().get()>"Add"</button>
                    <p class="hint">"The client gets a welcome email with a link to set their own password. If it doesn't arrive, ask them to check their junk and spam folders."</p>
                </ActionForm>
            </div>
        </details>
    }
}

/// ✎ Edit email: the client signs in with the new address from now on; no
/// password reset is needed.
#[component]
fn EditEmailPanel(r: InsuredRowView, changed_by: Callback<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let change = ServerAction::<ChangeInsuredEmail>::new();
    Effect::new(move |_| {
        if let Some(Ok(message)) = change.value().get() {
            changed_by.run(message);
        }
    });
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let id = r.id;
    let who = r.full_name.clone();
    let current = r.email.clone().unwrap_or_default();
    let label = format!("Edit the email of {who}");
    view! {
        <details class="row-menu edit-email" prop:open=move || open.get() on:toggle=on_toggle(open)>
            <summary class="button secondary small icon" aria-label=label.clone() title=label.clone()>
                <svg aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                    <path d="M12 20h9"/>
                    <path d="M16.5 3.5a2.12 2.12 0 0 1 3 3L7 19l-4 1 1-4Z"/>
                </svg>
            </summary>
            <div class="menu-panel" role="group" aria-label=label>
                <h2 class="panel-title">{format!("Email of {who}")}</h2>
                <ActionForm action=change attr:class="form">
                    <input type="hidden" name="insured" value=id/>
                    <Field label="New email" name="email" kind="email" value=current error id_prefix=format!("email-{id}-")/>
                    <FormAlert error/>
                    <button type="submit" class="button small" disabled=move || change.pending().get()>"Submit"</button>
                    <p class="hint">"No password reset is needed: the client signs in with the new address, and the old one is told of the change."</p>
                </ActionForm>
            </div>
        </details>
    }
}

/// **Resend welcome** for an insured who never chose a password (the
/// welcome link expired or was lost): a new welcome link, the old ones
/// retired.
#[component]
fn ResendWelcomeButton(r: InsuredRowView, changed_by: Callback<String>) -> impl IntoView {
    let resend = ServerAction::<SendInsuredReset>::new();
    Effect::new(move |_| match resend.value().get() {
        Some(Ok(message)) => changed_by.run(message),
        Some(Err(e)) => changed_by.run(e.to_string()),
        None => {}
    });
    let label = format!("Resend the welcome email to {}", r.full_name);
    view! {
        <ActionForm action=resend attr:class="inline reset">
            <input type="hidden" name="insured" value=r.id/>
            <button type="submit" class="button secondary small" aria-label=label disabled=move || resend.pending().get()>"Resend welcome"</button>
        </ActionForm>
    }
}

/// 🔑 Reset password: a link to choose a new password, sent to the email on
/// file.
#[component]
fn ResetButton(r: InsuredRowView, changed_by: Callback<String>) -> impl IntoView {
    let reset = ServerAction::<SendInsuredReset>::new();
    Effect::new(move |_| match reset.value().get() {
        Some(Ok(message)) => changed_by.run(message),
        Some(Err(e)) => changed_by.run(e.to_string()),
        None => {}
    });
    let label = format!("Send {} a password-reset email", r.full_name);
    view! {
        <ActionForm action=reset attr:class="inline reset">
            <input type="hidden" name="insured" value=r.id/>
            <button type="submit" class="button secondary small icon" aria-label=label.clone() title=label disabled=move || reset.pending().get()>
                <svg aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                    <circle cx="7.5" cy="15.5" r="5.5"/>
                    <path d="m21 2-9.6 9.6"/>
                    <path d="m15.5 7.5 3 3L22 7l-3-3"/>
                </svg>
            </button>
        </ActionForm>
    }
}
