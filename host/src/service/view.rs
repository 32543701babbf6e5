//! The entity as one contract shows it, and writing a contract's view back
//! into the whole entity.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::store::{Entity, EntityId};

/// What 1002 answers (and every write, as `entity`): `dpKeyid`, the app's
/// external key when it has a type, then the contract's fields that hold a
/// value (null ones are left out).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityView {
    pub dp_keyid: EntityId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ext_key_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ext_key: Option<String>,
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl EntityView {
    #[must_use]
    pub fn of(entity: &Entity, fields: &BTreeSet<String>, ext_key_type: Option<&str>) -> Self {
        let ext_key = ext_key_type.and_then(|kind| entity.ext_keys.get(kind)).cloned();
        Self {
            dp_keyid: entity.id,
            ext_key_type: ext_key.as_ref().and(ext_key_type.map(str::to_owned)),
            ext_key,
            fields: project(&entity.data, fields),
        }
    }
}

/// The members of `data` that are the contract's fields, nulls left out:
/// what the module sees as the current data.
#[must_use]
pub fn project(data: &Value, fields: &BTreeSet<String>) -> Map<String, Value> {
    data.as_object()
        .map(|object| {
            object
                .iter()
                .filter(|(name, value)| fields.contains(*name) && !value.is_null())
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// The whole entity after a contract's merged view: the contract's fields
/// are replaced by the view's (a field the view lacks was cleared), every
/// other member is kept as it was.
#[must_use]
pub fn write_back(data: &Value, fields: &BTreeSet<String>, merged: &Value) -> Value {
    let mut whole = data.as_object().cloned().unwrap_or_default();
    whole.retain(|name, _| !fields.contains(name));
    if let Some(merged) = merged.as_object() {
        whole.extend(
            merged.iter().filter(|(_, value)| !value.is_null()).map(|(name, value)| (name.clone(), value.clone())),
        );
    }
    Value::Object(whole)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn a_projection_keeps_only_the_contracts_fields_with_values() {
        let data = json!({"name": "Ann", "card": "4000", "mobile": null});
        assert_eq!(Value::Object(project(&data, &fields(&["name", "mobile"]))), json!({"name": "Ann"}));
    }

    #[test]
    fn writing_back_keeps_other_contracts_fields_and_applies_clears() {
        let data = json!({"name": "Ann", "mobile": "+4520123456", "card": "4000"});
        let merged = json!({"name": "Bo"});
        assert_eq!(write_back(&data, &fields(&["name", "mobile"]), &merged), json!({"name": "Bo", "card": "4000"}));
    }
}
