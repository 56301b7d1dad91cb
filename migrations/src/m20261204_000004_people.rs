//! The People directory: every login gets the keys its columns sort and its
//! name filter searches by (accents and case folded), its last sign-in as a
//! sortable number, and a pointer to the latest administrative audit event
//! about it (the "Description" column), each with an index on
//! (organization, kind, key, id) so every sort pages by keyset.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    OrganizationId,
    Kind,
    Role,
    Username,
    Active,
    CanLogin,
    NameKey,
    FirstKey,
    LastKey,
    SearchText,
    LastLogonKey,
    AdminEventId,
    CreatedAt,
}

/// The audit actions that count as administrative at the time of this
/// migration (the app's list, `domain::audit_action::ADMINISTRATIVE`, may
/// grow; a migration stays as it ran).
const ADMINISTRATIVE: &[&str] = &[
    "user_created",
    "user_disabled",
    "user_enabled",
    "login_revoked",
    "login_granted",
    "password_reset",
    "welcome_sent",
    "rights_changed",
];

/// The app's `domain::names::fold` as it was when this migration was
/// written: lower case, common Latin accents removed, spaces collapsed. A
/// copy on purpose: a migration must keep computing what it computed.
fn fold(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for word in value.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase).map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            other => other,
        }));
    }
    out
}

fn display_name(first: &str, middle: Option<&str>, last: &str) -> String {
    match middle.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) if m.chars().count() == 1 => format!("{first} {m}. {last}"),
        Some(m) => format!("{first} {m} {last}"),
        None => format!("{first} {last}"),
    }
}

async fn add_column(manager: &SchemaManager<'_>, mut column: ColumnDef) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(&mut column)
                .to_owned(),
        )
        .await
}

