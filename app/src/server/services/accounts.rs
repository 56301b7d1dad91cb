//! Client accounts: creating and editing them, their identifiers, and the
//! Admin Portal's accounts table (search, sort by any column, keyset paging
//! that reads one index range per page however many accounts there are).

use crate::{
    api::dto::{AccountListView, AccountRowView, AccountView},
    domain::{AccountDetails, AccountSort, Identifier, ParseError},
    server::{
        auth::Actor,
        db::begin_write,
        entities::{client_account, organization},
        error::ServiceError,
        services::{audit, home, is_unique_violation},
    },
};
use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::{
    sea_query::LikeExpr, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, IntoActiveModel, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

/// Rows per page of the accounts table.
pub const PAGE_SIZE: u64 = 50;

/// A client account to create.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// The client's name, e.g. "Lakeside Towers".
    pub name: String,
    /// Main phone number as typed, if any.
    pub main_phone: Option<String>,
    /// Postal address, if any.
    pub address: Option<String>,
}

/// Creates a client account in `org`. Its identifier is the main phone's
/// digits when no other account of the organization has them, otherwise a
/// random 8-digit number that is free.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    org: &organization::Model,
    input: &NewAccount,
    created_by: Option<i32>,
    now: DateTime<Utc>,
) -> Result<client_account::Model, ServiceError> {
    let details = AccountDetails::parse(
        &input.name,
        input.main_phone.as_deref().unwrap_or(""),
        input.address.as_deref().unwrap_or(""),
    )?;
    insert(db, org.id, &details, (created_by, None), now).await
}

async fn insert<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    details: &AccountDetails,
    (actor_user_id, on_behalf_of_user_id): (Option<i32>, Option<i32>),
    now: DateTime<Utc>,
) -> Result<client_account::Model, ServiceError> {
    let identifier = default_identifier(db, organization_id, details.main_phone.as_deref()).await?;
    let account = client_account::ActiveModel {
        organization_id: Set(organization_id),
        name: Set(details.name.clone()),
        main_phone: Set(details.main_phone.clone()),
        identifier: Set(identifier.as_str().to_string()),
        created_at: Set(now),
        address: Set(details.address.clone()),
        name_key: Set(details.name_key()),
        phone_digits: Set(details.phone_digits()),
        search_text: Set(client_account::search_text(
            &details.name_key(),
            identifier.as_str(),
            &details.phone_digits(),
        )),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| identifier_conflict(e, "name"))?;
    audit::record(
        db,
        audit::NewEvent {
            organization_id,
            actor_user_id,
            on_behalf_of_user_id,
            action: audit::action::ACCOUNT_CREATED,
            target_user_id: None,
            details: format!(
                "client account {} created with identifier {}",
                account.name, account.identifier
            ),
        },
        now,
    )
    .await?;
    Ok(account)
}

fn identifier_conflict(e: sea_orm::DbErr, field: &'static str) -> ServiceError {
    if is_unique_violation(&e) {
        ParseError {
            field,
            message: "Another account of your organization already has this identifier.".into(),
        }
        .into()
    } else {
        e.into()
    }
}

/// The identifier a new account gets (see [`create`]).
pub async fn default_identifier<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    main_phone: Option<&str>,
) -> Result<Identifier, ServiceError> {
    if let Some(id) = main_phone.and_then(Identifier::from_phone) {
        if !identifier_taken(db, organization_id, &id).await? {
            return Ok(id);
        }
    }
    loop {
        let n: u32 = rand::thread_rng().gen_range(10_000_000..100_000_000);
        let id = Identifier::parse(&n.to_string())?;
        if !identifier_taken(db, organization_id, &id).await? {
            return Ok(id);
        }
    }
}

async fn identifier_taken<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    identifier: &Identifier,
) -> Result<bool, ServiceError> {
    Ok(client_account::Entity::find()
        .filter(client_account::Column::OrganizationId.eq(organization_id))
        .filter(client_account::Column::Identifier.eq(identifier.as_str()))
        .count(db)
        .await?
        > 0)
}

/// The account of `organization_id` with this identifier, if any.
pub async fn find_by_identifier<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    identifier: &Identifier,
) -> Result<Option<client_account::Model>, ServiceError> {
    Ok(client_account::Entity::find()
        .filter(client_account::Column::OrganizationId.eq(organization_id))
        .filter(client_account::Column::Identifier.eq(identifier.as_str()))
        .one(db)
        .await?)
}

