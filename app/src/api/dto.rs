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
    /// Whether this staff member may import policy downloads (User
    /// Administrators and Brokers).
    pub can_import: bool,
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
    /// Whether they manage the account's office staff (Account Manager).
    pub manages_office_staff: bool,
    /// Set while a staff user emulates this Account Manager.
    pub emulation: Option<EmulationView>,
    /// A Claims Rep (Manager) with Company Access: the accounts to switch
    /// between.
    pub switcher: Option<AccountSwitchView>,
    /// An insured: the portal shows their policies and eDocs instead.
    #[serde(default)]
    pub insured: bool,
}

/// A policy in its insured's portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuredPolicyView {
    /// The policy, its state read against today.
    pub policy: PolicyChipView,
    /// The current term is a renewal of the first one downloaded.
    pub renewed: bool,
    /// In force, and expiring within [`Self::EXPIRING_DAYS`] days.
    pub expiring_soon: bool,
}

impl InsuredPolicyView {
    /// How close to its expiry a policy is marked as expiring soon.
    pub const EXPIRING_DAYS: i64 = 45;
}

/// The insured's portal: their policies, their eDocs, their account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuredHomeView {
    /// The brokerage.
    pub organization_name: String,
    /// Its short name (the portal's address).
    pub organization_slug: String,
    /// The insured's name.
    pub insured_name: String,
    /// The login's name for the top bar.
    pub display_name: String,
    /// The email they sign in with.
    pub email: String,
    /// Their account's identifier (needed to sign in).
    pub identifier: String,
    /// Their policies: in force first, latest expiry first.
    pub policies: Vec<InsuredPolicyView>,
    /// Their eDocs, newest first (only the chosen policy's, when one is).
    pub documents: EdocsView,
    /// The policy the documents are filtered by.
    pub policy_filter: Option<i32>,
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
    /// Set while a staff user emulates an Account Manager: every page shows
    /// the banner.
    pub emulation: Option<EmulationView>,
}

/// The emulation banner's facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmulationView {
    /// The staff user at the keyboard.
    pub staff_name: String,
    /// The Account Manager being emulated.
    pub account_manager: String,
    /// Their account's name.
    pub account: String,
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

/// One row of the client accounts table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRowView {
    /// The account's id (for its page's address).
    pub id: i32,
    /// The client's name.
    pub name: String,
    /// The identifier clients sign in with.
    pub identifier: String,
    /// Main phone as typed, if any.
    pub main_phone: Option<String>,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

/// A page of the client accounts table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountListView {
    /// The top bar.
    pub frame: FrameView,
    /// The rows of this page.
    pub rows: Vec<AccountRowView>,
    /// The cursor of the next page, when there is one.
    pub next_cursor: Option<String>,
    /// Whether the actor may create and edit accounts.
    pub can_manage: bool,
}

/// A client account's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    /// The top bar.
    pub frame: FrameView,
    /// The account's id.
    pub id: i32,
    /// The client's name.
    pub name: String,
    /// Main phone as typed ("" without one).
    pub main_phone: String,
    /// Postal address ("" without one).
    pub address: String,
    /// The identifier clients sign in with.
    pub identifier: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// The Client Portal's address for this organization.
    pub portal_path: String,
    /// Whether the actor may edit it and manage its Account Manager.
    pub can_manage: bool,
}

/// A login of a client account as its lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientUserView {
    /// The user's id.
    pub id: i32,
    /// "First Last".
    pub display_name: String,
    /// Their username (unique in the account).
    pub username: String,
    /// Whether the login is active.
    pub active: bool,
    /// Office staff: may change documents.
    pub can_modify: bool,
    /// Office staff: may delete documents.
    pub can_delete: bool,
    /// Still has to replace an initial password.
    pub must_change_password: bool,
    /// Last sign-in (RFC 3339), if any.
    pub last_login_at: Option<String>,
    /// The latest audited action about them, e.g. "Password reset by
    /// someone else · Dana Park as Sam Lee".
    pub latest_activity: Option<LatestActivityView>,
}

/// The latest audited action about a user, for the lists' "Latest activity".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatestActivityView {
    /// What happened.
    pub action: String,
    /// Who did it: "Dana Park", or "Dana Park as Sam Lee" while emulating.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
}

