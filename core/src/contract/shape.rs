//! The field table: which properties a contract declares and the merge rules
//! each carries. Derived from `properties`, following local `$ref`s
//! (`#/$defs/...`) so that a field defined once and referenced keeps its
//! rules. Shapes reached only through `allOf`/`anyOf`/... are validated by
//! the schema but not merged field by field.

use std::collections::BTreeSet;
use std::collections::hash_map::DefaultHasher;
use std::hash::BuildHasherDefault;

use indexmap::IndexMap;

use serde_json::{Map, Value};

use super::extensions::{self, Channel, Role};
use crate::phone::NumberType;

/// Declared members in the contract's written order (forms, errors and
/// pending changes follow it). A fixed hasher: no randomness in the core.
pub type Fields = IndexMap<String, FieldSpec, BuildHasherDefault<DefaultHasher>>;

/// The declared members of one object.
#[derive(Debug, Clone, Default)]
pub struct ObjectShape {
    pub fields: Fields,
    /// `required` of this object.
    pub required: BTreeSet<String>,
    /// Undeclared members are accepted (and left to the schema) because the
    /// object opts in with `additionalProperties` other than `false`.
    pub open: bool,
    /// `patternProperties`: undeclared members whose name matches one are
    /// accepted too. A pattern the `regex` crate cannot compile (look-around,
    /// back-references) opens the object instead of refusing valid members.
    pub patterns: Vec<regex::Regex>,
}

impl ObjectShape {
    /// Whether an undeclared member `name` may be sent (spec rule 1).
    #[must_use]
    pub fn admits(&self, name: &str) -> bool {
        self.open || self.patterns.iter().any(|pattern| pattern.is_match(name))
    }
}

/// The rules of one declared property.
#[derive(Debug, Clone, Default)]
pub struct FieldSpec {
    pub read_only: bool,
    pub list: bool,
    pub unique: bool,
    pub verify: Option<Channel>,
    pub role: Option<Role>,
    /// The number types a mobile field takes (`x-pactum-number-types`);
    /// empty for any other field.
    pub number_types: Vec<NumberType>,
    /// Present when the property schema declares `properties` of its own.
    pub object: Option<ObjectShape>,
    /// `title`, for forms.
    pub title: Option<String>,
    /// `type` when it is a single string, for forms.
    pub kind: Option<String>,
    /// `x-pactum-message`: the field's own words for its value rules.
    pub message: Option<Value>,
}

pub static EMPTY: ObjectShape = ObjectShape {
    fields: Fields::with_hasher(BuildHasherDefault::new()),
    required: BTreeSet::new(),
    open: false,
    patterns: Vec::new(),
};

/// How many `$ref`s and nested objects the field table follows. Deeper (or
/// recursive) shapes merge as plain objects; the schema still validates them.
const MAX_SHAPE_DEPTH: usize = 16;

pub(super) fn build(root: &Value) -> ObjectShape {
    object_shape(root, root, 0)
}

fn object_shape(root: &Value, schema: &Value, depth: usize) -> ObjectShape {
    let Some(object) = resolve(root, schema, depth) else { return ObjectShape::default() };
    let fields = object
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, property)| (name.clone(), field(root, property, depth + 1)))
        .collect();
    let required = object
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    let mut open = object.get("additionalProperties").is_some_and(|value| value != &Value::Bool(false));
    let mut patterns = Vec::new();
    for pattern in object.get("patternProperties").and_then(Value::as_object).into_iter().flatten().map(|(p, _)| p) {
        match regex::Regex::new(&super::patterns::rewrite(pattern)) {
            Ok(compiled) => patterns.push(compiled),
            Err(_) => open = true,
        }
    }
    ObjectShape { fields, required, open, patterns }
}

fn field(root: &Value, property: &Value, depth: usize) -> FieldSpec {
    let Some(schema) = resolve(root, property, depth) else { return FieldSpec::default() };
    let nested = depth < MAX_SHAPE_DEPTH && schema.contains_key("properties");
    FieldSpec {
        read_only: extensions::flag(&schema, "readOnly"),
        list: extensions::flag(&schema, extensions::LIST),
        unique: extensions::flag(&schema, extensions::UNIQUE),
        verify: extensions::channel(&schema),
        role: extensions::role(&schema),
        number_types: match extensions::role(&schema) {
            Some(Role::Mobile) => extensions::number_types(&schema),
            _ => Vec::new(),
        },
        object: nested.then(|| object_shape(root, &Value::Object(schema.clone()), depth + 1)),
        title: schema.get("title").and_then(Value::as_str).map(str::to_owned),
        kind: schema.get("type").and_then(Value::as_str).map(str::to_owned),
        message: schema.get(extensions::MESSAGE).cloned(),
    }
}

/// The schema's own keywords over those of its local `$ref` target (own
/// keywords win, as siblings of `$ref` do in 2020-12 for these annotations).
fn resolve(root: &Value, schema: &Value, depth: usize) -> Option<Map<String, Value>> {
    let Value::Object(own) = schema else { return None };
    let target = own
        .get("$ref")
        .and_then(Value::as_str)
        .filter(|_| depth < MAX_SHAPE_DEPTH)
        .and_then(|reference| reference.strip_prefix('#'))
        .and_then(|pointer| root.pointer(pointer))
        .and_then(|target| resolve(root, target, depth + 1));
    let mut merged = target.unwrap_or_default();
    merged.remove("$ref");
    for (key, value) in own {
        if key != "$ref" {
            merged.insert(key.clone(), value.clone());
        }
    }
    Some(merged)
}
