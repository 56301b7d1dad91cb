//! The Staff Master: User Administrators list, add and edit the HR records
//! of their staff and link each to a staff login. Saving takes any number
//! of records at once (the rows prefilled after Create Users) and saves all
//! of them or none: every row is checked (Staff ID free in the organization
//! whatever its case, and not twice in the form; the login a staff login of
//! the organization linked to no other record), and each problem comes back
//! with its row and field.

use crate::{
    api::dto::{FrameView, StaffLoginOption, StaffMasterView, StaffRecordView},
    domain::{
        audit_action,
        names::fold,
        staff_master::{StaffQuery, StaffRecordDetails, StaffRecordInput, StaffSort, PAGE_SIZE},
        UserKind,
    },
    server::{
        auth::Actor,
        db::begin_write,
        entities::{staff_record, user},
        error::ServiceError,
        services::{administrators::lock_organization, audit, home, is_unique_violation},
    },
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::{HashMap, HashSet};

/// One problem with one row of a save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// The row's position in what was submitted.
    pub row: usize,
    /// The field to show it next to.
    pub field: &'static str,
    /// What to fix.
    pub message: String,
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Every row was saved: the records' ids, in the rows' order.
    Records(Vec<i32>),
    /// Nothing was saved: the problems, by row.
    Refused(Vec<RowProblem>),
}

fn keys(d: &StaffRecordDetails) -> (String, String) {
    let name_key = fold(&format!(
        "{} {} {}",
        d.last_name,
        d.first_name,
        d.middle_initial.as_deref().unwrap_or("")
    ));
    let search_text = format!(
        "{}\n{}\n{}",
        fold(&format!(
            "{} {} {}",
            d.first_name,
            d.middle_initial.as_deref().unwrap_or(""),
            d.last_name
        )),
        name_key,
        d.staff_id.key()
    );
    (name_key, search_text)
}

fn view_of(r: &staff_record::Model, logins: &HashMap<i32, String>) -> StaffRecordView {
    StaffRecordView {
        id: r.id,
        staff_id: r.staff_id.clone(),
        first_name: r.first_name.clone(),
        middle_initial: r.middle_initial.clone().unwrap_or_default(),
        last_name: r.last_name.clone(),
        hire_date: r.hire_date.format("%Y-%m-%d").to_string(),
        user_id: r.user_id,
        username: r.user_id.and_then(|u| logins.get(&u).cloned()),
    }
}

/// The organization's staff logins, id → username.
async fn staff_logins<C: ConnectionTrait>(
    db: &C,
    org: i32,
) -> Result<Vec<user::Model>, ServiceError> {
    Ok(user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org))
        .filter(user::Column::Kind.eq(UserKind::Staff.as_str()))
        .order_by_asc(user::Column::Username)
        .all(db)
        .await?)
}

async fn linked_logins<C: ConnectionTrait>(
    db: &C,
    org: i32,
) -> Result<HashMap<i32, i32>, ServiceError> {
    let rows: Vec<(i32, Option<i32>)> = staff_record::Entity::find()
        .select_only()
        .column(staff_record::Column::Id)
        .column(staff_record::Column::UserId)
        .filter(staff_record::Column::OrganizationId.eq(org))
        .filter(staff_record::Column::UserId.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(record, user)| user.map(|u| (u, record)))
        .collect())
}

