//! `/portal/{org}/office-staff`: the Account Manager's Authorized Office
//! Staff Users: create them with an initial password, grant or revoke
//! "may modify" and "may delete", disable and enable, reset passwords. Each
//! change takes effect at the user's next request. The list shows 50 at a
//! time, by name; the page being looked at is in the address (`?after=<id>`).

use crate::components::actions::refresh_on_success;
use crate::{
    api::{
        dto::{ClientUserView, OfficeStaffListView},
        office_staff, CreateOfficeStaff, ResetOfficeStaffPassword, SetOfficeStaffActive,
        SetOfficeStaffRights,
    },
    components::{
        documents::short_time, CheckBox, Field, FormAlert, Notice, PasswordRules, SubmitButton,
        TopBar,
    },
    error::AppError,
    pages::{
        account_manager::{latest_activity, status_badge},
        portal_page_error,
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
pub fn OfficeStaffPage() -> impl IntoView {
    let params = use_params_map();
    let org = move || params.read().get("org").unwrap_or_default();
    let changed = RwSignal::new(0u32);
    let query = use_query_map();
    let after = move || {
        query
            .read()
            .get("after")
            .and_then(|v| v.parse::<i32>().ok())
    };
    let page = Resource::new(
        move || (changed.get(), after()),
        |(_, after)| office_staff(after),
    );
    let refresh = Callback::new(move |_: ()| changed.update(|n| *n += 1));
    view! {
        <Title text="Office staff · Client Portal · Gatehouse"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <StaffBody p org=org() refresh/> }.into_any(),
                    Err(AppError::Forbidden) => view! {
                        <main class="page narrow"><section class="card">
                            <h1>"Office staff"</h1>
                            <p role="alert">"Only the account's Account Manager manages its office staff."</p>
                            <p><a href=format!("/portal/{}", org())>"Back to your account"</a></p>
                        </section></main>
                    }.into_any(),
                    Err(e) => portal_page_error(e, &org()),
                }
            })}
        </Suspense>
    }
}

