//! What the People directory (`/admin/people`) is asked to show: which side
//! (staff or clients), the name filter, the status filters, the role, the
//! sort and the page. The state lives in the page's address, so a filtered
//! list can be bookmarked and the back button works; this one type reads
//! and writes that address for the page and the server alike.

use super::{ClientRole, StaffRole, UserKind};
use serde::{Deserialize, Serialize};

/// The columns the People list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PeopleSort {
    /// By display name ("First M. Last"), accents and case ignored.
    #[default]
    DisplayName,
    /// By first name.
    FirstName,
    /// By last name.
    LastName,
    /// By username.
    Username,
    /// By role, then display name.
    Role,
    /// By status (disabled, cannot sign in, active), then display name.
    Status,
    /// By last sign-in ("never" first when ascending).
    LastLogon,
    /// By when the login was created (then by id).
    Created,
    /// By when the latest administrative action on the login happened.
    Description,
}

impl PeopleSort {
    /// Every sort, in the table's column order.
    pub const ALL: [Self; 9] = [
        Self::DisplayName,
        Self::FirstName,
        Self::LastName,
        Self::Username,
        Self::Role,
        Self::Status,
        Self::LastLogon,
        Self::Created,
        Self::Description,
    ];

    /// The value in the page's address (`?sort=`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DisplayName => "name",
            Self::FirstName => "first",
            Self::LastName => "last",
            Self::Username => "username",
            Self::Role => "role",
            Self::Status => "status",
            Self::LastLogon => "logon",
            Self::Created => "created",
            Self::Description => "description",
        }
    }

    /// The column's header.
    pub fn label(self) -> &'static str {
        match self {
            Self::DisplayName => "Display name",
            Self::FirstName => "First name",
            Self::LastName => "Last name",
            Self::Username => "Username",
            Self::Role => "Role",
            Self::Status => "Status",
            Self::LastLogon => "Last logon",
            Self::Created => "Created",
            Self::Description => "Description",
        }
    }

    /// Reads `?sort=`; anything unknown sorts by display name.
    pub fn parse(value: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .unwrap_or_default()
    }
}

/// The People list's filters, sort and page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleQuery {
    /// Staff or client logins.
    pub side: UserKind,
    /// Part of a display name, first or last name or username ("" for all).
    pub search: String,
    /// Only logins whose person is active.
    pub active: bool,
    /// Only logins allowed to sign in.
    pub can_login: bool,
    /// Also list disabled users (inactive, or without Can Login), whatever
    /// the two boxes above say.
    pub show_disabled: bool,
    /// Only this role (its stored value, valid for the side).
    pub role: Option<String>,
    /// The column to sort by.
    pub sort: PeopleSort,
    /// Largest first.
    pub descending: bool,
    /// Where the page starts (the previous page's last row).
    pub cursor: Option<String>,
}

impl Default for PeopleQuery {
    fn default() -> Self {
        Self {
            side: UserKind::Staff,
            search: String::new(),
            active: true,
            can_login: true,
            show_disabled: false,
            role: None,
            sort: PeopleSort::default(),
            descending: false,
            cursor: None,
        }
    }
}

/// Longest name filter accepted; a longer one is cut (nobody's name is
/// longer, and it bounds the work of a search).
pub const MAX_SEARCH_LEN: usize = 100;

impl PeopleQuery {
    /// Reads the page's address parameters (`get("q")` …). Unknown or
    /// malformed values fall back to the defaults, so any address shows a
    /// list.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let side = if get("side").as_deref() == Some("clients") {
            UserKind::Client
        } else {
            UserKind::Staff
        };
        // The filter form sends `f=1` and a box only when it is ticked;
        // links written by `href` say `active=0` for an unticked box.
        let from_form = get("f").is_some();
        let off = |key: &str| {
            let value = get(key);
            if from_form {
                value.as_deref() != Some("1")
            } else {
                value.as_deref() == Some("0")
            }
        };
        let role = get("role").filter(|r| role_label(side, r).is_some());
        let mut search: String = get("q").unwrap_or_default().trim().to_string();
        if search.chars().count() > MAX_SEARCH_LEN {
            search = search.chars().take(MAX_SEARCH_LEN).collect();
        }
        Self {
            side,
            search,
            active: !off("active"),
            can_login: !off("login"),
            show_disabled: get("disabled").as_deref() == Some("1"),
            role,
            sort: PeopleSort::parse(&get("sort").unwrap_or_default()),
            descending: get("dir").as_deref() == Some("desc"),
            cursor: get("cursor").filter(|c| !c.is_empty()),
        }
    }

    /// The page's address for this state; defaults are left out.
    pub fn href(&self) -> String {
        let mut parts = Vec::new();
        if self.side == UserKind::Client {
            parts.push("side=clients".to_string());
        }
        if !self.search.is_empty() {
            parts.push(format!("q={}", crate::percent::encode(&self.search)));
        }
        if !self.active {
            parts.push("active=0".into());
        }
        if !self.can_login {
            parts.push("login=0".into());
        }
        if self.show_disabled {
            parts.push("disabled=1".into());
        }
        if let Some(r) = &self.role {
            parts.push(format!("role={}", crate::percent::encode(r)));
        }
        if self.sort != PeopleSort::DisplayName {
            parts.push(format!("sort={}", self.sort.as_str()));
        }
        if self.descending {
            parts.push("dir=desc".into());
        }
        if let Some(c) = &self.cursor {
            parts.push(format!("cursor={}", crate::percent::encode(c)));
        }
        if parts.is_empty() {
            "/admin/people".into()
        } else {
            format!("/admin/people?{}", parts.join("&"))
        }
    }

    /// Sorting by `column`: the other direction when it is the current one,
    /// from the first page.
    pub fn sorted_by(&self, column: PeopleSort) -> Self {
        Self {
            sort: column,
            descending: self.sort == column && !self.descending,
            cursor: None,
            ..self.clone()
        }
    }

    /// The other side (staff ↔ clients), keeping the name filter and the
    /// status boxes; the role belongs to one side, so it is dropped.
    pub fn other_side(&self, side: UserKind) -> Self {
        Self {
            side,
            role: None,
            cursor: None,
            ..self.clone()
        }
    }

    /// Whether the status boxes restrict the list (they don't while
    /// disabled users are shown).
    pub fn only_active(&self) -> bool {
        self.active && !self.show_disabled
    }

    /// See [`Self::only_active`].
    pub fn only_can_login(&self) -> bool {
        self.can_login && !self.show_disabled
    }
}

