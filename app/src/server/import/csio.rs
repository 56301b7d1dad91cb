//! Reading CSIO policy downloads: ACORD XML (namespace [`ACORD_NS`]) with
//! `csio:` extensions, as carriers send them to brokerages.
//!
//! The file is read as a stream of namespace-resolved events (quick-xml); no
//! string searching, no DTDs, no external entities. A download holds one or
//! more transactions (`PersAutoPolicyAddRq`, `HomePolicyModRq`,
//! `CommlPkgPolicyAddRs`, …); each is the element whose children are the
//! insured (`InsuredOrPrincipal`) and the policy (`PersPolicy` or
//! `CommlPolicy`). Every policy found becomes a [`PolicyDownload`] paired
//! with the insured of its transaction.
//!
//! A file is accepted whole or not at all: the first problem rejects it with
//! a [`Rejection`] worded for a broker ("no policy number in policy 2").
//!
//! Documents a download embeds (`FileAttachmentInfo`: `AttachmentFilename`,
//! base64 `AttachmentData`, `MIMEContentTypeCd`, and when given `IssueDt`,
//! `BusinessPurposeTypeCd` and `AttachmentTypeCd` or `DocumentTypeCd`) come
//! with the policy they sit in, or with the transaction's policy when they
//! sit in the transaction itself. They become eDocs of the insured; one
//! that can't be read is reported and skipped, it does not reject the file.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use quick_xml::{
    events::Event,
    name::{Namespace, ResolveResult},
    NsReader,
};
use std::fmt;

/// The ACORD P&C namespace every CSIO download is written in.
pub const ACORD_NS: &str = "http://www.ACORD.org/standards/PC_Surety/ACORD1/xml/";

/// At most this many policies in one file.
pub const MAX_POLICIES_PER_FILE: usize = 5_000;

/// Elements nested deeper than this reject the file (no real download comes
/// close; it bounds the parser's memory on hostile input).
const MAX_DEPTH: usize = 64;

/// Longest text kept from any one element.
const MAX_TEXT: usize = 1_000;

/// Longest base64 text of one embedded document: what a 20 MB file (the
/// import's cap) can hold, which bounds a call with a larger one too.
const MAX_ATTACHMENT_TEXT: usize = 20 * 1024 * 1024;

/// A document embedded in a download, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedDocument {
    /// `AttachmentFilename`, as written (may be empty).
    pub file_name: String,
    /// The decoded bytes, or why they could not be read.
    pub content: Result<Vec<u8>, String>,
    /// `IssueDt`, else the transaction's date, else the policy's effective
    /// date.
    pub issue_date: NaiveDate,
    /// `BusinessPurposeTypeCd` of the document or of its transaction, else
    /// one the transaction implies (a cancellation is `XLC` …), as written.
    pub business_purpose: String,
    /// `AttachmentTypeCd` or `DocumentTypeCd`, as written (may be empty).
    pub document_type: String,
    /// Whether it is about this policy (false for a document of a
    /// transaction with several policies: then it is the insured's).
    pub about_policy: bool,
}

/// The insured of a transaction as the download gives it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DownloadedInsured {
    /// "Given Other Surname" for a person, the commercial name otherwise.
    pub full_name: String,
    /// The surname for a person, the whole commercial name otherwise.
    pub last_name: String,
    /// `Addr1`, and `Addr2` after a comma when there is one.
    pub address: String,
    /// `City`.
    pub city: String,
    /// `StateProvCd`.
    pub province: String,
    /// `PostalCode`, as written.
    pub postal_code: String,
    /// The first `EmailAddr`, if any.
    pub email: Option<String>,
    /// The first `PhoneNumber`, if any.
    pub phone: Option<String>,
}

/// Whether a policy is in force as far as the download says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyStatus {
    /// Issued, renewed or changed.
    Active,
    /// A cancellation transaction, or a status code saying cancelled.
    Cancelled,
}

impl PolicyStatus {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Cancelled => "cancelled",
        }
    }
}