/// The Account Manager page of one account (Admin Portal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountManagerView {
    /// The top bar.
    pub frame: FrameView,
    /// The account's id.
    pub account_id: i32,
    /// The account's name.
    pub account_name: String,
    /// The identifier the Account Manager signs in with.
    pub identifier: String,
    /// The Client Portal's sign-in address.
    pub portal_path: String,
    /// The Account Manager's login, once created.
    pub manager: Option<ClientUserView>,
    /// The account's office staff, by name: the first 50 at most.
    pub office_staff: Vec<ClientUserView>,
    /// How many office staff the account has in all.
    pub office_staff_total: u64,
    /// Whether the actor may create or reset the login and emulate.
    pub can_manage: bool,
    /// The organization's password rules, for the live checklist.
    pub policy: crate::domain::PasswordPolicy,
}

/// The Account Manager's office staff page (Client Portal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeStaffListView {
    /// The top bar.
    pub frame: FrameView,
    /// The account's name.
    pub account_name: String,
    /// This page of the office staff, by last then first name.
    pub staff: Vec<ClientUserView>,
    /// How many office staff the account has in all.
    pub total: u64,
    /// The position of this page's first row in the whole list (1 on the
    /// first page).
    pub first_shown: u64,
    /// When more follow: the cursor of the next page (the last id shown).
    pub next: Option<i32>,
    /// The organization's password rules.
    pub policy: crate::domain::PasswordPolicy,
    /// Whether the actor may grant `can_modify` (only rights they hold).
    pub may_grant_modify: bool,
    /// Whether the actor may grant `can_delete`.
    pub may_grant_delete: bool,
}

/// One document of a client account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentView {
    /// The document's id.
    pub id: i32,
    /// Whether it is a PDF file (else a report).
    pub is_pdf: bool,
    /// The report's title, or the PDF's file name.
    pub title: String,
    /// The report's text ("" for a PDF).
    pub body: String,
    /// PDF: size in bytes.
    pub size_bytes: Option<i64>,
    /// PDF: issue date (YYYY-MM-DD).
    pub issue_date: Option<String>,
    /// PDF: business purpose.
    pub business_purpose: Option<String>,
    /// PDF: document type.
    pub document_type: Option<String>,
    /// Who created it ("Dana Park as Sam Lee" when emulating).
    pub created_by: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// Who changed it last.
    pub modified_by: String,
    /// When (RFC 3339).
    pub modified_at: String,
}

/// One eDoc of an insured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EdocView {
    /// Its id (the download is `/documents/{id}/file`).
    pub id: i32,
    /// The issue date (YYYY-MM-DD).
    pub issue_date: String,
    /// The business purpose's label ("Renewal").
    pub business_purpose: String,
    /// The document type's label ("Liability slip / pink card").
    pub document_type: String,
    /// The file name it is offered under.
    pub file_name: String,
    /// Its size in bytes.
    pub size_bytes: i64,
    /// The policy it is about, when one.
    pub policy_id: Option<i32>,
    /// That policy's number.
    pub policy_number: Option<String>,
    /// Who added it, or "Import 12" for one embedded in a download.
    pub added_by: String,
    /// When (RFC 3339).
    pub added_at: String,
}

/// A policy an eDoc may be about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EdocPolicyView {
    /// Its id.
    pub id: i32,
    /// Its number.
    pub policy_number: String,
    /// Its line of business as downloaded.
    pub line_of_business: String,
}

/// An insured's eDocs and what the actor may do with them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EdocsView {
    /// The insured.
    pub insured_id: i32,
    /// Their name.
    pub insured_name: String,
    /// The newest eDocs first (at most [`Self::MAX_SHOWN`]).
    pub edocs: Vec<EdocView>,
    /// How many eDocs the insured has in all (with the filter).
    pub total: u64,
    /// The insured's policies, for the policy choice and filter.
    pub policies: Vec<EdocPolicyView>,
    /// May add eDocs.
    pub can_add: bool,
    /// May delete eDocs.
    pub can_delete: bool,
    /// The upload size limit in bytes.
    pub max_upload_bytes: u64,
}

impl EdocsView {
    /// eDocs listed at once: an insured has a few per policy and term.
    pub const MAX_SHOWN: u64 = 200;
}

