//! Writing CSIO policy downloads: [`render`] turns policies into a download
//! file as carriers write them, and [`generate`] makes realistic sets of any
//! size (people and companies across Canada, personal auto, home and
//! commercial package policies, some expired, some near matches of another
//! insured) for the demo brokerage, the tests and the benchmarks. The same
//! seed always gives the same files.

use super::csio::{DownloadedInsured, PolicyDownload, PolicyStatus, ACORD_NS};
use chrono::{Duration, NaiveDate};
use quick_xml::escape::escape;
use std::fmt::Write as _;

/// The `csio:` extension namespace our files declare.
pub const CSIO_NS: &str = "http://www.csio.com/xml/standards/PC_Surety";

/// One download file's text holding `policies`, one transaction each.
pub fn render(policies: &[PolicyDownload]) -> String {
    let mut out = String::with_capacity(1_500 * policies.len() + 400);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<ACORD xmlns=\"{ACORD_NS}\" xmlns:csio=\"{CSIO_NS}\">");
    out.push_str(
        "  <SignonRs>\n    <Status><StatusCd>0</StatusCd></Status>\n  </SignonRs>\n  <InsuranceSvcRs>\n",
    );
    for p in policies {
        transaction(&mut out, p);
    }
    out.push_str("  </InsuranceSvcRs>\n</ACORD>\n");
    out
}

/// Whether the line of business is commercial (its policy element is
/// `CommlPolicy`).
fn commercial(lob: &str) -> bool {
    matches!(
        lob.rsplit(':').next().unwrap_or(lob),
        "CPKGE" | "CGL" | "PROPC" | "AUTOB" | "UMBRC"
    )
}

fn transaction(out: &mut String, p: &PolicyDownload) {
    let lob = p.line_of_business.rsplit(':').next().unwrap_or("");
    let kind = match lob {
        "AUTOP" => "PersAuto",
        "HOME" | "HABIT" | "TENANT" | "CONDO" => "Home",
        _ if commercial(lob) => "CommlPkg",
        _ => "PersPkg",
    };
    let verb = match p.status {
        PolicyStatus::Active => "Add",
        PolicyStatus::Cancelled => "Cancel",
    };
    let element = format!("{kind}Policy{verb}Rs");
    let e = |s: &str| escape(s).into_owned();
    let i = &p.insured;
    let _ = writeln!(out, "    <{element}>");
    let _ = writeln!(
        out,
        "      <TransactionRequestDt>{}</TransactionRequestDt>\n      <CurCd>CAD</CurCd>",
        p.produced_at.format("%Y-%m-%dT%H:%M:%S")
    );
    out.push_str("      <InsuredOrPrincipal>\n        <GeneralPartyInfo>\n          <NameInfo>");
    if commercial(lob) {
        let _ = write!(
            out,
            "<CommlName><CommercialName>{}</CommercialName></CommlName>",
            e(&i.full_name)
        );
    } else {
        let given = i
            .full_name
            .strip_suffix(&i.last_name)
            .unwrap_or(&i.full_name)
            .trim();
        let _ = write!(
            out,
            "<PersonName><Surname>{}</Surname><GivenName>{}</GivenName></PersonName>",
            e(&i.last_name),
            e(given)
        );
    }
    out.push_str("</NameInfo>\n");
    let _ = writeln!(
        out,
        "          <Addr><AddrTypeCd>MailingAddress</AddrTypeCd><Addr1>{}</Addr1><City>{}</City><StateProvCd>{}</StateProvCd><PostalCode>{}</PostalCode><CountryCd>CA</CountryCd></Addr>",
        e(&i.address),
        e(&i.city),
        e(&i.province),
        e(&i.postal_code)
    );
    if i.phone.is_some() || i.email.is_some() {
        out.push_str("          <Communications>");
        if let Some(phone) = &i.phone {
            let _ = write!(
                out,
                "<PhoneInfo><PhoneTypeCd>Phone</PhoneTypeCd><PhoneNumber>{}</PhoneNumber></PhoneInfo>",
                e(phone)
            );
        }
        if let Some(email) = &i.email {
            let _ = write!(
                out,
                "<EmailInfo><EmailAddr>{}</EmailAddr></EmailInfo>",
                e(email)
            );
        }
        out.push_str("</Communications>\n");
    }
    out.push_str(
        "        </GeneralPartyInfo>\n        <InsuredOrPrincipalInfo><InsuredOrPrincipalRoleCd>Insured</InsuredOrPrincipalRoleCd></InsuredOrPrincipalInfo>\n      </InsuredOrPrincipal>\n",
    );
    let policy = if commercial(lob) {
        "CommlPolicy"
    } else {
        "PersPolicy"
    };
    let _ = writeln!(
        out,
        "      <{policy}>\n        <PolicyNumber>{}</PolicyNumber>\n        <LOBCd>{}</LOBCd>\n        <csio:CompanyCd>{}</csio:CompanyCd>\n        <ContractTerm><EffectiveDt>{}</EffectiveDt><ExpirationDt>{}</ExpirationDt></ContractTerm>",
        e(&p.policy_number),
        e(&p.line_of_business),
        e(&p.carrier_code),
        p.effective,
        p.expiry
    );
    if let Some(cents) = p.premium_cents {
        let sign = if cents < 0 { "-" } else { "" };
        let _ = writeln!(
            out,
            "        <CurrentTermAmt><Amt>{sign}{}.{:02}</Amt></CurrentTermAmt>",
            cents.abs() / 100,
            cents.abs() % 100
        );
    }
    let _ = writeln!(out, "      </{policy}>\n    </{element}>");
}

