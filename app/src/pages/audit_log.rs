//! `/admin/audit`: the organization's audit log for User Administrators,
//! newest first, filtered by action (`?action=`) and by user (`?user=`, set
//! by clicking a name), paged with `?before=` (the oldest id shown). The
//! filters live in the address, so they work without script and can be
//! bookmarked.

use crate::{
    api::{audit_log, dto::UserRefView},
    components::TopBar,
    domain::audit_action,
    error::AppError,
    pages::ErrorPanel,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::{Form, Redirect, A},
    hooks::use_query_map,
};

/// Builds an audit-page address from filter values.
fn audit_href(user: Option<i32>, action: &str, before: Option<i32>) -> String {
    let mut parts = Vec::new();
    if let Some(u) = user {
        parts.push(format!("user={u}"));
    }
    if !action.is_empty() {
        parts.push(format!("action={action}"));
    }
    if let Some(b) = before {
        parts.push(format!("before={b}"));
    }
    if parts.is_empty() {
        "/admin/audit".into()
    } else {
        format!("/admin/audit?{}", parts.join("&"))
    }
}

/// The audit log page.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    let query = use_query_map();
    let filters = move || {
        let q = query.read();
        (
            q.get("user").and_then(|v| v.parse::<i32>().ok()),
            q.get("action").filter(|a| !a.is_empty()),
            q.get("before").and_then(|v| v.parse::<i32>().ok()),
        )
    };
    let page = Resource::new(filters, |(user, action, before)| {
        audit_log(user, action, before)
    });
    let me = Resource::new(|| (), |_| crate::api::staff_home());
    view! {
        <Title text="Audit log · Admin Portal · Gatehouse"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (user, action, before) = filters();
                let action = action.unwrap_or_default();
                match (me.await, page.await) {
                    (Ok(h), Ok(log)) => {
                        let selected = action.clone();
                        let newest = before.map(|_| audit_href(user, &action, None));
                        let older = log.next_before.map(|b| audit_href(user, &action, Some(b)));
                        let action_for_rows = action.clone();
                        view! {
                            <TopBar portal="Admin Portal" organization=h.organization_name.clone() user=h.display_name.clone()/>
                            <main class="page">
                                <p class="crumbs"><A href="/admin">"Admin Portal"</A>" › Audit log"</p>
                                <h1>"Audit log"</h1>
                                <p class="lead">"Who did what, to whom, and when, in your organization. Newest first."</p>
                                <section class="card">
                                    <Form method="GET" action="/admin/audit" attr:class="filters" attr:aria-label="Filter the audit log">
                                        {user.map(|u| view! { <input type="hidden" name="user" value=u/> })}
                                        <label for="action">"Action"
                                            <select id="action" name="action">
                                                <option value="" selected=selected.is_empty()>"All actions"</option>
                                                {audit_action::ALL.iter().map(|(code, label)| {
                                                    let is = *code == selected;
                                                    view! { <option value=*code selected=is>{*label}</option> }
                                                }).collect_view()}
                                            </select>
                                        </label>
                                        <button type="submit" class="button">"Apply"</button>
                                        {log.filter_user.clone().map(|u| {
                                            let clear = audit_href(None, &selected, None);
                                            view! {
                                                <span class="chip">
                                                    {format!("Only events by or about {} ({})", u.name, u.username)}
                                                    <A href=clear attr:aria-label="Show every user">"✕"</A>
                                                </span>
                                            }
                                        })}
                                    </Form>
                                    {if log.entries.is_empty() {
                                        view! { <p class="empty">"No events match."</p> }.into_any()
                                    } else {
                                        view! {
                                            <div class="table-wrap">
                                                <table class="data" aria-label="Audit events">
                                                    <thead><tr>
                                                        <th scope="col">"When (UTC)"</th>
                                                        <th scope="col">"Who"</th>
                                                        <th scope="col">"Action"</th>
                                                        <th scope="col">"About"</th>
                                                        <th scope="col">"Details"</th>
                                                    </tr></thead>
                                                    <tbody>
                                                        {log.entries.iter().map(|e| {
                                                            let who = match (&e.actor, &e.on_behalf_of) {
                                                                (Some(a), Some(b)) => view! { <UserLink user=a.clone() action=action_for_rows.clone()/>" as "<UserLink user=b.clone() action=action_for_rows.clone()/> }.into_any(),
                                                                (Some(a), None) => view! { <UserLink user=a.clone() action=action_for_rows.clone()/> }.into_any(),
                                                                (None, _) => view! { <span class="muted">"Visitor"</span> }.into_any(),
                                                            };
                                                            let about = e.target.clone().map(|t| view! { <UserLink user=t action=action_for_rows.clone()/> });
                                                            view! {
                                                                <tr>
                                                                    <td class="when"><time datetime=e.at.clone()>{e.at.replace('T', " ").chars().take(19).collect::<String>()}</time></td>
                                                                    <td>{who}</td>
                                                                    <td><span class="badge">{e.action_label.clone()}</span></td>
                                                                    <td>{about}</td>
                                                                    <td class="details">{e.details.clone()}</td>
                                                                </tr>
                                                            }
                                                        }).collect_view()}
                                                    </tbody>
                                                </table>
                                            </div>
                                        }.into_any()
                                    }}
                                    <nav class="pager" aria-label="Pages">
                                        {newest.map(|href| view! { <A href=href>"« Newest"</A> })}
                                        <span>{format!("{} event(s) on this page", log.entries.len())}</span>
                                        {older.map(|href| view! { <A href=href>"Older »"</A> })}
                                    </nav>
                                </section>
                            </main>
                        }.into_any()
                    }
                    (Err(AppError::SignInRequired), _) | (_, Err(AppError::SignInRequired)) => view! { <Redirect path="/admin/sign-in"/> }.into_any(),
                    (Err(AppError::PasswordChangeRequired), _) => view! { <Redirect path="/account/password"/> }.into_any(),
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A user's name that filters the log to them.
#[component]
fn UserLink(user: UserRefView, action: String) -> impl IntoView {
    view! {
        <A href=audit_href(Some(user.id), &action, None) attr:title=format!("Only events by or about {}", user.username)>
            {user.name}
        </A>
    }
}
