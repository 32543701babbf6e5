//! The loyalty-card rules: what JSON Schema cannot say about the fields
//! that `contract.json` declares. Everything else (the ABI, the wire, the
//! merge rules, the input limits, the contract check) is `pactum-guest`'s.
//!
//! Two rules on top of the field types: the card number's Luhn check
//! digit, and a minimum age on the day of the call (`context.today`, since
//! a module has no clock).

use std::fmt;

use pactum_guest::Plugin;
use pactum_guest::fields::{self, Field, References};
use pactum_guest::merge;
use pactum_guest::wire::{Call, Failure, Load, Outcome, WireDecision, WireOperation, codes};
use serde_json::Value;

/// The age a member must have reached on `context.today`: 15, or 18 with
/// the `strict-age` feature (the module's one variant, see the crate doc).
pub const MIN_AGE: i32 = if cfg!(feature = "strict-age") { 18 } else { 15 };
/// The card number's length in digits.
const CARD_DIGITS: std::ops::RangeInclusive<usize> = 12..=19;
/// The longest name, in characters (Unicode scalar values, as JSON Schema's
/// `maxLength` counts).
const MAX_NAME_CHARS: usize = 80;

/// The fields, as `contract.json` must declare them.
pub const FIELDS: [Field; 4] = [
    Field { name: "cardNumber", read_only: false, required: true, unique: true },
    Field { name: "birthDate", read_only: false, required: false, unique: false },
    Field { name: "name", read_only: false, required: true, unique: false },
    Field { name: "memberSince", read_only: true, required: false, unique: false },
];

/// The module: the contract references loaded into this instance.
#[derive(Debug, Default)]
pub struct Loyalty {
    loaded: References,
}

impl Plugin for Loyalty {
    fn load(&mut self, load: Load) -> Result<(), Failure> {
        check_contract(&load.contract)?;
        self.loaded.insert(&load.contract_ref);
        Ok(())
    }

    fn evaluate(&self, call: &Call) -> Outcome {
        if let Err(failure) = self.loaded.resolve(call, check_contract) {
            return Outcome::Failure(failure);
        }
        match today(call.context.as_ref()) {
            Ok(today) => Outcome::Decision(evaluate(call.operation, &call.current, &call.payload, today)),
            Err(message) => Outcome::Failure(Failure::new(codes::CALL_INVALID, message)),
        }
    }
}

/// Checks that a contract document declares exactly [`FIELDS`].
pub fn check_contract(document: &Value) -> Result<(), Failure> {
    fields::check_contract(&FIELDS, document)
}

/// Decides one call. Pure: the only fact from outside is `today`.
#[must_use]
pub fn evaluate(operation: WireOperation, current: &Value, payload: &Value, today: Date) -> WireDecision {
    merge::decide(&FIELDS, operation, current, payload, &|name, value| check_value(name, value, today))
}

/// `context.today`: the module has no clock, so the age rule needs the host's
/// date. Missing or malformed, the call cannot run (422.2).
fn today(context: Option<&Value>) -> Result<Date, String> {
    let today = context.and_then(|context| context.get("today")).ok_or_else(|| {
        "the call is not valid: this module needs `context.today` (YYYY-MM-DD) to check the member's age".to_owned()
    })?;
    today
        .as_str()
        .and_then(Date::parse)
        .ok_or_else(|| format!("the call is not valid: `context.today` must be a date written YYYY-MM-DD, not {today}"))
}

/// A calendar date, `YYYY-MM-DD` (RFC 3339 `full-date`). Ordered by year,
/// month, day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Parses exactly `YYYY-MM-DD`, refusing a day the month does not have.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = text.as_bytes() else {
            return None;
        };
        let number = |digits: &[u8]| {
            digits.iter().try_fold(0u16, |sum, &byte| byte.is_ascii_digit().then(|| sum * 10 + u16::from(byte - b'0')))
        };
        let year = number(&[y0, y1, y2, y3])?;
        let month = u8::try_from(number(&[m0, m1])?).ok()?;
        let day = u8::try_from(number(&[d0, d1])?).ok()?;
        (1..=days_in_month(year, month)).contains(&day).then_some(Self { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    }
}

