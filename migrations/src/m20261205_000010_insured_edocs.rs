//! eDocs: an insured's PDF documents live in `documents` beside the client
//! accounts' own, so both share one upload path, one storage directory and
//! one download check.
//!
//! - `documents.insured_id`: set on an eDoc, the insured it belongs to. An
//!   eDoc has no `client_account_id` (an insured may have no account, and
//!   an account's users must not see its insureds' eDocs), so that column
//!   becomes optional.
//! - `documents.policy_id`: the policy an eDoc is about, when it is about
//!   one (its insured's portal filters by it; attaching the policy to
//!   another insured takes its eDocs along).
//! - `documents.created_by_user_id` and `modified_by_user_id` become
//!   optional: an eDoc embedded in a download imported by the command line
//!   or the watched folder was added by no one signed in. Such a row names
//!   its import in `import_run_id` instead.
//! - `documents.sha256`: an embedded eDoc's digest, so importing the same
//!   download again does not add it twice.
//! - `import_runs.edocs`: how many eDocs a run added.
//! - `policies.first_effective_date`: the effective date of the first term
//!   Gatehouse saw; a later current term is a renewal (the insured's
//!   portal marks it).
//!
//! SQLite can't make a column optional in place: there the table is built
//! anew and the rows copied (nothing refers to `documents`), keeping its id
//! counter, so the id of a deleted document (named in the audit trail) is
//! never given again.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `documents` as it is after this migration, on SQLite.
const SQLITE_TABLE: &str = r#"CREATE TABLE "documents_new" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "organization_id" integer NOT NULL,
    "client_account_id" integer NULL,
    "kind" varchar(16) NOT NULL,
    "title" varchar(200) NOT NULL,
    "body" text NULL,
    "file_name" varchar(255) NULL,
    "stored_name" varchar(64) NULL,
    "size_bytes" integer NULL,
    "issue_date" date_text NULL,
    "business_purpose" varchar(200) NULL,
    "document_type" varchar(100) NULL,
    "created_by_user_id" integer NULL,
    "created_for_user_id" integer NULL,
    "created_at" timestamp_with_timezone_text NOT NULL,
    "modified_by_user_id" integer NULL,
    "modified_for_user_id" integer NULL,
    "modified_at" timestamp_with_timezone_text NOT NULL,
    "insured_id" integer NULL,
    "policy_id" integer NULL,
    "import_run_id" integer NULL,
    "sha256" varchar(64) NULL,
    FOREIGN KEY ("organization_id") REFERENCES "organizations" ("id") ON DELETE RESTRICT,
    FOREIGN KEY ("client_account_id") REFERENCES "client_accounts" ("id") ON DELETE RESTRICT,
    FOREIGN KEY ("created_by_user_id") REFERENCES "users" ("id") ON DELETE RESTRICT,
    FOREIGN KEY ("modified_by_user_id") REFERENCES "users" ("id") ON DELETE RESTRICT,
    FOREIGN KEY ("insured_id") REFERENCES "insureds" ("id") ON DELETE RESTRICT,
    FOREIGN KEY ("policy_id") REFERENCES "policies" ("id") ON DELETE RESTRICT,
    FOREIGN KEY ("import_run_id") REFERENCES "import_runs" ("id") ON DELETE RESTRICT,
    CHECK (("client_account_id" IS NULL) <> ("insured_id" IS NULL))
)"#;

/// The columns both shapes of the table have.
const COMMON: &str = "id, organization_id, client_account_id, kind, title, body, file_name, \
    stored_name, size_bytes, issue_date, business_purpose, document_type, created_by_user_id, \
    created_for_user_id, created_at, modified_by_user_id, modified_for_user_id, modified_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In a transaction on SQLite too: a rebuild stopped halfway must not
    /// leave the table dropped.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        if postgres {
            for sql in [
                "ALTER TABLE documents ALTER COLUMN client_account_id DROP NOT NULL",
                "ALTER TABLE documents ALTER COLUMN created_by_user_id DROP NOT NULL",
                "ALTER TABLE documents ALTER COLUMN modified_by_user_id DROP NOT NULL",
                "ALTER TABLE documents ADD COLUMN insured_id INTEGER NULL REFERENCES insureds (id)",
                "ALTER TABLE documents ADD COLUMN policy_id INTEGER NULL REFERENCES policies (id)",
                "ALTER TABLE documents ADD COLUMN import_run_id INTEGER NULL REFERENCES import_runs (id)",
                "ALTER TABLE documents ADD COLUMN sha256 varchar(64) NULL",
                "ALTER TABLE documents ADD CONSTRAINT ck_documents_owner \
                 CHECK ((client_account_id IS NULL) <> (insured_id IS NULL))",
            ] {
                db.execute_unprepared(sql).await?;
            }
        } else {
            // One call: one connection runs every step, inside the
            // migration's transaction (see `use_transaction`).
            db.execute_unprepared(&format!(
                "{SQLITE_TABLE};
                 INSERT INTO documents_new ({COMMON}) SELECT {COMMON} FROM documents;
                 DELETE FROM sqlite_sequence WHERE name = 'documents_new';
                 INSERT INTO sqlite_sequence (name, seq)
                     SELECT 'documents_new', seq FROM sqlite_sequence WHERE name = 'documents';
                 DROP TABLE documents;
                 ALTER TABLE documents_new RENAME TO documents;
                 CREATE INDEX ix_documents_account ON documents (client_account_id, id);"
            ))
            .await?;
        }
        for sql in [
            // An insured's eDocs, newest first; partial, so account
            // documents take no room in it.
            "CREATE INDEX ix_documents_insured ON documents (insured_id, id) WHERE insured_id IS NOT NULL",
            // Attaching a policy elsewhere moves its eDocs.
            "CREATE INDEX ix_documents_policy ON documents (policy_id) WHERE policy_id IS NOT NULL",
            "ALTER TABLE import_runs ADD COLUMN edocs INTEGER NOT NULL DEFAULT 0",
            // SQLite keeps dates as text, under the type name sea-orm gives
            // them (TEXT affinity).
            if postgres {
                "ALTER TABLE policies ADD COLUMN first_effective_date DATE NULL"
            } else {
                "ALTER TABLE policies ADD COLUMN first_effective_date date_text NULL"
            },
            "UPDATE policies SET first_effective_date = effective_date",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        // eDocs have nowhere to go in the older shape (their files stay in
        // the documents directory).
        for sql in [
            "DELETE FROM documents WHERE insured_id IS NOT NULL",
            "DROP INDEX ix_documents_policy",
            "DROP INDEX ix_documents_insured",
            "ALTER TABLE import_runs DROP COLUMN edocs",
            "ALTER TABLE policies DROP COLUMN first_effective_date",
        ] {
            db.execute_unprepared(sql).await?;
        }
        if postgres {
            for sql in [
                "ALTER TABLE documents DROP CONSTRAINT ck_documents_owner",
                "ALTER TABLE documents DROP COLUMN sha256",
                "ALTER TABLE documents DROP COLUMN import_run_id",
                "ALTER TABLE documents DROP COLUMN policy_id",
                "ALTER TABLE documents DROP COLUMN insured_id",
            ] {
                db.execute_unprepared(sql).await?;
            }
        }
        // SQLite keeps the optional columns of `documents` (they are in
        // foreign keys, which it can't drop); `up` builds the table anew
        // from the older columns anyway.
        Ok(())
    }
}
