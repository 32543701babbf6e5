//! E-mail addresses: whether a string is exactly one mailbox and, if so, its
//! normalised form (the value Pactum stores, claims as unique and sends the
//! code to). docs/contracts.md ("E-mail addresses") states the rule for
//! contract authors; `scripts/gen-email-corpus.py` is its reference
//! implementation and `tests/corpus/email/cases.jsonl` the corpus this
//! module is tested against.
//!
//! The grammar is RFC 5321 section 4.1.2's `Mailbox`, extended by RFC 6531
//! section 3.3 (UTF-8 in the local part and the domain):
//!
//! ```text
//! Mailbox         = Local-part "@" ( Domain / address-literal )
//! Local-part      = Dot-string / Quoted-string
//! Dot-string      = Atom *("." Atom)
//! Atom            = 1*atext          ; RFC 5322 atext, plus UTF8-non-ascii
//! Quoted-string   = DQUOTE *QcontentSMTP DQUOTE
//! QcontentSMTP    = qtextSMTP / quoted-pairSMTP
//! qtextSMTP       = %d32-33 / %d35-91 / %d93-126 / UTF8-non-ascii
//! quoted-pairSMTP = %d92 %d32-126
//! address-literal = "[" ( IPv4-address-literal / "IPv6:" IPv6-addr ) "]"
//! ```
//!
//! - Nothing else is accepted: no display name, no comment, no surrounding
//!   white space, one address. A General-address-literal (section 4.1.3)
//!   needs an IANA-registered tag, and there is none.
//! - The local part is case-sensitive (RFC 5321 section 2.4) and kept as
//!   typed, except that a quoted local part whose content is a Dot-string is
//!   unquoted (`"joe"` is `joe`, RFC 5322 section 3.4.1) and any other is
//!   rewritten with the fewest escapes (only `"` and `\`). It is at most 64
//!   octets in that form (RFC 5321 section 4.5.3.1.1).
//! - The domain goes through IDNA: UTS #46 mapping (case, width, the
//!   ideographic full stop), non-transitional (`ß` stays `ß`), STD3 ASCII
//!   rules, the hyphen, joiner (RFC 5892 appendix A.1-A.2) and bidi
//!   (RFC 5893) checks. It is written as lower-case U-labels, so that
//!   `BÜCHER.de`, `bücher.de` and `xn--bcher-kva.de` are one mailbox. Each
//!   label is at most 63 octets and the domain at most 255 as A-labels
//!   (RFC 5321 section 4.5.3.1.2, RFC 5890 section 2.3.2.1); in effect
//!   253, as UTS #46's _VerifyDnsLength_ (and the reference) leaves room
//!   for the root label's dot and length octet.
//! - The whole mailbox is at most 254 octets with the domain as A-labels:
//!   the path's 256 (RFC 5321 section 4.5.3.1.3) less its `<` and `>`.
//! - An IPv4 literal is written in plain decimal, an IPv6 literal as
//!   `IPv6:` and its RFC 5952 text.
//!
//! The engine and the reference agree on every case of the corpus. Outside
//! it, three differences are known. The first two come from the
//! reference's `idna` package (IDNA 2008's repertoire, and its reading of
//! the bidi rule) against this crate's UTS #46, and no setting of
//! `idna::uts46` removes them:
//!
//! - UTS #46 accepts labels IDNA 2008 refuses: symbols (`☃.com`), other
//!   code points outside its PVALID set (U+19DA), and the CONTEXTO
//!   characters anywhere (RFC 5892 appendix A.3-A.9, such as a middle dot
//!   not between two `l`).
//! - In a domain with a right-to-left label, UTS #46 applies the bidi rule
//!   to every label (RFC 5893 section 2), the reference only to the
//!   right-to-left ones, so `x@ب.1` is refused here.
//! - The reference's IPv4 pattern (`\d`, `$`) also takes non-ASCII digits
//!   and a line break before the `]`; `Snum` is ASCII digits only.

use core::net::{Ipv4Addr, Ipv6Addr};

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

