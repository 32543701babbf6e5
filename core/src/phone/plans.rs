//! The numbering plans numbers are read against: libphonenumber's metadata,
//! with every pattern's `\d` written as `[0-9]`.
//!
//! Why not the crate's own `PHONE_NUMBER_UTIL`: `rlibphonenumber` runs on
//! the `regex` crate here (a lazy DFA, 20-25x faster than `regex-lite`'s
//! PikeVM on these patterns), and in `regex` `\d` is every Unicode digit,
//! where in libphonenumber's own engines (RE2, `java.util.regex`) it is
//! `[0-9]`. The Unicode class is also what made memory grow: a compiled
//! national-number pattern with Unicode `\d` is about 50 KB of automaton
//! and cache, and the plans of all 246 regions took 144 MB; with `[0-9]`
//! they take 18 MB (`docs/benchmarks.md`). Numbers reach these patterns
//! with their digits already normalised to ASCII, so the rewrite changes
//! no decision (`tests/tests/phone_corpus.rs` checks that against the
//! reference).
//!
//! The metadata file is the one `rlibphonenumber` 2.2.15 ships
//! (`src/generated/metadata/metadata.bin`, libphonenumber 9.0.42, Apache
//! 2.0), copied as it is: `scripts/copy-phone-metadata.sh` copies it again
//! and checks its digest.

use std::sync::LazyLock;

use prost::Message;
use rlibphonenumber::{NumberFormat, PhoneMetadata, PhoneMetadataCollection, PhoneNumberDesc, PhoneNumberUtil};

/// libphonenumber 9.0.42's metadata in its protobuf form.
const METADATA: &[u8] = include_bytes!("../../data/libphonenumber-9.0.42.bin");

/// Every region's plan, built on first use (in the module: during
/// `pactum_load` of a contract with `x-pactum-region`, so that memory
/// images carry it).
#[expect(clippy::expect_used, reason = "the committed metadata is tested to decode and load (tests below)")]
pub(crate) static PLANS: LazyLock<PhoneNumberUtil> = LazyLock::new(|| {
    let collection = decoded().expect("the committed metadata decodes");
    PhoneNumberUtil::new_for_metadata(collection).expect("the committed metadata names known regions")
});

fn decoded() -> Result<PhoneMetadataCollection, prost::DecodeError> {
    let mut collection = PhoneMetadataCollection::decode(METADATA)?;
    collection.metadata.iter_mut().for_each(ascii_digits);
    Ok(collection)
}

/// Writes `\d` as `[0-9]` in every field of `plan` that is compiled as a
/// regular expression (formats and transform rules are replacement
/// templates and have none).
fn ascii_digits(plan: &mut PhoneMetadata) {
    for pattern in patterns(plan) {
        if pattern.contains(r"\d") {
            *pattern = pattern.replace(r"\d", "[0-9]");
        }
    }
}

/// The fields of `plan` that `rlibphonenumber` compiles.
#[expect(
    deprecated,
    reason = "the fields are deprecated for readers of a loaded plan; this is the raw plan before loading"
)]
fn patterns(plan: &mut PhoneMetadata) -> impl Iterator<Item = &mut String> {
    let descriptions = [
        &mut plan.general_desc,
        &mut plan.fixed_line,
        &mut plan.mobile,
        &mut plan.toll_free,
        &mut plan.premium_rate,
        &mut plan.shared_cost,
        &mut plan.personal_number,
        &mut plan.voip,
        &mut plan.pager,
        &mut plan.uan,
        &mut plan.emergency,
        &mut plan.voicemail,
        &mut plan.short_code,
        &mut plan.standard_rate,
        &mut plan.carrier_specific,
        &mut plan.sms_services,
        &mut plan.no_international_dialling,
    ];
    let national = descriptions
        .into_iter()
        .flatten()
        .filter_map(|description: &mut PhoneNumberDesc| description.national_number_pattern.as_mut());
    let formats = plan.number_format.iter_mut().chain(plan.intl_number_format.iter_mut());
    let formats = formats.flat_map(|format: &mut NumberFormat| {
        std::iter::once(&mut format.pattern).chain(format.leading_digits_pattern.iter_mut())
    });
    let prefixes = [&mut plan.international_prefix, &mut plan.national_prefix_for_parsing, &mut plan.leading_digits];
    national.chain(formats).chain(prefixes.into_iter().flatten())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holds(bytes: &[u8], needle: &[u8]) -> bool {
        bytes.windows(needle.len()).any(|window| window == needle)
    }

    #[test]
    fn the_committed_metadata_loads_every_region() {
        assert!(PLANS.get_supported_regions().len() > 240);
        assert!(holds(METADATA, br"\d"), "the file as shipped uses \\d");
    }

    #[test]
    fn no_digit_class_is_left_anywhere_in_the_plans() {
        // Re-encoded, the plans hold no `\d` in any field: every pattern
        // was found. The shipped file has no escaped backslash (`\\d`),
        // which a textual rewrite would corrupt.
        let rewritten = decoded().map(|collection| collection.encode_to_vec()).unwrap_or_default();
        assert!(rewritten.len() > 200_000);
        assert!(!holds(&rewritten, br"\d"));
        assert!(!holds(METADATA, br"\\"));
    }
}