/// A client account's documents and what the actor may do with them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentsView {
    /// The account they belong to.
    pub account_id: i32,
    /// This page of them, newest first.
    pub documents: Vec<DocumentView>,
    /// How many the account has in all.
    pub total: u64,
    /// The position of this page's first document in the whole list (1 on
    /// the first page).
    pub first_shown: u64,
    /// When older documents follow: the cursor of the next page (the last
    /// id shown here).
    pub older: Option<i32>,
    /// The bytes the account's PDFs take.
    pub storage_used_bytes: u64,
    /// The account's storage quota in bytes, when there is one.
    pub storage_quota_bytes: Option<u64>,
    /// May add reports and upload PDFs.
    pub can_add: bool,
    /// May edit.
    pub can_modify: bool,
    /// May delete.
    pub can_delete: bool,
    /// The upload size limit in bytes.
    pub max_upload_bytes: u64,
}

/// One login in the People directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRowView {
    /// The login's id.
    pub id: i32,
    /// "First M. Last".
    pub display_name: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Username.
    pub username: String,
    /// The role's stored value (for the role form).
    pub role: String,
    /// The role as people say it.
    pub role_label: String,
    /// The person is active (not disabled).
    pub active: bool,
    /// The login may sign in.
    pub can_login: bool,
    /// An email is on file (a password link can be sent).
    pub has_email: bool,
    /// The login has a password (else a link is a welcome link).
    pub has_password: bool,
    /// Last sign-in (RFC 3339), if any.
    pub last_login_at: Option<String>,
    /// When the login was created (RFC 3339).
    pub created_at: String,
    /// The latest administrative action on the login, in words:
    /// "Password reset · 2 Dec 14:05 · by Ana Morgan".
    pub description: Option<String>,
    /// When that action happened (RFC 3339).
    pub description_at: Option<String>,
    /// Client logins: their account's name.
    pub account_name: Option<String>,
    /// Client logins: their account's identifier.
    pub account_identifier: Option<String>,
    /// Client logins: their account's id (for its page).
    pub account_id: Option<i32>,
    /// Staff logins: the Staff ID of their Staff Master record, if any.
    pub staff_id: Option<String>,
}

/// A page of the People directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleListView {
    /// The top bar.
    pub frame: FrameView,
    /// The rows of this page.
    pub rows: Vec<PersonRowView>,
    /// The cursor of the next page, when there is one.
    pub next_cursor: Option<String>,
    /// Active logins (active, may sign in) matching the name filter and the
    /// role, counted up to [`Self::count_capped`].
    pub active_count: u64,
    /// The count stopped at its cap: show it as "10,000+".
    pub count_capped: bool,
    /// The actor is a User Administrator: the row actions are offered.
    pub can_administer: bool,
    /// The signed-in user's own id (their row has no actions).
    pub own_id: i32,
    /// The organization's password policy, for the reset dialog.
    pub policy: crate::domain::PasswordPolicy,
}

/// A client account to choose (Company Access, the account switcher).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountChoiceView {
    /// The account's id.
    pub id: i32,
    /// Its name.
    pub name: String,
    /// Its identifier.
    pub identifier: String,
}

/// A linked client account on a person's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyLinkView {
    /// The account.
    pub account: AccountChoiceView,
    /// May change its documents.
    pub can_modify: bool,
    /// May delete its documents.
    pub can_delete: bool,
}

/// The Company Access section of a Claims Rep (Manager)'s page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyAccessView {
    /// The accounts linked, by name.
    pub links: Vec<CompanyLinkView>,
    /// Accounts that can still be linked, by name (at most
    /// [`Self::AVAILABLE_LIMIT`]; narrow with the page's account filter).
    pub available: Vec<AccountChoiceView>,
    /// More accounts match than are listed.
    pub more_available: bool,
}

impl CompanyAccessView {
    /// How many linkable accounts the drop-down lists at most.
    pub const AVAILABLE_LIMIT: u64 = 200;
}

/// One line of a person's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntryView {
    /// The event's id.
    pub id: i32,
    /// When (RFC 3339).
    pub at: String,
    /// What happened, in words.
    pub action: String,
    /// Details.
    pub details: String,
    /// Who did it ("Dana Park", "Dana Park as Sam Lee", "Gatehouse").
    pub by: String,
}

