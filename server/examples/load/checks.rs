//! The report and its checks.

use crate::{data::scalar, users::Tally};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::{collections::BTreeMap, path::Path};

pub struct Report {
    pub text: String,
    pub failures: Vec<String>,
}

impl Report {
    pub fn check(&mut self, ok: bool, what: impl Into<String>) {
        let what = what.into();
        self.text
            .push_str(&format!("- {} {what}\n", if ok { "PASS" } else { "FAIL" }));
        if !ok {
            self.failures.push(what);
        }
    }
}

/// Every acknowledged write is in the database (and its file on disk).
pub async fn check_acknowledged(
    report: &mut Report,
    db: &DatabaseConnection,
    documents_dir: &Path,
    tally: &Tally,
) {
    let mut missing = 0usize;
    let mut bad_files = 0usize;
    for chunk in tally.reports.chunks(500) {
        let ids = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let found = scalar(
            db,
            &format!("SELECT COUNT(*) FROM documents WHERE id IN ({ids})"),
        )
        .await as usize;
        missing += chunk.len() - found;
    }
    for chunk in tally.uploads.chunks(500) {
        let ids = chunk
            .iter()
            .map(|(id, _)| id.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT id, stored_name FROM documents WHERE id IN ({ids})"),
            ))
            .await
            .unwrap();
        missing += chunk.len() - rows.len();
        let sizes: BTreeMap<i64, usize> = chunk.iter().copied().collect();
        for r in rows {
            let id = i64::from(r.try_get_by_index::<i32>(0).unwrap());
            let name: String = r.try_get_by_index(1).unwrap();
            let on_disk = std::fs::metadata(documents_dir.join(name))
                .map(|m| m.len() as usize)
                .ok();
            if on_disk != sizes.get(&id).copied() {
                bad_files += 1;
            }
        }
    }
    report.check(
        missing == 0 && bad_files == 0,
        format!(
            "every acknowledged write is kept: {} reports and {} uploads acknowledged, {missing} missing, {bad_files} files missing or of the wrong size",
            tally.reports.len(),
            tally.uploads.len()
        ),
    );
}

pub fn sample_lines(report: &mut Report, tally: &Tally) {
    for s in &tally.samples {
        report.text.push_str(&format!("  - e.g. {s}\n"));
    }
}
