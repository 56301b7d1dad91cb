//! Registered insureds: an insured may get a client account and a login
//! (role Insured) whose username is their email.
//!
//! - `insureds.client_account_id`: the client account the broker's
//!   registration created (or found) for the insured.
//! - `insureds.user_id`: the insured's login; at most one per insured, and a
//!   login belongs to at most one insured.
//! - `users.username` holds an email for an insured, so it is as long as an
//!   email (254) on PostgreSQL (SQLite does not enforce lengths).
//! - An insured's email is unique among the organization's insured logins
//!   (`ux_users_insured_username`): two brokers registering the same address
//!   at once can't both succeed.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        for sql in [
            "ALTER TABLE insureds ADD COLUMN client_account_id INTEGER NULL REFERENCES client_accounts (id)",
            "ALTER TABLE insureds ADD COLUMN user_id INTEGER NULL REFERENCES users (id)",
            // Partial: PostgreSQL then doesn't count `user_id` as a key
            // column, so setting it needs no stronger lock than the
            // import's and attach's `FOR NO KEY UPDATE` (which would
            // otherwise deadlock with a policy insert's key-share lock).
            "CREATE UNIQUE INDEX ux_insureds_user ON insureds (user_id) WHERE user_id IS NOT NULL",
            "CREATE UNIQUE INDEX ux_users_insured_username ON users (organization_id, username) WHERE role = 'insured'",
        ] {
            db.execute_unprepared(sql).await?;
        }
        if postgres {
            db.execute_unprepared("ALTER TABLE users ALTER COLUMN username TYPE varchar(254)")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        for sql in [
            "DROP INDEX ux_users_insured_username",
            "DROP INDEX ux_insureds_user",
        ] {
            db.execute_unprepared(sql).await?;
        }
        // SQLite can't drop a column that is part of a foreign key: there the
        // two (then unused) columns stay.
        if postgres {
            for sql in [
                "ALTER TABLE insureds DROP COLUMN user_id",
                "ALTER TABLE insureds DROP COLUMN client_account_id",
            ] {
                db.execute_unprepared(sql).await?;
            }
            db.execute_unprepared("ALTER TABLE users ALTER COLUMN username TYPE varchar(64)")
                .await?;
        }
        Ok(())
    }
}
