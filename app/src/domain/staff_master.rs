//! The Staff Master: a staff member's HR record. The Staff ID (an employee
//! or payroll number: digits, letters or both; unique per organization
//! whatever its case; `100` is reserved for platform support), the name
//! with a middle initial, the hire date and the login it is linked to.
//! Also the list's search, sort and page, kept in the page's address.

use super::ParseError;
use serde::{Deserialize, Serialize};

/// The words every refusal of Staff ID 100 uses.
pub const RESERVED_MESSAGE: &str = "Staff ID 100 is reserved for platform support";

/// How far ahead of today a hire date may be, unless the organization's
/// settings say otherwise.
pub const DEFAULT_DAYS_AHEAD: i32 = 90;

/// Records per page of the list.
pub const PAGE_SIZE: u64 = 50;

/// An employee or payroll number, as typed (trimmed); compared and kept
/// unique lower-cased ([`StaffId::key`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffId(String);

impl StaffId {
    /// Longest Staff ID accepted.
    pub const MAX_LEN: usize = 20;

    /// Parses what was typed: 1 to 20 letters and digits. `100` (also
    /// written `0100`) is refused: platform support uses it.
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(ParseError::new("staff_id", "Enter a Staff ID."));
        }
        if value.len() > Self::MAX_LEN || !value.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ParseError::new(
                "staff_id",
                format!(
                    "A Staff ID is 1 to {} letters and digits, e.g. 4521 or HR0042.",
                    Self::MAX_LEN
                ),
            ));
        }
        if value.chars().all(|c| c.is_ascii_digit()) && value.trim_start_matches('0') == "100" {
            return Err(ParseError::new("staff_id", format!("{RESERVED_MESSAGE}.")));
        }
        Ok(Self(value.to_string()))
    }

    /// As typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What uniqueness is checked on: lower-cased.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// A record's details as checked (the link to a login is decided by the
/// service, which knows the logins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecordDetails {
    /// The Staff ID.
    pub staff_id: StaffId,
    /// First name.
    pub first_name: String,
    /// One letter, upper-cased, if any.
    pub middle_initial: Option<String>,
    /// Last name.
    pub last_name: String,
    /// `YYYY-MM-DD`.
    pub hire_date: String,
}

/// A record as typed in the form (or a row of the prefilled grid).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRecordInput {
    /// The record to change; `None` adds one.
    #[serde(default)]
    pub id: Option<i32>,
    /// Staff ID as typed.
    pub staff_id: String,
    /// First name as typed.
    pub first_name: String,
    /// Middle initial as typed ("" for none).
    #[serde(default)]
    pub middle_initial: String,
    /// Last name as typed.
    pub last_name: String,
    /// Hire date, `YYYY-MM-DD` (what a date input sends).
    pub hire_date: String,
    /// The staff login to link; `None` for none.
    #[serde(default)]
    pub user_id: Option<i32>,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (no chrono in the
/// browser build).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` (exactly: a four-digit year, two-digit month and day) as
/// days since 1970, if it is a real date.
pub fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let shape = s.len() == 10
        && s.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shape {
        return None;
    }
    let mut parts = s.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    (d <= days_in_month[m as usize - 1]).then(|| days_from_civil(y, m, d))
}

impl StaffRecordInput {
    /// Checks the details. `today` is `YYYY-MM-DD`; a hire date may be at
    /// most `days_ahead` days after it (someone starting soon) and not
    /// before 1950.
    pub fn parse(&self, today: &str, days_ahead: u32) -> Result<StaffRecordDetails, ParseError> {
        let staff_id = StaffId::parse(&self.staff_id)?;
        let name = |field: &'static str, label: &str, v: &str| -> Result<String, ParseError> {
            let v = v.trim();
            if v.is_empty() {
                return Err(ParseError::new(field, format!("Enter the {label}.")));
            }
            if v.chars().count() > 100 || v.chars().any(char::is_control) {
                return Err(ParseError::new(
                    field,
                    format!("The {label} is at most 100 printable characters."),
                ));
            }
            Ok(v.to_string())
        };
        let first_name = name("first_name", "first name", &self.first_name)?;
        let last_name = name("last_name", "last name", &self.last_name)?;
        let middle = self.middle_initial.trim().trim_end_matches('.');
        let middle_initial = match middle.chars().count() {
            0 => None,
            1 if middle.chars().all(char::is_alphabetic)
                && middle.to_uppercase().chars().count() == 1 =>
            {
                Some(middle.to_uppercase())
            }
            _ => {
                return Err(ParseError::new(
                    "middle_initial",
                    "A middle initial is one letter.",
                ))
            }
        };
        let hire = parse_date(&self.hire_date)
            .ok_or_else(|| ParseError::new("hire_date", "Enter the hire date, e.g. 2026-03-15."))?;
        let today = parse_date(today).unwrap_or(hire);
        if hire > today + i64::from(days_ahead) {
            return Err(ParseError::new(
                "hire_date",
                format!("A hire date is at most {days_ahead} days from today; this one is later."),
            ));
        }
        if hire < days_from_civil(1950, 1, 1) {
            return Err(ParseError::new(
                "hire_date",
                "A hire date is in 1950 or later.",
            ));
        }
        Ok(StaffRecordDetails {
            staff_id,
            first_name,
            middle_initial,
            last_name,
            hire_date: self.hire_date.trim().to_string(),
        })
    }
}

/// The columns the list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaffSort {
    /// Staff ID (the default).
    StaffId,
    /// Name (last name first).
    Name,
    /// Hire date.
    HireDate,
}

