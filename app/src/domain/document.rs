//! A client account's documents as people type them: a report (title and
//! text) and a PDF's details (issue date, business purpose, document type),
//! and the file name a PDF is offered under.

use super::ParseError;

/// Longest report title (and PDF display name).
pub const TITLE_MAX: usize = 200;
/// Longest report text.
pub const BODY_MAX: usize = 20_000;

/// A report's title and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInput {
    /// The title, trimmed.
    pub title: String,
    /// The text, line ends normalised.
    pub body: String,
}

impl ReportInput {
    /// Parses the report form.
    pub fn parse(title: &str, body: &str) -> Result<Self, ParseError> {
        let title = title.trim();
        if title.is_empty() {
            return Err(ParseError::new("title", "Enter a title."));
        }
        if title.chars().count() > TITLE_MAX || title.chars().any(char::is_control) {
            return Err(ParseError::new(
                "title",
                format!("A title is at most {TITLE_MAX} printable characters."),
            ));
        }
        let body = body.trim().replace("\r\n", "\n");
        if body.chars().count() > BODY_MAX {
            return Err(ParseError::new(
                "body",
                format!("A report is at most {BODY_MAX} characters."),
            ));
        }
        Ok(Self {
            title: title.to_string(),
            body,
        })
    }
}

/// A PDF's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfDetails {
    /// Issue date, `YYYY-MM-DD`.
    pub issue_date: (i32, u32, u32),
    /// Why the document exists, e.g. "Renewal".
    pub business_purpose: String,
    /// What it is, e.g. "Certificate of insurance".
    pub document_type: String,
}

impl PdfDetails {
    /// Parses the PDF details form.
    pub fn parse(
        issue_date: &str,
        business_purpose: &str,
        document_type: &str,
    ) -> Result<Self, ParseError> {
        let bad_date = || ParseError::new("issue_date", "Enter the issue date as YYYY-MM-DD.");
        let mut parts = issue_date.trim().splitn(3, '-');
        let mut next = |len: usize| {
            parts
                .next()
                .filter(|p| p.len() == len && p.chars().all(|c| c.is_ascii_digit()))
                .and_then(|p| p.parse::<u32>().ok())
                .ok_or_else(bad_date)
        };
        let (y, m, d) = (next(4)?, next(2)?, next(2)?);
        let days_in_month = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
            2 => 28,
            _ => return Err(bad_date()),
        };
        if !(1900..=2200).contains(&y) || d == 0 || d > days_in_month {
            return Err(bad_date());
        }
        let text = |field: &'static str, label: &str, v: &str, max: usize| {
            let v = v.trim();
            if v.is_empty() {
                return Err(ParseError::new(field, format!("Enter the {label}.")));
            }
            if v.chars().count() > max || v.chars().any(char::is_control) {
                return Err(ParseError::new(
                    field,
                    format!("The {label} is at most {max} printable characters."),
                ));
            }
            Ok(v.to_string())
        };
        Ok(Self {
            issue_date: (y as i32, m, d),
            business_purpose: text(
                "business_purpose",
                "business purpose",
                business_purpose,
                200,
            )?,
            document_type: text("document_type", "document type", document_type, 100)?,
        })
    }
}

/// The name an uploaded file is shown and offered under: the last path
/// component of what the browser sent, without control characters, at most
/// [`TITLE_MAX`] characters, ending in `.pdf`. Never used on disk.
pub fn display_file_name(sent: &str) -> String {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or("");
    let mut name: String = last
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .chars()
        .take(TITLE_MAX - 4)
        .collect();
    if name.is_empty() {
        name = "document".into();
    }
    if !name.to_ascii_lowercase().ends_with(".pdf") {
        name.push_str(".pdf");
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_need_a_title_and_keep_their_text() {
        assert_eq!(ReportInput::parse(" ", "x").unwrap_err().field, "title");
        let r = ReportInput::parse(" Night patrol ", "Gate 3 open\r\nfixed").unwrap();
        assert_eq!(r.title, "Night patrol");
        assert_eq!(r.body, "Gate 3 open\nfixed");
        assert_eq!(
            ReportInput::parse("t", &"x".repeat(BODY_MAX + 1))
                .unwrap_err()
                .field,
            "body"
        );
    }

    #[test]
    fn pdf_details_need_a_real_date() {
        let d = PdfDetails::parse("2024-02-29", "Renewal", "Certificate").unwrap();
        assert_eq!(d.issue_date, (2024, 2, 29));
        for bad in ["2023-02-29", "2024-13-01", "24-01-01", "tomorrow", ""] {
            assert_eq!(
                PdfDetails::parse(bad, "a", "b").unwrap_err().field,
                "issue_date",
                "{bad}"
            );
        }
        assert_eq!(
            PdfDetails::parse("2024-01-01", " ", "b").unwrap_err().field,
            "business_purpose"
        );
        assert_eq!(
            PdfDetails::parse("2024-01-01", "a", "").unwrap_err().field,
            "document_type"
        );
    }

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(
            display_file_name("C:\\Users\\x\\Policy 2024.PDF"),
            "Policy 2024.PDF"
        );
        assert_eq!(display_file_name("../../etc/passwd"), "passwd.pdf");
        assert_eq!(display_file_name("a\"b\nc.pdf"), "abc.pdf");
        assert_eq!(display_file_name(""), "document.pdf");
        assert_eq!(display_file_name("..."), "document.pdf");
    }
}
