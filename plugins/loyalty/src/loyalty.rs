//! The loyalty-card contract, decided in code: the document in
//! `contract.json` names the fields, this file enforces them.
//!
//! The merge rules and the decision follow the core's (`docs/contracts.md`):
//! unknown fields are 400.10, a read-only field may only be sent with its
//! current value (400.11), `null` clears an optional field and is 400.12 on a
//! required one, the merged document is then checked as a whole, and the
//! top-level code is the one shared by every error, else `400`. On top of the
//! schema, two rules that JSON Schema cannot say: the card number's Luhn
//! check digit, and a minimum age on the day of the call.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The age a member must have reached on `context.today`.
pub const MIN_AGE: i32 = 15;
/// The card number's length in digits.
const CARD_DIGITS: std::ops::RangeInclusive<usize> = 12..=19;
/// The longest name, in characters (Unicode scalar values, as JSON Schema's
/// `maxLength` counts).
const MAX_NAME_CHARS: usize = 80;
/// The input limits of the core (`docs/contracts.md`, "Input limits").
const MAX_DEPTH: usize = 32;
const MAX_NODES: usize = 20_000;

/// The catalogue codes this module answers with (`core/src/catalogue.rs`).
pub mod codes {
    pub const OK: &str = "200";
    pub const CREATED: &str = "201";
    pub const VALIDATION_FAILED: &str = "400";
    pub const FIELD_UNKNOWN: &str = "400.10";
    pub const FIELD_READ_ONLY: &str = "400.11";
    pub const FIELD_REQUIRED: &str = "400.12";
    pub const NOT_OBJECT: &str = "400.20";
    pub const TOO_COMPLEX: &str = "400.21";
    pub const CONTRACT_INVALID: &str = "422.1";
}

/// What a call asks: merge an update (the default), create, or check a
/// whole document with no merge rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Operation {
    #[default]
    Update,
    Create,
    Validate,
}

/// One field of the contract, as this module implements it.
#[derive(Debug, Clone, Copy)]
struct Field {
    name: &'static str,
    read_only: bool,
    required: bool,
    unique: bool,
}

const FIELDS: [Field; 4] = [
    Field { name: "cardNumber", read_only: false, required: true, unique: true },
    Field { name: "birthDate", read_only: false, required: false, unique: false },
    Field { name: "name", read_only: false, required: true, unique: false },
    Field { name: "memberSince", read_only: true, required: false, unique: false },
];

fn field(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|field| field.name == name)
}

/// The decision, in the wire's member order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub code: &'static str,
    pub entity: Option<Value>,
    pub changed: Vec<String>,
    /// This contract has no verified fields: always empty.
    pub pending: Vec<Value>,
    pub unique: Vec<Claim>,
    pub errors: Vec<FieldError>,
}

/// A unique value the host must claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    pub field: &'static str,
    pub role: Option<&'static str>,
    pub value: String,
}

/// One failing field; sorted by pointer, then code, then message.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FieldError {
    pub pointer: String,
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    fn new(pointer: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self { pointer: pointer.into(), code, message: message.into() }
    }
}

impl Decision {
    fn accepted(code: &'static str, entity: Option<Value>, changed: Vec<String>, unique: Vec<Claim>) -> Self {
        Self { code, entity, changed, pending: Vec::new(), unique, errors: Vec::new() }
    }

    fn rejected(mut errors: Vec<FieldError>) -> Self {
        errors.sort();
        errors.dedup();
        Self {
            code: top_code(&errors),
            entity: None,
            changed: Vec::new(),
            pending: Vec::new(),
            unique: Vec::new(),
            errors,
        }
    }
}

/// The top-level code rule: every error has the same code, that code; else
/// the generic `400`.
#[must_use]
pub fn top_code(errors: &[FieldError]) -> &'static str {
    match errors.split_first() {
        Some((first, rest)) if rest.iter().all(|error| error.code == first.code) => first.code,
        _ => codes::VALIDATION_FAILED,
    }
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

