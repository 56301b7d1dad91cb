//! `/admin/staff`: the Staff Master. The records (Staff ID, name with
//! middle initial, hire date, linked login), searchable and sortable with
//! the state in the address; an editor that adds or changes one record or
//! several at once — after Create Users, `?new=…` opens it with one row per
//! new login, names filled in, so only the Staff IDs and hire dates remain.

use crate::{
    api::{
        dto::{StaffLoginOption, StaffMasterView, StaffRecordView},
        save_staff_records, staff_master,
    },
    components::{FormAlert, TopBar},
    domain::staff_master::{StaffQuery, StaffRecordInput, StaffSort},
    error::AppError,
    pages::{group_thousands, staff_page_error},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::{Form, A},
    hooks::{use_navigate, use_query_map},
};

/// The page.
#[component]
pub fn StaffMasterPage() -> impl IntoView {
    let query = use_query_map();
    let address = move || {
        let q = query.read();
        let state = StaffQuery::from_params(|k| q.get(k));
        let mut params = state.to_params();
        if let Some(new) = q.get("new") {
            if !params.is_empty() {
                params.push('&');
            }
            params.push_str(&format!("new={}", crate::percent::encode(&new)));
        }
        (state, params)
    };
    let changed = RwSignal::new(0u32);
    let page = Resource::new(
        move || (address(), changed.get()),
        |((_, params), _)| staff_master(params),
    );
    let refresh = Callback::new(move |_: ()| changed.update(|n| *n += 1));
    // Outlives the body, which is rendered again when the list reloads.
    let notice = RwSignal::new(None::<String>);
    view! {
        <Title text="Staff Master · Admin Portal · Gatehouse"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (s, _) = address();
                match page.await {
                    Ok(view) => view! { <StaffMasterBody view s refresh notice/> }.into_any(),
                    Err(e) => staff_page_error(e),
                }
            })}
        </Suspense>
    }
}

/// One row of the editor.
#[derive(Clone, Copy)]
struct EditRow {
    key: u32,
    id: Option<i32>,
    staff_id: RwSignal<String>,
    first_name: RwSignal<String>,
    middle_initial: RwSignal<String>,
    last_name: RwSignal<String>,
    hire_date: RwSignal<String>,
    user_id: RwSignal<Option<i32>>,
    /// The login linked now (an edited record keeps it on offer).
    current_login: StoredValue<Option<(i32, String)>>,
    problems: RwSignal<Vec<(String, String)>>,
}

impl EditRow {
    fn new(key: u32, input: StaffRecordInput, current_login: Option<(i32, String)>) -> Self {
        Self {
            key,
            id: input.id,
            staff_id: RwSignal::new(input.staff_id),
            first_name: RwSignal::new(input.first_name),
            middle_initial: RwSignal::new(input.middle_initial),
            last_name: RwSignal::new(input.last_name),
            hire_date: RwSignal::new(input.hire_date),
            user_id: RwSignal::new(input.user_id),
            current_login: StoredValue::new(current_login),
            problems: RwSignal::new(Vec::new()),
        }
    }

    fn input(&self) -> StaffRecordInput {
        StaffRecordInput {
            id: self.id,
            staff_id: self.staff_id.get_untracked(),
            first_name: self.first_name.get_untracked(),
            middle_initial: self.middle_initial.get_untracked(),
            last_name: self.last_name.get_untracked(),
            hire_date: self.hire_date.get_untracked(),
            user_id: self.user_id.get_untracked(),
        }
    }

    fn problem(&self, field: &str) -> Option<String> {
        self.problems
            .get()
            .into_iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m)
    }
}

fn record_input(r: &StaffRecordView) -> StaffRecordInput {
    StaffRecordInput {
        id: Some(r.id),
        staff_id: r.staff_id.clone(),
        first_name: r.first_name.clone(),
        middle_initial: r.middle_initial.clone(),
        last_name: r.last_name.clone(),
        hire_date: r.hire_date.clone(),
        user_id: r.user_id,
    }
}

