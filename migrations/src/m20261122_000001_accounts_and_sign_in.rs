//! The first schema: organizations (tenants), their client accounts, users of
//! both portals, server-side sessions and the audit trail.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    Name,
    Slug,
    AgencyPrefix,
    MaxUserAdministrators,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ClientAccounts {
    Table,
    Id,
    OrganizationId,
    Name,
    MainPhone,
    Identifier,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    OrganizationId,
    Kind,
    Role,
    ClientAccountId,
    Username,
    FirstName,
    MiddleName,
    LastName,
    Email,
    PasswordHash,
    Active,
    CanLogin,
    MustChangePassword,
    LastLoginAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    OrganizationId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    OrganizationId,
    ActorUserId,
    OnBehalfOfUserId,
    Action,
    TargetUserId,
    Details,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organizations::Table)
                    .col(pk_auto(Organizations::Id))
                    .col(string_len(Organizations::Name, 200))
                    .col(string_len_uniq(Organizations::Slug, 40))
                    .col(string_len_uniq(Organizations::AgencyPrefix, 6))
                    .col(integer(Organizations::MaxUserAdministrators).default(3))
                    .col(timestamp_with_time_zone(Organizations::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ClientAccounts::Table)
                    .col(pk_auto(ClientAccounts::Id))
                    .col(integer(ClientAccounts::OrganizationId))
                    .col(string_len(ClientAccounts::Name, 200))
                    .col(string_len_null(ClientAccounts::MainPhone, 40))
                    .col(string_len(ClientAccounts::Identifier, 20))
                    .col(timestamp_with_time_zone(ClientAccounts::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ClientAccounts::Table, ClientAccounts::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // The identifier is what a client types: unique inside the organization.
        manager
            .create_index(
                Index::create()
                    .name("ux_client_accounts_org_identifier")
                    .table(ClientAccounts::Table)
                    .col(ClientAccounts::OrganizationId)
                    .col(ClientAccounts::Identifier)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_auto(Users::Id))
                    .col(integer(Users::OrganizationId))
                    .col(string_len(Users::Kind, 16))
                    .col(string_len(Users::Role, 32))
                    .col(integer_null(Users::ClientAccountId))
                    .col(string_len(Users::Username, 64))
                    .col(string_len(Users::FirstName, 100))
                    .col(string_len_null(Users::MiddleName, 100))
                    .col(string_len(Users::LastName, 100))
                    .col(string_len_null(Users::Email, 254))
                    .col(text_null(Users::PasswordHash))
                    .col(boolean(Users::Active).default(true))
                    .col(boolean(Users::CanLogin).default(true))
                    .col(boolean(Users::MustChangePassword).default(false))
                    .col(timestamp_with_time_zone_null(Users::LastLoginAt))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::ClientAccountId)
                            .to(ClientAccounts::Table, ClientAccounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .check(Expr::cust(
                        "(kind = 'staff' AND client_account_id IS NULL) OR (kind = 'client' AND client_account_id IS NOT NULL)",
                    ))
                    .to_owned(),
            )
            .await?;
        // A username is unique among an organization's staff, and among the
        // users of one client account: the same username may exist in two
        // accounts. Partial indexes work the same on SQLite and PostgreSQL.
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_users_staff_username ON users (organization_id, username) WHERE kind = 'staff'",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_users_client_username ON users (client_account_id, username) WHERE kind = 'client'",
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    // SHA-256 of the cookie's token, hex: the token itself is never stored.
                    .col(string_len(Sessions::Id, 64).primary_key())
                    .col(integer(Sessions::UserId))
                    .col(integer(Sessions::OrganizationId))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_user")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(pk_auto(AuditEvents::Id))
                    .col(integer(AuditEvents::OrganizationId))
                    .col(integer_null(AuditEvents::ActorUserId))
                    .col(integer_null(AuditEvents::OnBehalfOfUserId))
                    .col(string_len(AuditEvents::Action, 64))
                    .col(integer_null(AuditEvents::TargetUserId))
                    .col(text(AuditEvents::Details))
                    .col(timestamp_with_time_zone(AuditEvents::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuditEvents::Table, AuditEvents::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_events_org_time")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::OrganizationId)
                    .col(AuditEvents::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_events_target")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::TargetUserId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditEvents::Table.into_iden(),
            Sessions::Table.into_iden(),
            Users::Table.into_iden(),
            ClientAccounts::Table.into_iden(),
            Organizations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