/// RFC 5321 section 4.5.3.1.1.
const MAX_LOCAL_PART_OCTETS: usize = 64;
/// RFC 5321 section 4.5.3.1.2.
const MAX_DOMAIN_OCTETS: usize = 255;
/// RFC 1035 section 2.3.4, for a label as an A-label.
const MAX_LABEL_OCTETS: usize = 63;
/// RFC 5321 section 4.5.3.1.3's path (256 octets) without `<` and `>`.
const MAX_MAILBOX_OCTETS: usize = 254;

/// The IDNA settings of the reference (`idna.encode(uts46=True,
/// std3_rules=True, transitional=False)`): STD3's letter-digit-hyphen
/// rule, IDNA 2008's hyphen rule (no hyphen first, last, or third and
/// fourth), and the DNS lengths without a trailing root dot, which a
/// mailbox's domain never has (the reference's LDH check refuses it).
/// Non-transitional processing, the joiner and the bidi checks are what
/// `Uts46` always does.
const DENY: AsciiDenyList = AsciiDenyList::STD3;
const HYPHENS: Hyphens = Hyphens::Check;
const DNS_LENGTH: DnsLength = DnsLength::Verify;

/// The normalised mailbox of `raw` (RFC 5321 section 4.1.2 `Mailbox`, with RFC 6531's
/// internationalised addresses), or `None` when `raw` is not exactly one mailbox.
#[must_use]
pub fn normalize(raw: &str) -> Option<String> {
    let (local, rest) = split(raw)?;
    if local.len() > MAX_LOCAL_PART_OCTETS {
        return None;
    }
    let domain = domain(rest)?;
    // The limit is on the mailbox as it travels, with the domain in A-labels.
    if local.len() + 1 + domain.ascii_len > MAX_MAILBOX_OCTETS {
        return None;
    }
    Some(format!("{local}@{}", domain.written))
}

/// The normalised local part and what follows its `@`, or `None` when
/// `raw` does not start with a local part and an `@`.
fn split(raw: &str) -> Option<(String, &str)> {
    if let Some(quoted) = raw.strip_prefix('"') {
        let (content, rest) = unquote(quoted)?;
        let rest = rest.strip_prefix('@')?;
        return Some((requote(content), rest));
    }
    // A Dot-string has no `@`, so the first one ends it; any later `@` is
    // left to the domain, which refuses it.
    let (local, rest) = raw.split_once('@')?;
    is_dot_string(local).then(|| (local.to_owned(), rest))
}

/// The content of a Quoted-string whose opening `"` has been read, with its
/// quoted pairs resolved, and the text after the closing `"`.
fn unquote(quoted: &str) -> Option<(String, &str)> {
    let mut content = String::new();
    let mut chars = quoted.chars();
    while let Some(char) = chars.next() {
        match char {
            '"' => return Some((content, chars.as_str())),
            '\\' => {
                // quoted-pairSMTP escapes printable ASCII only, not UTF-8.
                let escaped = chars.next().filter(|next| matches!(next, ' '..='~'))?;
                content.push(escaped);
            }
            _ if is_qtext(char) => content.push(char),
            _ => return None,
        }
    }
    None
}

/// The local part a Quoted-string's content is written as: bare when it is
/// a Dot-string (the quotes change nothing), otherwise quoted again with
/// only `"` and `\` escaped, so that equal local parts are written alike.
fn requote(content: String) -> String {
    if is_dot_string(&content) {
        return content;
    }
    let mut quoted = String::with_capacity(content.len() + 2);
    quoted.push('"');
    for char in content.chars() {
        if matches!(char, '"' | '\\') {
            quoted.push('\\');
        }
        quoted.push(char);
    }
    quoted.push('"');
    quoted
}

/// RFC 5321's Dot-string; the empty string is not one.
fn is_dot_string(text: &str) -> bool {
    text.split('.').all(|atom| !atom.is_empty() && atom.chars().all(is_atext))
}

/// RFC 5322's atext, with RFC 6531's UTF8-non-ascii.
fn is_atext(char: char) -> bool {
    char.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(char) || !char.is_ascii()
}

