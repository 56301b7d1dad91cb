//! `/admin/people/{id}`: one person. Details (names, email, phone),
//! settings (Active, Can Login, a staff login's role), for Claims Reps and
//! Claims Rep Managers their **Company Access** (pick a company, *Link
//! Company*, repeat; a red ✕ unlinks; *Save & Close* returns to People), and
//! the history of what was done to the login (`?before=` pages it).

use crate::{
    api::{
        dto::{CompanyAccessView, PersonView},
        person, ConsolidateLogins, LinkCompany, SetPersonAccess, SetStaffRole, UnlinkCompany,
        UpdatePersonDetails,
    },
    components::{
        actions::{close_on_success, on_toggle, refresh_on_success},
        documents::short_time,
        Field, FormAlert, SubmitButton, TopBar,
    },
    domain::{people::status_label, StaffRole},
    pages::staff_page_error,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::{Form, A},
    hooks::{use_params_map, use_query_map},
};

/// The page.
#[component]
pub fn PersonPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i32>().ok())
            .unwrap_or(0)
    };
    let before = move || query.read().get("before").and_then(|v| v.parse().ok());
    let accounts = move || query.read().get("accounts").filter(|v| !v.is_empty());
    let changed = RwSignal::new(0u32);
    let page = Resource::new(
        move || (id(), before(), accounts(), changed.get()),
        |(id, before, accounts, _)| person(id, before, accounts),
    );
    let refresh = Callback::new(move |_: ()| changed.update(|n| *n += 1));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <PersonBody p refresh filter=accounts().unwrap_or_default() paged=before().is_some()/> }.into_any(),
                    Err(e) => staff_page_error(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PersonBody(p: PersonView, refresh: Callback<()>, filter: String, paged: bool) -> impl IntoView {
    let status = status_label(p.active, p.can_login);
    let badge = match status {
        "Active" => "badge ok",
        "Cannot sign in" => "badge wait",
        _ => "badge",
    };
    let back = if p.is_staff {
        "/admin/people".to_string()
    } else {
        "/admin/people?side=clients".to_string()
    };
    let here = format!("/admin/people/{}", p.id);
    let older = p.history_next.map(|id| format!("{here}?before={id}"));
    let newest = paged;
    let title = format!("{} · People · Admin Portal · Gatehouse", p.display_name);
    view! {
        <Title text=title/>
        <TopBar portal="Admin Portal" organization=p.frame.organization_name.clone() user=p.frame.display_name.clone()/>
        <main class="page">
            <p class="crumbs"><A href="/admin">"Admin Portal"</A>" › "<A href=back.clone()>"People"</A>" › "{p.display_name.clone()}</p>
            <div class="title-row">
                <h1>{p.display_name.clone()}</h1>
                <span class=badge>{status}</span>
            </div>
            <DetailsCard p=p.clone() refresh/>
            <SettingsCard p=p.clone() refresh/>
            {p.company_access.clone().map(|access| view! {
                <CompanyAccessCard user=p.id access refresh filter=filter.clone() back=back.clone() can_administer=p.can_administer/>
            })}
            {(!p.other_logins.is_empty()).then(|| view! {
                <OtherLoginsCard p=p.clone() refresh/>
            })}
            {(!p.history.is_empty() || p.can_administer).then(|| view! {
                <section class="card" role="region" aria-label="History">
                    <h2>"History"</h2>
                    {if p.history.is_empty() {
                        view! { <p class="empty">"Nothing recorded yet."</p> }.into_any()
                    } else {
                        view! {
                            <div class="table-wrap" tabindex="0" role="region" aria-label="History of this login">
                                <table class="data" aria-label="History of this login">
                                    <thead><tr><th scope="col">"When"</th><th scope="col">"What"</th><th scope="col">"By"</th><th scope="col">"Details"</th></tr></thead>
                                    <tbody>
                                        {p.history.iter().map(|h| view! {
                                            <tr>
                                                <td class="when"><time datetime=h.at.clone()>{short_time(&h.at)}</time></td>
                                                <td>{h.action.clone()}</td>
                                                <td>{h.by.clone()}</td>
                                                <td class="details">{h.details.clone()}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }}
                    <nav class="pager" aria-label="History pages">
                        <span>{newest.then(|| view! { <A href=here.clone()>"« Newest"</A> })}</span>
                        <span></span>
                        <span>{older.map(|href| view! { <A href=href>"Older »"</A> })}</span>
                    </nav>
                </section>
            })}
        </main>
    }
}

#[component]
fn DetailsCard(p: PersonView, refresh: Callback<()>) -> impl IntoView {
    let save = ServerAction::<UpdatePersonDetails>::new();
    let open = RwSignal::new(false);
    refresh_on_success(save, refresh);
    close_on_success(save, open);
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let none = || view! { <span class="muted">"—"</span> }.into_any();
    view! {
        <section class="card" role="region" aria-label="Details">
            <h2>"Details"</h2>
            <dl class="facts">
                <dt>"Username"</dt><dd><code>{p.username.clone()}</code></dd>
                <dt>"Role"</dt><dd>{p.role_label.clone()}</dd>
                {p.account.clone().map(|a| view! {
                    <dt>"Account"</dt>
                    <dd><A href=format!("/admin/accounts/{}", a.id)>{a.name}</A>" "<code class="identifier">{a.identifier}</code></dd>
                })}
                {p.contact_shown.then(|| view! {
                    <dt>"Email"</dt><dd>{if p.email.is_empty() { none() } else { view! { <span>{p.email.clone()}</span> }.into_any() }}</dd>
                    <dt>"Phone"</dt><dd>{if p.phone.is_empty() { none() } else { view! { <span>{p.phone.clone()}</span> }.into_any() }}</dd>
                })}
                <dt>"Last logon"</dt><dd>{p.last_login_at.as_deref().map(short_time).unwrap_or_else(|| "Never".into())}</dd>
                <dt>"Created"</dt><dd>{short_time(&p.created_at)}</dd>
            </dl>
            {p.can_administer.then(|| view! {
                <details class="edit" prop:open=move || open.get() on:toggle=on_toggle(open)>
                    <summary class="button secondary small">"Edit details"</summary>
                    <ActionForm action=save attr:class="form" attr:aria-label="Edit details">
                        <FormAlert error/>
                        <input type="hidden" name="user" value=p.id/>
                        <div class="field-row">
                            <Field label="First name" name="first_name" value=p.first_name.clone() error id_prefix="details-"/>
                            <Field label="Middle name or initial" name="middle_name" value=p.middle_name.clone() required=false error id_prefix="details-"/>
                            <Field label="Last name" name="last_name" value=p.last_name.clone() error id_prefix="details-"/>
                        </div>
                        <div class="field-row">
                            <Field label="Email" name="email" kind="email" value=p.email.clone() required=false error id_prefix="details-"/>
                            <Field label="Phone" name="phone" kind="tel" value=p.phone.clone() required=false error id_prefix="details-"/>
                        </div>
                        <SubmitButton pending=save.pending() label="Save details" busy_label="Saving…"/>
                    </ActionForm>
                </details>
            })}
        </section>
    }
}

#[component]
fn SettingsCard(p: PersonView, refresh: Callback<()>) -> impl IntoView {
    let access = ServerAction::<SetPersonAccess>::new();
    let role = ServerAction::<SetStaffRole>::new();
    refresh_on_success(access, refresh);
    refresh_on_success(role, refresh);
    let access_error = Signal::derive(move || access.value().get().and_then(Result::err));
    let role_error = Signal::derive(move || role.value().get().and_then(Result::err));
    let id = p.id;
    let staff_role = p.is_staff.then(|| StaffRole::from_db(&p.role)).flatten();
    let switch = move |switch: &'static str, on: bool, label: String, class: &'static str| {
        view! {
            <ActionForm action=access attr:class="inline">
                <input type="hidden" name="user" value=id/>
                <input type="hidden" name="switch" value=switch/>
                <input type="hidden" name="on" value=if on { "true" } else { "false" }/>
                <button type="submit" class=class>{label}</button>
            </ActionForm>
        }
    };
    view! {
        <section class="card" role="region" aria-label="Settings">
            <h2>"Settings"</h2>
            <dl class="facts">
                <dt>"Active"</dt><dd>{if p.active { "Active" } else { "Inactive (disabled)" }}</dd>
                <dt>"Can Login"</dt><dd>{if p.can_login { "Yes" } else { "No" }}</dd>
                {p.contact_shown.then(|| view! {
                    <dt>"Password"</dt><dd>{if !p.has_password { "None yet: send a welcome link" } else if p.must_change_password { "Initial password: to be changed at next sign-in" } else { "Chosen by the user" }}</dd>
                })}
            </dl>
            {if p.can_administer {
                view! {
                    <FormAlert error=access_error/>
                    <div class="setting-actions">
                        {switch("active", !p.active, if p.active { "Disable".into() } else { "Enable".into() }, if p.active { "button danger small" } else { "button secondary small" })}
                        {switch("login", !p.can_login, if p.can_login { "Remove Can Login".into() } else { "Allow Can Login".into() }, "button secondary small")}
                    </div>
                    {staff_role.map(|current| view! {
                        <ActionForm action=role attr:class="inline role-form">
                            <input type="hidden" name="user" value=id/>
                            <label for="person-role">"Role"
                                <select id="person-role" name="role" aria-invalid=move || role_error.get().is_some().to_string() aria-describedby="person-role-error">
                                    {StaffRole::ALL.iter().map(|r| view! {
                                        <option value=r.as_str() selected=*r == current>{r.label()}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                            <button type="submit" class="button secondary small">"Change role"</button>
                            <p class="field-error" id="person-role-error" role="alert">{move || role_error.get().map(|e| e.to_string())}</p>
                        </ActionForm>
                    })}
                }.into_any()
            } else {
                view! { <p class="hint">"Only a User Administrator changes these, and never on their own login."</p> }.into_any()
            }}
        </section>
    }
}

#[component]
fn CompanyAccessCard(
    user: i32,
    access: CompanyAccessView,
    refresh: Callback<()>,
    filter: String,
    back: String,
    can_administer: bool,
) -> impl IntoView {
    let link = ServerAction::<LinkCompany>::new();
    let unlink = ServerAction::<UnlinkCompany>::new();
    refresh_on_success(link, refresh);
    refresh_on_success(unlink, refresh);
    let link_error = Signal::derive(move || link.value().get().and_then(Result::err));
    let unlink_error = Signal::derive(move || unlink.value().get().and_then(Result::err));
    let account_error = move || link_error.get().and_then(|e| e.field_message("account"));
    let here = format!("/admin/people/{user}");
    view! {
        <section class="card" role="region" aria-label="Company Access">
            <h2>"Company Access"</h2>
            <p class="lead">"The client companies this person works for besides their own. They sign in once and switch between them; in each they have the rights given here."</p>
            {if access.links.is_empty() {
                view! { <p class="empty">"No companies linked yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="links" aria-label="Linked companies">
                        {access.links.clone().into_iter().map(|l| {
                            let name = l.account.name.clone();
                            let rights = match (l.can_modify, l.can_delete) {
                                (true, true) => "may modify and delete documents",
                                (true, false) => "may modify documents",
                                (false, true) => "may delete documents",
                                (false, false) => "no modify or delete rights",
                            };
                            view! {
                                <li>
                                    <span class="link-name">{name.clone()}</span>" "
                                    <code class="identifier">{l.account.identifier.clone()}</code>
                                    <span class="muted">{format!(" · {rights}")}</span>
                                    {can_administer.then(|| view! {
                                        <ActionForm action=unlink attr:class="inline">
                                            <input type="hidden" name="user" value=user/>
                                            <input type="hidden" name="account" value=l.account.id/>
                                            <button type="submit" class="unlink" aria-label=format!("Unlink {name}") title=format!("Unlink {name}")>"✕"</button>
                                        </ActionForm>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <FormAlert error=unlink_error/>
            {can_administer.then(|| view! {
                {(access.more_available || !filter.is_empty()).then(|| view! {
                    <Form method="GET" action=here.clone() attr:class="filters" attr:role="search" attr:aria-label="Find a company">
                        <label for="accounts-filter">"Find a company"
                            <input id="accounts-filter" name="accounts" type="search" value=filter.clone() placeholder="Name or identifier contains"/>
                        </label>
                        <button type="submit" class="button secondary">"Find"</button>
                    </Form>
                })}
                <ActionForm action=link attr:class="form link-form" attr:aria-label="Link a company">
                    <FormAlert error=link_error/>
                    <input type="hidden" name="user" value=user/>
                    <div class="field" class:invalid=move || account_error().is_some()>
                        <label for="link-account">"Company"</label>
                        <select id="link-account" name="account" required aria-invalid=move || account_error().is_some().to_string() aria-describedby="link-account-error">
                            <option value="">{if access.available.is_empty() { "No company left to link" } else { "Choose a company…" }}</option>
                            {access.available.clone().into_iter().map(|a| view! {
                                <option value=a.id>{a.name}</option>
                            }).collect_view()}
                        </select>
                        <p class="field-error" id="link-account-error" role="alert">{account_error}</p>
                        {access.more_available.then(|| view! { <p class="hint">"Only the first 200 companies are listed: find one by name above."</p> })}
                    </div>
                    <fieldset class="rights">
                        <legend>"Rights in that company's documents"</legend>
                        <label class="check" for="link-modify"><input type="checkbox" id="link-modify" name="can_modify"/>"May modify"</label>
                        <label class="check" for="link-delete"><input type="checkbox" id="link-delete" name="can_delete"/>"May delete"</label>
                    </fieldset>
                    <SubmitButton pending=link.pending() label="Link Company" busy_label="Linking…"/>
                </ActionForm>
            })}
            <p class="save-close"><A href=back attr:class="button">"Save & Close"</A></p>
        </section>
    }
}

/// "Other logins of this person" with the one-step consolidation: the
/// administrator ticks which ones are really this person (same-email ones
/// come ticked; a name alone can match someone else).
#[component]
fn OtherLoginsCard(p: PersonView, refresh: Callback<()>) -> impl IntoView {
    let consolidate = ServerAction::<ConsolidateLogins>::new();
    refresh_on_success(consolidate, refresh);
    let error = Signal::derive(move || consolidate.value().get().and_then(Result::err));
    let logins_error = move || error.get().and_then(|e| e.field_message("logins"));
    let done = move || consolidate.value().get().and_then(Result::ok);
    let can_consolidate = p.can_administer && p.company_access.is_some();
    let items = p
        .other_logins
        .clone()
        .into_iter()
        .map(|o| {
            let box_id = format!("other-{}", o.id);
            let tickable = can_consolidate && !o.is_account_manager;
            view! {
                <li>
                    {tickable.then(|| view! {
                        <input type="checkbox" id=box_id name="logins[]" value=o.id checked=o.same_email && o.active aria-label=format!("Fold {} ({}) into this login", o.display_name, o.username)/>
                    })}
                    <A href=format!("/admin/people/{}", o.id)>{o.display_name}</A>" "
                    <code>{o.username}</code>
                    <span class="muted">{format!(" · {} · {} ", o.role_label, o.account_name)}</span>
                    <code class="identifier">{o.account_identifier}</code>
                    <span class="muted">{if o.same_email { " · same email" } else { " · same name only" }}</span>
                    {(!o.active).then(|| view! { <span class="badge">"Disabled"</span> })}
                    {(can_consolidate && o.is_account_manager).then(|| view! { <span class="muted">" · Account Manager: stays"</span> })}
                </li>
            }
        })
        .collect_view();
    let list = view! { <ul class="links" aria-label="Other logins">{items}</ul> };
    view! {
        <section class="card" role="region" aria-label="Other logins of this person">
            <h2>"Other logins of this person"</h2>
            <p class="lead">"Logins of the organization with the same email, or the same first and last name."</p>
            {move || done().map(|d| view! {
                <div class="notice" role="status">
                    <p>"Consolidated into this login."</p>
                    <p>{if d.linked.is_empty() { "No new company linked.".to_string() } else { format!("Company Access given to: {}.", d.linked.join(", ")) }}</p>
                    <p>{if d.deactivated.is_empty() { "No login made inactive.".to_string() } else { format!("Made inactive: {}.", d.deactivated.join(", ")) }}</p>
                </div>
            })}
            {if can_consolidate {
                view! {
                    <ActionForm action=consolidate attr:class="consolidate-form" attr:aria-label="Consolidate logins">
                        <FormAlert error/>
                        <input type="hidden" name="user" value=p.id/>
                        {list}
                        <p class="field-error" role="alert">{logins_error}</p>
                        <p class="hint">"Consolidate keeps this login, gives it Company Access to the ticked logins' accounts with the rights they had there (and any Company Access they had), and makes them inactive. Untick anyone who is a different person with the same name."</p>
                        <SubmitButton pending=consolidate.pending() label="Consolidate" busy_label="Consolidating…"/>
                    </ActionForm>
                }.into_any()
            } else if p.can_administer {
                view! {
                    {list}
                    <p class="hint">"To consolidate, open the person's Claims Rep or Claims Rep Manager login: only it can work in several companies."</p>
                }.into_any()
            } else {
                list.into_any()
            }}
        </section>
    }
}
