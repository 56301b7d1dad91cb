//! Percent-encoding (RFC 3986), for values put in page addresses and in the
//! `filename*` of a download; wasm-safe, so pages and the server share it.

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes and `+` (a space in query strings); a malformed
/// escape stays as it is, invalid UTF-8 becomes U+FFFD.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of `key` in a query string (`a=1&b=2`), decoded; the first
/// one when it appears more than once.
pub fn query_value(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k) == key).then(|| decode(v))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_unreserved_characters_stay() {
        assert_eq!(super::encode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(super::encode("é &/?"), "%C3%A9%20%26%2F%3F");
    }

    #[test]
    fn decoding_undoes_encoding_and_tolerates_junk() {
        for s in ["Zoë O'Brien", "a&b=c", "100% + more", ""] {
            assert_eq!(super::decode(&super::encode(s)), s);
        }
        assert_eq!(super::decode("a+b%2"), "a b%2");
        assert_eq!(super::decode("%zz%"), "%zz%");
        assert_eq!(
            super::query_value("q=a%20b&x=1&q=2", "q").as_deref(),
            Some("a b")
        );
        assert_eq!(super::query_value("flag&x=1", "flag").as_deref(), Some(""));
        assert_eq!(super::query_value("x=1", "q"), None);
    }
}
