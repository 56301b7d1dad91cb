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
        let title = without_format_controls(title);
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
        let (y, m, d) = parse_issue_date(issue_date)?;
        let text = |field: &'static str, label: &str, v: &str, max: usize| {
            let v = without_format_controls(v);
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
            issue_date: (y, m, d),
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

/// An issue date typed as `YYYY-MM-DD` (what a date input sends), between
/// 1900 and 2200.
pub fn parse_issue_date(issue_date: &str) -> Result<(i32, u32, u32), ParseError> {
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
    Ok((y as i32, m, d))
}

/// Whether `c` is an invisible formatting character that changes how the
/// text around it is shown: bidirectional marks, embeddings, overrides and
/// isolates (U+200E/F, U+202A–E, U+2066–9 and their kin), zero-width spaces,
/// invisible operators, tag characters, line and paragraph separators and
/// the byte-order mark. With them, `invoice\u{202E}fdp.exe` shows as
/// `invoiceexe.pdf`, so names and titles never keep them. The zero-width
/// joiner and non-joiner (U+200C/D) stay: Persian and Indic spelling and
/// emoji need them, and they reorder nothing.
pub fn is_format_control(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'
            | '\u{200E}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// `text` without [format controls](is_format_control). Applied when a name
/// or title is stored and again when it is shown or offered for download,
/// because rows stored before this rule existed may still hold them.
pub fn without_format_controls(text: &str) -> String {
    text.chars().filter(|c| !is_format_control(*c)).collect()
}

/// The name an uploaded file is shown and offered under: the last path
/// component of what the browser sent, without control or format-control
/// characters, at most [`TITLE_MAX`] characters, ending in `.pdf`. Never
/// used on disk.
pub fn display_file_name(sent: &str) -> String {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or("");
    let mut name: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_format_control(*c) && *c != '"')
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

    #[test]
    fn names_and_titles_cannot_reorder_what_is_shown() {
        // Right-to-left override: would show as "invoiceexe.pdf".
        assert_eq!(
            display_file_name("invoice\u{202E}fdp.exe"),
            "invoicefdp.exe.pdf"
        );
        for c in [
            '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}',
            '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{200B}', '\u{FEFF}',
        ] {
            assert_eq!(display_file_name(&format!("a{c}b.pdf")), "ab.pdf", "{c:?}");
            assert_eq!(
                ReportInput::parse(&format!("{c}Gate{c} 3"), "")
                    .unwrap()
                    .title,
                "Gate 3",
                "{c:?}"
            );
        }
        // Tag characters and separators go too; joiners, which spelling
        // needs, stay.
        assert_eq!(without_format_controls("a\u{E0041}\u{2028}b"), "ab");
        assert_eq!(
            without_format_controls("می\u{200C}خواهم"),
            "می\u{200C}خواهم"
        );
        assert_eq!(
            PdfDetails::parse("2024-01-31", "\u{202E}Renewal", "Cert\u{2066}ificate")
                .map(|d| (d.business_purpose, d.document_type))
                .unwrap(),
            ("Renewal".to_string(), "Certificate".to_string())
        );
        // Only invisible formatting goes: letters of right-to-left scripts stay.
        assert_eq!(without_format_controls("تقرير \u{2067}x"), "تقرير x");
        assert_eq!(
            ReportInput::parse("\u{202E}", "").unwrap_err().field,
            "title"
        );
    }
}
