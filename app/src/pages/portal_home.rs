//! `/portal/{org}`: the Client Portal's landing page: the account (name,
//! identifier), the signed-in user, the account's documents, and for the
//! Account Manager the way to their office staff. An insured is sent to
//! their own page, `/portal/{org}/insured` (`pages::insured_portal`).

use crate::{
    api::client_home,
    components::{DocumentsPanel, TopBar},
    error::AppError,
    pages::{portal_address, ErrorPanel},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::Redirect,
    hooks::{use_location, use_params_map},
};

/// The Client Portal landing page; without a session for this portal it sends
/// the visitor to this portal's sign-in page.
#[component]
pub fn PortalHome() -> impl IntoView {
    let params = use_params_map();
    let org = move || params.read().get("org").unwrap_or_default();
    let home = Resource::new(org, client_home);
    // An insured's bookmark of the old address keeps its `?policy=` filter.
    let search = use_location().search;
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(h) if h.insured => {
                        let search = search.get_untracked();
                        let query = if search.is_empty() { String::new() } else { format!("?{search}") };
                        view! { <Redirect path=format!("/portal/{}/insured{query}", h.organization_slug)/> }.into_any()
                    }
                    Ok(h) => view! {
                        <Title text=format!("{} · Client Portal · Gatehouse", h.account_name)/>
                        <TopBar portal="Client Portal" organization=h.organization_name.clone() user=h.display_name.clone() emulation=h.emulation.clone()/>
                        <main class="page">
                            <section class="welcome">
                                <h1>{h.account_name.clone()}</h1>
                                <p class="lead">
                                    {format!("Welcome, {} · {} · signed in as ", h.display_name, h.role)}
                                    <strong class="username">{h.username.clone()}</strong>
                                </p>
                                // Company Access: a plain form post, so the whole page
                                // (documents, rights) is loaded again for the account.
                                {h.switcher.clone().map(|s| view! {
                                    <form method="post" action="/api/switch_account" class="switcher" aria-label="Switch account">
                                        <label for="switch-account">"Account"</label>
                                        <select id="switch-account" name="account">
                                            {s.choices.into_iter().map(|c| view! {
                                                <option value=c.id selected=c.id == s.current>{c.name}</option>
                                            }).collect_view()}
                                        </select>
                                        <button type="submit" class="button secondary">"Switch"</button>
                                    </form>
                                })}
                            </section>
                            <section class="card">
                                <h2>"Your account"</h2>
                                <dl class="facts">
                                    <dt>"Account"</dt><dd class="account-name">{h.account_name.clone()}</dd>
                                    <dt>"Identifier"</dt><dd><code class="identifier">{h.identifier.clone()}</code></dd>
                                    <dt>"Service company"</dt><dd>{h.organization_name.clone()}</dd>
                                    <dt>"Your role"</dt><dd>{h.role.clone()}</dd>
                                </dl>
                                <p class="hint">{if h.switcher.as_ref().is_some_and(|s| s.current != s.home) {
                                    "You work in this account through Company Access; you sign in with your own account's identifier."
                                } else {
                                    "Keep your identifier: you need it, with your username and password, to sign in."
                                }}</p>
                                {h.manages_office_staff.then(|| view! {
                                    <p><a class="button" href=format!("/portal/{}/office-staff", h.organization_slug)>"Manage office staff"</a></p>
                                })}
                            </section>
                            <DocumentsPanel return_to=format!("/portal/{}", h.organization_slug)/>
                        </main>
                    }
                    .into_any(),
                    Err(AppError::PasswordChangeRequired) => view! { <Redirect path="/account/password"/> }.into_any(),
                    Err(AppError::SignInRequired | AppError::Forbidden) => {
                        view! { <Redirect path=portal_address(&org(), "/sign-in")/> }.into_any()
                    }
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
