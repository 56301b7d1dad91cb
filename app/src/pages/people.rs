//! `/admin/people`: the People directory. Staff or client logins, a name
//! filter, the *Active* / *Can Login* boxes (ticked: only logins that can be
//! used), *Show disabled users*, a role, a sort on every column and keyset
//! pages, all in the address so a filtered list can be bookmarked and the
//! back button works. Each row has an Actions menu (the button, or a
//! right-click on the row) with what a User Administrator does to a login.

use crate::{
    api::{
        dto::{PeopleListView, PersonRowView},
        people, ResetPersonPassword, SendPersonPasswordLink, SetPersonAccess, SetStaffRole,
    },
    components::{
        actions::{on_toggle, refresh_on_success},
        Field, FormAlert, PasswordRules, SubmitButton, TopBar,
    },
    domain::{
        people::{roles_of, status_label},
        PasswordPolicy, PeopleQuery, PeopleSort, StaffRole, UserKind,
    },
    pages::{group_thousands, short_date, staff_page_error},
};
use leptos::{html, prelude::*};
use leptos_meta::Title;
use leptos_router::{
    components::{Form, A},
    hooks::use_query_map,
};

/// The page.
#[component]
pub fn PeoplePage() -> impl IntoView {
    let query = use_query_map();
    let state = move || {
        let q = query.read();
        PeopleQuery::from_params(|k| q.get(k))
    };
    let changed = RwSignal::new(0u32);
    let page = Resource::new(
        move || (state(), changed.get()),
        |(s, _)| {
            let href = s.href();
            people(
                href.split_once('?')
                    .map(|(_, q)| q.to_string())
                    .unwrap_or_default(),
            )
        },
    );
    let refresh = Callback::new(move |_: ()| changed.update(|n| *n += 1));
    view! {
        <Title text="People · Admin Portal · Gatehouse"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let s = state();
                match page.await {
                    Ok(list) => view! { <PeopleBody list s refresh/> }.into_any(),
                    Err(e) => staff_page_error(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PeopleBody(list: PeopleListView, s: PeopleQuery, refresh: Callback<()>) -> impl IntoView {
    let header = |column: PeopleSort| {
        let current = s.sort == column;
        let sort = if !current {
            "none"
        } else if s.descending {
            "descending"
        } else {
            "ascending"
        };
        let arrow = if !current {
            ""
        } else if s.descending {
            " ▼"
        } else {
            " ▲"
        };
        let label = column.label();
        view! {
            <th scope="col" aria-sort=sort>
                <A href=s.sorted_by(column).href() attr:title=format!("Sort by {}", label.to_lowercase())>{label}{arrow}</A>
            </th>
        }
    };
    let clients = s.side == UserKind::Client;
    let headers = {
        let mut cols = vec![
            header(PeopleSort::DisplayName).into_any(),
            header(PeopleSort::FirstName).into_any(),
            header(PeopleSort::LastName).into_any(),
            header(PeopleSort::Username).into_any(),
        ];
        if clients {
            cols.push(view! { <th scope="col">"Account"</th> }.into_any());
        }
        for c in [
            PeopleSort::Role,
            PeopleSort::Status,
            PeopleSort::LastLogon,
            PeopleSort::Created,
            PeopleSort::Description,
        ] {
            cols.push(header(c).into_any());
        }
        if list.can_administer {
            cols.push(view! { <th scope="col" class="actions">"Actions"</th> }.into_any());
        }
        cols
    };
    let first = s.cursor.as_ref().map(|_| {
        PeopleQuery {
            cursor: None,
            ..s.clone()
        }
        .href()
    });
    let next = list.next_cursor.clone().map(|c| {
        PeopleQuery {
            cursor: Some(c),
            ..s.clone()
        }
        .href()
    });
    let count_text = if list.count_capped {
        format!(
            "{}+ active logins match",
            group_thousands(list.active_count)
        )
    } else {
        format!(
            "{} active login{} match{}",
            group_thousands(list.active_count),
            if list.active_count == 1 { "" } else { "s" },
            if list.active_count == 1 { "es" } else { "" }
        )
    };
    let shown = list.rows.len();
    let roles = roles_of(s.side);
    let side_link = |side: UserKind, label: &'static str| {
        let current = s.side == side;
        view! {
            <A href=s.other_side(side).href() attr:class=if current { "segment current" } else { "segment" } attr:aria-current=current.then_some("page")>{label}</A>
        }
    };
    let (can_administer, own_id, policy) = (list.can_administer, list.own_id, list.policy);
    let region = if clients {
        "Client logins"
    } else {
        "Staff logins"
    };
    let empty_text = if s.search.is_empty() && s.role.is_none() {
        "No logins with these filters."
    } else {
        "Nobody matches. Check the spelling, or untick Active and Can Login."
    };
    let showing_disabled = s.show_disabled;
    view! {
        <TopBar portal="Admin Portal" organization=list.frame.organization_name.clone() user=list.frame.display_name.clone()/>
        <main class="page wide">
            <p class="crumbs"><A href="/admin">"Admin Portal"</A>" › People"</p>
            <div class="title-row">
                <h1>"People"</h1>
                <nav class="segmented" aria-label="Whose logins">
                    {side_link(UserKind::Staff, "Staff")}
                    {side_link(UserKind::Client, "Clients")}
                </nav>
                {can_administer.then(|| view! {
                    <A href="/admin/people/create" attr:class="button">"Create Users"</A>
                })}
            </div>
            <section class="card">
                <Form method="GET" action="/admin/people" attr:class="filters" attr:role="search" attr:aria-label="Filter people">
                    <input type="hidden" name="f" value="1"/>
                    {clients.then(|| view! { <input type="hidden" name="side" value="clients"/> })}
                    {(s.sort != PeopleSort::DisplayName).then(|| view! { <input type="hidden" name="sort" value=s.sort.as_str()/> })}
                    {s.descending.then(|| view! { <input type="hidden" name="dir" value="desc"/> })}
                    <label for="people-q">"Name"
                        <input id="people-q" name="q" type="search" value=s.search.clone() placeholder="Name or username contains" maxlength="100"/>
                    </label>
                    <label for="people-role">"Role"
                        <select id="people-role" name="role">
                            <option value="" selected=s.role.is_none()>"Any role"</option>
                            {roles.into_iter().map(|(value, label)| view! {
                                <option value=value selected=s.role.as_deref() == Some(value)>{label}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <fieldset class="boxes">
                        <legend class="sr-only">"Status"</legend>
                        <label class="check" for="people-active">
                            <input type="checkbox" id="people-active" name="active" value="1" checked=s.active/>"Active"
                        </label>
                        <label class="check" for="people-login">
                            <input type="checkbox" id="people-login" name="login" value="1" checked=s.can_login/>"Can Login"
                        </label>
                        <label class="check" for="people-disabled">
                            <input type="checkbox" id="people-disabled" name="disabled" value="1" checked=s.show_disabled/>"Show disabled users"
                        </label>
                    </fieldset>
                    <button type="submit" class="button">"Apply"</button>
                </Form>
                <p class="count" role="status">
                    <strong>{count_text}</strong>
                    {showing_disabled.then_some(" · showing disabled users too")}
                </p>
                {if list.rows.is_empty() {
                    view! { <p class="empty">{empty_text}</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap" tabindex="0" role="region" aria-label=region>
                            <table class="data people" aria-label=region>
                                <thead><tr>{headers}</tr></thead>
                                <tbody>
                                    {list.rows.into_iter().map(|r| view! {
                                        <PersonRow r clients can_administer own=own_id policy refresh/>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
                <nav class="pager" aria-label="People pages">
                    <span>{first.map(|href| view! { <A href=href>"« First page"</A> })}</span>
                    <span>{format!("{shown} on this page")}</span>
                    <span>{next.map(|href| view! { <A href=href>"Next page »"</A> })}</span>
                </nav>
            </section>
        </main>
    }
}

#[component]
fn PersonRow(
    r: PersonRowView,
    clients: bool,
    can_administer: bool,
    own: i32,
    policy: PasswordPolicy,
    refresh: Callback<()>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let summary: NodeRef<html::Summary> = NodeRef::new();
    let is_own = r.id == own;
    let has_menu = can_administer && !is_own;
    // Right-click on the row opens its menu (as in the desktop tools our
    // users know); the Actions button does the same by keyboard.
    let on_context = move |ev: leptos::ev::MouseEvent| {
        if has_menu {
            ev.prevent_default();
            open.set(true);
            if let Some(s) = summary.get() {
                let _ = s.focus();
            }
        }
    };
    let status = status_label(r.active, r.can_login);
    let badge = match status {
        "Active" => "badge ok",
        "Cannot sign in" => "badge wait",
        _ => "badge",
    };
    let account = clients.then(|| {
        let name = r.account_name.clone().unwrap_or_default();
        let identifier = r.account_identifier.clone().unwrap_or_default();
        let href = r
            .account_id
            .map(|id| format!("/admin/accounts/{id}"))
            .unwrap_or_default();
        view! { <td><A href=href>{name}</A>" "<code class="identifier">{identifier}</code></td> }
    });
    let description = match (r.description.clone(), r.description_at.clone()) {
        (Some(d), Some(at)) => view! { <time class="activity" datetime=at>{d}</time> }.into_any(),
        _ => view! { <span class="muted">"—"</span> }.into_any(),
    };
    let logon = r
        .last_login_at
        .as_deref()
        .map(short_date)
        .unwrap_or_else(|| "Never".into());
    let menu_label = format!("Actions for {}", r.display_name);
    let row = r.clone();
    view! {
        <tr data-user=r.username.clone() class:inactive=!r.active on:contextmenu=on_context>
            <th scope="row"><A href=format!("/admin/people/{}", r.id)>{r.display_name.clone()}</A>{is_own.then(|| view! { <span class="muted">" (you)"</span> })}</th>
            <td>{r.first_name.clone()}</td>
            <td>{r.last_name.clone()}</td>
            <td>
                <code>{r.username.clone()}</code>
                {(!clients && can_administer).then(|| match r.staff_id.clone() {
                    Some(id) => view! { <span class="staff-id-line">"Staff ID "{id}</span> }.into_any(),
                    None => view! { <span class="staff-id-line muted">"no Staff Master record"</span> }.into_any(),
                })}
            </td>
            {account}
            <td>{r.role_label.clone()}</td>
            <td><span class=badge>{status}</span></td>
            <td class="when">{r.last_login_at.clone().map(|at| view! { <time datetime=at>{logon.clone()}</time> }.into_any()).unwrap_or_else(|| view! { <span>"Never"</span> }.into_any())}</td>
            <td class="when"><time datetime=r.created_at.clone()>{short_date(&r.created_at)}</time></td>
            <td class="description">{description}</td>
            {can_administer.then(|| view! {
                <td class="actions">
                    {if has_menu {
                        view! {
                            <details class="row-menu" prop:open=move || open.get() on:toggle=on_toggle(open)>
                                <summary class="button secondary small" node_ref=summary aria-label=menu_label.clone()>"Actions"</summary>
                                <RowActions r=row.clone() policy refresh/>
                            </details>
                        }.into_any()
                    } else {
                        view! { <span class="muted">"—"</span> }.into_any()
                    }}
                </td>
            })}
        </tr>
    }
}

/// The menu's content: enable/disable, Can Login, password link, reset
/// password, and (staff) the role.
#[component]
fn RowActions(r: PersonRowView, policy: PasswordPolicy, refresh: Callback<()>) -> impl IntoView {
    let access = ServerAction::<SetPersonAccess>::new();
    let link = ServerAction::<SendPersonPasswordLink>::new();
    let reset = ServerAction::<ResetPersonPassword>::new();
    let role = ServerAction::<SetStaffRole>::new();
    refresh_on_success(access, refresh);
    refresh_on_success(link, refresh);
    refresh_on_success(reset, refresh);
    refresh_on_success(role, refresh);
    let access_error = Signal::derive(move || access.value().get().and_then(Result::err));
    let link_error = Signal::derive(move || link.value().get().and_then(Result::err));
    let reset_error = Signal::derive(move || reset.value().get().and_then(Result::err));
    let role_error = Signal::derive(move || role.value().get().and_then(Result::err));
    let link_sent = move || link.value().get().and_then(Result::ok);
    let reset_done = move || matches!(reset.value().get(), Some(Ok(())));
    let typed = RwSignal::new(String::new());
    let id = r.id;
    let who = r.display_name.clone();
    let prefix = format!("person-{id}-");
    let (p1, p2) = (prefix.clone(), prefix.clone());
    let staff_role = StaffRole::from_db(&r.role);
    let username = r.username.clone();
    let has_email = r.has_email;
    view! {
        <div class="menu-panel" role="group" aria-label=format!("Actions for {who}")>
            <FormAlert error=access_error/>
            <ActionForm action=access attr:class="inline">
                <input type="hidden" name="user" value=id/>
                <input type="hidden" name="switch" value="active"/>
                <input type="hidden" name="on" value=if r.active { "false" } else { "true" }/>
                <button type="submit" class=if r.active { "button danger small" } else { "button secondary small" }>
                    {if r.active { "Disable" } else { "Enable" }}
                </button>
            </ActionForm>
            <ActionForm action=access attr:class="inline">
                <input type="hidden" name="user" value=id/>
                <input type="hidden" name="switch" value="login"/>
                <input type="hidden" name="on" value=if r.can_login { "false" } else { "true" }/>
                <button type="submit" class="button secondary small">
                    {if r.can_login { "Remove Can Login" } else { "Allow Can Login" }}
                </button>
            </ActionForm>
            {if has_email {
                view! {
                    <ActionForm action=link attr:class="inline">
                        <input type="hidden" name="user" value=id/>
                        <button type="submit" class="button secondary small" disabled=move || link.pending().get()>
                            {if r.has_password { "Send reset link" } else { "Send welcome link" }}
                        </button>
                    </ActionForm>
                }.into_any()
            } else {
                view! { <p class="hint">"No email on file: a password link can't be sent."</p> }.into_any()
            }}
            <p class="notice-inline" role="status">{move || link_sent()}</p>
            <p class="field-error" role="alert">{move || link_error.get().map(|e| e.to_string())}</p>
            {staff_role.map(|current| view! {
                <ActionForm action=role attr:class="inline role-form">
                    <input type="hidden" name="user" value=id/>
                    <label for=format!("{p1}role")>"Role"
                        <select id=format!("{p1}role") name="role" aria-invalid=move || role_error.get().is_some().to_string()>
                            {StaffRole::ALL.iter().map(|r| view! {
                                <option value=r.as_str() selected=*r == current>{r.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" class="button secondary small">"Change role"</button>
                    <p class="field-error" role="alert">{move || role_error.get().map(|e| e.to_string())}</p>
                </ActionForm>
            })}
            <details class="edit">
                <summary class="button secondary small">"Reset password"</summary>
                {move || reset_done().then(|| view! { <p class="notice" role="status">"Password reset. They choose a new one at their next sign-in; their sessions were ended."</p> })}
                <ActionForm action=reset attr:class="form">
                    <FormAlert error=reset_error/>
                    <input type="hidden" name="user" value=id/>
                    <Field label="New password" name="password" kind="password" autocomplete="new-password" error=reset_error id_prefix=p2.clone() on_input=Callback::new(move |v| typed.set(v))/>
                    <PasswordRules policy=policy id="" password=typed username=username/>
                    <Field label="New password again" name="confirm_password" kind="password" autocomplete="new-password" error=reset_error id_prefix=p2/>
                    <SubmitButton pending=reset.pending() label="Change" busy_label="Saving…"/>
                </ActionForm>
            </details>
        </div>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_and_counts_read_well() {
        assert_eq!(
            crate::pages::short_date("2026-03-12T10:00:00+00:00"),
            "12 Mar 2026"
        );
        assert_eq!(crate::pages::short_date("garbage"), "garbage");
        assert_eq!(crate::pages::group_thousands(0), "0");
        assert_eq!(crate::pages::group_thousands(10_000), "10,000");
        assert_eq!(crate::pages::group_thousands(1_234_567), "1,234,567");
    }
}