/// A person's page in the Admin Portal (`/admin/people/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    /// The top bar.
    pub frame: FrameView,
    /// The login's id.
    pub id: i32,
    /// A staff login (else a client login).
    pub is_staff: bool,
    /// "First M. Last".
    pub display_name: String,
    /// First name.
    pub first_name: String,
    /// Middle name or initial ("" for none).
    pub middle_name: String,
    /// Last name.
    pub last_name: String,
    /// Username.
    pub username: String,
    /// Email ("" for none).
    pub email: String,
    /// Phone ("" for none).
    pub phone: String,
    /// Email, phone and password state are shown (User Administrators).
    pub contact_shown: bool,
    /// The login has a password.
    pub has_password: bool,
    /// The role's stored value.
    pub role: String,
    /// The role in words.
    pub role_label: String,
    /// The person is active.
    pub active: bool,
    /// The login may sign in.
    pub can_login: bool,
    /// Must replace an initial password.
    pub must_change_password: bool,
    /// Last sign-in (RFC 3339), if any.
    pub last_login_at: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// A client login's own account.
    pub account: Option<AccountChoiceView>,
    /// Claims Reps and Claims Rep Managers: their Company Access.
    pub company_access: Option<CompanyAccessView>,
    /// Client logins (User Administrators): other logins of the same
    /// person.
    pub other_logins: Vec<OtherLoginView>,
    /// Audited actions about this login, newest first.
    pub history: Vec<HistoryEntryView>,
    /// Where the next page of history starts.
    pub history_next: Option<i32>,
    /// The actor may change this login (User Administrator, not themselves).
    pub can_administer: bool,
    /// The organization's password policy.
    pub policy: crate::domain::PasswordPolicy,
}

/// The account switcher of a Claims Rep (Manager) with Company Access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSwitchView {
    /// The account being worked in.
    pub current: i32,
    /// The user's own account (the one they sign in with).
    pub home: i32,
    /// Their own account and every linked one, by name.
    pub choices: Vec<AccountChoiceView>,
}

/// Another login that looks like the same person (same email, or same first
/// and last name), on a client's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherLoginView {
    /// The login's id.
    pub id: i32,
    /// "First M. Last".
    pub display_name: String,
    /// Username.
    pub username: String,
    /// Role in words.
    pub role_label: String,
    /// Its account's name.
    pub account_name: String,
    /// Its account's identifier.
    pub account_identifier: String,
    /// Found by the same email (else by the same name).
    pub same_email: bool,
    /// An Account Manager's login (never folded in).
    pub is_account_manager: bool,
    /// Still active.
    pub active: bool,
}

/// What consolidating a person's logins changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsolidationView {
    /// Accounts newly linked to the kept login.
    pub linked: Vec<String>,
    /// Usernames of the logins made inactive.
    pub deactivated: Vec<String>,
}

/// The totals of an import (also its progress while it runs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportTotalsView {
    /// Files read so far, imported or rejected.
    pub files: u32,
    /// Policies in the imported files.
    pub policies: u32,
    /// Policies that made a new insured.
    pub new_insureds: u32,
    /// New policies attached to an existing insured automatically.
    pub attached: u32,
    /// Known policies replaced by a newer download.
    pub updated: u32,
    /// Known policies whose download was older or identical.
    pub unchanged: u32,
    /// Files rejected.
    pub rejected: u32,
    /// eDocs added from documents embedded in the downloads.
    #[serde(default)]
    pub edocs: u32,
}

/// What an import did with one policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportItemView {
    /// 1-based position in its file.
    pub seq: u32,
    /// The carrier's code.
    pub carrier_code: String,
    /// The policy number as downloaded.
    pub policy_number: String,
    /// `new_insured`, `attached`, `updated` or `unchanged`.
    pub outcome: String,
    /// The outcome in words ("New insured", "Attached automatically", …).
    pub outcome_label: String,
    /// The insured it is attached to.
    pub insured: Option<InsuredRefView>,
    /// For a new insured, the existing one it nearly matched.
    pub near_match: Option<InsuredRefView>,
    /// For a new insured, which of name, address and postal code differed
    /// from the nearest insured.
    pub differences: Option<String>,
    /// A short explanation.
    pub note: Option<String>,
}

/// An insured named in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuredRefView {
    /// Its id (for links).
    pub id: i32,
    /// Its full name.
    pub full_name: String,
}

/// One file of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportFileView {
    /// As uploaded or found.
    pub file_name: String,
    /// Imported whole (true) or rejected (false).
    pub imported: bool,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// Its policies, in file order (none when rejected).
    pub items: Vec<ImportItemView>,
}

