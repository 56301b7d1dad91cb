//! Values that name an organization (a tenant): its URL slug and the agency
//! prefix assigned by the platform operator.

use super::ParseError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The organization's short name in URLs (`/portal/{slug}`) and on the Admin
/// Portal sign-in: 2 to 40 lower-case letters, digits and single dashes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OrgSlug(String);

impl OrgSlug {
    /// Parses a slug as typed (trimmed and lower-cased).
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let value = input.trim().to_ascii_lowercase();
        if value.is_empty() {
            return Err(ParseError::new(
                "organization",
                "Enter your organization's short name.",
            ));
        }
        let ok_chars = value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        let len = value.chars().count();
        if !ok_chars
            || !(2..=40).contains(&len)
            || value.starts_with('-')
            || value.ends_with('-')
            || value.contains("--")
        {
            return Err(ParseError::new(
                "organization",
                "An organization's short name is 2 to 40 letters, digits and single dashes.",
            ));
        }
        Ok(Self(value))
    }

    /// The slug as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The number the platform operator assigns to an organization; generated
/// staff usernames start with it. 1 to 6 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AgencyPrefix(String);

impl AgencyPrefix {
    /// Parses a prefix as typed.
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let value = input.trim();
        if value.is_empty() || value.len() > 6 || !value.chars().all(|c| c.is_ascii_digit()) {
            return Err(ParseError::new(
                "agency_prefix",
                "An agency prefix is 1 to 6 digits.",
            ));
        }
        Ok(Self(value.to_string()))
    }

    /// The prefix as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_cased_and_checked() {
        assert_eq!(
            OrgSlug::parse(" Northwind-Security ").unwrap().as_str(),
            "northwind-security"
        );
        for bad in ["", "a", "-x", "x-", "a--b", "a b", "acme!", &"a".repeat(41)] {
            assert_eq!(
                OrgSlug::parse(bad).unwrap_err().field,
                "organization",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn prefixes_are_digits() {
        assert_eq!(AgencyPrefix::parse(" 100 ").unwrap().as_str(), "100");
        for bad in ["", "abc", "1234567", "12a"] {
            assert!(AgencyPrefix::parse(bad).is_err(), "{bad:?}");
        }
    }
}
