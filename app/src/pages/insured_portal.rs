//! `/portal/{org}/insured`: the insured's portal. **My policies** (carrier,
//! number, line of business, term, status: renewals, expiring, expired and
//! cancelled policies marked), **My documents** (their eDocs, newest first,
//! each a large download link; a policy filter that works without script)
//! and **My account** (the email they sign in with, which only the broker
//! changes; the identifier; Change password). Built for a phone first: one
//! column, large tap targets, nothing to zoom.
//!
//! A route of its own, not a variant of `/portal/{org}`: an insured's phone
//! then downloads this page's code only, not the Account Manager's home with
//! its documents panel and upload. Insureds land here after signing in, and
//! `/portal/{org}` sends them here.

use crate::{
    api::{
        dto::{EdocView, InsuredHomeView, InsuredPolicyView},
        insured_home,
    },
    components::{upload::human_size, TopBar},
    error::AppError,
    pages::{portal_address, portal_page_error, short_date},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::{Form, Redirect},
    hooks::{use_params_map, use_query_map},
};

/// The insured's portal of the organization in the address.
#[component]
pub fn InsuredPortalPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let org = move || params.read().get("org").unwrap_or_default();
    let policy = move || {
        query
            .read()
            .get("policy")
            .and_then(|p| p.trim().parse::<i32>().ok())
    };
    let home = Resource::new(
        move || (org(), policy()),
        |(org, policy)| insured_home(org, policy),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let org = org();
                match home.await {
                    Ok(h) => view! { <InsuredPortalBody h/> }.into_any(),
                    // Signed in to this portal, but not as an insured: their
                    // own landing page.
                    Err(AppError::Forbidden) => view! { <Redirect path=portal_address(&org, "")/> }.into_any(),
                    Err(e) => portal_page_error(e, &org),
                }
            })}
        </Suspense>
    }
}

