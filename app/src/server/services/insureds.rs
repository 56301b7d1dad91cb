//! The Insureds table: every insured of the organization that the
//! brokerage's policy downloads named, for any staff user; one search box
//! (a part of the name or email, or the start of a policy number), the
//! filters, a sort on name, postal code, latest download or expiry, and
//! keyset pages.
//!
//! The search's meaning is [`InsuredSearch`]; here it is answered from
//! indexes: on SQLite an FTS5 trigram table (`insureds_search`) for terms
//! of three characters or more, on PostgreSQL a `pg_trgm` index through
//! `LIKE '%…%'`, and for a policy number a range of the
//! (organization, number key) index. A term shorter than a trigram is
//! matched by `LIKE` while the sort's index is walked, which stops at the
//! page's end.

use crate::{
    api::dto::{InsuredRefView, InsuredRowView, InsuredsListView, PolicyChipView},
    domain::{
        insured::{display_postal_code, line_of_business_label},
        ClientRole, InsuredSearch, InsuredSort, InsuredsQuery, PolicyFilter, RegistrationFilter,
    },
    server::{
        auth::{actor::manages_accounts, Actor},
        entities::{email_token, insured, policy, user},
        error::ServiceError,
        services::{home, insured_summary::date_key, keyset},
    },
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait, LikeExpr, SimpleExpr},
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, Order, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Statement,
};
use std::collections::HashMap;

/// Rows per page.
pub const PAGE_SIZE: u64 = 50;

/// The count stops here ("1,000+"), as in the People directory.
pub const COUNT_CAP: u64 = 1_000;

/// The columns a sort orders by, before the id that breaks ties.
fn sort_columns(sort: InsuredSort) -> Vec<insured::Column> {
    use insured::Column as C;
    match sort {
        InsuredSort::Name => vec![C::NameKey],
        InsuredSort::PostalCode => vec![C::PostalKey, C::NameKey],
        InsuredSort::LatestDownload => vec![C::LatestDownloadAt],
        InsuredSort::Expiry => vec![C::ExpiryKey],
    }
}

/// The values of `columns` in `row`, for the keyset condition.
fn sort_values(columns: &[insured::Column], row: &insured::Model) -> Vec<SimpleExpr> {
    use insured::Column as C;
    columns
        .iter()
        .map(|c| match c {
            C::NameKey => Expr::value(row.name_key.clone()),
            C::PostalKey => Expr::value(row.postal_key.clone()),
            C::LatestDownloadAt => Expr::value(row.latest_download_at),
            C::ExpiryKey => Expr::value(row.expiry_key),
            other => unreachable!("{other:?} is not a sort column"),
        })
        .collect()
}

/// `%term%` with LIKE's wildcards escaped by `\`.
fn like_pattern(term: &str) -> String {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// `%term%` with LIKE's wildcards escaped.
pub(crate) fn contains(term: &str) -> LikeExpr {
    LikeExpr::new(like_pattern(term)).escape('\\')
}

/// Policies whose number key starts with `prefix` (letters and digits
/// only): a range of the (organization, number key) index.
pub(crate) fn number_range(backend: DbBackend, prefix: &str) -> SimpleExpr {
    use policy::Column as P;
    if backend == DbBackend::Postgres {
        // `text_pattern_ops` makes this a range whatever the collation.
        P::NumberKey.like(format!("{prefix}%"))
    } else {
        // SQLite compares text byte by byte: every key starting with
        // `prefix` lies between it and `prefix_end`.
        P::NumberKey
            .gte(prefix)
            .and(P::NumberKey.lt(prefix_end(prefix)))
    }
}

/// How a search's matching ids are used (SQLite). A term matching a few
/// insureds is answered from its ids: look each one up, sort them. A term
/// matching thousands ("Smith") is answered by walking the sort's index and
/// keeping the rows whose id is among them, which stops at the page's end;
/// the unary `+` on the id keeps SQLite from looking the ids up one by one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Membership {
    LookUp,
    Walk,
}