/// An import's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReportView {
    /// The import's id.
    pub id: i32,
    /// "Upload", "Command line" or "Watched folder".
    pub source: String,
    /// Who started it, when a person did.
    pub started_by: Option<String>,
    /// RFC 3339.
    pub started_at: String,
    /// RFC 3339; `None` while it runs.
    pub finished_at: Option<String>,
    /// The totals.
    pub totals: ImportTotalsView,
    /// The files of this page, in the order read.
    pub files: Vec<ImportFileView>,
    /// This page of files (0-based).
    pub page: u32,
    /// How many pages of files there are.
    pub pages: u32,
}

/// An import's totals while it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProgressView {
    /// The totals so far.
    pub totals: ImportTotalsView,
    /// All files are read.
    pub finished: bool,
}

/// One import in the list of recent ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRunRowView {
    /// Its id (the report's address).
    pub id: i32,
    /// "Upload", "Command line" or "Watched folder".
    pub source: String,
    /// Who started it, when a person did.
    pub started_by: Option<String>,
    /// RFC 3339.
    pub started_at: String,
    /// Still running.
    pub running: bool,
    /// Cut off before it finished (what it did import stays).
    pub interrupted: bool,
    /// Its totals.
    pub totals: ImportTotalsView,
}

/// A page of the organization's imports, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportListView {
    /// The imports.
    pub rows: Vec<ImportRunRowView>,
    /// The cursor of the next (older) page, if there is one.
    pub next: Option<i32>,
}

/// The Imports page: the frame and the list of imports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportsPageView {
    /// The top bar.
    pub frame: FrameView,
    /// Largest upload, in bytes.
    pub max_upload_bytes: u64,
    /// Largest single download file, in bytes.
    pub max_file_bytes: u64,
    /// The imports, newest first.
    pub list: ImportListView,
}

/// An import's report page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReportPageView {
    /// The top bar.
    pub frame: FrameView,
    /// The report.
    pub report: ImportReportView,
}

/// A policy as the Insureds table and the attach panel show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyChipView {
    /// Its id (for Add and Remove).
    pub id: i32,
    /// The carrier's code.
    pub carrier_code: String,
    /// As the carrier writes it.
    pub policy_number: String,
    /// The line of business in words ("Personal auto").
    pub line_of_business: String,
    /// `YYYY-MM-DD`.
    pub effective_date: String,
    /// `YYYY-MM-DD`.
    pub expiry_date: String,
    /// `active`, `expired` (past its expiry date) or `cancelled`.
    pub state: String,
}

/// One row of the Insureds table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuredRowView {
    /// Its id.
    pub id: i32,
    /// As first downloaded.
    pub full_name: String,
    /// Street address.
    pub address: String,
    /// City and province ("Toronto ON").
    pub place: String,
    /// As shown (`M5V 2T6`).
    pub postal_code: String,
    /// The registered login's email, when registered.
    pub email: Option<String>,
    /// Flagged by an import as a near match to be checked.
    pub needs_attaching: bool,
    /// The insured it nearly matched.
    pub likely_match: Option<InsuredRefView>,
    /// Its policies, latest expiry first (at most [`Self::MAX_SHOWN`]).
    pub policies: Vec<PolicyChipView>,
    /// How many policies it has in all.
    pub policy_count: u32,
    /// When a download last named it (RFC 3339).
    pub latest_download_at: String,
    /// When it was registered (RFC 3339), once it is.
    pub registered_at: Option<String>,
    /// Its login's latest sign-in (RFC 3339), if it ever signed in.
    pub last_sign_in_at: Option<String>,
    /// Registered, but no password chosen yet: the welcome can be sent
    /// again.
    pub welcome_pending: bool,
}

impl InsuredRowView {
    /// Policies listed on a row; the attach panel lists them all.
    pub const MAX_SHOWN: usize = 6;
}

/// A page of the Insureds table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuredsListView {
    /// The top bar.
    pub frame: FrameView,
    /// The rows of this page.
    pub rows: Vec<InsuredRowView>,
    /// The cursor of the next page, when there is one.
    pub next_cursor: Option<String>,
    /// Insureds matching, counted up to a cap.
    pub count: u64,
    /// The count stopped at its cap: show it as "1,000+".
    pub count_capped: bool,
    /// The actor may attach and remove policies (User Administrator or
    /// Broker).
    pub can_attach: bool,
}

/// The Attach/Unattach Policies panel of one insured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachPanelView {
    /// The insured.
    pub insured: InsuredRefView,
    /// Its policies, latest expiry first.
    pub policies: Vec<PolicyChipView>,
}

