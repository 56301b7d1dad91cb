//! `/admin/accounts/{id}/account-manager`: the Account Manager page of one
//! client account: the identifier, the Account Manager's login (create it,
//! or reset its password; either way an initial password to change at first
//! sign-in), **Emulate**, and the account's office staff.

use crate::{
    api::{
        account_manager, dto::AccountManagerView, dto::ClientUserView, SetAccountManagerLogin,
        StartEmulation,
    },
    components::{
        actions::refresh_on_success, documents::short_time, Field, FormAlert, Notice,
        PasswordRules, SubmitButton, TopBar,
    },
    error::AppError,
    pages::{account::account_id_param, staff_page_error},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The page.
#[component]
pub fn AccountManagerPage() -> impl IntoView {
    let id = account_id_param();
    let login = ServerAction::<SetAccountManagerLogin>::new();
    // Reloaded after a successful change only, so a refused password keeps
    // the form as typed, with the message next to the field.
    let reloads = RwSignal::new(0u32);
    refresh_on_success(
        login,
        Callback::new(move |_: ()| reloads.update(|n| *n += 1)),
    );
    let page = Resource::new(move || (id(), reloads.get()), |(id, _)| account_manager(id));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <ManagerBody p login/> }.into_any(),
                    Err(e) => staff_page_error(e),
                }
            })}
        </Suspense>
    }
}

/// "Status" of a login, in words.
pub fn status_badge(u: &ClientUserView) -> AnyView {
    if !u.active {
        view! { <span class="badge">"Disabled"</span> }.into_any()
    } else if u.must_change_password {
        view! { <span class="badge wait">"Initial password"</span> }.into_any()
    } else {
        view! { <span class="badge ok">"Active"</span> }.into_any()
    }
}