/// The label of `role` when it is a role of `side`.
pub fn role_label(side: UserKind, role: &str) -> Option<&'static str> {
    match side {
        UserKind::Staff => StaffRole::from_db(role).map(StaffRole::label),
        UserKind::Client => ClientRole::from_db(role).map(ClientRole::label),
    }
}

/// The roles of `side` as (stored value, label), for the Role drop-down.
pub fn roles_of(side: UserKind) -> Vec<(&'static str, &'static str)> {
    match side {
        UserKind::Staff => StaffRole::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        UserKind::Client => ClientRole::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
    }
}

/// A login's status in words: "Active", "Cannot sign in" (active, without
/// Can Login) or "Disabled" (inactive).
pub fn status_label(active: bool, can_login: bool) -> &'static str {
    match (active, can_login) {
        (false, _) => "Disabled",
        (true, false) => "Cannot sign in",
        (true, true) => "Active",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(pairs: &[(&str, &str)]) -> PeopleQuery {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        PeopleQuery::from_params(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_show_live_staff_logins_by_name() {
        let q = parse(&[]);
        assert_eq!(q, PeopleQuery::default());
        assert!(q.only_active() && q.only_can_login());
        assert_eq!(q.href(), "/admin/people");
    }

    #[test]
    fn the_address_round_trips() {
        let q = PeopleQuery {
            side: UserKind::Client,
            search: "Zoë O'Brien".into(),
            active: false,
            can_login: true,
            show_disabled: true,
            role: Some("claims_rep_manager".into()),
            sort: PeopleSort::LastLogon,
            descending: true,
            cursor: Some("12|x".into()),
        };
        let href = q.href();
        let query = href.split_once('?').unwrap().1;
        assert_eq!(
            PeopleQuery::from_params(|k| crate::percent::query_value(query, k)),
            q
        );
    }

    #[test]
    fn the_filter_form_sends_only_ticked_boxes() {
        let q = parse(&[("f", "1"), ("login", "1")]);
        assert!(!q.active && q.can_login && !q.show_disabled);
        assert_eq!(q.href(), "/admin/people?active=0");
        let q = parse(&[
            ("f", "1"),
            ("active", "1"),
            ("login", "1"),
            ("disabled", "1"),
        ]);
        assert!(q.active && q.can_login && q.show_disabled);
    }

    #[test]
    fn a_role_of_the_other_side_or_unknown_is_ignored() {
        assert_eq!(parse(&[("role", "insured")]).role, None);
        assert_eq!(
            parse(&[("side", "clients"), ("role", "insured")]).role,
            Some("insured".into())
        );
        assert_eq!(parse(&[("role", "root")]).role, None);
        assert_eq!(
            parse(&[("sort", "password_hash")]).sort,
            PeopleSort::DisplayName
        );
    }

    #[test]
    fn show_disabled_lifts_the_status_boxes_and_sorting_flips() {
        let q = parse(&[("disabled", "1")]);
        assert!(!q.only_active() && !q.only_can_login());
        let by_role = q.sorted_by(PeopleSort::Role);
        assert!(!by_role.descending);
        assert!(by_role.sorted_by(PeopleSort::Role).descending);
        assert_eq!(
            parse(&[("q", &"x".repeat(500))]).search.len(),
            MAX_SEARCH_LEN
        );
    }

    #[test]
    fn statuses_in_words() {
        assert_eq!(status_label(true, true), "Active");
        assert_eq!(status_label(true, false), "Cannot sign in");
        assert_eq!(status_label(false, true), "Disabled");
    }
}
