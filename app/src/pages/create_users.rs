//! `/admin/people/create`: Create Users. One initial password and one role
//! for the batch; a grid where the administrator types (or pastes from a
//! spreadsheet) first name, last name and an optional email per person.
//! The username appears as they type (agency prefix + first initial + last
//! name) and the server checks every row a moment after each change: Pass,
//! or Fail with the reason and a suggested free username to accept (Yes)
//! or refuse (No). *Create Accounts* creates the whole batch or nothing,
//! with a progress bar, and the Result column then says "Account Created".
//!
//! Keyboard: Tab moves across the cells; Enter in a failing row (or on its
//! Fail) opens the suggestion, Y accepts it, N or Escape keeps the username.

use crate::{
    api::{
        check_new_users, create_new_users, create_users_setup,
        dto::{CreateUsersEvent, CreateUsersView, CreatedLoginView},
    },
    components::{FormAlert, PasswordRules, TopBar},
    domain::{
        new_users::{self, BatchRow, RowCheck},
        StaffRole,
    },
    error::AppError,
    pages::staff_page_error,
};
use leptos::{ev, prelude::*};
use leptos_meta::Title;
use leptos_router::components::A;
use std::time::Duration;

/// The page.
#[component]
pub fn CreateUsersPage() -> impl IntoView {
    let setup = Resource::new(|| (), |_| create_users_setup());
    view! {
        <Title text="Create Users · Admin Portal · Gatehouse"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Ok(setup) => view! { <CreateUsersBody setup/> }.into_any(),
                    Err(e) => staff_page_error(e),
                }
            })}
        </Suspense>
    }
}

/// One row of the grid: what is typed, the suggestion accepted, the
/// server's latest verdict (with the row as it was checked) and, once
/// created, the new login.
#[derive(Clone, Copy)]
struct GridRow {
    key: u32,
    first: RwSignal<String>,
    last: RwSignal<String>,
    email: RwSignal<String>,
    chosen: RwSignal<Option<String>>,
    check: RwSignal<Option<(BatchRow, RowCheck)>>,
    asking: RwSignal<bool>,
    created: RwSignal<Option<CreatedLoginView>>,
}

impl GridRow {
    fn new(key: u32, first: &str, last: &str, email: &str) -> Self {
        Self {
            key,
            first: RwSignal::new(first.to_string()),
            last: RwSignal::new(last.to_string()),
            email: RwSignal::new(email.to_string()),
            chosen: RwSignal::new(None),
            check: RwSignal::new(None),
            asking: RwSignal::new(false),
            created: RwSignal::new(None),
        }
    }

    /// The row as the server gets it.
    fn snapshot(&self) -> BatchRow {
        BatchRow {
            key: self.key,
            first_name: self.first.get(),
            last_name: self.last.get(),
            email: self.email.get(),
            username: self.chosen.get(),
        }
    }

    /// The verdict on the row as it is now (`None` while it is being checked).
    fn verdict(&self) -> Option<RowCheck> {
        let now = self.snapshot();
        self.check
            .get()
            .filter(|(checked, _)| *checked == now)
            .map(|(_, c)| c)
    }

    fn is_blank(&self) -> bool {
        self.snapshot().is_blank()
    }
}

/// Where the batch is.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Editing,
    /// Creating: what the server reported last.
    Working(String, usize, usize),
    Done,
}

