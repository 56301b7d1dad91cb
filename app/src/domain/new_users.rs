//! Create Users in a batch: the generated username (agency prefix + first
//! initial + last name, transliterated to lower-case ASCII), the sequence of
//! suggestions offered when it is taken, what a spreadsheet paste becomes,
//! and the verdict on every row of a batch. Pure functions: the browser
//! uses them to show the grid, the server decides with them, given the
//! usernames the organization already has.

use super::{Email, PersonName, Username};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Most rows one batch may have (a few hundred is the expected size).
pub const MAX_ROWS: usize = 1_000;

/// Suggestions tried per failing row before giving up on it (all of them
/// taken means something odd, such as a hundred John Smiths).
pub const MAX_SUGGESTIONS: usize = 100;

/// The ASCII spelling of one character of a name: accents dropped, ligatures
/// and special letters spelt out (`ß` → `ss`, `Æ` → `ae`, `Ł` → `l`), every
/// other letter or digit kept lower-cased, and anything else (apostrophes,
/// hyphens, spaces, letters of other scripts) gone.
fn transliterate(c: char, out: &mut String) {
    let s: &str = match c {
        'a'..='z' | '0'..='9' => {
            out.push(c);
            return;
        }
        'A'..='Z' => {
            out.push(c.to_ascii_lowercase());
            return;
        }
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å'
        | 'Ā' | 'Ă' | 'Ą' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' | 'Ç' | 'Ć' | 'Ĉ' | 'Ċ' | 'Č' => "c",
        'ď' | 'đ' | 'ð' | 'Ď' | 'Đ' | 'Ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ'
        | 'Ė' | 'Ę' | 'Ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' | 'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => "g",
        'ĥ' | 'ħ' | 'Ĥ' | 'Ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ĩ' | 'Ī'
        | 'Ĭ' | 'Į' | 'İ' => "i",
        'ĵ' | 'Ĵ' => "j",
        'ķ' | 'Ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' | 'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'Ñ' | 'Ń' | 'Ņ' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø'
        | 'Ō' | 'Ŏ' | 'Ő' => "o",
        'œ' | 'Œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' | 'Ŕ' | 'Ŗ' | 'Ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' | 'Ś' | 'Ŝ' | 'Ş' | 'Š' | 'Ș' => "s",
        'ß' | 'ẞ' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' | 'Ţ' | 'Ť' | 'Ŧ' | 'Ț' => "t",
        'þ' | 'Þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ũ'
        | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' => "u",
        'ŵ' | 'Ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' | 'Ý' | 'Ÿ' | 'Ŷ' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        _ => "",
    };
    out.push_str(s);
}

/// A name spelt in lower-case ASCII letters and digits only.
pub fn ascii_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        transliterate(c, &mut out);
    }
    out
}

/// The first letter of each word of a first name ("Mary Ann" → "ma",
/// "Jean-Luc" → "jl"): the second kind of suggestion.
fn initials(first_name: &str) -> String {
    first_name
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter_map(|word| ascii_name(word).chars().next())
        .collect()
}

/// Why no username can be made from a row's names.
fn generation_problem(agency_prefix: &str, first_name: &str, last_name: &str) -> Option<String> {
    if ascii_name(first_name).is_empty() || ascii_name(last_name).is_empty() {
        return Some(
            "The name has no letters a username can be made from: type the username's \
             letters in the name, e.g. \"Zoe\" for \"Zoë\"."
                .into(),
        );
    }
    let len = agency_prefix.trim().len() + 1 + ascii_name(last_name).len();
    (len > Username::MAX_LEN).then(|| {
        format!(
            "The username would be {len} characters long; the most is {}. Shorten the last name.",
            Username::MAX_LEN
        )
    })
}

/// The username generated for a new staff member: agency prefix + first
/// initial + last name, lower-case ASCII (`Zoë`, `Ó Brádaigh` →
/// `214zobradaigh`). Refused, with the reason, when the names leave no
/// letters or the result is longer than a username may be.
pub fn generated_username(
    agency_prefix: &str,
    first_name: &str,
    last_name: &str,
) -> Result<Username, String> {
    if let Some(problem) = generation_problem(agency_prefix, first_name, last_name) {
        return Err(problem);
    }
    let first = ascii_name(first_name);
    let initial = &first[..1];
    Username::parse(&format!(
        "{}{initial}{}",
        agency_prefix.trim(),
        ascii_name(last_name)
    ))
    .map_err(|e| e.message)
}

