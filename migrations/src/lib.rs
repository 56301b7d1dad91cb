//! Gatehouse's database schema as an ordered list of sea-orm migrations. The
//! same migrations run on SQLite (the embedded default) and PostgreSQL; every
//! schema change is a new migration, never an edit of an old one.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_accounts_and_sign_in;
mod m20261122_000002_account_lifecycle;
mod m20261122_000003_client_accounts_and_documents;
mod m20261204_000004_people;
mod m20261204_000005_company_access;
mod m20261204_000006_insureds;
mod m20261204_000007_insured_search;
mod m20261204_000008_fewer_insured_indexes;
mod m20261204_000009_insured_logins;
mod m20261205_000010_insured_edocs;
mod m20261205_000011_staff_master;

/// Applies Gatehouse's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_accounts_and_sign_in::Migration),
            Box::new(m20261122_000002_account_lifecycle::Migration),
            Box::new(m20261122_000003_client_accounts_and_documents::Migration),
            Box::new(m20261204_000004_people::Migration),
            Box::new(m20261204_000005_company_access::Migration),
            Box::new(m20261204_000006_insureds::Migration),
            Box::new(m20261204_000007_insured_search::Migration),
            Box::new(m20261204_000008_fewer_insured_indexes::Migration),
            Box::new(m20261204_000009_insured_logins::Migration),
            Box::new(m20261205_000010_insured_edocs::Migration),
            Box::new(m20261205_000011_staff_master::Migration),
        ]
    }
}
