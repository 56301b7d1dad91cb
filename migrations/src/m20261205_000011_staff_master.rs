//! The Staff Master: the HR side of a staff member. A Staff ID unique per
//! organization whatever its case (`staff_id_key` is it lower-cased), the
//! name with a middle initial, the hire date and, optionally, the staff
//! login it belongs to (at most one record per login). The organization
//! gets the window a hire date may lie ahead of today (90 days unless its
//! User Administrators change it in the settings).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StaffRecords {
    Table,
    Id,
    OrganizationId,
    StaffId,
    StaffIdKey,
    FirstName,
    MiddleInitial,
    LastName,
    HireDate,
    UserId,
    NameKey,
    SearchText,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    HireDateDaysAhead,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StaffRecords::Table)
                    .col(pk_auto(StaffRecords::Id))
                    .col(integer(StaffRecords::OrganizationId))
                    .col(string_len(StaffRecords::StaffId, 20))
                    .col(string_len(StaffRecords::StaffIdKey, 20))
                    .col(string_len(StaffRecords::FirstName, 100))
                    .col(string_len_null(StaffRecords::MiddleInitial, 1))
                    .col(string_len(StaffRecords::LastName, 100))
                    .col(date(StaffRecords::HireDate))
                    .col(integer_null(StaffRecords::UserId))
                    .col(text(StaffRecords::NameKey))
                    .col(text(StaffRecords::SearchText))
                    .col(timestamp_with_time_zone(StaffRecords::CreatedAt))
                    .col(timestamp_with_time_zone(StaffRecords::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StaffRecords::Table, StaffRecords::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(StaffRecords::Table, StaffRecords::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // Case-insensitive uniqueness per organization; also the list's
        // default order.
        manager
            .create_index(
                Index::create()
                    .name("ux_staff_records_org_staff_id")
                    .table(StaffRecords::Table)
                    .col(StaffRecords::OrganizationId)
                    .col(StaffRecords::StaffIdKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // One record per login (several records may have none).
        manager
            .create_index(
                Index::create()
                    .name("ux_staff_records_user")
                    .table(StaffRecords::Table)
                    .col(StaffRecords::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_staff_records_org_name")
                    .table(StaffRecords::Table)
                    .col(StaffRecords::OrganizationId)
                    .col(StaffRecords::NameKey)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Organizations::Table)
                    .add_column(integer(Organizations::HireDateDaysAhead).default(90))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Organizations::Table)
                    .drop_column(Organizations::HireDateDaysAhead)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(StaffRecords::Table).to_owned())
            .await
    }
}
