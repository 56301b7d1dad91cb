//! Insureds and their policies: the forms in which names, addresses, postal
//! codes and policy numbers are compared, and the readable labels of CSIO
//! codes. A policy download attaches to an insured only when the full name,
//! the address and the postal code are the same in these forms.

/// The form in which a full name, an address or a city is matched: trimmed,
/// runs of spaces made one, lower case. Accents count ("Zoë" is not "Zoe"):
/// matching is exact apart from spacing and case, so two different people
/// are never merged by a guess.
pub fn match_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for word in value.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// The form in which a postal code is matched: upper case without any
/// spaces, so `m5v 2t6` and `M5V2T6` are the same code; every other
/// character must match.
pub fn postal_key(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// A postal code as shown: a Canadian code as `A1A 1A1`, anything else as
/// given (trimmed).
pub fn display_postal_code(value: &str) -> String {
    let key = postal_key(value);
    let canadian = key.len() == 6
        && key.chars().enumerate().all(|(i, c)| {
            if i % 2 == 0 {
                c.is_ascii_alphabetic()
            } else {
                c.is_ascii_digit()
            }
        });
    if canadian {
        format!("{} {}", &key[..3], &key[3..])
    } else {
        value.trim().to_string()
    }
}

/// The key that finds an insured for a download: matched name, address and
/// postal code, separated by a character none of them can hold.
pub fn insured_match_key(full_name: &str, address: &str, postal_code: &str) -> String {
    format!(
        "{}\u{1f}{}\u{1f}{}",
        match_text(full_name),
        match_text(address),
        postal_key(postal_code)
    )
}

/// The form in which policy numbers are searched: letters and digits only,
/// upper case, so `12-345 A` is found by `12345a` and by `12-3`.
pub fn policy_number_key(value: &str) -> String {
    value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// What identifies a policy within an organization: the carrier's code and
/// the policy number as the carrier writes it (trimmed, spacing collapsed,
/// upper case).
pub fn policy_key(carrier_code: &str, policy_number: &str) -> String {
    format!(
        "{}|{}",
        match_text(carrier_code).to_uppercase(),
        match_text(policy_number).to_uppercase()
    )
}

/// The readable name of an ACORD/CSIO line-of-business code, or the code
/// itself when it is not one of the common ones.
pub fn line_of_business_label(code: &str) -> &str {
    let bare = code.rsplit(':').next().unwrap_or(code);
    match bare.to_ascii_uppercase().as_str() {
        "AUTOP" | "PAUTO" => "Personal auto",
        "AUTOB" | "CAUTO" => "Commercial auto",
        "HOME" | "HABIT" | "HABL" => "Home",
        "DFIRE" => "Dwelling fire",
        "TENANT" | "TEN" => "Tenant",
        "CONDO" => "Condominium",
        "BOAT" | "WATER" => "Boat",
        "UMBRP" => "Personal umbrella",
        "UMBRC" => "Commercial umbrella",
        "CPKGE" | "PKG" => "Commercial package",
        "CGL" => "General liability",
        "PROPC" | "CPROP" => "Commercial property",
        "FARM" => "Farm",
        _ => code,
    }
}

/// Which of the three matched parts of a download differ from an insured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Differences {
    /// The full name differs.
    pub name: bool,
    /// The address differs.
    pub address: bool,
    /// The postal code differs.
    pub postal_code: bool,
}

impl Differences {
    /// Compares a download's name, address and postal code with an
    /// insured's, in the matching forms.
    pub fn between(
        (name, address, postal): (&str, &str, &str),
        (their_name, their_address, their_postal): (&str, &str, &str),
    ) -> Self {
        Self {
            name: match_text(name) != match_text(their_name),
            address: match_text(address) != match_text(their_address),
            postal_code: postal_key(postal) != postal_key(their_postal),
        }
    }

    /// "name and postal code", as the import report words it; empty when
    /// nothing differs.
    pub fn describe(&self) -> String {
        let parts: Vec<&str> = [
            (self.name, "name"),
            (self.address, "address"),
            (self.postal_code, "postal code"),
        ]
        .iter()
        .filter(|(differs, _)| *differs)
        .map(|(_, label)| *label)
        .collect();
        match parts.as_slice() {
            [] => String::new(),
            [one] => (*one).to_string(),
            [a, b] => format!("{a} and {b}"),
            [a, b, c] => format!("{a}, {b} and {c}"),
            _ => unreachable!("three parts at most"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_addresses_match_ignoring_case_and_spacing_only() {
        assert_eq!(match_text("  Jane   SMITH "), "jane smith");
        assert_eq!(
            insured_match_key("Jane Smith", "12 King St W", "m5v 2t6"),
            insured_match_key(" jane  smith", "12 KING ST W ", "M5V2T6")
        );
        assert_ne!(
            insured_match_key("Christopher Smith", "12 King St W", "M5V 2T6"),
            insured_match_key("Chris Smith", "12 King St W", "M5V 2T6")
        );
        assert_ne!(match_text("Zoë"), match_text("Zoe"));
    }

    #[test]
    fn postal_codes_ignore_inner_spaces_but_every_character_counts() {
        assert_eq!(postal_key("m5v 2t6"), "M5V2T6");
        assert_ne!(postal_key("M5V 2T6"), postal_key("M5V 2T7"));
        assert_eq!(display_postal_code("m5v2t6"), "M5V 2T6");
        assert_eq!(display_postal_code(" 90210 "), "90210");
    }

    #[test]
    fn policy_numbers_are_searched_without_punctuation() {
        assert_eq!(policy_number_key("12-345 a"), "12345A");
        assert_eq!(policy_key(" aviva ", "12-345  a"), "AVIVA|12-345 A");
    }

    #[test]
    fn differences_are_worded_for_the_report() {
        let d = Differences::between(
            ("Chris Smith", "12 King St W", "M5V 2T6"),
            ("Christopher Smith", "12 king st w", "M5V2T6"),
        );
        assert_eq!(d.describe(), "name");
        let d = Differences::between(("A", "B", "C1"), ("A", "X", "C2"));
        assert_eq!(d.describe(), "address and postal code");
        let d = Differences::between(("A", "B", "C1"), ("Z", "X", "C2"));
        assert_eq!(d.describe(), "name, address and postal code");
    }

    #[test]
    fn line_of_business_codes_have_readable_labels() {
        assert_eq!(line_of_business_label("csio:AUTOP"), "Personal auto");
        assert_eq!(line_of_business_label("HOME"), "Home");
        assert_eq!(line_of_business_label("XYZ"), "XYZ");
    }
}