/// One policy of a download with the insured of its transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDownload {
    /// The insured as downloaded.
    pub insured: DownloadedInsured,
    /// `csio:CompanyCd`: the carrier.
    pub carrier_code: String,
    /// `PolicyNumber`, as written.
    pub policy_number: String,
    /// `LOBCd`, as written (e.g. `AUTOP`, `csio:HABIT`).
    pub line_of_business: String,
    /// `ContractTerm/EffectiveDt`.
    pub effective: NaiveDate,
    /// `ContractTerm/ExpirationDt`.
    pub expiry: NaiveDate,
    /// In force or cancelled.
    pub status: PolicyStatus,
    /// `CurrentTermAmt` (or `FullTermAmt`) in cents, when given.
    pub premium_cents: Option<i64>,
    /// When the carrier produced this transaction (`TransactionRequestDt`),
    /// or midnight of the effective date when the download doesn't say:
    /// the later one is the newer download of a policy.
    pub produced_at: DateTime<Utc>,
    /// Documents embedded with it.
    pub documents: Vec<EmbeddedDocument>,
}

/// Why a file was not imported, in a broker's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Not XML in UTF-8, or not an ACORD document.
    NotCsio(&'static str),
    /// The XML itself is broken.
    Damaged {
        /// The line the parser stopped at (1-based).
        line: usize,
    },
    /// Well-formed, but no policy in it.
    NoPolicies,
    /// More policies than one file may hold.
    TooManyPolicies,
    /// A policy lacks something required or has a value that can't be read.
    Policy {
        /// 1-based position of the policy in the file.
        number: usize,
        /// What is wrong, e.g. "no policy number".
        problem: String,
    },
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotCsio(why) => write!(f, "not a CSIO policy download ({why})"),
            Self::Damaged { line } => write!(
                f,
                "the file is damaged: its XML breaks off or is malformed at line {line}"
            ),
            Self::NoPolicies => write!(f, "no policies in the file"),
            Self::TooManyPolicies => write!(
                f,
                "more than {MAX_POLICIES_PER_FILE} policies in one file; split it"
            ),
            Self::Policy { number, problem } => write!(f, "{problem} in policy {number}"),
        }
    }
}

impl std::error::Error for Rejection {}

/// Reads every policy of a CSIO download.
///
/// UTF-8 is expected; a file whose XML declaration says ISO-8859-1 or
/// windows-1252 (some carriers' systems still write them, and French names
/// have accents) is decoded from that first.
pub fn parse(bytes: &[u8]) -> Result<Vec<PolicyDownload>, Rejection> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Parser::new(text).run(),
        Err(_) => match declared_encoding(bytes).as_deref() {
            Some("iso-8859-1" | "latin1" | "latin-1" | "iso_8859-1" | "l1") => {
                Parser::new(&bytes.iter().map(|&b| char::from(b)).collect::<String>()).run()
            }
            Some("windows-1252" | "cp1252") => Parser::new(&windows_1252(bytes)).run(),
            _ => Err(Rejection::NotCsio("not UTF-8 text")),
        },
    }
}

/// The `encoding` of the XML declaration at the very start of the file, in
/// lower case (the declaration is ASCII in every encoding read here).
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = bytes.get(..bytes.len().min(200))?;
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let rest = &decl[decl.find("encoding")? + "encoding".len()..];
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].to_ascii_lowercase())
}

/// windows-1252 to text: ISO-8859-1 except 0x80–0x9F, which hold
/// typographic characters (€, curly quotes, dashes, Œ …).
fn windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// What is being read inside the insured.
#[derive(Default)]
struct InsuredBuilder {
    given: Vec<String>,
    surname: String,
    commercial: String,
    address_seen: bool,
    in_first_address: bool,
    addr1: String,
    addr2: String,
    city: String,
    province: String,
    postal: String,
    email: Option<String>,
    phone: Option<String>,
    role: Option<String>,
}

impl InsuredBuilder {
    fn primary(&self) -> bool {
        self.role.as_deref().is_none_or(|r| {
            r.rsplit(':')
                .next()
                .unwrap_or(r)
                .eq_ignore_ascii_case("insured")
        })
    }

    fn build(self) -> DownloadedInsured {
        let person = !self.surname.is_empty();
        let full_name = if person {
            let mut parts = self.given.clone();
            parts.push(self.surname.clone());
            parts.join(" ")
        } else {
            self.commercial.clone()
        };
        let full_name = collapse(&full_name);
        let last_name = if person {
            collapse(&self.surname)
        } else {
            full_name.clone()
        };
        let address = if self.addr2.is_empty() {
            collapse(&self.addr1)
        } else {
            format!("{}, {}", collapse(&self.addr1), collapse(&self.addr2))
        };
        DownloadedInsured {
            full_name,
            last_name,
            address,
            city: collapse(&self.city),
            province: collapse(&self.province),
            postal_code: collapse(&self.postal),
            email: self.email,
            phone: self.phone,
        }
    }
}