/// Checks that a contract document describes the fields this module
/// implements, so that the document a form shows and the rules the module
/// applies cannot drift apart. Titles, descriptions and schema keywords are
/// the document's own business.
pub fn check_contract(document: &Value) -> Result<(), Vec<FieldError>> {
    let problem = |pointer: &str, message: String| FieldError::new(pointer, codes::CONTRACT_INVALID, message);
    let Some(properties) = document.get("properties").and_then(Value::as_object) else {
        return Err(vec![problem(
            "/properties",
            "the contract must be an object that declares `properties`".to_owned(),
        )]);
    };
    let mut problems = Vec::new();
    for field in &FIELDS {
        let at = format!("/properties/{}", field.name);
        let Some(schema) = properties.get(field.name) else {
            problems.push(problem(&at, format!("this module decides `{}`; the contract must declare it", field.name)));
            continue;
        };
        let read_only = schema.get("readOnly").and_then(Value::as_bool).unwrap_or(false);
        if read_only != field.read_only {
            let message = if field.read_only {
                format!("`{}` is read-only in this module; mark it `\"readOnly\": true`", field.name)
            } else {
                format!("`{}` is writable in this module; it cannot be read-only", field.name)
            };
            problems.push(problem(&format!("{at}/readOnly"), message));
        }
    }
    for name in properties.keys().filter(|name| field(name).is_none()) {
        problems
            .push(problem(&pointer("/properties", name), format!("this module does not implement the field `{name}`")));
    }
    let required: Vec<&str> = match document.get("required") {
        None => Vec::new(),
        Some(list) => list.as_array().map(|names| names.iter().filter_map(Value::as_str).collect()).unwrap_or_default(),
    };
    let expected: Vec<&str> = FIELDS.iter().filter(|field| field.required).map(|field| field.name).collect();
    let mut sorted = required.clone();
    sorted.sort_unstable();
    sorted.dedup();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort_unstable();
    if sorted != expected_sorted {
        problems.push(problem("/required", format!("must list exactly {expected:?}, the fields this module requires")));
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// Decides one call. Pure: the only fact from outside is `today`.
#[must_use]
pub fn evaluate(operation: Operation, current: &Value, payload: &Value, today: Date) -> Decision {
    for (name, document) in [("payload", payload), ("current data", current)] {
        if let Err(limit) = check_limits(document) {
            return Decision::rejected(vec![FieldError::new("", codes::TOO_COMPLEX, format!("{name} {limit}"))]);
        }
    }
    if operation == Operation::Validate {
        let errors = validate(payload, today);
        return if errors.is_empty() {
            Decision::accepted(codes::OK, None, Vec::new(), Vec::new())
        } else {
            Decision::rejected(errors)
        };
    }
    let Value::Object(patch) = payload else {
        return Decision::rejected(vec![FieldError::new("", codes::NOT_OBJECT, "payload must be a JSON object")]);
    };
    let before = match current {
        Value::Null => Map::new(),
        Value::Object(members) => members.clone(),
        _ => {
            return Decision::rejected(vec![FieldError::new(
                "",
                codes::NOT_OBJECT,
                "current data must be a JSON object",
            )]);
        }
    };

    let mut merged = before.clone();
    let mut errors = Vec::new();
    let mut changed = Vec::new();
    for (key, value) in patch {
        let at = pointer("", key);
        let Some(field) = field(key) else {
            errors.push(FieldError::new(at, codes::FIELD_UNKNOWN, format!("`{key}` is not a field of this contract")));
            continue;
        };
        let old = merged.get(key).unwrap_or(&Value::Null);
        if field.read_only {
            if value != old {
                errors.push(FieldError::new(
                    at,
                    codes::FIELD_READ_ONLY,
                    format!("`{key}` is read-only: send its current value or leave it out"),
                ));
            }
            continue;
        }
        if value.is_null() {
            if field.required {
                errors.push(FieldError::new(
                    at,
                    codes::FIELD_REQUIRED,
                    format!("`{key}` is required and cannot be cleared"),
                ));
            } else if merged.remove(key).is_some_and(|old| !old.is_null()) {
                changed.push(at);
            }
            continue;
        }
        if value != old {
            changed.push(at);
        }
        merged.insert(key.clone(), value.clone());
    }

    // The whole document, as rule 6: a stored value that breaks the contract
    // fails an update that does not touch it.
    errors.extend(validate_object(&merged, today));
    if !errors.is_empty() {
        return Decision::rejected(errors);
    }
    let unique = FIELDS
        .iter()
        .filter(|field| field.unique)
        .filter_map(|field| {
            let new = merged.get(field.name)?;
            (before.get(field.name) != Some(new)).then(|| Claim {
                field: field.name,
                role: None,
                value: new.as_str().map_or_else(|| new.to_string(), str::to_owned),
            })
        })
        .collect();
    changed.sort();
    changed.dedup();
    let code = if operation == Operation::Create { codes::CREATED } else { codes::OK };
    Decision::accepted(code, Some(Value::Object(merged)), changed, unique)
}

/// The document as a whole against the contract.
fn validate(document: &Value, today: Date) -> Vec<FieldError> {
    match document {
        Value::Object(members) => validate_object(members, today),
        other => vec![FieldError::new("", codes::VALIDATION_FAILED, format!("{other} is not of type \"object\""))],
    }
}

fn validate_object(members: &Map<String, Value>, today: Date) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for field in &FIELDS {
        let at = pointer("", field.name);
        match members.get(field.name) {
            None if field.required => errors.push(FieldError::new(
                at,
                codes::FIELD_REQUIRED,
                format!("\"{}\" is a required property", field.name),
            )),
            None => {}
            Some(value) => {
                if let Err(message) = check_value(field.name, value, today) {
                    errors.push(FieldError::new(at, codes::VALIDATION_FAILED, message));
                }
            }
        }
    }
    for name in members.keys().filter(|name| field(name).is_none()) {
        errors.push(FieldError::new(
            "",
            codes::VALIDATION_FAILED,
            format!("Additional properties are not allowed ('{name}' was unexpected)"),
        ));
    }
    errors
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

/// `path` with one more RFC 6901 reference token.
fn pointer(path: &str, token: &str) -> String {
    let mut joined = path.to_owned();
    joined.push('/');
    joined.push_str(&token.replace('~', "~0").replace('/', "~1"));
    joined
}

/// The core's input limits, checked without recursion.
fn check_limits(value: &Value) -> Result<(), String> {
    let mut stack = vec![(value, 1usize)];
    let mut nodes = 0usize;
    while let Some((value, depth)) = stack.pop() {
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(format!("holds more than {MAX_NODES} values"));
        }
        if depth > MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|item| (item, depth + 1))),
            Value::Object(members) => stack.extend(members.values().map(|member| (member, depth + 1))),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
#[expect(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests fail loudly on purpose")]
mod tests {
    use serde_json::json;

    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    const TODAY: &str = "2026-11-28";
    const CARD: &str = "4111111111111111";

    fn update(current: Value, payload: Value) -> Decision {
        evaluate(Operation::Update, &current, &payload, date(TODAY))
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
        assert_eq!(decision.unique, [Claim { field: "cardNumber", role: None, value: "5555555555554444".to_owned() }]);
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
    fn merge_rules_match_the_core() {
        let current =
            json!({"cardNumber": CARD, "name": "Ann", "birthDate": "1990-05-17", "memberSince": "2020-01-01"});
        let unknown = update(current.clone(), json!({"nickname": null}));
        assert_eq!((unknown.code, unknown.errors[0].pointer.as_str()), ("400.10", "/nickname"));
        let read_only = update(current.clone(), json!({"memberSince": "2021-01-01"}));
        assert_eq!(read_only.code, "400.11");
        let same = update(current.clone(), json!({"memberSince": "2020-01-01"}));
        assert_eq!((same.code, same.changed.len()), ("200", 0));
        let required = update(current.clone(), json!({"name": null}));
        assert_eq!(required.code, "400.12");
        let cleared = update(current.clone(), json!({"birthDate": null}));
        assert_eq!(cleared.code, "200");
        assert_eq!(cleared.changed, ["/birthDate"]);
        assert_eq!(cleared.entity.unwrap().get("birthDate"), None);
        let mixed = update(current, json!({"nickname": "x", "memberSince": null}));
        assert_eq!(mixed.code, "400");
        assert_eq!(mixed.errors.iter().map(|error| error.code).collect::<Vec<_>>(), ["400.11", "400.10"]);
    }

    #[test]
    fn create_needs_the_required_fields() {
        let decision = evaluate(Operation::Create, &Value::Null, &json!({"birthDate": "1990-05-17"}), date(TODAY));
        assert_eq!(decision.code, "400.12");
        assert_eq!(
            decision.errors.iter().map(|error| error.pointer.as_str()).collect::<Vec<_>>(),
            ["/cardNumber", "/name"]
        );
        let created =
            evaluate(Operation::Create, &Value::Null, &json!({"cardNumber": CARD, "name": "Bo"}), date(TODAY));
        assert_eq!(created.code, "201");
    }

    #[test]
    fn the_served_contract_passes_its_own_check() {
        let document: Value = serde_json::from_str(crate::CONTRACT).unwrap();
        assert_eq!(check_contract(&document), Ok(()));
        let mut drifted = document;
        drifted["properties"]["memberSince"]["readOnly"] = json!(false);
        drifted["properties"]["email"] = json!({"type": "string"});
        let problems = check_contract(&drifted).unwrap_err();
        let pointers: Vec<&str> = problems.iter().map(|problem| problem.pointer.as_str()).collect();
        assert_eq!(pointers, ["/properties/memberSince/readOnly", "/properties/email"]);
    }
}
