//! Phone numbers as libphonenumber reads them, through `rlibphonenumber` (a
//! port of the C++ library, differentially fuzzed against it) on the
//! `regex` crate, native and wasm32 alike, with the plans of [`plans`].
//! Their metadata version is the one `tests/corpus/phone/cases.jsonl` was
//! generated with, and that corpus is what this module is tested against.
//!
//! A mobile field (`x-pactum-role: "mobile"`) takes a *valid* number (not
//! merely a possible one) of a type that can receive an SMS, with no
//! extension, and stores it in E.164: see [`for_sms`].

use std::fmt;

mod plans;

use plans::PLANS;
use rlibphonenumber::{PhoneNumberFormat, PhoneNumberType};

pub use rlibphonenumber::enums::Region;

/// The longest input libphonenumber parses (`MAX_INPUT_STRING_LENGTH`, 250
/// characters, in every port). The Rust port trims white space first and
/// so reads longer inputs; the bound is applied here to decide as the
/// reference does.
const MAX_INPUT_CHARS: usize = 250;

/// The region named by `code`: two upper-case letters of a region
/// libphonenumber's metadata has a numbering plan for. (The library's own
/// `Region::from_code` takes any two letters, `XX` included, and lower case.)
#[must_use]
pub fn region(code: &str) -> Option<Region> {
    let upper = code.len() == 2 && code.bytes().all(|byte| byte.is_ascii_uppercase());
    let region = Region::from_code(code).ok().filter(|_| upper)?;
    PLANS.get_country_code_for_region(region).filter(|code| *code != 0).map(|_| region)
}

/// libphonenumber's number types, named as the reference names them in
/// snake case (the names `x-pactum-number-types` takes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NumberType {
    FixedLine,
    Mobile,
    /// Plans such as North America's cannot tell a mobile from a fixed line.
    FixedLineOrMobile,
    TollFree,
    PremiumRate,
    SharedCost,
    Voip,
    PersonalNumber,
    Pager,
    Uan,
    Voicemail,
}

impl NumberType {
    /// Every type a valid number can have.
    pub const ALL: [Self; 11] = [
        Self::FixedLine,
        Self::Mobile,
        Self::FixedLineOrMobile,
        Self::TollFree,
        Self::PremiumRate,
        Self::SharedCost,
        Self::Voip,
        Self::PersonalNumber,
        Self::Pager,
        Self::Uan,
        Self::Voicemail,
    ];

    /// What a mobile field accepts when its contract says nothing: the
    /// types that can receive an SMS.
    pub const SMS: [Self; 2] = [Self::Mobile, Self::FixedLineOrMobile];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::FixedLine => "fixed_line",
            Self::Mobile => "mobile",
            Self::FixedLineOrMobile => "fixed_line_or_mobile",
            Self::TollFree => "toll_free",
            Self::PremiumRate => "premium_rate",
            Self::SharedCost => "shared_cost",
            Self::Voip => "voip",
            Self::PersonalNumber => "personal_number",
            Self::Pager => "pager",
            Self::Uan => "uan",
            Self::Voicemail => "voicemail",
        }
    }

    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The type in words, for messages a person reads.
    fn words(self) -> &'static str {
        match self {
            Self::FixedLine => "a fixed-line number",
            Self::Mobile => "a mobile number",
            Self::FixedLineOrMobile => "a fixed-line or mobile number",
            Self::TollFree => "a toll-free number",
            Self::PremiumRate => "a premium-rate number",
            Self::SharedCost => "a shared-cost number",
            Self::Voip => "a VoIP number",
            Self::PersonalNumber => "a personal number",
            Self::Pager => "a pager number",
            Self::Uan => "a universal access number",
            Self::Voicemail => "a voicemail access number",
        }
    }

    /// Each type and the library's name for it: the one table both
    /// directions read.
    const LIBRARY: [(Self, PhoneNumberType); 11] = [
        (Self::FixedLine, PhoneNumberType::FixedLine),
        (Self::Mobile, PhoneNumberType::Mobile),
        (Self::FixedLineOrMobile, PhoneNumberType::FixedLineOrMobile),
        (Self::TollFree, PhoneNumberType::TollFree),
        (Self::PremiumRate, PhoneNumberType::PremiumRate),
        (Self::SharedCost, PhoneNumberType::SharedCost),
        (Self::Voip, PhoneNumberType::VoIP),
        (Self::PersonalNumber, PhoneNumberType::PersonalNumber),
        (Self::Pager, PhoneNumberType::Pager),
        (Self::Uan, PhoneNumberType::UAN),
        (Self::Voicemail, PhoneNumberType::VoiceMail),
    ];

    /// `None` for the library's `Unknown`, the type of no valid number.
    fn from_library(kind: PhoneNumberType) -> Option<Self> {
        Self::LIBRARY.into_iter().find(|(_, library)| *library == kind).map(|(ours, _)| ours)
    }
}

/// A valid number, as the reference describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    pub e164: String,
    pub kind: NumberType,
    /// The extension as typed (`ext. 12` gives `12`).
    pub extension: Option<String>,
}

