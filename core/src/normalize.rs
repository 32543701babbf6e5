//! Normalisation of values whose equality is not byte equality: mobile
//! numbers (E.164, through libphonenumber's metadata) and e-mail addresses
//! (case-folded).

use phonenumber::{Mode, country};

/// The E.164 form of a mobile number, or `None` when it does not parse or is
/// not a valid number. National forms need `region`; `00`-prefixed and `+`
/// forms do not.
#[must_use]
pub fn mobile(raw: &str, region: Option<country::Id>) -> Option<String> {
    let number = phonenumber::parse(region, raw).ok()?;
    phonenumber::is_valid(&number).then(|| number.format().mode(Mode::E164).to_string())
}

/// The form under which two e-mail addresses are the same mailbox.
#[must_use]
pub fn email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_numbers_in_every_form_reach_one_e164() {
        for raw in ["20 12 34 56", "20123456", "004520123456", "+45 20 12 34 56", "+4520123456"] {
            assert_eq!(mobile(raw, Some(country::Id::DK)).as_deref(), Some("+4520123456"), "{raw}");
        }
        assert_eq!(mobile("+4520123456", None).as_deref(), Some("+4520123456"));
    }

    #[test]
    fn invalid_numbers_are_rejected() {
        for raw in ["12", "abc", "", "+45 1", "20 12 34 56 78 90 12"] {
            assert_eq!(mobile(raw, Some(country::Id::DK)), None, "{raw}");
        }
        assert_eq!(mobile("20 12 34 56", None), None);
    }

    #[test]
    fn email_case_is_folded() {
        assert_eq!(email(" John.Doe@Example.COM "), "john.doe@example.com");
    }
}
