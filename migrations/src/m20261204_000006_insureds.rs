//! Insureds, their policies from CSIO downloads, and the import reports.
//!
//! A policy is keyed by (organization, carrier code, policy number) in
//! `policy_key`; an insured by its matched name, address and postal code in
//! `match_key`, so two imports running at once can't create the same
//! insured or policy twice. Every import keeps its report: the run, each
//! file (imported or rejected, with the reason) and each policy (what
//! happened to it and, when it didn't attach, which of name, address and
//! postal code differed from the nearest insured).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Insureds {
    Table,
    Id,
    OrganizationId,
    FullName,
    LastName,
    Address,
    City,
    Province,
    PostalCode,
    Email,
    Phone,
    MatchKey,
    NameKey,
    LastNameKey,
    PostalKey,
    SearchText,
    NeedsAttaching,
    LikelyMatchId,
    LatestDownloadAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Policies {
    Table,
    Id,
    OrganizationId,
    PolicyKey,
    CarrierCode,
    PolicyNumber,
    NumberKey,
    LineOfBusiness,
    EffectiveDate,
    ExpiryDate,
    Status,
    PremiumCents,
    DownloadedName,
    DownloadedAddress,
    DownloadedCity,
    DownloadedProvince,
    DownloadedPostalCode,
    DownloadedEmail,
    InsuredId,
    ImportFileId,
    ProducedAt,
    ContentHash,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ImportRuns {
    Table,
    Id,
    OrganizationId,
    Source,
    StartedByUserId,
    StartedAt,
    FinishedAt,
    Files,
    Policies,
    NewInsureds,
    Attached,
    Updated,
    Unchanged,
    Rejected,
}

#[derive(DeriveIden)]
enum ImportFiles {
    Table,
    Id,
    OrganizationId,
    ImportRunId,
    FileName,
    Sha256,
    Bytes,
    Outcome,
    Reason,
    Policies,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ImportItems {
    Table,
    Id,
    OrganizationId,
    ImportFileId,
    Seq,
    CarrierCode,
    PolicyNumber,
    Outcome,
    PolicyId,
    InsuredId,
    NearMatchInsuredId,
    Differences,
    Note,
}

fn fk(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(c);
    }
    if unique {
        i.unique();
    }
    manager.create_index(i.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ImportRuns::Table)
                    .col(pk_auto(ImportRuns::Id))
                    .col(integer(ImportRuns::OrganizationId))
                    .col(string_len(ImportRuns::Source, 20))
                    .col(integer_null(ImportRuns::StartedByUserId))
                    .col(timestamp_with_time_zone(ImportRuns::StartedAt))
                    .col(timestamp_with_time_zone_null(ImportRuns::FinishedAt))
                    .col(integer(ImportRuns::Files).default(0))
                    .col(integer(ImportRuns::Policies).default(0))
                    .col(integer(ImportRuns::NewInsureds).default(0))
                    .col(integer(ImportRuns::Attached).default(0))
                    .col(integer(ImportRuns::Updated).default(0))
                    .col(integer(ImportRuns::Unchanged).default(0))
                    .col(integer(ImportRuns::Rejected).default(0))
                    .foreign_key(&mut fk(
                        (ImportRuns::Table, ImportRuns::OrganizationId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .foreign_key(&mut fk(
                        (ImportRuns::Table, ImportRuns::StartedByUserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_import_runs_org_started",
            ImportRuns::Table,
            vec![
                ImportRuns::OrganizationId.into_iden(),
                ImportRuns::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ImportFiles::Table)
                    .col(pk_auto(ImportFiles::Id))
                    .col(integer(ImportFiles::OrganizationId))
                    .col(integer(ImportFiles::ImportRunId))
                    .col(string_len(ImportFiles::FileName, 255))
                    .col(string_len(ImportFiles::Sha256, 64))
                    .col(big_integer(ImportFiles::Bytes))
                    .col(string_len(ImportFiles::Outcome, 20))
                    .col(string_len_null(ImportFiles::Reason, 500))
                    .col(integer(ImportFiles::Policies).default(0))
                    .col(timestamp_with_time_zone(ImportFiles::CreatedAt))
                    .foreign_key(&mut fk(
                        (ImportFiles::Table, ImportFiles::OrganizationId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .foreign_key(&mut fk(
                        (ImportFiles::Table, ImportFiles::ImportRunId),
                        (ImportRuns::Table, ImportRuns::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_import_files_run",
            ImportFiles::Table,
            vec![
                ImportFiles::ImportRunId.into_iden(),
                ImportFiles::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Insureds::Table)
                    .col(pk_auto(Insureds::Id))
                    .col(integer(Insureds::OrganizationId))
                    .col(string_len(Insureds::FullName, 200))
                    .col(string_len(Insureds::LastName, 200))
                    .col(string_len(Insureds::Address, 300))
                    .col(string_len(Insureds::City, 100))
                    .col(string_len(Insureds::Province, 20))
                    .col(string_len(Insureds::PostalCode, 20))
                    .col(string_len_null(Insureds::Email, 254))
                    .col(string_len_null(Insureds::Phone, 40))
                    .col(string_len(Insureds::MatchKey, 600))
                    .col(string_len(Insureds::NameKey, 200))
                    .col(string_len(Insureds::LastNameKey, 200))
                    .col(string_len(Insureds::PostalKey, 20))
                    .col(string_len(Insureds::SearchText, 500))
                    .col(boolean(Insureds::NeedsAttaching).default(false))
                    .col(integer_null(Insureds::LikelyMatchId))
                    .col(timestamp_with_time_zone(Insureds::LatestDownloadAt))
                    .col(timestamp_with_time_zone(Insureds::CreatedAt))
                    .col(timestamp_with_time_zone(Insureds::UpdatedAt))
                    .foreign_key(&mut fk(
                        (Insureds::Table, Insureds::OrganizationId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .foreign_key(&mut fk(
                        (Insureds::Table, Insureds::LikelyMatchId),
                        (Insureds::Table, Insureds::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_insureds_org_match",
            Insureds::Table,
            vec![
                Insureds::OrganizationId.into_iden(),
                Insureds::MatchKey.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "ix_insureds_org_name",
            Insureds::Table,
            vec![
                Insureds::OrganizationId.into_iden(),
                Insureds::NameKey.into_iden(),
                Insureds::Id.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "ix_insureds_org_postal_last",
            Insureds::Table,
            vec![
                Insureds::OrganizationId.into_iden(),
                Insureds::PostalKey.into_iden(),
                Insureds::LastNameKey.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Policies::Table)
                    .col(pk_auto(Policies::Id))
                    .col(integer(Policies::OrganizationId))
                    .col(string_len(Policies::PolicyKey, 120))
                    .col(string_len(Policies::CarrierCode, 20))
                    .col(string_len(Policies::PolicyNumber, 60))
                    .col(string_len(Policies::NumberKey, 60))
                    .col(string_len(Policies::LineOfBusiness, 40))
                    .col(date(Policies::EffectiveDate))
                    .col(date(Policies::ExpiryDate))
                    .col(string_len(Policies::Status, 20))
                    .col(big_integer_null(Policies::PremiumCents))
                    .col(string_len(Policies::DownloadedName, 200))
                    .col(string_len(Policies::DownloadedAddress, 300))
                    .col(string_len(Policies::DownloadedCity, 100))
                    .col(string_len(Policies::DownloadedProvince, 20))
                    .col(string_len(Policies::DownloadedPostalCode, 20))
                    .col(string_len_null(Policies::DownloadedEmail, 254))
                    .col(integer(Policies::InsuredId))
                    .col(integer(Policies::ImportFileId))
                    .col(timestamp_with_time_zone(Policies::ProducedAt))
                    .col(string_len(Policies::ContentHash, 64))
                    .col(timestamp_with_time_zone(Policies::CreatedAt))
                    .col(timestamp_with_time_zone(Policies::UpdatedAt))
                    .foreign_key(&mut fk(
                        (Policies::Table, Policies::OrganizationId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .foreign_key(&mut fk(
                        (Policies::Table, Policies::InsuredId),
                        (Insureds::Table, Insureds::Id),
                    ))
                    .foreign_key(&mut fk(
                        (Policies::Table, Policies::ImportFileId),
                        (ImportFiles::Table, ImportFiles::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_policies_org_key",
            Policies::Table,
            vec![
                Policies::OrganizationId.into_iden(),
                Policies::PolicyKey.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "ix_policies_org_number",
            Policies::Table,
            vec![
                Policies::OrganizationId.into_iden(),
                Policies::NumberKey.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "ix_policies_insured",
            Policies::Table,
            vec![
                Policies::InsuredId.into_iden(),
                Policies::ExpiryDate.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ImportItems::Table)
                    .col(pk_auto(ImportItems::Id))
                    .col(integer(ImportItems::OrganizationId))
                    .col(integer(ImportItems::ImportFileId))
                    .col(integer(ImportItems::Seq))
                    .col(string_len(ImportItems::CarrierCode, 20))
                    .col(string_len(ImportItems::PolicyNumber, 60))
                    .col(string_len(ImportItems::Outcome, 20))
                    .col(integer_null(ImportItems::PolicyId))
                    .col(integer_null(ImportItems::InsuredId))
                    .col(integer_null(ImportItems::NearMatchInsuredId))
                    .col(string_len_null(ImportItems::Differences, 60))
                    .col(string_len_null(ImportItems::Note, 300))
                    .foreign_key(&mut fk(
                        (ImportItems::Table, ImportItems::OrganizationId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .foreign_key(&mut fk(
                        (ImportItems::Table, ImportItems::ImportFileId),
                        (ImportFiles::Table, ImportFiles::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_import_items_file",
            ImportItems::Table,
            vec![
                ImportItems::ImportFileId.into_iden(),
                ImportItems::Seq.into_iden(),
            ],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ImportItems::Table.into_iden(),
            Policies::Table.into_iden(),
            Insureds::Table.into_iden(),
            ImportFiles::Table.into_iden(),
            ImportRuns::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
