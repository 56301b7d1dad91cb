//! Client accounts grow an address and the keys their table sorts and
//! searches by; office staff get their rights; a session can carry an
//! emulation; and client accounts get their documents (reports and PDFs)
//! with who created and who last changed them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ClientAccounts {
    Table,
    Id,
    OrganizationId,
    Address,
    NameKey,
    PhoneDigits,
    SearchText,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    CanModify,
    CanDelete,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    EmulatedUserId,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    OrganizationId,
    ClientAccountId,
    Kind,
    Title,
    Body,
    FileName,
    StoredName,
    SizeBytes,
    IssueDate,
    BusinessPurpose,
    DocumentType,
    CreatedByUserId,
    CreatedForUserId,
    CreatedAt,
    ModifiedByUserId,
    ModifiedForUserId,
    ModifiedAt,
}

/// Adds one column (SQLite takes one per ALTER TABLE).
async fn add_column<T: IntoIden + 'static>(
    manager: &SchemaManager<'_>,
    table: T,
    mut column: ColumnDef,
) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(table)
                .add_column(&mut column)
                .to_owned(),
        )
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(
            manager,
            ClientAccounts::Table,
            ColumnDef::new(ClientAccounts::Address)
                .text()
                .null()
                .to_owned(),
        )
        .await?;
        // The table sorts by a lower-cased name and searches phone numbers by
        // their digits: both are stored, so every sort has an index.
        add_column(
            manager,
            ClientAccounts::Table,
            // Lower-casing can lengthen a name ("İ" becomes two characters).
            ColumnDef::new(ClientAccounts::NameKey)
                .string_len(400)
                .not_null()
                .default("")
                .to_owned(),
        )
        .await?;
        add_column(
            manager,
            ClientAccounts::Table,
            ColumnDef::new(ClientAccounts::PhoneDigits)
                .string_len(40)
                .not_null()
                .default("")
                .to_owned(),
        )
        .await?;
        // What the table's search looks in: name, identifier and phone
        // digits in one column, read from a covering index.
        add_column(
            manager,
            ClientAccounts::Table,
            ColumnDef::new(ClientAccounts::SearchText)
                .string_len(500)
                .not_null()
                .default("")
                .to_owned(),
        )
        .await?;
        let db = manager.get_connection();
        // The keys of existing accounts are computed here, as the service
        // computes them (Unicode lower case, phone digits): SQLite's LOWER()
        // only knows ASCII, and the engines share no digit filter.
        let rows = db
            .query_all_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT id, name, main_phone, identifier FROM client_accounts",
            ))
            .await?;
        for row in rows {
            let id: i32 = row.try_get("", "id")?;
            let name: String = row.try_get("", "name")?;
            let phone: Option<String> = row.try_get("", "main_phone")?;
            let identifier: String = row.try_get("", "identifier")?;
            let digits: String = phone
                .unwrap_or_default()
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            let name_key = name.to_lowercase();
            let search = format!("{name_key}\n{}\n{digits}", identifier.to_lowercase());
            db.execute_raw(sea_orm::Statement::from_sql_and_values(
                db.get_database_backend(),
                match db.get_database_backend() {
                    sea_orm::DatabaseBackend::Postgres => {
                        "UPDATE client_accounts SET name_key = $1, phone_digits = $2, search_text = $3 WHERE id = $4"
                    }
                    _ => "UPDATE client_accounts SET name_key = ?, phone_digits = ?, search_text = ? WHERE id = ?",
                },
                [name_key.into(), digits.into(), search.into(), id.into()],
            ))
            .await?;
        }
        for (name, col) in [
            ("ix_client_accounts_org_name", ClientAccounts::NameKey),
            ("ix_client_accounts_org_phone", ClientAccounts::PhoneDigits),
            ("ix_client_accounts_org_search", ClientAccounts::SearchText),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(ClientAccounts::Table)
                        .col(ClientAccounts::OrganizationId)
                        .col(col)
                        .col(ClientAccounts::Id)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_client_accounts_org_id")
                    .table(ClientAccounts::Table)
                    .col(ClientAccounts::OrganizationId)
                    .col(ClientAccounts::Id)
                    .to_owned(),
            )
            .await?;

        for column in [Users::CanModify, Users::CanDelete] {
            add_column(
                manager,
                Users::Table,
                ColumnDef::new(column)
                    .boolean()
                    .not_null()
                    .default(false)
                    .to_owned(),
            )
            .await?;
        }
        // One Account Manager per account, on both engines (two staff
        // creating it at once: one wins, the other gets a conflict).
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_users_account_manager ON users (client_account_id) WHERE role = 'account_manager'",
        )
        .await?;

        // The Account Manager a staff user's session is emulating, if any.
        add_column(
            manager,
            Sessions::Table,
            ColumnDef::new(Sessions::EmulatedUserId)
                .integer()
                .null()
                .to_owned(),
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .col(pk_auto(Documents::Id))
                    .col(integer(Documents::OrganizationId))
                    .col(integer(Documents::ClientAccountId))
                    // "report" or "pdf".
                    .col(string_len(Documents::Kind, 16))
                    .col(string_len(Documents::Title, 200))
                    .col(text_null(Documents::Body))
                    // The uploader's file name: shown and offered on
                    // download, never used on disk.
                    .col(string_len_null(Documents::FileName, 255))
                    // The generated name under the data directory.
                    .col(string_len_null(Documents::StoredName, 64))
                    .col(big_integer_null(Documents::SizeBytes))
                    .col(date_null(Documents::IssueDate))
                    .col(string_len_null(Documents::BusinessPurpose, 200))
                    .col(string_len_null(Documents::DocumentType, 100))
                    .col(integer(Documents::CreatedByUserId))
                    .col(integer_null(Documents::CreatedForUserId))
                    .col(timestamp_with_time_zone(Documents::CreatedAt))
                    .col(integer(Documents::ModifiedByUserId))
                    .col(integer_null(Documents::ModifiedForUserId))
                    .col(timestamp_with_time_zone(Documents::ModifiedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Documents::Table, Documents::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Documents::Table, Documents::ClientAccountId)
                            .to(ClientAccounts::Table, ClientAccounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Documents::Table, Documents::CreatedByUserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Documents::Table, Documents::ModifiedByUserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_documents_account")
                    .table(Documents::Table)
                    .col(Documents::ClientAccountId)
                    .col(Documents::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Documents::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_users_account_manager")
                    .table(Users::Table)
                    .to_owned(),
            )
            .await?;
        for name in [
            "ix_client_accounts_org_name",
            "ix_client_accounts_org_phone",
            "ix_client_accounts_org_search",
            "ix_client_accounts_org_id",
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(ClientAccounts::Table)
                        .to_owned(),
                )
                .await?;
        }
        for (table, col) in [
            (
                ClientAccounts::Table.into_iden(),
                ClientAccounts::Address.into_iden(),
            ),
            (
                ClientAccounts::Table.into_iden(),
                ClientAccounts::NameKey.into_iden(),
            ),
            (
                ClientAccounts::Table.into_iden(),
                ClientAccounts::PhoneDigits.into_iden(),
            ),
            (Users::Table.into_iden(), Users::CanModify.into_iden()),
            (Users::Table.into_iden(), Users::CanDelete.into_iden()),
            (
                Sessions::Table.into_iden(),
                Sessions::EmulatedUserId.into_iden(),
            ),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
