//! `/admin/accounts`: the organization's client accounts. Search by name,
//! identifier or phone (`?q=`), sort by any column (`?sort=`, `?dir=desc`),
//! page by cursor (`?cursor=`). The state lives in the address, so the table
//! works without script and a view can be bookmarked.
//!
//! `/admin/accounts/new`: the form that creates one.

use crate::{
    api::{client_accounts, staff_home, CreateAccount},
    components::{Field, FormAlert, SubmitButton, TextArea, TopBar},
    domain::AccountSort,
    error::AppError,
    pages::staff_page_error,
    percent,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::{Form, A},
    hooks::use_query_map,
};

/// The table's state, as in its address.
#[derive(Debug, Clone, Default, PartialEq)]
struct TableState {
    search: String,
    sort: AccountSort,
    descending: bool,
    cursor: Option<String>,
}

impl TableState {
    fn href(&self) -> String {
        let mut parts = Vec::new();
        if !self.search.is_empty() {
            parts.push(format!("q={}", percent::encode(&self.search)));
        }
        if self.sort != AccountSort::Name {
            parts.push(format!("sort={}", self.sort.as_str()));
        }
        if self.descending {
            parts.push("dir=desc".into());
        }
        if let Some(c) = &self.cursor {
            parts.push(format!("cursor={}", percent::encode(c)));
        }
        if parts.is_empty() {
            "/admin/accounts".into()
        } else {
            format!("/admin/accounts?{}", parts.join("&"))
        }
    }

    /// Sorting by `column`: the other direction when it is the current one.
    fn sorted_by(&self, column: AccountSort) -> Self {
        Self {
            sort: column,
            descending: self.sort == column && !self.descending,
            cursor: None,
            ..self.clone()
        }
    }
}

