//! Verification codes: drawn from the operating system's CSPRNG, stored
//! only as a keyed hash, compared in constant time.
//!
//! A 6-digit code has 20 bits of entropy: a plain SHA-256 of it would fall
//! to an offline search in microseconds. Keying the hash with the server's
//! secret (HMAC-SHA-256) and scoping it to the entity and field means a
//! leaked database row reveals nothing without the secret, and a code for
//! one pending change is useless for another.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The shortest and longest code length the configuration accepts.
pub const LENGTHS: std::ops::RangeInclusive<usize> = 4..=10;

/// A freshly drawn code. It lives only as long as it takes to hash it and
/// hand it to the sender; `Debug` does not show it.
pub struct Code(String);

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Code(<redacted>)")
    }
}

impl Code {
    /// Draws a code of `length` decimal digits, uniformly: bytes at or above
    /// the largest multiple of 10 below 256 are redrawn, so no digit is more
    /// likely than another.
    pub fn generate(length: usize) -> Result<Self, getrandom::Error> {
        let mut digits = String::with_capacity(length);
        let mut buffer = [0u8; 16];
        while digits.len() < length {
            getrandom::fill(&mut buffer)?;
            for byte in buffer.iter().filter(|byte| **byte < 250) {
                if digits.len() == length {
                    break;
                }
                digits.push(char::from(b'0' + byte % 10));
            }
        }
        Ok(Self(digits))
    }

    /// The code's text, for the sender only.
    #[must_use]
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

/// The stored form of `code` for the pending change identified by `scope`
/// (e.g. `"<entity id>/<field>"`), keyed with the server's `secret`.
#[must_use]
#[expect(clippy::expect_used, reason = "HMAC takes keys of every length: new_from_slice cannot fail")]
pub fn hash(secret: &[u8], scope: &str, code: &str) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(scope.as_bytes());
    mac.update(&[0]);
    mac.update(code.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Whether `candidate` is the code whose hash is `stored`, in time that does
/// not depend on where the two differ.
#[must_use]
pub fn matches(secret: &[u8], scope: &str, candidate: &str, stored: &[u8]) -> bool {
    hash(secret, scope, candidate).ct_eq(stored).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_asked_length_and_only_digits() {
        for length in LENGTHS {
            let code = Code::generate(length).unwrap_or_else(|_| Code(String::new()));
            assert_eq!(code.reveal().len(), length);
            assert!(code.reveal().bytes().all(|byte| byte.is_ascii_digit()));
        }
    }

    #[test]
    fn every_digit_appears_and_codes_differ() {
        let codes: Vec<String> =
            (0..200).filter_map(|_| Code::generate(6).ok()).map(|code| code.reveal().to_owned()).collect();
        assert_eq!(codes.len(), 200);
        let joined: String = codes.concat();
        assert!(('0'..='9').all(|digit| joined.contains(digit)));
        let distinct: std::collections::BTreeSet<&String> = codes.iter().collect();
        assert!(distinct.len() > 190, "{} distinct of 200", distinct.len());
    }

    #[test]
    fn a_code_matches_only_its_own_hash_scope_and_secret() {
        let stored = hash(b"secret", "42/mobile", "123456");
        assert!(matches(b"secret", "42/mobile", "123456", &stored));
        assert!(!matches(b"secret", "42/mobile", "123457", &stored));
        assert!(!matches(b"secret", "43/mobile", "123456", &stored));
        assert!(!matches(b"other", "42/mobile", "123456", &stored));
        assert!(!matches(b"secret", "42/mobile", "123456", &stored[..31]));
    }

    #[test]
    fn debug_never_shows_the_code() {
        let code = Code("987654".to_owned());
        assert!(!format!("{code:?}").contains("987654"));
    }
}