/// The sort indexes: (organization, kind, columns…, id).
fn indexes() -> Vec<(&'static str, Vec<Users>)> {
    vec![
        ("ix_users_people_name", vec![Users::NameKey]),
        ("ix_users_people_first", vec![Users::FirstKey]),
        ("ix_users_people_last", vec![Users::LastKey]),
        ("ix_users_people_username", vec![Users::Username]),
        ("ix_users_people_role", vec![Users::Role, Users::NameKey]),
        (
            "ix_users_people_status",
            vec![Users::Active, Users::CanLogin, Users::NameKey],
        ),
        ("ix_users_people_logon", vec![Users::LastLogonKey]),
        ("ix_users_people_created", vec![Users::CreatedAt]),
        ("ix_users_people_description", vec![Users::AdminEventId]),
        ("ix_users_people_search", vec![Users::SearchText]),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Folding can lengthen a name ("İ" lower-cases to two characters).
        for (col, len) in [
            (Users::NameKey, 400),
            (Users::FirstKey, 400),
            (Users::LastKey, 400),
            (Users::SearchText, 1000),
        ] {
            add_column(
                manager,
                ColumnDef::new(col)
                    .string_len(len)
                    .not_null()
                    .default("")
                    .to_owned(),
            )
            .await?;
        }
        // Seconds since 1970 of the last sign-in, 0 for never: NULLs sort
        // differently on the two engines and break keyset paging.
        add_column(
            manager,
            ColumnDef::new(Users::LastLogonKey)
                .big_integer()
                .not_null()
                .default(0)
                .to_owned(),
        )
        .await?;
        // The id of the latest administrative audit event about the login,
        // 0 for none: the Description column reads it in one query per page
        // and sorts by it.
        add_column(
            manager,
            ColumnDef::new(Users::AdminEventId)
                .integer()
                .not_null()
                .default(0)
                .to_owned(),
        )
        .await?;

        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(sea_orm::Statement::from_string(
                backend,
                "SELECT id, first_name, middle_name, last_name, username FROM users",
            ))
            .await?;
        for row in rows {
            let id: i32 = row.try_get("", "id")?;
            let first: String = row.try_get("", "first_name")?;
            let middle: Option<String> = row.try_get("", "middle_name")?;
            let last: String = row.try_get("", "last_name")?;
            let username: String = row.try_get("", "username")?;
            let name_key = fold(&display_name(&first, middle.as_deref(), &last));
            let search = format!("{name_key}\n{username}");
            db.execute_raw(sea_orm::Statement::from_sql_and_values(
                backend,
                match backend {
                    sea_orm::DatabaseBackend::Postgres => {
                        "UPDATE users SET name_key = $1, first_key = $2, last_key = $3, search_text = $4 WHERE id = $5"
                    }
                    _ => "UPDATE users SET name_key = ?, first_key = ?, last_key = ?, search_text = ? WHERE id = ?",
                },
                [
                    name_key.into(),
                    fold(&first).into(),
                    fold(&last).into(),
                    search.into(),
                    id.into(),
                ],
            ))
            .await?;
        }
        db.execute_unprepared(match backend {
            sea_orm::DatabaseBackend::Postgres => {
                "UPDATE users SET last_logon_key = CAST(EXTRACT(EPOCH FROM last_login_at) AS BIGINT) WHERE last_login_at IS NOT NULL"
            }
            _ => {
                "UPDATE users SET last_logon_key = CAST(strftime('%s', last_login_at) AS INTEGER) WHERE last_login_at IS NOT NULL"
            }
        })
        .await?;
        let actions = ADMINISTRATIVE
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(", ");
        db.execute_unprepared(&format!(
            "UPDATE users SET admin_event_id = COALESCE((SELECT MAX(e.id) FROM audit_events e \
             WHERE e.target_user_id = users.id AND e.organization_id = users.organization_id \
             AND e.action IN ({actions})), 0)"
        ))
        .await?;

        for (name, cols) in indexes() {
            let mut index = Index::create();
            index
                .name(name)
                .table(Users::Table)
                .col(Users::OrganizationId)
                .col(Users::Kind);
            for c in cols {
                index.col(c);
            }
            manager
                .create_index(index.col(Users::Id).to_owned())
                .await?;
        }
        if backend == sea_orm::DatabaseBackend::Postgres {
            // The name filter is a substring match: on PostgreSQL a trigram
            // index answers it without reading every login (pg_trgm ships
            // with the server and is a trusted extension: the database's
            // owner may create it). SQLite reads its covering index instead.
            //
            // Without the right to create it (a role that does not own the
            // database) the index is skipped rather than failing the
            // migration: the search stays correct, only slower, and
            // creating the extension as a superuser and migrating a fresh
            // database brings it back.
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(
                    backend,
                    "SELECT \
                       EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') AS available, \
                       EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') AS installed, \
                       has_database_privilege(current_database(), 'CREATE') AS may_create",
                ))
                .await?;
            let flag = |name: &str| -> Result<bool, DbErr> {
                Ok(match &row {
                    Some(r) => r.try_get::<bool>("", name)?,
                    None => false,
                })
            };
            let usable = flag("installed")? || (flag("available")? && flag("may_create")?);
            if usable {
                db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                    .await?;
                // The operator class lives in the extension's schema, which
                // need not be on the search path.
                let schema = db
                    .query_one_raw(sea_orm::Statement::from_string(
                        backend,
                        "SELECT quote_ident(n.nspname) AS schema FROM pg_extension e \
                         JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'",
                    ))
                    .await?
                    .map(|r| r.try_get::<String>("", "schema"))
                    .transpose()?
                    .unwrap_or_else(|| "public".into());
                db.execute_unprepared(&format!(
                    "CREATE INDEX ix_users_people_search_trgm ON users USING gin (search_text {schema}.gin_trgm_ops)"
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP INDEX IF EXISTS ix_users_people_search_trgm")
                .await?;
        }
        for (name, _) in indexes() {
            manager
                .drop_index(Index::drop().name(name).table(Users::Table).to_owned())
                .await?;
        }
        for col in [
            Users::NameKey,
            Users::FirstKey,
            Users::LastKey,
            Users::SearchText,
            Users::LastLogonKey,
            Users::AdminEventId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