#[component]
fn StaffBody(p: OfficeStaffListView, org: String, refresh: Callback<()>) -> impl IntoView {
    let create = ServerAction::<CreateOfficeStaff>::new();
    let error: Signal<Option<AppError>> =
        Signal::derive(move || create.value().get().and_then(Result::err));
    refresh_on_success(create, refresh);
    let created = move || matches!(create.value().get(), Some(Ok(_)));
    let typed = RwSignal::new(String::new());
    let typed_username = RwSignal::new(String::new());
    let (may_modify, may_delete) = (p.may_grant_modify, p.may_grant_delete);
    let policy = p.policy;
    let crumb = p.account_name.clone();
    let here = format!("/portal/{org}/office-staff");
    let count = p.staff.len() as u64;
    let first = (p.first_shown > 1).then(|| here.clone());
    let next = p.next.map(|id| format!("{here}?after={id}"));
    let shown = if count == 0 {
        "No more office staff: they were removed meanwhile.".to_string()
    } else if p.total <= count {
        format!("{} office staff user(s), by last name.", p.total)
    } else {
        format!(
            "{}–{} of {} office staff users, by last name.",
            p.first_shown,
            p.first_shown + count - 1,
            p.total
        )
    };
    view! {
        <TopBar portal="Client Portal" organization=p.frame.organization_name.clone() user=p.frame.display_name.clone() emulation=p.frame.emulation.clone()/>
        <main class="page">
            <p class="crumbs"><A href=format!("/portal/{org}")>{crumb}</A>" › Office staff"</p>
            <h1>"Office staff"</h1>
            <p class="lead">"Authorized Office Staff Users of "{p.account_name.clone()}". They sign in with the account's identifier, their username and their password."</p>
            <section class="card">
                {if p.total == 0 {
                    view! { <p class="empty">"No office staff yet. Create the first one below."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap" tabindex="0" role="region" aria-label="Office staff">
                            <table class="data" aria-label="Office staff">
                                <thead><tr>
                                    <th scope="col">"Name"</th><th scope="col">"Username"</th><th scope="col">"Status"</th>
                                    <th scope="col">"Rights"</th><th scope="col">"Last sign-in"</th>
                                    <th scope="col">"Latest activity"</th><th scope="col">"Actions"</th>
                                </tr></thead>
                                <tbody>
                                    {p.staff.clone().into_iter().map(|u| view! {
                                        <StaffRow u may_modify may_delete policy=p.policy refresh/>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <nav class="pager" aria-label="Office staff pages">
                            <span>{first.map(|href| view! { <A href=href>"« First page"</A> })}</span>
                            <span>{shown}</span>
                            <span>{next.map(|href| view! { <A href=href>"Next page »"</A> })}</span>
                        </nav>
                    }.into_any()
                }}
            </section>
            <section class="card">
                <h2>"New office staff user"</h2>
                {move || created().then(|| view! { <Notice>"Created. Give them the identifier, their username and the initial password; they choose their own at first sign-in."</Notice> })}
                <ActionForm action=create attr:class="form" attr:aria-label="New office staff user">
                    <FormAlert error/>
                    <div class="field-row">
                        <Field label="First name" name="first_name" error id_prefix="new-"/>
                        <Field label="Last name" name="last_name" error id_prefix="new-"/>
                    </div>
                    <Field label="Username" name="username" error id_prefix="new-" on_input=Callback::new(move |v| typed_username.set(v))/>
                    <Field label="Initial password" name="password" kind="password" autocomplete="new-password" error id_prefix="new-" on_input=Callback::new(move |v| typed.set(v))/>
                    <PasswordRules policy=policy password=typed username=typed_username/>
                    <Field label="Initial password again" name="confirm_password" kind="password" autocomplete="new-password" error id_prefix="new-"/>
                    <fieldset class="rights">
                        <legend>"Rights on the account's documents"</legend>
                        <CheckBox label="May modify documents" name="can_modify" disabled=!may_modify id_prefix="new-"/>
                        <CheckBox label="May delete documents" name="can_delete" disabled=!may_delete id_prefix="new-"/>
                    </fieldset>
                    <SubmitButton pending=create.pending() label="Create user" busy_label="Creating…"/>
                </ActionForm>
            </section>
        </main>
    }
}

#[component]
fn StaffRow(
    u: ClientUserView,
    may_modify: bool,
    may_delete: bool,
    policy: crate::domain::PasswordPolicy,
    refresh: Callback<()>,
) -> impl IntoView {
    let rights = ServerAction::<SetOfficeStaffRights>::new();
    let active = ServerAction::<SetOfficeStaffActive>::new();
    let reset = ServerAction::<ResetOfficeStaffPassword>::new();
    refresh_on_success(rights, refresh);
    refresh_on_success(active, refresh);
    let rights_error: Signal<Option<AppError>> =
        Signal::derive(move || rights.value().get().and_then(Result::err));
    let active_error: Signal<Option<AppError>> =
        Signal::derive(move || active.value().get().and_then(Result::err));
    let reset_error: Signal<Option<AppError>> =
        Signal::derive(move || reset.value().get().and_then(Result::err));
    let reset_done = move || matches!(reset.value().get(), Some(Ok(())));
    let typed = RwSignal::new(String::new());
    let prefix = format!("user-{}-", u.id);
    let (p1, p2, p3, p4) = (prefix.clone(), prefix.clone(), prefix.clone(), prefix);
    let id = u.id;
    let rights_label = format!("Rights of {}", u.username);
    let active_label = format!(
        "{} {}",
        if u.active { "Disable" } else { "Enable" },
        u.username
    );
    let reset_label = format!("Reset the password of {}", u.username);
    let username = u.username.clone();
    view! {
        <tr data-user=u.username.clone()>
            <td>{u.display_name.clone()}</td>
            <td>{u.username.clone()}</td>
            <td>{status_badge(&u)}</td>
            <td>
                <ActionForm action=rights attr:class="rights-form" attr:aria-label=rights_label>
                    <FormAlert error=rights_error/>
                    <input type="hidden" name="user" value=id/>
                    <CheckBox label="May modify" name="can_modify" checked=u.can_modify disabled=!may_modify id_prefix=p1/>
                    <CheckBox label="May delete" name="can_delete" checked=u.can_delete disabled=!may_delete id_prefix=p2/>
                    <button type="submit" class="button secondary small">"Save rights"</button>
                </ActionForm>
            </td>
            <td class="when">{u.last_login_at.as_deref().map(short_time).unwrap_or_else(|| "Never".into())}</td>
            <td>{latest_activity(&u)}</td>
            <td class="actions">
                <ActionForm action=active attr:class="inline" attr:aria-label=active_label>
                    <FormAlert error=active_error/>
                    <input type="hidden" name="user" value=id/>
                    <input type="hidden" name="active" value=if u.active { "false" } else { "true" }/>
                    <button type="submit" class=if u.active { "button danger small" } else { "button secondary small" }>
                        {if u.active { "Disable" } else { "Enable" }}
                    </button>
                </ActionForm>
                <details class="edit">
                    <summary class="button secondary small">"Reset password"</summary>
                    {move || reset_done().then(|| view! { <Notice>"Password reset. They choose a new one at their next sign-in."</Notice> })}
                    <ActionForm action=reset attr:class="form" attr:aria-label=reset_label>
                        <FormAlert error=reset_error/>
                        <input type="hidden" name="user" value=id/>
                        <Field label="Initial password" name="password" kind="password" autocomplete="new-password" error=reset_error id_prefix=p3 on_input=Callback::new(move |v| typed.set(v))/>
                        <PasswordRules policy=policy id="" password=typed username=username/>
                        <Field label="Again" name="confirm_password" kind="password" autocomplete="new-password" error=reset_error id_prefix=p4/>
                        <SubmitButton pending=reset.pending() label="Reset password" busy_label="Saving…"/>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}