/// What is being read inside a policy.
#[derive(Default)]
struct PolicyBuilder {
    number: String,
    lob: String,
    company: String,
    effective: String,
    expiry: String,
    current_amt: String,
    full_amt: String,
    status: String,
    documents: Vec<AttachmentBuilder>,
}

/// What is being read inside a `FileAttachmentInfo`.
#[derive(Default)]
struct AttachmentBuilder {
    file_name: String,
    data: String,
    mime: String,
    encoding: String,
    issue_date: String,
    purpose: String,
    doc_type: String,
    /// More base64 than [`MAX_ATTACHMENT_TEXT`].
    too_long: bool,
}

impl AttachmentBuilder {
    fn build(
        self,
        issue_fallback: NaiveDate,
        purpose_fallback: &str,
        about_policy: bool,
    ) -> EmbeddedDocument {
        use base64::Engine;
        let content = if self.too_long {
            Err("it is too large".to_string())
        } else if !self.encoding.is_empty() && !self.encoding.eq_ignore_ascii_case("base64") {
            Err(format!("its encoding {} is not base64", self.encoding))
        } else if !self.mime.is_empty() && !self.mime.eq_ignore_ascii_case("application/pdf") {
            Err(format!("it is {}, not a PDF", self.mime))
        } else {
            if self.data.is_empty() {
                Err("it holds no data".to_string())
            } else {
                base64::engine::general_purpose::STANDARD
                    .decode(self.data.as_bytes())
                    .map_err(|_| "its data is not valid base64".to_string())
            }
        };
        EmbeddedDocument {
            file_name: self.file_name,
            content,
            issue_date: parse_date(&self.issue_date).unwrap_or(issue_fallback),
            business_purpose: if self.purpose.is_empty() {
                purpose_fallback.to_string()
            } else {
                self.purpose
            },
            document_type: self.doc_type,
            about_policy,
        }
    }
}

/// A transaction: the element holding an insured and policies.
#[derive(Default)]
struct Transaction {
    insured: Option<DownloadedInsured>,
    policies: Vec<PolicyBuilder>,
    produced_at: String,
    cancellation: bool,
    /// Its element's local name (`PersAutoPolicyModRs` …).
    name: String,
    /// `BusinessPurposeTypeCd`, when it says.
    purpose: String,
    /// Documents embedded in the transaction itself.
    documents: Vec<AttachmentBuilder>,
}

impl Transaction {
    /// The business purpose of its documents: its own code, else the one
    /// its kind implies.
    fn purpose(&self) -> String {
        if !self.purpose.is_empty() {
            return self.purpose.clone();
        }
        let n = &self.name;
        if self.cancellation {
            "XLC"
        } else if n.contains("Renew") {
            "RWL"
        } else if n.contains("Reinstate") {
            "REI"
        } else if n.contains("Mod") || n.contains("Chg") {
            "PCH"
        } else if n.contains("Add") || n.contains("New") {
            "NBS"
        } else {
            ""
        }
        .to_string()
    }
}

