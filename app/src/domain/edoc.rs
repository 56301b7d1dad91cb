//! An insured's eDoc as a broker describes it: the issue date, the business
//! purpose and the document type, the last two chosen from lists whose
//! stored values are codes in the style of CSIO's eDocs (the purposes are
//! ACORD's `BusinessPurposeTypeCd` values that CSIO downloads carry). The
//! code is stored, the readable label shown; a code from a download that is
//! not on the list is kept as it came and shown as "Other (code)".

use super::{document::parse_issue_date, ParseError};

/// One choice of a list: the stored code and the label people read.
pub type Choice = (&'static str, &'static str);

/// Why the document was issued.
pub const BUSINESS_PURPOSES: &[Choice] = &[
    ("NBS", "New business"),
    ("RWL", "Renewal"),
    ("PCH", "Policy change"),
    ("XLC", "Cancellation"),
    ("REI", "Reinstatement"),
    ("OTH", "Other"),
];

/// What the document is.
pub const DOCUMENT_TYPES: &[Choice] = &[
    ("DEC", "Declaration"),
    ("PINK", "Liability slip / pink card"),
    ("INV", "Invoice"),
    ("WORD", "Policy wording"),
    ("END", "Endorsement"),
    ("COI", "Certificate of insurance"),
    ("NOT", "Notice"),
    ("LTR", "Letter"),
    ("OTH", "Other"),
];

/// Longest code kept from a download.
pub const CODE_MAX: usize = 40;

/// The label of `code` in `list`, or "Other (code)" for one not on it.
pub fn label(list: &[Choice], code: &str) -> String {
    list.iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| (*l).to_string())
        .unwrap_or_else(|| format!("Other ({code})"))
}

/// A code as a download writes it (`csio:RWL`, ` rwl `), in the list's
/// form: without a namespace prefix, trimmed, upper case, at most
/// [`CODE_MAX`] printable characters. Empty when nothing usable is left.
pub fn code_from_download(raw: &str) -> String {
    let bare = raw.rsplit(':').next().unwrap_or(raw).trim();
    if bare
        .chars()
        .any(|c| c.is_control() || super::document::is_format_control(c))
    {
        return String::new();
    }
    bare.to_uppercase().chars().take(CODE_MAX).collect()
}

/// The Add eDoc form, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdocDetails {
    /// The issue date.
    pub issue_date: (i32, u32, u32),
    /// A code of [`BUSINESS_PURPOSES`].
    pub business_purpose: &'static str,
    /// A code of [`DOCUMENT_TYPES`].
    pub document_type: &'static str,
}

impl EdocDetails {
    /// Parses the form. The issue date is required and may be neither
    /// before 1950 nor more than a year after `today` (renewal documents
    /// are issued ahead of the term, but not years ahead); the purpose and
    /// type must be codes of their lists.
    pub fn parse(
        issue_date: &str,
        business_purpose: &str,
        document_type: &str,
        today: (i32, u32, u32),
    ) -> Result<Self, ParseError> {
        if issue_date.trim().is_empty() {
            return Err(ParseError::new("issue_date", "Enter the issue date."));
        }
        let date = parse_issue_date(issue_date)?;
        let latest = (today.0 + 1, today.1, today.2);
        if date < (1950, 1, 1) || date > latest {
            return Err(ParseError::new(
                "issue_date",
                format!(
                    "The issue date must be between 1950-01-01 and {:04}-{:02}-{:02}.",
                    latest.0, latest.1, latest.2
                ),
            ));
        }
        let pick = |list: &[Choice], v: &str, field: &'static str, what: &str| {
            list.iter()
                .find(|(c, _)| *c == v.trim())
                .map(|(c, _)| *c)
                .ok_or_else(|| ParseError::new(field, format!("Choose the {what}.")))
        };
        Ok(Self {
            issue_date: date,
            business_purpose: pick(
                BUSINESS_PURPOSES,
                business_purpose,
                "business_purpose",
                "business purpose",
            )?,
            document_type: pick(
                DOCUMENT_TYPES,
                document_type,
                "document_type",
                "document type",
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: (i32, u32, u32) = (2026, 12, 5);

    #[test]
    fn codes_are_chosen_from_the_lists() {
        let d = EdocDetails::parse("2026-11-15", "RWL", "PINK", TODAY).unwrap();
        assert_eq!(d.issue_date, (2026, 11, 15));
        assert_eq!((d.business_purpose, d.document_type), ("RWL", "PINK"));
        assert_eq!(
            EdocDetails::parse("2026-11-15", "Renewal", "PINK", TODAY)
                .unwrap_err()
                .field,
            "business_purpose"
        );
        assert_eq!(
            EdocDetails::parse("2026-11-15", "RWL", "", TODAY)
                .unwrap_err()
                .field,
            "document_type"
        );
    }

    #[test]
    fn the_issue_date_is_required_and_not_absurd() {
        for bad in ["", "2026-02-30", "15/11/2026", "1949-12-31", "2027-12-06"] {
            assert_eq!(
                EdocDetails::parse(bad, "RWL", "DEC", TODAY)
                    .unwrap_err()
                    .field,
                "issue_date",
                "{bad}"
            );
        }
        assert!(EdocDetails::parse("2027-12-05", "RWL", "DEC", TODAY).is_ok());
        assert!(EdocDetails::parse("1950-01-01", "RWL", "DEC", TODAY).is_ok());
    }

    #[test]
    fn labels_and_download_codes() {
        assert_eq!(label(DOCUMENT_TYPES, "PINK"), "Liability slip / pink card");
        assert_eq!(label(BUSINESS_PURPOSES, "ZZZ"), "Other (ZZZ)");
        assert_eq!(code_from_download(" csio:rwl "), "RWL");
        assert_eq!(code_from_download("DEC"), "DEC");
        assert_eq!(code_from_download("x\u{202e}y"), "");
    }
}
