//! `/admin/imports/{id}`: one import's report. The totals (files, policies,
//! new insureds, attached automatically, updated, unchanged, rejected
//! files), then each file: imported, or rejected with the reason; for an
//! imported file, what happened to each policy and why, and for a policy
//! that made a new insured, which of name, address and postal code
//! differed from the nearest insured. Files are paged (`?page=`).

use crate::{
    api::{
        dto::{ImportFileView, ImportItemView, ImportReportPageView},
        import_report,
    },
    components::TopBar,
    pages::{
        imports::{totals_line, when},
        staff_page_error,
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

/// The page.
#[component]
pub fn ImportReportPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i32>().ok())
            .unwrap_or(0)
    };
    let page_no = move || {
        query
            .read()
            .get("page")
            .and_then(|v| v.parse::<u32>().ok())
            .map(|p| p.saturating_sub(1))
            .unwrap_or(0)
    };
    let page = Resource::new(move || (id(), page_no()), |(id, p)| import_report(id, p));
    view! {
        <Title text=move || format!("Import {} · Admin Portal · Gatehouse", id())/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(view) => view! { <ReportBody view/> }.into_any(),
                    Err(e) => staff_page_error(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReportBody(view: ImportReportPageView) -> impl IntoView {
    let ImportReportPageView { frame, report } = view;
    let t = report.totals.clone();
    let id = report.id;
    let status = match &report.finished_at {
        Some(at) => format!("finished {}", when(at)),
        None => "still running".to_string(),
    };
    let by = report
        .started_by
        .clone()
        .map(|n| format!(" by {n}"))
        .unwrap_or_default();
    let (page, pages) = (report.page + 1, report.pages);
    let pager = move || {
        (pages > 1).then(|| {
            let link = move |p: u32| format!("/admin/imports/{id}?page={p}");
            view! {
                <nav class="pager" aria-label="Files of this import">
                    <span>{(page > 1).then(|| view! { <A href=link(page - 1)>"« Previous files"</A> })}</span>
                    <span>{format!("Files page {page} of {pages}")}</span>
                    <span>{(page < pages).then(|| view! { <A href=link(page + 1)>"Next files »"</A> })}</span>
                </nav>
            }
        })
    };
    let tile = |value: u32, label: &'static str| {
        view! { <div class="stat"><span class="stat-value">{value}</span><span class="stat-label">{label}</span></div> }
    };
    view! {
        <TopBar portal="Admin Portal" organization=frame.organization_name.clone() user=frame.display_name.clone()/>
        <main class="page wide">
            <p class="crumbs"><A href="/admin">"Admin Portal"</A>" › "<A href="/admin/imports">"Imports"</A>{format!(" › Import {id}")}</p>
            <h1>{format!("Import {id}")}</h1>
            <p class="lead">
                {format!("{}{by} · started {} · {status}", report.source, when(&report.started_at))}
            </p>
            <section class="stats" aria-label="Totals">
                {tile(t.files, "Files")}
                {tile(t.policies, "Policies")}
                {tile(t.new_insureds, "New insureds")}
                {tile(t.attached, "Attached automatically")}
                {tile(t.updated, "Updated")}
                {tile(t.unchanged, "Unchanged")}
                {tile(t.rejected, "Rejected files")}
            </section>
            <p class="count" role="status">{totals_line(&t)}</p>
            {pager()}
            {report.files.into_iter().map(|f| view! { <FileReport f/> }).collect_view()}
            {pager()}
        </main>
    }
}

#[component]
fn FileReport(f: ImportFileView) -> impl IntoView {
    let heading = f.file_name.clone();
    let label = f.file_name.clone();
    let summary = if f.imported {
        view! { <span class="badge ok">"Imported"</span> }.into_any()
    } else {
        view! { <span class="badge bad">"Rejected"</span> }.into_any()
    };
    view! {
        <section class="card file-report" aria-label=label>
            <h2 class="file-name">{heading}" "{summary}</h2>
            {f.reason.map(|r| view! { <p class="reason">{format!("Why: {r}.")}</p> })}
            {(!f.items.is_empty()).then(|| view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label=format!("Policies of {}", f.file_name)>
                    <table class="data import-items">
                        <thead><tr>
                            <th scope="col" class="num">"#"</th>
                            <th scope="col">"Policy"</th>
                            <th scope="col">"Carrier"</th>
                            <th scope="col">"Outcome"</th>
                            <th scope="col">"Insured"</th>
                            <th scope="col">"Nearest insured"</th>
                            <th scope="col">"Note"</th>
                        </tr></thead>
                        <tbody>
                            {f.items.into_iter().map(|i| view! { <ItemRow i/> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}

#[component]
fn ItemRow(i: ImportItemView) -> impl IntoView {
    let badge = match i.outcome.as_str() {
        "new_insured" => "badge wait",
        "attached" | "updated" => "badge ok",
        _ => "badge",
    };
    let nearest = match (&i.near_match, &i.differences) {
        (Some(n), Some(d)) => format!(
            "{} ({d} {})",
            n.full_name,
            if d.contains(" and ") {
                "differ"
            } else {
                "differs"
            }
        ),
        (Some(n), None) => n.full_name.clone(),
        (None, _) => String::new(),
    };
    view! {
        <tr>
            <td class="num">{i.seq}</td>
            <th scope="row"><code>{i.policy_number}</code></th>
            <td>{i.carrier_code}</td>
            <td><span class=badge>{i.outcome_label}</span></td>
            <td>{i.insured.map(|n| view! { <A href=format!("/admin/insureds?insured={}", n.id)>{n.full_name}</A> })}</td>
            <td>{nearest}</td>
            <td>{i.note}</td>
        </tr>
    }
}