struct Parser<'a> {
    text: &'a str,
    reader: NsReader<&'a [u8]>,
    /// Local names of the open elements, root first.
    path: Vec<String>,
    /// The transaction opened at each depth, if one is being collected.
    transactions: Vec<Option<Transaction>>,
    insured: Option<(usize, InsuredBuilder)>,
    policy: Option<(usize, PolicyBuilder)>,
    /// The embedded document being read, and whether it sits in a policy.
    attachment: Option<(usize, AttachmentBuilder, bool)>,
    /// Inside an `AttachmentData`: its text goes to the attachment.
    in_attachment_data: bool,
    /// An element opened inside an `AttachmentData` (which holds text only).
    nested_in_data: bool,
    text_buf: String,
    out: Vec<PolicyDownload>,
    policies_seen: usize,
    /// Some element's text was longer than [`MAX_TEXT`].
    overflow: bool,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        // Text is not trimmed by the reader: "Smith &amp; Sons" arrives as
        // three pieces, and trimming each would lose the spaces around the
        // ampersand. Each leaf's text is collapsed when it closes instead.
        let reader = NsReader::from_reader(text.as_bytes());
        Self {
            text,
            reader,
            path: Vec::new(),
            transactions: Vec::new(),
            insured: None,
            policy: None,
            attachment: None,
            in_attachment_data: false,
            nested_in_data: false,
            text_buf: String::new(),
            out: Vec::new(),
            policies_seen: 0,
            overflow: false,
        }
    }

    fn damaged(&self) -> Rejection {
        let at = (self.reader.error_position() as usize).min(self.text.len());
        let line = self.text.as_bytes()[..at]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Rejection::Damaged { line }
    }

    fn run(mut self) -> Result<Vec<PolicyDownload>, Rejection> {
        let mut buf = Vec::new();
        let mut saw_root = false;
        loop {
            buf.clear();
            let (ns, event) = match self.reader.read_resolved_event_into(&mut buf) {
                Ok(x) => x,
                Err(_) => return Err(self.damaged()),
            };
            let acord = matches!(ns, ResolveResult::Bound(Namespace(n)) if n == ACORD_NS);
            let is_empty = matches!(event, Event::Empty(_));
            match event {
                Event::Start(e) | Event::Empty(e) => {
                    let local = e.local_name().as_ref().to_string();
                    if !saw_root {
                        if local != "ACORD" {
                            return Err(Rejection::NotCsio("its root element is not ACORD"));
                        }
                        if !acord {
                            return Err(Rejection::NotCsio("not in the ACORD namespace"));
                        }
                        saw_root = true;
                    } else if self.path.is_empty() {
                        // A second root element.
                        return Err(self.damaged());
                    }
                    self.open(local);
                    if std::mem::take(&mut self.nested_in_data) {
                        return Err(Rejection::NotCsio(
                            "an embedded document's data holds XML elements",
                        ));
                    }
                    if is_empty {
                        self.close()?;
                    }
                }
                Event::End(_) => self.close()?,
                Event::Text(t) => self.push_text(&t.xml10_content()),
                Event::CData(t) => self.push_text(&t.xml10_content()),
                Event::GeneralRef(r) => {
                    let resolved = if r.is_char_ref() {
                        r.resolve_char_ref().ok().flatten().map(String::from)
                    } else {
                        quick_xml::escape::resolve_xml_entity(&r.xml10_content()).map(String::from)
                    };
                    match resolved {
                        Some(s) => self.push_text(&s),
                        None => return Err(self.damaged()),
                    }
                }
                Event::DocType(_) => {
                    return Err(Rejection::NotCsio("it declares a document type"));
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => break,
            }
            if self.path.len() > MAX_DEPTH {
                return Err(Rejection::NotCsio("its elements are nested too deeply"));
            }
        }
        if !saw_root {
            return Err(Rejection::NotCsio("the file is empty or has no XML"));
        }
        if !self.path.is_empty() {
            return Err(Rejection::Damaged {
                line: self.text.lines().count().max(1),
            });
        }
        if self.out.is_empty() {
            return Err(Rejection::NoPolicies);
        }
        Ok(self.out)
    }

    fn push_text(&mut self, s: &str) {
        if self.in_attachment_data {
            if let Some((_, a, _)) = self.attachment.as_mut() {
                // Line breaks and indentation are dropped as they come, so
                // the text is kept once, ready to decode.
                for c in s.chars().filter(|c| !c.is_whitespace()) {
                    if a.data.len() >= MAX_ATTACHMENT_TEXT {
                        a.too_long = true;
                        break;
                    }
                    a.data.push(c);
                }
            }
            return;
        }
        if self.text_buf.len() + s.len() <= MAX_TEXT {
            self.text_buf.push_str(s);
        } else if !s.trim().is_empty() {
            self.overflow = true;
        }
    }

    fn open(&mut self, local: String) {
        if self.in_attachment_data {
            self.nested_in_data = true;
            return;
        }
        self.text_buf.clear();
        let depth = self.path.len();
        match local.as_str() {
            "InsuredOrPrincipal" if self.insured.is_none() && self.policy.is_none() => {
                self.insured = Some((depth, InsuredBuilder::default()));
            }
            "PersPolicy" | "CommlPolicy" if self.policy.is_none() && self.insured.is_none() => {
                self.policy = Some((depth, PolicyBuilder::default()));
            }
            "FileAttachmentInfo" if self.attachment.is_none() && self.insured.is_none() => {
                self.attachment =
                    Some((depth, AttachmentBuilder::default(), self.policy.is_some()));
            }
            "AttachmentData" => {
                self.in_attachment_data =
                    matches!(&self.attachment, Some((start, _, _)) if depth == *start + 1);
            }
            "Addr" => {
                if let Some((_, b)) = self.insured.as_mut() {
                    b.in_first_address = !b.address_seen;
                    b.address_seen = true;
                }
            }
            _ => {}
        }
        self.path.push(local);
        if self.transactions.len() < self.path.len() {
            self.transactions.push(None);
        }
        self.transactions[depth] = None;
    }

    /// The local name of the element `up` levels above the innermost.
    fn parent(&self, up: usize) -> &str {
        self.path
            .len()
            .checked_sub(1 + up)
            .map(|i| self.path[i].as_str())
            .unwrap_or("")
    }

    fn close(&mut self) -> Result<(), Rejection> {
        if std::mem::take(&mut self.in_attachment_data) {
            // The base64 went to the attachment, not to `text_buf`.
            self.path.pop();
            return Ok(());
        }
        if std::mem::take(&mut self.overflow) {
            return Err(Rejection::NotCsio(
                "a value in it is longer than 1,000 characters",
            ));
        }
        let text = collapse(&std::mem::take(&mut self.text_buf));
        if text.chars().any(char::is_control) {
            return Err(Rejection::NotCsio("a value in it holds control characters"));
        }
        let depth = self.path.len() - 1;
        let name = self.path[depth].clone();
        let parent = self.parent(1).to_string();

        // Leaves inside the insured.
        if let Some((start, b)) = self.insured.as_mut() {
            if depth > *start {
                let set_once = |slot: &mut String, v: &str| {
                    if slot.is_empty() {
                        *slot = v.to_string();
                    }
                };
                match name.as_str() {
                    "GivenName" | "OtherGivenName"
                        if parent == "PersonName" && !text.is_empty() =>
                    {
                        b.given.push(text.clone())
                    }
                    "Surname" if parent == "PersonName" => set_once(&mut b.surname, &text),
                    "CommercialName" => set_once(&mut b.commercial, &text),
                    "Addr1" if b.in_first_address => set_once(&mut b.addr1, &text),
                    "Addr2" if b.in_first_address => set_once(&mut b.addr2, &text),
                    "City" if b.in_first_address => set_once(&mut b.city, &text),
                    "StateProvCd" if b.in_first_address => set_once(&mut b.province, &text),
                    "PostalCode" if b.in_first_address => set_once(&mut b.postal, &text),
                    "Addr" => b.in_first_address = false,
                    "EmailAddr" if b.email.is_none() && !text.is_empty() => {
                        b.email = Some(text.clone())
                    }
                    "PhoneNumber" if b.phone.is_none() && !text.is_empty() => {
                        b.phone = Some(text.clone())
                    }
                    "InsuredOrPrincipalRoleCd" if b.role.is_none() => b.role = Some(text.clone()),
                    _ => {}
                }
            }
        }
        // Leaves inside the policy: direct children, or the term's dates and
        // the premium's amount one level down.
        if let Some((start, p)) = self.policy.as_mut() {
            let own = depth == *start + 1;
            let grand = depth == *start + 2;
            match name.as_str() {
                "PolicyNumber" if own => p.number = text.clone(),
                "LOBCd" if own => p.lob = text.clone(),
                "CompanyCd" if own => p.company = text.clone(),
                "PolicyStatusCd" if own => p.status = text.clone(),
                "EffectiveDt" if grand && parent == "ContractTerm" => p.effective = text.clone(),
                "ExpirationDt" if grand && parent == "ContractTerm" => p.expiry = text.clone(),
                "Amt" if grand && parent == "CurrentTermAmt" => p.current_amt = text.clone(),
                "Amt" if grand && parent == "FullTermAmt" => p.full_amt = text.clone(),
                _ => {}
            }
        }
        // Leaves of an embedded document.
        if let Some((start, a, _)) = self.attachment.as_mut() {
            if depth > *start {
                let set = |slot: &mut String| {
                    if slot.is_empty() {
                        *slot = text.clone();
                    }
                };
                match name.as_str() {
                    "AttachmentFilename" => set(&mut a.file_name),
                    "MIMEContentTypeCd" => set(&mut a.mime),
                    "MIMEEncodingTypeCd" => set(&mut a.encoding),
                    "IssueDt" => set(&mut a.issue_date),
                    "BusinessPurposeTypeCd" => set(&mut a.purpose),
                    "AttachmentTypeCd" | "DocumentTypeCd" => set(&mut a.doc_type),
                    _ => {}
                }
            }
        }
        // The transaction's own date and purpose.
        if name == "TransactionRequestDt" && depth >= 1 {
            let slot = self.transactions[depth - 1].get_or_insert_with(Transaction::default);
            slot.produced_at = text.clone();
        }
        if name == "BusinessPurposeTypeCd" && depth >= 1 && self.attachment.is_none() {
            let slot = self.transactions[depth - 1].get_or_insert_with(Transaction::default);
            slot.purpose = text.clone();
        }
        // Closing an embedded document hands it to its policy, or to the
        // transaction it sits in directly.
        if matches!(&self.attachment, Some((start, _, _)) if *start == depth) {
            let (_, a, in_policy) = self.attachment.take().expect("checked");
            if in_policy {
                if let Some((_, p)) = self.policy.as_mut() {
                    p.documents.push(a);
                }
            } else if depth >= 1 {
                let slot = self.transactions[depth - 1].get_or_insert_with(Transaction::default);
                slot.documents.push(a);
            }
        }

        // Closing the insured or a policy hands it to its transaction.
        if matches!(&self.insured, Some((start, _)) if *start == depth) {
            let (_, b) = self.insured.take().expect("checked");
            if depth >= 1 && b.primary() {
                let slot = self.transactions[depth - 1].get_or_insert_with(Transaction::default);
                if slot.insured.is_none() {
                    slot.insured = Some(b.build());
                }
            }
        }
        if matches!(&self.policy, Some((start, _)) if *start == depth) {
            let (_, p) = self.policy.take().expect("checked");
            self.policies_seen += 1;
            if self.policies_seen > MAX_POLICIES_PER_FILE {
                return Err(Rejection::TooManyPolicies);
            }
            if depth >= 1 {
                let slot = self.transactions[depth - 1].get_or_insert_with(Transaction::default);
                slot.policies.push(p);
            }
        }

        // Closing a transaction emits its policies.
        if let Some(mut t) = self.transactions[depth].take() {
            t.cancellation = name.contains("Cancel");
            t.name = name.clone();
            self.emit(t)?;
        }
        self.path.pop();
        Ok(())
    }

    fn emit(&mut self, mut t: Transaction) -> Result<(), Rejection> {
        let purpose = t.purpose();
        let alone = t.policies.len() == 1;
        let mut own_documents = std::mem::take(&mut t.documents);
        for mut p in std::mem::take(&mut t.policies) {
            let number = self.out.len() + 1;
            let problem = |problem: String| Rejection::Policy { number, problem };
            let Some(insured) = t.insured.clone() else {
                return Err(problem("no insured".into()));
            };
            if insured.full_name.is_empty() {
                return Err(problem("no insured name".into()));
            }
            for (label, value, max) in [
                ("an insured name", Some(&insured.full_name), 200),
                ("an address", Some(&insured.address), 300),
                ("a city", Some(&insured.city), 100),
                ("a province", Some(&insured.province), 20),
                ("a postal code", Some(&insured.postal_code), 20),
                ("an email", insured.email.as_ref(), 254),
                ("a phone number", insured.phone.as_ref(), 40),
                ("a line of business", Some(&p.lob), 40),
            ] {
                if value.is_some_and(|v| v.chars().count() > max) {
                    return Err(problem(format!("{label} longer than {max} characters")));
                }
            }
            if p.number.is_empty() {
                return Err(problem("no policy number".into()));
            }
            if p.company.is_empty() {
                return Err(problem("no carrier code (csio:CompanyCd)".into()));
            }
            let date = |label: &str, v: &str| -> Result<NaiveDate, Rejection> {
                if v.is_empty() {
                    return Err(problem(format!("no {label}")));
                }
                parse_date(v).ok_or_else(|| {
                    problem(format!("the {label} \u{201c}{v}\u{201d} is not a date"))
                })
            };
            let effective = date("effective date", &p.effective)?;
            let expiry = date("expiry date", &p.expiry)?;
            if expiry < effective {
                return Err(problem("an expiry date before the effective date".into()));
            }
            let amount = if p.current_amt.is_empty() {
                &p.full_amt
            } else {
                &p.current_amt
            };
            let premium_cents = if amount.is_empty() {
                None
            } else {
                Some(parse_cents(amount).ok_or_else(|| {
                    problem(format!(
                        "the premium \u{201c}{amount}\u{201d} is not an amount"
                    ))
                })?)
            };
            let produced_at = if t.produced_at.is_empty() {
                effective.and_hms_opt(0, 0, 0).expect("midnight").and_utc()
            } else {
                parse_timestamp(&t.produced_at).ok_or_else(|| {
                    problem(format!(
                        "the transaction date \u{201c}{}\u{201d} is not a date",
                        t.produced_at
                    ))
                })?
            };
            let status_code = p.status.to_ascii_lowercase();
            let status = if t.cancellation
                || status_code.contains("cancel")
                || status_code.rsplit(':').next() == Some("c")
            {
                PolicyStatus::Cancelled
            } else {
                PolicyStatus::Active
            };
            // Upper case can lengthen a few letters (ß → SS): the keys are
            // checked as they will be stored.
            let policy_key = crate::domain::insured::policy_key(&p.company, &p.number);
            let match_key = crate::domain::insured::insured_match_key(
                &insured.full_name,
                &insured.address,
                &insured.postal_code,
            );
            if p.number.chars().count() > 60
                || p.company.chars().count() > 20
                || policy_key.chars().count() > 120
                || match_key.chars().count() > 560
            {
                return Err(problem(
                    "a policy number, carrier code, name or address too long to keep".into(),
                ));
            }
            // The transaction's own documents go with its first policy;
            // about it only when it is the transaction's one policy.
            let issued = produced_at.date_naive();
            let mut documents: Vec<EmbeddedDocument> = std::mem::take(&mut p.documents)
                .into_iter()
                .map(|a| a.build(issued, &purpose, true))
                .collect();
            documents.extend(
                std::mem::take(&mut own_documents)
                    .into_iter()
                    .map(|a| a.build(issued, &purpose, alone)),
            );
            self.out.push(PolicyDownload {
                insured,
                carrier_code: p.company,
                policy_number: p.number,
                line_of_business: p.lob,
                effective,
                expiry,
                status,
                premium_cents,
                produced_at,
                documents,
            });
        }
        Ok(())
    }
}

