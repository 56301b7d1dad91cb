//! `/admin/accounts/{id}`: one client account: its details (editable by User
//! Administrators and Brokers), its identifier (view, change), the way to its
//! Account Manager page, and its documents.

use crate::{
    api::{client_account, dto::AccountView, ChangeIdentifier, UpdateAccount},
    components::{
        actions::refresh_on_success, DocumentsPanel, Field, FormAlert, Notice, SubmitButton,
        TextArea, TopBar,
    },
    error::AppError,
    pages::staff_page_error,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

/// The `{id}` of an `/admin/accounts/{id}…` address (0, which matches no
/// account, when it is not a number).
pub fn account_id_param() -> impl Fn() -> i32 + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
}

/// The account page.
#[component]
pub fn AccountPage() -> impl IntoView {
    let id = account_id_param();
    let update = ServerAction::<UpdateAccount>::new();
    let change = ServerAction::<ChangeIdentifier>::new();
    // Reloaded after a successful change only: a refused one keeps what
    // was typed, with the message next to it.
    let reloads = RwSignal::new(0u32);
    let reload = Callback::new(move |_: ()| reloads.update(|n| *n += 1));
    refresh_on_success(update, reload);
    refresh_on_success(change, reload);
    let account = Resource::new(move || (id(), reloads.get()), |(id, _)| client_account(id));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(a) => view! { <AccountBody a update change/> }.into_any(),
                    Err(e) => staff_page_error(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccountBody(
    a: AccountView,
    update: ServerAction<UpdateAccount>,
    change: ServerAction<ChangeIdentifier>,
) -> impl IntoView {
    let update_error: Signal<Option<AppError>> =
        Signal::derive(move || update.value().get().and_then(Result::err));
    let change_error: Signal<Option<AppError>> =
        Signal::derive(move || change.value().get().and_then(Result::err));
    let saved = move || matches!(update.value().get(), Some(Ok(())));
    let changed = move || change.value().get().and_then(Result::ok);
    let id = a.id;
    let crumb = a.name.clone();
    view! {
        <Title text=format!("{} · Client accounts · Gatehouse", a.name)/>
        <TopBar portal="Admin Portal" organization=a.frame.organization_name.clone() user=a.frame.display_name.clone()/>
        <main class="page">
            <p class="crumbs">
                <A href="/admin">"Admin Portal"</A>" › "<A href="/admin/accounts">"Client accounts"</A>" › "{crumb}
            </p>
            <div class="title-row">
                <h1>{a.name.clone()}</h1>
                <A href=format!("/admin/accounts/{id}/account-manager") attr:class="button">"Account Manager"</A>
            </div>
            <div class="columns">
                <section class="card">
                    <h2>"Identifier"</h2>
                    <p class="identifier-big"><code class="identifier">{a.identifier.clone()}</code></p>
                    <p class="hint">"Clients sign in at "<a href=format!("{}/sign-in", a.portal_path)>{format!("{}/sign-in", a.portal_path)}</a>" with this identifier, their username and their password."</p>
                    {move || changed().map(|i| view! { <Notice>{format!("The identifier is now {i}. The old one no longer works.")}</Notice> })}
                    {a.can_manage.then(|| view! {
                        <details class="edit">
                            <summary class="button secondary">"Change identifier"</summary>
                            <ActionForm action=change attr:class="form" attr:aria-label="Change identifier">
                                <FormAlert error=change_error/>
                                <input type="hidden" name="id" value=id/>
                                <Field label="New identifier" name="identifier" error=change_error hint="4 to 20 letters or digits, unique in your organization."/>
                                <SubmitButton pending=change.pending() label="Change identifier" busy_label="Changing…"/>
                            </ActionForm>
                        </details>
                    })}
                </section>
                <section class="card">
                    <h2>"Details"</h2>
                    {move || saved().then(|| view! { <Notice>"Saved."</Notice> })}
                    {if a.can_manage {
                        view! {
                            <ActionForm action=update attr:class="form" attr:aria-label="Account details">
                                <FormAlert error=update_error/>
                                <input type="hidden" name="id" value=id/>
                                <Field label="Name" name="name" value=a.name.clone() error=update_error/>
                                <Field label="Main phone" name="main_phone" kind="tel" value=a.main_phone.clone() required=false error=update_error/>
                                <TextArea label="Address" name="address" value=a.address.clone() error=update_error rows=3/>
                                <SubmitButton pending=update.pending() label="Save details" busy_label="Saving…"/>
                            </ActionForm>
                        }.into_any()
                    } else {
                        view! {
                            <dl class="facts">
                                <dt>"Main phone"</dt><dd>{a.main_phone.clone()}</dd>
                                <dt>"Address"</dt><dd class="address">{a.address.clone()}</dd>
                            </dl>
                        }.into_any()
                    }}
                    <p class="hint">{format!("Created {}", a.created_at.chars().take(10).collect::<String>())}</p>
                </section>
            </div>
            <DocumentsPanel account=id return_to=format!("/admin/accounts/{id}")/>
        </main>
    }
}
