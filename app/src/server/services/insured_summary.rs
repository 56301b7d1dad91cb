//! The summary an insured keeps of its policies (how many, the latest
//! expiry of any and of those not cancelled), which the Insureds table
//! filters and sorts on without reading policies. Recomputed from the
//! policies themselves, in the transaction that changed them, by the import
//! and by attaching or removing a policy.

use crate::server::error::ServiceError;
use chrono::{Datelike, NaiveDate};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

/// A date as the summary stores it: `yyyymmdd`.
pub fn date_key(date: NaiveDate) -> i32 {
    date.year() * 10_000 + date.month() as i32 * 100 + date.day() as i32
}

/// `yyyymmdd` of a policy's expiry date (`p.expiry_date`) in the engine's
/// SQL: SQLite stores a date as `YYYY-MM-DD` text; PostgreSQL formats it
/// explicitly, whatever the session's `DateStyle`.
pub fn expiry_key_sql(backend: DbBackend) -> &'static str {
    if backend == DbBackend::Postgres {
        "CAST(to_char(p.expiry_date, 'YYYYMMDD') AS INTEGER)"
    } else {
        "CAST(REPLACE(p.expiry_date, '-', '') AS INTEGER)"
    }
}

/// The ids written out as an SQL list: they are the database's own
/// integers, and a list of 500 bound parameters costs more to prepare than
/// to read. The statements test the organization as `organization_id + 0`
/// so that SQLite looks the ids up instead of walking an organization
/// index (see [`crate::server::entities::insured::ids_in_organization`]).
fn id_list(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

/// Locks the insureds `ids` of organization `org` for the rest of the
/// transaction, in id order (PostgreSQL; SQLite's write transaction
/// already excludes other writers). The recount that follows then reads
/// every policy moved by a transaction that held them before: without the
/// lock, PostgreSQL would recount from the snapshot its UPDATE started with
/// and miss a policy another transaction attached meanwhile.
pub async fn lock<C: ConnectionTrait>(db: &C, org: i32, ids: &[i32]) -> Result<(), ServiceError> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres {
        return Ok(());
    }
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT id FROM insureds WHERE organization_id + 0 = {org} AND id IN ({}) \
             ORDER BY id FOR NO KEY UPDATE",
            id_list(chunk)
        );
        db.query_all_raw(Statement::from_string(backend, sql))
            .await?;
    }
    Ok(())
}

/// Recomputes the summary of the insureds `ids` of organization `org`
/// (locking them first, see [`lock`]).
pub async fn refresh<C: ConnectionTrait>(
    db: &C,
    org: i32,
    ids: &[i32],
) -> Result<(), ServiceError> {
    lock(db, org, ids).await?;
    let backend = db.get_database_backend();
    let key = expiry_key_sql(backend);
    for chunk in ids.chunks(500) {
        let sql = format!(
            "UPDATE insureds SET \
               policy_count = (SELECT COUNT(*) FROM policies p WHERE p.insured_id = insureds.id), \
               expiry_key = COALESCE((SELECT MAX({key}) FROM policies p \
                 WHERE p.insured_id = insureds.id), 0), \
               active_until_key = COALESCE((SELECT MAX({key}) FROM policies p \
                 WHERE p.insured_id = insureds.id AND p.status <> 'cancelled'), 0) \
             WHERE organization_id + 0 = {org} AND id IN ({})",
            id_list(chunk)
        );
        db.execute_raw(Statement::from_string(backend, sql)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_become_sortable_numbers() {
        let d = chrono::NaiveDate::from_ymd_opt(2027, 3, 9).unwrap();
        assert_eq!(super::date_key(d), 20270309);
    }
}
