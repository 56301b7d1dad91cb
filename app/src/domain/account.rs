//! A client account's details as staff type them, and the orders its table
//! can be sorted in. Shared by the page (for the sort links) and the server
//! (for the decision).

use super::ParseError;
use serde::{Deserialize, Serialize};

/// Longest account name.
pub const NAME_MAX: usize = 200;
/// Longest main phone number as typed.
pub const PHONE_MAX: usize = 40;
/// Longest postal address.
pub const ADDRESS_MAX: usize = 500;

/// An account's name, main phone and address, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDetails {
    /// The client's name, trimmed.
    pub name: String,
    /// Main phone as typed (trimmed), if any.
    pub main_phone: Option<String>,
    /// Postal address (trimmed, lines kept), if any.
    pub address: Option<String>,
}

impl AccountDetails {
    /// Parses the account form.
    pub fn parse(name: &str, main_phone: &str, address: &str) -> Result<Self, ParseError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ParseError::new("name", "Enter the account's name."));
        }
        if name.chars().count() > NAME_MAX {
            return Err(ParseError::new(
                "name",
                format!("An account's name is at most {NAME_MAX} characters."),
            ));
        }
        let phone = main_phone.trim();
        if phone.chars().count() > PHONE_MAX {
            return Err(ParseError::new(
                "main_phone",
                format!("A phone number is at most {PHONE_MAX} characters."),
            ));
        }
        if !phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().x".contains(c))
        {
            return Err(ParseError::new(
                "main_phone",
                "A phone number has digits, spaces, + - ( ) . and x only.",
            ));
        }
        if !phone.is_empty() && phone.chars().filter(char::is_ascii_digit).count() < 7 {
            return Err(ParseError::new(
                "main_phone",
                "A phone number has at least 7 digits.",
            ));
        }
        let address = address.trim();
        if address.chars().count() > ADDRESS_MAX {
            return Err(ParseError::new(
                "address",
                format!("An address is at most {ADDRESS_MAX} characters."),
            ));
        }
        Ok(Self {
            name: name.to_string(),
            main_phone: (!phone.is_empty()).then(|| phone.to_string()),
            address: (!address.is_empty()).then(|| address.replace("\r\n", "\n")),
        })
    }

    /// The key the table sorts and searches names by: lower case, at most
    /// 400 characters (lower-casing can lengthen a name).
    pub fn name_key(&self) -> String {
        self.name.to_lowercase().chars().take(400).collect()
    }

    /// The main phone's digits ("" without one).
    pub fn phone_digits(&self) -> String {
        self.main_phone
            .as_deref()
            .unwrap_or("")
            .chars()
            .filter(char::is_ascii_digit)
            .collect()
    }
}

/// The columns the accounts table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AccountSort {
    /// By name, case-insensitively.
    #[default]
    Name,
    /// By identifier.
    Identifier,
    /// By the main phone's digits.
    Phone,
    /// By when the account was created.
    Created,
}

impl AccountSort {
    /// Every sort, in the table's column order.
    pub const ALL: [Self; 4] = [Self::Name, Self::Identifier, Self::Phone, Self::Created];

    /// The value in the page's address (`?sort=`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Identifier => "identifier",
            Self::Phone => "phone",
            Self::Created => "created",
        }
    }

    /// Reads `?sort=`; anything unknown sorts by name.
    pub fn parse(value: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_trimmed_and_blank_optionals_are_none() {
        let d = AccountDetails::parse("  Lakeside Towers ", " (416) 555-0142 ", "  ").unwrap();
        assert_eq!(d.name, "Lakeside Towers");
        assert_eq!(d.main_phone.as_deref(), Some("(416) 555-0142"));
        assert_eq!(d.address, None);
        assert_eq!(d.phone_digits(), "4165550142");
    }

    #[test]
    fn bad_details_name_their_field() {
        assert_eq!(
            AccountDetails::parse(" ", "", "").unwrap_err().field,
            "name"
        );
        assert_eq!(
            AccountDetails::parse("A", "call me", "").unwrap_err().field,
            "main_phone"
        );
        assert_eq!(
            AccountDetails::parse("A", "12", "").unwrap_err().field,
            "main_phone"
        );
        assert_eq!(
            AccountDetails::parse("A", "", &"x".repeat(501))
                .unwrap_err()
                .field,
            "address"
        );
    }

    #[test]
    fn sorts_round_trip_and_unknown_sorts_by_name() {
        for s in AccountSort::ALL {
            assert_eq!(AccountSort::parse(s.as_str()), s);
        }
        assert_eq!(AccountSort::parse("password_hash"), AccountSort::Name);
    }
}