/// Runs of whitespace made one space, trimmed.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `2026-01-31`, or the date part of a date-time.
fn parse_date(v: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(v.get(..10)?, "%Y-%m-%d").ok()
}

/// An xs:dateTime with or without a zone (without one it is taken as UTC),
/// or an xs:date (midnight).
fn parse_timestamp(v: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(v, format) {
            return Some(t.and_utc());
        }
    }
    if v.len() == 10 {
        return parse_date(v).map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc());
    }
    None
}

/// `1234.5` → 123450 cents. A plain decimal with at most two decimals and an
/// optional minus sign (a returned premium); nothing else.
fn parse_cents(v: &str) -> Option<i64> {
    let (negative, digits) = match v.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, v),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty()
        || whole.len() > 12
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let cents = whole.parse::<i64>().ok()? * 100
        + match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().ok()? * 10,
            _ => frac.parse::<i64>().ok()?,
        };
    Some(if negative { -cents } else { cents })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_to_the_cent() {
        assert_eq!(parse_cents("1234.56"), Some(123_456));
        assert_eq!(parse_cents("1234.5"), Some(123_450));
        assert_eq!(parse_cents("80"), Some(8_000));
        assert_eq!(parse_cents("-12.00"), Some(-1_200));
        assert_eq!(parse_cents("1,234.56"), None);
        assert_eq!(parse_cents("12.345"), None);
        assert_eq!(parse_cents(""), None);
    }

    #[test]
    fn declared_encodings_are_read_from_the_declaration() {
        assert_eq!(
            declared_encoding(b"<?xml version=\"1.0\" encoding='ISO-8859-1'?><ACORD/>").as_deref(),
            Some("iso-8859-1")
        );
        assert_eq!(declared_encoding(b"<ACORD/>"), None);
        assert_eq!(windows_1252(b"\x80 \x93x\x94 \xe9"), "€ “x” é");
    }

    #[test]
    fn timestamps_with_and_without_zones() {
        let t = parse_timestamp("2026-11-30T09:15:00-05:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-30T14:15:00+00:00");
        assert!(parse_timestamp("2026-11-30T09:15:00").is_some());
        assert!(parse_timestamp("2026-11-30").is_some());
        assert!(parse_timestamp("yesterday").is_none());
    }
}