/// RFC 5321's qtextSMTP (printable ASCII but `"` and `\`, and the space),
/// with RFC 6531's UTF8-non-ascii.
fn is_qtext(char: char) -> bool {
    (matches!(char, ' '..='~') && !matches!(char, '"' | '\\')) || !char.is_ascii()
}

/// A domain or address literal as written in the mailbox, and the length
/// of its A-label form (the same text for a literal).
#[derive(Debug)]
struct Domain {
    written: String,
    ascii_len: usize,
}

fn domain(text: &str) -> Option<Domain> {
    if let Some(inner) = text.strip_prefix('[').and_then(|text| text.strip_suffix(']')) {
        let written = address_literal(inner)?;
        let ascii_len = written.len();
        return Some(Domain { written, ascii_len });
    }
    idna_domain(text)
}

/// A domain name through IDNA, written as lower-case U-labels.
fn idna_domain(text: &str) -> Option<Domain> {
    if text.is_empty() {
        return None;
    }
    let uts46 = Uts46::new();
    let ascii = uts46.to_ascii(text.as_bytes(), DENY, HYPHENS, DNS_LENGTH).ok()?;
    // Implied by the settings above; checked again because the stored
    // value must be a host name whatever a later `idna` release does.
    if ascii.len() > MAX_DOMAIN_OCTETS || !ascii.split('.').all(is_ldh_label) {
        return None;
    }
    // Decoding the A-labels, not reusing the mapped input, gives the one
    // Unicode form of every spelling of the domain.
    let (unicode, errors) = uts46.to_unicode(ascii.as_bytes(), DENY, HYPHENS);
    errors.ok()?;
    Some(Domain { written: unicode.into_owned(), ascii_len: ascii.len() })
}

/// A lower-case RFC 1035 label: letters, digits and inner hyphens, 1 to
/// 63 octets.
fn is_ldh_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    let is_let_dig = |byte: &u8| byte.is_ascii_lowercase() || byte.is_ascii_digit();
    bytes.len() <= MAX_LABEL_OCTETS
        && bytes.first().is_some_and(is_let_dig)
        && bytes.last().is_some_and(is_let_dig)
        && bytes.iter().all(|byte| is_let_dig(byte) || *byte == b'-')
}

/// The content of `[...]`, written in its one canonical form: `[a.b.c.d]`
/// or `[IPv6:` and RFC 5952 text.
fn address_literal(inner: &str) -> Option<String> {
    if let Some(address) = ipv4_literal(inner) {
        return Some(format!("[{address}]"));
    }
    let address = ipv6_literal(inner)?;
    // `Ipv6Addr`'s Display is RFC 5952 section 4 (lower case, the first
    // longest run of two or more zero groups as `::`) and writes an
    // IPv4-mapped address as `::ffff:a.b.c.d` (section 5).
    Some(format!("[IPv6:{address}]"))
}

/// RFC 5321's IPv4-address-literal, `Snum 3("." Snum)` with `Snum` one to
/// three digits up to 255. Leading zeros are accepted, as `Snum` allows
/// them, and dropped when written; `Ipv4Addr`'s parser refuses them.
fn ipv4_literal(inner: &str) -> Option<Ipv4Addr> {
    let mut octets = [0_u8; 4];
    let mut parts = inner.split('.');
    for octet in &mut octets {
        *octet = snum(parts.next()?)?;
    }
    parts.next().is_none().then(|| Ipv4Addr::from(octets))
}

