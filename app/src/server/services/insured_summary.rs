//! The summary an insured keeps of its policies (how many, the latest
//! expiry of any and of those not cancelled), which the Insureds table
//! filters and sorts on without reading policies. Recomputed from the
//! policies themselves, in the transaction that changed them, by the import
//! and by attaching or removing a policy.

use crate::server::error::ServiceError;
use chrono::{Datelike, NaiveDate};
use sea_orm::{ConnectionTrait, Statement};

/// A date as the summary stores it: `yyyymmdd`.
pub fn date_key(date: NaiveDate) -> i32 {
    date.year() * 10_000 + date.month() as i32 * 100 + date.day() as i32
}

/// `yyyymmdd` of a stored date column, in SQL both engines read (a date is
/// `YYYY-MM-DD` text on SQLite, and casts to it on PostgreSQL).
const KEY_OF_EXPIRY: &str = "CAST(REPLACE(CAST(p.expiry_date AS TEXT), '-', '') AS INTEGER)";

/// Recomputes the summary of the insureds `ids` of organization `org`.
pub async fn refresh<C: ConnectionTrait>(
    db: &C,
    org: i32,
    ids: &[i32],
) -> Result<(), ServiceError> {
    let backend = db.get_database_backend();
    for chunk in ids.chunks(500) {
        // The ids are the database's own integers, written out: a list of
        // 500 bound parameters costs more to prepare than to read.
        let list = chunk
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "UPDATE insureds SET \
               policy_count = (SELECT COUNT(*) FROM policies p WHERE p.insured_id = insureds.id), \
               expiry_key = COALESCE((SELECT MAX({KEY_OF_EXPIRY}) FROM policies p \
                 WHERE p.insured_id = insureds.id), 0), \
               active_until_key = COALESCE((SELECT MAX({KEY_OF_EXPIRY}) FROM policies p \
                 WHERE p.insured_id = insureds.id AND p.status <> 'cancelled'), 0) \
             WHERE organization_id = {org} AND id IN ({list})"
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