/// A page of the Staff Master, the logins a record may still be linked to,
/// and — when `prefill` names new logins (after Create Users) — one row per
/// such login not yet linked, with its name filled in.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    query: &StaffQuery,
    prefill: &[i32],
) -> Result<StaffMasterView, ServiceError> {
    actor.require_user_administrator()?;
    let (frame, org): (FrameView, _) = home::frame_and_org(db, actor).await?;
    let mut select =
        staff_record::Entity::find().filter(staff_record::Column::OrganizationId.eq(org.id));
    let search = fold(&query.search);
    if !search.is_empty() {
        select = select.filter(staff_record::Column::SearchText.contains(&search));
    }
    let total = select.clone().count(db).await?;
    let order = if query.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let select = match query.sort {
        StaffSort::StaffId => select.order_by(staff_record::Column::StaffIdKey, order),
        StaffSort::Name => select.order_by(staff_record::Column::NameKey, order),
        StaffSort::HireDate => select.order_by(staff_record::Column::HireDate, order),
    }
    .order_by(staff_record::Column::Id, Order::Asc);
    let records = select
        .offset(query.page * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(db)
        .await?;
    let logins = staff_logins(db, org.id).await?;
    let usernames: HashMap<i32, String> =
        logins.iter().map(|u| (u.id, u.username.clone())).collect();
    let linked = linked_logins(db, org.id).await?;
    let unlinked: Vec<&user::Model> = logins
        .iter()
        .filter(|u| !linked.contains_key(&u.id))
        .collect();
    // In the order they were created (the batch's order), each once.
    let mut wanted = HashSet::new();
    let prefilled = prefill
        .iter()
        .filter(|id| wanted.insert(**id))
        .filter_map(|id| unlinked.iter().find(|u| u.id == *id))
        .map(|u| StaffRecordInput {
            id: None,
            staff_id: String::new(),
            first_name: u.first_name.clone(),
            middle_initial: u
                .middle_name
                .as_deref()
                .and_then(|m| m.chars().next())
                .map(|c| c.to_uppercase().to_string())
                .filter(|m| m.chars().count() == 1)
                .unwrap_or_default(),
            last_name: u.last_name.clone(),
            hire_date: String::new(),
            user_id: Some(u.id),
        })
        .collect();
    Ok(StaffMasterView {
        frame,
        records: records.iter().map(|r| view_of(r, &usernames)).collect(),
        total,
        page_size: PAGE_SIZE,
        unlinked_logins: unlinked
            .iter()
            .map(|u| StaffLoginOption {
                user_id: u.id,
                label: format!("{} ({})", u.username, u.display_name()),
            })
            .collect(),
        prefilled,
        days_ahead: org.hire_date_days_ahead,
    })
}

/// Adds the rows without an id and changes those with one, all or none;
/// audited per record in the same transaction. `today` is `YYYY-MM-DD`.
pub async fn save(
    db: &DatabaseConnection,
    actor: &Actor,
    rows: Vec<StaffRecordInput>,
    today: &str,
    now: DateTime<Utc>,
) -> Result<Saved, ServiceError> {
    actor.require_user_administrator()?;
    if rows.is_empty() || rows.len() > crate::domain::new_users::MAX_ROWS {
        return Err(ServiceError::Invalid(crate::domain::ParseError {
            field: "rows",
            message: format!(
                "Save 1 to {} records at a time.",
                crate::domain::new_users::MAX_ROWS
            ),
        }));
    }
    let txn = begin_write(db).await?;
    let org = lock_organization(&txn, actor).await?;
    let days_ahead = org.hire_date_days_ahead.clamp(0, 3650) as u32;
    let mut problems = Vec::new();
    let mut parsed = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        match row.parse(today, days_ahead) {
            Ok(d) => parsed.push(Some(d)),
            Err(e) => {
                problems.push(RowProblem {
                    row: i,
                    field: e.field,
                    message: e.message,
                });
                parsed.push(None);
            }
        }
    }
    // The records being changed, which must be the organization's.
    let ids: Vec<i32> = rows.iter().filter_map(|r| r.id).collect();
    let existing: HashMap<i32, staff_record::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        staff_record::Entity::find()
            .filter(staff_record::Column::OrganizationId.eq(org.id))
            .filter(staff_record::Column::Id.is_in(ids.clone()))
            .all(&txn)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect()
    };
    if ids.iter().any(|id| !existing.contains_key(id)) {
        return Err(ServiceError::NotFound);
    }
    if existing.len() != ids.len() {
        return Err(ServiceError::Invalid(crate::domain::ParseError {
            field: "rows",
            message: "The same record is in the form twice; save it once.".into(),
        }));
    }
    // Staff IDs: free in the organization (other than the record's own)
    // and once in the form.
    let keys_wanted: Vec<String> = parsed.iter().flatten().map(|d| d.staff_id.key()).collect();
    let holders: HashMap<String, i32> = staff_record::Entity::find()
        .select_only()
        .column(staff_record::Column::StaffIdKey)
        .column(staff_record::Column::Id)
        .filter(staff_record::Column::OrganizationId.eq(org.id))
        .filter(staff_record::Column::StaffIdKey.is_in(keys_wanted))
        .into_tuple::<(String, i32)>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let logins: HashMap<i32, user::Model> = staff_logins(&txn, org.id)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let linked = linked_logins(&txn, org.id).await?;
    let mut seen_ids = HashSet::new();
    let mut seen_logins = HashSet::new();
    for (i, (row, details)) in rows.iter().zip(&parsed).enumerate() {
        let Some(d) = details else { continue };
        let key = d.staff_id.key();
        let held_by_other = holders
            .get(&key)
            .is_some_and(|holder| Some(*holder) != row.id);
        if held_by_other || !seen_ids.insert(key) {
            problems.push(RowProblem {
                row: i,
                field: "staff_id",
                message: format!(
                    "Staff ID {} is already {}.",
                    d.staff_id.as_str(),
                    if held_by_other {
                        "someone else's"
                    } else {
                        "in another row of this form"
                    }
                ),
            });
        }
        if let Some(login) = row.user_id {
            let problem = if !logins.contains_key(&login) {
                Some("Choose one of the organization's staff logins.".to_string())
            } else if linked
                .get(&login)
                .is_some_and(|record| Some(*record) != row.id)
            {
                Some("That login already has a Staff Master record.".to_string())
            } else if !seen_logins.insert(login) {
                Some("That login is chosen in another row of this form.".to_string())
            } else {
                None
            };
            if let Some(message) = problem {
                problems.push(RowProblem {
                    row: i,
                    field: "user_id",
                    message,
                });
            }
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.row);
        return Ok(Saved::Refused(problems));
    }
    let mut saved = Vec::with_capacity(rows.len());
    for (row, details) in rows.iter().zip(parsed) {
        let d = details.ok_or_else(|| ServiceError::Internal("unparsed row".into()))?;
        let hire = NaiveDate::parse_from_str(&d.hire_date, "%Y-%m-%d")
            .map_err(|e| ServiceError::Internal(Box::new(e)))?;
        let (name_key, search_text) = keys(&d);
        let login_name = row
            .user_id
            .and_then(|u| logins.get(&u))
            .map(|u| u.username.clone());
        // Unlinking a login is about that login: the audit row names it.
        let target = row
            .user_id
            .or_else(|| row.id.and_then(|id| existing[&id].user_id));
        let (mut m, action, before) = match row.id {
            Some(id) => {
                let r = existing[&id].clone();
                let before = describe(&r.staff_id, r.user_id.and_then(|u| logins.get(&u)));
                (
                    r.into_active_model(),
                    audit_action::STAFF_RECORD_CHANGED,
                    Some(before),
                )
            }
            None => (
                staff_record::ActiveModel {
                    organization_id: Set(org.id),
                    created_at: Set(now),
                    ..Default::default()
                },
                audit_action::STAFF_RECORD_ADDED,
                None,
            ),
        };
        m.staff_id = Set(d.staff_id.as_str().to_string());
        m.staff_id_key = Set(d.staff_id.key());
        m.first_name = Set(d.first_name.clone());
        m.middle_initial = Set(d.middle_initial.clone());
        m.last_name = Set(d.last_name.clone());
        m.hire_date = Set(hire);
        m.user_id = Set(row.user_id);
        m.name_key = Set(name_key);
        m.search_text = Set(search_text);
        m.updated_at = Set(now);
        let record = match m.save(&txn).await {
            Ok(r) => r,
            Err(e) if is_unique_violation(&e) => return Err(ServiceError::Conflict(
                "Another administrator changed the Staff Master meanwhile. Reload and try again."
                    .into(),
            )),
            Err(e) => return Err(e.into()),
        };
        let id = record.id.clone().unwrap();
        let after = format!(
            "Staff ID {}, {}{} {}, hired {}, {}",
            d.staff_id.as_str(),
            d.first_name,
            d.middle_initial
                .as_deref()
                .map(|m| format!(" {m}."))
                .unwrap_or_default(),
            d.last_name,
            d.hire_date,
            login_name
                .map(|l| format!("login {l}"))
                .unwrap_or_else(|| "no login".into())
        );
        audit::record_by(
            &txn,
            actor,
            action,
            target,
            match before {
                Some(before) => format!("Staff Master record ({before}) changed to: {after}"),
                None => format!("Staff Master record added: {after}"),
            },
            now,
        )
        .await?;
        saved.push(id);
    }
    txn.commit().await?;
    Ok(Saved::Records(saved))
}

fn describe(staff_id: &str, login: Option<&user::Model>) -> String {
    match login {
        Some(u) => format!("Staff ID {staff_id}, login {}", u.username),
        None => format!("Staff ID {staff_id}, no login"),
    }
}

/// The Staff ID of each of these logins that has a record (for the People
/// list).
pub async fn staff_ids_of<C: ConnectionTrait>(
    db: &C,
    org: i32,
    users: &[i32],
) -> Result<HashMap<i32, String>, ServiceError> {
    if users.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Option<i32>, String)> = staff_record::Entity::find()
        .select_only()
        .column(staff_record::Column::UserId)
        .column(staff_record::Column::StaffId)
        .filter(staff_record::Column::OrganizationId.eq(org))
        .filter(staff_record::Column::UserId.is_in(users.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(u, s)| u.map(|u| (u, s)))
        .collect())
}
