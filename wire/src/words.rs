//! The message catalogue: what an error says to a person, in a language.
//!
//! Every field error carries a message key and its parameters. The key is
//! either a code's catalogue key (`mobile.invalid`: the code alone says what
//! is wrong) or one of the value-rule keys below (`schema.minLength`, with
//! `{limit}`), which word the generic JSON-Schema failures that share the
//! code `400`. The English templates are defined here; the other languages
//! are tables keyed the same way (`wire/words/*.json`), checked by the tests
//! below to cover every key with the same parameters. The server words its
//! problem answers with these tables (`Accept-Language`); the SDK ships the
//! same tables, generated from this module (`www/sdk/words.ts`).

use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::catalogue::CATALOGUE;

/// A value-rule message key: the JSON-Schema keyword that failed, the
/// parameters its template may name, and the English template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMessage {
    pub key: &'static str,
    pub params: &'static [&'static str],
    pub english: &'static str,
}

const fn rule(key: &'static str, params: &'static [&'static str], english: &'static str) -> RuleMessage {
    RuleMessage { key, params, english }
}

/// The parameter under which an error carries its contract's own words
/// (`x-pactum-message`): a string, or an object of strings by language.
pub const CUSTOM: &str = "message";

/// Every value-rule key, in the order of the JSON-Schema vocabulary.
pub const RULES: &[RuleMessage] = &[
    rule("schema.type", &["expected"], "must be of type {expected}"),
    rule("schema.enum", &["options"], "must be one of: {options}"),
    rule("schema.const", &["expected"], "must be {expected}"),
    rule("schema.multipleOf", &["multipleOf"], "must be a multiple of {multipleOf}"),
    rule("schema.minimum", &["limit"], "must be at least {limit}"),
    rule("schema.maximum", &["limit"], "must be at most {limit}"),
    rule("schema.exclusiveMinimum", &["limit"], "must be greater than {limit}"),
    rule("schema.exclusiveMaximum", &["limit"], "must be less than {limit}"),
    rule("schema.minLength", &["limit"], "must be at least {limit} characters long"),
    rule("schema.maxLength", &["limit"], "must be at most {limit} characters long"),
    rule("schema.pattern", &["pattern"], "is not in the expected form"),
    rule("schema.patternBudget", &["pattern"], "could not be checked: the value is too long or too complex"),
    rule("schema.format", &["format"], "is not a valid {format}"),
    rule("schema.minItems", &["limit"], "must have at least {limit} items"),
    rule("schema.maxItems", &["limit"], "must have at most {limit} items"),
    rule("schema.uniqueItems", &[], "must not list the same item twice"),
    rule("schema.contains", &[], "must include a matching item"),
    rule("schema.additionalItems", &["limit"], "must have at most {limit} items"),
    rule("schema.unevaluatedItems", &["names"], "has items the contract does not allow"),
    rule("schema.minProperties", &["limit"], "must have at least {limit} members"),
    rule("schema.maxProperties", &["limit"], "must have at most {limit} members"),
    rule("schema.additionalProperties", &["names"], "has members the contract does not allow: {names}"),
    rule("schema.unevaluatedProperties", &["names"], "has members the contract does not allow: {names}"),
    rule("schema.propertyNames", &[], "has a member whose name is not allowed"),
    rule("schema.anyOf", &[], "does not match any of the allowed forms"),
    rule("schema.oneOf", &[], "must match exactly one of the allowed forms"),
    rule("schema.not", &[], "is a value that is not allowed"),
    rule("schema.false", &[], "is not allowed here"),
    rule("schema.contentEncoding", &["encoding"], "is not valid {encoding} content"),
    rule("schema.contentMediaType", &["mediaType"], "is not valid {mediaType} content"),
    rule("schema.invalid", &[], "is not valid"),
];

/// The languages the tables cover, English first (the fallback).
pub const LANGUAGES: &[&str] = &["en", "da"];

/// The table of one translated language: key -> template.
const TRANSLATIONS: &[(&str, &str)] = &[("da", include_str!("../words/da.json"))];

/// The English template of a key: a code's catalogue message or a rule's.
#[must_use]
pub fn english(key: &str) -> Option<&'static str> {
    CATALOGUE
        .iter()
        .find(|entry| entry.key == key)
        .map(|entry| entry.message)
        .or_else(|| RULES.iter().find(|rule| rule.key == key).map(|rule| rule.english))
}

/// Every key, catalogue keys first, each once.
pub fn keys() -> impl Iterator<Item = &'static str> {
    CATALOGUE.iter().map(|entry| entry.key).chain(RULES.iter().map(|rule| rule.key))
}

/// The table of `language` (`en`, `da`); `None` for one Pactum does not
/// ship. English is built from the catalogue and [`RULES`]; each table is
/// made once per process.
#[must_use]
pub fn table(language: &str) -> Option<&'static Map<String, Value>> {
    static TABLES: [OnceLock<Map<String, Value>>; LANGUAGES.len()] = [const { OnceLock::new() }; LANGUAGES.len()];
    let index = LANGUAGES.iter().position(|tag| *tag == language)?;
    let slot = TABLES.get(index)?;
    Some(slot.get_or_init(|| build(language)))
}

