//! `/admin/audit`: the organization's audit log for User Administrators.
//! Newest first (the "When" heading flips the order), filtered by action
//! (`?action=`) and by user (`?user=`, set by clicking a name), paged with
//! `?cursor=` (the last id of the previous page). The state lives in the
//! address, so filters work without script and can be bookmarked.

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

/// The page's state, as in its address.
#[derive(Debug, Clone, Default, PartialEq)]
struct AuditState {
    user: Option<i32>,
    action: String,
    oldest_first: bool,
    cursor: Option<i32>,
}

impl AuditState {
    /// The address of this state.
    fn href(&self) -> String {
        let mut parts = Vec::new();
        if let Some(u) = self.user {
            parts.push(format!("user={u}"));
        }
        if !self.action.is_empty() {
            parts.push(format!("action={}", self.action));
        }
        if self.oldest_first {
            parts.push("order=oldest".into());
        }
        if let Some(c) = self.cursor {
            parts.push(format!("cursor={c}"));
        }
        if parts.is_empty() {
            "/admin/audit".into()
        } else {
            format!("/admin/audit?{}", parts.join("&"))
        }
    }

    /// The same filters from the first page.
    fn first_page(&self) -> Self {
        Self {
            cursor: None,
            ..self.clone()
        }
    }
}

/// Actions done by someone who was not signed in (a visitor), as opposed to
/// the platform operator's command line.
fn by_visitor(action: &str) -> bool {
    [
        audit_action::SIGN_IN_FAILED,
        audit_action::SIGN_IN_LOCKED,
        audit_action::RESET_REQUESTED,
        audit_action::IDENTIFIER_REMINDER,
        audit_action::EMAIL_QUEUED,
    ]
    .contains(&action)
}

/// The audit log page.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    let query = use_query_map();
    let state = move || {
        let q = query.read();
        AuditState {
            user: q.get("user").and_then(|v| v.parse().ok()),
            action: q.get("action").unwrap_or_default(),
            oldest_first: q.get("order").as_deref() == Some("oldest"),
            cursor: q.get("cursor").and_then(|v| v.parse().ok()),
        }
    };
    let page = Resource::new(state, |s| {
        audit_log(
            s.user,
            Some(s.action).filter(|a| !a.is_empty()),
            s.oldest_first.then(|| "oldest".to_string()),
            s.cursor,
        )
    });
    view! {
        <Title text="Audit log · Admin Portal · Gatehouse"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let s = state();
                match page.await {
                    Ok(log) => {
                        let flip = AuditState { oldest_first: !s.oldest_first, cursor: None, ..s.clone() };
                        let first = s.cursor.map(|_| s.first_page().href());
                        let next = log.next_cursor.map(|c| AuditState { cursor: Some(c), ..s.clone() }.href());
                        let clear_user = AuditState { user: None, cursor: None, ..s.clone() }.href();
                        let rows_state = AuditState { cursor: None, ..s.clone() };
                        view! {
                            <TopBar portal="Admin Portal" organization=log.frame.organization_name.clone() user=log.frame.display_name.clone()/>
                            <main class="page">
                                <p class="crumbs"><A href="/admin">"Admin Portal"</A>" › Audit log"</p>
                                <h1>"Audit log"</h1>
                                <p class="lead">"Who did what, to whom, and when, in your organization."</p>
                                <section class="card">
                                    <Form method="GET" action="/admin/audit" attr:class="filters" attr:aria-label="Filter the audit log">
                                        {s.user.map(|u| view! { <input type="hidden" name="user" value=u/> })}
                                        {s.oldest_first.then(|| view! { <input type="hidden" name="order" value="oldest"/> })}
                                        <label for="action">"Action"
                                            <select id="action" name="action">
                                                <option value="" selected=s.action.is_empty()>"All actions"</option>
                                                {audit_action::ALL.iter().map(|(code, label)| {
                                                    let is = *code == s.action;
                                                    view! { <option value=*code selected=is>{*label}</option> }
                                                }).collect_view()}
                                            </select>
                                        </label>
                                        <button type="submit" class="button">"Apply"</button>
                                        {log.filter_user.clone().map(|u| view! {
                                            <span class="chip">
                                                {format!("Only events by or about {} ({})", u.name, u.username)}
                                                <A href=clear_user.clone() attr:aria-label="Show every user">"✕"</A>
                                            </span>
                                        })}
                                    </Form>
                                    {if log.entries.is_empty() {
                                        view! { <p class="empty">"No events match."</p> }.into_any()
                                    } else {
                                        view! {
                                            <div class="table-wrap" tabindex="0" role="region" aria-label="Audit events">
                                                <table class="data" aria-label="Audit events">
                                                    <thead><tr>
                                                        <th scope="col" aria-sort=if s.oldest_first { "ascending" } else { "descending" }>
                                                            <A href=flip.href() attr:title="Change the order">
                                                                "When (UTC) "{if s.oldest_first { "▲" } else { "▼" }}
                                                            </A>
                                                        </th>
                                                        <th scope="col">"Who"</th>
                                                        <th scope="col">"Action"</th>
                                                        <th scope="col">"About"</th>
                                                        <th scope="col">"Details"</th>
                                                    </tr></thead>
                                                    <tbody>
                                                        {log.entries.iter().map(|e| {
                                                            let link = |u: &UserRefView| view! { <UserLink user=u.clone() state=rows_state.clone()/> };
                                                            let who = match (&e.actor, &e.on_behalf_of) {
                                                                (Some(a), Some(b)) => view! { {link(a)}" as "{link(b)} }.into_any(),
                                                                (Some(a), None) => link(a).into_any(),
                                                                (None, _) if by_visitor(&e.action) => view! { <span class="muted">"Visitor"</span> }.into_any(),
                                                                (None, _) => view! { <span class="muted">"System"</span> }.into_any(),
                                                            };
                                                            let about = e.target.as_ref().map(link);
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
                                        <span>{first.map(|href| view! { <A href=href>"« First page"</A> })}</span>
                                        <span>{format!("{} event(s) on this page", log.entries.len())}</span>
                                        <span>{next.map(|href| view! { <A href=href>"Next page »"</A> })}</span>
                                    </nav>
                                </section>
                            </main>
                        }.into_any()
                    }
                    Err(AppError::SignInRequired) => view! { <Redirect path="/admin/sign-in"/> }.into_any(),
                    Err(AppError::PasswordChangeRequired) => view! { <Redirect path="/account/password"/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A user's name that filters the log to them.
#[component]
fn UserLink(user: UserRefView, state: AuditState) -> impl IntoView {
    let href = AuditState {
        user: Some(user.id),
        ..state
    }
    .href();
    view! {
        <A href=href attr:title=format!("Only events by or about {}", user.username)>
            {user.name}
        </A>
    }
}
