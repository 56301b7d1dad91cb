//! What the Insureds table (`/admin/insureds`) is asked to show: the search
//! term, the filters (Needs attaching, Registered / Not registered, Active
//! policies / All / Without policies), the sort and the page. The state
//! lives in the page's address, as in the People directory.
//!
//! [`InsuredSearch`] is *the* definition of what the one search box finds;
//! the database answers it with indexes (FTS5 trigram, `pg_trgm`, a policy
//! number range), and the tests compare those answers with
//! [`InsuredSearch::matches`] over every row.

use super::{insured::policy_number_key, names::fold};
use serde::{Deserialize, Serialize};

/// The columns the Insureds table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum InsuredSort {
    /// By full name, case ignored.
    #[default]
    Name,
    /// By postal code, then name.
    PostalCode,
    /// By when a download last named the insured.
    LatestDownload,
    /// By the latest expiry of its policies.
    Expiry,
}

impl InsuredSort {
    /// Every sort, in the table's column order.
    pub const ALL: [Self; 4] = [
        Self::Name,
        Self::PostalCode,
        Self::LatestDownload,
        Self::Expiry,
    ];

    /// The value in the page's address (`?sort=`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::PostalCode => "postal",
            Self::LatestDownload => "download",
            Self::Expiry => "expiry",
        }
    }

    /// The column's header.
    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "Insured",
            Self::PostalCode => "Postal code",
            Self::LatestDownload => "Latest download",
            Self::Expiry => "Expiry",
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

/// Which insureds the registration filter keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum RegistrationFilter {
    /// Registered or not (the default).
    #[default]
    Any,
    /// Insureds with a login.
    Registered,
    /// Insureds without one.
    NotRegistered,
    /// Registered, but the login has never been used to sign in: the
    /// broker's follow-up list.
    NeverSignedIn,
    /// Registered, no password chosen, and no welcome (or reset) link that
    /// still works: their welcome link expired unused.
    WelcomeExpired,
}

impl RegistrationFilter {
    /// Every choice, in the drop-down's order.
    pub const ALL: [Self; 5] = [
        Self::Any,
        Self::Registered,
        Self::NotRegistered,
        Self::NeverSignedIn,
        Self::WelcomeExpired,
    ];

    /// The value in the page's address (`?registered=`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Any => "",
            Self::Registered => "1",
            Self::NotRegistered => "0",
            Self::NeverSignedIn => "never",
            Self::WelcomeExpired => "expired",
        }
    }

    /// The drop-down's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Any => "Registered or not",
            Self::Registered => "Registered",
            Self::NotRegistered => "Not registered",
            Self::NeverSignedIn => "Registered, never signed in",
            Self::WelcomeExpired => "Welcome link expired",
        }
    }

    /// Reads `?registered=`; anything unknown is [`Self::Any`].
    pub fn parse(value: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| !s.as_str().is_empty() && s.as_str() == value)
            .unwrap_or_default()
    }
}

/// Which insureds the policies filter keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PolicyFilter {
    /// Every insured with at least one policy (the default view: an insured
    /// whose policies were all attached elsewhere is hidden, not deleted).
    #[default]
    All,
    /// Insureds with a policy that is neither cancelled nor expired.
    Active,
    /// Insureds left without policies.
    Without,
}

impl PolicyFilter {
    /// Every choice, in the drop-down's order.
    pub const ALL: [Self; 3] = [Self::All, Self::Active, Self::Without];

    /// The value in the page's address (`?policies=`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Active => "active",
            Self::Without => "none",
        }
    }

    /// The drop-down's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::All => "All with policies",
            Self::Active => "Active policies",
            Self::Without => "Without policies",
        }
    }

    /// Reads `?policies=`; anything unknown is [`Self::All`].
    pub fn parse(value: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .unwrap_or_default()
    }
}

/// Longest search term accepted; a longer one is cut.
pub const MAX_SEARCH_LEN: usize = 100;

/// The Insureds table's search, filters, sort and page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InsuredsQuery {
    /// Part of a name or email, or the start of a policy number ("" for
    /// all).
    pub search: String,
    /// Only insureds flagged Needs attaching.
    pub needs_attaching: bool,
    /// Which insureds by their registration.
    pub registered: RegistrationFilter,
    /// Which insureds by their policies.
    pub policies: PolicyFilter,
    /// One insured only (a link from an import report).
    pub insured: Option<i32>,
    /// The column to sort by.
    pub sort: InsuredSort,
    /// Largest first.
    pub descending: bool,
    /// Where the page starts (the previous page's last row).
    pub cursor: Option<String>,
}

