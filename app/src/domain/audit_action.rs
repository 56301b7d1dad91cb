//! The actions the audit trail records, as stored, with the labels the audit
//! page shows. Kept in the wasm-safe domain so the page's filter and the
//! server agree on the list.

/// A user signed in.
pub const SIGN_IN: &str = "sign_in";
/// A sign-in was refused for a known organization.
pub const SIGN_IN_FAILED: &str = "sign_in_failed";
/// A sign-in key was locked after repeated failures.
pub const SIGN_IN_LOCKED: &str = "sign_in_locked";
/// A user signed out.
pub const SIGN_OUT: &str = "sign_out";
/// An organization was created by the platform operator.
pub const ORGANIZATION_CREATED: &str = "organization_created";
/// A client account was created.
pub const ACCOUNT_CREATED: &str = "account_created";
/// A login was created.
pub const USER_CREATED: &str = "user_created";
/// A user changed their own password.
pub const PASSWORD_CHANGED: &str = "password_changed";
/// A password-reset link was requested and queued.
pub const RESET_REQUESTED: &str = "reset_requested";
/// A reset or welcome link was used to set a password.
pub const RESET_USED: &str = "reset_used";
/// A welcome link was issued by staff.
pub const WELCOME_SENT: &str = "welcome_sent";
/// A reminder of the user's identifiers was queued.
pub const IDENTIFIER_REMINDER: &str = "identifier_reminder";
/// An email was put in the outbox.
pub const EMAIL_QUEUED: &str = "email_queued";
/// A self-service email was not queued: the login's hourly cap was reached.
pub const EMAIL_WITHHELD: &str = "email_withheld";
/// A user was disabled (made inactive).
pub const USER_DISABLED: &str = "user_disabled";
/// A user was enabled (made active).
pub const USER_ENABLED: &str = "user_enabled";
/// A user's Can Login was removed.
pub const LOGIN_REVOKED: &str = "login_revoked";
/// A user's Can Login was granted.
pub const LOGIN_GRANTED: &str = "login_granted";
/// A client account's name, phone or address was changed.
pub const ACCOUNT_UPDATED: &str = "account_updated";
/// A client account's identifier was changed.
pub const IDENTIFIER_CHANGED: &str = "identifier_changed";
/// Someone set another user's password (an initial one to change).
pub const PASSWORD_RESET: &str = "password_reset";
/// A staff user's role was changed.
pub const ROLE_CHANGED: &str = "role_changed";
/// A User Administrator sent someone a password-reset link.
pub const RESET_LINK_SENT: &str = "reset_link_sent";
/// A login was given Company Access to a client account.
pub const COMPANY_LINKED: &str = "company_linked";
/// A login's Company Access to a client account was removed.
pub const COMPANY_UNLINKED: &str = "company_unlinked";
/// A Claims Rep (Manager) switched to another account they have access to.
pub const ACCOUNT_SWITCHED: &str = "account_switched";
/// A login's names, email or phone were changed by someone else.
pub const DETAILS_CHANGED: &str = "details_changed";
/// The platform operator changed how many User Administrators an
/// organization may have.
pub const ADMIN_LIMIT_CHANGED: &str = "admin_limit_changed";
/// A staff user started emulating an Account Manager.
pub const EMULATION_STARTED: &str = "emulation_started";
/// A staff user stopped emulating an Account Manager.
pub const EMULATION_STOPPED: &str = "emulation_stopped";
/// An office staff user's modify/delete rights were changed.
pub const RIGHTS_CHANGED: &str = "rights_changed";
/// A document (report or PDF) was added to a client account.
pub const DOCUMENT_ADDED: &str = "document_added";
/// A document was changed.
pub const DOCUMENT_CHANGED: &str = "document_changed";
/// A document was deleted.
pub const DOCUMENT_DELETED: &str = "document_deleted";

/// CSIO policy downloads were imported.
pub const POLICIES_IMPORTED: &str = "policies_imported";

/// A policy was attached by hand to an insured (moved from another one).
pub const POLICY_ATTACHED: &str = "policy_attached";

/// A policy was removed from an insured (to an insured of its own).
pub const POLICY_REMOVED: &str = "policy_removed";

/// A broker registered an insured: a login (role Insured) with their email.
pub const INSURED_REGISTERED: &str = "insured_registered";

/// A broker changed a registered insured's email (and so their sign-in).
pub const INSURED_EMAIL_CHANGED: &str = "insured_email_changed";

/// A Staff Master record was added.
pub const STAFF_RECORD_ADDED: &str = "staff_record_added";