#[component]
fn CreateUsersBody(setup: CreateUsersView) -> impl IntoView {
    let prefix = setup.agency_prefix.clone();
    let policy = setup.policy;
    let next_key = StoredValue::new(1u32);
    let new_row = move |first: &str, last: &str, email: &str| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        GridRow::new(key, first, last, email)
    };
    let rows = RwSignal::new(vec![new_row("", "", "")]);
    let password = RwSignal::new(String::new());
    let role = RwSignal::new(StaffRole::Staff);
    let welcome_links = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let phase = RwSignal::new(Phase::Editing);
    let notice = RwSignal::new(None::<String>);

    // The live check: a moment after the last change, every entered row
    // goes to the server; answers land on the rows they were asked about.
    let generation = StoredValue::new(0u64);
    // The newest check whose answer is shown: an older answer arriving
    // late is dropped.
    let applied = StoredValue::new(0u64);
    let run_check = move || {
        let asked_at = generation.get_value();
        let sent: Vec<BatchRow> = rows
            .get_untracked()
            .iter()
            .map(|r| r.snapshot())
            .filter(|r| !r.is_blank())
            .collect();
        if sent.is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            match check_new_users(sent.clone()).await {
                Ok(_) if asked_at < applied.get_value() => {}
                Ok(checks) => {
                    applied.set_value(asked_at);
                    let by_key: std::collections::HashMap<u32, RowCheck> =
                        checks.into_iter().map(|c| (c.key, c)).collect();
                    for row in rows.get_untracked() {
                        if let (Some(asked), Some(c)) =
                            (sent.iter().find(|s| s.key == row.key), by_key.get(&row.key))
                        {
                            row.check.set(Some((asked.clone(), c.clone())));
                        }
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let changed = move || {
        // Keep one blank row at the end to type the next person into.
        if rows.with_untracked(|r| r.last().is_none_or(|last| !last.is_blank())) {
            rows.update(|r| r.push(new_row("", "", "")));
        }
        let mine = generation.get_value() + 1;
        generation.set_value(mine);
        set_timeout(
            move || {
                if generation.get_value() == mine {
                    run_check();
                }
            },
            Duration::from_millis(250),
        );
    };

    // A paste of several cells or lines fills rows from this one on.
    let paste = move |at: u32, into_first: bool, ev: ev::ClipboardEvent| {
        if phase.get_untracked() != Phase::Editing {
            return;
        }
        let Some(text) = ev.clipboard_data().and_then(|d| d.get_data("text").ok()) else {
            return;
        };
        if !new_users::is_multi_cell_paste(&text, into_first) {
            return;
        }
        let people = new_users::parse_pasted(&text);
        if people.is_empty() {
            return;
        }
        ev.prevent_default();
        let count = people.len();
        rows.update(|r| {
            let start = r.iter().position(|row| row.key == at).unwrap_or(r.len());
            for (i, (first, last, email)) in (start..).zip(people) {
                if i < r.len() {
                    let row = r[i];
                    row.first.set(first);
                    row.last.set(last);
                    row.email.set(email);
                    row.chosen.set(None);
                } else {
                    r.push(new_row(&first, &last, &email));
                }
            }
        });
        notice.set(Some(format!(
            "Pasted {count} {}.",
            if count == 1 { "person" } else { "people" }
        )));
        changed();
    };

    let remove = move |key: u32| {
        rows.update(|r| {
            r.retain(|row| row.key != key);
            if r.is_empty() {
                r.push(new_row("", "", ""));
            }
        });
        changed();
    };

    // What stands between the batch and Create Accounts.
    let blocker = move || -> Option<String> {
        let all = rows.get();
        let entered: Vec<&GridRow> = all.iter().filter(|r| !r.is_blank()).collect();
        if entered.is_empty() {
            return Some("Type at least one person's first and last name.".into());
        }
        if !policy.problems(&password.get(), "").is_empty() {
            return Some("Choose an initial password that meets every rule.".into());
        }
        let mut waiting = 0;
        let mut failing = 0;
        for r in &entered {
            match r.verdict() {
                None => waiting += 1,
                Some(c) if !c.pass => failing += 1,
                Some(_) => {}
            }
        }
        if failing > 0 {
            return Some(format!(
                "{failing} {} {} Validation first.",
                if failing == 1 { "row" } else { "rows" },
                if failing == 1 {
                    "fails: fix it in"
                } else {
                    "fail: fix them in"
                }
            ));
        }
        if waiting > 0 {
            return Some("Checking usernames…".into());
        }
        None
    };
    let counts = move || {
        let all = rows.get();
        let entered = all.iter().filter(|r| !r.is_blank()).count();
        let pass = all
            .iter()
            .filter(|r| !r.is_blank() && r.verdict().is_some_and(|c| c.pass))
            .count();
        format!(
            "{entered} {} · {pass} pass · {} {}",
            if entered == 1 { "person" } else { "people" },
            entered - pass,
            if entered - pass == 1 {
                "fails or is being checked"
            } else {
                "fail or are being checked"
            }
        )
    };

    let create = move |_| {
        if blocker().is_some() || phase.get_untracked() != Phase::Editing {
            return;
        }
        error.set(None);
        notice.set(None);
        let sent: Vec<BatchRow> = rows
            .get_untracked()
            .iter()
            .map(|r| r.snapshot())
            .filter(|r| !r.is_blank())
            .collect();
        let total = sent.len();
        phase.set(Phase::Working(
            "Preparing the initial passwords".into(),
            0,
            total,
        ));
        let (role_now, password_now, welcome_now) = (
            role.get_untracked().as_str().to_string(),
            password.get_untracked(),
            welcome_links.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            use futures::StreamExt;
            let outcome = match create_new_users(role_now, password_now, welcome_now, sent.clone())
                .await
            {
                Err(e) => Some(CreateUsersEvent::Failed(e)),
                Ok(stream) => {
                    let mut stream = stream.into_inner();
                    let mut buffer = String::new();
                    let mut last = None;
                    while let Some(chunk) = stream.next().await {
                        match chunk {
                            Ok(text) => buffer.push_str(&text),
                            Err(e) => {
                                last = Some(CreateUsersEvent::Failed(e));
                                break;
                            }
                        }
                        while let Some(end) = buffer.find('\n') {
                            let line: String = buffer.drain(..=end).collect();
                            match serde_json::from_str::<CreateUsersEvent>(line.trim()) {
                                Ok(CreateUsersEvent::Hashing { done, total }) => {
                                    phase.set(Phase::Working(
                                        "Preparing the initial passwords".into(),
                                        done,
                                        total,
                                    ))
                                }
                                Ok(CreateUsersEvent::Creating { done, total }) => phase.set(
                                    Phase::Working("Creating the accounts".into(), done, total),
                                ),
                                Ok(other) => last = Some(other),
                                Err(_) => {
                                    last =
                                        Some(CreateUsersEvent::Failed(AppError::malformed_error()))
                                }
                            }
                        }
                    }
                    last
                }
            };
            match outcome {
                Some(CreateUsersEvent::Created(created)) => {
                    let n = created.len();
                    for c in created {
                        if let Some(row) = rows.get_untracked().into_iter().find(|r| r.key == c.key)
                        {
                            row.created.set(Some(c));
                        }
                    }
                    rows.update(|r| r.retain(|row| row.created.get_untracked().is_some()));
                    phase.set(Phase::Done);
                    notice.set(Some(format!(
                        "{n} {} created.",
                        if n == 1 { "account" } else { "accounts" }
                    )));
                }
                Some(CreateUsersEvent::Refused(checks)) => {
                    for c in checks {
                        if let (Some(row), Some(asked)) = (
                            rows.get_untracked().into_iter().find(|r| r.key == c.key),
                            sent.iter().find(|s| s.key == c.key),
                        ) {
                            row.check.set(Some((asked.clone(), c)));
                        }
                    }
                    phase.set(Phase::Editing);
                    error.set(Some(AppError::Conflict(
                        "Nothing was created: a username in the batch was taken meanwhile. \
                         The rows that fail now say why."
                            .into(),
                    )));
                }
                Some(CreateUsersEvent::Failed(e)) => {
                    phase.set(Phase::Editing);
                    error.set(Some(e));
                }
                // The answer never came: the batch may or may not have been
                // created (the connection went before its last line).
                _ => {
                    phase.set(Phase::Editing);
                    error.set(Some(AppError::Conflict(
                        "The connection was lost before the answer arrived, so the accounts may \
                         have been created. Check People before you try again."
                            .into(),
                    )));
                }
            }
        });
    };

    let reset = move |_| {
        rows.set(vec![new_row("", "", "")]);
        password.set(String::new());
        error.set(None);
        notice.set(None);
        phase.set(Phase::Editing);
    };

    let csv_href = move || {
        // The byte-order mark tells spreadsheets the file is UTF-8 (Zoë).
        let mut csv =
            String::from("\u{feff}First name,Last name,Email,Username,Role,Signs in with\r\n");
        let role = role.get().label();
        for r in rows.get() {
            if let Some(c) = r.created.get() {
                let how = if c.welcome_link {
                    "welcome link (emailed)"
                } else {
                    "initial password"
                };
                let cells = [
                    r.first.get(),
                    r.last.get(),
                    r.email.get(),
                    c.username.clone(),
                    role.to_string(),
                    how.to_string(),
                ];
                csv.push_str(
                    &cells
                        .iter()
                        .map(|c| new_users::csv_cell(c))
                        .collect::<Vec<_>>()
                        .join(","),
                );
                csv.push_str("\r\n");
            }
        }
        format!(
            "data:text/csv;charset=utf-8,{}",
            crate::percent::encode(&csv)
        )
    };

    let staff_href = move || {
        let ids: Vec<String> = rows
            .get()
            .iter()
            .filter_map(|r| r.created.get().map(|c| c.user_id.to_string()))
            .collect();
        format!("/admin/staff?new={}", ids.join(","))
    };
    let locked = move || phase.get() != Phase::Editing;
    let admin_places = setup.administrator_places;
    let password_error = move || error.get().and_then(|e| e.field_message("password"));
    let role_error = move || error.get().and_then(|e| e.field_message("role"));
    let rows_error = move || error.get().and_then(|e| e.field_message("rows"));
    let form_error = Signal::derive(move || {
        error.get().filter(|e| {
            e.field_message("password").is_none()
                && e.field_message("role").is_none()
                && e.field_message("rows").is_none()
        })
    });
    let prefix_for_lead = prefix.clone();
    // Effects run only in the browser, after hydration.
    let running = RwSignal::new(false);
    Effect::new(move |_| running.set(true));

    view! {
        <TopBar portal="Admin Portal" organization=setup.frame.organization_name.clone() user=setup.frame.display_name.clone()/>
        <main class="page wide">
            <p class="crumbs"><A href="/admin">"Admin Portal"</A>" › "<A href="/admin/people">"People"</A>" › Create Users"</p>
            <h1>"Create Users"</h1>
            <p class="lead">
                "Type each person's first and last name, or paste rows from a spreadsheet (first name, last name, email). "
                "Usernames are the agency prefix "<strong class="username">{prefix_for_lead}</strong>" + first initial + last name."
            </p>
            // Shown by the server; gone once the page runs in the browser.
            {move || (!running.get()).then(|| view! {
                <p class="notice warning">"Create Users needs JavaScript: turn it on to type or paste the batch."</p>
            })}
            <section class="card batch-settings" aria-labelledby="batch-settings-title">
                <h2 id="batch-settings-title">"For the whole batch"</h2>
                <div class="batch-settings-grid">
                    <div class="field" class:invalid=move || password_error().is_some()>
                        <label for="batch-password">"Initial password"</label>
                        <input id="batch-password" name="password" type="text" autocomplete="off" spellcheck="false"
                            aria-describedby="batch-password-error batch-password-rules"
                            aria-invalid=move || password_error().is_some().then_some("true")
                            prop:value=move || password.get()
                            disabled=locked
                            on:input=move |ev| { password.set(event_target_value(&ev)); error.set(None); }/>
                        <p class="field-error" id="batch-password-error" aria-live="polite">{password_error}</p>
                        <PasswordRules policy password=password username="" id="batch-password-rules"/>
                        <p class="hint">"Every new user must change it at their first sign-in."</p>
                    </div>
                    <div class="batch-options">
                        <div class="field" class:invalid=move || role_error().is_some()>
                            <label for="batch-role">"Role"</label>
                            <select id="batch-role" name="role" disabled=locked
                                aria-describedby="batch-role-error batch-role-hint"
                                on:change=move |ev| {
                                    role.set(StaffRole::from_db(&event_target_value(&ev)).unwrap_or(StaffRole::Staff));
                                    error.set(None);
                                }>
                                <option value="staff" selected=true>"Staff"</option>
                                <option value="broker">"Broker"</option>
                                <option value="user_administrator" disabled=admin_places == 0>"User Administrator"</option>
                            </select>
                            <p class="field-error" id="batch-role-error" aria-live="polite">{role_error}</p>
                            <p class="hint" id="batch-role-hint">
                                {format!(
                                    "User Administrator: {admin_places} of {} places left.",
                                    setup.max_administrators
                                )}
                            </p>
                        </div>
                        <fieldset class="delivery">
                            <legend>"How they sign in the first time"</legend>
                            <label class="check" for="delivery-password">
                                <input type="radio" id="delivery-password" name="delivery" value="password"
                                    checked=true disabled=locked on:change=move |_| welcome_links.set(false)/>
                                "Everyone with the initial password (share it with them)"
                            </label>
                            <label class="check" for="delivery-welcome">
                                <input type="radio" id="delivery-welcome" name="delivery" value="welcome"
                                    disabled=locked on:change=move |_| welcome_links.set(true)/>
                                "Email a welcome link to rows with an email; the others use the initial password"
                            </label>
                            {setup.dev_mailbox.then(|| view! {
                                <p class="hint">"Emails go to the development mailbox."</p>
                            })}
                        </fieldset>
                    </div>
                </div>
            </section>
            <section class="card" aria-labelledby="batch-grid-title">
                <div class="title-row">
                    <h2 id="batch-grid-title">"People"</h2>
                    <p class="count" role="status">{counts}</p>
                </div>
                <p class="field-error" aria-live="polite">{rows_error}</p>
                <div class="table-wrap" tabindex="0" role="region" aria-label="New users">
                    <table class="data batch-grid" aria-describedby="batch-grid-help">
                        <thead>
                            <tr>
                                <th scope="col" class="num">"#"</th>
                                <th scope="col">"First name"</th>
                                <th scope="col">"Last name"</th>
                                <th scope="col">"Email (optional)"</th>
                                <th scope="col">"Username"</th>
                                <th scope="col">"Validation"</th>
                                <th scope="col">"Result"</th>
                                <th scope="col"><span class="sr-only">"Remove"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            <ForEnumerate each=move || rows.get() key=|r| r.key
                                children=move |index, row| view! {
                                    <BatchRowView index row prefix=prefix.clone() locked=Signal::derive(locked)
                                        on_change=Callback::new(move |_| changed())
                                        on_paste=Callback::new(move |(key, first, ev)| paste(key, first, ev))
                                        on_remove=Callback::new(remove)/>
                                }/>
                        </tbody>
                    </table>
                </div>
                <p class="hint" id="batch-grid-help">
                    "Tab moves across the cells. On a row that fails, Enter shows the suggested username: Y accepts it, N keeps the one typed."
                </p>
                <FormAlert error=form_error/>
                {move || notice.get().map(|n| view! { <div class="notice" role="status">{n}</div> })}
                {move || match phase.get() {
                    Phase::Working(stage, done, total) => view! {
                        <div class="upload-progress shown batch-progress">
                            <progress max=total.max(1) value=done aria-label="Creating the accounts"></progress>
                            <span role="status">{format!("{stage}: {done} of {total}…")}</span>
                        </div>
                    }.into_any(),
                    Phase::Done => view! {
                        <div class="tools batch-done">
                            <A href=staff_href attr:class="button">"Add Staff Master records for these users"</A>
                            <a class="button secondary" href=csv_href download="new-users.csv">"Download the batch (CSV)"</a>
                            <A href="/admin/people" attr:class="button secondary">"Back to People"</A>
                            <button type="button" class="button secondary" on:click=reset>"Create another batch"</button>
                        </div>
                    }.into_any(),
                    Phase::Editing => view! {
                        <div class="tools batch-actions">
                            <button type="button" class="button" on:click=create
                                aria-describedby="batch-blocker"
                                disabled=move || blocker().is_some()>"Create Accounts"</button>
                            <p class="hint" id="batch-blocker" role="status">{move || blocker().unwrap_or_else(|| "Ready: every row passes.".into())}</p>
                        </div>
                    }.into_any(),
                }}
            </section>
        </main>
    }
}

#[component]
fn BatchRowView(
    /// The row's position now (rows above it may be removed).
    index: ReadSignal<usize>,
    row: GridRow,
    prefix: String,
    locked: Signal<bool>,
    on_change: Callback<()>,
    on_paste: Callback<(u32, bool, ev::ClipboardEvent)>,
    on_remove: Callback<u32>,
) -> impl IntoView {
    let key = row.key;
    let n = move || index.get() + 1;
    let id = move |cell: &str| format!("row-{key}-{cell}");
    let verdict = move || row.verdict();
    let blank = move || row.is_blank();
    // The username as typed, before the server has answered.
    let username = move || match (row.chosen.get(), verdict()) {
        (Some(chosen), _) => chosen,
        (None, Some(c)) => c.username,
        (None, None) => new_users::generated_username(&prefix, &row.first.get(), &row.last.get())
            .map(|u| u.as_str().to_string())
            .unwrap_or_default(),
    };
    let suggestion = move || verdict().and_then(|c| c.suggestion);
    // A name change makes the accepted suggestion moot; an email change
    // does not.
    let edit = move |signal: RwSignal<String>, names: bool| {
        move |ev: ev::Event| {
            signal.set(event_target_value(&ev));
            if names {
                row.chosen.set(None);
            }
            row.asking.set(false);
            on_change.run(());
        }
    };
    let ask = move |ev: ev::KeyboardEvent| {
        if ev.key() == "Enter" && suggestion().is_some() {
            ev.prevent_default();
            row.asking.set(true);
        }
    };
    let answer = move |accept: bool| {
        if accept {
            if let Some(s) = suggestion() {
                row.chosen.set(Some(s));
                on_change.run(());
            }
        }
        row.asking.set(false);
        focus(&id("first"));
    };
    let yes_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if row.asking.get() {
            if let Some(b) = yes_ref.get() {
                let _ = b.focus();
            }
        }
    });
    let person = move || {
        let name = format!("{} {}", row.first.get(), row.last.get());
        if name.trim().is_empty() {
            format!("row {}", n())
        } else {
            format!("row {}, {}", n(), name.trim())
        }
    };
    let email_problem = move || verdict().and_then(|c| c.email_problem);
    view! {
        <tr class:created=move || row.created.get().is_some()>
            <td class="num">{n}</td>
            <td>
                <input id=id("first") class="cell" type="text" autocomplete="off" maxlength="100"
                    aria-label=move || format!("First name, row {}", n())
                    prop:value=move || row.first.get() readonly=locked
                    on:input=edit(row.first, true) on:keydown=ask
                    on:paste=move |ev| on_paste.run((key, true, ev))/>
            </td>
            <td>
                <input id=id("last") class="cell" type="text" autocomplete="off" maxlength="100"
                    aria-label=move || format!("Last name, row {}", n())
                    prop:value=move || row.last.get() readonly=locked
                    on:input=edit(row.last, true) on:keydown=ask
                    on:paste=move |ev| on_paste.run((key, false, ev))/>
            </td>
            <td>
                <input id=id("email") class="cell" type="email" autocomplete="off" maxlength="254"
                    aria-label=move || format!("Email, row {}", n())
                    aria-invalid=move || email_problem().is_some().then_some("true")
                    aria-describedby=id("email-problem")
                    prop:value=move || row.email.get() readonly=locked
                    on:input=edit(row.email, false) on:keydown=ask/>
                <span class="cell-error" id=id("email-problem")>{email_problem}</span>
            </td>
            <td class="username">{username}</td>
            <td class="verdict" id=id("verdict")>
                {move || {
                    if blank() {
                        return view! { <span class="muted">"—"</span> }.into_any();
                    }
                    match verdict() {
                        None => view! { <span class="muted">"Checking…"</span> }.into_any(),
                        Some(c) if c.pass => view! { <span class="badge ok">"Pass"</span> }.into_any(),
                        Some(c) => {
                            let reason = c.reason.clone().or(c.email_problem.clone()).unwrap_or_default();
                            match c.suggestion.clone() {
                                Some(_) if !locked.get() => view! {
                                    <button type="button" class="badge bad verdict-button"
                                        aria-haspopup="dialog" aria-expanded=move || row.asking.get().to_string()
                                        aria-describedby=id("reason")
                                        on:click=move |_| row.asking.update(|a| *a = !*a)>"Fail"</button>
                                    <span class="reason" id=id("reason")>{reason}</span>
                                }.into_any(),
                                _ => view! {
                                    <span class="badge bad">"Fail"</span>
                                    <span class="reason" id=id("reason")>{reason}</span>
                                }.into_any(),
                            }
                        }
                    }
                }}
                {move || (row.asking.get() && !locked.get()).then(|| {
                    let offered = suggestion().unwrap_or_default();
                    view! {
                        <div class="suggestion" role="dialog" aria-label=format!("Suggested username for {}", person())
                            on:keydown=move |ev: ev::KeyboardEvent| match ev.key().as_str() {
                                "y" | "Y" => { ev.prevent_default(); answer(true) }
                                "n" | "N" | "Escape" => { ev.prevent_default(); answer(false) }
                                _ => {}
                            }>
                            <p>"Use "<strong class="username">{offered}</strong>" instead?"</p>
                            <button type="button" class="button" node_ref=yes_ref on:click=move |_| answer(true)>
                                "Yes"<span class="key-hint" aria-hidden="true">" (Y)"</span>
                            </button>
                            <button type="button" class="button secondary" on:click=move |_| answer(false)>
                                "No"<span class="key-hint" aria-hidden="true">" (N)"</span>
                            </button>
                        </div>
                    }
                })}
            </td>
            <td class="result">
                {move || row.created.get().map(|c| view! {
                    <span class="badge ok">"Account Created"</span>
                    {c.welcome_link.then_some(view! { <span class="reason">"welcome link emailed"</span> })}
                })}
            </td>
            <td class="remove">
                {move || (!locked.get()).then(|| view! {
                    <button type="button" class="icon-button" aria-label=move || format!("Remove {}", person())
                        title="Remove this row" on:click=move |_| on_remove.run(key)>"✕"</button>
                })}
            </td>
        </tr>
    }
}

/// Moves the keyboard focus to the element with this id, if it is there.
fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}
