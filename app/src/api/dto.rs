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
    /// Whether this staff member may read the audit log (User Administrators).
    pub can_read_audit: bool,
    /// Whether the development mailbox is on.
    pub dev_mailbox: bool,
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

/// The top bar of a signed-in page: whose organization, who.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameView {
    /// The organization's name.
    pub organization_name: String,
    /// The signed-in user, "First M. Last".
    pub display_name: String,
}

/// What a password form shows: the rules, and whose password it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordFormView {
    /// "First M. Last".
    pub display_name: String,
    /// The username (a password may not contain it).
    pub username: String,
    /// The organization's name.
    pub organization_name: String,
    /// The organization's password rules, checked live as the user types.
    pub policy: crate::domain::PasswordPolicy,
    /// True while an initial password must be replaced before anything else.
    pub forced: bool,
    /// True for a welcome link (choosing a first password).
    pub welcome: bool,
    /// Where to go once done (landing page, or the portal's sign-in page).
    pub done_page: String,
}

/// A user as the audit page names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRefView {
    /// The user's id (for the "only this user" filter).
    pub id: i32,
    /// "First M. Last".
    pub name: String,
    /// Username.
    pub username: String,
}

/// One audit event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryView {
    /// The event's id.
    pub id: i32,
    /// When, RFC 3339 (UTC).
    pub at: String,
    /// Who acted (`None`: a visitor or the platform operator).
    pub actor: Option<UserRefView>,
    /// Whom the actor acted for (emulation).
    pub on_behalf_of: Option<UserRefView>,
    /// The stored action code.
    pub action: String,
    /// The action as users name it.
    pub action_label: String,
    /// The user the event was about.
    pub target: Option<UserRefView>,
    /// Details.
    pub details: String,
}

/// A page of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogView {
    /// Newest first.
    pub entries: Vec<AuditEntryView>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<i32>,
    /// The user the page is filtered to, if any.
    pub filter_user: Option<UserRefView>,
    /// The top bar.
    pub frame: FrameView,
}

/// One message in the development mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxMessageView {
    /// Outbox id.
    pub id: i32,
    /// Recipient.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// When it was queued, RFC 3339.
    pub queued_at: String,
    /// When it was delivered, if it was.
    pub sent_at: Option<String>,
    /// Delivery attempts.
    pub attempts: i32,
}

/// The development mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxView {
    /// Newest first.
    pub messages: Vec<MailboxMessageView>,
    /// The top bar.
    pub frame: FrameView,
}