fn build(language: &str) -> Map<String, Value> {
    if language == "en" {
        return keys().filter_map(|key| Some((key.to_owned(), Value::from(english(key)?)))).collect();
    }
    let text = TRANSLATIONS.iter().find(|(tag, _)| *tag == language).map_or("{}", |(_, text)| text);
    match serde_json::from_str(text) {
        Ok(Value::Object(table)) => table,
        _ => Map::new(),
    }
}

/// The words of one message in `table`: the contract's own message when the
/// error carries one (in `language` if it has that, else English, else any),
/// else the key's template with its parameters filled in; `None` when the
/// table has no template for the key.
#[must_use]
pub fn word(table: &Map<String, Value>, language: &str, key: &str, params: &Map<String, Value>) -> Option<String> {
    if let Some(custom) = params.get(CUSTOM) {
        let chosen = match custom {
            Value::Object(by_language) => {
                by_language.get(language).or_else(|| by_language.get("en")).or_else(|| by_language.values().next())
            }
            other => Some(other),
        };
        if let Some(Value::String(text)) = chosen {
            return Some(text.clone());
        }
    }
    table.get(key).and_then(Value::as_str).map(|template| fill(template, params))
}

/// A template with each `{name}` replaced by its parameter; a name with no
/// parameter stays as written.
#[must_use]
pub fn fill(template: &str, params: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        match after.find('}') {
            Some(close) => {
                let name = after.get(1..close).unwrap_or_default();
                match params.get(name) {
                    Some(value) => out.push_str(&show(value)),
                    None => out.push_str(after.get(..=close).unwrap_or_default()),
                }
                rest = after.get(close + 1..).unwrap_or_default();
            }
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A parameter as a person reads it: text as is, lists joined by commas,
/// anything else as JSON.
fn show(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => items.iter().map(show).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// The placeholders a template names.
#[must_use]
pub fn placeholders(template: &str) -> Vec<&str> {
    template.split('{').skip(1).filter_map(|part| part.split_once('}').map(|(name, _)| name)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn keys_are_unique_and_templates_name_only_their_params() {
        let mut seen = BTreeSet::new();
        for key in keys() {
            assert!(seen.insert(key), "duplicate key {key}");
        }
        for rule in RULES {
            for name in placeholders(rule.english) {
                assert!(rule.params.contains(&name), "{} names {{{name}}}, which it does not carry", rule.key);
            }
        }
        for entry in CATALOGUE {
            assert!(placeholders(entry.message).is_empty(), "{} has a placeholder", entry.code);
        }
    }

    #[test]
    fn every_language_covers_every_key_with_the_same_placeholders() {
        for language in LANGUAGES {
            let table = table(language).cloned().unwrap_or_default();
            let expected: BTreeSet<&str> = keys().collect();
            let found: BTreeSet<&str> = table.keys().map(String::as_str).collect();
            assert_eq!(found, expected, "the {language} table's keys");
            for (key, template) in &table {
                let template = template.as_str().unwrap_or_default();
                let original = english(key).unwrap_or("(none)");
                let mut theirs = placeholders(template);
                let mut ours = placeholders(original);
                theirs.sort_unstable();
                ours.sort_unstable();
                assert_eq!(theirs, ours, "{language}: {key}'s placeholders");
                assert!(!template.trim().is_empty(), "{language}: {key} is empty");
            }
        }
    }

    #[test]
    fn words_fill_parameters_and_prefer_the_contracts_own() {
        let english = table("en").cloned().unwrap_or_default();
        let danish = table("da").cloned().unwrap_or_default();
        let params: Map<String, Value> = serde_json::from_str(r#"{"limit": 4}"#).unwrap_or_default();
        assert_eq!(
            word(&english, "en", "schema.minLength", &params).as_deref(),
            Some("must be at least 4 characters long")
        );
        assert_eq!(word(&danish, "da", "schema.minLength", &params).as_deref(), Some("skal være mindst 4 tegn lang"));
        let custom: Map<String, Value> =
            serde_json::from_str(r#"{"message": {"en": "four digits", "da": "fire cifre"}}"#).unwrap_or_default();
        assert_eq!(word(&danish, "da", "schema.pattern", &custom).as_deref(), Some("fire cifre"));
        assert_eq!(word(&danish, "de", "schema.pattern", &custom).as_deref(), Some("four digits"));
        assert_eq!(fill("{a} and {b}", &Map::new()), "{a} and {b}");
        let options: Map<String, Value> = serde_json::from_str(r#"{"options": ["a", 1]}"#).unwrap_or_default();
        assert_eq!(fill("one of {options}", &options), "one of a, 1");
    }
}
