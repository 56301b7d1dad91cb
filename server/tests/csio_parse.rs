//! The CSIO reader on the bundled sample downloads (`tests/fixtures/csio`):
//! every field of personal auto, habitational and commercial policies,
//! several policies in one file, renewals and cancellations, and the files
//! it must refuse with a reason a broker understands.

use app::server::import::{
    csio::{self, PolicyStatus, Rejection},
    generate,
};
use chrono::NaiveDate;
use std::path::PathBuf;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/csio")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn personal_auto_every_field() {
    let p = csio::parse(&fixture("auto-jane-smith.xml")).unwrap();
    assert_eq!(p.len(), 1);
    let p = &p[0];
    assert_eq!(p.carrier_code, "AVIVA");
    // The prior policy's number, further down, is not the policy's.
    assert_eq!(p.policy_number, "AV-7001234");
    assert_eq!(p.line_of_business, "AUTOP");
    assert_eq!(p.effective, day(2026, 11, 15));
    assert_eq!(p.expiry, day(2027, 11, 15));
    assert_eq!(p.status, PolicyStatus::Active);
    assert_eq!(p.premium_cents, Some(184_250));
    assert_eq!(p.produced_at.to_rfc3339(), "2026-11-02T12:45:12+00:00");
    let i = &p.insured;
    assert_eq!(i.full_name, "Jane Smith");
    assert_eq!(i.last_name, "Smith");
    assert_eq!(i.address, "12 King St W");
    assert_eq!(i.city, "Toronto");
    assert_eq!(i.province, "ON");
    assert_eq!(i.postal_code, "M5V 2T6");
    assert_eq!(i.email.as_deref(), Some("jane.smith@example.ca"));
    assert_eq!(i.phone.as_deref(), Some("+1-416-555-0142"));
}

#[test]
fn habitational_with_a_full_term_amount_and_spacing_collapsed() {
    let p = &csio::parse(&fixture("home-jane-smith.xml")).unwrap()[0];
    assert_eq!(p.policy_number, "IN 55-210-887");
    assert_eq!(p.line_of_business, "csio:HABIT");
    assert_eq!(p.premium_cents, Some(121_000));
    assert_eq!(p.insured.full_name, "Jane SMITH");
    assert_eq!(p.insured.address, "12 King St W");
    assert_eq!(p.insured.postal_code, "m5v2t6");
    assert_eq!(p.insured.email, None);
    // A date-time without a zone is read as UTC.
    assert_eq!(p.produced_at.to_rfc3339(), "2026-11-20T10:02:00+00:00");
}

#[test]
fn commercial_name_entities_and_a_second_address_line() {
    let p = &csio::parse(&fixture("commercial-smith-bakery.xml")).unwrap()[0];
    assert_eq!(p.insured.full_name, "Smith & Daughters Pâtisserie Ltd.");
    assert_eq!(p.insured.last_name, p.insured.full_name);
    assert_eq!(p.insured.address, "455 Rue Saint-Denis, Suite 200");
    assert_eq!(p.insured.city, "Montréal");
    assert_eq!(p.line_of_business, "CPKGE");
    assert_eq!(p.carrier_code, "NORTHBRIDGE");
    assert_eq!(p.premium_cents, Some(642_000));
}

#[test]
fn several_policies_in_one_file_each_with_its_own_insured() {
    let p = csio::parse(&fixture("several-policies.xml")).unwrap();
    let summary: Vec<_> = p
        .iter()
        .map(|p| (p.policy_number.as_str(), p.insured.full_name.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("WA-3300415", "Christopher J Smith"),
            ("EC-HO-118822", "Chris Smith"),
            // The co-insured named first is not the insured.
            ("DF-TN-20931", "Priya Patel"),
        ]
    );
    assert_eq!(p[1].premium_cents, None);
    assert_eq!(p[2].insured.address, "1188 Robson St, Apt 1502");
    assert_eq!(
        p[2].insured.email.as_deref(),
        Some("priya.patel@example.ca")
    );
}

#[test]
fn a_renewal_is_a_newer_download_of_the_same_policy() {
    let first = &csio::parse(&fixture("auto-jane-smith.xml")).unwrap()[0];
    let renewal = &csio::parse(&fixture("renewal-auto-jane-smith.xml")).unwrap()[0];
    assert_eq!(
        (&first.carrier_code, &first.policy_number),
        (&renewal.carrier_code, &renewal.policy_number)
    );
    assert!(renewal.produced_at > first.produced_at);
    assert_eq!(renewal.effective, day(2027, 11, 15));
}

