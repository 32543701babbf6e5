//! The `x-pactum-*` keywords: where each may stand and which values it takes.
//!
//! The walk follows JSON Schema's subschema keywords only, so a key spelled
//! `x-pactum-…` inside `enum`, `const` or `examples` data is left alone.

use serde_json::{Map, Value};

use super::ContractProblem;
use crate::phone::{NumberType, Region};
use crate::pointer;

pub use pactum_wire::{Channel, Role};

pub const VERIFY: &str = "x-pactum-verify";
pub const UNIQUE: &str = "x-pactum-unique";
pub const LIST: &str = "x-pactum-list";
pub const ROLE: &str = "x-pactum-role";
pub const REGION: &str = "x-pactum-region";
pub const NUMBER_TYPES: &str = "x-pactum-number-types";
pub const MESSAGE: &str = "x-pactum-message";
const PREFIX: &str = "x-pactum-";

/// Where a schema stands, which decides the keywords it may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Root,
    /// `/properties/<name>` of the root: a top-level field.
    TopField,
    /// A property reached from a field through `properties` only.
    NestedField,
    /// Anywhere else (`allOf`, `items`, `$defs`, ...).
    Other,
}

#[derive(Debug, Default)]
pub(super) struct Extensions {
    pub problems: Vec<ContractProblem>,
    pub region: Option<Region>,
}

pub(super) fn check(schema: &Value) -> Extensions {
    let mut found = Extensions::default();
    walk(schema, &mut String::new(), Place::Root, &mut found);
    found
}

