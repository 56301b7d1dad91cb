//! `/portal/{org}/sign-in`: a client signs in with identifier, username and
//! password. "Remember identifier" keeps the identifier in this device's
//! local storage (once the page is hydrated), so a returning user types only
//! username and password.

use crate::{
    api::portal_info,
    browser,
    components::{Brand, Field, FormAlert, Notice, SubmitButton},
    error::AppError,
    pages::{ErrorPanel, NotFound},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn storage_key(org: &str) -> String {
    format!("gatehouse.identifier.{org}")
}

/// The Client Portal sign-in page of one organization.
#[component]
pub fn PortalSignIn() -> impl IntoView {
    let params = use_params_map();
    let org = move || params.read().get("org").unwrap_or_default();
    let info = Resource::new(org, portal_info);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match info.await {
                    Ok(info) => view! { <SignInForm org=info.organization_slug name=info.organization_name/> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignInForm(org: String, name: String) -> impl IntoView {
    let action = ServerAction::<crate::api::ClientSignIn>::new();
    let error: Signal<Option<AppError>> =
        Signal::derive(move || action.value().get().and_then(Result::err));
    let pending = action.pending();
    let query = leptos_router::hooks::use_query_map();
    let password_set = Signal::derive(move || query.read().get("password").is_some());
    let forgot_password = format!("/portal/{org}/forgot-password");
    let forgot_identifier = format!("/portal/{org}/forgot-identifier");
    let identifier = RwSignal::new(String::new());
    let remember = RwSignal::new(false);
    let key = storage_key(&org);

    // Runs in the browser only, once hydrated.
    Effect::new({
        let key = key.clone();
        move |_| {
            if let Some(saved) = browser::stored(&key) {
                identifier.set(saved);
                remember.set(true);
            }
        }
    });
    let on_identifier = Callback::new({
        let key = key.clone();
        move |value: String| {
            if remember.get_untracked() {
                browser::store(&key, &value);
            }
            identifier.set(value);
        }
    });
    let on_remember = move |ev: leptos::ev::Event| {
        let checked = event_target_checked(&ev);
        remember.set(checked);
        if checked {
            browser::store(&key, &identifier.get_untracked());
        } else {
            browser::forget(&key);
        }
    };
    view! {
        <Title text=format!("Sign in · {name} Client Portal · Gatehouse")/>
        <header class="topbar"><Brand/><span class="portal-tag">"Client Portal"</span><span class="topbar-org">{name.clone()}</span></header>
        <main class="page auth">
            <section class="card">
                <h1>{format!("{name} Client Portal")}</h1>
                <p class="lead">"Sign in with your account's identifier, your username and your password."</p>
                <Show when=move || password_set.get()>
                    <Notice>"Your password is set. Sign in with it now."</Notice>
                </Show>
                <ActionForm action=action attr:class="form" attr:aria-label="Client Portal sign-in">
                    <FormAlert error/>
                    <input type="hidden" name="organization" value=org.clone()/>
                    <Field label="Identifier" name="identifier" value=identifier error on_input=on_identifier autofocus=true/>
                    <label class="check">
                        <input type="checkbox" id="remember-identifier" prop:checked=remember on:change=on_remember/>
                        "Remember identifier on this device"
                    </label>
                    <Field label="Username" name="username" autocomplete="username" error/>
                    <Field label="Password" name="password" kind="password" autocomplete="current-password" error/>
                    <SubmitButton pending label="Sign in" busy_label="Signing in…"/>
                </ActionForm>
                <p class="form-links">
                    <a href=forgot_password>"Forgot your password?"</a>
                    <a href=forgot_identifier>"Forgot your identifier?"</a>
                </p>
            </section>
        </main>
    }
}
