//! One index fewer on `insureds`, to make imports cheaper.
//!
//! Every new insured is written into each index of the table, at a place
//! its (random) name or postal code decides, so each index costs an import
//! about one more page written per insured. `ix_insureds_org_postal_last`
//! (organization, postal code, last name) served only the import's
//! near-match lookup, and `ix_insureds_org_postal_name` (organization,
//! postal code, name, id), added for the Insureds table's postal-code sort,
//! answers that lookup as well: the insureds of a postal code are a handful,
//! and their last names are read from their rows. Dropping it saved about
//! 5 % of a SQLite import's time (5,322 → 5,606 policies/s, one run each;
//! BENCHMARKS.md).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Insureds {
    Table,
    OrganizationId,
    PostalKey,
    LastNameKey,
}

const NAME: &str = "ix_insureds_org_postal_last";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table(Insureds::Table).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(Insureds::Table)
                    .col(Insureds::OrganizationId)
                    .col(Insureds::PostalKey)
                    .col(Insureds::LastNameKey)
                    .to_owned(),
            )
            .await
    }
}