#[test]
fn a_cancellation_is_read_as_cancelled_with_its_returned_premium() {
    let p = &csio::parse(&fixture("cancellation-auto-christopher-smith.xml")).unwrap()[0];
    assert_eq!(p.status, PolicyStatus::Cancelled);
    assert_eq!(p.premium_cents, Some(-140_210));
}

#[test]
fn refused_files_say_why() {
    let reason = |name: &str| csio::parse(&fixture(name)).unwrap_err().to_string();
    assert!(matches!(
        csio::parse(&fixture("malformed-truncated.xml")),
        Err(Rejection::Damaged { .. })
    ));
    assert!(reason("malformed-truncated.xml").starts_with("the file is damaged"));
    assert_eq!(
        reason("wrong-namespace.xml"),
        "not a CSIO policy download (not in the ACORD namespace)"
    );
    assert_eq!(
        reason("missing-policy-number.xml"),
        "no policy number in policy 2"
    );
    assert!(reason("not-csio.csv").starts_with("not a CSIO policy download"));
    assert_eq!(
        csio::parse(b"\xff\xfe<ACORD/>").unwrap_err().to_string(),
        "not a CSIO policy download (not UTF-8 text)"
    );
}

#[test]
fn more_refusals_a_broker_can_act_on() {
    let acord = |body: &str| {
        format!(
            r#"<ACORD xmlns="{}" xmlns:csio="x"><InsuranceSvcRs>{body}</InsuranceSvcRs></ACORD>"#,
            csio::ACORD_NS
        )
    };
    let policy = |number: &str, eff: &str| {
        format!(
            "<PersAutoPolicyAddRs><InsuredOrPrincipal><GeneralPartyInfo><NameInfo><PersonName><Surname>Roy</Surname><GivenName>Ann</GivenName></PersonName></NameInfo></GeneralPartyInfo></InsuredOrPrincipal><PersPolicy><PolicyNumber>{number}</PolicyNumber><csio:CompanyCd>AVIVA</csio:CompanyCd><ContractTerm><EffectiveDt>{eff}</EffectiveDt><ExpirationDt>2027-01-01</ExpirationDt></ContractTerm></PersPolicy></PersAutoPolicyAddRs>"
        )
    };
    let err = |xml: String| csio::parse(xml.as_bytes()).unwrap_err().to_string();
    assert_eq!(err(acord("")), "no policies in the file");
    assert_eq!(
        err(acord(&policy("A1", "someday"))),
        "the effective date \u{201c}someday\u{201d} is not a date in policy 1"
    );
    assert_eq!(
        err(acord(
            &(policy("A1", "2026-01-01") + &policy("A2", "2028-01-01"))
        )),
        "an expiry date before the effective date in policy 2"
    );
    // A DOCTYPE (the way to external entities) is refused outright.
    let doctype = format!(
        "<!DOCTYPE ACORD [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>{}",
        acord(&policy("A1", "2026-01-01"))
    );
    assert_eq!(
        err(doctype),
        "not a CSIO policy download (it declares a document type)"
    );
    // Unknown entities are not expanded; the file is damaged.
    assert!(err(acord(&policy("A&x;1", "2026-01-01"))).starts_with("the file is damaged"));
    // Nesting bombs stop early.
    let deep = acord(&("<a>".repeat(100) + &"</a>".repeat(100)));
    assert!(err(deep).contains("nested too deeply"));
    let ok = csio::parse(acord(&policy("A&amp;1", "2026-01-01")).as_bytes()).unwrap();
    assert_eq!(ok[0].policy_number, "A&1");
}

#[test]
fn generated_sets_read_back() {
    let shape = generate::SetShape {
        seed: 3,
        policies: 120,
        today: day(2026, 12, 1),
    };
    let mut read = 0;
    for (_, text) in generate::files(&shape, 50) {
        read += csio::parse(text.as_bytes()).unwrap().len();
    }
    assert_eq!(read, 120);
}

#[test]
fn a_download_in_iso_8859_1_reads_the_same_as_in_utf_8() {
    let latin1 = csio::parse(&fixture("latin1-commercial-smith-bakery.xml")).unwrap();
    let utf8 = csio::parse(&fixture("commercial-smith-bakery.xml")).unwrap();
    assert_eq!(latin1, utf8);
    assert_eq!(latin1[0].insured.city, "Montréal");
}

