//! `/admin`: the Admin Portal's landing page for the signed-in staff member.

use crate::{api::staff_home, components::TopBar, error::AppError, pages::ErrorPanel};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// The Admin Portal landing page; without a staff session it sends the
/// visitor to the sign-in page.
#[component]
pub fn AdminHome() -> impl IntoView {
    let home = Resource::new(|| (), |_| staff_home());
    view! {
        <Title text="Admin Portal · Gatehouse"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(h) => {
                        let signed_in = h.signed_in_at.clone().unwrap_or_default();
                        view! {
                            <TopBar portal="Admin Portal" organization=h.organization_name.clone() user=h.display_name.clone()/>
                            <main class="page">
                                <section class="welcome">
                                    <h1>{format!("Welcome, {}", h.display_name)}</h1>
                                    <p class="lead">
                                        {format!("{} · {} · signed in as ", h.organization_name, h.role)}
                                        <strong class="username">{h.username.clone()}</strong>
                                    </p>
                                </section>
                                <section class="stats" aria-label="Your organization">
                                    <div class="stat"><span class="stat-value">{h.client_accounts}</span><span class="stat-label">"Client accounts"</span></div>
                                    <div class="stat"><span class="stat-value">{h.staff_logins}</span><span class="stat-label">"Staff logins"</span></div>
                                    <div class="stat"><span class="stat-value">{h.client_logins}</span><span class="stat-label">"Client logins"</span></div>
                                </section>
                                <section class="card">
                                    <h2>"Tools"</h2>
                                    <nav class="tools" aria-label="Admin tools">
                                        <a class="button" href="/admin/accounts">"Client accounts"</a>
                                        <a class="button" href="/admin/people">"People"</a>
                                        <a class="button" href="/admin/insureds">"Insureds"</a>
                                        {h.can_import.then(|| view! { <a class="button" href="/admin/imports">"Imports"</a> })}
                                        {h.can_read_audit.then(|| view! { <a class="button" href="/admin/audit">"Audit log"</a> })}
                                        // Like the audit log, for User Administrators only.
                                        {h.can_read_audit.then(|| view! { <a class="button" href="/admin/staff">"Staff Master"</a> })}
                                        {h.can_read_audit.then(|| view! { <a class="button" href="/admin/settings">"Settings"</a> })}
                                        {h.dev_mailbox.then(|| view! { <a class="button secondary" href="/admin/dev-mailbox">"Development mailbox"</a> })}
                                        <a class="button secondary" href="/account/password">"Change password"</a>
                                    </nav>
                                </section>
                                <section class="card">
                                    <h2>"Your organization"</h2>
                                    <dl class="facts">
                                        <dt>"Name"</dt><dd>{h.organization_name.clone()}</dd>
                                        <dt>"Short name"</dt><dd><code>{h.organization_slug.clone()}</code></dd>
                                        <dt>"Agency prefix"</dt><dd><code>{h.agency_prefix.clone()}</code></dd>
                                        <dt>"Client Portal"</dt><dd><a href=format!("/portal/{}", h.organization_slug)>{format!("/portal/{}", h.organization_slug)}</a></dd>
                                        <dt>"Signed in"</dt><dd><time datetime=signed_in.clone()>{signed_in.replace('T', " ").chars().take(16).collect::<String>()}" UTC"</time></dd>
                                    </dl>
                                </section>
                            </main>
                        }
                        .into_any()
                    }
                    Err(AppError::SignInRequired | AppError::Forbidden) => view! { <Redirect path="/admin/sign-in"/> }.into_any(),
                    Err(AppError::PasswordChangeRequired) => view! { <Redirect path="/account/password"/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
