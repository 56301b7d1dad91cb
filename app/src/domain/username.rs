//! Usernames, for staff and client users alike. A username is unique among the
//! staff of one organization, or among the users of one client account.

use super::ParseError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A sign-in name: 2 to 64 characters of lower-case ASCII letters, digits and
/// `.`, `_`, `-`, starting with a letter or digit. Input is trimmed and
/// lower-cased, so `JSmith` and `jsmith` are the same user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    /// Shortest username accepted.
    pub const MIN_LEN: usize = 2;
    /// Longest username accepted.
    pub const MAX_LEN: usize = 64;

    /// Parses what a person typed.
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let value = input.trim().to_ascii_lowercase();
        if value.is_empty() {
            return Err(ParseError::new("username", "Enter a username."));
        }
        let len = value.chars().count();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(ParseError::new(
                "username",
                format!(
                    "A username is {} to {} characters long.",
                    Self::MIN_LEN,
                    Self::MAX_LEN
                ),
            ));
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return Err(ParseError::new(
                "username",
                "A username contains only letters, digits, '.', '_' and '-'.",
            ));
        }
        if !value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        {
            return Err(ParseError::new(
                "username",
                "A username starts with a letter or a digit.",
            ));
        }
        Ok(Self(value))
    }

    /// An insured's username: their email, lower-cased whole. An insured
    /// signs in with the address their broker registered, in any case.
    pub fn of_email(email: &super::Email) -> Self {
        Self(email.as_str().to_lowercase())
    }

    /// What a person typed in the Client Portal's username box: a username,
    /// or an insured's email address.
    pub fn parse_sign_in(input: &str) -> Result<Self, ParseError> {
        Self::parse(input).or_else(|refused| {
            if input.contains('@') {
                super::Email::parse(input)
                    .map(|email| Self::of_email(&email))
                    .map_err(|_| refused)
            } else {
                Err(refused)
            }
        })
    }

    /// The username as stored and compared.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_insured_signs_in_with_their_email_in_any_case() {
        let email = crate::domain::Email::parse("Jane.Smith@Example.COM").unwrap();
        let stored = Username::of_email(&email);
        assert_eq!(stored.as_str(), "jane.smith@example.com");
        assert_eq!(
            Username::parse_sign_in("  JANE.SMITH@example.com ").unwrap(),
            stored
        );
        // A plain username still parses as one; a bad one is refused with
        // the username's own message.
        assert_eq!(
            Username::parse_sign_in("JSmith").unwrap().as_str(),
            "jsmith"
        );
        assert_eq!(
            Username::parse_sign_in("a b").unwrap_err().field,
            "username"
        );
        assert!(Username::parse_sign_in("jane@").is_err());
    }

    #[test]
    fn is_trimmed_and_lower_cased() {
        assert_eq!(Username::parse("  JSmith ").unwrap().as_str(), "jsmith");
        assert_eq!(Username::parse("100jsmith").unwrap().as_str(), "100jsmith");
        assert_eq!(
            Username::parse("mary-ann.o_neil").unwrap().as_str(),
            "mary-ann.o_neil"
        );
    }

    #[test]
    fn refuses_what_cannot_be_a_username() {
        let too_long = "a".repeat(65);
        for bad in [
            "",
            " ",
            "a",
            "j smith",
            "josé",
            "-start",
            ".dot",
            "semi;colon",
            too_long.as_str(),
        ] {
            let err = Username::parse(bad).unwrap_err();
            assert_eq!(err.field, "username", "{bad:?}");
        }
    }

    #[test]
    fn the_longest_allowed_is_kept_whole() {
        let long = "b".repeat(64);
        assert_eq!(Username::parse(&long).unwrap().as_str(), long);
    }
}