/// Account `id` of the actor's organization, or `NotFound` (also for an
/// account of another organization: its existence is not revealed).
pub async fn find_in_org<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i32,
) -> Result<client_account::Model, ServiceError> {
    client_account::Entity::find_by_id(id)
        .filter(client_account::Column::OrganizationId.eq(actor.organization_id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Creates an account from the Admin Portal's form (User Administrators
/// and Brokers).
pub async fn create_for_staff(
    db: &DatabaseConnection,
    actor: &Actor,
    details: &AccountDetails,
    now: DateTime<Utc>,
) -> Result<client_account::Model, ServiceError> {
    actor.require_account_manager_staff()?;
    let txn = begin_write(db).await?;
    let account = insert(&txn, actor.organization_id, details, actor.audit_ids(), now).await?;
    txn.commit().await?;
    Ok(account)
}

/// Changes an account's name, main phone and address (User Administrators
/// and Brokers). The identifier stays as it is.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    details: &AccountDetails,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    actor.require_account_manager_staff()?;
    let txn = begin_write(db).await?;
    let account = find_in_org(&txn, actor, id).await?;
    let mut changes = Vec::new();
    if account.name != details.name {
        changes.push(format!("name \"{}\" → \"{}\"", account.name, details.name));
    }
    if account.main_phone != details.main_phone {
        changes.push("main phone".to_string());
    }
    if account.address != details.address {
        changes.push("address".to_string());
    }
    if changes.is_empty() {
        return Ok(());
    }
    let identifier = account.identifier.clone();
    let mut row = account.into_active_model();
    row.name = Set(details.name.clone());
    row.name_key = Set(details.name_key());
    row.main_phone = Set(details.main_phone.clone());
    row.phone_digits = Set(details.phone_digits());
    row.address = Set(details.address.clone());
    row.search_text = Set(client_account::search_text(
        &details.name_key(),
        &identifier,
        &details.phone_digits(),
    ));
    row.update(&txn).await?;
    audit::record_by(
        &txn,
        actor,
        audit::action::ACCOUNT_UPDATED,
        None,
        format!("client account {} changed: {}", id, changes.join(", ")),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Gives an account a new identifier (User Administrators and Brokers). It
/// must be free in the organization; the old one stops working at once.
pub async fn change_identifier(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    identifier: &str,
    now: DateTime<Utc>,
) -> Result<Identifier, ServiceError> {
    actor.require_account_manager_staff()?;
    let identifier = Identifier::parse(identifier)?;
    let txn = begin_write(db).await?;
    let account = find_in_org(&txn, actor, id).await?;
    if account.identifier == identifier.as_str() {
        return Ok(identifier);
    }
    let old = account.identifier.clone();
    let search = client_account::search_text(
        &account.name_key,
        identifier.as_str(),
        &account.phone_digits,
    );
    let mut row = account.into_active_model();
    row.identifier = Set(identifier.as_str().to_string());
    row.search_text = Set(search);
    row.update(&txn)
        .await
        .map_err(|e| identifier_conflict(e, "identifier"))?;
    audit::record_by(
        &txn,
        actor,
        audit::action::IDENTIFIER_CHANGED,
        None,
        format!("client account {id}: identifier {old} → {identifier}"),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(identifier)
}

/// An account's page (any staff role of its organization).
pub async fn view<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i32,
) -> Result<AccountView, ServiceError> {
    let role = actor.require_staff()?;
    let account = find_in_org(db, actor, id).await?;
    let (frame, org) = home::frame_and_org(db, actor).await?;
    Ok(AccountView {
        frame,
        id: account.id,
        name: account.name,
        main_phone: account.main_phone.unwrap_or_default(),
        address: account.address.unwrap_or_default(),
        identifier: account.identifier,
        created_at: account.created_at.to_rfc3339(),
        portal_path: format!("/portal/{}", org.slug),
        can_manage: crate::server::auth::actor::manages_accounts(role),
    })
}

/// What the accounts table asks for.
#[derive(Debug, Clone, Default)]
pub struct AccountQuery {
    /// Part of a name, identifier or phone number ("" for every account).
    pub search: String,
    /// The column to sort by.
    pub sort: AccountSort,
    /// Largest first.
    pub descending: bool,
    /// The previous page's cursor (see [`AccountListView::next_cursor`]).
    pub cursor: Option<String>,
}

/// A cursor: the last row's id and sort value, as `id:value`.
fn encode_cursor(sort: AccountSort, row: &client_account::Model) -> String {
    let value = match sort {
        AccountSort::Name => row.name_key.as_str(),
        AccountSort::Identifier => row.identifier.as_str(),
        AccountSort::Phone => row.phone_digits.as_str(),
        AccountSort::Created => "",
    };
    format!("{}:{value}", row.id)
}

fn decode_cursor(cursor: &str) -> Result<(i32, String), ServiceError> {
    cursor
        .split_once(':')
        .and_then(|(id, value)| Some((id.parse().ok()?, value.to_string())))
        .ok_or_else(|| {
            ParseError {
                field: "cursor",
                message: "That page address is not valid; start from the first page.".into(),
            }
            .into()
        })
}

/// `%term%` with LIKE's wildcards escaped.
fn contains(term: &str) -> LikeExpr {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

/// A page of the actor's organization's client accounts (any staff role).
/// Every sort reads an index on (organization, sort key, id), and pages
/// continue after the previous page's last row (keyset), so page 2,000 costs
/// what page 1 costs.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    query: &AccountQuery,
) -> Result<AccountListView, ServiceError> {
    use client_account::Column as C;
    let role = actor.require_staff()?;
    let mut q = client_account::Entity::find().filter(C::OrganizationId.eq(actor.organization_id));
    let term = query.search.trim();
    if !term.is_empty() {
        let mut any = Condition::any().add(C::SearchText.like(contains(&term.to_lowercase())));
        // Typed like a phone number ("(416) 555-0142"): also look for its
        // digits. Only then: "ke778" must not match every "778".
        let looks_like_phone = term
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
        let digits: String = term.chars().filter(char::is_ascii_digit).collect();
        if looks_like_phone && digits.len() >= 3 && digits.len() < term.len() {
            any = any.add(C::SearchText.like(contains(&digits)));
        }
        if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
            // SQLite: the matching ids come from one scan of the covering
            // index on (organization, search_text, id), which never reads a
            // table row; the page then walks the sort's index keeping the
            // ids found, so a rare term costs one index scan and a common
            // one stops early. (Reading rows was 95 % of the cost.)
            let matching = sea_orm::sea_query::Query::select()
                .column(C::Id)
                .from(client_account::Entity)
                .and_where(C::OrganizationId.eq(actor.organization_id))
                .cond_where(any)
                .to_owned();
            q = q.filter(C::Id.in_subquery(matching));
        } else {
            // PostgreSQL plans the plain filter well (a parallel-friendly
            // scan for rare terms, the sort index with an early stop for
            // common ones); the subquery form made its generic plan worse.
            q = q.filter(any);
        }
    }
    let column = match query.sort {
        AccountSort::Name => Some(C::NameKey),
        AccountSort::Identifier => Some(C::Identifier),
        AccountSort::Phone => Some(C::PhoneDigits),
        AccountSort::Created => None,
    };
    let order = if query.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    if let Some(cursor) = query.cursor.as_deref().filter(|c| !c.is_empty()) {
        let (id, value) = decode_cursor(cursor)?;
        let after_id = if query.descending {
            C::Id.lt(id)
        } else {
            C::Id.gt(id)
        };
        q = q.filter(match column {
            None => Condition::all().add(after_id),
            // `key >= v AND (key > v OR id > x)`: the first half gives
            // the index range to start from (a bare OR would make the
            // database read the skipped rows again on every page).
            Some(col) => {
                let (from, beyond) = if query.descending {
                    (col.lte(value.clone()), col.lt(value))
                } else {
                    (col.gte(value.clone()), col.gt(value))
                };
                Condition::all()
                    .add(from)
                    .add(Condition::any().add(beyond).add(after_id))
            }
        });
    }
    if let Some(col) = column {
        q = q.order_by(col, order.clone());
    }
    let mut rows = q
        .order_by(C::Id, order)
        .limit(PAGE_SIZE + 1)
        .all(db)
        .await?;
    let next_cursor = if rows.len() as u64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| encode_cursor(query.sort, r))
    } else {
        None
    };
    Ok(AccountListView {
        frame: home::frame(db, actor).await?,
        rows: rows
            .into_iter()
            .map(|r| AccountRowView {
                id: r.id,
                name: r.name,
                identifier: r.identifier,
                main_phone: r.main_phone,
                created_at: r.created_at.to_rfc3339(),
            })
            .collect(),
        next_cursor,
        can_manage: crate::server::auth::actor::manages_accounts(role),
    })
}