impl Membership {
    fn id(self) -> &'static str {
        match self {
            Self::LookUp => "\"insureds\".\"id\"",
            Self::Walk => "+\"insureds\".\"id\"",
        }
    }
}

/// Above this many matching ids (in all organizations) a search walks the
/// sort's index.
pub const WIDE_SEARCH: u64 = 1_000;

/// The upper end of the SQLite range of number keys starting with
/// `prefix` (letters and digits only): the prefix with its last character
/// one higher.
fn prefix_end(prefix: &str) -> String {
    let mut upper: Vec<char> = prefix.chars().collect();
    if let Some(last) = upper.last_mut() {
        *last = char::from_u32(*last as u32 + 1).unwrap_or(char::MAX);
    }
    upper.into_iter().collect()
}

/// The organization's insureds holding a policy whose number key starts
/// with `prefix`, on SQLite (PostgreSQL reads them in one list with the
/// name matches, see `filters`).
fn number_prefix(org: i32, prefix: &str, how: Membership) -> SimpleExpr {
    Expr::cust_with_values(
        format!(
            "{} IN (SELECT insured_id FROM policies WHERE organization_id = ? \
             AND number_key >= ? AND number_key < ?)",
            how.id()
        ),
        [
            sea_orm::Value::from(org),
            sea_orm::Value::from(prefix),
            sea_orm::Value::from(prefix_end(prefix)),
        ],
    )
}

/// `text` as an FTS5 phrase: in a trigram table it matches exactly the rows
/// that hold it as a substring. Quotes inside are doubled; nothing else in
/// a quoted phrase is syntax (control characters never reach here).
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Whether the trigram index answers `text` (three characters or more).
fn trigram_searchable(text: &str) -> bool {
    text.chars().count() >= 3
}

/// Insureds whose name or email holds `text` (folded).
fn text_match(backend: DbBackend, text: &str, how: Membership) -> SimpleExpr {
    if backend == DbBackend::Sqlite && trigram_searchable(text) {
        Expr::cust_with_values(
            format!(
                "{} IN (SELECT rowid FROM insureds_search WHERE insureds_search MATCH ?)",
                how.id()
            ),
            [fts_phrase(text)],
        )
    } else {
        insured::Column::SearchText.like(contains(text))
    }
}

/// How SQLite should use the ids `search` matches: counts the trigram
/// index's matches (in every organization) and the policies in the number
/// range, up to the threshold; only the plan depends on it, never the rows.
async fn membership<C: ConnectionTrait>(
    db: &C,
    org: i32,
    search: Option<&InsuredSearch>,
) -> Result<Membership, ServiceError> {
    let Some(search) = search else {
        return Ok(Membership::LookUp);
    };
    if db.get_database_backend() != DbBackend::Sqlite || !trigram_searchable(&search.text) {
        return Ok(Membership::LookUp);
    }
    let cap = WIDE_SEARCH + 1;
    let mut sql = format!(
        "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM insureds_search \
         WHERE insureds_search MATCH ? LIMIT {cap}))"
    );
    let mut values = vec![sea_orm::Value::from(fts_phrase(&search.text))];
    if let Some(number) = &search.number {
        sql.push_str(&format!(
            " + (SELECT COUNT(*) FROM (SELECT 1 FROM policies WHERE organization_id = ? \
             AND number_key >= ? AND number_key < ? LIMIT {cap}))"
        ));
        values.extend([
            sea_orm::Value::from(org),
            sea_orm::Value::from(number.as_str()),
            sea_orm::Value::from(prefix_end(number)),
        ]);
    }
    sql.push_str(" AS n");
    let n: i64 = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            sql,
            values,
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    Ok(if n as u64 > WIDE_SEARCH {
        Membership::Walk
    } else {
        Membership::LookUp
    })
}

