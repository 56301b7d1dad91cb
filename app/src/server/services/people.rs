//! The People directory: one list of the organization's logins, staff or
//! clients, for any staff user; the row actions (disable, reset password,
//! send a password link, change a staff role) are User Administrator work
//! and live in the services they call (`user_access`, `client_logins`,
//! `recovery`, `administrators`).
//!
//! Every sort reads an index on (organization, kind, sort columns, id) and
//! pages continue after the previous page's last row (keyset), so page 200
//! costs what page 1 costs. The count of active logins is capped, never an
//! unbounded `COUNT(*)`.

use crate::{
    api::dto::{PeopleListView, PersonRowView},
    domain::{
        audit_action,
        names::fold,
        people::{role_label, PeopleQuery, PeopleSort},
        StaffRole,
    },
    server::{
        auth::{password::PasswordHasher, Actor},
        db::begin_write,
        entities::{audit_event, client_account, user},
        error::ServiceError,
        services::{activity, client_logins, home, keyset},
    },
};
use chrono::{DateTime, Datelike, Utc};
use sea_orm::{
    sea_query::{Expr, LikeExpr, Query, SimpleExpr},
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, Order, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};
use std::collections::HashMap;

/// Rows per page.
pub const PAGE_SIZE: u64 = 50;

/// The active-login count stops here ("1,000+"): counting further costs
/// every page view a longer index scan (10,000 took 14 ms on PostgreSQL at
/// 100,000 logins, BENCHMARKS.md), and past a thousand the exact number
/// helps nobody find anyone.
pub const COUNT_CAP: u64 = 1_000;

/// The columns a sort orders by, before the id that breaks ties.
fn sort_columns(sort: PeopleSort) -> Vec<user::Column> {
    use user::Column as C;
    match sort {
        PeopleSort::DisplayName => vec![C::NameKey],
        PeopleSort::FirstName => vec![C::FirstKey],
        PeopleSort::LastName => vec![C::LastKey],
        PeopleSort::Username => vec![C::Username],
        PeopleSort::Role => vec![C::Role, C::NameKey],
        PeopleSort::Status => vec![C::Active, C::CanLogin, C::NameKey],
        PeopleSort::LastLogon => vec![C::LastLogonKey],
        // By the creation time, not the id alone: ordered by id, PostgreSQL
        // walked the primary key through every other organization's and
        // kind's rows (12 ms at 100,000 logins).
        PeopleSort::Created => vec![C::CreatedAt],
        PeopleSort::Description => vec![C::AdminEventId],
    }
}

/// The values of `columns` in `row`, for the keyset condition.
fn sort_values(columns: &[user::Column], row: &user::Model) -> Vec<SimpleExpr> {
    use user::Column as C;
    columns
        .iter()
        .map(|c| match c {
            C::NameKey => Expr::value(row.name_key.clone()),
            C::FirstKey => Expr::value(row.first_key.clone()),
            C::LastKey => Expr::value(row.last_key.clone()),
            C::Username => Expr::value(row.username.clone()),
            C::Role => Expr::value(row.role.clone()),
            C::Active => Expr::value(row.active),
            C::CanLogin => Expr::value(row.can_login),
            C::LastLogonKey => Expr::value(row.last_logon_key),
            C::AdminEventId => Expr::value(row.admin_event_id),
            C::CreatedAt => Expr::value(row.created_at),
            other => unreachable!("{other:?} is not a sort column"),
        })
        .collect()
}

/// `%term%` with LIKE's wildcards escaped.
fn contains(term: &str) -> LikeExpr {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

/// The filters of `query` (side, status boxes, role, name) as a condition on
/// the actor's organization's logins; `live_only` adds "active and may sign
/// in" (for the count).
fn filters<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    query: &PeopleQuery,
    live_only: bool,
) -> Condition {
    use user::Column as C;
    let mut cond = Condition::all()
        .add(C::OrganizationId.eq(organization_id))
        .add(C::Kind.eq(query.side.as_str()));
    if query.only_active() || live_only {
        cond = cond.add(C::Active.eq(true));
    }
    if query.only_can_login() || live_only {
        cond = cond.add(C::CanLogin.eq(true));
    }
    if let Some(role) = &query.role {
        cond = cond.add(C::Role.eq(role.as_str()));
    }
    let term = fold(&query.search);
    if !term.is_empty() {
        let like = C::SearchText.like(contains(&term));
        if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
            // As in the accounts table: the matching ids come from one scan
            // of the covering index on (organization, kind, search_text,
            // id), which never reads a table row; the page then walks the
            // sort's index keeping those ids.
            let matching = Query::select()
                .column(C::Id)
                .from(user::Entity)
                .and_where(C::OrganizationId.eq(organization_id))
                .and_where(C::Kind.eq(query.side.as_str()))
                .and_where(like)
                .to_owned();
            cond = cond.add(C::Id.in_subquery(matching));
        } else {
            cond = cond.add(like);
        }
    }
    cond
}

/// "2 Dec 14:05" (UTC), with the year when it is not this year's.
fn short_when(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if at.year() == now.year() {
        at.format("%-d %b %H:%M").to_string()
    } else {
        at.format("%-d %b %Y %H:%M").to_string()
    }
}