fn snum(text: &str) -> Option<u8> {
    // Only digits: `u8::from_str` also takes a leading `+`.
    let digits = (1..=3).contains(&text.len()) && text.bytes().all(|byte| byte.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten()
}

/// RFC 5321's `"IPv6:" IPv6-addr`, the tag in any case. Only hex digits,
/// colons and dots may follow it: `Ipv6Addr`'s parser already refuses a
/// zone (`%eth0`) and anything else, and this says so whatever it does.
fn ipv6_literal(inner: &str) -> Option<Ipv6Addr> {
    let tag = inner.get(..5)?;
    let text = inner.get(5..)?;
    let allowed = |char: char| char.is_ascii_hexdigit() || matches!(char, ':' | '.');
    if !tag.eq_ignore_ascii_case("IPv6:") || text.is_empty() || !text.chars().all(allowed) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoke() {
        assert_eq!(normalize("Joe@Example.COM").as_deref(), Some("Joe@example.com"));
        assert_eq!(normalize("\"joe\"@xn--bcher-kva.de").as_deref(), Some("joe@bücher.de"));
        assert_eq!(normalize("joe@[IPv6:2001:DB8::0:1]").as_deref(), Some("joe@[IPv6:2001:db8::1]"));
        assert_eq!(normalize("Joe <joe@example.com>"), None);
    }

    /// The normalised form is a fixed point: storing it and reading it
    /// back gives the same mailbox.
    #[test]
    fn normalised_form_is_stable() {
        for raw in
            ["\"a\\ b\\\"c\"@BÜCHER.de", "\"joe\"@[001.002.003.004]", "x@[ipv6:0:0:0:0:0:ffff:c000:201]", "\"\"@faß.de"]
        {
            let once = normalize(raw);
            assert!(once.is_some(), "{raw}");
            assert_eq!(once.as_deref().and_then(normalize), once, "{raw}");
        }
    }

    /// RFC 5952 section 4.2: one zero group is not shortened, and of two
    /// equally long runs the first is.
    #[test]
    fn ipv6_text_is_rfc_5952() {
        assert_eq!(ipv6_literal("IPv6:1:0:2:3:4:5:6:7").map(|a| a.to_string()).as_deref(), Some("1:0:2:3:4:5:6:7"));
        assert_eq!(ipv6_literal("IPv6:1:0:0:2:0:0:3:4").map(|a| a.to_string()).as_deref(), Some("1::2:0:0:3:4"));
        assert_eq!(ipv6_literal("IPv6:::ffff:1.2.3.4").map(|a| a.to_string()).as_deref(), Some("::ffff:1.2.3.4"));
        // An IPv4-compatible address (deprecated, RFC 4291 section 2.5.5.1)
        // is not written with a dotted tail.
        assert_eq!(ipv6_literal("IPv6:::1.2.3.4").map(|a| a.to_string()).as_deref(), Some("::102:304"));
    }

    /// `u8::from_str` and `Ipv4Addr`'s parser differ from `Snum`: a sign
    /// is refused, leading zeros are not.
    #[test]
    fn snum_is_digits_only() {
        assert_eq!(snum("+1"), None);
        assert_eq!(snum("0255"), None);
        assert_eq!(snum("256"), None);
        assert_eq!(snum("007"), Some(7));
        assert_eq!(snum(""), None);
    }

    /// The mailbox limit counts the domain as A-labels, not as typed:
    /// `ü` is 2 octets in UTF-8 but 7 as `xn--tda`.
    #[test]
    fn mailbox_limit_counts_a_labels() {
        let domain = ["ü"; 25].join("."); // 74 octets, 199 as A-labels
        let fits = format!("{}@{domain}", "x".repeat(54));
        let too_long = format!("{}@{domain}", "x".repeat(55));
        assert_eq!(normalize(&fits), Some(fits.clone()));
        assert!(too_long.len() < MAX_MAILBOX_OCTETS);
        assert_eq!(normalize(&too_long), None);
    }

    /// So does the domain limit: a domain of 304 octets in UTF-8 is 184
    /// as A-labels.
    #[test]
    fn domain_limit_counts_a_labels() {
        let domain = ["ü".repeat(30).as_str(); 5].join(".");
        assert!(domain.len() > MAX_DOMAIN_OCTETS);
        let raw = format!("x@{domain}");
        assert_eq!(normalize(&raw), Some(raw.clone()));
    }

    /// Whatever the input, no panic; truncating a valid mailbox anywhere
    /// never yields something that panics either.
    #[test]
    fn never_panics_on_prefixes() {
        let raw = "\"a\\\"b\"@[IPv6:2001:db8::ffff:1.2.3.4]x@bücher.de";
        for (at, _) in raw.char_indices() {
            let _ = normalize(raw.get(..at).unwrap_or_default());
        }
    }
}
