//! A module's fields, described once: the contract document a form shows
//! must declare exactly them (so the document and the rules cannot drift
//! apart), and the references loaded into an instance.

use std::collections::BTreeSet;

use pactum_wire::{Call, Failure, WireFieldError, codes};
use serde_json::Value;

/// One field of the contract, as the module implements it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    /// Only its current value may be sent (400.11).
    pub read_only: bool,
    /// It cannot be missing or cleared (400.12).
    pub required: bool,
    /// A changed value is claimed as unique by the host.
    pub unique: bool,
}

/// The field named `name`, if the module has it.
#[must_use]
pub fn find<'a>(fields: &'a [Field], name: &str) -> Option<&'a Field> {
    fields.iter().find(|field| field.name == name)
}

/// `path` with one more RFC 6901 reference token.
#[must_use]
pub fn pointer(path: &str, token: &str) -> String {
    let mut joined = path.to_owned();
    joined.push('/');
    joined.push_str(&token.replace('~', "~0").replace('/', "~1"));
    joined
}

/// Checks that `document` declares exactly `fields`: each under
/// `properties`, `readOnly` as the module has it, `required` listing the
/// required ones. Titles, descriptions and schema keywords are the
/// document's own business. A refusal is the wire's 422.1.
pub fn check_contract(fields: &[Field], document: &Value) -> Result<(), Failure> {
    let problem = |pointer: &str, message: String| WireFieldError::new(pointer, codes::CONTRACT_INVALID, message);
    let Some(properties) = document.get("properties").and_then(Value::as_object) else {
        return Err(contract_failure(vec![problem(
            "/properties",
            "the contract must be an object that declares `properties`".to_owned(),
        )]));
    };
    let mut problems = Vec::new();
    for field in fields {
        let at = pointer("/properties", field.name);
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
    for name in properties.keys().filter(|name| find(fields, name).is_none()) {
        problems
            .push(problem(&pointer("/properties", name), format!("this module does not implement the field `{name}`")));
    }
    let mut required: Vec<&str> = document
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    required.sort_unstable();
    required.dedup();
    let expected: Vec<&str> = fields.iter().filter(|field| field.required).map(|field| field.name).collect();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort_unstable();
    if required != expected_sorted {
        problems.push(problem("/required", format!("must list exactly {expected:?}, the fields this module requires")));
    }
    if problems.is_empty() { Ok(()) } else { Err(contract_failure(problems)) }
}

fn contract_failure(problems: Vec<WireFieldError>) -> Failure {
    let detail: Vec<String> =
        problems.iter().map(|problem| format!("at `{}`: {}", problem.pointer, problem.message)).collect();
    Failure {
        code: codes::CONTRACT_INVALID.to_owned(),
        message: format!("the contract is not valid: {}", detail.join("; ")),
        problems,
    }
}

/// The contract references loaded into one instance. A module whose
/// contract compiles to nothing (its rules are code) only records that a
/// reference's document was checked.
#[derive(Debug, Default)]
pub struct References {
    loaded: BTreeSet<String>,
}

impl References {
    pub fn insert(&mut self, reference: &str) {
        self.loaded.insert(reference.to_owned());
    }

    /// Which contract `call` means, checked with `check` when it comes
    /// inline: exactly one of `contract` (checked now) and `contractRef`
    /// (loaded earlier, else 422.3); neither or both is 422.2.
    pub fn resolve(&self, call: &Call, check: impl FnOnce(&Value) -> Result<(), Failure>) -> Result<(), Failure> {
        match (&call.contract, &call.contract_ref) {
            (Some(document), None) => check(document),
            (None, Some(reference)) if self.loaded.contains(reference) => Ok(()),
            (None, Some(reference)) => {
                Err(Failure::new(codes::CONTRACT_UNKNOWN_REF, format!("no contract is loaded under `{reference}`")))
            }
            _ => Err(Failure::new(codes::CALL_INVALID, "a call needs exactly one of `contract` and `contractRef`")),
        }
    }
}
