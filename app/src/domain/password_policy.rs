//! An organization's password policy and the check of a candidate password
//! against it. The same code runs in the browser (the live list of rules under
//! the field) and on the server (the decision), so they never disagree.
//!
//! Besides the organization's own rules every password must: be at most
//! [`MAX_LENGTH`] characters (long passphrases are welcome and are never
//! truncated), not contain the username, and not be one of the commonest
//! passwords.

use serde::{Deserialize, Serialize};

/// The longest password accepted, in characters. Far above anything typed;
/// it only bounds the work one request can ask of the hasher.
pub const MAX_LENGTH: usize = 1024;

/// The commonest passwords (including the ones people pick to satisfy a
/// "numeral, capital, special" rule), compared without regard to case.
const COMMON: &[&str] = &[
    "password",
    "password1",
    "password1!",
    "password123",
    "password123!",
    "passw0rd",
    "passw0rd!",
    "p@ssw0rd",
    "p@ssw0rd1",
    "p@ssword1",
    "p@$$w0rd",
    "welcome1",
    "welcome1!",
    "welcome123",
    "welcome123!",
    "welcome@123",
    "qwerty123",
    "qwerty123!",
    "qwerty1!",
    "admin123",
    "admin123!",
    "admin@123",
    "letmein1",
    "letmein1!",
    "iloveyou1!",
    "abc12345",
    "abcd1234!",
    "abc@1234",
    "changeme1",
    "changeme1!",
    "changeme123!",
    "12345678",
    "123456789",
    "1234567890",
    "1q2w3e4r",
    "1q2w3e4r!",
    "zaq12wsx",
    "trustno1!",
    "football1!",
    "baseball1!",
    "monkey123!",
    "dragon123!",
    "sunshine1!",
    "princess1!",
    "master123!",
    "summer2024!",
    "summer2025!",
    "summer2026!",
    "winter2024!",
    "winter2025!",
    "winter2026!",
    "spring2026!",
    "autumn2026!",
    "company123!",
    "secret123!",
    "test1234!",
];

/// An organization's password rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    /// Minimum length in characters.
    pub min_length: usize,
    /// At least one numeral (0-9).
    pub require_digit: bool,
    /// At least one capital letter.
    pub require_upper: bool,
    /// At least one character that is neither a letter nor a numeral.
    pub require_special: bool,
}

impl Default for PasswordPolicy {
    /// The seed documents' policy: at least 8 characters with a numeral, a
    /// capital letter and a special character.
    fn default() -> Self {
        Self {
            min_length: 8,
            require_digit: true,
            require_upper: true,
            require_special: true,
        }
    }
}

/// One rule and whether a candidate meets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCheck {
    /// The rule as shown under the field, e.g. "At least 8 characters".
    pub label: String,
    /// What to fix when it is broken, as a full sentence.
    pub problem: String,
    /// Whether the candidate meets it.
    pub met: bool,
}

impl PasswordPolicy {
    /// Every rule, checked against `password` for a user named `username`
    /// (empty when not known yet). The list is the same for every candidate,
    /// so it can be shown before anything is typed.
    pub fn checks(&self, password: &str, username: &str) -> Vec<RuleCheck> {
        let length = password.chars().count();
        let mut out = vec![RuleCheck {
            label: format!("At least {} characters", self.min_length),
            problem: format!("Use at least {} characters.", self.min_length),
            met: length >= self.min_length,
        }];
        if self.require_digit {
            out.push(RuleCheck {
                label: "A numeral (0-9)".into(),
                problem: "Include a numeral (0-9).".into(),
                met: password.chars().any(|c| c.is_ascii_digit()),
            });
        }
        if self.require_upper {
            out.push(RuleCheck {
                label: "A capital letter".into(),
                problem: "Include a capital letter.".into(),
                met: password.chars().any(char::is_uppercase),
            });
        }
        if self.require_special {
            out.push(RuleCheck {
                label: "A special character, such as ! or #".into(),
                problem: "Include a special character, such as ! or #.".into(),
                met: password
                    .chars()
                    .any(|c| !c.is_alphanumeric() && !c.is_whitespace()),
            });
        }
        let name = username.trim().to_lowercase();
        out.push(RuleCheck {
            label: "Does not contain your username".into(),
            problem: "Don't include your username in your password.".into(),
            met: name.is_empty() || !password.to_lowercase().contains(&name),
        });
        out.push(RuleCheck {
            label: "Not a commonly used password".into(),
            problem: "That password is too common; choose one that is harder to guess.".into(),
            met: password.is_empty() || !is_common(password),
        });
        if length > MAX_LENGTH {
            out.push(RuleCheck {
                label: format!("At most {MAX_LENGTH} characters"),
                problem: format!("Use at most {MAX_LENGTH} characters."),
                met: false,
            });
        }
        out
    }

