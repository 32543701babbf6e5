//! The core's merge rules (`docs/contracts.md`) for a flat object of known
//! fields, around a module's own value rules:
//!
//! - the input limits first (400.21); payload and current data objects
//!   (400.20);
//! - unknown fields are 400.10; a read-only field may only be sent with its
//!   current value (400.11); `null` clears an optional field and is 400.12
//!   on a required one;
//! - the merged document is then checked as a whole, so a stored value that
//!   breaks the contract fails an update that does not touch it;
//! - a changed unique field is claimed; the top-level code is the one every
//!   error shares, else `400`.

use pactum_wire::{WireClaim, WireDecision, WireFieldError, WireOperation, catalogue, codes, limits};
use serde_json::{Map, Value};

use crate::fields::{self, Field};

/// A value rule: `Err(message)` when `value` breaks the rules of the field
/// named by the first argument.
pub type Rule<'a> = &'a dyn Fn(&str, &Value) -> Result<(), String>;

/// Decides one call over `fields` with the value rule `check`.
#[must_use]
pub fn decide(
    fields: &[Field],
    operation: WireOperation,
    current: &Value,
    payload: &Value,
    check: Rule<'_>,
) -> WireDecision {
    for (name, document) in [("payload", payload), ("current data", current)] {
        if let Err(limit) = limits::check(document, limits::MAX_DEPTH) {
            return rejected(vec![WireFieldError::new("", codes::TOO_COMPLEX, format!("{name} {limit}"))]);
        }
    }
    if operation == WireOperation::Validate {
        let errors = match payload {
            Value::Object(members) => validate(fields, members, check),
            other => {
                vec![WireFieldError::new("", codes::VALIDATION_FAILED, format!("{other} is not of type \"object\""))]
            }
        };
        return if errors.is_empty() { accepted(codes::OK, None, Vec::new(), Vec::new()) } else { rejected(errors) };
    }
    let Value::Object(patch) = payload else {
        return rejected(vec![WireFieldError::new("", codes::NOT_OBJECT, "payload must be a JSON object")]);
    };
    let before = match current {
        Value::Null => Map::new(),
        Value::Object(members) => members.clone(),
        _ => return rejected(vec![WireFieldError::new("", codes::NOT_OBJECT, "current data must be a JSON object")]),
    };
    let (merged, changed, mut errors) = merge(fields, &before, patch);
    errors.extend(validate(fields, &merged, check));
    if !errors.is_empty() {
        return rejected(errors);
    }
    let unique = fields
        .iter()
        .filter(|field| field.unique)
        .filter_map(|field| {
            let new = merged.get(field.name)?;
            (before.get(field.name) != Some(new)).then(|| WireClaim {
                field: field.name.to_owned(),
                role: None,
                value: new.as_str().map_or_else(|| new.to_string(), str::to_owned),
            })
        })
        .collect();
    let code = if operation == WireOperation::Create { codes::CREATED } else { codes::OK };
    accepted(code, Some(Value::Object(merged)), changed, unique)
}

/// Applies `patch` to `before` under the field rules: the merged document,
/// the pointers that changed (sorted), and the rule errors.
fn merge(
    fields: &[Field],
    before: &Map<String, Value>,
    patch: &Map<String, Value>,
) -> (Map<String, Value>, Vec<String>, Vec<WireFieldError>) {
    let mut merged = before.clone();
    let mut errors = Vec::new();
    let mut changed = Vec::new();
    for (key, value) in patch {
        let at = fields::pointer("", key);
        let Some(field) = fields::find(fields, key) else {
            errors.push(WireFieldError::new(
                at,
                codes::FIELD_UNKNOWN,
                format!("`{key}` is not a field of this contract"),
            ));
            continue;
        };
        let old = merged.get(key).unwrap_or(&Value::Null);
        if field.read_only {
            if value != old {
                let message = format!("`{key}` is read-only: send its current value or leave it out");
                errors.push(WireFieldError::new(at, codes::FIELD_READ_ONLY, message));
            }
            continue;
        }
        if value.is_null() {
            if field.required {
                let message = format!("`{key}` is required and cannot be cleared");
                errors.push(WireFieldError::new(at, codes::FIELD_REQUIRED, message));
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
    changed.sort();
    changed.dedup();
    (merged, changed, errors)
}

/// The whole document against the fields and the value rule.
fn validate(fields: &[Field], members: &Map<String, Value>, check: Rule<'_>) -> Vec<WireFieldError> {
    let mut errors = Vec::new();
    for field in fields {
        let at = fields::pointer("", field.name);
        match members.get(field.name) {
            None if field.required => errors.push(WireFieldError::new(
                at,
                codes::FIELD_REQUIRED,
                format!("\"{}\" is a required property", field.name),
            )),
            None => {}
            Some(value) => {
                if let Err(message) = check(field.name, value) {
                    errors.push(WireFieldError::new(at, codes::VALIDATION_FAILED, message));
                }
            }
        }
    }
    for name in members.keys().filter(|name| fields::find(fields, name).is_none()) {
        errors.push(WireFieldError::new(
            "",
            codes::VALIDATION_FAILED,
            format!("Additional properties are not allowed ('{name}' was unexpected)"),
        ));
    }
    errors
}

/// An accepted decision.
#[must_use]
pub fn accepted(code: &str, entity: Option<Value>, changed: Vec<String>, unique: Vec<WireClaim>) -> WireDecision {
    WireDecision { code: code.to_owned(), entity, changed, pending: Vec::new(), unique, errors: Vec::new() }
}

/// A rejected decision: the errors sorted and deduplicated, the top code
/// from them.
#[must_use]
pub fn rejected(mut errors: Vec<WireFieldError>) -> WireDecision {
    errors.sort_by(|a, b| (&a.pointer, &a.code, &a.message).cmp(&(&b.pointer, &b.code, &b.message)));
    errors.dedup();
    WireDecision {
        code: catalogue::top_code(errors.iter().map(|error| error.code.as_str())).to_owned(),
        entity: None,
        changed: Vec::new(),
        pending: Vec::new(),
        unique: Vec::new(),
        errors,
    }
}