const FIRST: &[&str] = &[
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Charlotte",
    "William",
    "Amelia",
    "Benjamin",
    "Sophia",
    "Lucas",
    "Chloé",
    "Étienne",
    "Priya",
    "Arjun",
    "Mei",
    "Wei",
    "Fatima",
    "Omar",
    "Aisha",
    "Mateo",
    "Sofía",
    "Diego",
    "Hannah",
    "Jacob",
    "Isabelle",
    "Mathieu",
    "Nadia",
    "Samuel",
    "Grace",
    "Owen",
    "Zoë",
    "Elijah",
    "Maya",
    "Aiden",
    "Leah",
    "Ethan",
    "Nora",
    "Daniel",
    "Chloe",
    "Henry",
    "Christopher",
    "Jennifer",
    "Michael",
    "Elizabeth",
    "Robert",
    "Katherine",
    "Alexander",
    "Margaret",
    "Jonathan",
    "Patricia",
];

/// Names by which the first names above are also written: a download that
/// uses one is a near match of the insured, never an automatic match.
const NICKNAME: &[(&str, &str)] = &[
    ("Christopher", "Chris"),
    ("Jennifer", "Jen"),
    ("Michael", "Mike"),
    ("Elizabeth", "Liz"),
    ("Robert", "Bob"),
    ("Katherine", "Kate"),
    ("Alexander", "Alex"),
    ("Margaret", "Maggie"),
    ("Jonathan", "Jon"),
    ("Patricia", "Pat"),
    ("William", "Bill"),
    ("Benjamin", "Ben"),
    ("Samuel", "Sam"),
    ("Daniel", "Dan"),
];

const LAST: &[&str] = &[
    "Smith",
    "Brown",
    "Tremblay",
    "Martin",
    "Roy",
    "Wilson",
    "MacDonald",
    "Gagnon",
    "Johnson",
    "Taylor",
    "Côté",
    "Campbell",
    "Anderson",
    "Leblanc",
    "Lee",
    "Jones",
    "White",
    "Williams",
    "Miller",
    "Thompson",
    "Gauthier",
    "Young",
    "Van Dyk",
    "Morin",
    "Bouchard",
    "Scott",
    "Stewart",
    "Pelletier",
    "Nguyen",
    "Singh",
    "Patel",
    "Chen",
    "Wong",
    "Kim",
    "O'Brien",
    "Fraser",
    "Lavoie",
    "Fortin",
    "Bélanger",
    "Reid",
    "Clarke",
    "Mitchell",
    "Ross",
    "Murray",
    "Hughes",
    "Morrison",
    "Kaur",
    "Ali",
    "Hussain",
    "Dubois",
    "Sullivan",
    "Kowalski",
    "Santos",
    "Ferreira",
    "Rossi",
    "Bianchi",
    "Novak",
    "Horvath",
    "Murphy",
    "Kelly",
];

