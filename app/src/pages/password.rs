//! Choosing a password.
//!
//! * `/account/password`: the signed-in user changes their own password. After
//!   signing in with an initial password this is the only page that works.
//! * `/password/reset?token=…`: the page behind a welcome or reset link.
//!   Opening it shows the form; only submitting it uses the link up.

use crate::{
    api::{dto::PasswordFormView, password_form, password_link_form},
    components::{Brand, Field, FormAlert, Notice, PasswordRules, SubmitButton, TopBar},
    error::AppError,
    pages::ErrorPanel,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_query_map};

/// New password, its live rules, and the confirmation.
#[component]
fn NewPasswordFields(
    view: PasswordFormView,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(optional)] autofocus: bool,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let on_input = Callback::new(move |v: String| typed.set(v));
    view! {
        <Field label="New password" name="new_password" kind="password" autocomplete="new-password" error on_input autofocus/>
        <PasswordRules policy=view.policy password=typed username=view.username.clone()/>
        <Field label="Confirm new password" name="confirm_password" kind="password" autocomplete="new-password" error/>
    }
}

/// `/account/password`.
#[component]
pub fn AccountPasswordPage() -> impl IntoView {
    let form = Resource::new(|| (), |_| password_form());
    view! {
        <Title text="Change password · Gatehouse"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Ok(v) => view! { <ChangeForm view=v/> }.into_any(),
                    Err(AppError::SignInRequired) => view! { <Redirect path="/"/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ChangeForm(view: PasswordFormView) -> impl IntoView {
    let action = ServerAction::<crate::api::ChangePassword>::new();
    let error: Signal<Option<AppError>> =
        Signal::derive(move || action.value().get().and_then(Result::err));
    let pending = action.pending();
    let portal = if view.done_page.starts_with("/portal/") {
        "Client Portal"
    } else {
        "Admin Portal"
    };
    let forced = view.forced;
    let done = view.done_page.clone();
    view! {
        <TopBar portal organization=view.organization_name.clone() user=view.display_name.clone()/>
        <main class="page auth">
            <section class="card">
                <h1>{if forced { "Choose your own password" } else { "Change your password" }}</h1>
                {forced.then(|| view! {
                    <Notice warning=true>"You signed in with an initial password. Choose a new one to continue: until you do, nothing else is available."</Notice>
                })}
                <p class="lead">
                    "Signed in as " <strong class="username">{view.username.clone()}</strong>
                    ". Your other signed-in devices will be signed out."
                </p>
                <ActionForm action=action attr:class="form" attr:aria-label="Change password">
                    <FormAlert error/>
                    <Field label="Current password" name="current_password" kind="password" autocomplete="current-password" error autofocus=true/>
                    <NewPasswordFields view=view.clone() error/>
                    <SubmitButton pending label="Change password" busy_label="Changing password…"/>
                </ActionForm>
                {(!forced).then(|| view! { <p class="hint"><a href=done>"Cancel"</a></p> })}
            </section>
        </main>
    }
}

/// `/password/reset?token=…`.
#[component]
pub fn PasswordLinkPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let form = Resource::new(token, password_link_form);
    view! {
        <Title text="Choose a password · Gatehouse"/>
        <header class="topbar"><Brand/></header>
        <main class="page auth">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match form.await {
                        Ok(Some(v)) => view! { <LinkForm view=v token=token()/> }.into_any(),
                        Ok(None) => view! {
                            <section class="card">
                                <h1>"This link can't be used"</h1>
                                <p role="alert">{crate::error::LINK_UNUSABLE}</p>
                                <p><a href="/">"Go to the start page"</a></p>
                            </section>
                        }.into_any(),
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn LinkForm(view: PasswordFormView, token: String) -> impl IntoView {
    let action = ServerAction::<crate::api::SetPasswordFromLink>::new();
    let error: Signal<Option<AppError>> =
        Signal::derive(move || action.value().get().and_then(Result::err));
    let pending = action.pending();
    let title = if view.welcome {
        "Choose your password"
    } else {
        "Choose a new password"
    };
    view! {
        <section class="card">
            <h1>{title}</h1>
            <p class="lead">
                {format!("{} · {} · username ", view.display_name, view.organization_name)}
                <strong class="username">{view.username.clone()}</strong>
            </p>
            <ActionForm action=action attr:class="form" attr:aria-label=title>
                <FormAlert error/>
                <input type="hidden" name="token" value=token/>
                <NewPasswordFields view=view.clone() error autofocus=true/>
                <SubmitButton pending label="Save password" busy_label="Saving…"/>
            </ActionForm>
            <p class="hint">"Once saved, every device signed in as you is signed out, and you sign in with the new password."</p>
        </section>
    }
}
