//! What the demo data holds: the logins the simulated users sign in with,
//! the client accounts, and one-number queries.

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::collections::BTreeMap;

/// A login the simulated users sign in with.
#[derive(Clone, Debug)]
pub struct Login {
    pub org: String,
    pub staff: bool,
    pub username: String,
    pub identifier: Option<String>,
    pub account_id: Option<i64>,
    pub email: Option<String>,
    pub manager: bool,
}

pub const STAFF_PASSWORD: &str = "Demo-Staff-2026!";
pub const CLIENT_PASSWORD: &str = "Demo-Client-2026!";

pub async fn logins(db: &DatabaseConnection) -> Vec<Login> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT o.slug, u.kind, u.username, ca.identifier, ca.id, u.email, u.role \
             FROM users u JOIN organizations o ON o.id = u.organization_id \
             LEFT JOIN client_accounts ca ON ca.id = u.client_account_id \
             WHERE u.active AND u.can_login AND NOT u.must_change_password ORDER BY u.id",
        ))
        .await
        .unwrap();
    rows.into_iter()
        .map(|r| Login {
            org: r.try_get_by_index(0).unwrap(),
            staff: r.try_get_by_index::<String>(1).unwrap() == "staff",
            username: r.try_get_by_index(2).unwrap(),
            identifier: r.try_get_by_index(3).unwrap(),
            account_id: r.try_get_by_index::<Option<i32>>(4).unwrap().map(i64::from),
            email: r.try_get_by_index(5).unwrap(),
            manager: r.try_get_by_index::<String>(6).unwrap() == "account_manager",
        })
        .collect()
}

/// Client accounts by organization slug.
pub async fn accounts(db: &DatabaseConnection) -> BTreeMap<String, Vec<i64>> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT o.slug, ca.id FROM client_accounts ca \
             JOIN organizations o ON o.id = ca.organization_id",
        ))
        .await
        .unwrap();
    let mut out: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for r in rows {
        out.entry(r.try_get_by_index(0).unwrap())
            .or_default()
            .push(i64::from(r.try_get_by_index::<i32>(1).unwrap()));
    }
    out
}

pub async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
}