impl StaffSort {
    /// The value in the address.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StaffId => "id",
            Self::Name => "name",
            Self::HireDate => "hired",
        }
    }

    /// The column's heading.
    pub fn label(self) -> &'static str {
        match self {
            Self::StaffId => "Staff ID",
            Self::Name => "Name",
            Self::HireDate => "Hire date",
        }
    }

    fn from_str(s: &str) -> Self {
        match s {
            "name" => Self::Name,
            "hired" => Self::HireDate,
            _ => Self::StaffId,
        }
    }
}

/// The list's state, kept in the address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffQuery {
    /// Staff ID, name or username contains.
    pub search: String,
    /// The sorted column.
    pub sort: StaffSort,
    /// Descending.
    pub descending: bool,
    /// 0-based page.
    pub page: u64,
}

impl Default for StaffQuery {
    fn default() -> Self {
        Self {
            search: String::new(),
            sort: StaffSort::StaffId,
            descending: false,
            page: 0,
        }
    }
}

impl StaffQuery {
    /// Reads the address's parameters (anything unknown falls back).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            search: get("q")
                .map(|q| q.trim().chars().take(100).collect())
                .unwrap_or_default(),
            sort: get("sort")
                .map(|s| StaffSort::from_str(&s))
                .unwrap_or(StaffSort::StaffId),
            descending: get("dir").as_deref() == Some("desc"),
            page: get("page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(0)
                .min(1_000_000),
        }
    }

    /// The query string (without `?`).
    pub fn to_params(&self) -> String {
        let mut out = Vec::new();
        if !self.search.is_empty() {
            out.push(format!("q={}", crate::percent::encode(&self.search)));
        }
        if self.sort != StaffSort::StaffId {
            out.push(format!("sort={}", self.sort.as_str()));
        }
        if self.descending {
            out.push("dir=desc".to_string());
        }
        if self.page > 0 {
            out.push(format!("page={}", self.page));
        }
        out.join("&")
    }

    /// The list's address in this state.
    pub fn href(&self) -> String {
        match self.to_params() {
            p if p.is_empty() => "/admin/staff".to_string(),
            p => format!("/admin/staff?{p}"),
        }
    }

    /// Sorted by `column`: ascending first, descending when it already is.
    pub fn sorted_by(&self, column: StaffSort) -> Self {
        Self {
            descending: self.sort == column && !self.descending,
            sort: column,
            page: 0,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(staff_id: &str, hire: &str) -> StaffRecordInput {
        StaffRecordInput {
            staff_id: staff_id.into(),
            first_name: "Jane".into(),
            middle_initial: "q.".into(),
            last_name: "Smith".into(),
            hire_date: hire.into(),
            ..Default::default()
        }
    }

    #[test]
    fn staff_ids_are_letters_and_digits_and_100_is_reserved() {
        for ok in ["4521", "HR0042", "abc", "x", "1000", "10"] {
            assert_eq!(StaffId::parse(ok).unwrap().as_str(), ok);
        }
        assert_eq!(StaffId::parse(" Hr0042 ").unwrap().key(), "hr0042");
        for reserved in ["100", " 100 ", "0100"] {
            let err = StaffId::parse(reserved).unwrap_err();
            assert_eq!(
                err.message,
                "Staff ID 100 is reserved for platform support."
            );
        }
        for bad in ["", "12-34", "a b", "é1", &"9".repeat(21)] {
            assert_eq!(
                StaffId::parse(bad).unwrap_err().field,
                "staff_id",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_record_has_a_middle_initial_and_a_plausible_hire_date() {
        let ok = input("4521", "2026-03-15").parse("2026-12-05", 90).unwrap();
        assert_eq!(ok.middle_initial.as_deref(), Some("Q"));
        // Starting soon is fine; beyond the window is not.
        assert!(input("4521", "2027-03-05").parse("2026-12-05", 90).is_ok());
        let err = input("4521", "2027-03-06")
            .parse("2026-12-05", 90)
            .unwrap_err();
        assert_eq!(err.field, "hire_date");
        assert!(err.message.contains("90 days"));
        for bad in [
            "",
            "2026-02-30",
            "15/03/2026",
            "1949-12-31",
            "2026-03-015",
            "99999-01-01",
            "2026-3-15",
        ] {
            assert_eq!(
                input("4521", bad)
                    .parse("2026-12-05", 90)
                    .unwrap_err()
                    .field,
                "hire_date",
                "{bad:?}"
            );
        }
        assert!(input("4521", "2024-02-29").parse("2026-12-05", 0).is_ok());
        let mut two = input("4521", "2026-03-15");
        two.middle_initial = "QR".into();
        assert_eq!(
            two.parse("2026-12-05", 90).unwrap_err().field,
            "middle_initial"
        );
    }

    #[test]
    fn dates_count_days_like_the_calendar() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2000-03-01"), Some(11_017));
        assert_eq!(
            parse_date("2026-12-05").unwrap() - parse_date("2026-09-06").unwrap(),
            90
        );
    }

    #[test]
    fn the_list_state_round_trips_through_the_address() {
        let q = StaffQuery {
            search: "smith jr".into(),
            sort: StaffSort::HireDate,
            descending: true,
            page: 2,
        };
        let params = q.to_params();
        let back = StaffQuery::from_params(|k| crate::percent::query_value(&params, k));
        assert_eq!(back, q);
        assert_eq!(StaffQuery::default().href(), "/admin/staff");
        let sorted = StaffQuery::default().sorted_by(StaffSort::StaffId);
        assert!(sorted.descending);
    }
}
