//! The Insureds table's search, filters and sorts.
//!
//! Each insured keeps a summary of the policies attached to it
//! (`policy_count`, the latest expiry of any of them and of those not
//! cancelled, as `yyyymmdd` numbers so that "none" is a plain 0 a keyset
//! can compare), so the table filters on "has active policies" and sorts
//! by expiry without reading policies. Every sort has an index on
//! (organization, sort columns, id).
//!
//! The search finds a part of a name or email anywhere in `search_text`:
//! SQLite answers it from an FTS5 table with the trigram tokenizer (kept in
//! step with `insureds` by triggers), PostgreSQL from a `pg_trgm` index. A
//! policy number prefix is an index range on `policies`: on PostgreSQL the
//! index uses `text_pattern_ops`, so `LIKE 'K%'` is a range whatever the
//! database's collation.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Insureds {
    Table,
    Id,
    OrganizationId,
    NameKey,
    NeedsAttaching,
    PostalKey,
    LatestDownloadAt,
    PolicyCount,
    ExpiryKey,
    ActiveUntilKey,
}

/// The sort and filter indexes: the columns after the organization, then
/// the id.
fn indexes() -> Vec<(&'static str, Vec<Insureds>)> {
    vec![
        (
            "ix_insureds_org_postal_name",
            vec![Insureds::PostalKey, Insureds::NameKey],
        ),
        ("ix_insureds_org_download", vec![Insureds::LatestDownloadAt]),
        ("ix_insureds_org_expiry", vec![Insureds::ExpiryKey]),
        // Needs attaching is a few in a hundred: its list and its count
        // read this index instead of walking the whole book.
        // The default view's count ("1,000+ insureds") reads this index
        // only.
        ("ix_insureds_org_policy_count", vec![Insureds::PolicyCount]),
        (
            "ix_insureds_org_attach_name",
            vec![Insureds::NeedsAttaching, Insureds::NameKey],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        for col in [
            Insureds::PolicyCount,
            Insureds::ExpiryKey,
            Insureds::ActiveUntilKey,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Insureds::Table)
                        .add_column(integer(col).default(0))
                        .to_owned(),
                )
                .await?;
        }
        // Insureds imported before this migration. A date is `YYYY-MM-DD`
        // text on SQLite; PostgreSQL formats it whatever its `DateStyle`.
        let key = if backend == sea_orm::DatabaseBackend::Postgres {
            "CAST(to_char(p.expiry_date, 'YYYYMMDD') AS INTEGER)"
        } else {
            "CAST(REPLACE(p.expiry_date, '-', '') AS INTEGER)"
        };
        db.execute_unprepared(&format!(
            "UPDATE insureds SET \
               policy_count = (SELECT COUNT(*) FROM policies p WHERE p.insured_id = insureds.id), \
               expiry_key = COALESCE((SELECT MAX({key}) FROM policies p \
                 WHERE p.insured_id = insureds.id), 0), \
               active_until_key = COALESCE((SELECT MAX({key}) FROM policies p \
                 WHERE p.insured_id = insureds.id AND p.status <> 'cancelled'), 0)"
        ))
        .await?;
        for (name, cols) in indexes() {
            let mut index = Index::create();
            index
                .name(name)
                .table(Insureds::Table)
                .col(Insureds::OrganizationId);
            for c in cols {
                index.col(c);
            }
            manager
                .create_index(index.col(Insureds::Id).to_owned())
                .await?;
        }

        match backend {
            sea_orm::DatabaseBackend::Sqlite => {
                // An external-content FTS5 table: it stores only the
                // trigram index, the text stays in `insureds`.
                for sql in [
                    "CREATE VIRTUAL TABLE insureds_search USING fts5(\
                       search_text, content='insureds', content_rowid='id', tokenize='trigram')",
                    "CREATE TRIGGER insureds_search_insert AFTER INSERT ON insureds BEGIN \
                       INSERT INTO insureds_search(rowid, search_text) VALUES (new.id, new.search_text); \
                     END",
                    "CREATE TRIGGER insureds_search_delete AFTER DELETE ON insureds BEGIN \
                       INSERT INTO insureds_search(insureds_search, rowid, search_text) \
                         VALUES ('delete', old.id, old.search_text); \
                     END",
                    "CREATE TRIGGER insureds_search_update AFTER UPDATE OF search_text ON insureds BEGIN \
                       INSERT INTO insureds_search(insureds_search, rowid, search_text) \
                         VALUES ('delete', old.id, old.search_text); \
                       INSERT INTO insureds_search(rowid, search_text) VALUES (new.id, new.search_text); \
                     END",
                    "INSERT INTO insureds_search(insureds_search) VALUES ('rebuild')",
                ] {
                    db.execute_unprepared(sql).await?;
                }
            }
            sea_orm::DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE INDEX ix_policies_org_number_prefix ON policies \
                     (organization_id, number_key text_pattern_ops)",
                )
                .await?;
                // As for the People search (migration 000004): the
                // extension when it may be created, otherwise the search
                // stays correct and reads more rows.
                let row = db
                    .query_one_raw(sea_orm::Statement::from_string(
                        backend,
                        "SELECT \
                           EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') AS installed, \
                           quote_ident(COALESCE((SELECT n.nspname FROM pg_extension e \
                             JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'), 'public')) AS schema",
                    ))
                    .await?;
                if let Some(r) = row {
                    if r.try_get::<bool>("", "installed")? {
                        let schema: String = r.try_get("", "schema")?;
                        db.execute_unprepared(&format!(
                            "CREATE INDEX ix_insureds_search_trgm ON insureds \
                             USING gin (search_text {schema}.gin_trgm_ops)"
                        ))
                        .await?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Sqlite => {
                for sql in [
                    "DROP TRIGGER IF EXISTS insureds_search_insert",
                    "DROP TRIGGER IF EXISTS insureds_search_delete",
                    "DROP TRIGGER IF EXISTS insureds_search_update",
                    "DROP TABLE IF EXISTS insureds_search",
                ] {
                    db.execute_unprepared(sql).await?;
                }
            }
            sea_orm::DatabaseBackend::Postgres => {
                db.execute_unprepared("DROP INDEX IF EXISTS ix_insureds_search_trgm")
                    .await?;
                db.execute_unprepared("DROP INDEX IF EXISTS ix_policies_org_number_prefix")
                    .await?;
            }
            _ => {}
        }
        for (name, _) in indexes() {
            manager
                .drop_index(Index::drop().name(name).table(Insureds::Table).to_owned())
                .await?;
        }
        for col in [
            Insureds::PolicyCount,
            Insureds::ExpiryKey,
            Insureds::ActiveUntilKey,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Insureds::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
