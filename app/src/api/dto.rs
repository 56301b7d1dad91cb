//! What server functions return: plain serialisable views, built by services
//! for one actor. No password hash or internal id that the page does not need
//! ever appears here.

use serde::{Deserialize, Serialize};

/// The Admin Portal landing page's view of the signed-in staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffHomeView {
    /// The organization's name.
    pub organization_name: String,
    /// Its short name.
    pub organization_slug: String,
    /// Its agency prefix.
    pub agency_prefix: String,
    /// "First M. Last".
    pub display_name: String,
    /// The staff member's username.
    pub username: String,
    /// Their role, as users name it.
    pub role: String,
    /// When they signed in (this session), RFC 3339.
    pub signed_in_at: Option<String>,
    /// Number of client accounts in the organization.
    pub client_accounts: u64,
    /// Number of staff logins in the organization.
    pub staff_logins: u64,
    /// Number of client logins in the organization.
    pub client_logins: u64,
}

/// The Client Portal landing page's view of the signed-in client user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientHomeView {
    /// The organization (service company) the portal belongs to.
    pub organization_name: String,
    /// Its short name (the portal's address).
    pub organization_slug: String,
    /// The client account's name.
    pub account_name: String,
    /// The account's identifier.
    pub identifier: String,
    /// "First Last".
    pub display_name: String,
    /// The user's username.
    pub username: String,
    /// Their role in the account.
    pub role: String,
}

/// The public face of a Client Portal before sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalView {
    /// The organization's name, shown on its portal's sign-in page.
    pub organization_name: String,
    /// Its short name.
    pub organization_slug: String,
}
