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

/// The frame every recovery page shares: the bar, the card, the form until it
/// has been sent (`?sent=1`), then the same notice whatever matched.
#[component]
fn RecoveryCard(
    /// "Admin Portal" or "Client Portal".
    portal: &'static str,
    /// The organization's name, when the address names it.
    #[prop(optional)]
    org_name: Option<String>,
    /// The document title.
    page_title: String,
    /// The card's heading.
    heading: &'static str,
    /// What the email carries, for the notice ("your identifier").
    what: &'static str,
    /// How long the emailed link works ("" when there is no link).
    valid: &'static str,
    /// The explanation and the form.
    #[prop(into)]
    form: ViewFn,
    /// Links under the card.
    children: Children,
) -> impl IntoView {
    let sent = sent();
    view! {
        <Title text=page_title/>
        <header class="topbar">
            <Brand/>
            <span class="portal-tag">{portal}</span>
            {org_name.map(|n| view! { <span class="topbar-org">{n}</span> })}
        </header>
        <main class="page auth">
            <section class="card">
                <h1>{heading}</h1>
                <Show when=move || sent.get() fallback=form>
                    <SentNotice what valid/>
                </Show>
                {children()}
            </section>
        </main>
    }
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
    view! {
        <RecoveryCard
            portal="Admin Portal"
            page_title="Forgot password · Admin Portal · Gatehouse".into()
            heading="Forgot your password?"
            what="a link to choose a new password"
            valid="1 hour"
            form=move || view! {
                <p class="lead">"Enter your organization's short name and the email address on your login. We'll email you a link to choose a new password."</p>
                <ActionForm action=action attr:class="form" attr:aria-label="Forgot password">
                    <FormAlert error/>
                    <Field label="Organization" name="organization" autocomplete="organization" value=organization error autofocus=true/>
                    <Field label="Email" name="email" kind="email" autocomplete="email" error/>
                    <SubmitButton pending label="Email me a link" busy_label="Sending…"/>
                </ActionForm>
            }
        >
            <p class="hint"><a href="/admin/sign-in">"Back to sign-in"</a></p>
        </RecoveryCard>
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
    let back = format!("/portal/{slug}/sign-in");
    let other = format!("/portal/{slug}/forgot-identifier");
    let slug = StoredValue::new(slug);
    view! {
        <RecoveryCard
            portal="Client Portal"
            org_name=name.clone()
            page_title=format!("Forgot password · {name} Client Portal · Gatehouse")
            heading="Forgot your password?"
            what="a link to choose a new password"
            valid="1 hour"
            form=move || view! {
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
            <p class="form-links"><a href=back>"Back to sign-in"</a><a href=other>"Forgot your identifier?"</a></p>
        </RecoveryCard>
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
    let back = format!("/portal/{slug}/sign-in");
    let slug = StoredValue::new(slug);
    view! {
        <RecoveryCard
            portal="Client Portal"
            org_name=name.clone()
            page_title=format!("Forgot identifier · {name} Client Portal · Gatehouse")
            heading="Forgot your identifier?"
            what="your identifier"
            valid=""
            form=move || view! {
                <p class="lead">"Enter the email address on your login. We'll email you the identifier of every account you can sign in to."</p>
                <ActionForm action=action attr:class="form" attr:aria-label="Forgot identifier">
                    <FormAlert error/>
                    <input type="hidden" name="organization" value=slug.get_value()/>
                    <Field label="Email" name="email" kind="email" autocomplete="email" error autofocus=true/>
                    <SubmitButton pending label="Email me my identifier" busy_label="Sending…"/>
                </ActionForm>
            }
        >
            <p class="hint"><a href=back>"Back to sign-in"</a></p>
        </RecoveryCard>
    }
}