impl InsuredsQuery {
    /// Reads the page's address parameters. Unknown or malformed values
    /// fall back to the defaults, so any address shows a list.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        // Control characters are nobody's name (and a NUL ends a string
        // for SQLite's full-text search and is refused by PostgreSQL).
        let mut search: String = get("q")
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .collect::<String>()
            .trim()
            .to_string();
        if search.chars().count() > MAX_SEARCH_LEN {
            search = search.chars().take(MAX_SEARCH_LEN).collect();
        }
        Self {
            search,
            needs_attaching: get("attach").as_deref() == Some("1"),
            registered: RegistrationFilter::parse(&get("registered").unwrap_or_default()),
            policies: PolicyFilter::parse(&get("policies").unwrap_or_default()),
            insured: get("insured").and_then(|v| v.parse().ok()),
            sort: InsuredSort::parse(&get("sort").unwrap_or_default()),
            descending: get("dir").as_deref() == Some("desc"),
            cursor: get("cursor").filter(|c| !c.is_empty()),
        }
    }

    /// The page's address for this state; defaults are left out.
    pub fn href(&self) -> String {
        let mut parts = Vec::new();
        if !self.search.is_empty() {
            parts.push(format!("q={}", crate::percent::encode(&self.search)));
        }
        if self.needs_attaching {
            parts.push("attach=1".into());
        }
        if self.registered != RegistrationFilter::Any {
            parts.push(format!("registered={}", self.registered.as_str()));
        }
        if self.policies != PolicyFilter::All {
            parts.push(format!("policies={}", self.policies.as_str()));
        }
        if let Some(id) = self.insured {
            parts.push(format!("insured={id}"));
        }
        if self.sort != InsuredSort::Name {
            parts.push(format!("sort={}", self.sort.as_str()));
        }
        if self.descending {
            parts.push("dir=desc".into());
        }
        if let Some(c) = &self.cursor {
            parts.push(format!("cursor={}", crate::percent::encode(c)));
        }
        if parts.is_empty() {
            "/admin/insureds".into()
        } else {
            format!("/admin/insureds?{}", parts.join("&"))
        }
    }

    /// Sorting by `column`: the other direction when it is the current one,
    /// from the first page.
    pub fn sorted_by(&self, column: InsuredSort) -> Self {
        Self {
            sort: column,
            descending: self.sort == column && !self.descending,
            cursor: None,
            ..self.clone()
        }
    }
}

/// Shortest term searched as a policy number: two characters would match a
/// good part of a book.
pub const MIN_NUMBER_PREFIX: usize = 3;

/// What the search box finds. An insured matches when the term (folded:
/// accents and case ignored, spaces collapsed) is part of its folded name
/// or email, or when the term as a policy number (letters and digits only,
/// at least three, one of them a digit) starts the number of one of its
/// policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsuredSearch {
    /// The folded term, looked for anywhere in the name and email.
    pub text: String,
    /// The term as a policy number prefix, when it can be one.
    pub number: Option<String>,
}

impl InsuredSearch {
    /// The search for `term`; `None` for an empty one.
    pub fn parse(term: &str) -> Option<Self> {
        let term: String = term.chars().filter(|c| !c.is_control()).collect();
        let text = fold(&term);
        if text.is_empty() {
            return None;
        }
        let key = policy_number_key(&term);
        let number = (key.len() >= MIN_NUMBER_PREFIX && key.chars().any(|c| c.is_ascii_digit()))
            .then_some(key);
        Some(Self { text, number })
    }

    /// Whether an insured with this `search_text` and these policies'
    /// number keys matches: the plain scan the indexes must agree with.
    pub fn matches<'a>(
        &self,
        search_text: &str,
        mut number_keys: impl Iterator<Item = &'a str>,
    ) -> bool {
        search_text.contains(&self.text)
            || self
                .number
                .as_deref()
                .is_some_and(|n| number_keys.any(|k| k.starts_with(n)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(pairs: &[(&str, &str)]) -> InsuredsQuery {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        InsuredsQuery::from_params(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_show_insureds_with_policies_by_name() {
        let q = parse(&[]);
        assert_eq!(q, InsuredsQuery::default());
        assert_eq!(q.policies, PolicyFilter::All);
        assert_eq!(q.href(), "/admin/insureds");
    }

    #[test]
    fn the_address_round_trips() {
        let q = InsuredsQuery {
            search: "Zoë O'Brien".into(),
            needs_attaching: true,
            registered: RegistrationFilter::WelcomeExpired,
            policies: PolicyFilter::Active,
            insured: Some(12),
            sort: InsuredSort::Expiry,
            descending: true,
            cursor: Some("42".into()),
        };
        let href = q.href();
        let query = href.split_once('?').unwrap().1;
        assert_eq!(
            InsuredsQuery::from_params(|k| crate::percent::query_value(query, k)),
            q
        );
        assert_eq!(parse(&[("sort", "drop table")]).sort, InsuredSort::Name);
        assert_eq!(
            parse(&[("registered", "maybe")]).registered,
            RegistrationFilter::Any
        );
        assert_eq!(
            parse(&[("registered", "never")]).registered,
            RegistrationFilter::NeverSignedIn
        );
        assert_eq!(
            parse(&[("q", &"x".repeat(500))]).search.len(),
            MAX_SEARCH_LEN
        );
    }

    #[test]
    fn sorting_the_current_column_flips_it() {
        let q = parse(&[("cursor", "9")]).sorted_by(InsuredSort::PostalCode);
        assert!(!q.descending && q.cursor.is_none());
        assert!(q.sorted_by(InsuredSort::PostalCode).descending);
    }

    #[test]
    fn a_term_is_a_name_part_and_maybe_a_policy_number() {
        let s = InsuredSearch::parse("  Zoë   SMITH ").unwrap();
        assert_eq!(s.text, "zoe smith");
        assert_eq!(s.number, None);
        assert!(s.matches("zoe smith jr", std::iter::empty()));
        assert!(!s.matches("zoe smyth", std::iter::empty()));

        let s = InsuredSearch::parse("ab-12").unwrap();
        assert_eq!(s.number.as_deref(), Some("AB12"));
        assert!(s.matches("jane doe", ["AB1234"].into_iter()));
        assert!(!s.matches("jane doe", ["XAB12"].into_iter()));
        // Too short, or no digit: a name part only.
        assert_eq!(InsuredSearch::parse("12").unwrap().number, None);
        assert_eq!(InsuredSearch::parse("smith").unwrap().number, None);
        assert_eq!(InsuredSearch::parse("   "), None);
        assert_eq!(InsuredSearch::parse("ab\0c").unwrap().text, "abc");
        assert_eq!(parse(&[("q", "smi\0th")]).search, "smith");
    }
}
