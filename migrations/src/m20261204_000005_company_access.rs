//! Company Access: a Claims Rep or Claims Rep Manager linked to client
//! accounts beyond their own, with the rights they have in each; the
//! account a rep manager's session is currently working in; and a phone
//! number on every login (the person's page shows and edits it).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CompanyAccess {
    Table,
    Id,
    OrganizationId,
    UserId,
    ClientAccountId,
    CanModify,
    CanDelete,
    CreatedAt,
    CreatedByUserId,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Phone,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    CurrentAccountId,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ClientAccounts {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CompanyAccess::Table)
                    .col(pk_auto(CompanyAccess::Id))
                    .col(integer(CompanyAccess::OrganizationId))
                    .col(integer(CompanyAccess::UserId))
                    .col(integer(CompanyAccess::ClientAccountId))
                    .col(boolean(CompanyAccess::CanModify).default(false))
                    .col(boolean(CompanyAccess::CanDelete).default(false))
                    .col(timestamp_with_time_zone(CompanyAccess::CreatedAt))
                    .col(integer_null(CompanyAccess::CreatedByUserId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CompanyAccess::Table, CompanyAccess::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CompanyAccess::Table, CompanyAccess::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CompanyAccess::Table, CompanyAccess::ClientAccountId)
                            .to(ClientAccounts::Table, ClientAccounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_company_access_user_account")
                    .table(CompanyAccess::Table)
                    .col(CompanyAccess::UserId)
                    .col(CompanyAccess::ClientAccountId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_company_access_org_account")
                    .table(CompanyAccess::Table)
                    .col(CompanyAccess::OrganizationId)
                    .col(CompanyAccess::ClientAccountId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string_len_null(Users::Phone, 40))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .add_column(integer_null(Sessions::CurrentAccountId))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .drop_column(Sessions::CurrentAccountId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::Phone)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(CompanyAccess::Table).to_owned())
            .await?;
        Ok(())
    }
}
