//! The merge of a payload into the current data: spec rules 1-5.
//!
//! Rule violations are collected, not returned early, so that one answer
//! names every failing field.

use serde_json::{Map, Value};

use crate::catalogue::codes;
use crate::contract::{Contract, FieldSpec, ObjectShape, Role};
use crate::decision::FieldError;
use crate::normalized::Normalized;
use crate::{phone, pointer};

pub(crate) struct Merge<'c> {
    pub errors: Vec<FieldError>,
    pub changed: Vec<String>,
    /// Kept for the rest of the call, which compares and claims the same
    /// values.
    pub normalized: Normalized<'c>,
}

impl<'c> Merge<'c> {
    pub fn new(contract: &'c Contract) -> Self {
        Self { errors: Vec::new(), changed: Vec::new(), normalized: Normalized::new(contract) }
    }

    /// A role field's value in the form it is stored, compared, claimed and
    /// sent a code to: a mobile in E.164, an address as its normalised
    /// mailbox. Other values are kept as sent.
    fn stored_form(&mut self, spec: &FieldSpec, value: &Value) -> Result<Value, (&'static str, String)> {
        match (spec.role, value) {
            (Some(Role::Mobile), Value::String(raw)) => phone::sms_form(self.normalized.phone(raw), &spec.number_types)
                .map(Value::String)
                .map_err(|refusal| (codes::MOBILE_INVALID, format!("{value} {refusal}"))),
            (Some(Role::Mobile), _) => Err((
                codes::MOBILE_INVALID,
                format!("{value} is not a valid phone number: a mobile field takes a string"),
            )),
            (Some(Role::Email), Value::String(raw)) => {
                self.normalized.mailbox(raw).map(Value::String).ok_or_else(|| {
                    (
                        codes::EMAIL_INVALID,
                        format!("{value} is not an e-mail address: one mailbox, with no name or comment"),
                    )
                })
            }
            _ => Ok(value.clone()),
        }
    }

    /// Merges `patch` into `target`, an object declared by `shape` at `path`.
    pub fn object(
        &mut self,
        shape: &ObjectShape,
        target: &mut Map<String, Value>,
        patch: &Map<String, Value>,
        path: &str,
    ) {
        for (key, patch_value) in patch {
            let at = pointer::join(path, key);
            let Some(spec) = shape.fields.get(key) else {
                if shape.admits(key) {
                    let mut merged = target.get(key).cloned().unwrap_or(Value::Null);
                    merge_patch(&mut merged, patch_value);
                    self.set(target, key, merged, at);
                } else {
                    self.errors.push(FieldError::new(
                        at,
                        codes::FIELD_UNKNOWN,
                        format!("`{key}` is not a field of this contract"),
                    ));
                }
                continue;
            };
            let current = target.get(key).unwrap_or(&Value::Null);
            if spec.read_only {
                if patch_value != current {
                    self.errors.push(FieldError::new(
                        at,
                        codes::FIELD_READ_ONLY,
                        format!("`{key}` is read-only: send its current value or leave it out"),
                    ));
                }
                continue;
            }
            let clears = patch_value.is_null() || (spec.list && patch_value.as_array().is_some_and(Vec::is_empty));
            if clears {
                if shape.required.contains(key) {
                    self.errors.push(FieldError::new(
                        at,
                        codes::FIELD_REQUIRED,
                        format!("`{key}` is required and cannot be cleared"),
                    ));
                } else if target.remove(key).is_some_and(|old| !old.is_null()) {
                    self.changed.push(at);
                }
                continue;
            }
            let value = match self.stored_form(spec, patch_value) {
                Ok(value) => value,
                Err((code, message)) => {
                    self.errors.push(FieldError::new(at, code, message));
                    continue;
                }
            };
            let merged = match (&spec.object, value) {
                _ if spec.list => match patch_value {
                    Value::Array(_) => patch_value.clone(),
                    item => {
                        let mut list = current.as_array().cloned().unwrap_or_default();
                        if !list.contains(item) {
                            list.push(item.clone());
                        }
                        Value::Array(list)
                    }
                },
                (Some(inner), Value::Object(inner_patch)) => {
                    let created = !current.is_object();
                    let mut child = current.as_object().cloned().unwrap_or_default();
                    let recorded = self.changed.len();
                    self.object(inner, &mut child, &inner_patch, &at);
                    // A member created empty (`{"address": {}}`) changes too.
                    if created && self.changed.len() == recorded {
                        self.changed.push(at);
                    }
                    target.insert(key.clone(), Value::Object(child));
                    continue;
                }
                (None, value @ Value::Object(_)) => {
                    let mut merged = current.clone();
                    merge_patch(&mut merged, &value);
                    merged
                }
                (_, value) => value,
            };
            self.set(target, key, merged, at);
        }
    }

    fn set(&mut self, target: &mut Map<String, Value>, key: &str, value: Value, at: String) {
        if target.get(key).unwrap_or(&Value::Null) != &value {
            self.changed.push(at);
        }
        if value.is_null() {
            target.remove(key);
        } else {
            target.insert(key.to_owned(), value);
        }
    }
}

/// JSON Merge Patch (RFC 7396), for members the contract does not describe
/// field by field. Depth is bounded by [`crate::limits::MAX_DEPTH`], checked
/// before any merge.
pub(crate) fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(members) = target {
        for (key, value) in patch {
            if value.is_null() {
                members.remove(key);
            } else {
                merge_patch(members.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}