const STREET: &[&str] = &[
    "King St W",
    "Queen St E",
    "Yonge St",
    "Main St",
    "Maple Ave",
    "Oak Cres",
    "Elm Dr",
    "Victoria Rd",
    "Church St",
    "Park Ave",
    "Lakeshore Blvd W",
    "Bay St",
    "Cedar Lane",
    "Birch Crt",
    "Rue Saint-Denis",
    "Boul. René-Lévesque",
    "Portage Ave",
    "Jasper Ave",
    "Granville St",
    "Robson St",
    "Spring Garden Rd",
    "Water St",
    "Dundas St W",
    "College St",
];

/// City, province and the first letter(s) of its postal codes.
const CITY: &[(&str, &str, &str)] = &[
    ("Toronto", "ON", "M5V"),
    ("Toronto", "ON", "M4C"),
    ("Mississauga", "ON", "L5B"),
    ("Ottawa", "ON", "K1P"),
    ("Hamilton", "ON", "L8P"),
    ("London", "ON", "N6A"),
    ("Montréal", "QC", "H2X"),
    ("Québec", "QC", "G1R"),
    ("Gatineau", "QC", "J8X"),
    ("Vancouver", "BC", "V6B"),
    ("Victoria", "BC", "V8W"),
    ("Calgary", "AB", "T2P"),
    ("Edmonton", "AB", "T5J"),
    ("Winnipeg", "MB", "R3C"),
    ("Regina", "SK", "S4P"),
    ("Halifax", "NS", "B3H"),
    ("Saint John", "NB", "E2L"),
    ("St. John's", "NL", "A1C"),
];

const CARRIER: &[(&str, &str)] = &[
    ("AVIVA", "AV"),
    ("INTACT", "IN"),
    ("WAWANESA", "WA"),
    ("ECONOMICAL", "EC"),
    ("DEFINITY", "DF"),
    ("NORTHBRIDGE", "NB"),
];

const COMPANY_SUFFIX: &[&str] = &[
    "Holdings Ltd.",
    "Contracting Inc.",
    "Bakery",
    "Dental Clinic",
    "Auto Body",
    "Logistics Corp.",
    "Landscaping",
    "Consulting Group",
];

/// A deterministic hash of `n` (splitmix64), so a set needs no random state.
fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pick<T: Copy>(list: &[T], h: u64) -> T {
    list[(h % list.len() as u64) as usize]
}

/// A postal code in `fsa` for insured `n`: "M5V 3K8".
fn postal_code(fsa: &str, h: u64) -> String {
    const LETTERS: &[u8] = b"ABCEGHJKLMNPRSTVWXYZ";
    format!(
        "{fsa} {}{}{}",
        h % 10,
        LETTERS[((h / 10) % LETTERS.len() as u64) as usize] as char,
        (h / 1000) % 10
    )
}

/// The person or company insured number `n` of a set with `seed`.
pub fn insured(seed: u64, n: u64) -> DownloadedInsured {
    let h = mix(seed ^ mix(n));
    let (city, province, fsa) = pick(CITY, h >> 8);
    let last = pick(LAST, h >> 16);
    let full_name = format!("{} {last}", pick(FIRST, h >> 24));
    let number = 1 + (h >> 32) % 9_899;
    DownloadedInsured {
        email: h.is_multiple_of(5).then(|| {
            format!(
                "{}.{}{}@example.ca",
                crate::domain::names::fold(&full_name).replace([' ', '\''], "."),
                n,
                seed
            )
        }),
        phone: Some(format!(
            "+1-{}-555-{:04}",
            [416, 514, 604, 403, 613, 902][((h >> 40) % 6) as usize],
            (h >> 44) % 10_000
        )),
        full_name,
        last_name: last.to_string(),
        address: format!("{number} {}", pick(STREET, h >> 36)),
        city: city.to_string(),
        province: province.to_string(),
        postal_code: postal_code(fsa, h >> 48),
    }
}

/// The company insured number `n` (commercial policies).
fn company(seed: u64, n: u64) -> DownloadedInsured {
    let mut base = insured(seed, n ^ 0x00C0_FFEE);
    let name = format!(
        "{} {}",
        base.last_name,
        pick(COMPANY_SUFFIX, mix(seed ^ n) >> 12)
    );
    base.full_name = name.clone();
    base.last_name = name;
    base.email = None;
    base
}

