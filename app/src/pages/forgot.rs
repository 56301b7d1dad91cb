//! Getting back in by email:
//!
//! * `/admin/forgot-password` (organization short name and email),
//! * `/portal/{org}/forgot-password` (identifier and email),
//! * `/portal/{org}/forgot-identifier` (email).
//!
//! After sending, each page says the same thing whether or not the details
//! were on file (`?sent=1`), so it can't be used to find out who has a login.

use crate::{
    api::{portal_info, ForgotClientPassword, ForgotIdentifier, ForgotStaffPassword},
    components::{Brand, Field, FormAlert, Notice, SubmitButton},
    error::AppError,
    pages::{ErrorPanel, NotFound},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn sent() -> Signal<bool> {
    let query = use_query_map();
    Signal::derive(move || query.read().get("sent").is_some())
}

/// `/admin/forgot-password`.
#[component]
pub fn AdminForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotStaffPassword>::new();
    let query = use_query_map();
    let organization = Signal::derive(move || query.read().get("org").unwrap_or_default());
    let error: Signal<Option<AppError>> =
        Signal::derive(move || action.value().get().and_then(Result::err));
    let pending = action.pending();
    let sent = sent();
    view! {
        <Title text="Forgot password · Admin Portal · Gatehouse"/>
        <header class="topbar"><Brand/><span class="portal-tag">"Admin Portal"</span></header>
        <main class="page auth">
            <section class="card">
                <h1>"Forgot your password?"</h1>
                <Show
                    when=move || sent.get()
                    fallback=move || view! {
                        <p class="lead">"Enter your organization's short name and the email address on your login. We'll email you a link to choose a new password."</p>
                        <ActionForm action=action attr:class="form" attr:aria-label="Forgot password">
                            <FormAlert error/>
                            <Field label="Organization" name="organization" autocomplete="organization" value=organization error autofocus=true/>
                            <Field label="Email" name="email" kind="email" autocomplete="email" error/>
                            <SubmitButton pending label="Email me a link" busy_label="Sending…"/>
                        </ActionForm>
                    }
                >
                    <SentNotice what="a link to choose a new password" valid="1 hour"/>
                </Show>
                <p class="hint"><a href="/admin/sign-in">"Back to sign-in"</a></p>
            </section>
        </main>
    }
}

#[component]
fn SentNotice(what: &'static str, valid: &'static str) -> impl IntoView {
    view! {
        <Notice>
            {format!("If those details match a login, we've emailed {what} to its address. ")}
            {(!valid.is_empty()).then(|| format!("The link works once, for {valid}. "))}
            "It can take a minute to arrive; check your spam folder too."
        </Notice>
    }
}

/// The Client Portal's name for a page, or the not-found page.
#[component]
fn WithPortal<F, V>(page: F) -> impl IntoView
where
    F: Fn(String, String) -> V + Send + Sync + Copy + 'static,
    V: IntoView + 'static,
{
    let params = use_params_map();
    let org = move || params.read().get("org").unwrap_or_default();
    let info = Resource::new(org, portal_info);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match info.await {
                    Ok(info) => page(info.organization_slug, info.organization_name).into_any(),
                    Err(AppError::NotFound) => view! { <NotFound/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/portal/{org}/forgot-password`.
#[component]
pub fn PortalForgotPasswordPage() -> impl IntoView {
    view! { <WithPortal page=|slug, name| view! { <PortalForgotPassword slug name/> }/> }
}

#[component]
fn PortalForgotPassword(slug: String, name: String) -> impl IntoView {
    let action = ServerAction::<ForgotClientPassword>::new();
    let error: Signal<Option<AppError>> =
        Signal::derive(move || action.value().get().and_then(Result::err));
    let pending = action.pending();
    let sent = sent();
    let back = format!("/portal/{slug}/sign-in");
    let other = format!("/portal/{slug}/forgot-identifier");
    let slug = StoredValue::new(slug);
    view! {
        <Title text=format!("Forgot password · {name} Client Portal · Gatehouse")/>
        <header class="topbar"><Brand/><span class="portal-tag">"Client Portal"</span><span class="topbar-org">{name.clone()}</span></header>
        <main class="page auth">
            <section class="card">
                <h1>"Forgot your password?"</h1>
                <Show
                    when=move || sent.get()
                    fallback=move || view! {
                        <p class="lead">"Enter your account's identifier and the email address on your login. We'll email you a link to choose a new password."</p>
                        <ActionForm action=action attr:class="form" attr:aria-label="Forgot password">
                            <FormAlert error/>
                            <input type="hidden" name="organization" value=slug.get_value()/>
                            <Field label="Identifier" name="identifier" error autofocus=true/>
                            <Field label="Email" name="email" kind="email" autocomplete="email" error/>
                            <SubmitButton pending label="Email me a link" busy_label="Sending…"/>
                        </ActionForm>
                    }
                >
                    <SentNotice what="a link to choose a new password" valid="1 hour"/>
                </Show>
                <p class="form-links"><a href=back>"Back to sign-in"</a><a href=other>"Forgot your identifier?"</a></p>
            </section>
        </main>
    }
}

/// `/portal/{org}/forgot-identifier`.
#[component]
pub fn PortalForgotIdentifierPage() -> impl IntoView {
    view! { <WithPortal page=|slug, name| view! { <PortalForgotIdentifier slug name/> }/> }
}

#[component]
fn PortalForgotIdentifier(slug: String, name: String) -> impl IntoView {
    let action = ServerAction::<ForgotIdentifier>::new();
    let error: Signal<Option<AppError>> =
        Signal::derive(move || action.value().get().and_then(Result::err));
    let pending = action.pending();
    let sent = sent();
    let back = format!("/portal/{slug}/sign-in");
    let slug = StoredValue::new(slug);
    view! {
        <Title text=format!("Forgot identifier · {name} Client Portal · Gatehouse")/>
        <header class="topbar"><Brand/><span class="portal-tag">"Client Portal"</span><span class="topbar-org">{name.clone()}</span></header>
        <main class="page auth">
            <section class="card">
                <h1>"Forgot your identifier?"</h1>
                <Show
                    when=move || sent.get()
                    fallback=move || view! {
                        <p class="lead">"Enter the email address on your login. We'll email you the identifier of every account you can sign in to."</p>
                        <ActionForm action=action attr:class="form" attr:aria-label="Forgot identifier">
                            <FormAlert error/>
                            <input type="hidden" name="organization" value=slug.get_value()/>
                            <Field label="Email" name="email" kind="email" autocomplete="email" error autofocus=true/>
                            <SubmitButton pending label="Email me my identifier" busy_label="Sending…"/>
                        </ActionForm>
                    }
                >
                    <SentNotice what="your identifier" valid=""/>
                </Show>
                <p class="hint"><a href=back>"Back to sign-in"</a></p>
            </section>
        </main>
    }
}