/// A policy found by number in the attach panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyFoundView {
    /// The policy.
    pub policy: PolicyChipView,
    /// The insured it is attached to now.
    pub insured: InsuredRefView,
    /// That insured is registered (moving the policy needs a confirmation:
    /// it leaves their portal).
    pub insured_registered: bool,
    /// It is already attached to the insured the panel is for.
    pub here: bool,
}

/// The Create Users page before anything is typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateUsersView {
    /// The page frame.
    pub frame: FrameView,
    /// Every generated username starts with it.
    pub agency_prefix: String,
    /// What the initial password must meet.
    pub policy: crate::domain::PasswordPolicy,
    /// User Administrators the organization may still add.
    pub administrator_places: u64,
    /// The most it may have.
    pub max_administrators: i32,
    /// The most rows one batch may have.
    pub max_rows: usize,
    /// Whether emails go to the development mailbox instead of SMTP.
    pub dev_mailbox: bool,
}

/// A login Create Users made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedLoginView {
    /// The grid row's key.
    pub key: u32,
    /// The new login's id (for its page).
    pub user_id: i32,
    /// Its username.
    pub username: String,
    /// A welcome link was emailed instead of using the initial password.
    pub welcome_link: bool,
}

/// One line of what creating a batch streams back, as it happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreateUsersEvent {
    /// Initial passwords prepared so far.
    Hashing {
        /// Done.
        done: usize,
        /// Of.
        total: usize,
    },
    /// Logins written so far (not yet committed).
    Creating {
        /// Done.
        done: usize,
        /// Of.
        total: usize,
    },
    /// The batch was created, every row of it.
    Created(Vec<CreatedLoginView>),
    /// Nothing was created: the rows' verdicts now.
    Refused(Vec<crate::domain::new_users::RowCheck>),
    /// Nothing was created: why.
    Failed(crate::error::AppError),
}

impl CreateUsersEvent {
    /// The event as one line of ASCII JSON: the stream's chunks are decoded
    /// one by one, so no character may be split across two of them.
    pub fn to_line(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_else(|_| "null".into());
        let mut line = String::with_capacity(json.len() + 1);
        for c in json.chars() {
            if c.is_ascii() {
                line.push(c);
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    line.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
        line.push('\n');
        line
    }
}

/// One Staff Master record as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRecordView {
    /// The record's id (for editing).
    pub id: i32,
    /// Staff ID as typed.
    pub staff_id: String,
    /// First name.
    pub first_name: String,
    /// Middle initial ("" for none).
    pub middle_initial: String,
    /// Last name.
    pub last_name: String,
    /// `YYYY-MM-DD`.
    pub hire_date: String,
    /// The linked login's id.
    pub user_id: Option<i32>,
    /// The linked login's username.
    pub username: Option<String>,
}

/// A staff login a record may be linked to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffLoginOption {
    /// The login's id.
    pub user_id: i32,
    /// "username (First Last)".
    pub label: String,
}

/// The Staff Master page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMasterView {
    /// The page frame.
    pub frame: FrameView,
    /// This page of records.
    pub records: Vec<StaffRecordView>,
    /// Records matching the search.
    pub total: u64,
    /// Records per page.
    pub page_size: u64,
    /// Staff logins not linked to any record yet.
    pub unlinked_logins: Vec<StaffLoginOption>,
    /// Rows to add, prefilled from logins just created.
    pub prefilled: Vec<crate::domain::staff_master::StaffRecordInput>,
    /// How many days ahead of today a hire date may be.
    pub days_ahead: i32,
}

/// A problem with one row of a Staff Master save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRowProblem {
    /// The row's position in what was sent.
    pub row: usize,
    /// The field.
    pub field: String,
    /// What to fix.
    pub message: String,
}

/// What saving Staff Master records did: the ids saved, or (nothing saved)
/// the problems by row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSaveView {
    /// Saved records' ids, in the rows' order.
    pub saved: Vec<i32>,
    /// Problems, when nothing was saved.
    pub problems: Vec<StaffRowProblem>,
}

/// The organization's settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsView {
    /// The page frame.
    pub frame: FrameView,
    /// The organization's short name.
    pub organization_slug: String,
    /// Set by the platform operator.
    pub agency_prefix: String,
    /// Set by the platform operator.
    pub max_user_administrators: i32,
    /// User Administrators now.
    pub user_administrators: u64,
    /// The password policy.
    pub policy: crate::domain::PasswordPolicy,
    /// Days a hire date may be ahead of today.
    pub hire_date_days_ahead: i32,
}