pub(super) const SCHEMA_MAPS: &[&str] =
    &["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];
pub(super) const SCHEMA_ONE: &[&str] = &[
    "additionalProperties",
    "items",
    "contains",
    "not",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
];
pub(super) const SCHEMA_LISTS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems", "items"];

fn walk(schema: &Value, path: &mut String, place: Place, found: &mut Extensions) {
    let Value::Object(object) = schema else {
        return;
    };
    for (key, value) in object {
        if key.starts_with(PREFIX) {
            check_keyword(object, key, value, path, place, found);
        }
    }
    for (key, value) in object {
        let key = key.as_str();
        let mark = path.len();
        pointer::push(path, key);
        if SCHEMA_MAPS.contains(&key) {
            if let Value::Object(members) = value {
                let inner = match (key, place) {
                    ("properties", Place::Root) => Place::TopField,
                    ("properties", Place::TopField | Place::NestedField) => Place::NestedField,
                    _ => Place::Other,
                };
                for (name, subschema) in members {
                    let mark = path.len();
                    pointer::push(path, name);
                    walk(subschema, path, inner, found);
                    path.truncate(mark);
                }
            }
        } else if SCHEMA_LISTS.contains(&key) && value.is_array() {
            for (index, subschema) in value.as_array().into_iter().flatten().enumerate() {
                let mark = path.len();
                pointer::push(path, &index.to_string());
                walk(subschema, path, Place::Other, found);
                path.truncate(mark);
            }
        } else if SCHEMA_ONE.contains(&key) {
            walk(value, path, Place::Other, found);
        }
        path.truncate(mark);
    }
}

fn check_keyword(
    object: &Map<String, Value>,
    key: &str,
    value: &Value,
    path: &str,
    place: Place,
    found: &mut Extensions,
) {
    let mut at = path.to_owned();
    pointer::push(&mut at, key);
    if let Err(message) = keyword_problem(object, key, value, place, &mut found.region) {
        found.problems.push(ContractProblem { pointer: at, message });
    }
}

fn keyword_problem(
    object: &Map<String, Value>,
    key: &str,
    value: &Value,
    place: Place,
    region: &mut Option<Region>,
) -> Result<(), String> {
    let top_field_only = || {
        if place == Place::TopField {
            Ok(())
        } else {
            Err(format!("`{key}` is only allowed on a top-level property (`/properties/<name>`)"))
        }
    };
    match key {
        VERIFY => {
            top_field_only()?;
            if !matches!(value.as_str(), Some("sms" | "email")) {
                return Err(format!("`{key}` must be \"sms\" or \"email\", not {value}"));
            }
        }
        ROLE => {
            top_field_only()?;
            if flag(object, LIST) {
                return Err(format!("`{key}` cannot be combined with `{LIST}`: a role field holds one value"));
            }
            match value.as_str() {
                Some("mobile") => {}
                Some("email") => {
                    if object.get("format").and_then(Value::as_str) != Some("email") {
                        return Err(format!("`{key}: \"email\"` needs `\"format\": \"email\"` on the same field"));
                    }
                }
                _ => {
                    return Err(format!("`{key}` must be \"email\" or \"mobile\", not {value}"));
                }
            }
        }
        UNIQUE => {
            top_field_only()?;
            if !value.is_boolean() {
                return Err(format!("`{key}` must be true or false, not {value}"));
            }
        }
        LIST => {
            if !matches!(place, Place::TopField | Place::NestedField) {
                return Err(format!("`{key}` is only allowed on a property reached through `properties`"));
            }
            if !value.is_boolean() {
                return Err(format!("`{key}` must be true or false, not {value}"));
            }
            if value == &Value::Bool(true) && object.get("type") != Some(&Value::from("array")) {
                return Err(format!("`{key}: true` needs `\"type\": \"array\"` on the same field"));
            }
        }
        REGION => {
            if place != Place::Root {
                return Err(format!("`{key}` is only allowed at the top level of the contract"));
            }
            let parsed = value.as_str().and_then(crate::phone::region);
            match parsed {
                Some(id) => *region = Some(id),
                None => {
                    return Err(format!("`{key}` must be an ISO 3166-1 alpha-2 region such as \"DK\", not {value}"));
                }
            }
        }
        NUMBER_TYPES => {
            top_field_only()?;
            if object.get(ROLE).and_then(Value::as_str) != Some("mobile") {
                return Err(format!("`{key}` needs `{ROLE}: \"mobile\"` on the same field"));
            }
            number_types_problem(key, value)?;
        }
        MESSAGE => {
            if !matches!(place, Place::TopField | Place::NestedField) {
                return Err(format!("`{key}` is only allowed on a property reached through `properties`"));
            }
            message_problem(key, value)?;
        }
        _ => {
            return Err(format!(
                "unknown keyword `{key}`; Pactum knows {VERIFY}, {UNIQUE}, {LIST}, {ROLE}, {NUMBER_TYPES}, {MESSAGE} and {REGION}"
            ));
        }
    }
    Ok(())
}

/// `x-pactum-number-types` is a non-empty list of distinct type names.
fn number_types_problem(key: &str, value: &Value) -> Result<(), String> {
    let names = || NumberType::ALL.map(NumberType::name).join(", ");
    let Some(items) = value.as_array().filter(|items| !items.is_empty()) else {
        return Err(format!("`{key}` must be a non-empty list of number types ({}), not {value}", names()));
    };
    let mut seen = Vec::new();
    for item in items {
        match item.as_str().and_then(NumberType::from_name) {
            Some(kind) if seen.contains(&kind) => return Err(format!("`{key}` lists {item} twice")),
            Some(kind) => seen.push(kind),
            None => return Err(format!("`{key}` takes the number types {}, not {item}", names())),
        }
    }
    Ok(())
}

/// The number types a mobile field of a schema that passed [`check`] takes:
/// its `x-pactum-number-types`, or those that can receive an SMS.
pub(super) fn number_types(schema: &Map<String, Value>) -> Vec<NumberType> {
    match schema.get(NUMBER_TYPES).and_then(Value::as_array) {
        Some(items) => items.iter().filter_map(Value::as_str).filter_map(NumberType::from_name).collect(),
        None => NumberType::SMS.to_vec(),
    }
}

/// Reads the channel of a field schema that passed [`check`].
pub(super) fn channel(schema: &Map<String, Value>) -> Option<Channel> {
    match schema.get(VERIFY)?.as_str()? {
        "sms" => Some(Channel::Sms),
        "email" => Some(Channel::Email),
        _ => None,
    }
}

/// Reads the role of a field schema that passed [`check`].
pub(super) fn role(schema: &Map<String, Value>) -> Option<Role> {
    match schema.get(ROLE)?.as_str()? {
        "mobile" => Some(Role::Mobile),
        "email" => Some(Role::Email),
        _ => None,
    }
}

pub(super) fn flag(schema: &Map<String, Value>, key: &str) -> bool {
    schema.get(key) == Some(&Value::Bool(true))
}

/// A field's own words for its value rules: a non-empty string, or an
/// object of non-empty strings keyed by language tag (`{"en": ..., "da": ...}`).
fn message_problem(key: &str, value: &Value) -> Result<(), String> {
    let text = |value: &Value| value.as_str().is_some_and(|text| !text.trim().is_empty());
    let fits = match value {
        Value::Object(by_language) => {
            !by_language.is_empty()
                && by_language.iter().all(|(tag, words)| {
                    !tag.is_empty() && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && text(words)
                })
        }
        other => text(other),
    };
    if fits {
        Ok(())
    } else {
        Err(format!(
            "`{key}` must be a non-empty string or an object of non-empty strings by language tag, such as {{\"en\": \"...\", \"da\": \"...\"}}"
        ))
    }
}