/// The organization's insured logins (role Insured) that match `more`.
fn insured_logins(org: i32, more: Condition) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column((user::Entity, user::Column::Id))
        .from(user::Entity)
        .and_where(Expr::col((user::Entity, user::Column::OrganizationId)).eq(org))
        .and_where(Expr::col((user::Entity, user::Column::Role)).eq(ClientRole::Insured.as_str()))
        .cond_where(more)
        .to_owned()
}

/// The conditions of `query` on the organization's insureds, at `now`.
fn filters(
    backend: DbBackend,
    org: i32,
    query: &InsuredsQuery,
    now: DateTime<Utc>,
    how: Membership,
) -> Condition {
    use insured::Column as C;
    let today = now.date_naive();
    let search = InsuredSearch::parse(&query.search);
    let mut cond = Condition::all().add(C::OrganizationId.eq(org));
    // "Has policies" is true of nearly every insured: its index serves the
    // default view's count, but with any other condition it must not be
    // the index chosen (the `+` keeps it a plain test).
    let narrowed = search.is_some()
        || query.needs_attaching
        || query.registered != RegistrationFilter::Any
        || query.insured.is_some();
    let has_policies = if narrowed {
        Expr::cust("+\"insureds\".\"policy_count\" > 0")
    } else {
        C::PolicyCount.gt(0)
    };
    // One insured asked for by id (a report's link) shows even when it
    // has no policies left.
    cond = match (query.policies, query.insured) {
        (PolicyFilter::All, Some(_)) => cond,
        (PolicyFilter::All, None) => cond.add(has_policies),
        // The latest expiry is at least the latest active one: saying so
        // lets the expiry sort's index skip every insured whose policies
        // have all expired, instead of walking past them.
        (PolicyFilter::Active, _) => cond
            .add(C::ActiveUntilKey.gte(date_key(today)))
            .add(C::ExpiryKey.gte(date_key(today))),
        (PolicyFilter::Without, _) => cond.add(C::PolicyCount.eq(0)),
    };
    if query.needs_attaching {
        cond = cond.add(C::NeedsAttaching.eq(true));
    }
    match query.registered {
        RegistrationFilter::Any => {}
        RegistrationFilter::Registered => cond = cond.add(C::Email.is_not_null()),
        RegistrationFilter::NotRegistered => cond = cond.add(C::Email.is_null()),
        RegistrationFilter::NeverSignedIn => {
            cond = cond.add(
                C::UserId.in_subquery(insured_logins(
                    org,
                    Condition::all()
                        .add(Expr::col((user::Entity, user::Column::LastLoginAt)).is_null()),
                )),
            )
        }
        // No password yet, and no unused link that still works.
        RegistrationFilter::WelcomeExpired => {
            let working_link = sea_orm::sea_query::Query::select()
                .expr(Expr::val(1))
                .from(email_token::Entity)
                .and_where(
                    Expr::col((email_token::Entity, email_token::Column::UserId))
                        .equals((user::Entity, user::Column::Id)),
                )
                .and_where(Expr::col((email_token::Entity, email_token::Column::UsedAt)).is_null())
                .and_where(Expr::col((email_token::Entity, email_token::Column::ExpiresAt)).gt(now))
                .to_owned();
            cond = cond.add(
                C::UserId.in_subquery(insured_logins(
                    org,
                    Condition::all()
                        .add(Expr::col((user::Entity, user::Column::PasswordHash)).is_null())
                        .add(Expr::exists(working_link).not()),
                )),
            )
        }
    }
    if let Some(id) = query.insured {
        cond = cond.add(C::Id.eq(id));
    }
    if let Some(search) = search {
        cond = match (&search.number, backend) {
            // PostgreSQL can't combine a trigram index and a subquery
            // under one OR (it read every insured: 2 s at 750,000), and an
            // `IN (… UNION …)` it may test row by row when its statistics
            // are young (1 s on a new table of 2,000). `= ANY(ARRAY(…))`
            // computes the matching ids once, from both indexes, and looks
            // them up.
            (Some(number), DbBackend::Postgres) => cond.add(Expr::cust_with_values(
                "\"insureds\".\"id\" = ANY(ARRAY(\
                   SELECT id FROM insureds WHERE organization_id = $1 AND search_text LIKE $2 ESCAPE '\\' \
                   UNION SELECT insured_id FROM policies WHERE organization_id = $3 AND number_key LIKE $4))",
                [
                    sea_orm::Value::from(org),
                    sea_orm::Value::from(like_pattern(&search.text)),
                    sea_orm::Value::from(org),
                    sea_orm::Value::from(format!("{number}%")),
                ],
            )),
            (Some(number), _) => cond.add(
                Condition::any()
                    .add(text_match(backend, &search.text, how))
                    .add(number_prefix(org, number, how)),
            ),
            (None, _) => cond.add(text_match(backend, &search.text, how)),
        };
    }
    cond
}

