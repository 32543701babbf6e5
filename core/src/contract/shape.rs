//! The field table: which properties a contract declares and the merge rules
//! each carries. Derived from `properties` literally; a `$ref`'d subschema is
//! still validated, but merged as a plain object (RFC 7396).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::extensions::{self, Channel, Role};

/// The declared members of one object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectShape {
    pub fields: BTreeMap<String, FieldSpec>,
    /// `required` of this object.
    pub required: BTreeSet<String>,
    /// Undeclared members are accepted (and left to the schema) because the
    /// object opts in with `additionalProperties` (other than `false`) or
    /// `patternProperties`. Otherwise an undeclared member is 400.10.
    pub open: bool,
}

/// The rules of one declared property.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSpec {
    pub read_only: bool,
    pub list: bool,
    pub unique: bool,
    pub verify: Option<Channel>,
    pub role: Option<Role>,
    /// Present when the property schema declares `properties` of its own.
    pub object: Option<ObjectShape>,
    /// `title`, for forms.
    pub title: Option<String>,
    /// `type` when it is a single string, for forms.
    pub kind: Option<String>,
}

pub static EMPTY: ObjectShape = ObjectShape { fields: BTreeMap::new(), required: BTreeSet::new(), open: false };

pub(super) fn build(schema: &Value) -> ObjectShape {
    let Value::Object(object) = schema else {
        return ObjectShape::default();
    };
    let fields = object
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, property)| (name.clone(), field(property)))
        .collect();
    let required = object
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    let open = object.get("additionalProperties").is_some_and(|value| value != &Value::Bool(false))
        || object.contains_key("patternProperties");
    ObjectShape { fields, required, open }
}

fn field(property: &Value) -> FieldSpec {
    let Value::Object(schema) = property else {
        return FieldSpec::default();
    };
    FieldSpec {
        read_only: extensions::flag(schema, "readOnly"),
        list: extensions::flag(schema, extensions::LIST),
        unique: extensions::flag(schema, extensions::UNIQUE),
        verify: extensions::channel(schema),
        role: extensions::role(schema),
        object: schema.contains_key("properties").then(|| build(property)),
        title: schema.get("title").and_then(Value::as_str).map(str::to_owned),
        kind: schema.get("type").and_then(Value::as_str).map(str::to_owned),
    }
}
