//! The evaluation pipeline: limits, merge (rules 1-5), verified fields held
//! back (rule 7), the whole-schema check (rule 6), unique claims (rule 8).

use jsonschema::error::ValidationErrorKind;
use pactum_wire::words;
use serde_json::{Map, Value};

use crate::catalogue::codes;
use crate::contract::{Contract, Role};
use crate::decision::{Decision, FieldError, Operation, Pending, UniqueClaim};
use crate::merge::Merge;
use crate::{limits, pointer};

/// Decides what `payload` does to an entity whose data is `current`.
///
/// Pure and total: no I/O, no clock, no randomness, no panic. `current` may
/// be `null` (no data yet).
#[must_use]
pub fn evaluate(contract: &Contract, operation: Operation, current: &Value, payload: &Value) -> Decision {
    for (name, document) in [("payload", payload), ("current data", current)] {
        if let Err(limit) = limits::check(document, limits::MAX_DEPTH) {
            return Decision::rejected(vec![FieldError::new("", codes::TOO_COMPLEX, format!("{name} {limit}"))]);
        }
    }
    if operation == Operation::Validate {
        let errors = validate(contract, payload);
        return if errors.is_empty() { accepted(codes::OK, None) } else { rejected(contract, errors) };
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
    let mut merge = Merge::new(contract);
    merge.object(contract.shape(), &mut merged, patch, "");
    let Merge { mut errors, mut changed, mut normalized, .. } = merge;

    // Rule 6 checks the document with every new value in place, pending ones
    // included: a value that would fail once verified is refused now.
    // A field the merge refused is not in the document, so the schema would
    // report it again (missing where required): one error per field.
    let merged = Value::Object(merged);
    let refused: Vec<String> = errors.iter().map(|error| error.pointer.clone()).collect();
    errors.extend(validate(contract, &merged).into_iter().filter(|error| !refused.contains(&error.pointer)));
    if !errors.is_empty() {
        return rejected(contract, errors);
    }
    let Value::Object(merged) = merged else {
        return Decision::rejected(errors);
    };

    let mut entity = merged.clone();
    let mut pending = Vec::new();
    for (name, spec) in &contract.shape().fields {
        let (Some(channel), true) = (spec.verify, patch.contains_key(name)) else {
            continue;
        };
        let Some(new) = merged.get(name) else {
            continue;
        }; // clearing needs no code
        if normalized.same(spec.role, before.get(name), new) {
            continue;
        }
        if operation == Operation::Update {
            hold_back(&mut entity, &mut changed, name, before.get(name));
        }
        pending.push(Pending { field: name.clone(), channel, value: new.clone() });
    }

    let unique = contract
        .shape()
        .fields
        .iter()
        .filter(|(_, spec)| spec.unique)
        .filter_map(|(name, spec)| {
            let new = merged.get(name)?;
            (!normalized.same(spec.role, before.get(name), new)).then(|| UniqueClaim {
                field: name.clone(),
                role: spec.role,
                value: normalized.key(spec.role, new),
            })
        })
        .collect();

    changed.sort();
    changed.dedup();
    let code = match (operation, pending.is_empty()) {
        (Operation::Create, true) => codes::CREATED,
        (Operation::Create, false) => codes::CREATED_VERIFICATION_NEEDED,
        (_, true) => codes::OK,
        (_, false) => codes::VERIFICATION_NEEDED,
    };
    Decision { code, entity: Some(Value::Object(entity)), changed, pending, unique, errors: Vec::new() }
}

/// Checks one field's value as a live form would: the errors an update of
/// only that field would get at (or below) its pointer.
#[must_use]
pub fn check_field(contract: &Contract, current: &Value, field: &str, value: &Value) -> Vec<FieldError> {
    let tokens: Vec<String> = pointer::tokens(field).collect();
    let payload = tokens.iter().rev().fold(value.clone(), |inner, token| {
        let mut object = Map::new();
        object.insert(token.clone(), inner);
        Value::Object(object)
    });
    let decision = evaluate(contract, Operation::Update, current, &payload);
    decision
        .errors
        .into_iter()
        .filter(|error| error.pointer == field || error.pointer.starts_with(&format!("{field}/")))
        .collect()
}

fn accepted(code: &'static str, entity: Option<Value>) -> Decision {
    Decision { code, entity, changed: Vec::new(), pending: Vec::new(), unique: Vec::new(), errors: Vec::new() }
}

/// Restores a verified field's old value in the entity; its new value lives
/// in `pending` until 2004.
fn hold_back(entity: &mut Map<String, Value>, changed: &mut Vec<String>, name: &str, old: Option<&Value>) {
    match old {
        Some(old) => entity.insert(name.to_owned(), old.clone()),
        None => entity.remove(name),
    };
    let at = pointer::join("", name);
    changed.retain(|pointer| pointer != &at && !pointer.starts_with(&format!("{at}/")));
}

/// A rejection with its errors in the contract's order of fields (a form
/// lists them as it lists its fields), each once, worded with the
/// contract's own message where a field gives one.
fn rejected(contract: &Contract, mut errors: Vec<FieldError>) -> Decision {
    errors.sort_by_cached_key(|error| {
        (contract.position(&error.pointer), error.pointer.clone(), error.code, error.message.clone())
    });
    errors.dedup();
    for error in &mut errors {
        let merge_rule = matches!(error.code, codes::FIELD_UNKNOWN | codes::FIELD_READ_ONLY | codes::FIELD_REQUIRED);
        if let (false, Some(custom)) =
            (merge_rule, contract.field(&error.pointer).and_then(|spec| spec.message.as_ref()))
        {
            error.params.insert(words::CUSTOM.to_owned(), custom.clone());
        }
    }
    Decision::rejected(errors)
}

/// Rule 6: the whole document against the schema, each failure mapped to a
/// pointer, a catalogue code and the words of its rule.
fn validate(contract: &Contract, document: &Value) -> Vec<FieldError> {
    contract
        .validator()
        .iter_errors(document)
        .map(|error| {
            let mut at = error.instance_path().to_string();
            let code = match error.kind() {
                ValidationErrorKind::Required { property } => {
                    at = pointer::join(&at, property.as_str().unwrap_or_default());
                    codes::FIELD_REQUIRED
                }
                kind => match contract.field(&at).and_then(|spec| spec.role) {
                    Some(Role::Mobile) => codes::MOBILE_INVALID,
                    Some(Role::Email) if matches!(kind, ValidationErrorKind::Format { .. }) => codes::EMAIL_INVALID,
                    _ => codes::VALIDATION_FAILED,
                },
            };
            let found = FieldError::new(at, code, message(contract, &error));
            if code == codes::VALIDATION_FAILED {
                let (key, params) = rule_words(contract, &error);
                found.worded(key, params)
            } else {
                found
            }
        })
        .collect()
}

/// The value rule that failed, as a message key of `pactum_wire::words`
/// and the parameters its template names (a limit as the contract wrote
/// it, a pattern as written, a format's name).
fn rule_words(contract: &Contract, error: &jsonschema::ValidationError<'_>) -> (&'static str, Map<String, Value>) {
    use ValidationErrorKind as Kind;
    let written = || contract.schema().pointer(error.schema_path().as_str()).cloned().unwrap_or(Value::Null);
    let one = |name: &str, value: Value| Map::from_iter([(name.to_owned(), value)]);
    let names = |names: &[String]| one("names", Value::from(names.to_vec()));
    match error.kind() {
        Kind::Type { .. } => {
            let expected = contract.schema().pointer(error.schema_path().as_str()).cloned().unwrap_or(Value::Null);
            ("schema.type", one("expected", expected))
        }
        Kind::Enum { options } => ("schema.enum", one("options", Value::clone(options))),
        Kind::Constant { expected_value } => ("schema.const", one("expected", Value::clone(expected_value))),
        Kind::MultipleOf { .. } => ("schema.multipleOf", one("multipleOf", written())),
        // The contract compiler's own keywords (`contract/multiple_of.rs`,
        // `contract/patterns.rs`), named by where they stand in the schema.
        Kind::Custom { message, .. } => match error.schema_path().as_str().rsplit('/').next() {
            Some("multipleOf") => ("schema.multipleOf", one("multipleOf", written())),
            Some(crate::contract::BACKTRACKING_KEYWORD) => {
                let path = error.schema_path().as_str();
                let at = path.rsplit_once('/').map_or(path, |(parent, _)| parent);
                let pattern = contract.schema().pointer(&format!("{at}/pattern")).cloned().unwrap_or(Value::Null);
                let key = if message.contains(" does not match ") { "schema.pattern" } else { "schema.patternBudget" };
                (key, one("pattern", pattern))
            }
            _ => ("schema.invalid", Map::new()),
        },
        Kind::Minimum { limit } => ("schema.minimum", one("limit", limit.clone())),
        Kind::Maximum { limit } => ("schema.maximum", one("limit", limit.clone())),
        Kind::ExclusiveMinimum { limit } => ("schema.exclusiveMinimum", one("limit", limit.clone())),
        Kind::ExclusiveMaximum { limit } => ("schema.exclusiveMaximum", one("limit", limit.clone())),
        Kind::MinLength { limit } => ("schema.minLength", one("limit", Value::from(*limit))),
        Kind::MaxLength { limit } => ("schema.maxLength", one("limit", Value::from(*limit))),
        Kind::Pattern { .. } => ("schema.pattern", one("pattern", written())),
        Kind::BacktrackLimitExceeded { .. } | Kind::RegexEngineFailure { .. } => {
            ("schema.patternBudget", one("pattern", written()))
        }
        Kind::Format { format } => ("schema.format", one("format", Value::from(format.as_str()))),
        Kind::MinItems { limit } => ("schema.minItems", one("limit", Value::from(*limit))),
        Kind::MaxItems { limit } => ("schema.maxItems", one("limit", Value::from(*limit))),
        Kind::UniqueItems => ("schema.uniqueItems", Map::new()),
        Kind::Contains => ("schema.contains", Map::new()),
        Kind::AdditionalItems { limit } => ("schema.additionalItems", one("limit", Value::from(*limit))),
        Kind::UnevaluatedItems { unexpected } => ("schema.unevaluatedItems", names(unexpected)),
        Kind::MinProperties { limit } => ("schema.minProperties", one("limit", Value::from(*limit))),
        Kind::MaxProperties { limit } => ("schema.maxProperties", one("limit", Value::from(*limit))),
        Kind::AdditionalProperties { unexpected } => ("schema.additionalProperties", names(unexpected)),
        Kind::UnevaluatedProperties { unexpected } => ("schema.unevaluatedProperties", names(unexpected)),
        Kind::PropertyNames { .. } => ("schema.propertyNames", Map::new()),
        Kind::AnyOf { .. } => ("schema.anyOf", Map::new()),
        Kind::OneOfMultipleValid { .. } | Kind::OneOfNotValid { .. } => ("schema.oneOf", Map::new()),
        Kind::Not { .. } => ("schema.not", Map::new()),
        Kind::FalseSchema => ("schema.false", Map::new()),
        Kind::ContentEncoding { content_encoding } => {
            ("schema.contentEncoding", one("encoding", Value::from(content_encoding.as_str())))
        }
        Kind::ContentMediaType { content_media_type } => {
            ("schema.contentMediaType", one("mediaType", Value::from(content_media_type.as_str())))
        }
        Kind::Required { .. } | Kind::FromUtf8 { .. } | Kind::Referencing(_) => ("schema.invalid", Map::new()),
    }
}

/// jsonschema's message, except where it would show what the contract did
/// not write (a pattern rewritten by `contract/patterns.rs`) or say nothing a person can
/// act on (a pattern that ran out of its matching budget).
fn message(contract: &Contract, error: &jsonschema::ValidationError<'_>) -> String {
    let written = || contract.schema().pointer(error.schema_path().as_str()).and_then(Value::as_str);
    match error.kind() {
        ValidationErrorKind::Pattern { pattern } => match written() {
            Some(original) if original != pattern => format!(r#"{} does not match "{original}""#, error.instance()),
            _ => error.to_string(),
        },
        // The value is left out: it is long by construction.
        ValidationErrorKind::BacktrackLimitExceeded { .. } => match written() {
            Some(pattern) => format!("the value could not be matched against \"{pattern}\" within the matching budget"),
            None => "the value could not be matched against its pattern within the matching budget".to_owned(),
        },
        _ => error.to_string(),
    }
}