/// Parses `raw` as libphonenumber does: national forms in `region`, `+`
/// forms anywhere, IDD forms (`00 45 ...`, `011 45 ...`) with `region`'s
/// own international prefix. `None` unless the number parses *and* is valid.
#[must_use]
pub fn parse(raw: &str, region: Option<Region>) -> Option<PhoneNumber> {
    if raw.chars().nth(MAX_INPUT_CHARS).is_some() {
        return None;
    }
    let number = PLANS.parse(raw, region).ok()?;
    // Valid means the number has a type: `is_valid_number` is
    // `get_number_type(..) != Unknown` (the region's plan found from the
    // country code, then the same type helper), so asking for the type
    // alone decides both and matches every number's plans once, not twice.
    let kind = NumberType::from_library(PLANS.get_number_type(&number))?;
    Some(PhoneNumber {
        e164: PLANS.format(&number, PhoneNumberFormat::E164).into_owned(),
        kind,
        extension: number.extension.clone().filter(|extension| !extension.is_empty()),
    })
}

/// Compiles the patterns numbers of `region` are read through, by reading
/// the plan's own example number of each type, nationally and with its
/// country code. The patterns are otherwise compiled on first use (with
/// `regex`, about 3 ms for a region): a contract with a default region
/// pays that while it loads, so the module's memory image after
/// `pactum_load` carries them and a fresh instance's first evaluate does
/// not (`docs/benchmarks.md`). Decisions do not depend on it.
pub fn prepare(region: Region) {
    for (_, kind) in NumberType::LIBRARY {
        if let Ok(example) = PLANS.get_example_number_for_type_and_region(region, kind) {
            // Run for the patterns each read compiles, not for its answer.
            let _ = parse(&PLANS.format(&example, PhoneNumberFormat::National), Some(region));
            let _ = parse(&PLANS.format(&example, PhoneNumberFormat::International), None);
        }
    }
}

/// Why a value is not a number a code can be sent to by SMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// It does not parse, or it parses to a number no plan assigns.
    NotValid,
    /// A valid number with an extension: an SMS cannot reach an extension.
    Extension,
    /// A valid number of a type the field does not take.
    Type(NumberType),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotValid => f.write_str("is not a valid phone number"),
            Self::Extension => f.write_str("has an extension, which a text message cannot reach"),
            Self::Type(kind) => write!(f, "is {} ({}), which this field does not take", kind.words(), kind.name()),
        }
    }
}

/// The E.164 form of `raw` when it is a valid number of one of `allowed`
/// with no extension.
pub fn for_sms(raw: &str, region: Option<Region>, allowed: &[NumberType]) -> Result<String, Refusal> {
    sms_form(parse(raw, region), allowed)
}

/// [`for_sms`] of a number already parsed (`None`: not valid).
pub fn sms_form(number: Option<PhoneNumber>, allowed: &[NumberType]) -> Result<String, Refusal> {
    let number = number.ok_or(Refusal::NotValid)?;
    if number.extension.is_some() {
        return Err(Refusal::Extension);
    }
    if !allowed.contains(&number.kind) {
        return Err(Refusal::Type(number.kind));
    }
    Ok(number.e164)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The behaviour is tested against the reference corpus
    // (tests/tests/phone_corpus.rs); these check only this module's own
    // additions to the library.

    #[test]
    fn only_regions_with_a_numbering_plan_are_regions() {
        assert_eq!(region("DK"), Region::from_code("DK").ok());
        for code in ["XX", "dk", "001", "D", "DKK", ""] {
            assert_eq!(region(code), None, "{code}");
        }
    }

    #[test]
    fn every_type_name_reads_back() {
        for kind in NumberType::ALL {
            assert_eq!(NumberType::from_name(kind.name()), Some(kind));
        }
        assert_eq!(NumberType::from_name("unknown"), None);
    }

    #[test]
    fn every_type_has_one_library_type_and_back() {
        let ours: Vec<NumberType> = NumberType::LIBRARY.iter().map(|(kind, _)| *kind).collect();
        assert_eq!(ours, NumberType::ALL);
        for (kind, library) in NumberType::LIBRARY {
            assert_eq!(NumberType::from_library(library), Some(kind));
        }
        assert_eq!(NumberType::from_library(PhoneNumberType::Unknown), None);
    }

    #[test]
    fn input_past_the_reference_bound_is_refused_even_when_it_trims_to_a_number() {
        let padded = format!("+4520123456{}", " ".repeat(MAX_INPUT_CHARS));
        assert_eq!(parse(&padded, None), None);
        assert!(parse("+4520123456", None).is_some());
    }

    #[test]
    fn refusals_say_why() {
        let toll_free = for_sms("+7 800 555 35 35", None, &NumberType::SMS);
        assert_eq!(toll_free, Err(Refusal::Type(NumberType::TollFree)));
        assert_eq!(for_sms("+45 20 12 34 56 ext. 12", None, &NumberType::SMS), Err(Refusal::Extension));
        assert_eq!(for_sms("+45 1", None, &NumberType::SMS), Err(Refusal::NotValid));
    }
}