// Not `#[lazy]`: a lazily loaded view inside this server-rendered Suspense
// was rendered a second time below the first when the page hydrated
// (seen at 390 px wide, 2026-12-05). The Docs panel of the Insureds page
// is lazy because it renders only in the browser, after a click.
#[component]
fn InsuredPortalBody(h: InsuredHomeView) -> impl IntoView {
    let here = format!("/portal/{}/insured", h.organization_slug);
    let filter = h.policy_filter;
    let chosen = filter.and_then(|id| {
        h.policies
            .iter()
            .find(|p| p.policy.id == id)
            .map(|p| p.policy.policy_number.clone())
    });
    let docs = h.documents.clone();
    let shown = docs.edocs.len() as u64;
    view! {
        <Title text=format!("{} · {} · Gatehouse", h.insured_name, h.organization_name)/>
        <TopBar portal="Client Portal" organization=h.organization_name.clone() user=h.display_name.clone()/>
        <main class="page insured-portal">
            <section class="welcome">
                <h1>{h.insured_name.clone()}</h1>
                <p class="lead">{format!("Your policies and documents with {}.", h.organization_name)}</p>
                <nav class="portal-sections" aria-label="Sections">
                    <a href="#policies">"My policies"</a>
                    <a href="#documents">"My documents"</a>
                    <a href="#account">"My account"</a>
                </nav>
            </section>

            <section class="card" id="policies" aria-labelledby="policies-title">
                <h2 id="policies-title">"My policies"</h2>
                {if h.policies.is_empty() {
                    view! { <p class="muted">"No policies yet. Your broker adds them as your insurers send them."</p> }.into_any()
                } else {
                    view! {
                        <ul class="policy-cards">
                            {h.policies.clone().into_iter().map(|p| view! { <PolicyCard p/> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>

            <section class="card" id="documents" aria-labelledby="documents-title">
                <h2 id="documents-title">"My documents"</h2>
                {(!h.policies.is_empty()).then(|| view! {
                    <Form method="GET" action=here.clone() attr:class="doc-filter" attr:aria-label="Show documents of">
                        <label for="doc-policy">"Policy"</label>
                        <select id="doc-policy" name="policy">
                            <option value="" selected=filter.is_none()>"All policies"</option>
                            {h.policies.clone().into_iter().map(|p| {
                                let id = p.policy.id;
                                view! {
                                    <option value=id selected=filter == Some(id)>
                                        {format!("{} · {}", p.policy.policy_number, p.policy.line_of_business)}
                                    </option>
                                }
                            }).collect_view()}
                        </select>
                        <button type="submit" class="button secondary">"Show"</button>
                    </Form>
                })}
                <p class="count" role="status">{match (&chosen, docs.total) {
                    (Some(n), 0) => format!("No documents for policy {n}."),
                    (None, 0) if filter.is_some() => "No documents for that policy.".to_string(),
                    (None, 0) => "No documents yet.".to_string(),
                    (Some(n), 1) => format!("1 document for policy {n}."),
                    (None, 1) => "1 document.".to_string(),
                    (Some(n), t) => format!("{t} documents for policy {n}, newest first."),
                    (None, t) => format!("{t} documents, newest first."),
                }}</p>
                <ul class="doc-list">
                    {docs.edocs.into_iter().map(|d| view! { <DocLink d/> }).collect_view()}
                </ul>
                {(docs.total > shown).then(|| view! {
                    <p class="muted">{format!("The newest {shown} are shown; choose a policy to see its documents.")}</p>
                })}
            </section>

            <section class="card" id="account" aria-labelledby="account-title">
                <h2 id="account-title">"My account"</h2>
                <dl class="facts">
                    <dt>"Email"</dt>
                    <dd>
                        <span class="email">{h.email.clone()}</span>
                        <p class="hint">{format!("You sign in with this address. To change it, ask your broker at {}.", h.organization_name)}</p>
                    </dd>
                    <dt>"Identifier"</dt>
                    <dd><code class="identifier">{h.identifier.clone()}</code>
                        <p class="hint">"You need it, with your email and password, to sign in."</p>
                    </dd>
                </dl>
                <p><a class="button" href="/account/password">"Change password"</a></p>
            </section>
        </main>
    }
}

#[component]
fn PolicyCard(p: InsuredPolicyView) -> impl IntoView {
    let c = p.policy;
    let (class, label) = match c.state.as_str() {
        "cancelled" => ("badge bad", "Cancelled"),
        "expired" => ("badge", "Expired"),
        _ if p.expiring_soon => ("badge wait", "Expires soon"),
        _ => ("badge ok", "Active"),
    };
    let inactive = c.state != "active";
    view! {
        <li class="policy-card" class:inactive=inactive>
            <div class="policy-head">
                <h3>{c.line_of_business.clone()}</h3>
                <span class=class>{label}</span>
                {p.renewed.then(|| view! { <span class="badge info">"Renewed"</span> })}
            </div>
            <dl class="policy-facts">
                <dt>"Policy number"</dt><dd><code>{c.policy_number.clone()}</code></dd>
                <dt>"Insurer"</dt><dd>{c.carrier_code.clone()}</dd>
                <dt>"Term"</dt>
                <dd>
                    <time datetime=c.effective_date.clone()>{short_date(&c.effective_date)}</time>
                    " – "
                    <time datetime=c.expiry_date.clone()>{short_date(&c.expiry_date)}</time>
                </dd>
            </dl>
        </li>
    }
}

#[component]
fn DocLink(d: EdocView) -> impl IntoView {
    let href = format!("/documents/{}/file", d.id);
    let mut meta = vec![
        d.business_purpose.clone(),
        format!("issued {}", short_date(&d.issue_date)),
    ];
    if let Some(n) = &d.policy_number {
        meta.push(format!("policy {n}"));
    }
    meta.push(human_size(d.size_bytes.max(0) as u64));
    view! {
        <li>
            <a class="doc" href=href download=d.file_name.clone()>
                <span class="doc-title">{d.document_type.clone()}</span>
                <span class="doc-file">{d.file_name.clone()}</span>
                <span class="doc-meta">{meta.join(" · ")}</span>
            </a>
        </li>
    }
}
