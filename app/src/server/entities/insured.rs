//! `insureds`: the people and companies a brokerage's policy downloads are
//! for. Created by imports; a policy attaches to one automatically only when
//! the full name, the address and the postal code match exactly.

use crate::domain::{insured as keys, names};
use sea_orm::{entity::prelude::*, Condition};

/// One insured of an organization.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "insureds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    /// As first downloaded: "Jane Q Smith" or "Smith Bakery Ltd.".
    pub full_name: String,
    /// The surname (the whole name for a company): near matches compare it.
    pub last_name: String,
    pub address: String,
    pub city: String,
    pub province: String,
    pub postal_code: String,
    /// The registered login's email (kept in step with the login's); a
    /// download's email is kept on the policy, not here.
    pub email: Option<String>,
    pub phone: Option<String>,
    /// [`keys::insured_match_key`]: unique in the organization.
    pub match_key: String,
    /// The full name in matching form (`keys::match_text`).
    pub name_key: String,
    /// The last name in matching form.
    pub last_name_key: String,
    /// The postal code in matching form (`keys::postal_key`).
    pub postal_key: String,
    /// What the Insureds search looks in: the folded full name and email.
    pub search_text: String,
    /// Created by an import as a near match of another insured; the broker
    /// decides whether its policies belong there.
    pub needs_attaching: bool,
    /// The insured it nearly matched.
    pub likely_match_id: Option<i32>,
    /// When a download last named this insured.
    pub latest_download_at: DateTimeUtc,
    /// How many policies are attached (0: hidden from the default view).
    pub policy_count: i32,
    /// The latest expiry date of its policies as `yyyymmdd` (0: none).
    pub expiry_key: i32,
    /// The latest expiry date of its policies not cancelled, as
    /// `yyyymmdd` (0: none): "active policies" compares it with today.
    pub active_until_key: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The client account registering the insured created (or found).
    pub client_account_id: Option<i32>,
    /// The insured's login (role Insured, the email as username), once a
    /// broker has registered them.
    pub user_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The insureds `ids` of organization `org`: found by id, the organization
/// only checked.
///
/// Without statistics SQLite prefers any (organization, …) index to a list
/// of ids, and walked every insured of the organization through one (4 ms
/// per imported file at 40,000 insureds). `organization_id + 0` is the same
/// test, but no index can serve it, so the ids are looked up.
pub fn ids_in_organization(org: i32, ids: impl IntoIterator<Item = i32>) -> Condition {
    use sea_orm::sea_query::ExprTrait;
    Condition::all()
        .add(Expr::col((Entity, Column::OrganizationId)).add(0).eq(org))
        .add(Column::Id.is_in(ids))
}

/// The derived columns of an insured, computed in one place.
pub struct Keys {
    pub match_key: String,
    pub name_key: String,
    pub last_name_key: String,
    pub postal_key: String,
    pub search_text: String,
}

impl Keys {
    /// The keys of an insured with these details.
    pub fn of(
        full_name: &str,
        last_name: &str,
        address: &str,
        postal_code: &str,
        email: Option<&str>,
    ) -> Self {
        let mut search_text = names::fold(full_name);
        if let Some(email) = email {
            search_text.push(' ');
            // Folded as the search term is, so an accent typed in an
            // email finds it.
            search_text.push_str(&names::fold(email));
        }
        Self {
            match_key: keys::insured_match_key(full_name, address, postal_code),
            name_key: keys::match_text(full_name),
            last_name_key: keys::match_text(last_name),
            postal_key: keys::postal_key(postal_code),
            search_text,
        }
    }
}
