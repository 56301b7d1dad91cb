//! The `Actor`: who a request acts as, built once from the session and passed
//! explicitly to every service. Services decide with it; they never look at
//! the request themselves.
//!
//! While a staff user emulates an Account Manager, the actor *is* that
//! Account Manager (same rights, same account) and carries the
//! [`Emulation`]: audit rows then name the staff user as the one who acted,
//! on behalf of the Account Manager.

use crate::domain::{ClientRole, StaffRole, UserKind};
use crate::server::{
    entities::{client_account, user},
    error::ServiceError,
};

/// What kind of user is acting, with the role that goes with the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    /// A staff user in the Admin Portal.
    Staff(StaffRole),
    /// A client user, acting for one client account.
    Client {
        /// Their role in the account.
        role: ClientRole,
        /// The account they belong to.
        account_id: i32,
    },
}

/// A staff user acting as an Account Manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emulation {
    /// The staff user really at the keyboard.
    pub staff_user_id: i32,
    /// Their display name.
    pub staff_name: String,
    /// The emulated Account Manager's display name.
    pub account_manager_name: String,
    /// The account's name.
    pub account_name: String,
    /// The account's id (where "Stop emulating" returns to).
    pub account_id: i32,
}

/// The signed-in user a request acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user whose rights apply (the Account Manager while emulating).
    pub user_id: i32,
    /// The tenant: every query of tenant data is scoped by it.
    pub organization_id: i32,
    /// Staff or client, with the role.
    pub principal: Principal,
    /// May change the account's documents (staff, Account Managers, office
    /// staff granted `can_modify`). Read from the user row on every request,
    /// so a change takes effect at the next one.
    pub can_modify: bool,
    /// May delete the account's documents (likewise with `can_delete`).
    pub can_delete: bool,
    /// Set while a staff user emulates this Account Manager.
    pub emulation: Option<Emulation>,
}

/// Staff roles allowed to emulate an Account Manager and to manage client
/// accounts and their Account Manager logins.
pub fn manages_accounts(role: StaffRole) -> bool {
    matches!(role, StaffRole::UserAdministrator | StaffRole::Broker)
}

impl Actor {
    /// The actor for a signed-in user row. Fails (as an internal error) when
    /// the row's kind or role is not one Gatehouse knows.
    pub fn from_user(u: &user::Model) -> Result<Self, ServiceError> {
        let corrupt = || {
            ServiceError::Internal(
                format!("user {} has unknown kind/role {}/{}", u.id, u.kind, u.role).into(),
            )
        };
        let principal = match UserKind::from_db(&u.kind).ok_or_else(corrupt)? {
            UserKind::Staff => Principal::Staff(StaffRole::from_db(&u.role).ok_or_else(corrupt)?),
            UserKind::Client => Principal::Client {
                role: ClientRole::from_db(&u.role).ok_or_else(corrupt)?,
                account_id: u.client_account_id.ok_or_else(corrupt)?,
            },
        };
        let (can_modify, can_delete) = match principal {
            Principal::Staff(_) => (true, true),
            Principal::Client {
                role: ClientRole::AccountManager,
                ..
            } => (true, true),
            Principal::Client {
                role: ClientRole::OfficeStaff,
                ..
            } => (u.can_modify, u.can_delete),
            Principal::Client { .. } => (false, false),
        };
        Ok(Self {
            user_id: u.id,
            organization_id: u.organization_id,
            principal,
            can_modify,
            can_delete,
            emulation: None,
        })
    }

    /// The actor of `staff` emulating `account_manager` of `account`, or
    /// `None` when that emulation is no longer allowed (the staff user lost
    /// the role, the Account Manager's login was switched off, the user is
    /// no longer that account's Account Manager, or the rows are of
    /// different organizations).
    pub fn emulating(
        staff: &user::Model,
        account_manager: &user::Model,
        account: &client_account::Model,
    ) -> Result<Option<Self>, ServiceError> {
        let staff_actor = Self::from_user(staff)?;
        let allowed = matches!(staff_actor.principal, Principal::Staff(r) if manages_accounts(r))
            && account_manager.organization_id == staff.organization_id
            && account.organization_id == staff.organization_id
            && account_manager.client_account_id == Some(account.id)
            && account_manager.kind == UserKind::Client.as_str()
            && account_manager.role == ClientRole::AccountManager.as_str()
            && account_manager.active
            && account_manager.can_login;
        if !allowed {
            return Ok(None);
        }
        let mut actor = Self::from_user(account_manager)?;
        actor.emulation = Some(Emulation {
            staff_user_id: staff.id,
            staff_name: staff.display_name(),
            account_manager_name: account_manager.display_name(),
            account_name: account.name.clone(),
            account_id: account.id,
        });
        Ok(Some(actor))
    }

    /// The staff role, or `Forbidden` for a client user (and `Emulating`
    /// while a staff user acts as an Account Manager: the Admin Portal waits
    /// until the emulation stops).
    pub fn require_staff(&self) -> Result<StaffRole, ServiceError> {
        if let Some(e) = &self.emulation {
            return Err(ServiceError::Emulating {
                account_manager: e.account_manager_name.clone(),
                account: e.account_name.clone(),
            });
        }
        match self.principal {
            Principal::Staff(role) => Ok(role),
            Principal::Client { .. } => Err(ServiceError::Forbidden),
        }
    }

    /// A User Administrator (not emulating), or `Forbidden`: creating staff
    /// logins, the Staff Master and the organization's settings are theirs.
    pub fn require_user_administrator(&self) -> Result<(), ServiceError> {
        if self.require_staff()? == StaffRole::UserAdministrator {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    /// A staff role that manages client accounts (User Administrator or
    /// Broker), or `Forbidden`.
    pub fn require_account_manager_staff(&self) -> Result<StaffRole, ServiceError> {
        let role = self.require_staff()?;
        if manages_accounts(role) {
            Ok(role)
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    /// Whether the actor is an insured (a client login with the role
    /// Insured): they see their own policies and eDocs, nothing else.
    pub fn is_insured(&self) -> bool {
        matches!(
            self.principal,
            Principal::Client {
                role: ClientRole::Insured,
                ..
            }
        )
    }

    /// The client role and account, or `Forbidden` for a staff user.
    pub fn require_client(&self) -> Result<(ClientRole, i32), ServiceError> {
        match self.principal {
            Principal::Client { role, account_id } => Ok((role, account_id)),
            Principal::Staff(_) => Err(ServiceError::Forbidden),
        }
    }

    /// Who the audit trail names: the user at the keyboard, and (while
    /// emulating) the Account Manager they act for.
    pub fn audit_ids(&self) -> (Option<i32>, Option<i32>) {
        match &self.emulation {
            Some(e) => (Some(e.staff_user_id), Some(self.user_id)),
            None => (Some(self.user_id), None),
        }
    }
}