/// The suggestions for a taken username, in the order they are offered:
/// `214jsmith2`; then the initials of every word of the first name
/// (`214masmith` for Mary Ann); then `214jsmith3`, `214jsmith4`, … Those
/// longer than a username may be are left out.
pub fn suggestions(agency_prefix: &str, first_name: &str, last_name: &str) -> Vec<String> {
    let Ok(base) = generated_username(agency_prefix, first_name, last_name) else {
        return Vec::new();
    };
    let base = base.as_str();
    let mut out = vec![format!("{base}2")];
    let initials = initials(first_name);
    if initials.len() > 1 {
        out.push(format!(
            "{}{initials}{}",
            agency_prefix.trim(),
            ascii_name(last_name)
        ));
    }
    out.extend((3..).take(MAX_SUGGESTIONS).map(|n| format!("{base}{n}")));
    out.retain(|s| s.len() <= Username::MAX_LEN);
    out.truncate(MAX_SUGGESTIONS);
    out
}

/// One row of the grid as the browser sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRow {
    /// The browser's key for the row, echoed back so answers find their
    /// row even after rows were added or dropped meanwhile.
    pub key: u32,
    /// First name as typed.
    pub first_name: String,
    /// Last name as typed.
    pub last_name: String,
    /// Email as typed ("" for none).
    #[serde(default)]
    pub email: String,
    /// A suggestion the administrator accepted instead of the generated
    /// username.
    #[serde(default)]
    pub username: Option<String>,
}

impl BatchRow {
    /// Whether nothing was typed in the row (such rows are left out).
    pub fn is_blank(&self) -> bool {
        self.first_name.trim().is_empty()
            && self.last_name.trim().is_empty()
            && self.email.trim().is_empty()
    }
}

/// The verdict on one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowCheck {
    /// The row's key (see [`BatchRow::key`]).
    pub key: u32,
    /// The username the row would get ("" when none can be made).
    pub username: String,
    /// Pass: the row can be created as it is.
    pub pass: bool,
    /// Why it fails, for the Validation column.
    pub reason: Option<String>,
    /// A free username to offer instead, when the username is taken.
    pub suggestion: Option<String>,
    /// What is wrong with the email, shown next to it.
    pub email_problem: Option<String>,
}

/// The first problem with a row's names, if any.
fn name_problem(row: &BatchRow) -> Option<String> {
    PersonName::parse(&row.first_name, "", &row.last_name)
        .err()
        .map(|e| e.message)
}

/// The username a row asks for: its accepted suggestion (which must be one
/// of the row's suggestions), or the generated one.
pub fn wanted_username(agency_prefix: &str, row: &BatchRow) -> Result<Username, String> {
    match row.username.as_deref() {
        Some(chosen) => {
            let chosen = Username::parse(chosen).map_err(|e| e.message)?;
            if suggestions(agency_prefix, &row.first_name, &row.last_name)
                .iter()
                .any(|s| s == chosen.as_str())
            {
                Ok(chosen)
            } else {
                Err(format!(
                    "{chosen} is not one of the usernames suggested for this name; \
                     choose a suggestion or change the name."
                ))
            }
        }
        None => generated_username(agency_prefix, &row.first_name, &row.last_name),
    }
}

/// Checks a batch: every row gets Pass, or Fail with its reason. `taken`
/// answers whether the organization already has a login with a username.
/// A username used by an earlier row of the batch fails the later row; a
/// taken one comes with a suggestion that is free, not wanted by any row and
/// not suggested to an earlier row.
pub fn check_rows(
    agency_prefix: &str,
    rows: &[BatchRow],
    taken: impl Fn(&str) -> bool,
) -> Vec<RowCheck> {
    let wanted: Vec<Result<Username, String>> = rows
        .iter()
        .map(|row| wanted_username(agency_prefix, row))
        .collect();
    // Usernames rows ask for and suggestions given so far: never offered
    // to another row.
    let mut reserved: HashSet<String> = wanted
        .iter()
        .filter_map(|w| w.as_ref().ok().map(|u| u.as_str().to_string()))
        .collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(rows.len());
    for (row, wanted) in rows.iter().zip(wanted) {
        let email_problem = match row.email.trim() {
            "" => None,
            typed => Email::parse(typed).err().map(|e| e.message),
        };
        let mut check = RowCheck {
            key: row.key,
            username: String::new(),
            pass: false,
            reason: None,
            suggestion: None,
            email_problem,
        };
        if let Some(problem) = name_problem(row) {
            check.reason = Some(problem);
            out.push(check);
            continue;
        }
        let username = match wanted {
            Ok(u) => u,
            Err(problem) => {
                check.reason = Some(problem);
                out.push(check);
                continue;
            }
        };
        check.username = username.as_str().to_string();
        let clash = if taken(username.as_str()) {
            Some("Taken: the organization already has a login with this username.".to_string())
        } else if !seen.insert(username.as_str().to_string()) {
            Some("Appears twice in this batch.".to_string())
        } else {
            None
        };
        match clash {
            Some(reason) => {
                check.reason = Some(reason);
                check.suggestion = suggestions(agency_prefix, &row.first_name, &row.last_name)
                    .into_iter()
                    .find(|s| !taken(s) && !reserved.contains(s));
                if let Some(s) = &check.suggestion {
                    reserved.insert(s.clone());
                }
            }
            None => check.pass = check.email_problem.is_none(),
        }
        out.push(check);
    }
    out
}

