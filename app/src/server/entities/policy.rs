//! `policies`: one row per (organization, carrier, policy number), from the
//! newest CSIO download of it; always attached to an insured.

use sea_orm::entity::prelude::*;

/// A policy as last downloaded.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "policies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    /// `domain::insured::policy_key`: unique in the organization.
    pub policy_key: String,
    pub carrier_code: String,
    pub policy_number: String,
    /// `domain::insured::policy_number_key`: what number searches use.
    pub number_key: String,
    pub line_of_business: String,
    pub effective_date: Date,
    pub expiry_date: Date,
    /// The effective date of the first term downloaded: a later
    /// `effective_date` means the policy was renewed since.
    pub first_effective_date: Option<Date>,
    /// `active` or `cancelled` (expired is read from the expiry date).
    pub status: String,
    pub premium_cents: Option<i64>,
    /// The insured's name, address and postal code as the download gave
    /// them (the insured it is attached to may say otherwise).
    pub downloaded_name: String,
    pub downloaded_address: String,
    pub downloaded_city: String,
    pub downloaded_province: String,
    pub downloaded_postal_code: String,
    pub downloaded_email: Option<String>,
    pub insured_id: i32,
    /// The import file this version came from.
    pub import_file_id: i32,
    /// When the carrier produced the download: a later one replaces this.
    pub produced_at: DateTimeUtc,
    /// SHA-256 of the downloaded values: an identical download changes
    /// nothing.
    pub content_hash: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