/// Whole years from `birth` to `today`: the birthday counts from its own day
/// on. Someone born on 29 February turns a year older on 1 March in a common
/// year. Negative when `birth` is after `today`.
#[must_use]
pub fn age_on(birth: Date, today: Date) -> i32 {
    let before_birthday = (today.month, today.day) < (birth.month, birth.day);
    i32::from(today.year) - i32::from(birth.year) - i32::from(before_birthday)
}

/// The Luhn (mod 10) check: from the rightmost digit, every second digit is
/// doubled (less 9 when that exceeds 9), and the sum must end in 0. False
/// for an empty string or any character but ASCII digits.
#[must_use]
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(index, byte)| {
            let digit = u32::from(byte - b'0');
            match (index % 2 == 1, digit * 2) {
                (false, _) => digit,
                (true, doubled) if doubled > 9 => doubled - 9,
                (true, doubled) => doubled,
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The rules of one field's value; the message says what is wrong.
fn check_value(name: &str, value: &Value, today: Date) -> Result<(), String> {
    let Some(text) = value.as_str() else {
        return Err(format!("{value} is not of type \"string\""));
    };
    match name {
        "cardNumber" => {
            if !CARD_DIGITS.contains(&text.len()) || !text.bytes().all(|byte| byte.is_ascii_digit()) {
                return Err(format!(
                    "{value} is not a card number: it must be {} to {} digits",
                    CARD_DIGITS.start(),
                    CARD_DIGITS.end()
                ));
            }
            if !luhn_valid(text) {
                return Err(format!("{value} is not a valid card number: its check digit fails the Luhn check"));
            }
        }
        "birthDate" => {
            let birth = Date::parse(text).ok_or_else(|| format!("{value} is not a \"date\""))?;
            if birth > today {
                return Err(format!("the birth date {birth} is after today, {today}"));
            }
            let age = age_on(birth, today);
            if age < MIN_AGE {
                return Err(format!(
                    "the member must be at least {MIN_AGE} years old: born {birth}, they are {age} on {today}"
                ));
            }
        }
        "name" => {
            let chars = text.chars().count();
            if chars == 0 {
                return Err(format!("{value} is shorter than 1 character"));
            }
            if chars > MAX_NAME_CHARS {
                return Err(format!("{value} is longer than {MAX_NAME_CHARS} characters"));
            }
        }
        "memberSince" => {
            Date::parse(text).ok_or_else(|| format!("{value} is not a \"date\""))?;
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
#[expect(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests fail loudly on purpose")]
mod tests {
    use pactum_guest::wire::WireClaim;
    use serde_json::json;

    use super::*;

    fn answer(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).unwrap()
    }

    fn loaded() -> Loyalty {
        let mut module = Loyalty::default();
        let contract: Value = serde_json::from_str(crate::CONTRACT).unwrap();
        let load = json!({"contractRef": "loyalty", "contract": contract});
        let outcome = pactum_guest::abi::load(&mut module, &serde_json::to_vec(&load).unwrap());
        assert_eq!(answer(&outcome), json!({"type": "loaded", "contractRef": "loyalty"}));
        module
    }

    #[test]
    fn a_call_answers_the_wire_decision() {
        let call = json!({"contractRef": "loyalty", "current": {"cardNumber": "4111111111111111", "name": "Ann"},
                          "payload": {"name": "Ann Berg"}, "context": {"today": "2026-11-28"}});
        let outcome = pactum_guest::abi::evaluate(&loaded(), &serde_json::to_vec(&call).unwrap());
        assert_eq!(
            String::from_utf8(outcome).unwrap(),
            r#"{"type":"decision","code":"200","entity":{"cardNumber":"4111111111111111","name":"Ann Berg"},"changed":["/name"],"pending":[],"unique":[],"errors":[]}"#
        );
    }

    #[test]
    fn calls_that_cannot_run_are_failures() {
        let module = loaded();
        let code = |call: &[u8]| answer(&pactum_guest::abi::evaluate(&module, call))["code"].clone();
        assert_eq!(code(br#"{"contractRef":"loyalty","payload":{}}"#), json!("422.2"));
        assert_eq!(code(br#"{"contractRef":"loyalty","payload":{},"context":{"today":"28/11/2026"}}"#), json!("422.2"));
        assert_eq!(code(br#"{"contractRef":"other","payload":{},"context":{"today":"2026-11-28"}}"#), json!("422.3"));
        assert_eq!(code(br#"{"payload":{},"context":{"today":"2026-11-28"}}"#), json!("422.2"));
        assert_eq!(code(br#"{"contractRef":"loyalty","payload":{},"extra":1}"#), json!("422.2"));
        assert_eq!(code(br#"[1]"#), json!("422.2"));
        assert_eq!(
            code(br#"{"contract":{"properties":{}},"payload":{},"context":{"today":"2026-11-28"}}"#),
            json!("422.1")
        );
    }

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    const TODAY: &str = "2026-11-28";
    const CARD: &str = "4111111111111111";

    fn update(current: Value, payload: Value) -> WireDecision {
        evaluate(WireOperation::Update, &current, &payload, date(TODAY))
    }

    #[test]
    fn luhn_accepts_valid_numbers() {
        for number in ["79927398713", "4111111111111111", "5555555555554444", "378282246310005", "0", "00"] {
            assert!(luhn_valid(number), "{number} should pass");
        }
    }

    #[test]
    fn luhn_refuses_wrong_check_digits_and_non_digits() {
        for number in ["79927398710", "4111111111111112", "5555555555554440", "1", "", "4111 1111 1111 1111", "٤١١"]
        {
            assert!(!luhn_valid(number), "{number} should fail");
        }
    }

    #[test]
    fn luhn_catches_every_single_digit_error() {
        let digits: Vec<u8> = CARD.bytes().collect();
        for place in 0..digits.len() {
            for replacement in b'0'..=b'9' {
                if replacement == digits[place] {
                    continue;
                }
                let mut changed = digits.clone();
                changed[place] = replacement;
                let changed = String::from_utf8(changed).unwrap();
                assert!(!luhn_valid(&changed), "{changed} should fail");
            }
        }
    }

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(date("2024-02-29").to_string(), "2024-02-29");
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "2026-1-01",
            "26-01-01",
            "2026-01-01T00:00:00Z",
            " 2026-01-01",
            "2026/01/01",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert!(Date::parse("2000-02-29").is_some());
    }

    #[test]
    fn age_counts_whole_years_from_the_birthday() {
        assert_eq!(age_on(date("2011-11-28"), date(TODAY)), 15);
        assert_eq!(age_on(date("2011-11-29"), date(TODAY)), 14);
        assert_eq!(age_on(date("2011-11-27"), date(TODAY)), 15);
        assert_eq!(age_on(date("1990-05-17"), date(TODAY)), 36);
        assert_eq!(age_on(date("2027-01-01"), date(TODAY)), -1);
        // Born on 29 February: a year older on 1 March in a common year.
        assert_eq!(age_on(date("2008-02-29"), date("2023-02-28")), 14);
        assert_eq!(age_on(date("2008-02-29"), date("2023-03-01")), 15);
        assert_eq!(age_on(date("2008-02-29"), date("2024-02-29")), 16);
    }

    #[test]
    fn a_valid_card_is_accepted() {
        let decision = update(
            json!({"cardNumber": CARD, "name": "Ann", "memberSince": "2020-01-01"}),
            json!({"cardNumber": "5555555555554444", "birthDate": "1990-05-17", "memberSince": "2020-01-01"}),
        );
        assert_eq!(decision.code, "200");
        assert_eq!(
            decision.entity,
            Some(
                json!({"cardNumber": "5555555555554444", "birthDate": "1990-05-17", "name": "Ann", "memberSince": "2020-01-01"})
            )
        );
        assert_eq!(decision.changed, ["/birthDate", "/cardNumber"]);
        assert_eq!(
            decision.unique,
            [WireClaim { field: "cardNumber".to_owned(), role: None, value: "5555555555554444".to_owned() }]
        );
        assert!(decision.errors.is_empty());
    }

    #[test]
    fn a_bad_check_digit_is_400() {
        let decision = update(json!({"cardNumber": CARD, "name": "Ann"}), json!({"cardNumber": "4111111111111112"}));
        assert_eq!(decision.code, "400");
        assert_eq!(decision.entity, None);
        assert_eq!(decision.errors.len(), 1);
        assert_eq!(decision.errors[0].pointer, "/cardNumber");
        assert!(decision.errors[0].message.contains("Luhn"), "{}", decision.errors[0].message);
    }

    #[test]
    #[cfg(not(feature = "strict-age"))]
    fn the_member_must_be_fifteen_today() {
        let current = json!({"cardNumber": CARD, "name": "Ann"});
        let exactly = update(current.clone(), json!({"birthDate": "2011-11-28"}));
        assert_eq!(exactly.code, "200", "{:?}", exactly.errors);
        let young = update(current.clone(), json!({"birthDate": "2011-11-29"}));
        assert_eq!(young.code, "400");
        assert_eq!(young.errors[0].pointer, "/birthDate");
        assert!(young.errors[0].message.contains("at least 15"), "{}", young.errors[0].message);
        let unborn = update(current, json!({"birthDate": "2030-01-01"}));
        assert_eq!(unborn.code, "400");
    }

    #[test]
    #[cfg(feature = "strict-age")]
    fn with_strict_age_the_member_must_be_eighteen_today() {
        let current = json!({"cardNumber": CARD, "name": "Ann"});
        let exactly = update(current.clone(), json!({"birthDate": "2008-11-28"}));
        assert_eq!(exactly.code, "200", "{:?}", exactly.errors);
        let fifteen = update(current, json!({"birthDate": "2011-11-28"}));
        assert_eq!(fifteen.code, "400");
        assert_eq!(fifteen.errors[0].pointer, "/birthDate");
        assert!(fifteen.errors[0].message.contains("at least 18"), "{}", fifteen.errors[0].message);
    }

    #[test]
    fn merge_rules_match_the_core() {
        let current =
            json!({"cardNumber": CARD, "name": "Ann", "birthDate": "1990-05-17", "memberSince": "2020-01-01"});
        let unknown = update(current.clone(), json!({"nickname": null}));
        assert_eq!((unknown.code.as_str(), unknown.errors[0].pointer.as_str()), ("400.10", "/nickname"));
        let read_only = update(current.clone(), json!({"memberSince": "2021-01-01"}));
        assert_eq!(read_only.code, "400.11");
        let same = update(current.clone(), json!({"memberSince": "2020-01-01"}));
        assert_eq!((same.code.as_str(), same.changed.len()), ("200", 0));
        let required = update(current.clone(), json!({"name": null}));
        assert_eq!(required.code, "400.12");
        let cleared = update(current.clone(), json!({"birthDate": null}));
        assert_eq!(cleared.code, "200");
        assert_eq!(cleared.changed, ["/birthDate"]);
        assert_eq!(cleared.entity.unwrap().get("birthDate"), None);
        let mixed = update(current, json!({"nickname": "x", "memberSince": null}));
        assert_eq!(mixed.code, "400");
        assert_eq!(mixed.errors.iter().map(|error| error.code.as_str()).collect::<Vec<_>>(), ["400.11", "400.10"]);
    }

    #[test]
    fn create_needs_the_required_fields() {
        let decision = evaluate(WireOperation::Create, &Value::Null, &json!({"birthDate": "1990-05-17"}), date(TODAY));
        assert_eq!(decision.code, "400.12");
        assert_eq!(
            decision.errors.iter().map(|error| error.pointer.as_str()).collect::<Vec<_>>(),
            ["/cardNumber", "/name"]
        );
        let created =
            evaluate(WireOperation::Create, &Value::Null, &json!({"cardNumber": CARD, "name": "Bo"}), date(TODAY));
        assert_eq!(created.code, "201");
    }

    #[test]
    fn the_served_contract_passes_its_own_check() {
        let document: Value = serde_json::from_str(crate::CONTRACT).unwrap();
        assert_eq!(check_contract(&document), Ok(()));
        let mut drifted = document;
        drifted["properties"]["memberSince"]["readOnly"] = json!(false);
        drifted["properties"]["email"] = json!({"type": "string"});
        let failure = check_contract(&drifted).unwrap_err();
        assert_eq!(failure.code, "422.1");
        let pointers: Vec<&str> = failure.problems.iter().map(|problem| problem.pointer.as_str()).collect();
        assert_eq!(pointers, ["/properties/memberSince/readOnly", "/properties/email"]);
    }
}
