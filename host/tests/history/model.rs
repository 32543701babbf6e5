//! The model: what one acknowledged operation does to an entity's state,
//! per the spec (1003 rules 3, 7 and 9; 2004; 1004). The answers show the
//! data only; the status is the model's, compared with the database at the
//! end.

use serde_json::{Map, Value};

/// The contract's plain string fields; `name` is required, the others may
/// be cleared with `null`.
pub const PLAIN: [&str; 5] = ["name", "city", "nickname", "note", "color"];
pub const REQUIRED: &str = "name";
/// Unique, not verified: a PUT writes it at once.
pub const EMAIL: &str = "email";
/// Unique and verified by SMS: a PUT makes it a pending change.
pub const MOBILE: &str = "mobile";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Unverified,
    Active,
    Inactive,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unverified => "unverified",
            Self::Active => "active",
            Self::Inactive => "inactive",
        }
    }
}

/// An entity at one version: its fields as a read shows them (no nulls).
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub data: Map<String, Value>,
    pub status: Status,
}

/// A PUT's non-verified changes merged onto `data`: `null` clears a field
/// (the verified one too: clearing needs no code), any other value of a
/// plain or unique field is written, a verified field's new value is held
/// back as a pending change.
pub fn put(data: &Map<String, Value>, payload: &Value) -> Map<String, Value> {
    let mut merged = data.clone();
    for (field, value) in payload.as_object().into_iter().flatten() {
        match value {
            Value::Null => {
                merged.remove(field);
            }
            _ if field == MOBILE => {}
            _ => {
                merged.insert(field.clone(), value.clone());
            }
        }
    }
    merged
}

/// A 2004 that applied the pending `mobile`: the value is written and an
/// unverified entity becomes active.
pub fn verified(state: &State, mobile: &str) -> State {
    let mut data = state.data.clone();
    data.insert(MOBILE.to_owned(), Value::String(mobile.to_owned()));
    let status = if state.status == Status::Unverified { Status::Active } else { state.status };
    State { data, status }
}

/// A 1004: the status becomes inactive, the values stay.
pub fn deactivated(state: &State) -> State {
    State { data: state.data.clone(), status: Status::Inactive }
}

/// The fields in which `from` and `to` differ, as `field: old -> new`.
pub fn diff(from: &Map<String, Value>, to: &Map<String, Value>) -> String {
    let mut fields: Vec<&String> = from.keys().chain(to.keys()).collect();
    fields.sort();
    fields.dedup();
    let shown = |value: Option<&Value>| value.map_or_else(|| "(none)".to_owned(), Value::to_string);
    let changes: Vec<String> = fields
        .into_iter()
        .filter(|field| from.get(*field) != to.get(*field))
        .map(|field| format!("{field}: {} -> {}", shown(from.get(field)), shown(to.get(field))))
        .collect();
    if changes.is_empty() { "no field differs".to_owned() } else { changes.join(", ") }
}