    /// The problems with `password`, one sentence per broken rule; empty when
    /// the password is acceptable.
    pub fn problems(&self, password: &str, username: &str) -> Vec<String> {
        self.checks(password, username)
            .into_iter()
            .filter(|c| !c.met)
            .map(|c| c.problem)
            .collect()
    }
}

/// The shortest minimum length an organization may set.
pub const MIN_LENGTH_FLOOR: usize = 8;
/// The longest minimum length an organization may set.
pub const MIN_LENGTH_CEILING: usize = 128;

impl PasswordPolicy {
    /// The policy as a User Administrator sets it in the organization's
    /// settings: a minimum length of 8 to 128 characters and the three
    /// requirements. (The blocklist and "not the username" always apply.)
    pub fn from_settings(
        min_length: &str,
        require_digit: bool,
        require_upper: bool,
        require_special: bool,
    ) -> Result<Self, super::ParseError> {
        let min_length = min_length
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (MIN_LENGTH_FLOOR..=MIN_LENGTH_CEILING).contains(n))
            .ok_or_else(|| {
                super::ParseError::new(
                    "min_length",
                    format!(
                        "The minimum length is a number from {MIN_LENGTH_FLOOR} to {MIN_LENGTH_CEILING}."
                    ),
                )
            })?;
        Ok(Self {
            min_length,
            require_digit,
            require_upper,
            require_special,
        })
    }

    /// The policy in words, for the audit trail: "at least 8 characters, a
    /// numeral, a capital letter, a special character".
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("at least {} characters", self.min_length)];
        if self.require_digit {
            parts.push("a numeral".into());
        }
        if self.require_upper {
            parts.push("a capital letter".into());
        }
        if self.require_special {
            parts.push("a special character".into());
        }
        parts.join(", ")
    }
}

fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON.iter().any(|c| *c == lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> PasswordPolicy {
        PasswordPolicy::default()
    }

    #[test]
    fn the_default_policy_is_the_seed_documents() {
        assert!(policy().problems("Harbour-Light-7", "jsmith").is_empty());
        assert_eq!(
            policy().problems("short", "jsmith"),
            vec![
                "Use at least 8 characters.",
                "Include a numeral (0-9).",
                "Include a capital letter.",
                "Include a special character, such as ! or #.",
            ]
        );
    }

    #[test]
    fn one_message_per_broken_rule() {
        assert_eq!(
            policy().problems("harbourlight7!", "jsmith"),
            vec!["Include a capital letter."]
        );
        assert_eq!(
            policy().problems("Harbourlight!", "jsmith"),
            vec!["Include a numeral (0-9)."]
        );
        assert_eq!(
            policy().problems("Harbourlight7", "jsmith"),
            vec!["Include a special character, such as ! or #."]
        );
    }

    #[test]
    fn long_passphrases_are_accepted_whole() {
        let long = format!("{}Aa1!", "correct horse battery staple ".repeat(4));
        assert!(long.chars().count() >= 64);
        assert!(policy().problems(&long, "jsmith").is_empty());
        let too_long = "Aa1!".repeat(300);
        assert_eq!(
            policy().problems(&too_long, "jsmith"),
            vec![format!("Use at most {MAX_LENGTH} characters.")]
        );
    }

    #[test]
    fn a_password_containing_the_username_is_refused_whatever_the_case() {
        assert_eq!(
            policy().problems("My-JSmith-2026", "jsmith"),
            vec!["Don't include your username in your password."]
        );
    }

    #[test]
    fn the_commonest_passwords_are_refused_even_when_they_meet_the_rules() {
        for common in ["Password1!", "P@ssw0rd1", "Welcome123!", "Summer2026!"] {
            assert_eq!(
                policy().problems(common, "jsmith"),
                vec!["That password is too common; choose one that is harder to guess."],
                "{common}"
            );
        }
    }

    #[test]
    fn settings_keep_the_minimum_between_8_and_128() {
        let p = PasswordPolicy::from_settings(" 12 ", true, false, true).unwrap();
        assert_eq!(p.min_length, 12);
        assert_eq!(
            p.describe(),
            "at least 12 characters, a numeral, a special character"
        );
        for bad in ["7", "129", "", "ten", "-8"] {
            assert_eq!(
                PasswordPolicy::from_settings(bad, true, true, true)
                    .unwrap_err()
                    .field,
                "min_length",
                "{bad:?}"
            );
        }
        assert!(PasswordPolicy::from_settings("128", false, false, false).is_ok());
    }

    #[test]
    fn a_laxer_policy_checks_less() {
        let lax = PasswordPolicy {
            min_length: 12,
            require_digit: false,
            require_upper: false,
            require_special: false,
        };
        assert!(lax.problems("harbour light keeper", "jsmith").is_empty());
        assert_eq!(lax.checks("", "").len(), 3);
    }
}