/// The Description of each of `events`' target: "Password reset · 2 Dec
/// 14:05 · by Ana Morgan" (or "… by Ana Morgan as Lee Chan" for an action
/// done while emulating), keyed by event id. Two queries for the page.
async fn descriptions<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    event_ids: Vec<i32>,
    now: DateTime<Utc>,
) -> Result<HashMap<i32, (String, String)>, ServiceError> {
    if event_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::OrganizationId.eq(organization_id))
        .filter(audit_event::Column::Id.is_in(event_ids))
        .all(db)
        .await?;
    let people: Vec<i32> = events
        .iter()
        .flat_map(|e| [e.actor_user_id, e.on_behalf_of_user_id])
        .flatten()
        .collect();
    let names = activity::display_names(db, organization_id, people).await?;
    Ok(events
        .into_iter()
        .map(|e| {
            let label = audit_action::administrative_label(&e.action)
                .unwrap_or_else(|| audit_action::label(&e.action));
            let who = activity::who(&names, e.actor_user_id, e.on_behalf_of_user_id);
            (
                e.id,
                (
                    format!("{label} · {} · by {who}", short_when(e.created_at, now)),
                    e.created_at.to_rfc3339(),
                ),
            )
        })
        .collect())
}

/// A page of the People directory (any staff role of the organization).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    query: &PeopleQuery,
    now: DateTime<Utc>,
) -> Result<PeopleListView, ServiceError> {
    use user::Column as C;
    let role = actor.require_staff()?;
    let org_id = actor.organization_id;
    let columns = sort_columns(query.sort);
    let order = if query.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let mut q = user::Entity::find().filter(filters(db, org_id, query, false));
    if let Some(cursor) = query.cursor.as_deref() {
        let id = keyset::cursor_id(cursor)?;
        let last = user::Entity::find_by_id(id)
            .filter(C::OrganizationId.eq(org_id))
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

    let live = user::Entity::find()
        .select_only()
        .column(C::Id)
        .filter(filters(db, org_id, query, true))
        .limit(COUNT_CAP + 1)
        .into_query();
    let n = keyset::count(db, live).await?;

    let accounts: HashMap<i32, client_account::Model> = {
        let mut ids: Vec<i32> = rows.iter().filter_map(|r| r.client_account_id).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            HashMap::new()
        } else {
            client_account::Entity::find()
                .filter(client_account::Column::OrganizationId.eq(org_id))
                .filter(client_account::Column::Id.is_in(ids))
                .all(db)
                .await?
                .into_iter()
                .map(|a| (a.id, a))
                .collect()
        }
    };
    // Who did what to whom is for User Administrators, as the audit log
    // is; other staff see the column empty.
    let can_administer = role == StaffRole::UserAdministrator;
    let mut described = if can_administer {
        descriptions(
            db,
            org_id,
            rows.iter()
                .map(|r| r.admin_event_id)
                .filter(|id| *id > 0)
                .collect(),
            now,
        )
        .await?
    } else {
        HashMap::new()
    };
    let (frame, org) = home::frame_and_org(db, actor).await?;
    let side = query.side;
    // Staff IDs are HR data: for User Administrators, as the Staff Master is.
    let staff_ids = if side == crate::domain::UserKind::Staff && can_administer {
        let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
        crate::server::services::staff_master::staff_ids_of(db, org_id, &ids).await?
    } else {
        HashMap::new()
    };
    Ok(PeopleListView {
        frame,
        rows: rows
            .into_iter()
            .map(|u| {
                let account = u.client_account_id.and_then(|id| accounts.get(&id));
                let (description, description_at) = described
                    .remove(&u.admin_event_id)
                    .map_or((None, None), |(d, at)| (Some(d), Some(at)));
                PersonRowView {
                    staff_id: staff_ids.get(&u.id).cloned(),
                    id: u.id,
                    display_name: u.display_name(),
                    role_label: role_label(side, &u.role).unwrap_or("—").to_string(),
                    account_name: account.map(|a| a.name.clone()),
                    account_identifier: account.map(|a| a.identifier.clone()),
                    account_id: account.map(|a| a.id),
                    first_name: u.first_name,
                    last_name: u.last_name,
                    username: u.username,
                    role: u.role,
                    active: u.active,
                    can_login: u.can_login,
                    has_email: u.email.is_some(),
                    has_password: u.password_hash.is_some(),
                    last_login_at: u.last_login_at.map(|t| t.to_rfc3339()),
                    created_at: u.created_at.to_rfc3339(),
                    description,
                    description_at,
                }
            })
            .collect(),
        next_cursor,
        active_count: std::cmp::min(n, COUNT_CAP),
        count_capped: n > COUNT_CAP,
        can_administer,
        own_id: actor.user_id,
        policy: org.password_policy(),
    })
}

/// A User Administrator gives any login of the organization (staff or
/// client; not their own) a new initial password, typed twice and checked
/// against the organization's policy. The person must change it at their
/// next sign-in; their sessions and email links end; audited.
pub async fn reset_password(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    actor: &Actor,
    user_id: i32,
    password: &str,
    confirm_password: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    if actor.require_staff()? != StaffRole::UserAdministrator {
        return Err(ServiceError::Forbidden);
    }
    if user_id == actor.user_id {
        return Err(ServiceError::Conflict(
            "Change your own password from your account menu instead.".into(),
        ));
    }
    let find = user::Entity::find_by_id(user_id)
        .filter(user::Column::OrganizationId.eq(actor.organization_id));
    let target = find.clone().one(db).await?.ok_or(ServiceError::NotFound)?;
    let org = crate::server::services::organizations::of_actor(db, actor).await?;
    let hash =
        client_logins::hash_initial(hasher, &org, &target.username, password, confirm_password)
            .await?;
    let txn = begin_write(db).await?;
    // Read again inside the transaction: the row may have changed while the
    // password was hashing.
    let target = find.one(&txn).await?.ok_or(ServiceError::NotFound)?;
    client_logins::reset_password(&txn, actor, target, hash, now).await?;
    txn.commit().await?;
    Ok(())
}