/// Rows pasted from a spreadsheet or typed as text: one person per line,
/// "first, last[, email]" separated by tabs or commas. Blank lines and a
/// heading line ("First name, Last name…") are skipped; surrounding quotes
/// are removed.
pub fn parse_pasted(text: &str) -> Vec<(String, String, String)> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let separator = if line.contains('\t') { '\t' } else { ',' };
            let mut cells = line
                .split(separator)
                .map(|c| c.trim().trim_matches('"').trim().to_string());
            (
                cells.next().unwrap_or_default(),
                cells.next().unwrap_or_default(),
                cells.next().unwrap_or_default(),
            )
        })
        .filter(|(first, last, _)| {
            let heading = |s: &str| {
                let s = s.to_lowercase().replace([' ', '_'], "");
                s == "first" || s == "firstname" || s == "last" || s == "lastname"
            };
            !(heading(first) && heading(last))
        })
        .collect()
}

/// Whether `text`, pasted into one cell, is meant as several cells or rows:
/// it has several lines or tabs, or commas when pasted into a first name
/// (in a last name, "Smith, Jr." is one name).
pub fn is_multi_cell_paste(text: &str, into_first_name: bool) -> bool {
    let text = text.trim_end_matches(['\r', '\n']);
    text.contains(['\n', '\t']) || (into_first_name && text.contains(','))
}