/// A policy as shown, its state read against `today`.
pub(crate) fn chip(p: &policy::Model, today: NaiveDate) -> PolicyChipView {
    let state = if p.status == "cancelled" {
        "cancelled"
    } else if p.expiry_date < today {
        "expired"
    } else {
        "active"
    };
    PolicyChipView {
        id: p.id,
        carrier_code: p.carrier_code.clone(),
        policy_number: p.policy_number.clone(),
        line_of_business: line_of_business_label(&p.line_of_business).to_string(),
        effective_date: p.effective_date.to_string(),
        expiry_date: p.expiry_date.to_string(),
        state: state.into(),
    }
}

/// Up to `per_insured` policies of each of `insureds` (latest expiry
/// first), in one query: a window over the (insured, expiry) index.
async fn policies_of<C: ConnectionTrait>(
    db: &C,
    org: i32,
    insureds: &[i32],
    per_insured: usize,
) -> Result<HashMap<i32, Vec<policy::Model>>, ServiceError> {
    if insureds.is_empty() {
        return Ok(HashMap::new());
    }
    // The ids are the database's own integers, written out.
    let list = insureds
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "SELECT * FROM (SELECT p.*, ROW_NUMBER() OVER \
           (PARTITION BY p.insured_id ORDER BY p.expiry_date DESC, p.id DESC) AS rn \
         FROM policies p WHERE p.organization_id = {org} AND p.insured_id IN ({list})) ranked \
         WHERE rn <= {per_insured} ORDER BY insured_id, rn"
    );
    let mut out: HashMap<i32, Vec<policy::Model>> = HashMap::new();
    for p in policy::Entity::find()
        .from_raw_sql(Statement::from_string(db.get_database_backend(), sql))
        .all(db)
        .await?
    {
        out.entry(p.insured_id).or_default().push(p);
    }
    Ok(out)
}

/// What the follow-up needs of an insured's login.
pub(crate) struct LoginFacts {
    /// When the broker registered the insured (the login's creation).
    pub registered_at: DateTime<Utc>,
    /// The latest sign-in, if any.
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// A password has been chosen.
    pub has_password: bool,
}

/// The follow-up facts of the organization's insured logins `ids`.
pub(crate) async fn logins_of<C: ConnectionTrait>(
    db: &C,
    org: i32,
    mut ids: Vec<i32>,
) -> Result<HashMap<i32, LoginFacts>, ServiceError> {
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        for u in user::Entity::find()
            .filter(user::Column::OrganizationId.eq(org))
            .filter(user::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            out.insert(
                u.id,
                LoginFacts {
                    registered_at: u.created_at,
                    last_sign_in_at: u.last_login_at,
                    has_password: u.password_hash.is_some(),
                },
            );
        }
    }
    Ok(out)
}

