//! Kinds of users and their roles, as stored in the `users` table.

use serde::{Deserialize, Serialize};

/// Whether a user signs in to the Admin Portal (staff) or a Client Portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserKind {
    /// Staff of the organization.
    Staff,
    /// A person of one of the organization's client accounts.
    Client,
}

impl UserKind {
    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Staff => "staff",
            Self::Client => "client",
        }
    }
    /// Reads a stored value.
    pub fn from_db(value: &str) -> Option<Self> {
        match value {
            "staff" => Some(Self::Staff),
            "client" => Some(Self::Client),
            _ => None,
        }
    }
}

macro_rules! role_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $db:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every role of this kind, in display order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            /// The value stored in the database.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $db),+ }
            }
            /// The role's name as users see it.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }
            /// Reads a stored value.
            pub fn from_db(value: &str) -> Option<Self> {
                match value { $($db => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}

role_enum!(
    /// Roles of staff users in the Admin Portal.
    StaffRole {
        UserAdministrator => "user_administrator", "User Administrator";
        Broker => "broker", "Broker";
        Staff => "staff", "Staff";
    }
);

role_enum!(
    /// Roles of client users in the Client Portal.
    ClientRole {
        AccountManager => "account_manager", "Account Manager";
        OfficeStaff => "office_staff", "Office Staff";
        ClaimsRep => "claims_rep", "Claims Rep";
        ClaimsRepManager => "claims_rep_manager", "Claims Rep Manager";
        Insured => "insured", "Insured";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_round_trip() {
        for r in StaffRole::ALL {
            assert_eq!(StaffRole::from_db(r.as_str()), Some(*r));
        }
        for r in ClientRole::ALL {
            assert_eq!(ClientRole::from_db(r.as_str()), Some(*r));
        }
        assert_eq!(UserKind::from_db("client"), Some(UserKind::Client));
        assert_eq!(StaffRole::from_db("root"), None);
    }
}