/// The accounts table.
#[component]
pub fn AccountsPage() -> impl IntoView {
    let query = use_query_map();
    let state = move || {
        let q = query.read();
        TableState {
            search: q.get("q").unwrap_or_default(),
            sort: AccountSort::parse(&q.get("sort").unwrap_or_default()),
            descending: q.get("dir").as_deref() == Some("desc"),
            cursor: q.get("cursor").filter(|c| !c.is_empty()),
        }
    };
    let page = Resource::new(state, |s| {
        client_accounts(
            Some(s.search),
            Some(s.sort.as_str().to_string()),
            s.descending.then(|| "desc".to_string()),
            s.cursor,
        )
    });
    view! {
        <Title text="Client accounts · Admin Portal · Gatehouse"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let s = state();
                match page.await {
                    Ok(list) => {
                        let header = |label: &'static str, column: AccountSort| {
                            let current = s.sort == column;
                            let sort = if !current { "none" } else if s.descending { "descending" } else { "ascending" };
                            let arrow = if !current { "" } else if s.descending { " ▼" } else { " ▲" };
                            view! {
                                <th scope="col" aria-sort=sort>
                                    <A href=s.sorted_by(column).href() attr:title=format!("Sort by {}", label.to_lowercase())>{label}{arrow}</A>
                                </th>
                            }
                        };
                        let headers = [
                            ("Name", AccountSort::Name),
                            ("Identifier", AccountSort::Identifier),
                            ("Main phone", AccountSort::Phone),
                            ("Created", AccountSort::Created),
                        ]
                        .map(|(label, column)| header(label, column))
                        .into_iter()
                        .collect_view();
                        let first = s.cursor.as_ref().map(|_| TableState { cursor: None, ..s.clone() }.href());
                        let next = list.next_cursor.clone().map(|c| TableState { cursor: Some(c), ..s.clone() }.href());
                        let clear = TableState { search: String::new(), cursor: None, ..s.clone() }.href();
                        let count = list.rows.len();
                        let empty_text = if s.search.is_empty() { "No client accounts yet." } else { "No account matches." };
                        view! {
                            <TopBar portal="Admin Portal" organization=list.frame.organization_name.clone() user=list.frame.display_name.clone()/>
                            <main class="page">
                                <p class="crumbs"><A href="/admin">"Admin Portal"</A>" › Client accounts"</p>
                                <div class="title-row">
                                    <h1>"Client accounts"</h1>
                                    {list.can_manage.then(|| view! { <A href="/admin/accounts/new" attr:class="button">"New account"</A> })}
                                </div>
                                <section class="card">
                                    <Form method="GET" action="/admin/accounts" attr:class="filters" attr:role="search" attr:aria-label="Search client accounts">
                                        {(s.sort != AccountSort::Name).then(|| view! { <input type="hidden" name="sort" value=s.sort.as_str()/> })}
                                        {s.descending.then(|| view! { <input type="hidden" name="dir" value="desc"/> })}
                                        <label for="q">"Search"
                                            <input id="q" name="q" type="search" value=s.search.clone() placeholder="Name, identifier or phone"/>
                                        </label>
                                        <button type="submit" class="button">"Search"</button>
                                        {(!s.search.is_empty()).then(|| view! {
                                            <span class="chip">{format!("Matching “{}”", s.search)}
                                                <A href=clear attr:aria-label="Clear the search">"✕"</A>
                                            </span>
                                        })}
                                    </Form>
                                    {if list.rows.is_empty() {
                                        view! { <p class="empty">{empty_text}</p> }.into_any()
                                    } else {
                                        view! {
                                            <div class="table-wrap" tabindex="0" role="region" aria-label="Client accounts">
                                                <table class="data" aria-label="Client accounts">
                                                    <thead><tr>{headers}</tr></thead>
                                                    <tbody>
                                                        {list.rows.into_iter().map(|r| view! {
                                                            <tr>
                                                                <td><A href=format!("/admin/accounts/{}", r.id)>{r.name}</A></td>
                                                                <td><code class="identifier">{r.identifier}</code></td>
                                                                <td>{r.main_phone.unwrap_or_default()}</td>
                                                                <td class="when"><time datetime=r.created_at.clone()>{r.created_at.chars().take(10).collect::<String>()}</time></td>
                                                            </tr>
                                                        }).collect_view()}
                                                    </tbody>
                                                </table>
                                            </div>
                                        }.into_any()
                                    }}
                                    <nav class="pager" aria-label="Pages">
                                        <span>{first.map(|href| view! { <A href=href>"« First page"</A> })}</span>
                                        <span>{format!("{count} account(s) on this page")}</span>
                                        <span>{next.map(|href| view! { <A href=href>"Next page »"</A> })}</span>
                                    </nav>
                                </section>
                            </main>
                        }.into_any()
                    }
                    Err(e) => staff_page_error(e),
                }
            })}
        </Suspense>
    }
}

/// `/admin/accounts/new`.
#[component]
pub fn NewAccountPage() -> impl IntoView {
    let home = Resource::new(|| (), |_| staff_home());
    let action = ServerAction::<CreateAccount>::new();
    let error: Signal<Option<AppError>> =
        Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <Title text="New client account · Admin Portal · Gatehouse"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(h) => view! {
                        <TopBar portal="Admin Portal" organization=h.organization_name.clone() user=h.display_name.clone()/>
                        <main class="page narrow">
                            <p class="crumbs"><A href="/admin">"Admin Portal"</A>" › "<A href="/admin/accounts">"Client accounts"</A>" › New"</p>
                            <section class="card">
                                <h1>"New client account"</h1>
                                <p class="lead">"The identifier clients sign in with is the main phone's digits when no other account has them, otherwise a random 8-digit number. You can change it afterwards."</p>
                                <ActionForm action=action attr:class="form" attr:aria-label="New client account">
                                    <FormAlert error/>
                                    <Field label="Name" name="name" error autofocus=true/>
                                    <Field label="Main phone" name="main_phone" kind="tel" autocomplete="tel" required=false error/>
                                    <TextArea label="Address" name="address" error rows=3/>
                                    <SubmitButton pending=action.pending() label="Create account" busy_label="Creating…"/>
                                </ActionForm>
                            </section>
                        </main>
                    }.into_any(),
                    Err(e) => staff_page_error(e),
                }
            })}
        </Suspense>
    }
}