/// A CSV cell: trimmed, quoted when needed, and a leading `=`, `+`, `-`,
/// `@`, tab or carriage return made harmless so a spreadsheet does not run
/// it as a formula.
pub fn csv_cell(value: &str) -> String {
    let value = value.trim_matches(' ');
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: u32, first: &str, last: &str) -> BatchRow {
        BatchRow {
            key,
            first_name: first.into(),
            last_name: last.into(),
            email: String::new(),
            username: None,
        }
    }

    #[test]
    fn the_username_is_prefix_initial_and_last_name_in_ascii() {
        let u = |f, l| generated_username("214", f, l).map(|u| u.as_str().to_string());
        assert_eq!(u("Jane", "Smith").unwrap(), "214jsmith");
        assert_eq!(u("Zoë", "Ó Brádaigh").unwrap(), "214zobradaigh");
        assert_eq!(
            u("Siobhán", "O'Neill-Ní Dhuibhir").unwrap(),
            "214soneillnidhuibhir"
        );
        assert_eq!(u("Łukasz", "Straße").unwrap(), "214lstrasse");
        assert_eq!(u("Æsa", "Þórsdóttir").unwrap(), "214athorsdottir");
        assert_eq!(u("  jane ", " SMITH ").unwrap(), "214jsmith");
    }

    #[test]
    fn an_empty_or_too_long_username_fails_with_the_reason() {
        for (first, last) in [("", "Smith"), ("Jane", ""), ("李", "王"), ("Jane", "'-- ")] {
            let err = generated_username("214", first, last).unwrap_err();
            assert!(err.contains("no letters"), "{first:?} {last:?}: {err}");
        }
        let err = generated_username("214", "Jane", &"w".repeat(61)).unwrap_err();
        assert!(err.contains("would be 65 characters long"), "{err}");
        assert_eq!(
            generated_username("214", "Jane", &"w".repeat(60))
                .unwrap()
                .as_str()
                .len(),
            64
        );
    }

    #[test]
    fn suggestions_follow_a_predictable_sequence() {
        assert_eq!(
            suggestions("214", "John", "Smith")[..3],
            ["214jsmith2", "214jsmith3", "214jsmith4"]
        );
        assert_eq!(
            suggestions("214", "Mary Ann", "Smith")[..3],
            ["214msmith2", "214masmith", "214msmith3"]
        );
        assert_eq!(suggestions("214", "Jean-Luc", "Picard")[1], "214jlpicard");
        assert_eq!(suggestions("214", "Jane", "Smith").len(), MAX_SUGGESTIONS);
        // Near the length limit, only the ones that fit.
        let last = "w".repeat(59);
        let s = suggestions("214", "Jane", &last);
        assert_eq!(s.len(), 8, "{s:?}");
        assert!(s.iter().all(|s| s.len() <= Username::MAX_LEN));
        assert!(suggestions("214", "", "Smith").is_empty());
    }

    #[test]
    fn taken_and_duplicate_rows_fail_with_a_free_suggestion() {
        let taken: HashSet<&str> = ["214jsmith", "214jsmith2"].into();
        let rows = [
            row(1, "Jane", "Smith"),
            row(2, "Alice", "Morgan"),
            row(3, "Alice", "Morgan"),
            row(4, "John", "Smith"),
            row(5, "Ann", "Morgan"),
        ];
        let checks = check_rows("214", &rows, |u| taken.contains(u));
        let summary: Vec<_> = checks
            .iter()
            .map(|c| (c.key, c.username.as_str(), c.pass, c.suggestion.as_deref()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (1, "214jsmith", false, Some("214jsmith3")),
                (2, "214amorgan", true, None),
                (3, "214amorgan", false, Some("214amorgan2")),
                // Never the suggestion already offered to row 1.
                (4, "214jsmith", false, Some("214jsmith4")),
                // Another row's duplicate is reserved too.
                (5, "214amorgan", false, Some("214amorgan3")),
            ]
        );
        assert!(checks[0].reason.as_deref().unwrap().starts_with("Taken"));
        assert_eq!(
            checks[2].reason.as_deref(),
            Some("Appears twice in this batch.")
        );
    }

    #[test]
    fn a_suggestion_never_collides_with_a_username_another_row_wants() {
        // Row 2 accepted 214jsmith2 before row 1's check: row 1 must be
        // offered something else.
        let mut second = row(2, "Joan", "Smith");
        second.username = Some("214jsmith2".into());
        let rows = [row(1, "Jane", "Smith"), second];
        let checks = check_rows("214", &rows, |u| u == "214jsmith");
        assert_eq!(checks[0].suggestion.as_deref(), Some("214jsmith3"));
        assert!(checks[1].pass);
    }

    #[test]
    fn an_accepted_username_must_be_one_of_the_rows_suggestions() {
        let mut r = row(1, "Jane", "Smith");
        for not_offered in ["999jsmith", "214support", "214jsmith", "214jsmith0"] {
            r.username = Some(not_offered.into());
            let c = &check_rows("214", &[r.clone()], |_| false)[0];
            assert!(!c.pass, "{not_offered}");
            assert!(c
                .reason
                .as_deref()
                .unwrap()
                .contains("not one of the usernames suggested"));
        }
        r.username = Some("214 jsmith".into());
        assert!(!check_rows("214", &[r.clone()], |_| false)[0].pass);
        r.username = Some("214jsmith7".into());
        assert!(check_rows("214", &[r], |_| false)[0].pass);
    }

    #[test]
    fn names_and_emails_are_checked_per_row() {
        let mut r = row(1, "Jane", "");
        assert_eq!(
            check_rows("214", &[r.clone()], |_| false)[0]
                .reason
                .as_deref(),
            Some("Enter a last name.")
        );
        r.last_name = "Smith".into();
        r.email = "not-an-email".into();
        let c = &check_rows("214", &[r], |_| false)[0];
        assert!(!c.pass);
        assert!(c.reason.is_none());
        assert!(c.email_problem.is_some());
    }

    #[test]
    fn a_spreadsheet_paste_becomes_rows() {
        let pasted = "First name\tLast name\tEmail\r\nJane\tSmith\tjane@example.com\r\n\r\n\"Zoë\",\"Ó Brádaigh\"\nAl, Morgan ,\n";
        assert_eq!(
            parse_pasted(pasted),
            vec![
                ("Jane".into(), "Smith".into(), "jane@example.com".into()),
                ("Zoë".into(), "Ó Brádaigh".into(), String::new()),
                ("Al".into(), "Morgan".into(), String::new()),
            ]
        );
        assert!(is_multi_cell_paste("Jane\tSmith", false));
        assert!(is_multi_cell_paste("Jane\nJohn", false));
        assert!(is_multi_cell_paste("Jane, Smith", true));
        assert!(!is_multi_cell_paste("Smith, Jr.", false));
        assert!(!is_multi_cell_paste("Jane\n", true));
        assert!(!is_multi_cell_paste("O'Brien", true));
    }

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(csv_cell("Smith"), "Smith");
        assert_eq!(csv_cell("Smith, Jr."), "\"Smith, Jr.\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell(" =1+1 "), "'=1+1");
        assert_eq!(csv_cell("\t=1"), "'\t=1");
    }
}
