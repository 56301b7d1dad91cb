//! The client account **identifier**: the first thing a client types at the
//! Client Portal. It is unique inside one organization (the portal address
//! names the organization), and by default it is the digits of the account's
//! main phone number.

use super::ParseError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A client account identifier: 4 to 20 ASCII letters or digits, stored
/// upper-case so that `ab12` and `AB12` are the same account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identifier(String);

impl Identifier {
    /// Shortest identifier accepted.
    pub const MIN_LEN: usize = 4;
    /// Longest identifier accepted.
    pub const MAX_LEN: usize = 20;

    /// Parses what a person typed. Spaces, dashes, dots and parentheses are
    /// ignored so that a phone number can be typed the way it is printed.
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let cleaned: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '+'))
            .collect();
        if cleaned.is_empty() {
            return Err(ParseError::new("identifier", "Enter your identifier."));
        }
        if !cleaned.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ParseError::new(
                "identifier",
                "An identifier contains only letters and digits.",
            ));
        }
        let len = cleaned.chars().count();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(ParseError::new(
                "identifier",
                format!(
                    "An identifier is {} to {} letters or digits long.",
                    Self::MIN_LEN,
                    Self::MAX_LEN
                ),
            ));
        }
        Ok(Self(cleaned.to_ascii_uppercase()))
    }

    /// The default identifier for an account with this main phone number: its
    /// digits, when there are enough of them to be an identifier.
    pub fn from_phone(phone: &str) -> Option<Self> {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        Self::parse(&digits).ok()
    }

    /// The identifier as stored and compared.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_number_typed_with_punctuation_is_its_digits() {
        assert_eq!(
            Identifier::parse("(416) 555-0199").unwrap().as_str(),
            "4165550199"
        );
    }

    #[test]
    fn letters_are_case_insensitive() {
        assert_eq!(
            Identifier::parse("ab12cd").unwrap(),
            Identifier::parse("AB12CD").unwrap()
        );
    }

    #[test]
    fn empty_too_short_too_long_and_symbols_are_refused_with_the_field_named() {
        for bad in ["", "   ", "123", "123456789012345678901", "12#45", "abçd1"] {
            let err = Identifier::parse(bad).unwrap_err();
            assert_eq!(err.field, "identifier", "{bad:?}");
            assert!(!err.message.is_empty());
        }
    }

    #[test]
    fn the_default_from_a_phone_needs_enough_digits() {
        assert_eq!(
            Identifier::from_phone("+1 905 555 0101").unwrap().as_str(),
            "19055550101"
        );
        assert!(Identifier::from_phone("ext. 12").is_none());
        assert!(Identifier::from_phone("").is_none());
    }
}