/// A Staff Master record was changed (details or linked login).
pub const STAFF_RECORD_CHANGED: &str = "staff_record_changed";

/// The organization's password policy or other settings were changed.
pub const SETTINGS_CHANGED: &str = "settings_changed";

/// Every action with its label, in the order the audit page's filter lists them.
pub const ALL: &[(&str, &str)] = &[
    (SIGN_IN, "Signed in"),
    (SIGN_IN_FAILED, "Sign-in refused"),
    (SIGN_IN_LOCKED, "Sign-in locked"),
    (SIGN_OUT, "Signed out"),
    (PASSWORD_CHANGED, "Password changed"),
    (RESET_REQUESTED, "Password reset requested"),
    (RESET_USED, "Password set from email link"),
    (WELCOME_SENT, "Welcome email sent"),
    (IDENTIFIER_REMINDER, "Identifier reminder requested"),
    (EMAIL_QUEUED, "Email queued"),
    (EMAIL_WITHHELD, "Email withheld (hourly cap)"),
    (USER_CREATED, "Login created"),
    (USER_DISABLED, "User disabled"),
    (USER_ENABLED, "User enabled"),
    (LOGIN_REVOKED, "Can Login removed"),
    (LOGIN_GRANTED, "Can Login granted"),
    (PASSWORD_RESET, "Password reset by someone else"),
    (RESET_LINK_SENT, "Reset link sent by someone else"),
    (ROLE_CHANGED, "Role changed"),
    (DETAILS_CHANGED, "Details changed"),
    (COMPANY_LINKED, "Company Access given"),
    (COMPANY_UNLINKED, "Company Access removed"),
    (ACCOUNT_SWITCHED, "Switched account"),
    (RIGHTS_CHANGED, "Office staff rights changed"),
    (EMULATION_STARTED, "Emulation started"),
    (EMULATION_STOPPED, "Emulation stopped"),
    (ACCOUNT_CREATED, "Client account created"),
    (ACCOUNT_UPDATED, "Client account changed"),
    (IDENTIFIER_CHANGED, "Identifier changed"),
    (DOCUMENT_ADDED, "Document added"),
    (DOCUMENT_CHANGED, "Document changed"),
    (DOCUMENT_DELETED, "Document deleted"),
    (POLICIES_IMPORTED, "Policies imported"),
    (POLICY_ATTACHED, "Policy attached"),
    (INSURED_REGISTERED, "Insured registered"),
    (INSURED_EMAIL_CHANGED, "Insured's email changed"),
    (POLICY_REMOVED, "Policy removed"),
    (ORGANIZATION_CREATED, "Organization created"),
    (ADMIN_LIMIT_CHANGED, "User Administrator limit changed"),
    (STAFF_RECORD_ADDED, "Staff Master record added"),
    (STAFF_RECORD_CHANGED, "Staff Master record changed"),
    (SETTINGS_CHANGED, "Organization settings changed"),
];

/// The actions that are administration of a login by someone (as opposed
/// to the login's own activity such as signing in): the People list's
/// Description column shows the latest of them, with its short label.
pub const ADMINISTRATIVE: &[(&str, &str)] = &[
    (USER_CREATED, "Login created"),
    (USER_DISABLED, "Disabled"),
    (USER_ENABLED, "Enabled"),
    (LOGIN_REVOKED, "Can Login removed"),
    (LOGIN_GRANTED, "Can Login granted"),
    (PASSWORD_RESET, "Password reset"),
    (WELCOME_SENT, "Welcome link sent"),
    (RESET_LINK_SENT, "Reset link sent"),
    (RIGHTS_CHANGED, "Rights changed"),
    (ROLE_CHANGED, "Role changed"),
    (DETAILS_CHANGED, "Details changed"),
    (COMPANY_LINKED, "Company Access given"),
    (COMPANY_UNLINKED, "Company Access removed"),
];

/// The Description column's label of an administrative action, `None` for
/// any other action.
pub fn administrative_label(action: &str) -> Option<&'static str> {
    ADMINISTRATIVE
        .iter()
        .find(|(code, _)| *code == action)
        .map(|(_, label)| *label)
}

/// The label of a stored action; unknown actions show as stored.
pub fn label(action: &str) -> &str {
    ALL.iter()
        .find(|(code, _)| *code == action)
        .map_or(action, |(_, label)| label)
}

/// Whether `action` is one Gatehouse records (for validating a filter).
pub fn is_known(action: &str) -> bool {
    ALL.iter().any(|(code, _)| *code == action)
}
