//! The account lifecycle: each organization's password policy, sign-in
//! lock-out counters, single-use email tokens (welcome and reset links), the
//! email outbox, and the indexes the audit page reads by.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    PasswordMinLength,
    PasswordRequireDigit,
    PasswordRequireUpper,
    PasswordRequireSpecial,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SignInThrottles {
    Table,
    Id,
    OrganizationId,
    Scope,
    Username,
    Failures,
    Lockouts,
    LockedUntil,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EmailTokens {
    Table,
    Id,
    UserId,
    OrganizationId,
    Purpose,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum OutboxMessages {
    Table,
    Id,
    OrganizationId,
    Recipient,
    Subject,
    Body,
    CreatedAt,
    Attempts,
    NextAttemptAt,
    SentAt,
    LastError,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    OrganizationId,
    Action,
    ActorUserId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        let policy_columns = [
            ColumnDef::new(Organizations::PasswordMinLength)
                .integer()
                .not_null()
                .default(8)
                .to_owned(),
            ColumnDef::new(Organizations::PasswordRequireDigit)
                .boolean()
                .not_null()
                .default(true)
                .to_owned(),
            ColumnDef::new(Organizations::PasswordRequireUpper)
                .boolean()
                .not_null()
                .default(true)
                .to_owned(),
            ColumnDef::new(Organizations::PasswordRequireSpecial)
                .boolean()
                .not_null()
                .default(true)
                .to_owned(),
        ];
        for mut column in policy_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Organizations::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }

        // Failed sign-ins per (organization, portal scope, normalised
        // username), whether or not such a user exists, so a lock-out never
        // tells which usernames are real.
        manager
            .create_table(
                Table::create()
                    .table(SignInThrottles::Table)
                    .col(pk_auto(SignInThrottles::Id))
                    .col(integer(SignInThrottles::OrganizationId))
                    .col(string_len(SignInThrottles::Scope, 80))
                    .col(string_len(SignInThrottles::Username, 120))
                    .col(integer(SignInThrottles::Failures).default(0))
                    .col(integer(SignInThrottles::Lockouts).default(0))
                    .col(timestamp_with_time_zone_null(SignInThrottles::LockedUntil))
                    .col(timestamp_with_time_zone(SignInThrottles::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SignInThrottles::Table, SignInThrottles::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_sign_in_throttles_key")
                    .table(SignInThrottles::Table)
                    .col(SignInThrottles::OrganizationId)
                    .col(SignInThrottles::Scope)
                    .col(SignInThrottles::Username)
                    .unique()
                    .to_owned(),
            )
            .await?;

        // The id is the SHA-256 of the token in the link; the token itself
        // is never stored.
        manager
            .create_table(
                Table::create()
                    .table(EmailTokens::Table)
                    .col(string_len(EmailTokens::Id, 64).primary_key())
                    .col(integer(EmailTokens::UserId))
                    .col(integer(EmailTokens::OrganizationId))
                    .col(string_len(EmailTokens::Purpose, 16))
                    .col(timestamp_with_time_zone(EmailTokens::CreatedAt))
                    .col(timestamp_with_time_zone(EmailTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(EmailTokens::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EmailTokens::Table, EmailTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(EmailTokens::Table, EmailTokens::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_email_tokens_user")
                    .table(EmailTokens::Table)
                    .col(EmailTokens::UserId)
                    .to_owned(),
            )
            .await?;

        // Written in the transaction of the change that causes the email;
        // drained by the mail worker.
        manager
            .create_table(
                Table::create()
                    .table(OutboxMessages::Table)
                    .col(pk_auto(OutboxMessages::Id))
                    .col(integer(OutboxMessages::OrganizationId))
                    .col(string_len(OutboxMessages::Recipient, 320))
                    .col(string_len(OutboxMessages::Subject, 200))
                    .col(text(OutboxMessages::Body))
                    .col(timestamp_with_time_zone(OutboxMessages::CreatedAt))
                    .col(integer(OutboxMessages::Attempts).default(0))
                    .col(timestamp_with_time_zone(OutboxMessages::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(OutboxMessages::SentAt))
                    .col(text_null(OutboxMessages::LastError))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutboxMessages::Table, OutboxMessages::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_outbox_due")
                    .table(OutboxMessages::Table)
                    .col(OutboxMessages::SentAt)
                    .col(OutboxMessages::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_outbox_org")
                    .table(OutboxMessages::Table)
                    .col(OutboxMessages::OrganizationId)
                    .col(OutboxMessages::Id)
                    .to_owned(),
            )
            .await?;

        // The audit page pages by id, newest first, optionally by action or actor.
        for (name, second) in [
            ("ix_audit_events_org_id", None),
            ("ix_audit_events_org_action", Some(AuditEvents::Action)),
            ("ix_audit_events_org_actor", Some(AuditEvents::ActorUserId)),
        ] {
            let mut index = Index::create();
            index
                .name(name)
                .table(AuditEvents::Table)
                .col(AuditEvents::OrganizationId);
            if let Some(col) = second {
                index.col(col);
            }
            index.col(AuditEvents::Id);
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            OutboxMessages::Table.into_iden(),
            EmailTokens::Table.into_iden(),
            SignInThrottles::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for col in [
            Organizations::PasswordMinLength,
            Organizations::PasswordRequireDigit,
            Organizations::PasswordRequireUpper,
            Organizations::PasswordRequireSpecial,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Organizations::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