#[test]
fn embedded_documents_come_with_their_policy_and_unreadable_ones_say_why() {
    let p = &csio::parse(&fixture("renewal-auto-jane-smith-edocs.xml")).unwrap()[0];
    assert_eq!(p.policy_number, "AV-7001234");
    let d = &p.documents;
    assert_eq!(d.len(), 4, "{d:#?}");
    // In the policy: its own date and type; the purpose is the
    // transaction's; the base64 spread over lines is read whole.
    assert_eq!(d[0].file_name, "AV-7001234 declaration 2027.pdf");
    assert!(d[0].content.as_ref().unwrap().starts_with(b"%PDF-1.4"));
    assert!(d[0].content.as_ref().unwrap().ends_with(b"%%EOF\n"));
    assert_eq!(d[0].issue_date, day(2027, 10, 15));
    assert_eq!(d[0].business_purpose, "RWL");
    assert_eq!(d[0].document_type, "csio:DEC");
    assert!(d[0].about_policy);
    // In the transaction (its one policy): dated by the transaction.
    assert_eq!(d[1].file_name, "Pink card.pdf");
    assert_eq!(d[1].issue_date, day(2027, 10, 16));
    assert_eq!(d[1].document_type, "csio:PINK");
    assert!(d[1].about_policy);
    // Decoded, but the content is checked later (not a PDF).
    assert!(d[2].content.as_ref().unwrap().starts_with(b"Hello"));
    assert_eq!(
        d[3].content.as_ref().unwrap_err(),
        "its data is not valid base64"
    );
    // A download without documents has none.
    assert!(
        csio::parse(&fixture("renewal-auto-jane-smith.xml")).unwrap()[0]
            .documents
            .is_empty()
    );
}

#[test]
fn an_embedded_document_of_another_kind_is_read_but_refused() {
    let xml = r#"<ACORD xmlns="http://www.ACORD.org/standards/PC_Surety/ACORD1/xml/" xmlns:csio="http://www.csio.com/xml/standards/PC_Surety">
      <InsuranceSvcRs><HomePolicyAddRs>
        <InsuredOrPrincipal><GeneralPartyInfo><NameInfo><CommercialName>Acme</CommercialName></NameInfo></GeneralPartyInfo></InsuredOrPrincipal>
        <HomePolicy/>
        <PersPolicy><PolicyNumber>H-1</PolicyNumber><LOBCd>HOME</LOBCd><csio:CompanyCd>X</csio:CompanyCd>
          <ContractTerm><EffectiveDt>2026-01-01</EffectiveDt><ExpirationDt>2027-01-01</ExpirationDt></ContractTerm>
          <FileAttachmentInfo><AttachmentFilename>photo.jpg</AttachmentFilename><MIMEContentTypeCd>image/jpeg</MIMEContentTypeCd><AttachmentData>/9j/4AAQ</AttachmentData></FileAttachmentInfo>
        </PersPolicy>
      </HomePolicyAddRs></InsuranceSvcRs></ACORD>"#;
    let p = &csio::parse(xml.as_bytes()).unwrap()[0];
    assert_eq!(
        p.documents[0].content.as_ref().unwrap_err(),
        "it is image/jpeg, not a PDF"
    );
    // New business, dated by the policy's effective date.
    assert_eq!(p.documents[0].business_purpose, "NBS");
    assert_eq!(p.documents[0].issue_date, day(2026, 1, 1));
}

#[test]
fn elements_inside_an_embedded_documents_data_reject_the_file() {
    let xml = r#"<ACORD xmlns="http://www.ACORD.org/standards/PC_Surety/ACORD1/xml/" xmlns:csio="http://www.csio.com/xml/standards/PC_Surety">
      <InsuranceSvcRs><HomePolicyAddRs>
        <InsuredOrPrincipal><GeneralPartyInfo><NameInfo><CommercialName>Acme</CommercialName></NameInfo></GeneralPartyInfo></InsuredOrPrincipal>
        <PersPolicy><PolicyNumber>H-1</PolicyNumber><LOBCd>HOME</LOBCd><csio:CompanyCd>X</csio:CompanyCd>
          <ContractTerm><EffectiveDt>2026-01-01</EffectiveDt><ExpirationDt>2027-01-01</ExpirationDt></ContractTerm>
          <FileAttachmentInfo><AttachmentData>JVBERi0<PersPolicy><PolicyNumber>H-2</PolicyNumber></PersPolicy></AttachmentData></FileAttachmentInfo>
        </PersPolicy>
      </HomePolicyAddRs></InsuranceSvcRs></ACORD>"#;
    assert_eq!(
        csio::parse(xml.as_bytes()).unwrap_err(),
        Rejection::NotCsio("an embedded document's data holds XML elements")
    );
}