/// A page of the Insureds table (any staff role of the organization).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    query: &InsuredsQuery,
    now: DateTime<Utc>,
) -> Result<InsuredsListView, ServiceError> {
    use insured::Column as C;
    let today = now.date_naive();
    let role = actor.require_staff()?;
    let org = actor.organization_id;
    let backend = db.get_database_backend();
    let columns = sort_columns(query.sort);
    let order = if query.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let how = membership(db, org, InsuredSearch::parse(&query.search).as_ref()).await?;
    let mut q = insured::Entity::find().filter(filters(backend, org, query, now, how));
    if let Some(cursor) = query.cursor.as_deref() {
        let id = keyset::cursor_id(cursor)?;
        let last = insured::Entity::find_by_id(id)
            .filter(C::OrganizationId.eq(org))
            .one(db)
            .await?
            .ok_or_else(keyset::bad_cursor)?;
        q = q.filter(keyset::after(
            &columns,
            C::Id,
            sort_values(&columns, &last),
            last.id,
            query.descending,
        ));
    }
    for c in &columns {
        q = q.order_by(*c, order.clone());
    }
    let mut rows = q
        .order_by(C::Id, order)
        .limit(PAGE_SIZE + 1)
        .all(db)
        .await?;
    let next_cursor = keyset::next_cursor(&mut rows, PAGE_SIZE, |r| r.id);

    // The count stops after COUNT_CAP rows: looking those up is cheaper
    // than walking an index for them.
    let matching = insured::Entity::find()
        .select_only()
        .column(C::Id)
        .filter(filters(backend, org, query, now, Membership::LookUp))
        .limit(COUNT_CAP + 1)
        .into_query();
    let n = keyset::count(db, matching).await?;

    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let mut policies = policies_of(db, org, &ids, InsuredRowView::MAX_SHOWN).await?;
    let likely: HashMap<i32, String> = {
        let mut wanted: Vec<i32> = rows.iter().filter_map(|r| r.likely_match_id).collect();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            HashMap::new()
        } else {
            insured::Entity::find()
                .select_only()
                .column(C::Id)
                .column(C::FullName)
                .filter(insured::ids_in_organization(org, wanted))
                .into_tuple::<(i32, String)>()
                .all(db)
                .await?
                .into_iter()
                .collect()
        }
    };
    let logins = logins_of(db, org, rows.iter().filter_map(|r| r.user_id).collect()).await?;
    let frame = home::frame(db, actor).await?;
    Ok(InsuredsListView {
        frame,
        rows: rows
            .into_iter()
            .map(|r| {
                let place = [r.city.as_str(), r.province.as_str()]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                let login = r.user_id.and_then(|u| logins.get(&u));
                InsuredRowView {
                    id: r.id,
                    registered_at: login.map(|l| l.registered_at.to_rfc3339()),
                    last_sign_in_at: login.and_then(|l| l.last_sign_in_at.map(|t| t.to_rfc3339())),
                    welcome_pending: login.is_some_and(|l| !l.has_password),
                    policies: policies
                        .remove(&r.id)
                        .unwrap_or_default()
                        .iter()
                        .map(|p| chip(p, today))
                        .collect(),
                    policy_count: u32::try_from(r.policy_count).unwrap_or(0),
                    likely_match: r.likely_match_id.and_then(|id| {
                        likely.get(&id).map(|name| InsuredRefView {
                            id,
                            full_name: name.clone(),
                        })
                    }),
                    full_name: r.full_name,
                    address: r.address,
                    place,
                    postal_code: display_postal_code(&r.postal_code),
                    email: r.email,
                    needs_attaching: r.needs_attaching,
                    latest_download_at: r.latest_download_at.to_rfc3339(),
                }
            })
            .collect(),
        next_cursor,
        count: std::cmp::min(n, COUNT_CAP),
        count_capped: n > COUNT_CAP,
        can_attach: manages_accounts(role),
    })
}

/// Rows read at a time by the CSV export.
const EXPORT_BATCH: u64 = 1_000;

/// One CSV field: quoted when it holds a comma, quote or line break, and
/// led by `'` when it starts like a spreadsheet formula (`=`, `+`, `-`, `@`,
/// their full-width forms, or a tab or line break; after any spaces), so a
/// name a download carried can't run as one.
fn csv_field(out: &mut String, value: &str) {
    let formula = value.trim_start_matches(' ').starts_with([
        '=', '+', '-', '@', '\t', '\r', '\n', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
    ]);
    let guarded = if formula {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&guarded.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&guarded);
    }
}

