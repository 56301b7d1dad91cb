//! The `Actor`: who a request acts as, built once from the session and passed
//! explicitly to every service. Services decide with it; they never look at
//! the request themselves.

use crate::domain::{ClientRole, StaffRole, UserKind};
use crate::server::{entities::user, error::ServiceError};

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

/// The signed-in user a request acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user's id.
    pub user_id: i32,
    /// The tenant: every query of tenant data is scoped by it.
    pub organization_id: i32,
    /// Staff or client, with the role.
    pub principal: Principal,
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
        Ok(Self {
            user_id: u.id,
            organization_id: u.organization_id,
            principal,
        })
    }

    /// The staff role, or `Forbidden` for a client user.
    pub fn require_staff(&self) -> Result<StaffRole, ServiceError> {
        match self.principal {
            Principal::Staff(role) => Ok(role),
            Principal::Client { .. } => Err(ServiceError::Forbidden),
        }
    }

    /// The client role and account, or `Forbidden` for a staff user.
    pub fn require_client(&self) -> Result<(ClientRole, i32), ServiceError> {
        match self.principal {
            Principal::Client { role, account_id } => Ok((role, account_id)),
            Principal::Staff(_) => Err(ServiceError::Forbidden),
        }
    }
}