#[component]
fn StaffMasterBody(
    view: StaffMasterView,
    s: StaffQuery,
    refresh: Callback<()>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let next_key = StoredValue::new(1u32);
    let make = move |input: StaffRecordInput, current: Option<(i32, String)>| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        EditRow::new(key, input, current)
    };
    let from_batch = !view.prefilled.is_empty();
    let editing = RwSignal::new(
        view.prefilled
            .iter()
            .cloned()
            .map(|p| make(p, None))
            .collect::<Vec<_>>(),
    );
    let error = RwSignal::new(None::<AppError>);
    let saving = RwSignal::new(false);
    let options = StoredValue::new(view.unlinked_logins.clone());
    // The router's navigate function holds browser objects, so it lives in
    // thread-local storage and must be dropped on the thread that made it.
    // The server renders on one worker thread and may drop the page on
    // another, which panics; only the browser ever saves, so only the
    // browser keeps one.
    let navigate = cfg!(feature = "hydrate").then(|| StoredValue::new_local(use_navigate()));
    let back_to_list = StoredValue::new(s.href());

    let add_blank = move |_| {
        editing.update(|rows| rows.push(make(StaffRecordInput::default(), None)));
        notice.set(None);
    };
    let save = move |_| {
        if saving.get_untracked() {
            return;
        }
        let rows = editing.get_untracked();
        let inputs: Vec<StaffRecordInput> = rows.iter().map(EditRow::input).collect();
        error.set(None);
        saving.set(true);
        leptos::task::spawn_local(async move {
            match save_staff_records(inputs).await {
                Ok(result) if result.problems.is_empty() => {
                    let n = result.saved.len();
                    editing.set(Vec::new());
                    notice.set(Some(format!(
                        "Saved {n} Staff Master {}.",
                        if n == 1 { "record" } else { "records" }
                    )));
                    if let Some(navigate) = navigate.filter(|_| from_batch) {
                        // The rows are saved: leave the prefilled address.
                        navigate.with_value(|go| go(&back_to_list.get_value(), Default::default()));
                    }
                    refresh.run(());
                }
                Ok(result) => {
                    for (i, row) in rows.iter().enumerate() {
                        row.problems.set(
                            result
                                .problems
                                .iter()
                                .filter(|p| p.row == i)
                                .map(|p| (p.field.clone(), p.message.clone()))
                                .collect(),
                        );
                    }
                    let n = result.problems.len();
                    error.set(Some(AppError::Conflict(format!(
                        "Nothing was saved: {n} {} to fix, shown next to {}.",
                        if n == 1 { "problem" } else { "problems" },
                        if n == 1 { "its field" } else { "their fields" }
                    ))));
                }
                Err(e) => error.set(Some(e)),
            }
            saving.set(false);
        });
    };

    let header = |column: StaffSort| {
        let current = s.sort == column;
        let sort = match (current, s.descending) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        };
        let arrow = match (current, s.descending) {
            (false, _) => "",
            (true, true) => " ▼",
            (true, false) => " ▲",
        };
        let label = column.label();
        view! {
            <th scope="col" aria-sort=sort>
                <A href=s.sorted_by(column).href() attr:title=format!("Sort by {}", label.to_lowercase())>{label}{arrow}</A>
            </th>
        }
    };
    let pages = view.total.div_ceil(view.page_size).max(1);
    let previous = (s.page > 0).then(|| {
        StaffQuery {
            page: s.page - 1,
            ..s.clone()
        }
        .href()
    });
    let next = (s.page + 1 < pages).then(|| {
        StaffQuery {
            page: s.page + 1,
            ..s.clone()
        }
        .href()
    });
    let count_text = format!(
        "{} {}",
        group_thousands(view.total),
        if view.total == 1 { "record" } else { "records" }
    );
    let days_ahead = view.days_ahead;
    let search_value = s.search.clone();
    let empty_text = if s.search.is_empty() {
        "No Staff Master records yet. Add one, or create users first and add theirs."
    } else {
        "No record matches. Check the spelling."
    };
    view! {
        <TopBar portal="Admin Portal" organization=view.frame.organization_name.clone() user=view.frame.display_name.clone()/>
        <main class="page wide">
            <p class="crumbs"><A href="/admin">"Admin Portal"</A>" › Staff Master"</p>
            <div class="title-row">
                <h1>"Staff Master"</h1>
                <button type="button" class="button" on:click=add_blank>"Add a record"</button>
            </div>
            {move || notice.get().map(|n| view! { <div class="notice" role="status">{n}</div> })}
            {move || (!editing.get().is_empty()).then(|| view! {
                <section class="card" aria-labelledby="staff-editor-title">
                    <h2 id="staff-editor-title">
                        {if from_batch { "Add Staff Master records for these users" } else { "Staff Master records to save" }}
                    </h2>
                    <p class="hint staff-editor-hint">
                        {format!("Staff IDs are letters and digits, unique in the organization (100 is reserved for platform support). A hire date may be up to {days_ahead} days from today.")}
                    </p>
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Records to save">
                        <table class="data batch-grid staff-editor">
                            <thead>
                                <tr>
                                    <th scope="col">"Staff ID"</th>
                                    <th scope="col">"First name"</th>
                                    <th scope="col">"M.I."</th>
                                    <th scope="col">"Last name"</th>
                                    <th scope="col">"Hire date"</th>
                                    <th scope="col">"Login"</th>
                                    <th scope="col"><span class="sr-only">"Remove"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                <ForEnumerate each=move || editing.get() key=|r| r.key
                                    children=move |index, row| view! {
                                        <EditRowView index row options=options.get_value()
                                            on_remove=Callback::new(move |key: u32| editing.update(|rows| rows.retain(|r| r.key != key)))/>
                                    }/>
                            </tbody>
                        </table>
                    </div>
                    <FormAlert error=error/>
                    <div class="tools batch-actions">
                        <button type="button" class="button" on:click=save disabled=move || saving.get()>
                            {move || if saving.get() { "Saving…" } else { "Save records" }}
                        </button>
                        <button type="button" class="button secondary" on:click=move |_| { editing.set(Vec::new()); error.set(None); }>"Cancel"</button>
                    </div>
                </section>
            })}
            <section class="card">
                <Form method="GET" action="/admin/staff" attr:class="filters" attr:role="search" attr:aria-label="Search the Staff Master">
                    {(s.sort != StaffSort::StaffId).then(|| view! { <input type="hidden" name="sort" value=s.sort.as_str()/> })}
                    {s.descending.then(|| view! { <input type="hidden" name="dir" value="desc"/> })}
                    <label for="staff-q">"Search"
                        <input id="staff-q" name="q" type="search" value=search_value.clone() placeholder="Staff ID or name contains" maxlength="100"/>
                    </label>
                    <button type="submit" class="button">"Search"</button>
                </Form>
                <p class="count" role="status"><strong>{count_text}</strong></p>
                {if view.records.is_empty() {
                    view! { <p class="empty">{empty_text}</p> }.into_any()
                } else {
                    let records = view.records.clone();
                    view! {
                        <div class="table-wrap" tabindex="0" role="region" aria-label="Staff Master records">
                            <table class="data staff-master" aria-label="Staff Master records">
                                <thead>
                                    <tr>
                                        {header(StaffSort::StaffId)}
                                        {header(StaffSort::Name)}
                                        {header(StaffSort::HireDate)}
                                        <th scope="col">"Login"</th>
                                        <th scope="col" class="actions"><span class="sr-only">"Actions"</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {records.into_iter().map(|r| {
                                        let name = match r.middle_initial.as_str() {
                                            "" => format!("{} {}", r.first_name, r.last_name),
                                            m => format!("{} {m}. {}", r.first_name, r.last_name),
                                        };
                                        let current = r.user_id.zip(r.username.clone());
                                        let input = record_input(&r);
                                        let label = format!("Edit {} ({})", name, r.staff_id);
                                        view! {
                                            <tr>
                                                <td class="staff-id">{r.staff_id.clone()}</td>
                                                <td>{name}</td>
                                                <td class="when">{r.hire_date.clone()}</td>
                                                <td>{match r.username.clone() {
                                                    Some(u) => view! { <span class="username">{u}</span> }.into_any(),
                                                    None => view! { <span class="muted">"no login"</span> }.into_any(),
                                                }}</td>
                                                <td class="actions">
                                                    <button type="button" class="button secondary" aria-label=label
                                                        on:click=move |_| {
                                                            let row = make(input.clone(), current.clone());
                                                            editing.update(|rows| {
                                                                if !rows.iter().any(|e| e.id == row.id) {
                                                                    rows.push(row);
                                                                }
                                                            });
                                                            notice.set(None);
                                                        }>"Edit"</button>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
                <nav class="pager" aria-label="Staff Master pages">
                    <span>{previous.map(|href| view! { <A href=href>"« Previous page"</A> })}</span>
                    <span>{format!("Page {} of {pages}", s.page + 1)}</span>
                    <span>{next.map(|href| view! { <A href=href>"Next page »"</A> })}</span>
                </nav>
            </section>
        </main>
    }
}

#[component]
fn EditRowView(
    /// The row's position now (rows above it may be removed).
    index: ReadSignal<usize>,
    row: EditRow,
    options: Vec<StaffLoginOption>,
    on_remove: Callback<u32>,
) -> impl IntoView {
    let key = row.key;
    let n = move || index.get() + 1;
    let id = move |cell: &str| format!("staff-{key}-{cell}");
    let cell = move |field: &'static str,
                     label: &'static str,
                     kind: &'static str,
                     max: &'static str,
                     signal: RwSignal<String>| {
        view! {
            <td>
                <input id=id(field) class="cell" type=kind maxlength=max autocomplete="off"
                    aria-label=move || format!("{label}, row {}", n())
                    aria-invalid=move || row.problem(field).is_some().then_some("true")
                    aria-describedby=id(&format!("{field}-problem"))
                    prop:value=move || signal.get()
                    on:input=move |ev| {
                        signal.set(event_target_value(&ev));
                        row.problems.update(|p| p.retain(|(f, _)| f != field));
                    }/>
                <span class="cell-error" id=id(&format!("{field}-problem")) aria-live="polite">{move || row.problem(field)}</span>
            </td>
        }
    };
    let mut choices = options;
    if let Some((user_id, username)) = row.current_login.get_value() {
        choices.insert(
            0,
            StaffLoginOption {
                user_id,
                label: username,
            },
        );
    }
    view! {
        <tr>
            {cell("staff_id", "Staff ID", "text", "20", row.staff_id)}
            {cell("first_name", "First name", "text", "100", row.first_name)}
            {cell("middle_initial", "Middle initial", "text", "2", row.middle_initial)}
            {cell("last_name", "Last name", "text", "100", row.last_name)}
            {cell("hire_date", "Hire date", "date", "10", row.hire_date)}
            <td>
                <select id=id("user_id") class="cell" aria-label=move || format!("Login, row {}", n())
                    aria-invalid=move || row.problem("user_id").is_some().then_some("true")
                    aria-describedby=id("user_id-problem")
                    on:change=move |ev| {
                        row.user_id.set(event_target_value(&ev).parse().ok());
                        row.problems.update(|p| p.retain(|(f, _)| f != "user_id"));
                    }>
                    <option value="" selected=move || row.user_id.get().is_none()>"No login"</option>
                    {choices.into_iter().map(|o| {
                        let value = o.user_id;
                        view! { <option value=value.to_string() selected=move || row.user_id.get() == Some(value)>{o.label}</option> }
                    }).collect_view()}
                </select>
                <span class="cell-error" id=id("user_id-problem") aria-live="polite">{move || row.problem("user_id")}</span>
            </td>
            <td class="remove">
                <button type="button" class="icon-button" aria-label=move || format!("Remove row {}", n()) title="Remove this row"
                    on:click=move |_| on_remove.run(key)>"✕"</button>
            </td>
        </tr>
    }
}