fn csv_line(out: &mut String, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(out, f);
    }
    out.push_str("\r\n");
}

/// The whole list `query` selects (every page, in its order) as CSV: name,
/// address, city, province, postal code, email, policy numbers, when
/// registered and last signed in. No secrets. User Administrators and
/// Brokers of the organization only: it is a list of clients' emails.
pub async fn export_csv<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    query: &InsuredsQuery,
    now: DateTime<Utc>,
) -> Result<String, ServiceError> {
    use insured::Column as C;
    actor.require_account_manager_staff()?;
    let org = actor.organization_id;
    let backend = db.get_database_backend();
    let columns = sort_columns(query.sort);
    let order = if query.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let query = InsuredsQuery {
        cursor: None,
        ..query.clone()
    };
    let how = membership(db, org, InsuredSearch::parse(&query.search).as_ref()).await?;
    let mut out = String::new();
    csv_line(
        &mut out,
        &[
            "Insured",
            "Address",
            "City",
            "Province",
            "Postal code",
            "Email",
            "Policy numbers",
            "Registered",
            "Last signed in",
        ],
    );
    let mut last: Option<insured::Model> = None;
    loop {
        let mut q = insured::Entity::find().filter(filters(backend, org, &query, now, how));
        if let Some(last) = &last {
            q = q.filter(keyset::after(
                &columns,
                C::Id,
                sort_values(&columns, last),
                last.id,
                query.descending,
            ));
        }
        for c in &columns {
            q = q.order_by(*c, order.clone());
        }
        let rows = q
            .order_by(C::Id, order.clone())
            .limit(EXPORT_BATCH)
            .all(db)
            .await?;
        let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
        let mut numbers: HashMap<i32, Vec<String>> = HashMap::new();
        for chunk in ids.chunks(500) {
            for (insured_id, number) in policy::Entity::find()
                .select_only()
                .column(policy::Column::InsuredId)
                .column(policy::Column::PolicyNumber)
                .filter(policy::Column::OrganizationId.eq(org))
                .filter(policy::Column::InsuredId.is_in(chunk.iter().copied()))
                .order_by_desc(policy::Column::ExpiryDate)
                .order_by_asc(policy::Column::Id)
                .into_tuple::<(i32, String)>()
                .all(db)
                .await?
            {
                numbers.entry(insured_id).or_default().push(number);
            }
        }
        let logins = logins_of(db, org, rows.iter().filter_map(|r| r.user_id).collect()).await?;
        for r in &rows {
            let login = r.user_id.and_then(|u| logins.get(&u));
            let date = |t: Option<DateTime<Utc>>| {
                t.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_default()
            };
            csv_line(
                &mut out,
                &[
                    &r.full_name,
                    &r.address,
                    &r.city,
                    &r.province,
                    &display_postal_code(&r.postal_code),
                    r.email.as_deref().unwrap_or(""),
                    &numbers.remove(&r.id).unwrap_or_default().join("; "),
                    &date(login.map(|l| l.registered_at)),
                    &date(login.and_then(|l| l.last_sign_in_at)),
                ],
            );
        }
        if (rows.len() as u64) < EXPORT_BATCH {
            break;
        }
        last = rows.into_iter().last();
    }
    Ok(out)
}

#[cfg(test)]
mod csv_tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        let mut out = String::new();
        csv_line(
            &mut out,
            &[
                "Smith, Jane",
                "say \"hi\"",
                "=HYPERLINK(\"x\")",
                "-2",
                "plain",
            ],
        );
        assert_eq!(
            out,
            "\"Smith, Jane\",\"say \"\"hi\"\"\",\"'=HYPERLINK(\"\"x\"\")\",'-2,plain\r\n"
        );
    }
}