/// How a generated set is shaped.
#[derive(Debug, Clone, Copy)]
pub struct SetShape {
    /// Different sets get different people and policy numbers.
    pub seed: u64,
    /// How many policies.
    pub policies: u64,
    /// Policies are made expired or current around this day.
    pub today: NaiveDate,
}

/// Policy number `j` of a set: about 4 policies for every 3 insureds; one in
/// ten commercial; about a quarter expired; one in fifty written for its
/// insured with a nickname or another postal code (a near match).
pub fn policy(shape: &SetShape, j: u64) -> PolicyDownload {
    let h = mix(shape.seed.wrapping_mul(31) ^ mix(j ^ 0xB0B));
    let is_commercial = j % 10 == 9;
    let mut insured = if is_commercial {
        company(shape.seed, j)
    } else {
        insured(shape.seed, j * 3 / 4)
    };
    if j % 50 == 7 && !is_commercial {
        let first = insured
            .full_name
            .strip_suffix(&insured.last_name)
            .unwrap_or("")
            .trim();
        match NICKNAME.iter().find(|(full, _)| *full == first) {
            Some((_, nick)) => insured.full_name = format!("{nick} {}", insured.last_name),
            None => {
                // The same person, the postal code's last digit mistyped.
                let mut code = insured.postal_code.clone();
                let last = code.pop().and_then(|c| c.to_digit(10)).unwrap_or(0);
                code.push(char::from_digit((last + 1) % 10, 10).expect("digit"));
                insured.postal_code = code;
            }
        }
    }
    let (carrier, prefix) = pick(CARRIER, h >> 4);
    let lob = if is_commercial {
        "CPKGE"
    } else if j.is_multiple_of(3) {
        "HOME"
    } else {
        "AUTOP"
    };
    let effective = shape.today - Duration::days((h >> 20) as i64 % 540);
    let expiry = effective + Duration::days(365);
    PolicyDownload {
        insured,
        carrier_code: carrier.to_string(),
        policy_number: format!("{prefix}-{:02}-{:07}", shape.seed % 100, j),
        line_of_business: lob.to_string(),
        effective,
        expiry,
        status: if h.is_multiple_of(97) {
            PolicyStatus::Cancelled
        } else {
            PolicyStatus::Active
        },
        premium_cents: Some(40_000 + ((h >> 30) % 400_000) as i64),
        produced_at: (effective - Duration::days(30))
            .and_hms_opt(9, 0, 0)
            .expect("time")
            .and_utc(),
        documents: Vec::new(),
    }
}

/// The set as download files of `per_file` policies each, named
/// `csio-<seed>-<n>.xml`.
pub fn files(shape: &SetShape, per_file: u64) -> impl Iterator<Item = (String, String)> + '_ {
    let per_file = per_file.max(1);
    (0..shape.policies.div_ceil(per_file)).map(move |f| {
        let end = ((f + 1) * per_file).min(shape.policies);
        let policies: Vec<_> = (f * per_file..end).map(|j| policy(shape, j)).collect();
        (
            format!("csio-{}-{:05}.xml", shape.seed, f + 1),
            render(&policies),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::import::csio;

    fn shape() -> SetShape {
        SetShape {
            seed: 7,
            policies: 400,
            today: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        }
    }

    #[test]
    fn rendered_files_read_back_the_same() {
        let s = shape();
        let policies: Vec<_> = (0..40).map(|j| policy(&s, j)).collect();
        let parsed = csio::parse(render(&policies).as_bytes()).unwrap();
        assert_eq!(parsed, policies);
    }

    #[test]
    fn sets_are_reproducible_and_shaped_like_a_book_of_business() {
        let s = shape();
        let a: Vec<_> = files(&s, 25).collect();
        let b: Vec<_> = files(&s, 25).collect();
        assert_eq!(a, b);
        assert_eq!(a.len(), 16);
        let all: Vec<_> = (0..s.policies).map(|j| policy(&s, j)).collect();
        let expired = all.iter().filter(|p| p.expiry < s.today).count();
        assert!((50..200).contains(&expired), "{expired} expired");
        let commercial = all.iter().filter(|p| p.line_of_business == "CPKGE").count();
        assert_eq!(commercial, 40);
        let mut numbers: Vec<_> = all.iter().map(|p| &p.policy_number).collect();
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), all.len(), "policy numbers are unique");
    }
}
