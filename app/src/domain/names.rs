//! People's names as shown in user lists and on the landing pages.

use super::ParseError;
use serde::{Deserialize, Serialize};

/// First name, optional middle initial or name, last name; each trimmed,
/// non-empty where required, at most 100 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    first: String,
    middle: Option<String>,
    last: String,
}

impl PersonName {
    /// Longest accepted part of a name.
    pub const MAX_LEN: usize = 100;

    /// Parses the three parts of a name as typed.
    pub fn parse(first: &str, middle: &str, last: &str) -> Result<Self, ParseError> {
        let part = |field: &'static str, label: &str, v: &str| -> Result<String, ParseError> {
            let v = v.trim();
            if v.is_empty() {
                return Err(ParseError::new(field, format!("Enter a {label}.")));
            }
            if v.chars().count() > Self::MAX_LEN || v.chars().any(char::is_control) {
                return Err(ParseError::new(
                    field,
                    format!(
                        "A {label} is at most {} printable characters.",
                        Self::MAX_LEN
                    ),
                ));
            }
            Ok(v.to_string())
        };
        let first = part("first_name", "first name", first)?;
        let last = part("last_name", "last name", last)?;
        let middle = if middle.trim().is_empty() {
            None
        } else {
            Some(part("middle_name", "middle name", middle)?)
        };
        Ok(Self {
            first,
            middle,
            last,
        })
    }

    /// An insured's name as a login's: "Jane Q Smith" with the last name
    /// "Smith" is first "Jane", middle "Q", last "Smith"; a company ("Smith
    /// Bakery Ltd.", whose last name is the whole name) is all first name.
    /// Parts are cut at [`Self::MAX_LEN`] characters.
    pub fn of_insured(full_name: &str, last_name: &str) -> Self {
        let cut = |s: &str| -> String {
            s.chars()
                .filter(|c| !c.is_control())
                .take(Self::MAX_LEN)
                .collect::<String>()
                .trim()
                .to_string()
        };
        let full = full_name.split_whitespace().collect::<Vec<_>>().join(" ");
        let last = last_name.split_whitespace().collect::<Vec<_>>().join(" ");
        let rest = full
            .strip_suffix(last.as_str())
            .map(str::trim)
            .filter(|r| !r.is_empty() && !last.is_empty());
        match rest {
            Some(rest) => {
                let (first, middle) = match rest.split_once(' ') {
                    Some((f, m)) => (f, Some(cut(m))),
                    None => (rest, None),
                };
                Self {
                    first: cut(first),
                    middle,
                    last: cut(&last),
                }
            }
            None => Self {
                first: cut(&full),
                middle: None,
                last: String::new(),
            },
        }
    }

    /// First name.
    pub fn first(&self) -> &str {
        &self.first
    }
    /// Middle name or initial, if any.
    pub fn middle(&self) -> Option<&str> {
        self.middle.as_deref()
    }
    /// Last name.
    pub fn last(&self) -> &str {
        &self.last
    }

    /// "First M. Last": the display name used across the portals.
    pub fn display(&self) -> String {
        display_name(&self.first, self.middle.as_deref(), &self.last)
    }
}

/// "First M. Last" from stored parts: a one-letter middle name becomes an
/// initial with a dot.
pub fn display_name(first: &str, middle: Option<&str>, last: &str) -> String {
    let name = match middle.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) if m.chars().count() == 1 => format!("{first} {m}. {last}"),
        Some(m) => format!("{first} {m} {last}"),
        None => format!("{first} {last}"),
    };
    // A company insured's login has its whole name as the first name.
    name.trim().to_string()
}

/// The form names are compared and sorted in: lower case with the common
/// Latin accents removed and runs of spaces made one, so "Zoë  Ó Brádaigh"
/// sorts and is found as "zoe o bradaigh".
pub fn fold(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for word in value.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase).map(fold_accent));
    }
    out
}

/// The unaccented letter for common Latin accented letters.
pub fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_insureds_name_becomes_a_logins() {
        let n = PersonName::of_insured("Jane  Q Smith", "Smith");
        assert_eq!(
            (n.first(), n.middle(), n.last()),
            ("Jane", Some("Q"), "Smith")
        );
        assert_eq!(
            display_name(n.first(), n.middle(), n.last()),
            "Jane Q. Smith"
        );
        let c = PersonName::of_insured("Smith Bakery Ltd.", "Smith Bakery Ltd.");
        assert_eq!(
            (c.first(), c.middle(), c.last()),
            ("Smith Bakery Ltd.", None, "")
        );
        assert_eq!(
            display_name(c.first(), c.middle(), c.last()),
            "Smith Bakery Ltd."
        );
        // A last name that doesn't end the full name: all of it is kept.
        let odd = PersonName::of_insured("J. Doe-Ray", "Smith");
        assert_eq!(odd.first(), "J. Doe-Ray");
    }

    #[test]
    fn shows_a_middle_initial_with_a_dot() {
        assert_eq!(
            PersonName::parse(" Jane ", "Q", "Doe").unwrap().display(),
            "Jane Q. Doe"
        );
        assert_eq!(
            PersonName::parse("Jane", "", "Doe").unwrap().display(),
            "Jane Doe"
        );
        assert_eq!(
            PersonName::parse("Jane", "Quinn", "Doe").unwrap().display(),
            "Jane Quinn Doe"
        );
    }

    #[test]
    fn fold_ignores_case_accents_and_extra_spaces() {
        assert_eq!(fold("  Zoë   Ó Brádaigh "), "zoe o bradaigh");
        assert_eq!(fold("ÉLODIE"), "elodie");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn first_and_last_are_required_and_named_in_the_error() {
        assert_eq!(
            PersonName::parse("", "", "Doe").unwrap_err().field,
            "first_name"
        );
        assert_eq!(
            PersonName::parse("Jane", "", " ").unwrap_err().field,
            "last_name"
        );
        assert_eq!(
            PersonName::parse("Jane", &"x".repeat(101), "Doe")
                .unwrap_err()
                .field,
            "middle_name"
        );
    }
}