/// The "Latest activity" cell.
pub fn latest_activity(u: &ClientUserView) -> AnyView {
    match &u.latest_activity {
        Some(a) => view! {
            <span class="activity">
                {a.action.clone()}" · "<span class="activity-by">{a.by.clone()}</span>
                <time datetime=a.at.clone()>{short_time(&a.at)}</time>
            </span>
        }
        .into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

#[component]
fn ManagerBody(
    p: AccountManagerView,
    login: ServerAction<SetAccountManagerLogin>,
) -> impl IntoView {
    let error: Signal<Option<AppError>> =
        Signal::derive(move || login.value().get().and_then(Result::err));
    let done = move || login.value().get().and_then(Result::ok);
    let emulate = ServerAction::<StartEmulation>::new();
    let emulate_error: Signal<Option<AppError>> =
        Signal::derive(move || emulate.value().get().and_then(Result::err));
    let typed = RwSignal::new(String::new());
    let typed_username = RwSignal::new(
        p.manager
            .as_ref()
            .map(|m| m.username.clone())
            .unwrap_or_default(),
    );
    let account_id = p.account_id;
    let has_manager = p.manager.is_some();
    let policy = p.policy;
    let title = format!("Account Manager · {} · Gatehouse", p.account_name);
    let crumb = p.account_name.clone();
    view! {
        <Title text=title/>
        <TopBar portal="Admin Portal" organization=p.frame.organization_name.clone() user=p.frame.display_name.clone()/>
        <main class="page">
            <p class="crumbs">
                <A href="/admin">"Admin Portal"</A>" › "<A href="/admin/accounts">"Client accounts"</A>" › "
                <A href=format!("/admin/accounts/{account_id}")>{crumb}</A>" › Account Manager"
            </p>
            <h1>"Account Manager"</h1>
            <p class="lead">{p.account_name.clone()}</p>
            <div class="columns">
                <section class="card">
                    <h2>"Sign-in details"</h2>
                    <dl class="facts">
                        <dt>"Identifier"</dt><dd><code class="identifier">{p.identifier.clone()}</code></dd>
                        <dt>"Client Portal"</dt><dd><a href=p.portal_path.clone()>{p.portal_path.clone()}</a></dd>
                        {p.manager.clone().map(|m| view! {
                            <dt>"Account Manager"</dt><dd class="manager-name">{m.display_name.clone()}</dd>
                            <dt>"Username"</dt><dd><strong class="username">{m.username.clone()}</strong></dd>
                            <dt>"Status"</dt><dd>{status_badge(&m)}</dd>
                            <dt>"Last sign-in"</dt><dd>{m.last_login_at.as_deref().map(short_time).unwrap_or_else(|| "Never".into())}</dd>
                            <dt>"Latest activity"</dt><dd>{latest_activity(&m)}</dd>
                        })}
                    </dl>
                    {(p.can_manage && has_manager).then(|| view! {
                        <ActionForm action=emulate attr:class="emulate" attr:aria-label="Emulate the Account Manager">
                            <FormAlert error=emulate_error/>
                            <input type="hidden" name="account" value=account_id/>
                            <button type="submit" class="button">"Emulate"</button>
                            <p class="hint">"See and do what the Account Manager sees and does. Everything you do is recorded as you acting for them."</p>
                        </ActionForm>
                    })}
                </section>
                {p.can_manage.then(|| view! {
                    <section class="card">
                        <h2>{if has_manager { "Reset the password" } else { "Create the login" }}</h2>
                        {move || done().map(|m| view! { <Notice>{m}</Notice> })}
                        <ActionForm action=login attr:class="form" attr:aria-label=if has_manager { "Reset the Account Manager's password" } else { "Create the Account Manager's login" }>
                            <FormAlert error/>
                            <input type="hidden" name="account" value=account_id/>
                            {(!has_manager).then(|| view! {
                                <Field label="First name" name="first_name" error/>
                                <Field label="Last name" name="last_name" error/>
                                <Field label="Username" name="username" error on_input=Callback::new(move |v| typed_username.set(v))/>
                            })}
                            <Field label="Initial password" name="password" kind="password" autocomplete="new-password" error on_input=Callback::new(move |v| typed.set(v))/>
                            <PasswordRules policy password=typed username=typed_username/>
                            <Field label="Initial password again" name="confirm_password" kind="password" autocomplete="new-password" error/>
                            <SubmitButton pending=login.pending() label=if has_manager { "Reset password" } else { "Create login" } busy_label="Saving…"/>
                        </ActionForm>
                        <p class="hint">"The Account Manager must choose their own password when they first sign in."</p>
                    </section>
                })}
            </div>
            <section class="card">
                <h2>"Office staff"</h2>
                {if p.office_staff.is_empty() {
                    view! { <p class="empty">"The Account Manager has not created any office staff yet."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap" tabindex="0" role="region" aria-label="Office staff">
                            <table class="data" aria-label="Office staff">
                                <thead><tr>
                                    <th scope="col">"Name"</th><th scope="col">"Username"</th><th scope="col">"Status"</th>
                                    <th scope="col">"May modify"</th><th scope="col">"May delete"</th>
                                    <th scope="col">"Last sign-in"</th><th scope="col">"Latest activity"</th>
                                </tr></thead>
                                <tbody>
                                    {p.office_staff.iter().map(|u| view! {
                                        <tr>
                                            <td>{u.display_name.clone()}</td>
                                            <td>{u.username.clone()}</td>
                                            <td>{status_badge(u)}</td>
                                            <td>{if u.can_modify { "Yes" } else { "No" }}</td>
                                            <td>{if u.can_delete { "Yes" } else { "No" }}</td>
                                            <td class="when">{u.last_login_at.as_deref().map(short_time).unwrap_or_else(|| "Never".into())}</td>
                                            <td>{latest_activity(u)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <p class="hint">{
                            let shown = p.office_staff.len() as u64;
                            if p.office_staff_total > shown {
                                format!("The first {shown} of {} office staff users, by last name. The Account Manager's office staff page lists them all.", p.office_staff_total)
                            } else {
                                format!("{shown} office staff user(s), by last name.")
                            }
                        }</p>
                    }.into_any()
                }}
            </section>
        </main>
    }
}
